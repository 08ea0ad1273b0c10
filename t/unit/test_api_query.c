/* t/unit/test_api_query.c — lib/api/query: percent-decoding, canonical values per type,
 * and the query parameters of a list request (filter, sort, page, include, fields, meta)
 * against conf.d/entities and a synthetic entity holding every field type. */
#include "unit.h"

#include "api/query.h"
#include "meta/meta.h"

#ifndef ORO_SOURCE_ROOT
#define ORO_SOURCE_ROOT "."
#endif
#define ENTITY_DIR ORO_SOURCE_ROOT "/conf.d/entities"

/* One entity of every field type; "t" is a filterable text, "hidden" is not filterable. */
static const char things_json[] =
    "{\"type\": \"things\", \"table\": \"thing\", \"label\": \"Thing\", \"ownership\": \"none\","
    " \"fields\": {"
    "  \"s\": {\"type\": \"string\", \"length\": 5},"
    "  \"t\": {\"type\": \"text\", \"filterable\": true},"
    "  \"i\": {\"type\": \"integer\"}, \"b\": {\"type\": \"bigint\"},"
    "  \"d\": {\"type\": \"decimal\", \"precision\": 5, \"scale\": 2},"
    "  \"m\": {\"type\": \"money\"}, \"f\": {\"type\": \"boolean\"},"
    "  \"day\": {\"type\": \"date\"}, \"at\": {\"type\": \"datetime\"},"
    "  \"e\": {\"type\": \"enum\", \"values\": [\"red\", \"green\"]},"
    "  \"mail\": {\"type\": \"email\"}, \"tel\": {\"type\": \"phone\"},"
    "  \"web\": {\"type\": \"url\"},"
    "  \"hidden\": {\"type\": \"string\", \"filterable\": false, \"sortable\": false}},"
    " \"relations\": {"
    "  \"parent\": {\"type\": \"many-to-one\", \"target\": \"things\"},"
    "  \"children\": {\"type\": \"one-to-many\", \"target\": \"things\", \"mappedBy\": "
    "\"parent\"}}}";

static const oro_api_limits_t limits = {10, 100, 0};

static const oro_meta_t *real_meta(unit_fixture_t *f)
{
    apr_array_header_t *errors = NULL;
    oro_meta_t *meta = oro_meta_load(f->pool, ENTITY_DIR, &errors);
    if (errors != NULL) {
        fail_msg("conf.d/entities does not load:\n%s", oro_meta_errors_text(f->pool, errors));
    }
    return meta;
}

static const oro_meta_t *things_meta(unit_fixture_t *f)
{
    apr_hash_t *texts = apr_hash_make(f->pool);
    apr_hash_set(texts, "things.json", APR_HASH_KEY_STRING, things_json);
    apr_array_header_t *errors = NULL;
    oro_meta_t *meta = oro_meta_load_texts(f->pool, texts, &errors);
    if (errors != NULL) {
        fail_msg("things does not load:\n%s", oro_meta_errors_text(f->pool, errors));
    }
    return meta;
}

/* The meta holding type: "things" is synthetic, anything else is conf.d/entities.
 * Loaded once per test (per fixture pool). */
static const oro_meta_t *meta_for(unit_fixture_t *f, const char *type)
{
    static apr_pool_t *pool;
    static const oro_meta_t *real, *things;
    if (pool != f->pool) {
        pool = f->pool;
        real = real_meta(f);
        things = things_meta(f);
    }
    return strcmp(type, "things") == 0 ? things : real;
}

static const char *errors_text(apr_pool_t *p, const apr_array_header_t *errors)
{
    const char *s = "";
    for (int i = 0; errors && i < errors->nelts; i++) {
        const oro_api_error_t *e = &APR_ARRAY_IDX(errors, i, oro_api_error_t);
        s = apr_psprintf(p, "%s[%d %s | %s | %s]\n", s, e->status, e->title,
                         e->parameter ? e->parameter : "(null)", e->detail);
    }
    return s;
}

static apr_array_header_t *parse(unit_fixture_t *f, const char *type, const char *args,
                                 const oro_api_limits_t *lim, oro_api_query_t **query)
{
    const oro_meta_t *meta = meta_for(f, type);
    const oro_entity_t *entity = oro_meta_entity(meta, type);
    assert_non_null(entity);
    apr_array_header_t *errors = (void *)1;
    *query = oro_api_query_parse(f->pool, meta, entity, args, lim, &errors);
    return errors;
}

/* Parses args for type and expects success. */
static oro_api_query_t *parse_ok(unit_fixture_t *f, const char *type, const char *args)
{
    oro_api_query_t *q;
    apr_array_header_t *errors = parse(f, type, args, &limits, &q);
    if (errors != NULL) {
        fail_msg("%s?%s: unexpected errors:\n%s", type, args, errors_text(f->pool, errors));
    }
    assert_non_null(q);
    assert_ptr_equal(q->entity, oro_meta_entity(meta_for(f, type), type));
    return q;
}

/* Parses args for type and expects exactly one error (400, title, parameter or NULL,
 * a detail containing detail). */
static void expect_error(unit_fixture_t *f, const char *type, const char *args, const char *title,
                         const char *parameter, const char *detail)
{
    oro_api_query_t *q;
    apr_array_header_t *errors = parse(f, type, args, &limits, &q);
    if (errors == NULL || errors->nelts != 1) {
        fail_msg("%s?%s: expected one error (%s), got:\n%s", type, args, detail,
                 errors_text(f->pool, errors));
    }
    assert_null(q);
    const oro_api_error_t *e = &APR_ARRAY_IDX(errors, 0, oro_api_error_t);
    assert_int_equal(e->status, 400);
    assert_string_equal(e->title, title);
    if (parameter == NULL) {
        assert_null(e->parameter);
    }
    else {
        assert_non_null(e->parameter);
        assert_string_equal(e->parameter, parameter);
    }
    assert_null(e->pointer);
    assert_contains(e->detail, detail);
}

