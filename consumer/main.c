/* consumer/main.c — oro-consumer: command line, configuration, log, daemonizing and
 * the pid file, then the supervisor (supervisor.c) and its workers (worker.c).
 *
 * Exit status: 0 after a clean stop, --help or --version; 1 when it cannot start
 * (already running, log or pid file unusable); 2 for bad arguments; 3 for an
 * invalid configuration. */
#include "args.h"
#include "supervisor.h"

#include <apr_file_info.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/settings.h"
#include "util/log.h"

#define EXIT_CANNOT_START 1
#define EXIT_BAD_ARGUMENTS 2
#define EXIT_BAD_CONFIG 3

/* The pid written in the file at path, or 0 if there is none (no file, no number). */
static long read_pidfile(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return 0;
    }
    long pid = 0;
    if (fscanf(f, "%ld", &pid) != 1 || pid <= 0) {
        pid = 0;
    }
    fclose(f);
    return pid;
}

/* Returns the pid of a live process that the pid file names, or 0. A stale file
 * (from a crash) is simply overwritten later. */
static long running_pid(const char *path)
{
    long pid = read_pidfile(path);
    if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM)) {
        return pid;
    }
    return 0;
}

/* Writes our pid through a temporary file and rename, so that a reader never sees
 * a half-written file. Returns 0, or -1 with an error message in *error. */
static int write_pidfile(apr_pool_t *p, const char *path, const char **error)
{
    const char *tmp = apr_psprintf(p, "%s.%ld.tmp", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        *error = apr_psprintf(p, "could not create pid file \"%s\": %s", tmp, strerror(errno));
        return -1;
    }
    int failed = fprintf(f, "%ld\n", (long)getpid()) < 0;
    failed |= fclose(f) != 0;
    if (failed || rename(tmp, path) != 0) {
        *error = apr_psprintf(p, "could not write pid file \"%s\": %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Removes the pid file if it still names us: a second instance started after ours
 * died may own it by now. */
static void remove_pidfile(const char *path)
{
    if (read_pidfile(path) == (long)getpid() && unlink(path) != 0) {
        ORO_WARN("could not remove pid file \"%s\": %s", path, strerror(errno));
    }
}

/* path made absolute against the current directory, which the daemon leaves. */
static const char *absolute_path(apr_pool_t *p, const char *path)
{
    char *merged;
    if (apr_filepath_merge(&merged, NULL, path, APR_FILEPATH_NOTRELATIVE, p) != APR_SUCCESS) {
        return path;
    }
    return merged;
}

int main(int argc, const char *const *argv)
{
    int status = EXIT_CANNOT_START;
    const char *pidfile = NULL;

    apr_app_initialize(&argc, &argv, NULL);
    atexit(apr_terminate);
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL);
    oro_log_set_ident("oro-consumer");

    oro_consumer_args_t args;
    const char *error;
    switch (oro_consumer_args_parse(pool, argc, argv, &args, &error)) {
    case ORO_CONSUMER_ARGS_HELP:
        oro_consumer_args_usage(stdout);
        return 0;
    case ORO_CONSUMER_ARGS_VERSION:
        printf("oro-consumer %s\n", ORO_VERSION);
        return 0;
    case ORO_CONSUMER_ARGS_INVALID:
        fprintf(stderr, "oro-consumer: %s\nTry 'oro-consumer --help' for more information.\n",
                error);
        return EXIT_BAD_ARGUMENTS;
    case ORO_CONSUMER_ARGS_RUN:
        break;
    }
    if (args.log_level >= 0) {
        oro_log_set_level((oro_log_level_t)args.log_level);
    }
    args.config_path = absolute_path(pool, args.config_path);

    apr_pool_t *settings_pool;
    apr_pool_create(&settings_pool, pool);
    oro_settings_t settings;
    error = oro_settings_load(settings_pool, args.config_path, &settings);
    if (error != NULL) {
        fprintf(stderr, "oro-consumer: %s\n", error);
        return EXIT_BAD_CONFIG;
    }
    oro_consumer_args_apply(&args, &settings);
    if (settings.consumer_pidfile != NULL) {
        settings.consumer_pidfile = absolute_path(settings_pool, settings.consumer_pidfile);
    }
    if (settings.consumer_log != NULL) {
        settings.consumer_log = absolute_path(settings_pool, settings.consumer_log);
    }

    /* Everything that can fail for a reason the user must see happens before the
     * terminal is left behind. */
    if (settings.consumer_pidfile != NULL) {
        long pid = running_pid(settings.consumer_pidfile);
        if (pid > 0) {
            fprintf(stderr, "oro-consumer is already running (pid %ld, pid file %s)\n", pid,
                    settings.consumer_pidfile);
            return EXIT_CANNOT_START;
        }
    }
    if (settings.consumer_log != NULL && oro_log_open_file(settings.consumer_log) != 0) {
        fprintf(stderr, "oro-consumer: could not open log file \"%s\": %s\n", settings.consumer_log,
                strerror(errno));
        return EXIT_CANNOT_START;
    }
    if (!args.foreground) {
        if (settings.consumer_log == NULL) {
            fprintf(stderr, "oro-consumer: no log file (OroConsumerLog or --log): log lines "
                            "are discarded once detached\n");
        }
        apr_status_t rv = apr_proc_detach(APR_PROC_DETACH_DAEMONIZE);
        if (rv != APR_SUCCESS) {
            char buf[256];
            fprintf(stderr, "oro-consumer: could not detach from the terminal: %s\n",
                    apr_strerror(rv, buf, sizeof buf));
            return EXIT_CANNOT_START;
        }
    }
    /* NB: written after detaching, which changes our pid. */
    if (settings.consumer_pidfile != NULL) {
        if (write_pidfile(pool, settings.consumer_pidfile, &error) != 0) {
            ORO_ERROR("%s", error);
            goto cleanup;
        }
        pidfile = settings.consumer_pidfile;
    }
    signal(SIGPIPE, SIG_IGN); /* a dropped database socket must not kill a worker */

    ORO_INFO("oro-consumer %s starting: %d workers, transport %s, configuration \"%s\"",
             ORO_VERSION, settings.consumer_workers, oro_mq_transport_name(settings.transport),
             args.config_path);
    status = oro_consumer_supervisor_run(pool, &args, settings_pool, &settings);
    ORO_INFO("oro-consumer stopped");

cleanup:
    if (pidfile != NULL) {
        remove_pidfile(pidfile);
    }
    apr_pool_destroy(pool);
    return status;
}
