/* consumer/args.c — oro-consumer's command line; see args.h. */
#include "args.h"

#include <apr_getopt.h>
#include <apr_strings.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

/* Option characters above 255 have no short form. */
#define OPT_LOG_LEVEL 256
#define OPT_MESSAGE_LIMIT 257
#define OPT_TIME_LIMIT 258
#define OPT_MEMORY_LIMIT 259

/* One option per line, aligned. The description field is unused: the usage text is
 * written by hand below. */
/* clang-format off */
static const apr_getopt_option_t options[] = {
    {"config",     'c',           1, NULL},
    {"foreground", 'f',           0, NULL},
    {"workers",    'w',           1, NULL},
    {"pidfile",    'p',           1, NULL},
    {"log",        'l',           1, NULL},
    {"log-level",  OPT_LOG_LEVEL, 1, NULL},
    {"message-limit", OPT_MESSAGE_LIMIT, 1, NULL},
    {"time-limit",    OPT_TIME_LIMIT,    1, NULL},
    {"memory-limit",  OPT_MEMORY_LIMIT,  1, NULL},
    {"help",       'h',           0, NULL},
    {"version",    'V',           0, NULL},
    {NULL,         0,             0, NULL},
};
/* clang-format on */

/* apr_getopt reports unknown options and missing values through errfn; this one keeps
 * the message so that main prints it in our format instead of apr's. */
typedef struct {
    char message[256];
} getopt_error_t;

static void keep_getopt_error(void *arg, const char *fmt, ...)
{
    getopt_error_t *e = arg;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    e->message[strcspn(e->message, "\n")] = '\0';
}

static int parse_workers(const char *value)
{
    char *end;
    errno = 0;
    long n = strtol(value, &end, 10);
    if (errno != 0 || end == value || *end != '\0' || n < 1 || n > ORO_CONSUMER_MAX_WORKERS) {
        return -1;
    }
    return (int)n;
}

/* A limit: a whole number from 1 to max, else -1. */
static long parse_limit(const char *value, long max)
{
    char *end;
    errno = 0;
    long n = strtol(value, &end, 10);
    if (errno != 0 || end == value || *end != '\0' || n < 1 || n > max) {
        return -1;
    }
    return n;
}