/* The only filter of q as "name op v1|v2" or "name op from..to". */
static const char *filter_text(apr_pool_t *p, const oro_api_query_t *q)
{
    static const char *const ops[] = {"eq",        "neq",          "lt",          "lte",
                                      "gt",        "gte",          "exists",      "neq_or_null",
                                      "contains",  "not_contains", "starts_with", "not_starts_with",
                                      "ends_with", "not_ends_with"};
    assert_int_equal(q->filters->nelts, 1);
    const oro_filter_t *flt = &APR_ARRAY_IDX(q->filters, 0, oro_filter_t);
    assert_true((flt->field == NULL) != (flt->relation == NULL));
    if (flt->range_from != NULL) {
        assert_int_equal(flt->values->nelts, 0);
        return apr_psprintf(p, "%s %s %s..%s", flt->name, ops[flt->op], flt->range_from,
                            flt->range_to);
    }
    const char *s = apr_psprintf(p, "%s %s ", flt->name, ops[flt->op]);
    for (int i = 0; i < flt->values->nelts; i++) {
        s = apr_pstrcat(p, s, i ? "|" : "", APR_ARRAY_IDX(flt->values, i, const char *), NULL);
    }
    return s;
}

static void expect_filter(unit_fixture_t *f, const char *type, const char *args,
                          const char *expected)
{
    const char *got = filter_text(f->pool, parse_ok(f, type, args));
    if (strcmp(got, expected) != 0) {
        fail_msg("%s?%s: expected \"%s\", got \"%s\"", type, args, expected, got);
    }
}

/* The sort of q as "a,-b,id". */
static const char *sort_text(apr_pool_t *p, const oro_api_query_t *q)
{
    const char *s = "";
    for (int i = 0; i < q->sort->nelts; i++) {
        const oro_sort_t *k = &APR_ARRAY_IDX(q->sort, i, oro_sort_t);
        assert_true((k->field == NULL) != (k->relation == NULL));
        s = apr_pstrcat(p, s, i ? "," : "", k->descending ? "-" : "", k->name, NULL);
    }
    return s;
}

/* ---- oro_api_url_decode ------------------------------------------------------------- */

static const char *decode(unit_fixture_t *f, const char *s)
{
    return oro_api_url_decode(f->pool, s, strlen(s));
}

static void test_url_decode(void **state)
{
    unit_fixture_t *f = *state;
    assert_string_equal(decode(f, "a+b%20c"), "a b c");
    assert_string_equal(decode(f, "%41%6a%6A%2B"), "Ajj+");
    assert_string_equal(decode(f, "%C3%A9t%C3%A9"), "été");
    assert_string_equal(decode(f, "%F0%9F%98%80"), "\xF0\x9F\x98\x80");
    assert_string_equal(decode(f, ""), "");
    assert_string_equal(oro_api_url_decode(f->pool, "abc%41", 3), "abc");
    assert_null(oro_api_url_decode(f->pool, "ab%4", 4)); /* length cuts the escape */
    assert_null(decode(f, "%"));
    assert_null(decode(f, "%4"));
    assert_null(decode(f, "%zz"));
    assert_null(decode(f, "%00"));
    assert_null(decode(f, "a%00b"));
    assert_null(decode(f, "%C3%28"));       /* bad continuation */
    assert_null(decode(f, "%C0%AF"));       /* overlong */
    assert_null(decode(f, "%ED%A0%80"));    /* surrogate */
    assert_null(decode(f, "%F4%90%80%80")); /* above U+10FFFF */
    assert_null(decode(f, "%E2%82"));       /* truncated */
    assert_null(decode(f, "\xFF"));
}

/* ---- oro_api_canonical_value -------------------------------------------------------- */

static const oro_field_t *field_of(unit_fixture_t *f, const char *name)
{
    const oro_meta_t *meta = meta_for(f, "things");
    const oro_field_t *field = oro_meta_field(oro_meta_entity(meta, "things"), name);
    assert_non_null(field);
    return field;
}

static void expect_canonical(unit_fixture_t *f, const char *field, const char *text,
                             const char *expected)
{
    const char *why = "unset";
    const char *v = oro_api_canonical_value(f->pool, field_of(f, field), text, &why);
    if (v == NULL || strcmp(v, expected) != 0) {
        fail_msg("%s \"%s\": expected \"%s\", got \"%s\" (%s)", field, text, expected,
                 v ? v : "NULL", why ? why : "");
    }
    assert_null(why);
}

static void expect_invalid(unit_fixture_t *f, const char *field, const char *text,
                           const char *why_part)
{
    const char *why = NULL;
    const char *v = oro_api_canonical_value(f->pool, field_of(f, field), text, &why);
    if (v != NULL) {
        fail_msg("%s \"%s\": expected an error, got \"%s\"", field, text, v);
    }
    assert_contains(why, why_part);
}

static void test_value_integers(void **state)
{
    unit_fixture_t *f = *state;
    expect_canonical(f, "i", "42", "42");
    expect_canonical(f, "i", "-7", "-7");
    expect_canonical(f, "i", "+5", "5");
    expect_canonical(f, "i", "007", "7");
    expect_canonical(f, "i", "2147483647", "2147483647");
    expect_canonical(f, "i", "-2147483648", "-2147483648");
    expect_invalid(f, "i", "2147483648", "out of range for an integer");
    expect_invalid(f, "i", "-2147483649", "out of range");
    expect_invalid(f, "i", "1.5", "is not a whole number");
    expect_invalid(f, "i", "1e3", "is not a whole number");
    expect_invalid(f, "i", "-", "is not a whole number");
    expect_invalid(f, "i", " 1", "is not a whole number");
    expect_invalid(f, "i", "", "is empty");
    expect_canonical(f, "b", "9223372036854775807", "9223372036854775807");
    expect_canonical(f, "b", "-9223372036854775808", "-9223372036854775808");
    expect_invalid(f, "b", "9223372036854775808", "out of range for a 64-bit integer");
    expect_invalid(f, "b", "99999999999999999999999", "out of range");
    expect_canonical(f, "id", "12", "12");
}

