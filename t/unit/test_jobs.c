/* t/unit/test_jobs.c — the job runner's pure logic (lib/mq/jobs.h: statuses, transitions,
 * a root's status from its children's, ids, rows) and cron's due times (lib/cron). */
#include "unit.h"

#include "cron/cron.h"
#include "mq/jobs.h"

static void test_status_names(void **state)
{
    (void)state;
    for (int s = 0; s < ORO_JOB_STATUS_COUNT; s++) {
        const char *name = oro_job_status_name((oro_job_status_t)s);
        assert_non_null(name);
        assert_int_equal(oro_job_status_parse(name), s);
    }
    assert_string_equal(oro_job_status_name(ORO_JOB_STATUS_FAILED_REDELIVERED),
                        "failed_redelivered");
    assert_null(oro_job_status_name((oro_job_status_t)ORO_JOB_STATUS_COUNT));
    assert_int_equal(oro_job_status_parse("Running"), -1);
    assert_int_equal(oro_job_status_parse(""), -1);
    assert_int_equal(oro_job_status_parse(NULL), -1);
    assert_false(oro_job_status_ended(ORO_JOB_STATUS_NEW));
    assert_false(oro_job_status_ended(ORO_JOB_STATUS_RUNNING));
    assert_false(oro_job_status_ended(ORO_JOB_STATUS_FAILED_REDELIVERED));
    assert_true(oro_job_status_ended(ORO_JOB_STATUS_SUCCESS));
    assert_true(oro_job_status_ended(ORO_JOB_STATUS_FAILED));
    assert_true(oro_job_status_ended(ORO_JOB_STATUS_CANCELLED));
    assert_true(oro_job_status_ended(ORO_JOB_STATUS_STALE));
}

static void test_transitions(void **state)
{
    (void)state;
    /* every pair: allowed exactly as Oro's JobProcessor allows */
    static const char *const allowed[] = {
        "new>running",
        "new>cancelled",
        "new>stale",
        "running>success",
        "running>failed",
        "running>failed_redelivered",
        "running>cancelled",
        "running>stale",
        "failed_redelivered>running",
        "failed_redelivered>failed",
        "failed_redelivered>cancelled",
        "failed_redelivered>stale",
    };
    for (int from = 0; from < ORO_JOB_STATUS_COUNT; from++) {
        for (int to = 0; to < ORO_JOB_STATUS_COUNT; to++) {
            char pair[64];
            snprintf(pair, sizeof pair, "%s>%s", oro_job_status_name((oro_job_status_t)from),
                     oro_job_status_name((oro_job_status_t)to));
            int expected = 0;
            for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
                expected |= strcmp(allowed[i], pair) == 0;
            }
            if (oro_job_transition_allowed((oro_job_status_t)from, (oro_job_status_t)to) !=
                expected) {
                fail_msg("transition %s: expected %s", pair, expected ? "allowed" : "refused");
            }
        }
    }
}

static oro_job_status_t root_of(int new_, int running, int success, int failed, int redelivered,
                                int cancelled, int stale)
{
    int counts[ORO_JOB_STATUS_COUNT] = {new_,        running,   success, failed,
                                        redelivered, cancelled, stale};
    return oro_job_root_status(counts);
}

static void test_root_status(void **state)
{
    (void)state;
    assert_int_equal(root_of(0, 0, 0, 0, 0, 0, 0), ORO_JOB_STATUS_NEW);
    assert_int_equal(root_of(3, 0, 0, 0, 0, 0, 0), ORO_JOB_STATUS_NEW);
    assert_int_equal(root_of(2, 1, 0, 0, 0, 0, 0), ORO_JOB_STATUS_RUNNING);
    assert_int_equal(root_of(2, 0, 1, 0, 0, 0, 0), ORO_JOB_STATUS_RUNNING);
    /* a failed child does not end the root while others remain */
    assert_int_equal(root_of(1, 0, 0, 1, 0, 0, 0), ORO_JOB_STATUS_RUNNING);
    /* a child waiting for its redelivery keeps the root running */
    assert_int_equal(root_of(0, 0, 3, 0, 1, 0, 0), ORO_JOB_STATUS_RUNNING);
    assert_int_equal(root_of(0, 0, 3, 0, 0, 0, 0), ORO_JOB_STATUS_SUCCESS);
    assert_int_equal(root_of(0, 0, 3, 1, 0, 0, 0), ORO_JOB_STATUS_FAILED);
    assert_int_equal(root_of(0, 0, 3, 0, 0, 0, 1), ORO_JOB_STATUS_FAILED);
    assert_int_equal(root_of(0, 0, 3, 1, 0, 1, 0), ORO_JOB_STATUS_CANCELLED);
    assert_int_equal(root_of(0, 0, 0, 0, 0, 2, 0), ORO_JOB_STATUS_CANCELLED);
}