oro_consumer_args_result_t oro_consumer_args_parse(apr_pool_t *p, int argc, const char *const *argv,
                                                   oro_consumer_args_t *args, const char **error)
{
    memset(args, 0, sizeof *args);
    args->log_level = -1;
    const char *env_config = getenv("ORO_CONFIG");
    args->config_path = env_config != NULL && env_config[0] != '\0' ? apr_pstrdup(p, env_config)
                                                                    : ORO_CONSUMER_DEFAULT_CONFIG;
    *error = NULL;

    apr_getopt_t *opt;
    getopt_error_t getopt_error = {{0}};
    apr_getopt_init(&opt, p, argc, argv);
    opt->errfn = keep_getopt_error;
    opt->errarg = &getopt_error;

    int ch;
    const char *value;
    apr_status_t rv;
    while ((rv = apr_getopt_long(opt, options, &ch, &value)) == APR_SUCCESS) {
        switch (ch) {
        case 'c':
            if (value[0] == '\0') {
                *error = "--config: the path is empty";
                return ORO_CONSUMER_ARGS_INVALID;
            }
            args->config_path = apr_pstrdup(p, value);
            break;
        case 'f':
            args->foreground = 1;
            break;
        case 'w':
            args->workers = parse_workers(value);
            if (args->workers < 0) {
                *error = apr_psprintf(p, "--workers: \"%s\" is not a whole number from 1 to %d",
                                      value, ORO_CONSUMER_MAX_WORKERS);
                return ORO_CONSUMER_ARGS_INVALID;
            }
            break;
        case 'p':
            if (value[0] == '\0') {
                *error = "--pidfile: the path is empty";
                return ORO_CONSUMER_ARGS_INVALID;
            }
            args->pidfile = apr_pstrdup(p, value);
            break;
        case 'l':
            if (value[0] == '\0') {
                *error = "--log: the path is empty";
                return ORO_CONSUMER_ARGS_INVALID;
            }
            args->log_path = apr_pstrdup(p, value);
            break;
        case OPT_LOG_LEVEL:
            args->log_level = oro_log_level_parse(value);
            if (args->log_level < 0) {
                *error = apr_psprintf(p,
                                      "--log-level: unknown level \"%s\" (use error, warn, info "
                                      "or debug)",
                                      value);
                return ORO_CONSUMER_ARGS_INVALID;
            }
            break;
        case OPT_MESSAGE_LIMIT:
        case OPT_TIME_LIMIT:
        case OPT_MEMORY_LIMIT: {
            const char *name = ch == OPT_MESSAGE_LIMIT ? "--message-limit"
                               : ch == OPT_TIME_LIMIT  ? "--time-limit"
                                                       : "--memory-limit";
            long n = parse_limit(value, 1000000000L);
            if (n < 0) {
                *error = apr_psprintf(p, "%s: \"%s\" is not a whole number from 1 to 1000000000",
                                      name, value);
                return ORO_CONSUMER_ARGS_INVALID;
            }
            if (ch == OPT_MESSAGE_LIMIT) {
                args->message_limit = n;
            }
            else if (ch == OPT_TIME_LIMIT) {
                args->time_limit_s = n;
            }
            else {
                args->memory_limit_mb = n;
            }
            break;
        }
        case 'h':
            return ORO_CONSUMER_ARGS_HELP;
        case 'V':
            return ORO_CONSUMER_ARGS_VERSION;
        }
    }
    if (rv != APR_EOF) {
        /* apr's text is "PROGRAM: invalid option: --x"; drop its program name, which
         * main prints again. */
        const char *msg = getopt_error.message;
        const char *colon = strstr(msg, ": ");
        *error = apr_pstrdup(p, colon != NULL ? colon + 2 : msg[0] ? msg : "invalid option");
        return ORO_CONSUMER_ARGS_INVALID;
    }
    if (opt->ind < argc) {
        *error = apr_psprintf(p, "unexpected argument \"%s\"", argv[opt->ind]);
        return ORO_CONSUMER_ARGS_INVALID;
    }
    return ORO_CONSUMER_ARGS_RUN;
}

void oro_consumer_args_usage(FILE *out)
{
    fprintf(out,
            "usage: oro-consumer [options]\n"
            "\n"
            "Runs the Oro message queue consumer: a supervisor and its worker processes.\n"
            "\n"
            "  -c, --config FILE      the Apache configuration file to read (default: "
            "$ORO_CONFIG,\n"
            "                         else " ORO_CONSUMER_DEFAULT_CONFIG ")\n"
            "  -f, --foreground       do not detach from the terminal\n"
            "  -w, --workers N        number of worker processes, 1 to %d (overrides\n"
            "                         OroConsumerWorkers)\n"
            "  -p, --pidfile FILE     write the supervisor's pid to FILE (overrides\n"
            "                         OroConsumerPidFile)\n"
            "  -l, --log FILE         append log lines to FILE (overrides OroConsumerLog;\n"
            "                         default: standard error)\n"
            "      --log-level LEVEL  error, warn, info (default) or debug\n"
            "      --message-limit N  a worker exits after handling N messages (the\n"
            "                         supervisor starts a fresh one)\n"
            "      --time-limit S     a worker exits after running S seconds\n"
            "      --memory-limit MB  a worker exits once its resident memory exceeds MB\n"
            "  -h, --help             show this help and exit\n"
            "  -V, --version          show the version and exit\n"
            "\n"
            "Signals: TERM or INT stops gracefully, HUP re-reads the configuration and\n"
            "replaces the workers.\n",
            ORO_CONSUMER_MAX_WORKERS);
}

void oro_consumer_args_apply(const oro_consumer_args_t *args, oro_settings_t *settings)
{
    if (args->workers > 0) {
        settings->consumer_workers = args->workers;
    }
    if (args->pidfile != NULL) {
        settings->consumer_pidfile = args->pidfile;
    }
    if (args->log_path != NULL) {
        settings->consumer_log = args->log_path;
    }
}
