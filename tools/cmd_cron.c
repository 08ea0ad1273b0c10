/* tools/cmd_cron.c — oroctl cron: the maintenance tasks of lib/cron, run from
 * conf.d/oro.cron every minute on every host; each due task runs once across them. */
#include <apr_network_io.h>
#include <apr_strings.h>
#include <apr_time.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cron/cron.h"
#include "db/db.h"
#include "oroctl.h"
#include "util/log.h"

static const char *epoch_text(apr_pool_t *p, const char *seconds)
{
    if (seconds == NULL) {
        return "-";
    }
    apr_int64_t s = apr_atoi64(seconds);
    if (s <= 0) {
        return "now";
    }
    apr_time_exp_t t;
    apr_time_exp_gmt(&t, apr_time_from_sec(s));
    return apr_psprintf(p, "%04d-%02d-%02dT%02d:%02d:%02dZ", t.tm_year + 1900, t.tm_mon + 1,
                        t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec);
}

static int list_tasks(oroctl_context_t *ctx, oro_db_t *db)
{
    const char *error;
    apr_array_header_t *rows = oro_cron_rows(db, ctx->pool, &error);
    if (rows == NULL) {
        return oroctl_fail(OROCTL_FAILED, "cron: %s", error);
    }
    printf("%-13s %6s  %-20s  %-8s  %-20s  %-16s %s\n", "TASK", "EVERY", "LAST RUN", "STATUS",
           "NEXT DUE", "HOST", "MESSAGE");
    for (int i = 0; i < rows->nelts; i++) {
        const char *const *v = APR_ARRAY_IDX(rows, i, const char *const *);
        const oro_cron_task_t *task = oro_cron_task(v[0]);
        if (task == NULL) {
            continue; /* a task of another version */
        }
        printf("%-13s %5ds  %-20s  %-8s  %-20s  %-16s %s\n", v[0], task->interval,
               epoch_text(ctx->pool, v[2]), v[4] ? v[4] : "-", epoch_text(ctx->pool, v[1]),
               v[6] ? v[6] : "-", v[5] ? v[5] : "");
    }
    return OROCTL_OK;
}

/* Runs the due tasks (or the forced one). Returns the exit code: OROCTL_FAILED when a
 * task failed or raised an alert. */
static int run_tasks(oroctl_context_t *ctx, oro_db_t *db, const oro_cron_task_t *forced)
{
    const char *error;
    char host[256];
    if (apr_gethostname(host, sizeof host, ctx->pool) != APR_SUCCESS) {
        strcpy(host, "unknown");
    }
    const char *host_id = apr_psprintf(ctx->pool, "%s:%d", host, (int)getpid());
    apr_int64_t now = oro_cron_db_now(db, ctx->pool, &error);
    if (now < 0) {
        return oroctl_fail(OROCTL_FAILED, "cron: %s", error);
    }
    int n, rc = OROCTL_OK;
    const oro_cron_task_t *tasks = oro_cron_tasks(&n);
    for (int i = 0; i < n; i++) {
        const oro_cron_task_t *task = &tasks[i];
        if (forced != NULL && task != forced) {
            continue;
        }
        int claimed = oro_cron_claim(db, ctx->pool, task, now, host_id, forced != NULL, &error);
        if (claimed < 0) {
            ORO_ERROR("cron task %s: %s", task->name, error);
            rc = OROCTL_FAILED;
            continue;
        }
        if (!claimed) {
            ORO_DEBUG("cron task %s: not due, or claimed by another run", task->name);
            continue;
        }
        apr_pool_t *task_pool;
        apr_pool_create(&task_pool, ctx->pool);
        oro_cron_context_t tctx = {db, &ctx->settings, task_pool};
        const char *message = NULL;
        oro_cron_outcome_t outcome = task->run(&tctx, &message);
        switch (outcome) {
        case ORO_CRON_OK:
            ORO_INFO("cron task %s: %s", task->name, message);
            break;
        case ORO_CRON_SKIPPED:
            ORO_WARN("cron task %s skipped: %s", task->name, message);
            break;
        case ORO_CRON_ALERT:
            ORO_ERROR("cron task %s: ALERT: %s", task->name, message);
            rc = OROCTL_FAILED;
            break;
        default:
            ORO_ERROR("cron task %s failed: %s", task->name, message);
            rc = OROCTL_FAILED;
            break;
        }
        if (oro_cron_record(db, ctx->pool, task, outcome, message, &error) != 0) {
            ORO_ERROR("cron task %s: %s", task->name, error);
            rc = OROCTL_FAILED;
        }
        apr_pool_destroy(task_pool);
    }
    return rc;
}

