/* tools/cmd_demo.c — oroctl demo:load: fills an empty database with demo data
 * (lib/demo/, docs/demo.md). */
#include <apr_file_io.h>
#include <apr_strings.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "demo/demo.h"
#include "oroctl.h"

#define MAX_COUNT 100000000L

/* Parses a count: digits only, at most MAX_COUNT. */
static int parse_count(const char *text, long *out)
{
    if (text == NULL || !isdigit((unsigned char)*text)) {
        return -1;
    }
    for (const char *c = text; *c; c++) {
        if (!isdigit((unsigned char)*c)) {
            return -1;
        }
    }
    errno = 0;
    long n = strtol(text, NULL, 10);
    if (errno != 0 || n > MAX_COUNT) {
        return -1;
    }
    *out = n;
    return 0;
}

/* The first line of path, without its line break; NULL after printing why. */
static const char *read_password(apr_pool_t *p, const char *path)
{
    apr_file_t *f;
    char buf[1024], err[256];
    apr_status_t rv = apr_file_open(&f, path, APR_FOPEN_READ, APR_FPROT_OS_DEFAULT, p);
    if (rv != APR_SUCCESS) {
        oroctl_fail(OROCTL_FAILED, "demo:load: could not read the password file \"%s\": %s", path,
                    apr_strerror(rv, err, sizeof err));
        return NULL;
    }
    rv = apr_file_gets(buf, sizeof buf, f);
    apr_file_close(f);
    size_t n = rv == APR_SUCCESS ? strlen(buf) : 0;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
        buf[--n] = '\0';
    }
    if (n == 0) {
        oroctl_fail(OROCTL_FAILED, "demo:load: the password file \"%s\" is empty", path);
        return NULL;
    }
    return apr_pstrdup(p, buf);
}

static void print_progress(void *baton, const char *table, long rows)
{
    (void)baton;
    printf("%s: %ld rows\n", table, rows);
    fflush(stdout);
}

