/* t/unit/test_sqlsplit.c — lib/db/sqlsplit.h: splitting SQL scripts into statements. */
#include "unit.h"

#include "db/sqlsplit.h"

/* Splits script, expecting success, and checks the statements (NULL-terminated). */
static void expect_split(unit_fixture_t *f, const char *script, ...)
{
    const char *error = "not set";
    apr_array_header_t *out = oro_sql_split(f->pool, script, &error);
    assert_no_error(error);
    assert_non_null(out);
    va_list ap;
    va_start(ap, script);
    int i = 0;
    const char *want;
    while ((want = va_arg(ap, const char *)) != NULL) {
        if (i >= out->nelts) {
            va_end(ap);
            fail_msg("statement %d missing: expected \"%s\" (script \"%s\")", i + 1, want, script);
        }
        assert_string_equal(APR_ARRAY_IDX(out, i, const char *), want);
        i++;
    }
    va_end(ap);
    if (i != out->nelts) {
        fail_msg("%d statements instead of %d, extra: \"%s\"", out->nelts, i,
                 APR_ARRAY_IDX(out, i, const char *));
    }
}

static void expect_error(unit_fixture_t *f, const char *script, const char *message)
{
    const char *error = NULL;
    apr_array_header_t *out = oro_sql_split(f->pool, script, &error);
    assert_null(out);
    assert_non_null(error);
    assert_string_equal(error, message);
}

static void test_basic(void **state)
{
    unit_fixture_t *f = *state;
    expect_split(f, "SELECT 1; SELECT 2;", "SELECT 1", "SELECT 2", NULL);
    expect_split(f, "SELECT 1;SELECT 2", "SELECT 1", "SELECT 2", NULL);
    expect_split(f, "  \n\tCREATE TABLE t (a int)\n ;\n\n  INSERT INTO t VALUES (1)  ;  \n",
                 "CREATE TABLE t (a int)", "INSERT INTO t VALUES (1)", NULL);
    expect_split(f, "", NULL);
    expect_split(f, "   \n\t ", NULL);
    expect_split(f, ";;; ;\n;", NULL);
    expect_split(f, "SELECT 1;;SELECT 2", "SELECT 1", "SELECT 2", NULL);
}

static void test_single_quotes(void **state)
{
    unit_fixture_t *f = *state;
    expect_split(f, "INSERT INTO t VALUES ('a;b'); SELECT 2", "INSERT INTO t VALUES ('a;b')",
                 "SELECT 2", NULL);
    expect_split(f, "SELECT 'it''s; here'; SELECT 2", "SELECT 'it''s; here'", "SELECT 2", NULL);
    expect_split(f, "SELECT 'a\\'; b'; SELECT 2", "SELECT 'a\\'; b'", "SELECT 2", NULL);
    expect_split(f, "SELECT 'a\\\\'; SELECT 2", "SELECT 'a\\\\'", "SELECT 2", NULL);
    expect_split(f, "SELECT ''; SELECT ';'", "SELECT ''", "SELECT ';'", NULL);
    expect_split(f, "SELECT '-- not a comment;'; SELECT '/* nor; this'",
                 "SELECT '-- not a comment;'", "SELECT '/* nor; this'", NULL);
    expect_split(f, "SELECT '$$;'; SELECT 2", "SELECT '$$;'", "SELECT 2", NULL);
}

static void test_double_quotes_and_backticks(void **state)
{
    unit_fixture_t *f = *state;
    expect_split(f, "CREATE TABLE \"a;b\" (x int); SELECT 2", "CREATE TABLE \"a;b\" (x int)",
                 "SELECT 2", NULL);
    expect_split(f, "SELECT \"a\"\";b\"; SELECT 2", "SELECT \"a\"\";b\"", "SELECT 2", NULL);
    expect_split(f, "CREATE TABLE `x;y` (`a``;` int); SELECT 2", "CREATE TABLE `x;y` (`a``;` int)",
                 "SELECT 2", NULL);
    expect_split(f, "SELECT \"it's;\"; SELECT `it's;`", "SELECT \"it's;\"", "SELECT `it's;`", NULL);
}

