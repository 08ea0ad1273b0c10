/* t/unit/test_mq.c — the queue's pure logic: message validation, body checks, retry
 * backoff, id lists, and the consumer's dispatch (outcomes for unknown topics,
 * malformed bodies, expiry, requeue up to the maximum attempts, draining). */
#include "unit.h"

#include "../../consumer/consume.h"
#include "../../consumer/processors.h"
#include "mq/dbal.h"
#include "mq/transport.h"

static oro_mq_message_t good(void)
{
    oro_mq_message_t m = {ORO_MQ_QUEUE_DEFAULT, "oro.test", "{\"a\":1}", 2, 0, 0};
    return m;
}

static void test_validate(void **state)
{
    unit_fixture_t *f = *state;
    oro_mq_message_t m = good();
    assert_null(oro_mq_validate(f->pool, &m));
    m.queue = "oro.search";
    assert_null(oro_mq_validate(f->pool, &m));
    m.queue = "elsewhere";
    assert_non_null(strstr(oro_mq_validate(f->pool, &m), "unknown queue \"elsewhere\""));
    m = good();
    m.topic = "";
    assert_string_equal(oro_mq_validate(f->pool, &m), "the topic is empty");
    m.topic = "a b";
    assert_non_null(strstr(oro_mq_validate(f->pool, &m), "topic \"a b\""));
    m = good();
    m.priority = 5;
    assert_string_equal(oro_mq_validate(f->pool, &m), "priority 5 is not from 0 to 4");
    m.priority = -1;
    assert_non_null(oro_mq_validate(f->pool, &m));
    m = good();
    m.delay_ms = -1;
    assert_non_null(strstr(oro_mq_validate(f->pool, &m), "delay"));
    m = good();
    m.expire_ms = ORO_MQ_MAX_DELAY_MS + 1;
    assert_non_null(strstr(oro_mq_validate(f->pool, &m), "expiry"));
    m = good();
    m.body = NULL;
    assert_string_equal(oro_mq_validate(f->pool, &m), "the body is missing");
}

static void test_check_body(void **state)
{
    unit_fixture_t *f = *state;
    assert_null(oro_mq_check_body(f->pool, "{}"));
    assert_null(oro_mq_check_body(f->pool, " [1, 2] \n"));
    assert_null(oro_mq_check_body(f->pool, "\"text\""));
    assert_non_null(strstr(oro_mq_check_body(f->pool, "{"), "ends too early"));
    assert_non_null(strstr(oro_mq_check_body(f->pool, "{bad}"), "not valid JSON"));
    assert_non_null(strstr(oro_mq_check_body(f->pool, "{} {}"), "not valid JSON"));
    assert_non_null(oro_mq_check_body(f->pool, ""));
    assert_non_null(oro_mq_check_body(f->pool, "{'a': 1}"));
}

static void test_backoff(void **state)
{
    (void)state;
    assert_int_equal(oro_mq_backoff_ms(1, 1000, 300000), 1000);
    assert_int_equal(oro_mq_backoff_ms(2, 1000, 300000), 2000);
    assert_int_equal(oro_mq_backoff_ms(4, 1000, 300000), 8000);
    assert_int_equal(oro_mq_backoff_ms(9, 1000, 300000), 256000);
    assert_int_equal(oro_mq_backoff_ms(10, 1000, 300000), 300000);
    assert_int_equal(oro_mq_backoff_ms(1000000, 1000, 300000), 300000);
    assert_int_equal(oro_mq_backoff_ms(0, 1000, 300000), 1000);
    assert_int_equal(oro_mq_backoff_ms(3, 0, 300000), 0);
    assert_int_equal(oro_mq_backoff_ms(3, 1000, 0), 0);
}

static void test_id_list(void **state)
{
    unit_fixture_t *f = *state;
    apr_int64_t ids[] = {1, 22, 9223372036854775807LL};
    assert_string_equal(oro_mq_id_list(f->pool, ids, 3), "1,22,9223372036854775807");
    assert_string_equal(oro_mq_id_list(f->pool, ids, 0), "");
}

static int stop_now(void)
{
    return 1;
}

static void test_dispatch(void **state)
{
    unit_fixture_t *f = *state;
    oro_settings_t s;
    oro_settings_init(&s);
    oro_settings_apply_defaults(&s);
    s.queue_max_attempts = 3;
    oro_mq_context_t ctx = {NULL, &s, f->pool};
    oro_mq_delivery_t m[] = {
        {"1", "oro.default", "oro.noop", "{}", 2, 1},
        {"2", "oro.default", "oro.unknown", "{}", 2, 1},
        {"3", "oro.default", "oro.noop", "{oops", 2, 1},
        {"4", "oro.default", "oro.test", "{\"fail\":\"requeue\"}", 2, 2},
        {"5", "oro.default", "oro.test", "{\"fail\":\"requeue\"}", 2, 3},
        {"6", "oro.default", "oro.test", "{\"fail\":\"reject\"}", 2, 1},
        {"7", "oro.default", "oro.noop", "{}", 2, 1},
        {"8", "oro.default", "oro.test", "[1]", 2, 1},
    };
    int expired[8] = {0, 0, 0, 0, 0, 0, 1, 0};
    oro_outcome_t o[8];
    oro_consumer_dispatch(&ctx, m, expired, 8, o, NULL);
    assert_int_equal(o[0].kind, ORO_OUTCOME_ACK);
    assert_int_equal(o[1].kind, ORO_OUTCOME_DEAD);
    assert_non_null(strstr(o[1].reason, "unknown topic \"oro.unknown\""));
    assert_int_equal(o[2].kind, ORO_OUTCOME_DEAD);
    assert_non_null(strstr(o[2].reason, "malformed body"));
    assert_int_equal(o[3].kind, ORO_OUTCOME_RETRY);
    assert_int_equal(o[3].delay_ms, 2 * s.queue_retry_delay);
    assert_int_equal(o[4].kind, ORO_OUTCOME_DEAD);
    assert_non_null(strstr(o[4].reason, "failed 3 times, the maximum"));
    assert_int_equal(o[5].kind, ORO_OUTCOME_DEAD);
    assert_non_null(strstr(o[5].reason, "rejected on request"));
    assert_int_equal(o[6].kind, ORO_OUTCOME_DEAD);
    assert_non_null(strstr(o[6].reason, "expired"));
    assert_int_equal(o[7].kind, ORO_OUTCOME_DEAD);
    assert_non_null(strstr(o[7].reason, "not a JSON object"));

    /* a worker that is stopping hands nothing more to processors */
    oro_consumer_dispatch(&ctx, m, NULL, 2, o, stop_now);
    assert_int_equal(o[0].kind, ORO_OUTCOME_SKIP);
    assert_int_equal(o[1].kind, ORO_OUTCOME_SKIP);
}

static void test_registry(void **state)
{
    (void)state;
    assert_ptr_equal(oro_consumer_processor_find("oro.noop"), &oro_processor_noop);
    assert_ptr_equal(oro_consumer_processor_find("oro.test"), &oro_processor_test);
    assert_null(oro_consumer_processor_find("oro.nope"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_validate), UNIT_TEST(test_check_body), UNIT_TEST(test_backoff),
        UNIT_TEST(test_id_list),  UNIT_TEST(test_dispatch),   UNIT_TEST(test_registry),
    };
    if (apr_initialize() != APR_SUCCESS) {
        return 1;
    }
    int rc = cmocka_run_group_tests_name("mq", tests, NULL, NULL);
    apr_terminate();
    return rc;
}