static int run_demo_load(oroctl_context_t *ctx, int argc, const char *const *argv)
{
    static const struct {
        const char *name;
        size_t offset;
    } counts[] = {
        {"--contacts", offsetof(oro_demo_options_t, contacts)},
        {"--accounts", offsetof(oro_demo_options_t, accounts)},
        {"--opportunities", offsetof(oro_demo_options_t, opportunities)},
        {"--products", offsetof(oro_demo_options_t, products)},
        {"--orders", offsetof(oro_demo_options_t, orders)},
    };
    oro_demo_options_t options;
    oro_demo_options_init(&options);
    const char *size = "small", *password_file = NULL;
    long overrides[5] = {-1, -1, -1, -1, -1};
    int quiet = 0;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i], *value = NULL;
        const char *eq = strchr(arg, '=');
        const char *name = eq ? apr_pstrmemdup(ctx->pool, arg, (apr_size_t)(eq - arg)) : arg;
        if (strcmp(name, "--quiet") == 0 && eq == NULL) {
            quiet = 1;
            continue;
        }
        int takes_value = strcmp(name, "--size") == 0 || strcmp(name, "--seed") == 0 ||
                          strcmp(name, "--password-file") == 0;
        for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
            takes_value |= strcmp(name, counts[k].name) == 0;
        }
        if (!takes_value) {
            return oroctl_fail(OROCTL_USAGE,
                               "demo:load: unknown option \"%s\" (see oroctl help demo:load)", arg);
        }
        if (eq != NULL) {
            value = eq + 1;
        }
        else if (i + 1 < argc) {
            value = argv[++i];
        }
        else {
            return oroctl_fail(OROCTL_USAGE, "demo:load: %s needs a value", name);
        }
        if (strcmp(name, "--size") == 0) {
            size = value;
            if (oro_demo_options_size(&options, size) != 0) {
                return oroctl_fail(OROCTL_USAGE,
                                   "demo:load: --size must be small, medium or large, not \"%s\"",
                                   value);
            }
        }
        else if (strcmp(name, "--seed") == 0) {
            char *end;
            errno = 0;
            unsigned long long seed = strtoull(value, &end, 10);
            if (!isdigit((unsigned char)*value) || *end != '\0' || errno != 0) {
                return oroctl_fail(OROCTL_USAGE,
                                   "demo:load: --seed must be a non-negative whole number, not "
                                   "\"%s\"",
                                   value);
            }
            options.seed = seed;
        }
        else if (strcmp(name, "--password-file") == 0) {
            password_file = value;
        }
        else {
            for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
                if (strcmp(name, counts[k].name) == 0 && parse_count(value, &overrides[k]) != 0) {
                    return oroctl_fail(OROCTL_USAGE,
                                       "demo:load: %s must be a whole number from 0 to %ld, not "
                                       "\"%s\"",
                                       name, MAX_COUNT, value);
                }
            }
        }
    }
    /* NB: overrides apply after --size, whatever their order on the command line */
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
        if (overrides[k] >= 0) {
            *(long *)((char *)&options + counts[k].offset) = overrides[k];
        }
    }
    const oro_meta_t *meta = oroctl_meta(ctx);
    if (meta == NULL) {
        return OROCTL_CONFIG;
    }
    const char *error;
    if (password_file != NULL) {
        const char *password = read_password(ctx->pool, password_file);
        if (password == NULL) {
            return OROCTL_FAILED;
        }
        options.password_hash = oro_demo_hash_password(ctx->pool, password, &error);
        if (options.password_hash == NULL) {
            return oroctl_fail(OROCTL_FAILED, "demo:load: %s", error);
        }
    }
    oro_demo_plan_t *plan = oro_demo_plan(ctx->pool, meta, &options, &error);
    if (plan == NULL) {
        return oroctl_fail(OROCTL_FAILED, "demo:load: %s", error);
    }
    oro_db_t *db = oro_db_open(ctx->pool, ctx->settings.db_driver, ctx->settings.db_params, &error);
    if (db == NULL) {
        return oroctl_fail(OROCTL_UNAVAILABLE, "demo:load: %s", error);
    }
    oro_demo_stats_t stats;
    int rc =
        oro_demo_load(db, ctx->pool, plan, quiet ? NULL : print_progress, NULL, &stats, &error);
    oro_db_close(db);
    if (rc != 0) {
        return oroctl_fail(OROCTL_FAILED, "demo:load: %s", error);
    }
    double seconds = stats.seconds > 0.001 ? stats.seconds : 0.001;
    printf("demo data loaded: %ld rows in %.1f s (%.0f rows/s)\n", stats.rows, stats.seconds,
           (double)stats.rows / seconds);
    return OROCTL_OK;
}

const oroctl_command_t oroctl_demo_load_command = {
    "demo:load", "fill an empty database with deterministic demo data",
    "usage: oroctl [--config FILE] demo:load [--size small|medium|large] [--seed N]\n"
    "           [--contacts N] [--accounts N] [--opportunities N] [--products N]\n"
    "           [--orders N] [--password-file FILE] [--quiet]\n"
    "\n"
    "Writes realistic demo data into the entity tables (create them with\n"
    "oroctl schema:update first): 3 organizations with business units, users and roles,\n"
    "then accounts, contacts, opportunities, categories, products and orders with their\n"
    "line items. The same seed gives the same data. Refuses a database that already\n"
    "holds data. On PostgreSQL a failure leaves nothing behind; on MariaDB the tables\n"
    "written so far are emptied again.\n"
    "\n"
    "  --size S             small (1,000 contacts, the default), medium (100,000) or\n"
    "                       large (1,000,000); other entities scale with contacts\n"
    "  --seed N             the PRNG seed (default 1)\n"
    "  --contacts N, --accounts N, --opportunities N, --products N, --orders N\n"
    "                       override one count (default: accounts contacts/5,\n"
    "                       opportunities contacts/4, products contacts/10 up to\n"
    "                       100,000, orders contacts/2 with 1-5 line items each)\n"
    "  --password-file FILE every demo user's password is the first line of FILE\n"
    "                       (without it users have no password)\n"
    "  --quiet              print only the summary line\n"
    "\n"
    "exit codes: 0 loaded, 1 failed or the database is not empty, 2 usage,\n"
    "3 configuration, 4 database unreachable\n",
    run_demo_load};
