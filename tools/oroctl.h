/* tools/oroctl.h — what oroctl's command files share. */
#ifndef ORO_TOOLS_OROCTL_H
#define ORO_TOOLS_OROCTL_H

#include <apr_pools.h>

#include "conf/settings.h"
#include "meta/meta.h"

/* Exit codes, documented in `oroctl --help` and docs/oroctl.md. */
enum {
    OROCTL_OK = 0,
    OROCTL_FAILED = 1,     /* the command ran and failed (e.g. a migration failed) */
    OROCTL_USAGE = 2,      /* unknown command or option, bad argument */
    OROCTL_CONFIG = 3,     /* the configuration file is missing or invalid */
    OROCTL_UNAVAILABLE = 4 /* the database could not be reached */
};

typedef struct {
    apr_pool_t *pool;
    const char *config_path;
    oro_settings_t settings; /* loaded before the command runs */
} oroctl_context_t;

typedef struct {
    const char *name;
    const char *summary;
    const char *usage; /* the full help text of the command */
    int (*run)(oroctl_context_t *ctx, int argc, const char *const *argv);
} oroctl_command_t;

extern const oroctl_command_t oroctl_schema_update_command;
extern const oroctl_command_t oroctl_schema_status_command;
extern const oroctl_command_t oroctl_config_check_command;
extern const oroctl_command_t oroctl_demo_load_command;
extern const oroctl_command_t oroctl_mq_send_command;
extern const oroctl_command_t oroctl_mq_stats_command;
extern const oroctl_command_t oroctl_mq_dead_command;
extern const oroctl_command_t oroctl_search_reindex_command;
extern const oroctl_command_t oroctl_jobs_list_command;
extern const oroctl_command_t oroctl_jobs_cancel_command;
extern const oroctl_command_t oroctl_cron_command;

/* The entity metadata of OroEntityConfig (loaded with the settings); NULL after
 * printing an error when the configuration has no OroEntityConfig. */
const oro_meta_t *oroctl_meta(oroctl_context_t *ctx);

/* Prints "oroctl: message" to stderr; returns code so callers can `return oroctl_fail(...)`. */
int oroctl_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
