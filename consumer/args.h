/* consumer/args.h — oro-consumer's command line, and how it overrides the
 * configuration file (command-line options win, at startup and on every reload). */
#ifndef ORO_CONSUMER_ARGS_H
#define ORO_CONSUMER_ARGS_H

#include <apr_pools.h>
#include <stdio.h>
#include "conf/settings.h"

#define ORO_CONSUMER_DEFAULT_CONFIG "/etc/apache2/apache2.conf"
#define ORO_CONSUMER_MAX_WORKERS 256

typedef struct {
    const char *config_path; /* --config, else $ORO_CONFIG, else the default */
    int foreground;          /* --foreground */
    int workers;             /* --workers, 0 when not given */
    const char *pidfile;     /* --pidfile, NULL when not given */
    const char *log_path;    /* --log, NULL when not given */
    int log_level;           /* --log-level (oro_log_level_t), -1 when not given */
    long message_limit;      /* --message-limit: a worker exits after N messages; 0: none */
    long time_limit_s;       /* --time-limit: a worker exits after N seconds; 0: none */
    long memory_limit_mb;    /* --memory-limit: a worker exits above N MB; 0: none */
} oro_consumer_args_t;

typedef enum {
    ORO_CONSUMER_ARGS_RUN = 0, /* start the daemon */
    ORO_CONSUMER_ARGS_HELP,    /* --help: print the usage, exit 0 */
    ORO_CONSUMER_ARGS_VERSION, /* --version: print the version, exit 0 */
    ORO_CONSUMER_ARGS_INVALID  /* *error says which option and value, exit 2 */
} oro_consumer_args_result_t;

/* Parses argv into args (everything allocated in p). Returns what to do; for
 * ORO_CONSUMER_ARGS_INVALID, *error is a one-line message naming the option and the
 * value, without the program name. Prints nothing. */
oro_consumer_args_result_t oro_consumer_args_parse(apr_pool_t *p, int argc, const char *const *argv,
                                                   oro_consumer_args_t *args, const char **error);

/* Writes the --help text to out. */
void oro_consumer_args_usage(FILE *out);

/* Replaces the settings that the command line overrides (workers, pid file, log). */
void oro_consumer_args_apply(const oro_consumer_args_t *args, oro_settings_t *settings);

#endif
