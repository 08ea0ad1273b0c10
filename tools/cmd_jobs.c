/* tools/cmd_jobs.c — oroctl jobs:list and jobs:cancel (Oro's job runner, lib/mq/jobs.h). */
#include <apr_strings.h>
#include <stdio.h>
#include <string.h>

#include "db/db.h"
#include "mq/jobs.h"
#include "oroctl.h"

static int open_db(oroctl_context_t *ctx, oro_db_t **db)
{
    const char *error;
    *db = oro_db_open(ctx->pool, ctx->settings.db_driver, ctx->settings.db_params, &error);
    if (*db == NULL) {
        return oroctl_fail(OROCTL_UNAVAILABLE, "%s", error);
    }
    return OROCTL_OK;
}

/* The value of option argv[*i] (--name VALUE or --name=VALUE), or NULL after printing
 * why (then the caller exits OROCTL_USAGE). */
static const char *option_value(const char *command, const char *option, int argc,
                                const char *const *argv, int *i)
{
    size_t n = strlen(option);
    if (strncmp(argv[*i], option, n) == 0 && argv[*i][n] == '=') {
        return argv[*i] + n + 1;
    }
    if (*i + 1 >= argc) {
        oroctl_fail(OROCTL_USAGE, "%s: %s needs a value (see oroctl help %s)", command, option,
                    command);
        return NULL;
    }
    return argv[++*i];
}

