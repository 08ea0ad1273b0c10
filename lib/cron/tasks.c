/* lib/cron/tasks.c — the maintenance tasks `oroctl cron` runs; see cron.h. Deletions go
 * in batches of BATCH rows, each its own statement, so no task holds many row locks or
 * one long transaction on a busy table. */
#include "cron/cron.h"

#include <apr_strings.h>

#include "mq/heartbeat.h"
#include "mq/jobs.h"
#include "util/log.h"

#define BATCH 1000

/* Deletes every row of table matching cond (SQL from this file, no input), BATCH at a
 * time. Returns the count, or -1 with *error. */
static long delete_batches(oro_cron_context_t *ctx, const char *table, const char *cond,
                           const char **error)
{
    oro_db_t *db = ctx->db;
    const char *sql =
        db->dialect == ORO_DIALECT_MYSQL
            ? apr_psprintf(ctx->pool, "DELETE FROM %s WHERE %s LIMIT %d", table, cond, BATCH)
            : apr_psprintf(ctx->pool,
                           "DELETE FROM %s WHERE ctid IN (SELECT ctid FROM %s WHERE %s LIMIT %d)",
                           table, table, cond, BATCH);
    long total = 0;
    for (;;) {
        int nrows = 0;
        if (oro_db_exec(db, ctx->pool, error, &nrows, sql, NULL) != 0) {
            *error = apr_psprintf(ctx->pool, "could not delete from %s: %s", table, *error);
            return -1;
        }
        total += nrows;
        if (nrows < BATCH) {
            return total;
        }
    }
}

/* "column < now - n unit" by the database's clock; unit "day" or "second". */
static const char *older_than(oro_cron_context_t *ctx, const char *column, int n, const char *unit)
{
    if (ctx->db->dialect == ORO_DIALECT_MYSQL) {
        return apr_psprintf(ctx->pool, "%s < UTC_TIMESTAMP(6) - INTERVAL %d %s", column, n,
                            unit[0] == 'd' ? "DAY" : "SECOND");
    }
    return apr_psprintf(ctx->pool, "%s < now() - interval '%d %ss'", column, n, unit);
}

static const char *expired(oro_cron_context_t *ctx, const char *column)
{
    return apr_pstrcat(ctx->pool, column, " < ",
                       ctx->db->dialect == ORO_DIALECT_MYSQL ? "UTC_TIMESTAMP(6)" : "now()", NULL);
}

/* Deletes the rows of table matching cond, or skips with a warning when the table does
 * not exist yet (its migrations belong to a part not installed). */
static oro_cron_outcome_t delete_task(oro_cron_context_t *ctx, const char *table, const char *cond,
                                      const char *what, const char *owner, const char **message)
{
    const char *error = NULL;
    int exists = oro_cron_table_exists(ctx->db, ctx->pool, table, &error);
    if (exists < 0) {
        *message = error;
        return ORO_CRON_FAILED;
    }
    if (!exists) {
        *message = apr_psprintf(ctx->pool,
                                "table %s does not exist (the %s migrations are not applied); "
                                "nothing deleted",
                                table, owner);
        return ORO_CRON_SKIPPED;
    }
    long n = delete_batches(ctx, table, cond, &error);
    if (n < 0) {
        *message = error;
        return ORO_CRON_FAILED;
    }
    *message = apr_psprintf(ctx->pool, "deleted %ld %s", n, what);
    return ORO_CRON_OK;
}

static oro_cron_outcome_t run_dead_letters(oro_cron_context_t *ctx, const char **message)
{
    int days = ctx->settings->dead_letter_max_age;
    return delete_task(ctx, "oro_message_dead", older_than(ctx, "failed_at", days, "day"),
                       apr_psprintf(ctx->pool, "dead letter(s) older than %d days", days),
                       "message queue", message);
}

/* Successful root jobs after 14 days, failed, cancelled and stale ones after 30 (Oro's
 * oro:cron:message-queue:cleanup); children go with their root (ON DELETE CASCADE). */
