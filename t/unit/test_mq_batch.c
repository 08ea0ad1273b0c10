/* t/unit/test_mq_batch.c — the amqp batch envelope (lib/mq/batch.c): a round trip,
 * what may go inside, and hostile input (truncated, oversized counts, bad headers,
 * NUL bytes, trailing garbage, every prefix of a good envelope). */
#include "unit.h"

#include "mq/batch.h"

static oro_mq_batch_item_t item(const char *id, const char *topic, const char *body,
                                apr_int64_t expires)
{
    oro_mq_batch_item_t it = {id, topic, expires, body, strlen(body), NULL};
    return it;
}

static const char *encode3(apr_pool_t *p, apr_size_t *len)
{
    oro_mq_batch_item_t in[3] = {
        item("1", "oro.noop", "{}", 0),
        item("22", "oro.test", "{\"a\":\"line\\nbreak\",\"b\":[1,2]}\n", 1700000000123),
        item("333", "oro.x_y-z", "", 0),
    };
    return oro_mq_batch_encode(p, in, 3, len);
}

static void test_round_trip(void **state)
{
    unit_fixture_t *f = *state;
    apr_size_t len = 0;
    const char *env = encode3(f->pool, &len);
    assert_int_equal(strlen(env), len);
    assert_true(strncmp(env, "oro-batch/1 3\n1 oro.noop 0 2\n{}\n", 31) == 0);
    oro_mq_batch_item_t *items;
    int n;
    apr_size_t bad_at;
    const char *error;
    assert_int_equal(oro_mq_batch_decode(f->pool, env, len, &items, &n, &bad_at, &error), 0);
    assert_null(error);
    assert_int_equal(n, 3);
    assert_string_equal(items[0].id, "1");
    assert_string_equal(items[0].topic, "oro.noop");
    assert_string_equal(items[0].body, "{}");
    assert_int_equal(items[0].expires_at, 0);
    assert_string_equal(items[1].id, "22");
    assert_string_equal(items[1].body, "{\"a\":\"line\\nbreak\",\"b\":[1,2]}\n");
    assert_true(items[1].expires_at == 1700000000123);
    assert_string_equal(items[2].topic, "oro.x_y-z");
    assert_int_equal(items[2].body_len, 0);
    assert_string_equal(items[2].body, "");
    for (int i = 0; i < 3; i++) {
        assert_null(items[i].error);
    }
    /* the record sizes add up to the envelope */
    oro_mq_batch_item_t one = item("1", "oro.noop", "{}", 0);
    assert_int_equal(oro_mq_batch_record_size(&one), strlen("1 oro.noop 0 2\n{}\n"));
}

static void test_encodable(void **state)
{
    (void)state;
    assert_true(oro_mq_batch_encodable("123", "oro.test", 10));
    assert_false(oro_mq_batch_encodable("", "oro.test", 10));
    assert_false(oro_mq_batch_encodable("12a", "oro.test", 10));
    assert_false(oro_mq_batch_encodable("12345678901234567890", "oro.test", 10));
    assert_false(oro_mq_batch_encodable("9223372036854775808", "oro.test", 10));
    assert_true(oro_mq_batch_encodable("9223372036854775807", "oro.test", 10));
    assert_false(oro_mq_batch_encodable("1", "oro test", 10));
    assert_false(oro_mq_batch_encodable("1", "oro\ntest", 10));
    assert_false(oro_mq_batch_encodable("1", "", 10));
    assert_false(oro_mq_batch_encodable(NULL, "oro.test", 10));
    assert_false(oro_mq_batch_encodable("1", "oro.test", ORO_MQ_MAX_BODY + 1));
    char topic[ORO_MQ_MAX_TOPIC + 2];
    memset(topic, 'a', sizeof topic - 1);
    topic[sizeof topic - 1] = '\0';
    assert_false(oro_mq_batch_encodable("1", topic, 1));
    topic[ORO_MQ_MAX_TOPIC] = '\0';
    assert_true(oro_mq_batch_encodable("1", topic, 1));
}

/* Decodes text; returns the return code, fills the outputs. */
static int decode(apr_pool_t *p, const char *text, apr_size_t len, int *n, apr_size_t *bad_at,
                  const char **error, oro_mq_batch_item_t **items)
{
    oro_mq_batch_item_t *local;
    return oro_mq_batch_decode(p, text, len, items != NULL ? items : &local, n, bad_at, error);
}