static int is_option(const char *arg, const char *option)
{
    size_t n = strlen(option);
    return strncmp(arg, option, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

static int run_jobs_list(oroctl_context_t *ctx, int argc, const char *const *argv)
{
    int status = -1, root_only = 0, limit = 100;
    const char *name = NULL;
    for (int i = 0; i < argc; i++) {
        const char *value;
        if (strcmp(argv[i], "--root") == 0) {
            root_only = 1;
        }
        else if (is_option(argv[i], "--status")) {
            if ((value = option_value("jobs:list", "--status", argc, argv, &i)) == NULL) {
                return OROCTL_USAGE;
            }
            status = oro_job_status_parse(value);
            if (status < 0) {
                return oroctl_fail(OROCTL_USAGE,
                                   "jobs:list: unknown status \"%s\" (use new, running, success, "
                                   "failed, failed_redelivered, cancelled or stale)",
                                   value);
            }
        }
        else if (is_option(argv[i], "--name")) {
            if ((name = option_value("jobs:list", "--name", argc, argv, &i)) == NULL) {
                return OROCTL_USAGE;
            }
        }
        else if (is_option(argv[i], "--limit")) {
            if ((value = option_value("jobs:list", "--limit", argc, argv, &i)) == NULL) {
                return OROCTL_USAGE;
            }
            apr_int64_t n = oro_job_id_parse(value);
            if (n <= 0 || n > 100000) {
                return oroctl_fail(OROCTL_USAGE,
                                   "jobs:list: --limit \"%s\" is not a whole number from 1 to "
                                   "100000",
                                   value);
            }
            limit = (int)n;
        }
        else {
            return oroctl_fail(OROCTL_USAGE,
                               "jobs:list: unknown option \"%s\" (see oroctl help jobs:list)",
                               argv[i]);
        }
    }
    oro_db_t *db;
    int rc = open_db(ctx, &db);
    if (rc != OROCTL_OK) {
        return rc;
    }
    const char *error;
    apr_array_header_t *jobs = oro_job_list(db, ctx->pool, status, root_only, name, limit, &error);
    oro_db_close(db);
    if (jobs == NULL) {
        return oroctl_fail(OROCTL_FAILED, "jobs:list: %s", error);
    }
    printf("%-10s %-10s %-18s %8s  %-20s  %-20s  %s\n", "ID", "ROOT", "STATUS", "PROGRESS",
           "CREATED", "STOPPED", "NAME");
    for (int i = 0; i < jobs->nelts; i++) {
        const oro_job_t *job = APR_ARRAY_IDX(jobs, i, const oro_job_t *);
        const char *status_text = oro_job_status_name(job->status);
        if (job->interrupted && !oro_job_status_ended(job->status)) {
            status_text = apr_pstrcat(ctx->pool, status_text, "*", NULL);
        }
        printf("%-10" APR_INT64_T_FMT " %-10s %-18s %7.1f%%  %-20s  %-20s  %s\n", job->id,
               job->root_id ? apr_psprintf(ctx->pool, "%" APR_INT64_T_FMT, job->root_id) : "-",
               status_text, job->progress * 100, job->created_at ? job->created_at : "-",
               job->stopped_at ? job->stopped_at : "-", job->name);
    }
    return OROCTL_OK;
}

static int run_jobs_cancel(oroctl_context_t *ctx, int argc, const char *const *argv)
{
    if (argc != 1) {
        return oroctl_fail(OROCTL_USAGE, "jobs:cancel: needs one job id (see oroctl help "
                                         "jobs:cancel)");
    }
    apr_int64_t id = oro_job_id_parse(argv[0]);
    if (id == 0) {
        return oroctl_fail(OROCTL_USAGE, "jobs:cancel: \"%s\" is not a job id", argv[0]);
    }
    oro_db_t *db;
    int rc = open_db(ctx, &db);
    if (rc != OROCTL_OK) {
        return rc;
    }
    const char *error;
    rc = oro_job_cancel(db, &ctx->settings, ctx->pool, id, &error);
    oro_job_t *job = NULL, *root = NULL;
    const char *read_error;
    if ((rc == 0 || rc == ORO_JOB_ENDED) &&
        oro_job_get(db, ctx->pool, id, &job, &read_error) == 0) {
        oro_job_get(db, ctx->pool, job->root_id ? job->root_id : job->id, &root, &read_error);
    }
    oro_db_close(db);
    switch (rc) {
    case 0:
        if (root != NULL) {
            printf("root job %" APR_INT64_T_FMT " interrupted: %s\n", root->id,
                   oro_job_status_ended(root->status)
                       ? apr_psprintf(ctx->pool, "it has ended (%s)",
                                      oro_job_status_name(root->status))
                       : "its children not started are cancelled; it ends when the running "
                         "ones end");
        }
        return OROCTL_OK;
    case ORO_JOB_ENDED:
        return oroctl_fail(OROCTL_FAILED, "jobs:cancel: job %s has already ended%s%s%s", argv[0],
                           root ? " (" : "", root ? oro_job_status_name(root->status) : "",
                           root ? ")" : "");
    case ORO_JOB_NOT_FOUND:
        return oroctl_fail(OROCTL_FAILED, "jobs:cancel: there is no job %s", argv[0]);
    default:
        return oroctl_fail(OROCTL_FAILED, "jobs:cancel: %s", error);
    }
}

const oroctl_command_t oroctl_jobs_list_command = {
    "jobs:list", "list jobs of the job runner with status and progress",
    "usage: oroctl [--config FILE] jobs:list [--status STATUS] [--root] [--name NAME]\n"
    "                                        [--limit N]\n"
    "\n"
    "Lists jobs, newest first: id, root job id (- for a root job), status, progress,\n"
    "when created and stopped (UTC), name. A root job that was cancelled but still has\n"
    "running children shows its status with a *.\n"
    "\n"
    "  --status STATUS  only jobs in STATUS: new, running, success, failed,\n"
    "                   failed_redelivered, cancelled, stale\n"
    "  --root           only root jobs\n"
    "  --name NAME      only jobs called NAME\n"
    "  --limit N        at most N jobs (default 100)\n"
    "\n"
    "exit codes: 0 listed, 1 the query failed, 2 usage, 3 configuration, 4 database\n"
    "unreachable\n",
    run_jobs_list};

const oroctl_command_t oroctl_jobs_cancel_command = {
    "jobs:cancel", "interrupt a root job: its children not started are cancelled",
    "usage: oroctl [--config FILE] jobs:cancel ID\n"
    "\n"
    "Interrupts root job ID (for a child job id, its root): children that have not\n"
    "started are cancelled at once, running children see the interruption\n"
    "(oro_job_interrupted) and the root ends as cancelled when the last of them ends;\n"
    "with none running it ends now.\n"
    "\n"
    "exit codes: 0 cancelled, 1 no such job, the job had already ended, or the change\n"
    "failed, 2 usage, 3 configuration, 4 database unreachable\n",
    run_jobs_cancel};