static oro_cron_outcome_t run_jobs_cleanup(oro_cron_context_t *ctx, const char **message)
{
    const char *error = NULL;
    long ok =
        delete_batches(ctx, "oro_job",
                       apr_pstrcat(ctx->pool, "root_job_id IS NULL AND status = 'success' AND ",
                                   older_than(ctx, "stopped_at", 14, "day"), NULL),
                       &error);
    long failed = ok < 0
                      ? -1
                      : delete_batches(ctx, "oro_job",
                                       apr_pstrcat(ctx->pool,
                                                   "root_job_id IS NULL AND status IN ('failed', "
                                                   "'cancelled', 'stale') AND ",
                                                   older_than(ctx, "stopped_at", 30, "day"), NULL),
                                       &error);
    if (failed < 0) {
        *message = error;
        return ORO_CRON_FAILED;
    }
    *message = apr_psprintf(ctx->pool,
                            "deleted %ld successful job(s) older than 14 days and %ld failed, "
                            "cancelled or stale job(s) older than 30 days",
                            ok, failed);
    return ORO_CRON_OK;
}

static oro_cron_outcome_t run_sessions(oro_cron_context_t *ctx, const char **message)
{
    return delete_task(ctx, "oro_session", expired(ctx, "expires_at"), "expired session(s)",
                       "authentication", message);
}

static oro_cron_outcome_t run_tokens(oro_cron_context_t *ctx, const char **message)
{
    return delete_task(ctx, "oro_oauth_token", expired(ctx, "expires_at"), "expired OAuth token(s)",
                       "authentication", message);
}

static oro_cron_outcome_t run_stale_jobs(oro_cron_context_t *ctx, const char **message)
{
    const char *error = NULL;
    int count = 0;
    if (oro_job_mark_stale(ctx->db, ctx->settings, ctx->pool, &count, &error) != 0) {
        *message = error;
        return ORO_CRON_FAILED;
    }
    *message = apr_psprintf(ctx->pool, "marked %d job(s) stale (silent over %d seconds)", count,
                            ctx->settings->job_stale_timeout);
    return ORO_CRON_OK;
}

static oro_cron_outcome_t run_consumers(oro_cron_context_t *ctx, const char **message)
{
    const char *error = NULL;
    const char *alive = oro_db_scalar(
        ctx->db, ctx->pool, &error,
        oro_heartbeat_alive_count_sql(ctx->pool, ctx->db->dialect, ctx->settings->consumer_timeout),
        NULL);
    if (alive == NULL) {
        *message =
            apr_psprintf(ctx->pool, "could not count live consumers: %s", error ? error : "no row");
        return ORO_CRON_FAILED;
    }
    if (apr_atoi64(alive) == 0) {
        *message = apr_psprintf(ctx->pool,
                                "no message queue consumer is alive (no heartbeat within %d "
                                "seconds): background work waits until oro-consumer runs",
                                ctx->settings->consumer_timeout);
        return ORO_CRON_ALERT;
    }
    *message = apr_psprintf(ctx->pool, "%s consumer worker(s) alive", alive);
    return ORO_CRON_OK;
}

static const oro_cron_task_t tasks[] = {
    {"consumers", "alert when no oro-consumer worker has a recent heartbeat", 60, run_consumers},
    {"stale-jobs", "mark stale the jobs silent longer than OroJobStaleTimeout", 60, run_stale_jobs},
    {"sessions", "delete expired sessions (oro_session)", 300, run_sessions},
    {"oauth-tokens", "delete expired OAuth tokens (oro_oauth_token)", 300, run_tokens},
    {"dead-letters", "delete dead letters older than OroDeadLetterMaxAge days", 3600,
     run_dead_letters},
    {"jobs-cleanup", "delete successful jobs after 14 days, failed ones after 30", 3600,
     run_jobs_cleanup},
};

const oro_cron_task_t *oro_cron_tasks(int *count)
{
    *count = (int)(sizeof(tasks) / sizeof(tasks[0]));
    return tasks;
}
