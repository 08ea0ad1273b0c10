/* lib/cron/cron.h — the maintenance tasks of `oroctl cron` and their claim rows (table
 * oro_cron_run). cron starts `oroctl cron` every minute on every host; each due task
 * runs once across all of them: a run claims a task by moving its next_due_at forward
 * in one UPDATE … WHERE next_due_at <= now, and the row lock lets one run win. */
#ifndef ORO_CRON_CRON_H
#define ORO_CRON_CRON_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "conf/settings.h"
#include "db/db.h"

/* A task's outcome. */
typedef enum {
    ORO_CRON_OK = 0,      /* done */
    ORO_CRON_SKIPPED = 1, /* could not apply (a table is missing): a warning */
    ORO_CRON_ALERT = 2,   /* ran and found a problem an operator must see */
    ORO_CRON_FAILED = 3   /* did not complete (a database error) */
} oro_cron_outcome_t;

typedef struct {
    oro_db_t *db;
    const oro_settings_t *settings;
    apr_pool_t *pool;
} oro_cron_context_t;

typedef struct {
    const char *name;    /* "dead-letters" */
    const char *summary; /* one line for --list and --help */
    int interval;        /* seconds between runs */
    /* Runs the task; *message (in ctx->pool) says what it did or found. */
    oro_cron_outcome_t (*run)(oro_cron_context_t *ctx, const char **message);
} oro_cron_task_t;

/* The tasks, in the order a run goes through them; *count gets how many. */
const oro_cron_task_t *oro_cron_tasks(int *count);
/* The task called name, or NULL. */
const oro_cron_task_t *oro_cron_task(const char *name);

/* "ok", "skipped", "alert", "failed". */
const char *oro_cron_outcome_name(oro_cron_outcome_t outcome);

/* The next due time after now for a task run every interval seconds: the next multiple
 * of interval (so every host computes the same grid whatever minute it ran in). */
apr_int64_t oro_cron_next_due(apr_int64_t now, int interval);

/* The database's clock in Unix seconds (one clock for every host). -1 with *error. */
apr_int64_t oro_cron_db_now(oro_db_t *db, apr_pool_t *p, const char **error);

/* Creates the claim rows of tasks that have none (due at once). 0 or -1 with *error. */
int oro_cron_ensure_rows(oro_db_t *db, apr_pool_t *p, const char **error);

/* Claims task at now (database clock) for host: 1 if this run won it (its next due
 * time moved forward), 0 if it is not due or another run claimed it first; force
 * claims it whatever its due time. -1 with *error. */
int oro_cron_claim(oro_db_t *db, apr_pool_t *p, const oro_cron_task_t *task, apr_int64_t now,
                   const char *host, int force, const char **error);

/* Records a claimed task's outcome and message. 0 or -1 with *error. */
int oro_cron_record(oro_db_t *db, apr_pool_t *p, const oro_cron_task_t *task,
                    oro_cron_outcome_t outcome, const char *message, const char **error);

/* The claim rows: task, next_due_at, last_started_at, last_finished_at, last_status,
 * last_message, last_host (an array of const char ** of 7, NULL for SQL NULL), ordered
 * by task. NULL with *error. */
apr_array_header_t *oro_cron_rows(oro_db_t *db, apr_pool_t *p, const char **error);

/* Whether table exists in the connection's schema. 1, 0, or -1 with *error. */
int oro_cron_table_exists(oro_db_t *db, apr_pool_t *p, const char *table, const char **error);

#endif
