/* t/unit/test_document.c — lib/api/jsonbuf.c (the JSON text writer) and lib/api/document.c
 * (JSON:API resource objects from database rows, titles, ETags), on the real entity
 * definitions of conf.d/entities. Rows are built by hand in the order of
 * oro_select_columns; every text written is parsed back with json-c in strict mode
 * (no trailing characters, valid UTF-8) and checked value by value. */
#include "unit.h"

#include "api/document.h"
#include "api/jsonbuf.h"
#include "api/select.h"
#include "meta/meta.h"

#include <ctype.h>
#include <json-c/json.h>

#ifndef ORO_SOURCE_ROOT
#define ORO_SOURCE_ROOT "."
#endif
#define ENTITY_DIR ORO_SOURCE_ROOT "/conf.d/entities"

#define BASE "http://localhost:8080/api"

static const oro_meta_t *load_real(unit_fixture_t *f)
{
    apr_array_header_t *errors = NULL;
    oro_meta_t *meta = oro_meta_load(f->pool, ENTITY_DIR, &errors);
    if (errors != NULL) {
        fail_msg("conf.d/entities does not load:\n%s", oro_meta_errors_text(f->pool, errors));
    }
    assert_non_null(meta);
    return meta;
}

/* Parses exactly len bytes of text as one JSON value (strict, UTF-8 checked); fails the
 * test, printing the text, when it is not valid JSON. The caller puts the result. */
static json_object *parse_n(const char *text, size_t len)
{
    json_tokener *tok = json_tokener_new();
    assert_non_null(tok);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    json_object *o = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error err = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (err != json_tokener_success || end != len) {
        json_object_put(o);
        fail_msg("not valid JSON (%s at offset %zu of %zu): %.2000s", json_tokener_error_desc(err),
                 end, len, text);
    }
    return o;
}

static json_object *parse(const oro_jbuf_t *b)
{
    assert_int_equal(strlen(b->data), b->len);
    json_object *o = parse_n(b->data, b->len);
    /* json_tokener_parse (non-strict) agrees */
    json_object *loose = json_tokener_parse(b->data);
    if (loose == NULL) {
        json_object_put(o);
        fail_msg("json_tokener_parse rejects: %.2000s", b->data);
    }
    json_object_put(loose);
    return o;
}

/* o.k1.k2… (NULL-terminated keys), or NULL when a key is absent or a step is not an object.
 * A present JSON null is also NULL: use has() to tell them apart. */
static json_object *at(json_object *o, ...)
{
    va_list ap;
    va_start(ap, o);
    const char *key;
    while (o != NULL && (key = va_arg(ap, const char *)) != NULL) {
        json_object *next = NULL;
        if (!json_object_is_type(o, json_type_object) ||
            !json_object_object_get_ex(o, key, &next)) {
            o = NULL;
            break;
        }
        o = next;
    }
    va_end(ap);
    return o;
}

/* Whether object o has key (its value may be null). */
static int has(json_object *o, const char *key)
{
    return o != NULL && json_object_is_type(o, json_type_object) &&
           json_object_object_get_ex(o, key, NULL);
}

static void want_string(json_object *o, const char *want)
{
    if (o == NULL || !json_object_is_type(o, json_type_string)) {
        fail_msg("expected the string \"%s\", got %s", want,
                 o ? json_object_to_json_string(o) : "nothing/null");
    }
    assert_string_equal(json_object_get_string(o), want);
}

static void want_int(json_object *o, int64_t want)
{
    if (o == NULL || !json_object_is_type(o, json_type_int)) {
        fail_msg("expected the integer %lld, got %s", (long long)want,
                 o ? json_object_to_json_string(o) : "nothing/null");
    }
    assert_true(json_object_get_int64(o) == want);
}

static void want_bool(json_object *o, int want)
{
    if (o == NULL || !json_object_is_type(o, json_type_boolean)) {
        fail_msg("expected %s, got %s", want ? "true" : "false",
                 o ? json_object_to_json_string(o) : "nothing/null");
    }
    assert_int_equal(json_object_get_boolean(o), want);
}

/* obj[key] is present and JSON null. */
static void want_null_member(json_object *obj, const char *key)
{
    if (!has(obj, key)) {
        fail_msg("\"%s\" is missing from %s", key,
                 obj ? json_object_to_json_string(obj) : "nothing");
    }
    json_object *v = NULL;
    json_object_object_get_ex(obj, key, &v);
    if (v != NULL) {
        fail_msg("\"%s\" should be null, is %s", key, json_object_to_json_string(v));
    }
}

static void want_identifier(json_object *o, const char *type, const char *id)
{
    if (o == NULL || !json_object_is_type(o, json_type_object)) {
        fail_msg("expected {type: %s, id: %s}, got %s", type, id,
                 o ? json_object_to_json_string(o) : "nothing/null");
    }
    assert_int_equal(json_object_object_length(o), 2);
    want_string(at(o, "type", NULL), type);
    want_string(at(o, "id", NULL), id);
}

/* ---- rows ---------------------------------------------------------------------------- */

typedef struct {
    const oro_entity_t *entity;
    apr_array_header_t *columns;
    const char **values; /* all NULL but values[0] at first */
} row_t;

static row_t *row_new(unit_fixture_t *f, const oro_meta_t *meta, const char *type, const char *id)
{
    row_t *r = apr_pcalloc(f->pool, sizeof *r);
    r->entity = oro_meta_entity(meta, type);
    if (r->entity == NULL) {
        fail_msg("no entity %s", type);
    }
    r->columns = oro_select_columns(f->pool, r->entity);
    r->values = apr_pcalloc(f->pool, sizeof(char *) * (apr_size_t)r->columns->nelts);
    r->values[0] = id;
    return r;
}

