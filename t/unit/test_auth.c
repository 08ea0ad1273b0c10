/* t/unit/test_auth.c — lib/auth/auth.h: WSSE parsing, digest and time window, SHA-256,
 * random tokens, constant-time comparison, the password policy and bcrypt. */
#include "unit.h"

#include "auth/auth.h"

static void test_sha256_vectors(void **state)
{
    unit_fixture_t *f = *state;
    assert_string_equal(oro_sha256_hex(f->pool, "", 0),
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_string_equal(oro_sha256_hex(f->pool, "abc", 3),
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    assert_string_equal(oro_sha256_hex(f->pool, two_blocks, strlen(two_blocks)),
                        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char a1000[1000];
    memset(a1000, 'a', sizeof a1000);
    assert_string_equal(oro_sha256_hex(f->pool, a1000, sizeof a1000),
                        "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

static void test_random_hex(void **state)
{
    unit_fixture_t *f = *state;
    const char *a = oro_auth_random_hex(f->pool, 32), *b = oro_auth_random_hex(f->pool, 32);
    assert_non_null(a);
    assert_int_equal(strlen(a), 64);
    assert_int_equal(strspn(a, "0123456789abcdef"), 64);
    assert_string_not_equal(a, b);
}

static void test_equal(void **state)
{
    (void)state;
    assert_true(oro_auth_equal("secret", "secret"));
    assert_false(oro_auth_equal("secret", "secreT"));
    assert_false(oro_auth_equal("secret", "secret2"));
    assert_false(oro_auth_equal("secret2", "secret"));
    assert_false(oro_auth_equal("", ""));
    assert_false(oro_auth_equal("x", ""));
    assert_false(oro_auth_equal("", "x"));
    assert_false(oro_auth_equal(NULL, "x"));
}

/* The example of ONVIF's programmer's guide, the same formula as Oro's. */
static void test_wsse_digest(void **state)
{
    unit_fixture_t *f = *state;
    assert_string_equal(oro_wsse_digest(f->pool, "LKqI6G/AikKCQrN0zqZFlg==", "2010-09-16T07:50:45Z",
                                        "userpassword"),
                        "tuOSpGlFlIXsozq4HFNeeGeFLEI=");
    oro_wsse_token_t t = {"admin", "tuOSpGlFlIXsozq4HFNeeGeFLEI=", "LKqI6G/AikKCQrN0zqZFlg==",
                          "2010-09-16T07:50:45Z"};
    assert_true(oro_wsse_digest_matches(f->pool, &t, "userpassword"));
    assert_false(oro_wsse_digest_matches(f->pool, &t, "userpassword2"));
    assert_false(oro_wsse_digest_matches(f->pool, &t, ""));
    assert_false(oro_wsse_digest_matches(f->pool, &t, NULL));
    t.created = "2010-09-16T07:50:46Z";
    assert_false(oro_wsse_digest_matches(f->pool, &t, "userpassword"));
}

static void test_wsse_parse(void **state)
{
    unit_fixture_t *f = *state;
    oro_wsse_token_t t;
    assert_null(oro_wsse_parse(f->pool,
                               "UsernameToken Username=\"admin\", PasswordDigest=\"d+/=\", "
                               "Nonce=\"bm9uY2U=\", Created=\"2026-11-27T05:00:00+00:00\"",
                               &t));
    assert_string_equal(t.username, "admin");
    assert_string_equal(t.digest, "d+/=");
    assert_string_equal(t.nonce, "bm9uY2U=");
    assert_string_equal(t.created, "2026-11-27T05:00:00+00:00");
    /* order, case of names and an unknown field do not matter */
    assert_null(oro_wsse_parse(f->pool,
                               "usernametoken created=\"c\",nonce=\"n\" Foo=\"x\", "
                               "passworddigest=\"d\", username=\"u\"",
                               &t));
    assert_string_equal(t.username, "u");
    static const char *const bad[] = {
        "",
        "Basic abc",
        "UsernameToken",
        "UsernameToken Username=\"a\", PasswordDigest=\"d\", Nonce=\"n\"",
        "UsernameToken Username=\"a\", Username=\"b\", PasswordDigest=\"d\", Nonce=\"n\", "
        "Created=\"c\"",
        "UsernameToken Username=\"\", PasswordDigest=\"d\", Nonce=\"n\", Created=\"c\"",
        "UsernameToken Username=\"a, PasswordDigest=\"d\", Nonce=\"n\", Created=\"c",
        "UsernameToken Username=a, PasswordDigest=\"d\", Nonce=\"n\", Created=\"c\"",
        "UsernameToken Username=\"' OR 1=1 --\", PasswordDigest=\"d\", Nonce=\"n\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_non_null(oro_wsse_parse(f->pool, bad[i], &t));
    }
    assert_non_null(oro_wsse_parse(f->pool, NULL, &t));
    char *huge = apr_pstrcat(f->pool, "UsernameToken Username=\"",
                             apr_psprintf(f->pool, "%0300d", 1), "\"", NULL);
    assert_non_null(oro_wsse_parse(f->pool, huge, &t));
    char *longer = apr_palloc(f->pool, ORO_WSSE_MAX_HEADER + 2);
    memset(longer, ' ', ORO_WSSE_MAX_HEADER + 1);
    longer[ORO_WSSE_MAX_HEADER + 1] = '\0';
    assert_string_equal(oro_wsse_parse(f->pool, longer, &t), "the X-WSSE header is too long");
}

static void test_wsse_authorization(void **state)
{
    (void)state;
    assert_true(oro_wsse_is_authorization("WSSE profile=\"UsernameToken\""));
    assert_true(oro_wsse_is_authorization("wsse  profile=UsernameToken"));
    assert_false(oro_wsse_is_authorization("WSSE profile=\"Other\""));
    assert_false(oro_wsse_is_authorization("WSSE profile=\"UsernameToken"));
    assert_false(oro_wsse_is_authorization("Bearer abc"));
    assert_false(oro_wsse_is_authorization("WSSEprofile=\"UsernameToken\""));
    assert_false(oro_wsse_is_authorization(NULL));
}

static void test_iso8601(void **state)
{
    (void)state;
    apr_time_t t;
    const apr_time_t expected = apr_time_from_sec(1795755600); /* 2026-11-27T05:00:00Z */
    static const char *const same[] = {"2026-11-27T05:00:00Z",      "2026-11-27T05:00:00+00:00",
                                       "2026-11-27T06:00:00+01:00", "2026-11-27T06:00:00+0100",
                                       "2026-11-27T00:30:00-04:30", "2026-11-27T05:00:00.123Z"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        assert_int_equal(oro_iso8601_parse(same[i], &t), 0);
        assert_true(t == expected);
    }
    static const char *const bad[] = {
        "2026-11-27T05:00:00",   "2026-11-27", "2026-13-27T05:00:00Z",  "2026-11-27T25:00:00Z",
        "2026-11-27T05:00:00Zx", "now",        "2026-11-27T05:00:00+1", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(oro_iso8601_parse(bad[i], &t), -1);
    }
}

static void test_wsse_time(void **state)
{
    (void)state;
    apr_time_t now = apr_time_from_sec(1795755600), created;
    oro_wsse_token_t t = {"u", "d", "n", "2026-11-27T05:00:00Z"};
    assert_null(oro_wsse_check_time(&t, now, 3600, 300, &created));
    assert_null(oro_wsse_check_time(&t, now + apr_time_from_sec(3600), 3600, 300, &created));
    assert_non_null(oro_wsse_check_time(&t, now + apr_time_from_sec(3601), 3600, 300, &created));
    assert_null(oro_wsse_check_time(&t, now - apr_time_from_sec(300), 3600, 300, &created));
    assert_non_null(oro_wsse_check_time(&t, now - apr_time_from_sec(301), 3600, 300, &created));
    t.created = "yesterday";
    assert_non_null(oro_wsse_check_time(&t, now, 3600, 300, &created));
}

static void test_password_policy(void **state)
{
    unit_fixture_t *f = *state;
    assert_null(oro_password_check(f->pool, "long enough", "admin", 8));
    assert_non_null(oro_password_check(f->pool, "short", "admin", 8));
    assert_non_null(oro_password_check(f->pool, "Administrator", "administrator", 8));
    assert_non_null(oro_password_check(f->pool, "tab\there!", "admin", 8));
    char long_password[80];
    memset(long_password, 'x', sizeof long_password - 1);
    long_password[sizeof long_password - 1] = '\0';
    assert_non_null(oro_password_check(f->pool, long_password, "admin", 8));
    const char *why = oro_password_check(f->pool, "secret1", "admin", 12);
    assert_non_null(why);
    assert_null(strstr(why, "secret1"));
}

static void test_password_hash(void **state)
{
    unit_fixture_t *f = *state;
    const char *error = NULL;
    const char *hash = oro_password_hash(f->pool, "correct horse", &error);
    assert_non_null(hash);
    assert_true(strncmp(hash, "$2y$10$", 7) == 0);
    assert_true(oro_password_verify("correct horse", hash));
    assert_false(oro_password_verify("correct horsE", hash));
    assert_false(oro_password_verify("correct horse", ""));
    assert_false(oro_password_verify("correct horse", NULL));
    assert_false(oro_password_verify("plain", "plain")); /* plain text is never a hash */
}

int main(void)
{
    apr_initialize();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sha256_vectors, unit_setup, unit_teardown),
        cmocka_unit_test_setup_teardown(test_random_hex, unit_setup, unit_teardown),
        cmocka_unit_test_setup_teardown(test_equal, unit_setup, unit_teardown),
        cmocka_unit_test_setup_teardown(test_wsse_digest, unit_setup, unit_teardown),
        cmocka_unit_test_setup_teardown(test_wsse_parse, unit_setup, unit_teardown),
        cmocka_unit_test_setup_teardown(test_wsse_authorization, unit_setup, unit_teardown),
        cmocka_unit_test_setup_teardown(test_iso8601, unit_setup, unit_teardown),
        cmocka_unit_test_setup_teardown(test_wsse_time, unit_setup, unit_teardown),
        cmocka_unit_test_setup_teardown(test_password_policy, unit_setup, unit_teardown),
        cmocka_unit_test_setup_teardown(test_password_hash, unit_setup, unit_teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    apr_terminate();
    return rc;
}
