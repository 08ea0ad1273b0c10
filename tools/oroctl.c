/* tools/oroctl.c — the maintenance command line: a thin main over liboro. */
#include "oroctl.h"

#include <apr_general.h>
#include <apr_strings.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#define DEFAULT_CONFIG "/etc/apache2/apache2.conf"

static const oroctl_command_t *const commands[] = {
    &oroctl_config_check_command,
    &oroctl_demo_load_command,
    &oroctl_mq_dead_command,
    &oroctl_mq_send_command,
    &oroctl_mq_stats_command,
    &oroctl_schema_status_command,
    &oroctl_schema_update_command,
    &oroctl_search_reindex_command,
    &oroctl_jobs_list_command,
    &oroctl_jobs_cancel_command,
    &oroctl_cron_command,
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

int oroctl_fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("oroctl: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

const oro_meta_t *oroctl_meta(oroctl_context_t *ctx)
{
    if (ctx->settings.meta == NULL) {
        oroctl_fail(OROCTL_CONFIG, "%s: no OroEntityConfig directive (the entity definitions)",
                    ctx->config_path);
    }
    return ctx->settings.meta;
}

static void print_help(FILE *out)
{
    fprintf(out, "usage: oroctl [--config FILE] COMMAND [OPTIONS]\n"
                 "       oroctl help COMMAND | COMMAND --help\n"
                 "\n"
                 "Maintenance of a mod_oro installation. FILE is the Apache configuration file\n"
                 "httpd uses (default: $ORO_CONFIG, else " DEFAULT_CONFIG ").\n"
                 "\n"
                 "commands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++) {
        fprintf(out, "  %-16s %s\n", commands[i]->name, commands[i]->summary);
    }
    fprintf(out, "\n"
                 "exit codes:\n"
                 "  0  success\n"
                 "  1  the command failed (the message says why)\n"
                 "  2  usage error: unknown command or option, bad argument\n"
                 "  3  configuration error: the file is missing or invalid\n"
                 "  4  the database could not be reached\n");
}

static const oroctl_command_t *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(commands[i]->name, name) == 0) {
            return commands[i];
        }
    }
    return NULL;
}

int main(int argc, const char *const *argv)
{
    apr_app_initialize(&argc, &argv, NULL);
    atexit(apr_terminate);
    oro_log_set_ident("oroctl");

    oroctl_context_t ctx = {0};
    apr_pool_create(&ctx.pool, NULL);
    ctx.config_path = getenv("ORO_CONFIG") ? getenv("ORO_CONFIG") : DEFAULT_CONFIG;

    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_help(stdout);
            return OROCTL_OK;
        }
        if (strcmp(arg, "--version") == 0) {
            printf("oroctl %s\n", ORO_VERSION);
            return OROCTL_OK;
        }
        if (strcmp(arg, "--config") == 0 || strcmp(arg, "-c") == 0) {
            if (i + 1 >= argc) {
                return oroctl_fail(OROCTL_USAGE, "%s needs a file name", arg);
            }
            ctx.config_path = argv[++i];
            continue;
        }
        if (strncmp(arg, "--config=", 9) == 0) {
            ctx.config_path = arg + 9;
            continue;
        }
        return oroctl_fail(OROCTL_USAGE, "unknown option \"%s\" (see oroctl --help)", arg);
    }
    if (i >= argc) {
        print_help(stderr);
        return OROCTL_USAGE;
    }
    const char *name = argv[i++];
    if (strcmp(name, "help") == 0) {
        if (i >= argc) {
            print_help(stdout);
            return OROCTL_OK;
        }
        const oroctl_command_t *cmd = find_command(argv[i]);
        if (cmd == NULL) {
            return oroctl_fail(OROCTL_USAGE, "unknown command \"%s\" (see oroctl --help)", argv[i]);
        }
        fputs(cmd->usage, stdout);
        return OROCTL_OK;
    }
    const oroctl_command_t *cmd = find_command(name);
    if (cmd == NULL) {
        return oroctl_fail(OROCTL_USAGE, "unknown command \"%s\" (see oroctl --help)", name);
    }
    for (int j = i; j < argc; j++) {
        if (strcmp(argv[j], "--help") == 0 || strcmp(argv[j], "-h") == 0) {
            fputs(cmd->usage, stdout);
            return OROCTL_OK;
        }
    }
    const char *err = oro_settings_load(ctx.pool, ctx.config_path, &ctx.settings);
    if (err != NULL) {
        return oroctl_fail(OROCTL_CONFIG, "%s", err);
    }
    return cmd->run(&ctx, argc - i, argv + i);
}