static void test_value_decimals(void **state)
{
    unit_fixture_t *f = *state;
    expect_canonical(f, "d", "123.45", "123.45");
    expect_canonical(f, "d", "-0.5", "-0.5");
    expect_canonical(f, "d", "+1.5", "1.5");
    expect_canonical(f, "d", "000123", "000123"); /* leading zeros are not digits of precision */
    expect_canonical(f, "d", "7", "7");
    expect_invalid(f, "d", "1e5", "is not a decimal number");
    expect_invalid(f, "d", "1.234", "has more than 2 decimal places");
    expect_invalid(f, "d", "1234.5", "has more than 3 digits before the decimal point");
    expect_invalid(f, "d", ".5", "is not a decimal number");
    expect_invalid(f, "d", "1.", "is not a decimal number");
    expect_invalid(f, "d", "1,5", "is not a decimal number");
    expect_invalid(f, "d", "", "is empty");
    expect_canonical(f, "m", "123456789012345.1234", "123456789012345.1234");
    expect_invalid(f, "m", "1234567890123456", "has more than 15 digits");
    expect_invalid(f, "m", "1.12345", "has more than 4 decimal places");
}

static void test_value_booleans_enums_strings(void **state)
{
    unit_fixture_t *f = *state;
    expect_canonical(f, "f", "true", "1");
    expect_canonical(f, "f", "YES", "1");
    expect_canonical(f, "f", "1", "1");
    expect_canonical(f, "f", "false", "0");
    expect_canonical(f, "f", "no", "0");
    expect_canonical(f, "f", "0", "0");
    expect_invalid(f, "f", "maybe", "is not a boolean");
    expect_invalid(f, "f", "2", "is not a boolean");
    expect_invalid(f, "f", "", "is empty");
    expect_canonical(f, "e", "red", "red");
    expect_invalid(f, "e", "blue", "is not one of the values of \"e\" (red, green)");
    expect_invalid(f, "e", "RED", "is not one of");
    expect_canonical(f, "s", "abcde", "abcde");
    expect_canonical(f, "s", "ééééé", "ééééé"); /* 5 characters, 10 bytes */
    expect_canonical(f, "s", "", "");
    expect_invalid(f, "s", "abcdef", "is longer than 5 characters");
    expect_canonical(f, "mail", "a@example.com", "a@example.com");
    expect_canonical(f, "tel", "+1 555", "+1 555");
    expect_canonical(f, "web", "https://example.com/?a=1", "https://example.com/?a=1");
    char *long_phone = apr_pcalloc(f->pool, 52);
    memset(long_phone, '5', 51);
    expect_invalid(f, "tel", long_phone, "is longer than 50 characters");
}

static void test_value_dates(void **state)
{
    unit_fixture_t *f = *state;
    expect_canonical(f, "day", "2024-02-29", "2024-02-29");
    expect_canonical(f, "day", "2000-02-29", "2000-02-29");
    expect_invalid(f, "day", "1900-02-29", "is not a date (YYYY-MM-DD)");
    expect_invalid(f, "day", "2023-02-29", "is not a date");
    expect_invalid(f, "day", "2023-02-30", "is not a date");
    expect_invalid(f, "day", "2023-04-31", "is not a date");
    expect_invalid(f, "day", "2023-13-01", "is not a date");
    expect_invalid(f, "day", "2023-1-01", "is not a date");
    expect_invalid(f, "day", "2023-01-01T00:00:00", "is not a date");
    expect_invalid(f, "day", "0000-01-01", "is not a date");
    expect_invalid(f, "day", "", "is empty");
}

static void test_value_datetimes(void **state)
{
    unit_fixture_t *f = *state;
    expect_canonical(f, "at", "2026-01-01T01:30:00+02:00", "2025-12-31 23:30:00");
    expect_canonical(f, "at", "2026-01-01T23:30:00-05:30", "2026-01-02 05:00:00");
    expect_canonical(f, "at", "2024-02-28T23:00:00-01:00", "2024-02-29 00:00:00");
    expect_canonical(f, "at", "2026-03-01T00:15:00+00:30", "2026-02-28 23:45:00");
    expect_canonical(f, "at", "2026-01-01", "2026-01-01 00:00:00");
    expect_canonical(f, "at", "2026-01-01T10:00:00", "2026-01-01 10:00:00");
    expect_canonical(f, "at", "2026-01-01T10:00:00Z", "2026-01-01 10:00:00");
    expect_canonical(f, "at", "2026-01-01T10:00:00.5Z", "2026-01-01 10:00:00.500000");
    expect_canonical(f, "at", "2026-01-01T10:00:00.123456+01:00", "2026-01-01 09:00:00.123456");
    expect_canonical(f, "at", "0001-01-01T00:00:00Z", "0001-01-01 00:00:00");
    expect_invalid(f, "at", "9999-12-31T23:00:00-02:00", "out of range");
    expect_invalid(f, "at", "0001-01-01T00:30:00+01:00", "out of range");
    expect_invalid(f, "at", "2026-01-01T24:00:00", "is not a datetime");
    expect_invalid(f, "at", "2026-01-01T10:60:00", "is not a datetime");
    expect_invalid(f, "at", "2026-01-01T10:00", "is not a datetime");
    expect_invalid(f, "at", "2026-01-01T10:00:00+2:00", "is not a datetime");
    expect_invalid(f, "at", "2026-01-01T10:00:00 02:00", "is not a datetime"); /* '+' unencoded */
    expect_invalid(f, "at", "2026-01-01T10:00:00.1234567Z", "is not a datetime");
    expect_invalid(f, "at", "2026-01-01T10:00:00.Z", "is not a datetime");
    expect_invalid(f, "at", "2026-01-01T10:00:00Zx", "is not a datetime");
    expect_invalid(f, "at", "2026-02-30T10:00:00Z", "is not a datetime");
    expect_invalid(f, "at", "yesterday", "is not a datetime");
    expect_invalid(f, "at", "", "is empty");
}