/* The index of the column of field or many-to-one relation name. */
static int row_col(const row_t *r, const char *name)
{
    for (int c = 0; c < r->columns->nelts; c++) {
        const oro_select_column_t *col = &APR_ARRAY_IDX(r->columns, c, oro_select_column_t);
        if ((col->field && strcmp(col->field->name, name) == 0) ||
            (col->relation && strcmp(col->relation->name, name) == 0)) {
            return c;
        }
    }
    fail_msg("%s has no column %s", r->entity->type, name);
    return -1;
}

static void row_set(row_t *r, const char *name, const char *value)
{
    r->values[row_col(r, name)] = value;
}

/* Writes the resource of r and parses it. */
static json_object *render(unit_fixture_t *f, const row_t *r, apr_hash_t *to_many,
                           const char *base_url, const oro_api_query_t *query,
                           oro_dialect_t dialect)
{
    oro_jbuf_t b;
    oro_jbuf_init(&b, f->pool, 256);
    oro_doc_options_t options = {base_url, query, dialect};
    oro_doc_write_resource(&b, f->pool, r->entity, r->columns, (const char *const *)r->values,
                           to_many, &options);
    return parse(&b);
}

/* A contact row: id 7, a few fields, others NULL. */
static row_t *contact_row(unit_fixture_t *f, const oro_meta_t *meta)
{
    row_t *r = row_new(f, meta, "contacts", "7");
    row_set(r, "firstName", "Ann");
    row_set(r, "lastName", "Lee");
    row_set(r, "gender", "female");
    row_set(r, "birthday", "1980-02-29");
    row_set(r, "primaryEmail", "ann@example.com");
    row_set(r, "description", "Line one\nLine \"two\"\t\\ end");
    row_set(r, "createdAt", "2026-11-27 02:26:47.193732");
    row_set(r, "updatedAt", "2026-11-28 13:05:09");
    row_set(r, "account", "42");
    row_set(r, "owner", "3");
    row_set(r, "organization", "1");
    return r;
}

/* A query with fields[type] = names (NULL-terminated); several calls add types. */
static oro_api_query_t *query_new(unit_fixture_t *f, const oro_entity_t *entity)
{
    oro_api_query_t *q = apr_pcalloc(f->pool, sizeof *q);
    q->entity = entity;
    q->page_number = 1;
    q->page_size = 10;
    return q;
}

static void query_fields(unit_fixture_t *f, oro_api_query_t *q, const char *type, ...)
{
    if (q->fields == NULL) {
        q->fields = apr_hash_make(f->pool);
    }
    apr_hash_t *set = apr_hash_make(f->pool);
    va_list ap;
    va_start(ap, type);
    const char *name;
    while ((name = va_arg(ap, const char *)) != NULL) {
        apr_hash_set(set, name, APR_HASH_KEY_STRING, "1");
    }
    va_end(ap);
    apr_hash_set(q->fields, type, APR_HASH_KEY_STRING, set);
}

static apr_array_header_t *ids_of(unit_fixture_t *f, ...)
{
    apr_array_header_t *ids = apr_array_make(f->pool, 4, sizeof(char *));
    va_list ap;
    va_start(ap, f);
    const char *id;
    while ((id = va_arg(ap, const char *)) != NULL) {
        APR_ARRAY_PUSH(ids, const char *) = id;
    }
    va_end(ap);
    return ids;
}

/* ---- jsonbuf ------------------------------------------------------------------------- */

/* s written with oro_jbuf_str inside [ ] parses back to s. */
static void round_trip(unit_fixture_t *f, const char *s)
{
    oro_jbuf_t b;
    oro_jbuf_init(&b, f->pool, 0);
    oro_jbuf_lit(&b, "[");
    oro_jbuf_str(&b, s);
    oro_jbuf_lit(&b, "]");
    for (apr_size_t i = 0; i < b.len; i++) {
        if ((unsigned char)b.data[i] < 0x20) {
            fail_msg("raw control byte 0x%02x at %zu of the output", (unsigned char)b.data[i],
                     (size_t)i);
        }
    }
    json_object *a = parse(&b);
    assert_true(json_object_is_type(a, json_type_array));
    assert_int_equal(json_object_array_length(a), 1);
    json_object *v = json_object_array_get_idx(a, 0);
    want_string(v, s);
    assert_int_equal(json_object_get_string_len(v), strlen(s));
    json_object_put(a);
}

static void test_jbuf_str_escaping(void **state)
{
    unit_fixture_t *f = *state;
    static const char *const inputs[] = {
        "",
        "plain text",
        "say \"hi\"",
        "back\\slash \\\\ \\\" \\n",
        "line\nbreak",
        "carriage\rreturn",
        "tab\there",
        "\x01\x02\x08\x0b\x0c\x1b\x1f",
        "\x7f del passes",
        "/ slash and <script></script>",
        "Zo\xc3\xab \xe6\x97\xa5\xe6\x9c\xac \xe2\x82\xac \xf0\x9f\x98\x80", /* Zoë 日本 € 😀 */
        "\"",
        "\\",
        "\n",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        round_trip(f, inputs[i]);
    }
    /* every control byte */
    char all[32];
    for (int c = 1; c < 32; c++) {
        all[c - 1] = (char)c;
    }
    all[31] = '\0';
    round_trip(f, all);
}

