/* lib/mq/jobs_status.c — the job runner's pure logic: statuses, transitions, a root's
 * status from its children's, and reading job rows (shared with mod_oro, which must not
 * pull in the runner and its queue calls). See jobs.h. */
#include "mq/jobs.h"

#include <apr_strings.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[ORO_JOB_STATUS_COUNT] = {
    "new", "running", "success", "failed", "failed_redelivered", "cancelled", "stale"};

const char *oro_job_status_name(oro_job_status_t status)
{
    return (int)status >= 0 && status < ORO_JOB_STATUS_COUNT ? status_names[status] : NULL;
}

int oro_job_status_parse(const char *name)
{
    for (int i = 0; name != NULL && i < ORO_JOB_STATUS_COUNT; i++) {
        if (strcmp(name, status_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

int oro_job_status_ended(oro_job_status_t status)
{
    return status == ORO_JOB_STATUS_SUCCESS || status == ORO_JOB_STATUS_FAILED ||
           status == ORO_JOB_STATUS_CANCELLED || status == ORO_JOB_STATUS_STALE;
}

int oro_job_transition_allowed(oro_job_status_t from, oro_job_status_t to)
{
    switch (from) {
    case ORO_JOB_STATUS_NEW:
        return to == ORO_JOB_STATUS_RUNNING || to == ORO_JOB_STATUS_CANCELLED ||
               to == ORO_JOB_STATUS_STALE;
    case ORO_JOB_STATUS_RUNNING:
        return to == ORO_JOB_STATUS_SUCCESS || to == ORO_JOB_STATUS_FAILED ||
               to == ORO_JOB_STATUS_FAILED_REDELIVERED || to == ORO_JOB_STATUS_CANCELLED ||
               to == ORO_JOB_STATUS_STALE;
    case ORO_JOB_STATUS_FAILED_REDELIVERED:
        return to == ORO_JOB_STATUS_RUNNING || to == ORO_JOB_STATUS_FAILED ||
               to == ORO_JOB_STATUS_CANCELLED || to == ORO_JOB_STATUS_STALE;
    default:
        return 0;
    }
}

oro_job_status_t oro_job_root_status(const int counts[ORO_JOB_STATUS_COUNT])
{
    int total = 0;
    for (int i = 0; i < ORO_JOB_STATUS_COUNT; i++) {
        total += counts[i];
    }
    if (total == 0) {
        return ORO_JOB_STATUS_NEW;
    }
    int active = counts[ORO_JOB_STATUS_NEW] + counts[ORO_JOB_STATUS_RUNNING] +
                 counts[ORO_JOB_STATUS_FAILED_REDELIVERED];
    if (active > 0) {
        return active == counts[ORO_JOB_STATUS_NEW] && active == total ? ORO_JOB_STATUS_NEW
                                                                       : ORO_JOB_STATUS_RUNNING;
    }
    if (counts[ORO_JOB_STATUS_CANCELLED] > 0) {
        return ORO_JOB_STATUS_CANCELLED;
    }
    if (counts[ORO_JOB_STATUS_FAILED] > 0 || counts[ORO_JOB_STATUS_STALE] > 0) {
        return ORO_JOB_STATUS_FAILED;
    }
    return ORO_JOB_STATUS_SUCCESS;
}

apr_int64_t oro_job_id_parse(const char *text)
{
    if (text == NULL || *text < '1' || *text > '9' || strlen(text) > 18) {
        return 0;
    }
    for (const char *c = text; *c; c++) {
        if (*c < '0' || *c > '9') {
            return 0;
        }
    }
    return apr_atoi64(text);
}

/* A timestamp column as "YYYY-MM-DD HH:MM:SS" UTC text (made ISO 8601 in C). */
static const char *time_text(apr_pool_t *p, oro_dialect_t dialect, const char *column)
{
    if (dialect == ORO_DIALECT_MYSQL) {
        return apr_psprintf(p, "CAST(%s AS datetime)", column);
    }
    return apr_psprintf(p, "to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')", column);
}

static const char *iso_time(apr_pool_t *p, const char *text)
{
    if (text == NULL || strlen(text) < 19) {
        return NULL;
    }
    char *iso = apr_pstrndup(p, text, 19);
    iso[10] = 'T';
    return apr_pstrcat(p, iso, "Z", NULL);
}

const char *oro_job_columns_sql(apr_pool_t *p, oro_dialect_t dialect)
{
    return apr_pstrcat(
        p, "SELECT id, root_job_id, name, status, interrupted, is_unique, progress, ",
        time_text(p, dialect, "created_at"), ", ", time_text(p, dialect, "started_at"), ", ",
        time_text(p, dialect, "stopped_at"), ", ", time_text(p, dialect, "last_active_at"),
        " FROM oro_job", NULL);
}

oro_job_t *oro_job_from_row(apr_pool_t *p, const char *const *v)
{
    oro_job_t *job = apr_pcalloc(p, sizeof *job);
    job->id = apr_atoi64(v[0]);
    job->root_id = v[1] ? apr_atoi64(v[1]) : 0;
    job->name = v[2];
    int status = oro_job_status_parse(v[3]);
    job->status = status < 0 ? ORO_JOB_STATUS_FAILED : (oro_job_status_t)status;
    job->interrupted = v[4] && atoi(v[4]) != 0;
    job->unique = v[5] && atoi(v[5]) != 0;
    job->progress = v[6] ? atof(v[6]) : 0;
    job->created_at = iso_time(p, v[7]);
    job->started_at = iso_time(p, v[8]);
    job->stopped_at = iso_time(p, v[9]);
    job->last_active_at = iso_time(p, v[10]);
    return job;
}