/* ---- filters: operators per type ---------------------------------------------------- */

/* Each row: a filter name of "things", a valid value, and for each operator in enum
 * order (eq neq lt lte gt gte exists neq_or_null contains not_contains starts_with
 * not_starts_with ends_with not_ends_with) whether it applies. */
static void test_filter_operator_matrix(void **state)
{
    unit_fixture_t *f = *state;
    static const char *const ops[] = {"eq",        "neq",          "lt",          "lte",
                                      "gt",        "gte",          "exists",      "neq_or_null",
                                      "contains",  "not_contains", "starts_with", "not_starts_with",
                                      "ends_with", "not_ends_with"};
    static const struct {
        const char *name, *value, *allowed;
    } rows[] = {
        {"s", "abc", "11000011111111"},
        {"mail", "a@b.c", "11000011111111"},
        {"tel", "555", "11000011111111"},
        {"web", "http:", "11000011111111"},
        {"t", "long", "00000010111111"},
        {"i", "5", "11111111000000"},
        {"b", "5", "11111111000000"},
        {"id", "5", "11111111000000"},
        {"d", "1.25", "11111111000000"},
        {"m", "9.99", "11111111000000"},
        {"day", "2024-01-01", "11111111000000"},
        {"at", "2024-01-01T10:00:00Z", "11111111000000"},
        {"createdAt", "2024-01-01", "11111111000000"},
        {"f", "true", "11000011000000"},
        {"e", "red", "11000011000000"},
        {"parent", "7", "11000011000000"},
        {"children", "7", "11000011000000"},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        for (int op = 0; op < 14; op++) {
            const char *value = op == ORO_OP_EXISTS ? "true" : rows[r].value;
            const char *key = apr_psprintf(f->pool, "filter[%s][%s]", rows[r].name, ops[op]);
            const char *args = apr_psprintf(f->pool, "%s=%s", key, value);
            if (rows[r].allowed[op] == '1') {
                oro_api_query_t *q = parse_ok(f, "things", args);
                const oro_filter_t *flt = &APR_ARRAY_IDX(q->filters, 0, oro_filter_t);
                assert_int_equal(flt->op, op);
                assert_int_equal(flt->values->nelts, 1);
            }
            else {
                expect_error(f, "things", args, "filter constraint", key,
                             apr_psprintf(f->pool, "the operator \"%s\" cannot be used with \"%s\"",
                                          ops[op], rows[r].name));
            }
        }
    }
}

static void test_filter_values_canonical(void **state)
{
    unit_fixture_t *f = *state;
    expect_filter(f, "contacts", "filter[lastName]=Smith", "lastName eq Smith");
    expect_filter(f, "contacts", "filter[lastName][eq]=Smith,Jones", "lastName eq Smith|Jones");
    expect_filter(f, "contacts", "filter[lastName][neq]=a,b,c", "lastName neq a|b|c");
    expect_filter(f, "contacts", "filter[lastName][contains]=a,b", "lastName contains a,b");
    expect_filter(f, "contacts", "filter[lastName][neq_or_null]=a,b", "lastName neq_or_null a|b");
    expect_filter(f, "contacts", "filter[lastName][starts_with]=Mc", "lastName starts_with Mc");
    expect_filter(f, "contacts", "filter[lastName][not_ends_with]=son",
                  "lastName not_ends_with son");
    expect_filter(f, "contacts", "filter[gender]=male,female", "gender eq male|female");
    expect_filter(f, "contacts", "filter[birthday][gte]=1990-01-01", "birthday gte 1990-01-01");
    expect_filter(f, "contacts", "filter[birthday][exists]=no", "birthday exists 0");
    expect_filter(f, "contacts", "filter[account][exists]=YES", "account exists 1");
    expect_filter(f, "contacts", "filter[id]=1,2,3", "id eq 1|2|3");
    expect_filter(f, "contacts", "filter[updatedAt][lt]=2026-01-01T01:30:00%2B02:00",
                  "updatedAt lt 2025-12-31 23:30:00");
    expect_filter(f, "users", "filter[enabled]=yes", "enabled eq 1");
    expect_filter(f, "users", "filter[enabled][neq]=false", "enabled neq 0");
    expect_filter(f, "users", "filter[loginCount][gt]=%2B10", "loginCount gt 10");
    expect_filter(f, "opportunities", "filter[probability][lte]=0.75", "probability lte 0.75");
    expect_filter(f, "opportunities", "filter[budget]=100,200.5", "budget eq 100|200.5");
    expect_filter(f, "things", "filter[t][contains]=x", "t contains x");
    expect_filter(f, "things", "filter[s]=", "s eq ");
}

static void test_filter_symbolic_forms(void **state)
{
    unit_fixture_t *f = *state;
    expect_filter(f, "contacts", "filter[lastName]!=Smith", "lastName neq Smith");
    expect_filter(f, "contacts", "filter[id]!=1,2", "id neq 1|2");
    expect_filter(f, "contacts", "filter[id]<=5", "id lte 5");
    expect_filter(f, "contacts", "filter[id]>=5", "id gte 5");
    expect_filter(f, "contacts", "filter[id]<5", "id lt 5");
    expect_filter(f, "contacts", "filter[id]>5", "id gt 5");
    expect_filter(f, "contacts", "filter[id]<>5", "id neq 5");
    expect_filter(f, "contacts", "filter%5Bid%5D%3C=5", "id lte 5"); /* the same after decoding */
    expect_filter(f, "contacts", "filter[id]%3C5", "id lt 5");
    expect_filter(f, "contacts", "filter[birthday]>=2000-01-01", "birthday gte 2000-01-01");
    expect_error(f, "contacts", "filter[lastName]<=Smith", "filter constraint", "filter[lastName]<",
                 "the operator \"lte\" cannot be used with \"lastName\" (a string)");
    expect_error(f, "contacts", "filter[id]<=x", "filter constraint", "filter[id]<",
                 "the value \"x\" of filter \"id\" is not a whole number");
    expect_error(f, "contacts", "filter[id]!", "filter constraint", "filter[id]!",
                 "is not a filter");
    expect_error(f, "contacts", "filter[id]~=5", "filter constraint", "filter[id]~",
                 "is not a filter");
}