static void expect_bad(apr_pool_t *p, const char *text, int good, apr_size_t at, const char *why)
{
    int n = -1;
    apr_size_t bad_at = 12345;
    const char *error = NULL;
    int rc = decode(p, text, strlen(text), &n, &bad_at, &error, NULL);
    if (rc != -1 || n != good || bad_at != at || error == NULL || strstr(error, why) == NULL) {
        fail_msg("\"%s\": rc %d, %d good, bad at %zu, error \"%s\"; expected %d good, bad at %zu, "
                 "\"%s\"",
                 text, rc, n, (size_t)bad_at, error ? error : "(none)", good, (size_t)at, why);
    }
}

static void test_hostile(void **state)
{
    unit_fixture_t *f = *state;
    apr_pool_t *p = f->pool;
    /* not an envelope at all */
    expect_bad(p, "", 0, 0, "does not start with");
    expect_bad(p, "{\"a\":1}", 0, 0, "does not start with");
    expect_bad(p, "oro-batch/2 1\n1 a 0 0\n\n", 0, 0, "does not start with");
    /* counts */
    expect_bad(p, "oro-batch/1 \n", 0, 0, "not a number");
    expect_bad(p, "oro-batch/1 x\n", 0, 0, "not a number");
    expect_bad(p, "oro-batch/1 -1\n", 0, 0, "not a number");
    expect_bad(p, "oro-batch/1 0\n", 0, 0, "declares 0 messages");
    expect_bad(p, "oro-batch/1 99999\n", 0, 0, "declares 99999 messages (1 to 10000");
    expect_bad(p, "oro-batch/1 123456\n", 0, 0, "not a number of at most 5 digits");
    expect_bad(p, "oro-batch/1 1", 0, 0, "not a number");
    /* more messages declared than the bytes could hold: refused before allocating */
    expect_bad(p, "oro-batch/1 10000\n1 a 0 0\n\n", 0, 18, "declares 10000 messages in 9 bytes");
    /* truncated: inside a header, inside a body, before the last message */
    expect_bad(p, "oro-batch/1 2\n1 a 0 2\n{}\n2 b 0 2\n[", 1, 25, "ends inside a message's body");
    expect_bad(p, "oro-batch/1 2\n1 a 0 2\n{}\n2 b 0 2\n[]", 1, 25, "ends inside a message's body");
    expect_bad(p, "oro-batch/1 2\n1 a 0 2\n{}\n2 b 0 2\n", 1, 25, "ends inside a message's body");
    expect_bad(p, "oro-batch/1 2\n1 a 0 2\n{}\n2 b 0 2 xx", 1, 25, "header line is malformed");
    expect_bad(p, "oro-batch/1 2\n1 a 0 2\n{}\n2 b 0 ", 0, 14, "declares 2 messages in 17 bytes");
    expect_bad(p, "oro-batch/1 2\n1 a 0 2\n{}\n2 b 0 2\n[]\nXXXXXXXXX", 2, 36,
               "9 bytes follow its last message");
    /* bad headers */
    expect_bad(p, "oro-batch/1 1\nx a 0 2\n{}\n", 0, 14, "not a number");
    expect_bad(p, "oro-batch/1 1\n1 a -5 2\n{}\n", 0, 14, "not a number");
    expect_bad(p, "oro-batch/1 1\n1 a 0 99999999\n{}\n", 0, 14, "longer than the largest");
    expect_bad(p, "oro-batch/1 1\n1 a 0 123456789\n{}\n", 0, 14, "malformed");
    expect_bad(p, "oro-batch/1 1\n1 a/b 0 2\n{}\n", 0, 14, "topic has characters");
    expect_bad(p, "oro-batch/1 1\n1 a 0 2 x\n{}\n", 0, 14, "malformed");
    expect_bad(p, "oro-batch/1 1\n1  a 0 2\n{}\n", 0, 14, "malformed");
    expect_bad(p, "oro-batch/1 1\n1 a 0 2\n{}X", 0, 14, "not followed by a line end");
    expect_bad(p, "oro-batch/1 1\n12345678901234567890 a 0 2\n{}\n", 0, 14, "malformed");
    /* 19 digits beyond int64 */
    expect_bad(p, "oro-batch/1 1\n9223372036854775808 a 0 2\n{}\n", 0, 14, "not a number");
    expect_bad(p, "oro-batch/1 1\n1 a 9999999999999999999 2\n{}\n", 0, 14, "not a number");
    int n;
    apr_size_t at;
    const char *error;
    const char *max = "oro-batch/1 1\n9223372036854775807 a 9223372036854775807 2\n{}\n";
    assert_int_equal(decode(p, max, strlen(max), &n, &at, &error, NULL), 0);
}