static void test_jbuf_str_exact_text(void **state)
{
    unit_fixture_t *f = *state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", "\"\""},
        {"a\"b", "\"a\\\"b\""},
        {"a\\b", "\"a\\\\b\""},
        {"\n\r\t", "\"\\n\\r\\t\""},
        {"\x01", "\"\\u0001\""},
        {"\x1f", "\"\\u001f\""},
        {"\x0b\x0c\x08", "\"\\u000b\\u000c\\u0008\""},
        {"\xc3\xa9", "\"\xc3\xa9\""}, /* UTF-8 bytes as they are */
        {"\x7f", "\"\x7f\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        oro_jbuf_t b;
        oro_jbuf_init(&b, f->pool, 64);
        oro_jbuf_str(&b, cases[i].in);
        assert_string_equal(b.data, cases[i].out);
        assert_int_equal(b.len, strlen(cases[i].out));
    }
}

static void test_jbuf_str_null(void **state)
{
    unit_fixture_t *f = *state;
    oro_jbuf_t b;
    oro_jbuf_init(&b, f->pool, 0);
    oro_jbuf_str(&b, NULL);
    assert_string_equal(b.data, "null");
    assert_int_equal(b.len, 4);

    oro_jbuf_init(&b, f->pool, 0);
    oro_jbuf_lit(&b, "[");
    oro_jbuf_str(&b, NULL);
    oro_jbuf_lit(&b, ",");
    oro_jbuf_str(&b, "x");
    oro_jbuf_lit(&b, "]");
    json_object *a = parse(&b);
    assert_int_equal(json_object_array_length(a), 2);
    assert_null(json_object_array_get_idx(a, 0));
    want_string(json_object_array_get_idx(a, 1), "x");
    json_object_put(a);
}

static void test_jbuf_init_and_raw(void **state)
{
    unit_fixture_t *f = *state;
    oro_jbuf_t b;
    oro_jbuf_init(&b, f->pool, 0);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    assert_int_equal(b.len, 0);
    assert_true(b.cap >= 1);

    oro_jbuf_raw(&b, "{\"a\":123456", 6); /* only n bytes */
    assert_string_equal(b.data, "{\"a\":1");
    oro_jbuf_raw(&b, "", 0);
    assert_int_equal(b.len, 6);
    oro_jbuf_lit(&b, "}");
    assert_string_equal(b.data, "{\"a\":1}");
    json_object *o = parse(&b);
    want_int(at(o, "a", NULL), 1);
    json_object_put(o);
}

/* Growth past the initial capacity: 1 MB strings, worst-case escaping, many small
 * appends; the text before the growth is kept. */
static void test_jbuf_growth(void **state)
{
    unit_fixture_t *f = *state;
    const apr_size_t n = 1024 * 1024;
    char *big = apr_palloc(f->pool, n + 1);
    for (apr_size_t i = 0; i < n; i++) {
        big[i] = (char)('a' + i % 26);
    }
    big[n / 2] = '"';
    big[n / 3] = '\\';
    big[n / 4] = '\n';
    big[n] = '\0';

    oro_jbuf_t b;
    oro_jbuf_init(&b, f->pool, 16);
    apr_size_t cap0 = b.cap;
    oro_jbuf_lit(&b, "[\"before\",");
    oro_jbuf_str(&b, big);
    oro_jbuf_lit(&b, ",");
    oro_jbuf_str(&b, big);
    oro_jbuf_lit(&b, "]");
    assert_true(b.cap > cap0);
    assert_true(b.len < b.cap);
    assert_int_equal(b.len, strlen(b.data));
    assert_int_equal(b.len, 10 + 2 * (n + 2 + 3) + 2);
    json_object *a = parse(&b);
    assert_int_equal(json_object_array_length(a), 3);
    want_string(json_object_array_get_idx(a, 0), "before");
    want_string(json_object_array_get_idx(a, 1), big);
    want_string(json_object_array_get_idx(a, 2), big);
    json_object_put(a);

    /* worst case: every byte escaped as \u00XX (6x) */
    char *ctl = apr_palloc(f->pool, n + 1);
    memset(ctl, 0x01, n);
    ctl[n] = '\0';
    oro_jbuf_init(&b, f->pool, 64);
    oro_jbuf_str(&b, ctl);
    assert_int_equal(b.len, 6 * n + 2);
    assert_int_equal(b.len, strlen(b.data));
    a = parse(&b);
    want_string(a, ctl);
    json_object_put(a);

    /* many small appends, each growing at the edge */
    oro_jbuf_init(&b, f->pool, 64);
    oro_jbuf_lit(&b, "{");
    for (int i = 0; i < 20000; i++) {
        if (i > 0) {
            oro_jbuf_lit(&b, ",");
        }
        oro_jbuf_key(&b, apr_psprintf(f->pool, "k%d", i));
        oro_jbuf_str(&b, apr_psprintf(f->pool, "v\t%d", i));
    }
    oro_jbuf_lit(&b, "}");
    json_object *o = parse(&b);
    assert_int_equal(json_object_object_length(o), 20000);
    want_string(at(o, "k0", NULL), "v\t0");
    want_string(at(o, "k19999", NULL), "v\t19999");
    json_object_put(o);
}

static void test_jbuf_key(void **state)
{
    unit_fixture_t *f = *state;
    oro_jbuf_t b;
    oro_jbuf_init(&b, f->pool, 0);
    oro_jbuf_key(&b, "firstName");
    assert_string_equal(b.data, "\"firstName\":");

    oro_jbuf_init(&b, f->pool, 0);
    oro_jbuf_lit(&b, "{");
    oro_jbuf_key(&b, "a\"b\\c\n");
    oro_jbuf_lit(&b, "1,");
    oro_jbuf_key(&b, "");
    oro_jbuf_str(&b, "empty");
    oro_jbuf_lit(&b, ",");
    oro_jbuf_key(&b, "\xc3\xa9t\xc3\xa9");
    oro_jbuf_lit(&b, "true}");
    assert_string_equal(b.data, "{\"a\\\"b\\\\c\\n\":1,\"\":\"empty\",\"\xc3\xa9t\xc3\xa9\":true}");
    json_object *o = parse(&b);
    want_int(at(o, "a\"b\\c\n", NULL), 1);
    want_string(at(o, "", NULL), "empty");
    want_bool(at(o, "\xc3\xa9t\xc3\xa9", NULL), 1);
    json_object_put(o);
}