static void test_comments(void **state)
{
    unit_fixture_t *f = *state;
    expect_split(f, "-- first; not a split\nSELECT 1; -- trailing; comment\nSELECT 2;",
                 "-- first; not a split\nSELECT 1", "-- trailing; comment\nSELECT 2", NULL);
    expect_split(f, "/* a; b\n c; */ SELECT 1; SELECT /* ; */ 2", "/* a; b\n c; */ SELECT 1",
                 "SELECT /* ; */ 2", NULL);
    expect_split(f, "SELECT 'x' -- it's a comment\n; SELECT 2", "SELECT 'x' -- it's a comment",
                 "SELECT 2", NULL);
    expect_split(f, "SELECT 1 /* it's */; SELECT 2", "SELECT 1 /* it's */", "SELECT 2", NULL);
    /* Comment-only segments are dropped, at the end and in the middle. */
    expect_split(f, "SELECT 1;\n-- the end\n", "SELECT 1", NULL);
    expect_split(f, "SELECT 1;\n/* the end; really */\n  ", "SELECT 1", NULL);
    expect_split(f, "SELECT 1; -- a\n/* b */ ; SELECT 2", "SELECT 1", "SELECT 2", NULL);
    expect_split(f, "-- only a comment", NULL);
    expect_split(f, "SELECT 1 -- no newline at the end", "SELECT 1 -- no newline at the end", NULL);
    expect_split(f, "SELECT 10 - 1; SELECT 2 / 1", "SELECT 10 - 1", "SELECT 2 / 1", NULL);
}

static void test_dollar_quotes(void **state)
{
    unit_fixture_t *f = *state;
    const char *fn = "CREATE FUNCTION f() RETURNS trigger AS $$\n"
                     "BEGIN\n"
                     "  NEW.x := 1; RETURN NEW;\n"
                     "END;\n"
                     "$$ LANGUAGE plpgsql";
    expect_split(f, apr_pstrcat(f->pool, fn, ";\nSELECT 2;", NULL), fn, "SELECT 2", NULL);

    const char *tagged = "DO $body$ BEGIN PERFORM 1; PERFORM '$$'; $x$ ; $x$ END $body$";
    expect_split(f, apr_pstrcat(f->pool, tagged, "; SELECT 3", NULL), tagged, "SELECT 3", NULL);
    expect_split(f, "SELECT $a_1$;$a_1$; SELECT 2", "SELECT $a_1$;$a_1$", "SELECT 2", NULL);
    /* Positional parameters and $ inside identifiers are not dollar quotes. */
    expect_split(f, "SELECT $1; SELECT $2", "SELECT $1", "SELECT $2", NULL);
    expect_split(f, "SELECT a$b$c; SELECT 2", "SELECT a$b$c", "SELECT 2", NULL);
    expect_split(f, "SELECT $$it's; -- no$$; SELECT 2", "SELECT $$it's; -- no$$", "SELECT 2", NULL);
}

static void test_unterminated(void **state)
{
    unit_fixture_t *f = *state;
    expect_error(f, "SELECT 1;\nSELECT 'abc;\n", "line 2: unterminated ' quote");
    expect_error(f, "SELECT 1;\n\n\nSELECT \"abc", "line 4: unterminated \" quote");
    expect_error(f, "SELECT `abc", "line 1: unterminated ` quote");
    expect_error(f, "SELECT 'it''s", "line 1: unterminated ' quote");
    expect_error(f, "SELECT 'ends with a backslash\\", "line 1: unterminated ' quote");
    expect_error(f, "SELECT 'escaped\\';\n", "line 1: unterminated ' quote");
    expect_error(f, "SELECT 1;\n/* open\n; SELECT 2;", "line 2: unterminated /* comment");
    expect_error(f, "SELECT 1;\nCREATE FUNCTION f() AS $$\nBEGIN; END;\n",
                 "line 2: unterminated $$ quote");
    expect_error(f, "\n\nDO $fn$ BEGIN END $other$;", "line 3: unterminated $fn$ quote");
    expect_error(f, "SELECT 1; -- fine\n'", "line 2: unterminated ' quote");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_basic),
        UNIT_TEST(test_single_quotes),
        UNIT_TEST(test_double_quotes_and_backticks),
        UNIT_TEST(test_comments),
        UNIT_TEST(test_dollar_quotes),
        UNIT_TEST(test_unterminated),
    };
    if (apr_initialize() != APR_SUCCESS) {
        return 1;
    }
    int rc = cmocka_run_group_tests_name("sqlsplit", tests, NULL, NULL);
    apr_terminate();
    return rc;
}