static void test_nul_bytes(void **state)
{
    unit_fixture_t *f = *state;
    /* a NUL inside a body: well framed, the message is marked, the next one is fine */
    static const char env[] = "oro-batch/1 2\n1 a 0 3\n{\0}\n2 b 0 2\n{}\n";
    oro_mq_batch_item_t *items;
    int n;
    apr_size_t bad_at;
    const char *error;
    assert_int_equal(decode(f->pool, env, sizeof env - 1, &n, &bad_at, &error, &items), 0);
    assert_int_equal(n, 2);
    assert_non_null(items[0].error);
    assert_non_null(strstr(items[0].error, "NUL byte"));
    assert_null(items[1].error);
    assert_string_equal(items[1].body, "{}");
    /* a NUL inside a header field is not a digit */
    static const char env2[] = "oro-batch/1 1\n1\0 a 0 2\n{}\n";
    assert_int_equal(decode(f->pool, env2, sizeof env2 - 1, &n, &bad_at, &error, &items), -1);
    assert_int_equal(n, 0);
    assert_int_equal(bad_at, 14);
    static const char env3[] = "oro-batch/1 1\n1 a\0b 0 2\n{}\n";
    assert_int_equal(decode(f->pool, env3, sizeof env3 - 1, &n, &bad_at, &error, &items), -1);
    assert_non_null(strstr(error, "topic"));
}

/* Every prefix of a good envelope is refused with the messages before the cut, and
 * nothing is read beyond it (the sanitizer build checks the bounds: each prefix is
 * decoded from a buffer of exactly its size). */
static void test_every_prefix(void **state)
{
    unit_fixture_t *f = *state;
    apr_size_t len = 0;
    const char *env = encode3(f->pool, &len);
    for (apr_size_t cut = 0; cut < len; cut++) {
        char *copy = malloc(cut > 0 ? cut : 1);
        memcpy(copy, env, cut);
        oro_mq_batch_item_t *items;
        int n = -1;
        apr_size_t bad_at = 0;
        const char *error = NULL;
        int rc = oro_mq_batch_decode(f->pool, copy, cut, &items, &n, &bad_at, &error);
        free(copy);
        if (rc != -1 || error == NULL || n < 0 || n > 2 || bad_at > cut) {
            fail_msg("prefix of %zu bytes: rc %d, n %d, bad at %zu", (size_t)cut, rc, n,
                     (size_t)bad_at);
        }
        for (int i = 0; i < n; i++) {
            assert_non_null(items[i].id);
            assert_non_null(items[i].body);
        }
    }
}

/* Random bytes flipped in a good envelope: never a crash, every decoded message
 * within the envelope's bounds. */
static void test_flipped_bytes(void **state)
{
    unit_fixture_t *f = *state;
    apr_size_t len = 0;
    const char *env = encode3(f->pool, &len);
    unsigned seed = 42;
    char *copy = malloc(len);
    for (int round = 0; round < 20000; round++) {
        memcpy(copy, env, len);
        for (int k = 0; k < 3; k++) {
            seed = seed * 1103515245u + 12345u;
            copy[(seed >> 8) % len] = (char)(seed >> 20);
        }
        apr_pool_t *p;
        apr_pool_create(&p, f->pool);
        oro_mq_batch_item_t *items;
        int n;
        apr_size_t bad_at;
        const char *error;
        int rc = oro_mq_batch_decode(p, copy, len, &items, &n, &bad_at, &error);
        assert_true(rc == 0 || (rc == -1 && error != NULL && bad_at <= len));
        assert_true(n >= 0 && n <= 3);
        for (int i = 0; i < n; i++) {
            assert_true(items[i].body_len <= len);
        }
        apr_pool_destroy(p);
    }
    free(copy);
}

static void test_printable(void **state)
{
    unit_fixture_t *f = *state;
    static const char raw[] = "ok \\ \n\0\xff";
    assert_string_equal(oro_mq_batch_printable(f->pool, raw, sizeof raw - 1),
                        "ok \\x5c \\x0a\\x00\\xff");
    assert_string_equal(oro_mq_batch_printable(f->pool, "", 0), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_round_trip), UNIT_TEST(test_encodable),    UNIT_TEST(test_hostile),
        UNIT_TEST(test_nul_bytes),  UNIT_TEST(test_every_prefix), UNIT_TEST(test_flipped_bytes),
        UNIT_TEST(test_printable),
    };
    if (apr_initialize() != APR_SUCCESS) {
        return 1;
    }
    int rc = cmocka_run_group_tests_name("mq_batch", tests, NULL, NULL);
    apr_terminate();
    return rc;
}