/* ---- oro_doc_write_resource ---------------------------------------------------------- */

static void test_columns_of_contacts(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    row_t *r = row_new(f, meta, "contacts", "7");
    /* id, 14 fields, createdAt, updatedAt, owner, organization, account */
    assert_int_equal(r->columns->nelts, 20);
    assert_int_equal(row_col(r, "id"), 0);
    assert_true(row_col(r, "account") > row_col(r, "description"));
}

static void test_contact_resource(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    row_t *r = contact_row(f, meta);
    json_object *o = render(f, r, NULL, BASE, NULL, ORO_DIALECT_PGSQL);

    want_string(at(o, "type", NULL), "contacts");
    want_string(at(o, "id", NULL), "7");

    json_object *attrs = at(o, "attributes", NULL);
    assert_non_null(attrs);
    assert_int_equal(json_object_object_length(attrs), 16);
    assert_false(has(attrs, "id"));
    want_string(at(attrs, "firstName", NULL), "Ann");
    want_string(at(attrs, "lastName", NULL), "Lee");
    want_string(at(attrs, "gender", NULL), "female");
    want_string(at(attrs, "birthday", NULL), "1980-02-29");
    want_string(at(attrs, "primaryEmail", NULL), "ann@example.com");
    want_string(at(attrs, "description", NULL), "Line one\nLine \"two\"\t\\ end");
    want_string(at(attrs, "createdAt", NULL), "2026-11-27T02:26:47Z");
    want_string(at(attrs, "updatedAt", NULL), "2026-11-28T13:05:09Z");
    want_null_member(attrs, "middleName");
    want_null_member(attrs, "namePrefix");
    want_null_member(attrs, "nameSuffix");
    want_null_member(attrs, "jobTitle");
    want_null_member(attrs, "secondaryEmail");
    want_null_member(attrs, "primaryPhone");
    want_null_member(attrs, "mobilePhone");
    want_null_member(attrs, "source");
    /* relations are not attributes */
    assert_false(has(attrs, "account"));
    assert_false(has(attrs, "owner"));

    json_object *rels = at(o, "relationships", NULL);
    assert_non_null(rels);
    assert_int_equal(json_object_object_length(rels), 4);
    want_identifier(at(rels, "account", "data", NULL), "accounts", "42");
    want_identifier(at(rels, "owner", "data", NULL), "users", "3");
    want_identifier(at(rels, "organization", "data", NULL), "organizations", "1");
    assert_int_equal(json_object_object_length(at(rels, "account", NULL)), 1);

    /* to-many without ids: links only */
    json_object *opp = at(rels, "opportunities", NULL);
    assert_non_null(opp);
    assert_false(has(opp, "data"));
    assert_int_equal(json_object_object_length(opp), 1);
    assert_int_equal(json_object_object_length(at(opp, "links", NULL)), 2);
    want_string(at(opp, "links", "self", NULL), BASE "/contacts/7/relationships/opportunities");
    want_string(at(opp, "links", "related", NULL), BASE "/contacts/7/opportunities");

    want_string(at(o, "links", "self", NULL), BASE "/contacts/7");
    assert_int_equal(json_object_object_length(at(o, "links", NULL)), 1);
    assert_false(has(o, "meta"));
    assert_int_equal(json_object_object_length(o), 5); /* type id attributes relationships links */
    json_object_put(o);
}

static void test_many_to_one_null(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    row_t *r = contact_row(f, meta);
    row_set(r, "account", NULL);
    row_set(r, "owner", NULL);
    json_object *o = render(f, r, NULL, BASE, NULL, ORO_DIALECT_PGSQL);
    json_object *rels = at(o, "relationships", NULL);
    want_null_member(at(rels, "account", NULL), "data");
    want_null_member(at(rels, "owner", NULL), "data");
    want_identifier(at(rels, "organization", "data", NULL), "organizations", "1");
    json_object_put(o);
}

static void test_no_base_url(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    row_t *r = contact_row(f, meta);
    json_object *o = render(f, r, NULL, NULL, NULL, ORO_DIALECT_PGSQL);
    json_object *rels = at(o, "relationships", NULL);
    assert_int_equal(json_object_object_length(rels), 3);
    assert_false(has(rels, "opportunities"));
    assert_false(has(at(rels, "account", NULL), "links"));
    want_identifier(at(rels, "account", "data", NULL), "accounts", "42");
    assert_false(has(o, "links"));
    json_object_put(o);

    /* an empty to_many hash is the same as none */
    o = render(f, r, apr_hash_make(f->pool), NULL, NULL, ORO_DIALECT_PGSQL);
    assert_false(has(at(o, "relationships", NULL), "opportunities"));
    json_object_put(o);
}