static int run_cron(oroctl_context_t *ctx, int argc, const char *const *argv)
{
    int list = 0, verbose = 0;
    const oro_cron_task_t *forced = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--list") == 0) {
            list = 1;
        }
        else if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0) {
            verbose = 1;
        }
        else if (strcmp(argv[i], "--force") == 0 || strncmp(argv[i], "--force=", 8) == 0) {
            const char *name = argv[i][7] == '=' ? argv[i] + 8 : NULL;
            if (name == NULL) {
                if (i + 1 >= argc) {
                    return oroctl_fail(OROCTL_USAGE,
                                       "cron: --force needs a task name (see oroctl help cron)");
                }
                name = argv[++i];
            }
            forced = oro_cron_task(name);
            if (forced == NULL) {
                return oroctl_fail(OROCTL_USAGE,
                                   "cron: unknown task \"%s\" (see oroctl cron --list)", name);
            }
        }
        else {
            return oroctl_fail(OROCTL_USAGE, "cron: unknown option \"%s\" (see oroctl help cron)",
                               argv[i]);
        }
    }
    if (list && forced != NULL) {
        return oroctl_fail(OROCTL_USAGE, "cron: --list and --force exclude each other");
    }
    /* quiet under cron (which mails any output) unless something needs a look */
    oro_log_set_level(verbose || forced ? ORO_LOG_LEVEL_INFO : ORO_LOG_LEVEL_WARN);
    const char *error;
    oro_db_t *db = oro_db_open(ctx->pool, ctx->settings.db_driver, ctx->settings.db_params, &error);
    if (db == NULL) {
        return oroctl_fail(OROCTL_UNAVAILABLE, "%s", error);
    }
    int rc;
    if (oro_cron_ensure_rows(db, ctx->pool, &error) != 0) {
        rc = oroctl_fail(OROCTL_FAILED, "cron: %s (is the schema up to date? oroctl schema:update)",
                         error);
    }
    else {
        rc = list ? list_tasks(ctx, db) : run_tasks(ctx, db, forced);
    }
    oro_db_close(db);
    return rc;
}

const oroctl_command_t oroctl_cron_command = {
    "cron", "run the due maintenance tasks (every minute, from conf.d/oro.cron)",
    "usage: oroctl [--config FILE] cron [--verbose] [--list | --force TASK]\n"
    "\n"
    "Runs each maintenance task that is due, once across every host running it at the\n"
    "same time (a claim row per task in oro_cron_run). Meant to run every minute from\n"
    "conf.d/oro.cron. Quiet unless a task warns, fails or raises an alert.\n"
    "\n"
    "tasks (interval):\n"
    "  consumers     (1 min)  alert (error log line, exit 1) when no oro-consumer worker\n"
    "                         has a heartbeat within OroConsumerTimeout\n"
    "  stale-jobs    (1 min)  mark stale the jobs silent over OroJobStaleTimeout\n"
    "  sessions      (5 min)  delete expired sessions (oro_session)\n"
    "  oauth-tokens  (5 min)  delete expired OAuth tokens (oro_oauth_token)\n"
    "  dead-letters  (1 h)    delete dead letters older than OroDeadLetterMaxAge days\n"
    "  jobs-cleanup  (1 h)    delete successful jobs after 14 days, failed, cancelled\n"
    "                         and stale ones after 30\n"
    "A task whose table does not exist is skipped with a warning; the others run.\n"
    "\n"
    "  --list        show each task's last run, status, message and next due time\n"
    "  --force TASK  run TASK now, due or not\n"
    "  --verbose     log what each task did\n"
    "\n"
    "exit codes: 0 done (or nothing due), 1 a task failed or raised an alert, 2 usage,\n"
    "3 configuration, 4 database unreachable\n",
    run_cron};