static void test_id_parse(void **state)
{
    (void)state;
    assert_int_equal(oro_job_id_parse("1"), 1);
    assert_int_equal(oro_job_id_parse("123456789012345678"), 123456789012345678LL);
    assert_int_equal(oro_job_id_parse("1234567890123456789"), 0);
    assert_int_equal(oro_job_id_parse("0"), 0);
    assert_int_equal(oro_job_id_parse("01"), 0);
    assert_int_equal(oro_job_id_parse("-1"), 0);
    assert_int_equal(oro_job_id_parse("1x"), 0);
    assert_int_equal(oro_job_id_parse(" 1"), 0);
    assert_int_equal(oro_job_id_parse(""), 0);
    assert_int_equal(oro_job_id_parse(NULL), 0);
}

static void test_from_row(void **state)
{
    unit_fixture_t *f = *state;
    const char *row[ORO_JOB_COLUMNS] = {"7",
                                        "3",
                                        "reindex",
                                        "running",
                                        "1",
                                        "0",
                                        "0.25",
                                        "2026-11-27 04:52:31",
                                        "2026-11-27 04:52:32.5",
                                        NULL,
                                        "2026-11-27 05:00:00"};
    oro_job_t *job = oro_job_from_row(f->pool, row);
    assert_int_equal(job->id, 7);
    assert_int_equal(job->root_id, 3);
    assert_string_equal(job->name, "reindex");
    assert_int_equal(job->status, ORO_JOB_STATUS_RUNNING);
    assert_true(job->interrupted);
    assert_false(job->unique);
    assert_true(job->progress > 0.249 && job->progress < 0.251);
    assert_string_equal(job->created_at, "2026-11-27T04:52:31Z");
    assert_string_equal(job->started_at, "2026-11-27T04:52:32Z");
    assert_null(job->stopped_at);
    row[1] = NULL;
    assert_int_equal(oro_job_from_row(f->pool, row)->root_id, 0);
    assert_contains(oro_job_columns_sql(f->pool, ORO_DIALECT_PGSQL), "AT TIME ZONE 'UTC'");
    assert_contains(oro_job_columns_sql(f->pool, ORO_DIALECT_MYSQL),
                    "CAST(stopped_at AS datetime)");
}

static void test_cron_due(void **state)
{
    (void)state;
    /* the next multiple of the interval, strictly after now */
    assert_int_equal(oro_cron_next_due(0, 60), 60);
    assert_int_equal(oro_cron_next_due(59, 60), 60);
    assert_int_equal(oro_cron_next_due(60, 60), 120);
    assert_int_equal(oro_cron_next_due(1795000000, 3600), 1795000000 / 3600 * 3600 + 3600);
    assert_int_equal(oro_cron_next_due(1795000001, 300), 1795000200);
    /* two hosts a few seconds apart in the same minute agree */
    assert_int_equal(oro_cron_next_due(1795000002, 60), oro_cron_next_due(1795000019, 60));
    /* nonsense intervals fall back to a minute; negative clocks to 0 */
    assert_int_equal(oro_cron_next_due(10, 0), 60);
    assert_int_equal(oro_cron_next_due(-5, 60), 60);
}

static void test_cron_tasks(void **state)
{
    (void)state;
    int n;
    const oro_cron_task_t *tasks = oro_cron_tasks(&n);
    assert_int_equal(n, 6);
    for (int i = 0; i < n; i++) {
        assert_ptr_equal(oro_cron_task(tasks[i].name), &tasks[i]);
        assert_true(tasks[i].interval >= 60);
        assert_non_null(tasks[i].run);
    }
    assert_null(oro_cron_task("no-such-task"));
    assert_null(oro_cron_task(NULL));
    assert_string_equal(oro_cron_outcome_name(ORO_CRON_ALERT), "alert");
    assert_string_equal(oro_cron_outcome_name(ORO_CRON_SKIPPED), "skipped");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_status_names), UNIT_TEST(test_transitions), UNIT_TEST(test_root_status),
        UNIT_TEST(test_id_parse),     UNIT_TEST(test_from_row),    UNIT_TEST(test_cron_due),
        UNIT_TEST(test_cron_tasks),
    };
    if (apr_initialize() != APR_SUCCESS) {
        return 1;
    }
    int rc = cmocka_run_group_tests_name("jobs", tests, NULL, NULL);
    apr_terminate();
    return rc;
}