static void test_to_many_data(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    row_t *r = contact_row(f, meta);
    apr_hash_t *to_many = apr_hash_make(f->pool);
    apr_hash_set(to_many, "opportunities", APR_HASH_KEY_STRING, ids_of(f, "5", "9", NULL));

    /* with links */
    json_object *o = render(f, r, to_many, BASE, NULL, ORO_DIALECT_PGSQL);
    json_object *opp = at(o, "relationships", "opportunities", NULL);
    assert_int_equal(json_object_object_length(opp), 2);
    json_object *data = at(opp, "data", NULL);
    assert_true(json_object_is_type(data, json_type_array));
    assert_int_equal(json_object_array_length(data), 2);
    want_identifier(json_object_array_get_idx(data, 0), "opportunities", "5");
    want_identifier(json_object_array_get_idx(data, 1), "opportunities", "9");
    want_string(at(opp, "links", "self", NULL), BASE "/contacts/7/relationships/opportunities");
    want_string(at(opp, "links", "related", NULL), BASE "/contacts/7/opportunities");
    json_object_put(o);

    /* without links: data only */
    o = render(f, r, to_many, NULL, NULL, ORO_DIALECT_PGSQL);
    opp = at(o, "relationships", "opportunities", NULL);
    assert_int_equal(json_object_object_length(opp), 1);
    assert_int_equal(json_object_array_length(at(opp, "data", NULL)), 2);
    json_object_put(o);

    /* no related records: an empty array */
    apr_hash_set(to_many, "opportunities", APR_HASH_KEY_STRING, ids_of(f, NULL));
    o = render(f, r, to_many, NULL, NULL, ORO_DIALECT_PGSQL);
    data = at(o, "relationships", "opportunities", "data", NULL);
    assert_true(json_object_is_type(data, json_type_array));
    assert_int_equal(json_object_array_length(data), 0);
    json_object_put(o);
    o = render(f, r, to_many, BASE, NULL, ORO_DIALECT_PGSQL);
    assert_int_equal(
        json_object_array_length(at(o, "relationships", "opportunities", "data", NULL)), 0);
    assert_non_null(at(o, "relationships", "opportunities", "links", NULL));
    json_object_put(o);
}

/* users: two many-to-many relations, one with ids, one without. */
static void test_users_many_to_many(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    row_t *r = row_new(f, meta, "users", "12");
    row_set(r, "username", "admin");
    apr_hash_t *to_many = apr_hash_make(f->pool);
    apr_hash_set(to_many, "roles", APR_HASH_KEY_STRING, ids_of(f, "1", NULL));

    json_object *o = render(f, r, to_many, NULL, NULL, ORO_DIALECT_MYSQL);
    json_object *rels = at(o, "relationships", NULL);
    json_object *data = at(rels, "roles", "data", NULL);
    assert_int_equal(json_object_array_length(data), 1);
    want_identifier(json_object_array_get_idx(data, 0), "roles", "1");
    assert_false(has(rels, "organizations"));
    /* the many-to-one owner of a business-unit owned entity */
    want_null_member(at(rels, "owner", NULL), "data");
    json_object_put(o);

    o = render(f, r, to_many, BASE, NULL, ORO_DIALECT_MYSQL);
    rels = at(o, "relationships", NULL);
    want_string(at(rels, "organizations", "links", "related", NULL),
                BASE "/users/12/organizations");
    assert_false(has(at(rels, "organizations", NULL), "data"));
    want_string(at(rels, "roles", "links", "self", NULL), BASE "/users/12/relationships/roles");
    json_object_put(o);
}

static void test_users_typed_attributes_no_password(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    row_t *r = row_new(f, meta, "users", "12");
    row_set(r, "username", "admin");
    row_set(r, "email", "admin@example.com");
    row_set(r, "enabled", "t");
    row_set(r, "loginCount", "42");
    row_set(r, "lastLogin", "2026-01-02 03:04:05.000001");
    row_set(r, "owner", "2");
    row_set(r, "organization", "1");
    /* the password column is not even among the select columns */
    for (int c = 0; c < r->columns->nelts; c++) {
        const oro_select_column_t *col = &APR_ARRAY_IDX(r->columns, c, oro_select_column_t);
        assert_true(col->field == NULL || col->field->type != ORO_FIELD_PASSWORD);
    }

    oro_jbuf_t b;
    oro_jbuf_init(&b, f->pool, 0);
    oro_doc_options_t options = {BASE, NULL, ORO_DIALECT_PGSQL};
    oro_doc_write_resource(&b, f->pool, r->entity, r->columns, (const char *const *)r->values, NULL,
                           &options);
    assert_null(strstr(b.data, "password"));
    json_object *o = parse(&b);
    json_object *attrs = at(o, "attributes", NULL);
    assert_false(has(attrs, "password"));
    want_bool(at(attrs, "enabled", NULL), 1);
    want_int(at(attrs, "loginCount", NULL), 42);
    want_string(at(attrs, "lastLogin", NULL), "2026-01-02T03:04:05Z");
    want_null_member(attrs, "firstName");
    want_identifier(at(o, "relationships", "owner", "data", NULL), "businessunits", "2");
    json_object_put(o);

    /* a sparse fieldset naming password still does not expose it */
    oro_api_query_t *q = query_new(f, r->entity);
    query_fields(f, q, "users", "password", "username", NULL);
    o = render(f, r, NULL, BASE, q, ORO_DIALECT_PGSQL);
    attrs = at(o, "attributes", NULL);
    assert_int_equal(json_object_object_length(attrs), 1);
    want_string(at(attrs, "username", NULL), "admin");
    json_object_put(o);
}

