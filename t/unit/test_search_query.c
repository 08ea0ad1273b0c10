/* t/unit/test_search_query.c — lib/search/query.h: Oro's search query language, parsed
 * into a tree, and its syntax errors with positions. */
#include "unit.h"

#include "search/query.h"

static oro_search_query_t *parse_ok(unit_fixture_t *f, const char *text)
{
    oro_search_parse_error_t err;
    oro_search_query_t *q = oro_search_query_parse(f->pool, text, strlen(text), &err);
    if (q == NULL) {
        fail_msg("\"%s\" did not parse: %s", text, err.message);
    }
    return q;
}

static void expect_error(unit_fixture_t *f, const char *text, int position, const char *part)
{
    oro_search_parse_error_t err;
    oro_search_query_t *q = oro_search_query_parse(f->pool, text, strlen(text), &err);
    if (q != NULL) {
        fail_msg("\"%s\" parsed but should not", text);
    }
    assert_non_null(err.message);
    if (err.position != position) {
        fail_msg("\"%s\": error at %d, expected %d (%s)", text, err.position, position,
                 err.message);
    }
    assert_contains(err.message, part);
    assert_contains(err.message, apr_psprintf(f->pool, "at position %d:", position));
}

/* The tree as text: (a and b), (a or b), "type field op [values]". */
static const char *show(apr_pool_t *p, const oro_search_expr_t *e)
{
    if (e->kind != ORO_SQ_COND) {
        return apr_psprintf(p, "(%s %s %s)", show(p, e->left), e->kind == ORO_SQ_AND ? "and" : "or",
                            show(p, e->right));
    }
    const char *out = apr_psprintf(p, "%s %s %s", oro_search_type_name(e->type), e->field,
                                   oro_search_op_name(e->op));
    for (int i = 0; i < e->values->nelts; i++) {
        out = apr_pstrcat(p, out, i ? "," : " ", APR_ARRAY_IDX(e->values, i, const char *), NULL);
    }
    return out;
}

static void test_full_query(void **state)
{
    unit_fixture_t *f = *state;
    oro_search_query_t *q = parse_ok(
        f, "select (firstName, integer age) from (contacts, accounts) where firstName ~ \"jo\" "
           "and integer age > 30 order_by integer age DESC offset 10 max_results 20 "
           "aggregate text lastName count as names");
    assert_int_equal(q->select->nelts, 2);
    assert_string_equal(APR_ARRAY_IDX(q->select, 1, oro_search_field_ref_t).name, "age");
    assert_int_equal(APR_ARRAY_IDX(q->select, 1, oro_search_field_ref_t).type, ORO_SEARCH_INTEGER);
    assert_int_equal(q->from->nelts, 2);
    assert_string_equal(APR_ARRAY_IDX(q->from, 1, const char *), "accounts");
    assert_string_equal(show(f->pool, q->where), "(text firstName ~ jo and integer age > 30)");
    assert_int_equal(q->has_order, 1);
    assert_string_equal(q->order_by.name, "age");
    assert_int_equal(q->order_descending, 1);
    assert_int_equal(q->offset, 10);
    assert_int_equal(q->max_results, 20);
    assert_int_equal(q->aggregates->nelts, 1);
    oro_search_aggregate_t *a = &APR_ARRAY_IDX(q->aggregates, 0, oro_search_aggregate_t);
    assert_string_equal(a->field, "lastName");
    assert_string_equal(a->function, "count");
    assert_string_equal(a->alias, "names");
}

static void test_precedence_and_parentheses(void **state)
{
    unit_fixture_t *f = *state;
    oro_search_query_t *q = parse_ok(f, "where a = 1 or b = 2 and c = 3");
    assert_string_equal(show(f->pool, q->where), "(text a = 1 or (text b = 2 and text c = 3))");
    q = parse_ok(f, "where (a = 1 or b = 2) and c = 3");
    assert_string_equal(show(f->pool, q->where), "((text a = 1 or text b = 2) and text c = 3)");
    q = parse_ok(f, "WHERE ((a = 1)) AND NOT_A_KEYWORD != 'x y'");
    assert_string_equal(show(f->pool, q->where), "(text a = 1 and text NOT_A_KEYWORD != x y)");
}