static void test_filter_ranges(void **state)
{
    unit_fixture_t *f = *state;
    expect_filter(f, "contacts", "filter[id]=1..10", "id eq 1..10");
    expect_filter(f, "contacts", "filter[birthday]=1990-01-01..1999-12-31",
                  "birthday eq 1990-01-01..1999-12-31");
    expect_filter(f, "contacts", "filter[createdAt]=2026-01-01T01:30:00%2B02:00..2026-01-02",
                  "createdAt eq 2025-12-31 23:30:00..2026-01-02 00:00:00");
    expect_filter(f, "opportunities", "filter[budget]=1.5..2", "budget eq 1.5..2");
    expect_filter(f, "contacts", "filter[lastName]=a..b", "lastName eq a..b"); /* not a range */
    expect_error(f, "contacts", "filter[id]=1..x", "filter constraint", "filter[id]",
                 "the range end \"x\" of filter \"id\" is not a whole number");
    expect_error(f, "contacts", "filter[id]=..5", "filter constraint", "filter[id]",
                 "the range start \"\" of filter \"id\" is empty");
    expect_error(f, "contacts", "filter[id][neq]=1..5", "filter constraint", "filter[id][neq]",
                 "the value \"1..5\" of filter \"id\" is not a whole number");
    expect_error(f, "contacts", "filter[id][gt]=1..5", "filter constraint", "filter[id][gt]",
                 "is not a whole number");
    expect_error(f, "contacts", "filter[account]=1..5", "filter constraint", "filter[account]",
                 "is not an id");
}

static void test_filter_invalid_values(void **state)
{
    unit_fixture_t *f = *state;
    expect_error(f, "things", "filter[i]=2147483648", "filter constraint", "filter[i]",
                 "the value \"2147483648\" of filter \"i\" is out of range for an integer");
    expect_error(f, "things", "filter[b]=9223372036854775808", "filter constraint", "filter[b]",
                 "out of range");
    expect_error(f, "things", "filter[day]=2023-02-30", "filter constraint", "filter[day]",
                 "\"2023-02-30\" of filter \"day\" is not a date (YYYY-MM-DD)");
    expect_error(f, "things", "filter[d]=1e5", "filter constraint", "filter[d]",
                 "is not a decimal number");
    expect_error(f, "things", "filter[d][gt]=1.001", "filter constraint", "filter[d][gt]",
                 "has more than 2 decimal places");
    expect_error(f, "things", "filter[s][contains]=abcdef", "filter constraint",
                 "filter[s][contains]", "is longer than 5 characters");
    expect_error(f, "things", "filter[e]=blue", "filter constraint", "filter[e]",
                 "the value \"blue\" of filter \"e\" is not one of");
    expect_error(f, "things", "filter[f]=maybe", "filter constraint", "filter[f]",
                 "is not a boolean");
    expect_error(f, "things", "filter[at]=2026-13-01", "filter constraint", "filter[at]",
                 "is not a datetime");
    expect_error(f, "things", "filter[i]=", "filter constraint", "filter[i]", "is empty");
    expect_error(f, "things", "filter[i]=1,,2", "filter constraint", "filter[i]", "is empty");
    expect_error(f, "things", "filter[s][exists]=maybe", "filter constraint", "filter[s][exists]",
                 "is not true or false");
    /* every bad item of a list is reported */
    oro_api_query_t *q;
    apr_array_header_t *errors = parse(f, "things", "filter[i]=x,1,y", &limits, &q);
    assert_null(q);
    assert_non_null(errors);
    assert_int_equal(errors->nelts, 2);
    /* a long value is cut in the message */
    char *long_value = apr_pcalloc(f->pool, 301);
    memset(long_value, 'x', 300);
    oro_api_query_t *q2;
    errors = parse(f, "things", apr_pstrcat(f->pool, "filter[i]=", long_value, NULL), &limits, &q2);
    assert_int_equal(errors->nelts, 1);
    const char *detail = APR_ARRAY_IDX(errors, 0, oro_api_error_t).detail;
    assert_contains(detail, "xxx…\"");
    assert_true(strlen(detail) < 200);
}

static void test_filter_relations(void **state)
{
    unit_fixture_t *f = *state;
    expect_filter(f, "contacts", "filter[account]=1,2", "account eq 1|2");
    expect_filter(f, "contacts", "filter[account][neq]=3", "account neq 3");
    expect_filter(f, "contacts", "filter[account][neq_or_null]=3", "account neq_or_null 3");
    expect_filter(f, "contacts", "filter[opportunities]=4", "opportunities eq 4");
    expect_filter(f, "contacts", "filter[opportunities][exists]=0", "opportunities exists 0");
    expect_filter(f, "contacts", "filter[owner]=9223372036854775807",
                  "owner eq 9223372036854775807");
    expect_filter(f, "contacts", "filter[organization]=1", "organization eq 1");
    expect_filter(f, "products", "filter[categories][neq]=5,6", "categories neq 5|6");
    const oro_api_query_t *q = parse_ok(f, "contacts", "filter[account]=1");
    const oro_filter_t *flt = &APR_ARRAY_IDX(q->filters, 0, oro_filter_t);
    assert_null(flt->field);
    assert_string_equal(flt->relation->name, "account");
    expect_error(f, "contacts", "filter[account]=0", "filter constraint", "filter[account]",
                 "the value \"0\" of filter \"account\" is not an id (a positive whole number)");
    expect_error(f, "contacts", "filter[account]=-1", "filter constraint", "filter[account]",
                 "is not an id");
    expect_error(f, "contacts", "filter[account]=abc", "filter constraint", "filter[account]",
                 "is not an id");
    expect_error(f, "contacts", "filter[account]=9223372036854775808", "filter constraint",
                 "filter[account]", "is not an id");
    expect_error(f, "contacts", "filter[account][gt]=1", "filter constraint", "filter[account][gt]",
                 "the operator \"gt\" cannot be used with \"account\" (a many-to-one relation)");
    expect_error(f, "products", "filter[categories][contains]=1", "filter constraint",
                 "filter[categories][contains]", "(a many-to-many relation)");
}