static void test_booleans(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    static const struct {
        oro_dialect_t dialect;
        const char *text;
        int want;
    } cases[] = {
        {ORO_DIALECT_PGSQL, "t", 1},
        {ORO_DIALECT_PGSQL, "f", 0},
        {ORO_DIALECT_MYSQL, "1", 1},
        {ORO_DIALECT_MYSQL, "0", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        row_t *r = row_new(f, meta, "users", "1");
        row_set(r, "enabled", cases[i].text);
        json_object *o = render(f, r, NULL, NULL, NULL, cases[i].dialect);
        want_bool(at(o, "attributes", "enabled", NULL), cases[i].want);
        json_object_put(o);
    }
    row_t *r = row_new(f, meta, "users", "1");
    json_object *o = render(f, r, NULL, NULL, NULL, ORO_DIALECT_MYSQL);
    want_null_member(at(o, "attributes", NULL), "enabled");
    json_object_put(o);
}

static void test_integers(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    static const struct {
        const char *text;
        int64_t want;
    } cases[] = {
        {"0", 0},
        {"7", 7},
        {"-5", -5},
        {"2147483648", INT64_C(2147483648)},
        {"-9007199254740993", INT64_C(-9007199254740993)},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        row_t *r = row_new(f, meta, "products", "3");
        row_set(r, "inventory", cases[i].text);
        json_object *o = render(f, r, NULL, NULL, NULL, ORO_DIALECT_PGSQL);
        want_int(at(o, "attributes", "inventory", NULL), cases[i].want);
        json_object_put(o);
    }
    /* text that is not an integer never becomes invalid JSON */
    static const char *const odd[] = {"", "-", "1.5", "12abc", "1e3", "--1", " 1"};
    for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
        row_t *r = row_new(f, meta, "products", "3");
        row_set(r, "inventory", odd[i]);
        json_object *o = render(f, r, NULL, NULL, NULL, ORO_DIALECT_PGSQL);
        want_string(at(o, "attributes", "inventory", NULL), odd[i]);
        json_object_put(o);
    }
}

static void test_money_and_decimal(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    row_t *r = row_new(f, meta, "products", "3");
    row_set(r, "price", "12.5000");
    row_set(r, "sku", "SKU-1");
    json_object *o = render(f, r, NULL, NULL, NULL, ORO_DIALECT_PGSQL);
    want_string(at(o, "attributes", "price", NULL), "12.5000");
    want_string(at(o, "attributes", "sku", NULL), "SKU-1");
    json_object_put(o);

    r = row_new(f, meta, "opportunities", "4");
    row_set(r, "probability", "0.2500");
    row_set(r, "budget", "100000.0000");
    o = render(f, r, NULL, NULL, NULL, ORO_DIALECT_MYSQL);
    want_string(at(o, "attributes", "probability", NULL), "0.2500");
    want_string(at(o, "attributes", "budget", NULL), "100000.0000");
    want_null_member(at(o, "attributes", NULL), "closeRevenue");
    json_object_put(o);
}

static void test_datetimes_and_dates(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"2026-11-27 02:26:47.193732", "2026-11-27T02:26:47Z"},
        {"2026-11-27 02:26:47", "2026-11-27T02:26:47Z"},
        {"1999-12-31 23:59:59.9", "1999-12-31T23:59:59Z"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        row_t *r = row_new(f, meta, "contacts", "1");
        row_set(r, "createdAt", cases[i].text);
        row_set(r, "birthday", "2001-01-31");
        json_object *o = render(f, r, NULL, NULL, NULL, ORO_DIALECT_PGSQL);
        want_string(at(o, "attributes", "createdAt", NULL), cases[i].want);
        want_string(at(o, "attributes", "birthday", NULL), "2001-01-31");
        want_null_member(at(o, "attributes", NULL), "updatedAt");
        json_object_put(o);
    }
    /* shorter text than a datetime is written as it is, still valid JSON */
    row_t *r = row_new(f, meta, "contacts", "1");
    row_set(r, "createdAt", "2026-11-27");
    json_object *o = render(f, r, NULL, NULL, NULL, ORO_DIALECT_PGSQL);
    want_string(at(o, "attributes", "createdAt", NULL), "2026-11-27");
    json_object_put(o);
}

static void test_sparse_fieldsets(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    row_t *r = contact_row(f, meta);
    oro_api_query_t *q = query_new(f, r->entity);
    query_fields(f, q, "contacts", "firstName", "birthday", "account", NULL);
    json_object *o = render(f, r, NULL, BASE, q, ORO_DIALECT_PGSQL);
    want_string(at(o, "type", NULL), "contacts");
    want_string(at(o, "id", NULL), "7");
    json_object *attrs = at(o, "attributes", NULL);
    assert_int_equal(json_object_object_length(attrs), 2);
    want_string(at(attrs, "firstName", NULL), "Ann");
    want_string(at(attrs, "birthday", NULL), "1980-02-29");
    json_object *rels = at(o, "relationships", NULL);
    assert_int_equal(json_object_object_length(rels), 1);
    want_identifier(at(rels, "account", "data", NULL), "accounts", "42");
    want_string(at(o, "links", "self", NULL), BASE "/contacts/7");
    json_object_put(o);

    /* only a to-many relation, with data */
    apr_hash_t *to_many = apr_hash_make(f->pool);
    apr_hash_set(to_many, "opportunities", APR_HASH_KEY_STRING, ids_of(f, "5", NULL));
    q = query_new(f, r->entity);
    query_fields(f, q, "contacts", "opportunities", NULL);
    o = render(f, r, to_many, BASE, q, ORO_DIALECT_PGSQL);
    assert_int_equal(json_object_object_length(at(o, "attributes", NULL)), 0);
    rels = at(o, "relationships", NULL);
    assert_int_equal(json_object_object_length(rels), 1);
    assert_int_equal(json_object_array_length(at(rels, "opportunities", "data", NULL)), 1);
    json_object_put(o);

    /* a to-many relation left out of the fieldset: neither data nor links */
    q = query_new(f, r->entity);
    query_fields(f, q, "contacts", "lastName", NULL);
    o = render(f, r, to_many, BASE, q, ORO_DIALECT_PGSQL);
    assert_int_equal(json_object_object_length(at(o, "relationships", NULL)), 0);
    assert_int_equal(json_object_object_length(at(o, "attributes", NULL)), 1);
    json_object_put(o);

    /* an empty fieldset: empty objects, still valid */
    q = query_new(f, r->entity);
    query_fields(f, q, "contacts", NULL);
    o = render(f, r, to_many, BASE, q, ORO_DIALECT_PGSQL);
    assert_int_equal(json_object_object_length(at(o, "attributes", NULL)), 0);
    assert_int_equal(json_object_object_length(at(o, "relationships", NULL)), 0);
    want_string(at(o, "id", NULL), "7");
    json_object_put(o);

    /* a fieldset of another type does not restrict this one */
    q = query_new(f, r->entity);
    query_fields(f, q, "accounts", "name", NULL);
    o = render(f, r, NULL, BASE, q, ORO_DIALECT_PGSQL);
    assert_int_equal(json_object_object_length(at(o, "attributes", NULL)), 16);
    assert_int_equal(json_object_object_length(at(o, "relationships", NULL)), 4);
    json_object_put(o);
}

