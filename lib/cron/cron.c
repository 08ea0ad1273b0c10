/* lib/cron/cron.c — claim rows of `oroctl cron`; see cron.h. The tasks are in tasks.c. */
#include "cron/cron.h"

#include <apr_strings.h>
#include <string.h>

#include "db/rows.h"

const char *oro_cron_outcome_name(oro_cron_outcome_t outcome)
{
    switch (outcome) {
    case ORO_CRON_OK:
        return "ok";
    case ORO_CRON_SKIPPED:
        return "skipped";
    case ORO_CRON_ALERT:
        return "alert";
    default:
        return "failed";
    }
}

apr_int64_t oro_cron_next_due(apr_int64_t now, int interval)
{
    if (interval <= 0) {
        interval = 60;
    }
    if (now < 0) {
        now = 0;
    }
    return (now / interval + 1) * interval;
}

const oro_cron_task_t *oro_cron_task(const char *name)
{
    int n;
    const oro_cron_task_t *tasks = oro_cron_tasks(&n);
    for (int i = 0; name != NULL && i < n; i++) {
        if (strcmp(tasks[i].name, name) == 0) {
            return &tasks[i];
        }
    }
    return NULL;
}

apr_int64_t oro_cron_db_now(oro_db_t *db, apr_pool_t *p, const char **error)
{
    const char *now = oro_db_scalar(db, p, error,
                                    db->dialect == ORO_DIALECT_MYSQL
                                        ? "SELECT UNIX_TIMESTAMP()"
                                        : "SELECT CAST(EXTRACT(EPOCH FROM now()) AS bigint)",
                                    NULL);
    if (now == NULL) {
        *error =
            apr_psprintf(p, "could not read the database's clock: %s", *error ? *error : "no row");
        return -1;
    }
    return apr_atoi64(now);
}

int oro_cron_ensure_rows(oro_db_t *db, apr_pool_t *p, const char **error)
{
    int n;
    const oro_cron_task_t *tasks = oro_cron_tasks(&n);
    for (int i = 0; i < n; i++) {
        const char *sql = db->dialect == ORO_DIALECT_MYSQL
                              ? "INSERT IGNORE INTO oro_cron_run (task, next_due_at) VALUES (%s, 0)"
                              : "INSERT INTO oro_cron_run (task, next_due_at) VALUES (%s, 0) "
                                "ON CONFLICT (task) DO NOTHING";
        if (oro_db_exec(db, p, error, NULL, sql, tasks[i].name, NULL) != 0) {
            *error = apr_psprintf(p, "could not create the cron row of task \"%s\": %s",
                                  tasks[i].name, *error);
            return -1;
        }
    }
    return 0;
}

int oro_cron_claim(oro_db_t *db, apr_pool_t *p, const oro_cron_task_t *task, apr_int64_t now,
                   const char *host, int force, const char **error)
{
    const char *now_text = apr_psprintf(p, "%" APR_INT64_T_FMT, now);
    const char *next = apr_psprintf(p, "%" APR_INT64_T_FMT, oro_cron_next_due(now, task->interval));
    int nrows = 0;
    /* NB: one UPDATE: the row lock orders concurrent runs, and the loser re-reads the
     * row (PostgreSQL re-checks the WHERE on the new version, InnoDB updates the latest
     * committed one) and finds it no longer due */
    int rc = force ? oro_db_exec(db, p, error, &nrows,
                                 "UPDATE oro_cron_run SET next_due_at = %s, last_started_at = %s, "
                                 "last_host = %s, last_status = 'running', last_message = NULL "
                                 "WHERE task = %s",
                                 next, now_text, host, task->name, NULL)
                   : oro_db_exec(db, p, error, &nrows,
                                 "UPDATE oro_cron_run SET next_due_at = %s, last_started_at = %s, "
                                 "last_host = %s, last_status = 'running', last_message = NULL "
                                 "WHERE task = %s AND next_due_at <= %s",
                                 next, now_text, host, task->name, now_text, NULL);
    if (rc != 0) {
        *error = apr_psprintf(p, "could not claim cron task \"%s\": %s", task->name, *error);
        return -1;
    }
    return nrows > 0;
}

int oro_cron_record(oro_db_t *db, apr_pool_t *p, const oro_cron_task_t *task,
                    oro_cron_outcome_t outcome, const char *message, const char **error)
{
    const char *now = db->dialect == ORO_DIALECT_MYSQL
                          ? "UNIX_TIMESTAMP()"
                          : "CAST(EXTRACT(EPOCH FROM now()) AS bigint)";
    const char *sql = apr_pstrcat(p, "UPDATE oro_cron_run SET last_finished_at = ", now,
                                  ", last_status = %s, last_message = %s WHERE task = %s", NULL);
    if (oro_db_exec(db, p, error, NULL, sql, oro_cron_outcome_name(outcome), message ? message : "",
                    task->name, NULL) != 0) {
        *error = apr_psprintf(p, "could not record the outcome of cron task \"%s\": %s", task->name,
                              *error);
        return -1;
    }
    return 0;
}

apr_array_header_t *oro_cron_rows(oro_db_t *db, apr_pool_t *p, const char **error)
{
    apr_array_header_t *rows =
        oro_db_rows(db, p,
                    "SELECT task, next_due_at, last_started_at, last_finished_at, last_status, "
                    "last_message, last_host FROM oro_cron_run ORDER BY task",
                    NULL, 7, error);
    if (rows == NULL) {
        *error = apr_psprintf(p, "could not read the cron tasks: %s", *error);
    }
    return rows;
}

int oro_cron_table_exists(oro_db_t *db, apr_pool_t *p, const char *table, const char **error)
{
    const char *sql = db->dialect == ORO_DIALECT_MYSQL
                          ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                            "DATABASE() AND table_name = %s"
                          : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                            "current_schema() AND table_name = %s";
    const char *count = oro_db_scalar(db, p, error, sql, table, NULL);
    if (count == NULL) {
        *error = apr_psprintf(p, "could not check for table \"%s\": %s", table,
                              *error ? *error : "no row");
        return -1;
    }
    return apr_atoi64(count) > 0;
}