static void test_filter_unknown_and_malformed(void **state)
{
    unit_fixture_t *f = *state;
    expect_error(f, "contacts", "filter[foo]=1", "filter constraint", "filter[foo]",
                 "the filter \"foo\" is not supported for contacts");
    expect_error(f, "contacts", "filter[account.name]=x", "filter constraint",
                 "filter[account.name]", "is not supported for contacts");
    expect_error(f, "contacts", "filter[lastName][gtx]=1", "filter constraint",
                 "filter[lastName][gtx]", "the operator \"gtx\" is not known");
    expect_error(f, "accounts", "filter[description]=x", "filter constraint", "filter[description]",
                 "the field \"description\" of accounts is not filterable");
    /* a text field made filterable takes the text operators only */
    expect_error(f, "contacts", "filter[description]=x", "filter constraint", "filter[description]",
                 "the operator \"eq\" cannot be used with \"description\" (a text)");
    expect_error(f, "users", "filter[password]=x", "filter constraint", "filter[password]",
                 "is not filterable");
    expect_error(f, "things", "filter[hidden]=x", "filter constraint", "filter[hidden]",
                 "is not filterable");
    static const char *const malformed[] = {"filter[",         "filter[]",    "filter[a",
                                            "filter[a][b][c]", "filter[a][]", "filter[a]x",
                                            "filter[a][b",     "filter[[a]]"};
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        expect_error(f, "contacts", apr_pstrcat(f->pool, malformed[i], "=1", NULL),
                     "filter constraint", malformed[i], "is not a filter");
    }
    expect_error(f, "contacts", "filter=1", "filter constraint", "filter", "is not supported");
    /* not ours: ignored */
    const oro_api_query_t *q = parse_ok(f, "contacts", "filters=1&filterx=2&_=1&XDEBUG_SESSION=a");
    assert_int_equal(q->filters->nelts, 0);
}

/* ---- decoding, duplicates, limits -------------------------------------------------- */

static void test_decoding_in_query(void **state)
{
    unit_fixture_t *f = *state;
    expect_filter(f, "contacts", "filter%5BlastName%5D=O%27Brien+Jr", "lastName eq O'Brien Jr");
    expect_filter(f, "contacts", "filter[lastName]=M%C3%BCller", "lastName eq Müller");
    expect_filter(f, "contacts", "filter[lastName]=a%2Cb", "lastName eq a|b"); /* no escaping */
    expect_error(f, "contacts", "filter[lastName]=%C3%28", "request constraint", "filter[lastName]",
                 "the value of \"filter[lastName]\" is not valid");
    expect_error(f, "contacts", "filter[lastName]=a%00b", "request constraint", "filter[lastName]",
                 "NUL");
    expect_error(f, "contacts", "filter[lastName]=%G1", "request constraint", "filter[lastName]",
                 "percent-encoded");
    expect_error(f, "contacts", "filter%5B%ZZ=1", "request constraint", "filter%5B%ZZ",
                 "the name of a query parameter is not valid");
    expect_error(f, "contacts", "a%00=1", "request constraint", "a%00", "NUL");
    expect_error(f, "contacts", "\xFF=1", "request constraint", NULL, "is not valid");
    /* undecodable parameters are reported even when they are not ours */
    expect_error(f, "contacts", "_=%FF", "request constraint", "_", "is not valid");
    /* empty segments and a key without '=' */
    const oro_api_query_t *q = parse_ok(f, "contacts", "&&meta=title&&flag&");
    assert_true(q->meta_title);
}

static void test_duplicated_parameters(void **state)
{
    unit_fixture_t *f = *state;
    expect_filter(f, "contacts", "filter[lastName]=Smith&filter[lastName]=Smith",
                  "lastName eq Smith");
    expect_filter(f, "contacts", "filter[lastName]=Smith&filter%5BlastName%5D=Smith",
                  "lastName eq Smith");
    expect_error(f, "contacts", "filter[lastName]=Smith&filter[lastName]=Jones&filter[lastName]=X",
                 "request constraint", "filter[lastName]",
                 "duplicated parameter \"filter[lastName]\"");
    expect_error(f, "contacts", "page[size]=5&page[size]=6", "request constraint", "page[size]",
                 "duplicated parameter");
    /* different keys for the same field are two filters (both apply) */
    const oro_api_query_t *q = parse_ok(f, "contacts", "filter[id][gt]=1&filter[id][lt]=9");
    assert_int_equal(q->filters->nelts, 2);
}

static void test_limits(void **state)
{
    unit_fixture_t *f = *state;
    const char *args = "";
    for (int i = 0; i < 200; i++) {
        args = apr_psprintf(f->pool, "%s%sp%d=%d", args, i ? "&" : "", i, i);
    }
    parse_ok(f, "contacts", args);
    expect_error(f, "contacts", apr_pstrcat(f->pool, args, "&&&extra=1", NULL),
                 "request constraint", NULL, "more than 200 parameters");
    char *big = apr_pcalloc(f->pool, 64 * 1024 + 2);
    memcpy(big, "x=", 2);
    memset(big + 2, 'a', 64 * 1024 - 2);
    parse_ok(f, "contacts", big);
    big[64 * 1024] = 'a';
    expect_error(f, "contacts", big, "request constraint", NULL,
                 "the query string is longer than 65536 bytes");
}