static void test_meta_title(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    row_t *r = contact_row(f, meta);
    oro_api_query_t *q = query_new(f, r->entity);
    q->meta_title = 1;
    json_object *o = render(f, r, NULL, BASE, q, ORO_DIALECT_PGSQL);
    want_string(at(o, "meta", "title", NULL), "Ann Lee");
    assert_int_equal(json_object_object_length(at(o, "meta", NULL)), 1);
    json_object_put(o);

    static const struct {
        const char *first, *last, *want;
    } cases[] = {
        {NULL, "Lee", "Lee"},
        {"Ann", NULL, "Ann"},
        {NULL, NULL, ""},
        {"O\"Brien", "\\x\n", "O\"Brien \\x\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        row_set(r, "firstName", cases[i].first);
        row_set(r, "lastName", cases[i].last);
        o = render(f, r, NULL, NULL, q, ORO_DIALECT_PGSQL);
        want_string(at(o, "meta", "title", NULL), cases[i].want);
        json_object_put(o);
    }

    /* a sparse fieldset without the title's fields: the title is still complete */
    row_set(r, "firstName", "Ann");
    row_set(r, "lastName", "Lee");
    query_fields(f, q, "contacts", "jobTitle", NULL);
    o = render(f, r, NULL, NULL, q, ORO_DIALECT_PGSQL);
    want_string(at(o, "meta", "title", NULL), "Ann Lee");
    json_object_put(o);

    /* not asked: no meta */
    q = query_new(f, r->entity);
    o = render(f, r, NULL, BASE, q, ORO_DIALECT_PGSQL);
    assert_false(has(o, "meta"));
    json_object_put(o);
}

static void test_doc_title(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    row_t *r = contact_row(f, meta);
    const char *const *v = (const char *const *)r->values;
    assert_string_equal(oro_doc_title(f->pool, r->entity, r->columns, v), "Ann Lee");
    row_set(r, "firstName", NULL);
    assert_string_equal(oro_doc_title(f->pool, r->entity, r->columns, v), "Lee");
    row_set(r, "firstName", "Ann");
    row_set(r, "lastName", NULL);
    assert_string_equal(oro_doc_title(f->pool, r->entity, r->columns, v), "Ann");

    row_t *p = row_new(f, meta, "products", "3");
    row_set(p, "name", "Widget");
    assert_string_equal(
        oro_doc_title(f->pool, p->entity, p->columns, (const char *const *)p->values), "Widget");

    /* "{productSku} x {quantity}" with the first part missing: no leading blank */
    row_t *li = row_new(f, meta, "orderlineitems", "5");
    row_set(li, "quantity", "3");
    const char *t =
        oro_doc_title(f->pool, li->entity, li->columns, (const char *const *)li->values);
    assert_non_null(t);
    assert_true(t[0] != ' ');
    assert_true(t[0] == '\0' || t[strlen(t) - 1] != ' ');
    assert_null(strstr(t, "  "));

    /* an entity without a template */
    oro_entity_t copy = *r->entity;
    copy.title_template = NULL;
    assert_null(oro_doc_title(f->pool, &copy, r->columns, v));

    /* and meta=title for it writes a valid document (title null) */
    oro_api_query_t *q = query_new(f, &copy);
    q->meta_title = 1;
    oro_jbuf_t b;
    oro_jbuf_init(&b, f->pool, 0);
    oro_doc_options_t options = {NULL, q, ORO_DIALECT_PGSQL};
    oro_doc_write_resource(&b, f->pool, &copy, r->columns, v, NULL, &options);
    json_object *o = parse(&b);
    assert_true(has(at(o, "meta", NULL), "title"));
    json_object_put(o);
}

/* Values that need escaping anywhere (id, attributes, relation ids, to-many ids) keep the
 * document valid. */
static void test_escaping_in_resource(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    row_t *r = row_new(f, meta, "contacts", "7\"x");
    row_set(r, "firstName", "\x01\x02\"\\");
    row_set(r, "lastName", "Zo\xc3\xab\r\n");
    row_set(r, "account", "4\"2");
    apr_hash_t *to_many = apr_hash_make(f->pool);
    apr_hash_set(to_many, "opportunities", APR_HASH_KEY_STRING, ids_of(f, "a\\b", NULL));
    oro_api_query_t *q = query_new(f, r->entity);
    q->meta_title = 1;
    json_object *o = render(f, r, to_many, BASE, q, ORO_DIALECT_PGSQL);
    want_string(at(o, "id", NULL), "7\"x");
    want_string(at(o, "attributes", "firstName", NULL), "\x01\x02\"\\");
    want_string(at(o, "attributes", "lastName", NULL), "Zo\xc3\xab\r\n");
    want_identifier(at(o, "relationships", "account", "data", NULL), "accounts", "4\"2");
    want_identifier(
        json_object_array_get_idx(at(o, "relationships", "opportunities", "data", NULL), 0),
        "opportunities", "a\\b");
    want_string(at(o, "links", "self", NULL), BASE "/contacts/7\"x");
    want_string(at(o, "meta", "title", NULL), "\x01\x02\"\\ Zo\xc3\xab\r\n");
    json_object_put(o);
}

/* write_resource appends: several resources into one buffer make a valid array, and
 * every option combination is valid JSON. */
static void test_appends_and_combinations(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    row_t *r = contact_row(f, meta);
    apr_hash_t *to_many = apr_hash_make(f->pool);
    apr_hash_set(to_many, "opportunities", APR_HASH_KEY_STRING, ids_of(f, "5", NULL));
    oro_api_query_t *title = query_new(f, r->entity);
    title->meta_title = 1;
    oro_api_query_t *sparse = query_new(f, r->entity);
    query_fields(f, sparse, "contacts", "account", NULL);
    sparse->meta_title = 1;
    const oro_api_query_t *queries[] = {NULL, title, sparse};
    const char *bases[] = {NULL, BASE};
    apr_hash_t *tms[] = {NULL, to_many};

    oro_jbuf_t b;
    oro_jbuf_init(&b, f->pool, 0);
    oro_jbuf_lit(&b, "[");
    int n = 0;
    for (int qi = 0; qi < 3; qi++) {
        for (int bi = 0; bi < 2; bi++) {
            for (int ti = 0; ti < 2; ti++) {
                oro_jbuf_t one;
                oro_jbuf_init(&one, f->pool, 64);
                oro_doc_options_t options = {bases[bi], queries[qi], ORO_DIALECT_PGSQL};
                oro_doc_write_resource(&one, f->pool, r->entity, r->columns,
                                       (const char *const *)r->values, tms[ti], &options);
                json_object_put(parse(&one));
                if (n++ > 0) {
                    oro_jbuf_lit(&b, ",");
                }
                oro_doc_write_resource(&b, f->pool, r->entity, r->columns,
                                       (const char *const *)r->values, tms[ti], &options);
            }
        }
    }
    oro_jbuf_lit(&b, "]");
    json_object *a = parse(&b);
    assert_int_equal(json_object_array_length(a), n);
    for (int i = 0; i < n; i++) {
        want_string(at(json_object_array_get_idx(a, i), "id", NULL), "7");
    }
    json_object_put(a);
}

/* ---- oro_doc_etag -------------------------------------------------------------------- */

static void want_etag_format(const char *etag)
{
    assert_non_null(etag);
    assert_int_equal(strlen(etag), 34);
    assert_int_equal(etag[0], '"');
    assert_int_equal(etag[33], '"');
    for (int i = 1; i < 33; i++) {
        if (!isxdigit((unsigned char)etag[i]) || isupper((unsigned char)etag[i])) {
            fail_msg("not lowercase hex at %d: %s", i, etag);
        }
    }
}

static void test_etag(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    const oro_entity_t *contacts = oro_meta_entity(meta, "contacts");
    const oro_entity_t *users = oro_meta_entity(meta, "users");
    const char *e1 = oro_doc_etag(f->pool, contacts, "7", "2026-11-27 02:26:47.193732");
    want_etag_format(e1);
    /* the MD5 of "type/id/updatedAt": tags stay valid across versions of the module */
    assert_string_equal(e1, "\"6e5dac3d328764ed961623aca7671612\"");
    assert_string_equal(oro_doc_etag(f->pool, contacts, "7", "2026-11-27 02:26:47.193732"), e1);

    const char *e2 = oro_doc_etag(f->pool, contacts, "7", "2026-11-27 02:26:47.193733");
    want_etag_format(e2);
    assert_string_not_equal(e1, e2);
    assert_string_not_equal(oro_doc_etag(f->pool, contacts, "8", "2026-11-27 02:26:47.193732"), e1);
    assert_string_not_equal(oro_doc_etag(f->pool, users, "7", "2026-11-27 02:26:47.193732"), e1);

    /* no updatedAt: still a well-formed tag */
    want_etag_format(oro_doc_etag(f->pool, contacts, "7", NULL));
    want_etag_format(oro_doc_etag(f->pool, contacts, "7", ""));

    /* usable as a JSON string */
    oro_jbuf_t b;
    oro_jbuf_init(&b, f->pool, 0);
    oro_jbuf_str(&b, e1);
    json_object *o = parse(&b);
    want_string(o, e1);
    json_object_put(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_jbuf_str_escaping),
        UNIT_TEST(test_jbuf_str_exact_text),
        UNIT_TEST(test_jbuf_str_null),
        UNIT_TEST(test_jbuf_init_and_raw),
        UNIT_TEST(test_jbuf_growth),
        UNIT_TEST(test_jbuf_key),
        UNIT_TEST(test_columns_of_contacts),
        UNIT_TEST(test_contact_resource),
        UNIT_TEST(test_many_to_one_null),
        UNIT_TEST(test_no_base_url),
        UNIT_TEST(test_to_many_data),
        UNIT_TEST(test_users_many_to_many),
        UNIT_TEST(test_users_typed_attributes_no_password),
        UNIT_TEST(test_booleans),
        UNIT_TEST(test_integers),
        UNIT_TEST(test_money_and_decimal),
        UNIT_TEST(test_datetimes_and_dates),
        UNIT_TEST(test_sparse_fieldsets),
        UNIT_TEST(test_meta_title),
        UNIT_TEST(test_doc_title),
        UNIT_TEST(test_escaping_in_resource),
        UNIT_TEST(test_appends_and_combinations),
        UNIT_TEST(test_etag),
    };
    if (apr_initialize() != APR_SUCCESS) {
        return 1;
    }
    int rc = cmocka_run_group_tests_name("document", tests, NULL, NULL);
    apr_terminate();
    return rc;
}