static void test_operators(void **state)
{
    unit_fixture_t *f = *state;
    static const struct {
        const char *text, *tree;
    } cases[] = {
        {"where a ~ x", "text a ~ x"},
        {"where a !~ x", "text a !~ x"},
        {"where a = x", "text a = x"},
        {"where a != x", "text a != x"},
        {"where integer a > 1", "integer a > 1"},
        {"where integer a >= 1", "integer a >= 1"},
        {"where decimal a < 1.5", "decimal a < 1.5"},
        {"where decimal a <= -2", "decimal a <= -2"},
        {"where a in (x, 'y z', \"w\")", "text a in x,y z,w"},
        {"where integer a !in (1,2)", "integer a !in 1,2"},
        {"where a starts_with jo", "text a starts_with jo"},
        {"where a like oh", "text a like oh"},
        {"where a notlike oh", "text a notlike oh"},
        {"where a exists", "text a exists"},
        {"where a notexists", "text a notexists"},
        {"where datetime d > '2020-01-02 03:04:05'", "datetime d > 2020-01-02 03:04:05"},
        {"where text = x", "text text = x"}, /* a field named like a type */
        {"where a = 'it\\'s'", "text a = it's"},
        {"where email = john@example.com", "text email = john@example.com"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        oro_search_query_t *q = parse_ok(f, cases[i].text);
        assert_string_equal(show(f->pool, q->where), cases[i].tree);
    }
}

static void test_numbers(void **state)
{
    unit_fixture_t *f = *state;
    oro_search_query_t *q = parse_ok(f, "where datetime d >= 1970-01-02");
    assert_true(APR_ARRAY_IDX(q->where->numbers, 0, double) == 86400.0);
    q = parse_ok(f, "where decimal x = 2.5e3");
    assert_true(APR_ARRAY_IDX(q->where->numbers, 0, double) == 2500.0);
    double s;
    assert_int_equal(oro_search_parse_datetime("2000-03-01T00:00:00Z", &s), 0);
    assert_true(s == 951868800.0);
    assert_int_equal(oro_search_parse_datetime("2000-13-01", &s), -1);
    assert_int_equal(oro_search_parse_datetime("2000-01-01 25:00:00", &s), -1);
    assert_int_equal(oro_search_parse_datetime("2000-01-01x", &s), -1);
}

static void test_from_star_and_defaults(void **state)
{
    unit_fixture_t *f = *state;
    oro_search_query_t *q = parse_ok(f, "from *");
    assert_int_equal(q->from->nelts, 0);
    assert_null(q->where);
    assert_int_equal(q->offset, -1);
    assert_int_equal(q->max_results, -1);
    q = parse_ok(f, "aggregate integer n sum aggregate integer n max top");
    assert_int_equal(q->aggregates->nelts, 2);
    assert_string_equal(APR_ARRAY_IDX(q->aggregates, 0, oro_search_aggregate_t).alias, "nsum");
    assert_string_equal(APR_ARRAY_IDX(q->aggregates, 1, oro_search_aggregate_t).alias, "top");
    q = parse_ok(f, "order_by name");
    assert_int_equal(q->order_descending, 0);
    assert_int_equal(q->order_by.type, ORO_SEARCH_TEXT);
}

static void test_errors(void **state)
{
    unit_fixture_t *f = *state;
    expect_error(f, "", 0, "expected a clause");
    expect_error(f, "   ", 3, "expected a clause");
    expect_error(f, "where", 5, "expected a field name but found the end of the query");
    expect_error(f, "where a", 7, "expected an operator");
    expect_error(f, "where a ~", 9, "expected a value");
    expect_error(f, "where a ~ )", 10, "expected a value but found \")\"");
    expect_error(f, "where (a ~ b", 12, "expected \")\"");
    expect_error(f, "where a ~ b c", 12, "expected a clause");
    expect_error(f, "where integer a > x", 18, "expected an integer number");
    expect_error(f, "where integer a > 1.5", 18, "expected an integer number");
    expect_error(f, "where decimal a > 1e999", 18, "expected a decimal number");
    expect_error(f, "where a > 1", 8, "does not apply to text fields");
    expect_error(f, "where integer a ~ 1", 16, "does not apply to integer fields");
    expect_error(f, "where a in x", 11, "expected \"(\"");
    expect_error(f, "where a in (x y)", 14, "expected \",\" or \")\"");
    expect_error(f, "where a in ()", 12, "expected a value");
    expect_error(f, "where a = 'open", 10, "unterminated string");
    expect_error(f, "where a ! b", 8, "\"!\" not followed");
    expect_error(f, "from contacts from x", 14, "\"from\" appears twice");
    expect_error(f, "from 1x", 5, "expected an entity type");
    expect_error(f, "max_results -1", 12, "expected a number");
    expect_error(f, "offset 1234567890", 7, "expected a number");
    expect_error(f, "order_by", 8, "expected a field name");
    expect_error(f, "aggregate a", 11, "expected an aggregate function");
    expect_error(f, "aggregate a avg", 12, "needs a number field");
    expect_error(f, "aggregate integer a avg as", 26, "expected an alias");
    expect_error(f, "select (a,", 10, "expected a field name");
    expect_error(f, "where datetime d > tomorrow", 19, "expected a date");
    /* NUL bytes inside the text are refused, not truncated */
    oro_search_parse_error_t err;
    assert_null(oro_search_query_parse(f->pool, "where a = x\0y", 13, &err));
    assert_contains(err.message, "NUL");
}

static void test_limits(void **state)
{
    unit_fixture_t *f = *state;
    char *deep = apr_pcalloc(f->pool, 200);
    strcpy(deep, "where ");
    for (int i = 0; i < 40; i++) {
        strcat(deep, "(");
    }
    strcat(deep, "a = b");
    oro_search_parse_error_t err;
    assert_null(oro_search_query_parse(f->pool, deep, strlen(deep), &err));
    assert_contains(err.message, "nested deeper than 32");
    size_t n = ORO_SEARCH_QUERY_MAX + 1;
    char *big = apr_palloc(f->pool, n + 1);
    memset(big, ' ', n);
    big[n] = '\0';
    assert_null(oro_search_query_parse(f->pool, big, n, &err));
    assert_contains(err.message, "longer than");
    /* 1000 values in a list are fine, 1001 are not */
    char *list = apr_pstrdup(f->pool, "where a in (");
    for (int i = 0; i < 1001; i++) {
        list = apr_pstrcat(f->pool, list, i ? ",x" : "x", NULL);
    }
    list = apr_pstrcat(f->pool, list, ")", NULL);
    assert_null(oro_search_query_parse(f->pool, list, strlen(list), &err));
    assert_contains(err.message, "more than 1000 values");
}

int main(void)
{
    apr_initialize();
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_full_query),
        UNIT_TEST(test_precedence_and_parentheses),
        UNIT_TEST(test_operators),
        UNIT_TEST(test_numbers),
        UNIT_TEST(test_from_star_and_defaults),
        UNIT_TEST(test_errors),
        UNIT_TEST(test_limits),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    apr_terminate();
    return rc;
}