/* ---- sort --------------------------------------------------------------------------- */

static void test_sort(void **state)
{
    unit_fixture_t *f = *state;
    assert_string_equal(sort_text(f->pool, parse_ok(f, "contacts", NULL)), "lastName,firstName,id");
    assert_string_equal(sort_text(f->pool, parse_ok(f, "opportunities", "")), "-closeDate,id");
    assert_string_equal(sort_text(f->pool, parse_ok(f, "things", NULL)), "id");
    assert_string_equal(sort_text(f->pool, parse_ok(f, "contacts", "sort=-lastName,account")),
                        "-lastName,account,id");
    assert_string_equal(sort_text(f->pool, parse_ok(f, "contacts", "sort=-id,lastName")),
                        "-id,lastName");
    assert_string_equal(sort_text(f->pool, parse_ok(f, "contacts", "sort=owner,-createdAt")),
                        "owner,-createdAt,id");
    const oro_api_query_t *q = parse_ok(f, "contacts", "sort=account");
    assert_non_null(APR_ARRAY_IDX(q->sort, 0, oro_sort_t).relation);
    assert_non_null(APR_ARRAY_IDX(q->sort, 1, oro_sort_t).field);
    expect_error(f, "contacts", "sort=description", "sort constraint", "sort",
                 "sorting by \"description\" is not supported for contacts");
    expect_error(f, "contacts", "sort=opportunities", "sort constraint", "sort",
                 "sorting by \"opportunities\" is not supported");
    expect_error(f, "contacts", "sort=foo", "sort constraint", "sort", "\"foo\"");
    expect_error(f, "users", "sort=password", "sort constraint", "sort", "\"password\"");
    expect_error(f, "contacts", "sort=lastName,-lastName", "sort constraint", "sort",
                 "the sort key \"lastName\" is repeated");
    expect_error(f, "contacts", "sort=lastName,,id", "sort constraint", "sort", "empty key");
    expect_error(f, "contacts", "sort=-", "sort constraint", "sort", "empty key");
    expect_error(f, "contacts", "sort=", "sort constraint", "sort", "empty key");
    expect_error(f, "contacts", "sort[x]=id", "sort constraint", "sort[x]", "is not supported");
}

/* ---- page --------------------------------------------------------------------------- */

static void test_page(void **state)
{
    unit_fixture_t *f = *state;
    oro_api_query_t *q = parse_ok(f, "contacts", NULL);
    assert_int_equal(q->page_number, 1);
    assert_int_equal(q->page_size, 10);
    q = parse_ok(f, "contacts", "page[number]=3&page[size]=100");
    assert_int_equal(q->page_number, 3);
    assert_int_equal(q->page_size, 100);
    q = parse_ok(f, "contacts", "page[number]=10000000");
    assert_int_equal(q->page_number, 10000000);
    expect_error(f, "contacts", "page[number]=10000001", "page constraint", "page[number]",
                 "the value \"10000001\" of page[number] is not a whole number from 1 to 10000000");
    expect_error(f, "contacts", "page[number]=0", "page constraint", "page[number]", "from 1");
    expect_error(f, "contacts", "page[number]=-1", "page constraint", "page[number]", "from 1");
    expect_error(f, "contacts", "page[number]=99999999999999999999", "page constraint",
                 "page[number]", "from 1");
    expect_error(f, "contacts", "page[number]=abc", "page constraint", "page[number]", "abc");
    expect_error(f, "contacts", "page[number]=", "page constraint", "page[number]", "from 1");
    expect_error(f, "contacts", "page[size]=101", "page constraint", "page[size]",
                 "is not a whole number from 1 to 100");
    expect_error(f, "contacts", "page[size]=0", "page constraint", "page[size]", "from 1 to 100");
    expect_error(f, "contacts", "page[size]=-1", "page constraint", "page[size]", "from 1 to 100");
    expect_error(f, "contacts", "page[size]=1.5", "page constraint", "page[size]", "1.5");
    expect_error(f, "contacts", "page[foo]=1", "page constraint", "page[foo]",
                 "the parameter \"page[foo]\" is not supported (page[number], page[size])");
    expect_error(f, "contacts", "page=1", "page constraint", "page", "is not supported");
    /* other limits */
    const oro_api_limits_t unlimited = {25, 50, 1};
    apr_array_header_t *errors = parse(f, "contacts", "page[size]=-1", &unlimited, &q);
    assert_null(errors);
    assert_int_equal(q->page_size, -1);
    errors = parse(f, "contacts", NULL, &unlimited, &q);
    assert_null(errors);
    assert_int_equal(q->page_size, 25);
    errors = parse(f, "contacts", "page[size]=51", &unlimited, &q);
    assert_non_null(errors);
    assert_contains(APR_ARRAY_IDX(errors, 0, oro_api_error_t).detail, "from 1 to 50");
    errors = parse(f, "contacts", "page[size]=-2", &unlimited, &q);
    assert_non_null(errors);
}

/* ---- include, fields, meta ---------------------------------------------------------- */

