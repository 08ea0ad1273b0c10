/* t/helpers/jobtool.c — drives the job runner's C API (lib/mq/jobs.h) from the
 * integration tests, as a processor would:
 *
 *   jobtool CONFIG run-root OWNER|- NAME UNIQUE   → "started ROOT CHILD" | "duplicate" | "ended"
 *   jobtool CONFIG child ROOT NAME                → "CHILD" | "cancelled"
 *   jobtool CONFIG dependent ROOT TOPIC BODY      → "ok" | "ended"
 *   jobtool CONFIG start ID                       → "started" | "cancelled" | "ended" | "not-found"
 *   jobtool CONFIG finish ID STATUS               → "ok" | "ended" | "not-found"
 *   jobtool CONFIG progress ID FRACTION           → "ok" | "ended" | "not-found"
 *   jobtool CONFIG interrupted ID                 → "0" | "1"
 *
 * Exit 0 with the answer on stdout, 1 with an error on stderr, 2 for bad usage. */
#include <apr_general.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/settings.h"
#include "db/db.h"
#include "mq/jobs.h"

static int usage(void)
{
    fputs("usage: jobtool CONFIG run-root|child|dependent|start|finish|progress|interrupted "
          "ARGS\n",
          stderr);
    return 2;
}

static int outcome(int rc, const char *error)
{
    switch (rc) {
    case 0:
        puts("ok");
        return 0;
    case ORO_JOB_DUPLICATE:
        puts("duplicate");
        return 0;
    case ORO_JOB_CANCELLED:
        puts("cancelled");
        return 0;
    case ORO_JOB_ENDED:
        puts("ended");
        return 0;
    case ORO_JOB_NOT_FOUND:
        puts("not-found");
        return 0;
    default:
        fprintf(stderr, "jobtool: %s\n", error ? error : "failed");
        return 1;
    }
}

int main(int argc, const char *const *argv)
{
    apr_app_initialize(&argc, &argv, NULL);
    atexit(apr_terminate);
    if (argc < 3) {
        return usage();
    }
    apr_pool_t *p;
    apr_pool_create(&p, NULL);
    oro_settings_t settings;
    const char *error = oro_settings_load(p, argv[1], &settings);
    if (error != NULL) {
        fprintf(stderr, "jobtool: %s\n", error);
        return 1;
    }
    oro_db_t *db = oro_db_open(p, settings.db_driver, settings.db_params, &error);
    if (db == NULL) {
        fprintf(stderr, "jobtool: %s\n", error);
        return 1;
    }
    const char *cmd = argv[2];
    int n = argc - 3;
    const char *const *a = argv + 3;
    if (strcmp(cmd, "run-root") == 0 && n == 3) {
        oro_job_t *job;
        int rc = oro_job_run_root(db, &settings, p, strcmp(a[0], "-") ? a[0] : NULL, a[1],
                                  atoi(a[2]), &job, &error);
        if (rc == ORO_JOB_STARTED) {
            printf("started %" APR_INT64_T_FMT " %" APR_INT64_T_FMT "\n", job->root_id, job->id);
            return 0;
        }
        return outcome(rc, error);
    }
    if (strcmp(cmd, "child") == 0 && n == 2) {
        apr_int64_t id;
        int rc = oro_job_create_child(db, p, oro_job_id_parse(a[0]), a[1], &id, &error);
        if (rc == 0) {
            printf("%" APR_INT64_T_FMT "\n", id);
            return 0;
        }
        return outcome(rc, error);
    }
    if (strcmp(cmd, "dependent") == 0 && n == 3) {
        oro_mq_message_t m = {ORO_MQ_QUEUE_DEFAULT, a[1], a[2], ORO_MQ_PRIORITY_NORMAL, 0, 0};
        int rc = oro_job_add_dependent(db, p, oro_job_id_parse(a[0]), &m, &error);
        return outcome(rc, error);
    }
    if (strcmp(cmd, "start") == 0 && n == 1) {
        int rc = oro_job_start_child(db, &settings, p, oro_job_id_parse(a[0]), NULL, &error);
        if (rc == ORO_JOB_STARTED) {
            puts("started");
            return 0;
        }
        return outcome(rc, error);
    }
    if (strcmp(cmd, "finish") == 0 && n == 2) {
        int status = oro_job_status_parse(a[1]);
        if (status < 0) {
            return usage();
        }
        int rc = oro_job_finish(db, &settings, p, oro_job_id_parse(a[0]), (oro_job_status_t)status,
                                &error);
        return outcome(rc, error);
    }
    if (strcmp(cmd, "progress") == 0 && n == 2) {
        int rc = oro_job_set_progress(db, p, oro_job_id_parse(a[0]), atof(a[1]), &error);
        return outcome(rc, error);
    }
    if (strcmp(cmd, "interrupted") == 0 && n == 1) {
        int interrupted = 0;
        int rc = oro_job_interrupted(db, p, oro_job_id_parse(a[0]), &interrupted, &error);
        if (rc == 0) {
            printf("%d\n", interrupted);
            return 0;
        }
        return outcome(rc, error);
    }
    return usage();
}