static void test_include(void **state)
{
    unit_fixture_t *f = *state;
    oro_api_query_t *q = parse_ok(f, "contacts", "include=account,account.owner,account");
    assert_int_equal(q->include->nelts, 2);
    assert_string_equal(APR_ARRAY_IDX(q->include, 0, const char *), "account");
    assert_string_equal(APR_ARRAY_IDX(q->include, 1, const char *), "account.owner");
    q = parse_ok(f, "contacts", "include=account.owner.organization,opportunities");
    assert_int_equal(q->include->nelts, 2);
    q = parse_ok(f, "contacts", "include=");
    assert_int_equal(q->include->nelts, 0);
    assert_int_equal(parse_ok(f, "contacts", NULL)->include->nelts, 0);
    expect_error(f, "contacts", "include=account.contacts.account.owner", "include constraint",
                 "include", "the include path \"account.contacts.account.owner\" is deeper than 3");
    expect_error(f, "contacts", "include=foo", "include constraint", "include",
                 "the include path \"foo\" is not valid: contacts has no relation \"foo\"");
    expect_error(f, "contacts", "include=account.name", "include constraint", "include",
                 "accounts has no relation \"name\"");
    expect_error(f, "contacts", "include=lastName", "include constraint", "include",
                 "no relation \"lastName\"");
    expect_error(f, "contacts", "include=account,,owner", "include constraint", "include",
                 "no relation \"\"");
    expect_error(f, "contacts", "include=account.", "include constraint", "include",
                 "no relation \"\"");
    expect_error(f, "contacts", "include[x]=account", "include constraint", "include[x]",
                 "is not supported");
}

static void test_fields(void **state)
{
    unit_fixture_t *f = *state;
    oro_api_query_t *q =
        parse_ok(f, "contacts", "fields[contacts]=firstName,account,firstName&fields[accounts]=");
    apr_hash_t *set = apr_hash_get(q->fields, "contacts", APR_HASH_KEY_STRING);
    assert_non_null(set);
    assert_int_equal(apr_hash_count(set), 2);
    assert_non_null(apr_hash_get(set, "firstName", APR_HASH_KEY_STRING));
    assert_non_null(apr_hash_get(set, "account", APR_HASH_KEY_STRING));
    set = apr_hash_get(q->fields, "accounts", APR_HASH_KEY_STRING);
    assert_non_null(set);
    assert_int_equal(apr_hash_count(set), 0);
    assert_int_equal(apr_hash_count(parse_ok(f, "contacts", NULL)->fields), 0);
    expect_error(f, "contacts", "fields[nope]=a", "fields constraint", "fields[nope]",
                 "the type \"nope\" is not known");
    expect_error(f, "contacts", "fields[contacts]=bogus", "fields constraint", "fields[contacts]",
                 "contacts has no field or relation \"bogus\"");
    expect_error(f, "contacts", "fields[users]=password", "fields constraint", "fields[users]",
                 "users has no field or relation \"password\"");
    expect_error(f, "contacts", "fields=a", "fields constraint", "fields", "is not supported");
    expect_error(f, "contacts", "fields[]=a", "fields constraint", "fields[]",
                 "is not a sparse fieldset");
    expect_error(f, "contacts", "fields[contacts][x]=a", "fields constraint", "fields[contacts][x]",
                 "is not a sparse fieldset");
}

static void test_meta(void **state)
{
    unit_fixture_t *f = *state;
    assert_false(parse_ok(f, "contacts", NULL)->meta_title);
    assert_true(parse_ok(f, "contacts", "meta=title")->meta_title);
    expect_error(f, "contacts", "meta=foo", "meta constraint", "meta",
                 "the meta property \"foo\" is not supported (title)");
    expect_error(f, "contacts", "meta[x]=title", "meta constraint", "meta[x]", "is not supported");
    assert_false(parse_ok(f, "contacts", "metadata=1")->meta_title); /* not ours */
}

/* ---- all together -------------------------------------------------------------------- */

static void test_everything_and_all_errors(void **state)
{
    unit_fixture_t *f = *state;
    oro_api_query_t *q =
        parse_ok(f, "contacts",
                 "filter[lastName][starts_with]=Sm&filter[account]=4&sort=-birthday&page[number]=2"
                 "&page[size]=20&include=account&fields[contacts]=lastName&meta=title&_=17");
    assert_int_equal(q->filters->nelts, 2);
    assert_string_equal(sort_text(f->pool, q), "-birthday,id");
    assert_int_equal(q->page_number, 2);
    assert_int_equal(q->page_size, 20);
    assert_int_equal(q->include->nelts, 1);
    assert_int_equal(apr_hash_count(q->fields), 1);
    assert_true(q->meta_title);

    apr_array_header_t *errors =
        parse(f, "contacts",
              "filter[foo]=1&sort=bar&page[size]=0&include=baz&fields[x]=y&meta=no&filter[id]=z",
              &limits, &q);
    assert_null(q);
    assert_non_null(errors);
    static const char *const titles[] = {
        "filter constraint", "sort constraint", "page constraint",  "include constraint",
        "fields constraint", "meta constraint", "filter constraint"};
    if (errors->nelts != 7) {
        fail_msg("expected 7 errors, got:\n%s", errors_text(f->pool, errors));
    }
    for (int i = 0; i < 7; i++) {
        assert_string_equal(APR_ARRAY_IDX(errors, i, oro_api_error_t).title, titles[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_url_decode),
        UNIT_TEST(test_value_integers),
        UNIT_TEST(test_value_decimals),
        UNIT_TEST(test_value_booleans_enums_strings),
        UNIT_TEST(test_value_dates),
        UNIT_TEST(test_value_datetimes),
        UNIT_TEST(test_filter_operator_matrix),
        UNIT_TEST(test_filter_values_canonical),
        UNIT_TEST(test_filter_symbolic_forms),
        UNIT_TEST(test_filter_ranges),
        UNIT_TEST(test_filter_invalid_values),
        UNIT_TEST(test_filter_relations),
        UNIT_TEST(test_filter_unknown_and_malformed),
        UNIT_TEST(test_decoding_in_query),
        UNIT_TEST(test_duplicated_parameters),
        UNIT_TEST(test_limits),
        UNIT_TEST(test_sort),
        UNIT_TEST(test_page),
        UNIT_TEST(test_include),
        UNIT_TEST(test_fields),
        UNIT_TEST(test_meta),
        UNIT_TEST(test_everything_and_all_errors),
    };
    if (apr_initialize() != APR_SUCCESS) {
        return 1;
    }
    int rc = cmocka_run_group_tests_name("api_query", tests, NULL, NULL);
    apr_terminate();
    return rc;
}
