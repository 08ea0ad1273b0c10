/* t/unit/test_api_write.c — lib/api/write.c and write_sql.c: JSON:API create and update
 * documents checked against the real entity definitions (contacts, users, roles) and a
 * test entity with every field type, every error with its pointer and status, and the
 * SQL of inserts, updates, deletes, to-many replacements and checks on both dialects.
 * No database is needed. Documents are written with ' for " (see json()). */
#include "unit.h"

#include <apr_md5.h>

#include "api/write.h"
#include "meta/meta.h"

#ifndef ORO_SOURCE_ROOT
#define ORO_SOURCE_ROOT "."
#endif
#define ENTITY_DIR ORO_SOURCE_ROOT "/conf.d/entities"

#define PG ORO_DIALECT_PGSQL
#define MY ORO_DIALECT_MYSQL

static const oro_meta_t *load_real(unit_fixture_t *f)
{
    apr_array_header_t *errors = NULL;
    oro_meta_t *meta = oro_meta_load(f->pool, ENTITY_DIR, &errors);
    if (errors != NULL) {
        fail_msg("conf.d/entities does not load:\n%s", oro_meta_errors_text(f->pool, errors));
    }
    return meta;
}

/* text with every ' turned into " (documents stay readable in C). */
static const char *json(apr_pool_t *p, const char *text)
{
    char *out = apr_pstrdup(p, text);
    for (char *c = out; *c; c++) {
        if (*c == '\'') {
            *c = '"';
        }
    }
    return out;
}

/* "widgets": one field of every type, client ids allowed, no ownership. */
static const oro_meta_t *load_widgets(unit_fixture_t *f)
{
    const char *def =
        "{'type': 'widgets', 'table': 'widget', 'label': 'Widget', 'ownership': 'none', "
        "'allowClientIds': true, 'fields': {"
        "'name': {'type': 'string', 'length': 5, 'required': true}, "
        "'code': {'type': 'string', 'length': 20, 'unique': true}, "
        "'count': {'type': 'integer'}, 'big': {'type': 'bigint'}, "
        "'price': {'type': 'decimal', 'precision': 6, 'scale': 2}, "
        "'cost': {'type': 'money'}, "
        "'active': {'type': 'boolean'}, 'site': {'type': 'url'}, "
        "'mail': {'type': 'email'}, 'phone': {'type': 'phone'}, "
        "'seen': {'type': 'datetime'}, 'day': {'type': 'date'}, "
        "'secret': {'type': 'password'}, 'notes': {'type': 'text'}, "
        "'stamp': {'type': 'string', 'readonly': true}, "
        "'kind': {'type': 'enum', 'values': ['small', 'large'], 'required': true, "
        "'default': 'small'}}}";
    apr_hash_t *h = apr_hash_make(f->pool);
    apr_hash_set(h, "widget.json", APR_HASH_KEY_STRING, json(f->pool, def));
    apr_array_header_t *errors = NULL;
    oro_meta_t *meta = oro_meta_load_texts(f->pool, h, &errors);
    if (errors != NULL) {
        fail_msg("widgets do not load:\n%s", oro_meta_errors_text(f->pool, errors));
    }
    return meta;
}

static const oro_entity_t *entity(const oro_meta_t *meta, const char *type)
{
    const oro_entity_t *e = oro_meta_entity(meta, type);
    if (e == NULL) {
        fail_msg("no entity %s", type);
    }
    return e;
}

static const char *errors_text(apr_pool_t *p, const apr_array_header_t *errors)
{
    const char *out = "";
    for (int i = 0; errors != NULL && i < errors->nelts; i++) {
        const oro_api_error_t *e = &APR_ARRAY_IDX(errors, i, oro_api_error_t);
        out = apr_psprintf(p, "%s\n  %d %s [%s]: %s", out, e->status, e->title,
                           e->pointer ? e->pointer : "(no pointer)", e->detail);
    }
    return out;
}

/* Parses a document written with ' for " that must be valid. */
static oro_write_doc_t *valid(unit_fixture_t *f, const oro_meta_t *meta, const char *type,
                              const char *doc, const char *url_id)
{
    apr_array_header_t *errors = (void *)1;
    const char *body = json(f->pool, doc);
    oro_write_doc_t *d =
        oro_write_parse(f->pool, meta, entity(meta, type), body, strlen(body), url_id, &errors);
    if (d == NULL || errors != NULL) {
        fail_msg("unexpected errors:%s", errors_text(f->pool, errors));
    }
    assert_ptr_equal(d->entity, entity(meta, type));
    return d;
}

/* Parses a raw body that must be refused; returns the errors. */
static apr_array_header_t *refused_raw(unit_fixture_t *f, const oro_meta_t *meta, const char *type,
                                       const char *body, size_t len, const char *url_id)
{
    apr_array_header_t *errors = NULL;
    oro_write_doc_t *d =
        oro_write_parse(f->pool, meta, entity(meta, type), body, len, url_id, &errors);
    assert_null(d);
    assert_non_null(errors);
    assert_true(errors->nelts > 0);
    return errors;
}

static apr_array_header_t *refused(unit_fixture_t *f, const oro_meta_t *meta, const char *type,
                                   const char *doc, const char *url_id)
{
    const char *body = json(f->pool, doc);
    return refused_raw(f, meta, type, body, strlen(body), url_id);
}

/* The error at pointer, checked for status and title; fails if there is none. */
static const oro_api_error_t *error_at(unit_fixture_t *f, const apr_array_header_t *errors,
                                       const char *pointer, int status, const char *title)
{
    for (int i = 0; i < errors->nelts; i++) {
        const oro_api_error_t *e = &APR_ARRAY_IDX(errors, i, oro_api_error_t);
        if (e->pointer != NULL && strcmp(e->pointer, pointer) == 0) {
            if (e->status != status || strcmp(e->title, title) != 0) {
                fail_msg("error at %s is %d \"%s\", expected %d \"%s\":%s", pointer, e->status,
                         e->title, status, title, errors_text(f->pool, errors));
            }
            assert_null(e->parameter);
            assert_non_null(e->detail);
            return e;
        }
    }
    fail_msg("no error at %s:%s", pointer, errors_text(f->pool, errors));
    return NULL;
}

/* The only error of errors, at pointer. */
static const oro_api_error_t *only_error(unit_fixture_t *f, const apr_array_header_t *errors,
                                         const char *pointer, int status, const char *title)
{
    if (errors->nelts != 1) {
        fail_msg("expected one error, got %d:%s", errors->nelts, errors_text(f->pool, errors));
    }
    return error_at(f, errors, pointer, status, title);
}

/* The value of doc for a field or relation name; fails when absent. */
static const oro_write_value_t *value_of(const oro_write_doc_t *doc, const char *name)
{
    for (int i = 0; i < doc->values->nelts; i++) {
        const oro_write_value_t *v = &APR_ARRAY_IDX(doc->values, i, oro_write_value_t);
        const char *n = v->field ? v->field->name : v->relation->name;
        if (strcmp(n, name) == 0) {
            return v;
        }
    }
    fail_msg("no value for %s", name);
    return NULL;
}

static void assert_value(const oro_write_doc_t *doc, const char *name, const char *text)
{
    const oro_write_value_t *v = value_of(doc, name);
    if (text == NULL) {
        assert_null(v->value);
    }
    else {
        assert_non_null(v->value);
        assert_string_equal(v->value, text);
    }
}

/* sql has the text expected (with " for identifiers on PostgreSQL, ` on MariaDB:
 * expected is written with ", converted for MY), one %s per parameter, no other '%',
 * and the parameters given (a NULL-terminated list). */
static void assert_sql(apr_pool_t *p, const oro_sql_t *sql, oro_dialect_t dialect,
                       const char *expected, ...)
{
    assert_non_null(sql);
    char *want = apr_pstrdup(p, expected);
    if (dialect == MY) {
        for (char *c = want; *c; c++) {
            if (*c == '"') {
                *c = '`';
            }
        }
    }
    assert_string_equal(sql->sql, want);
    int markers = 0;
    for (const char *c = sql->sql; *c; c++) {
        if (*c == '%') {
            assert_int_equal(c[1], 's');
            markers++;
        }
    }
    assert_int_equal(markers, sql->params->nelts);
    va_list ap;
    va_start(ap, expected);
    int i = 0;
    for (const char *param; (param = va_arg(ap, const char *)) != NULL; i++) {
        if (i >= sql->params->nelts) {
            fail_msg("missing parameter %d (%s) of %s", i, param, sql->sql);
        }
        assert_string_equal(APR_ARRAY_IDX(sql->params, i, const char *), param);
    }
    va_end(ap);
    assert_int_equal(i, sql->params->nelts);
}

#define CONTACT_CREATE                                                                             \
    "{'data': {'type': 'contacts', 'attributes': {'firstName': 'Ann', 'lastName': 'Lee', "         \
    "'primaryEmail': 'ann@example.com', 'gender': 'female', 'birthday': '1990-02-03', "            \
    "'primaryPhone': '+1 (555) 123-4567', 'description': null}, 'relationships': {"                \
    "'account': {'data': {'type': 'accounts', 'id': '7'}}, "                                       \
    "'owner': {'data': {'type': 'users', 'id': '1'}}, "                                            \
    "'organization': {'data': {'type': 'organizations', 'id': '2'}, 'meta': {}}, "                 \
    "'opportunities': {'data': [{'type': 'opportunities', 'id': '3'}, "                            \
    "{'type': 'opportunities', 'id': '4'}]}}}, 'jsonapi': {'version': '1.1'}, 'meta': {}}"

static void test_create_contact(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    oro_write_doc_t *doc = valid(f, meta, "contacts", CONTACT_CREATE, NULL);
    assert_null(doc->id);
    assert_int_equal(doc->values->nelts, 10);
    assert_value(doc, "firstName", "Ann");
    assert_value(doc, "primaryEmail", "ann@example.com");
    assert_value(doc, "gender", "female");
    assert_value(doc, "birthday", "1990-02-03");
    assert_value(doc, "description", NULL);
    assert_value(doc, "account", "7");
    assert_value(doc, "owner", "1");
    assert_value(doc, "organization", "2");
    assert_string_equal(value_of(doc, "firstName")->pointer, "/data/attributes/firstName");
    assert_string_equal(value_of(doc, "account")->pointer, "/data/relationships/account/data");
    assert_null(value_of(doc, "account")->field);
    assert_ptr_equal(value_of(doc, "account")->relation,
                     oro_meta_relation(entity(meta, "contacts"), "account"));
    assert_int_equal(doc->to_many->nelts, 1);
    const oro_write_to_many_t *set = &APR_ARRAY_IDX(doc->to_many, 0, oro_write_to_many_t);
    assert_string_equal(set->relation->name, "opportunities");
    assert_string_equal(set->pointer, "/data/relationships/opportunities/data");
    assert_int_equal(set->ids->nelts, 2);
    assert_string_equal(APR_ARRAY_IDX(set->ids, 0, const char *), "3");
    assert_string_equal(APR_ARRAY_IDX(set->ids, 1, const char *), "4");

    const char *insert =
        "INSERT INTO \"orocrm_contact\" (\"first_name\", \"last_name\", \"primary_email\", "
        "\"gender\", \"birthday\", \"primary_phone\", \"description\", \"account_id\", "
        "\"owner_id\", \"organization_id\") VALUES (%s, %s, %s, %s, %s, %s, NULL, %s, %s, %s)";
    assert_sql(f->pool, oro_write_insert(f->pool, PG, doc), PG,
               apr_pstrcat(f->pool, insert,
                           /* the record as the answer needs it: no second read */
                           " RETURNING \"id\", \"name_prefix\", \"first_name\", \"middle_name\", "
                           "\"last_name\", \"name_suffix\", \"gender\", \"birthday\", "
                           "\"job_title\", \"primary_email\", \"secondary_email\", "
                           "\"primary_phone\", \"mobile_phone\", \"source\", \"description\", "
                           "\"created_at\", \"updated_at\", \"owner_id\", \"organization_id\", "
                           "\"account_id\"",
                           NULL),
               "Ann", "Lee", "ann@example.com", "female", "1990-02-03", "+1 (555) 123-4567", "7",
               "1", "2", NULL);
    assert_sql(f->pool, oro_write_insert(f->pool, MY, doc), MY, insert, "Ann", "Lee",
               "ann@example.com", "female", "1990-02-03", "+1 (555) 123-4567", "7", "1", "2", NULL);
}

static void test_update_contact(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    oro_write_doc_t *doc = valid(f, meta, "contacts",
                                 "{'data': {'type': 'contacts', 'id': '5', 'attributes': "
                                 "{'jobTitle': 'CTO', 'middleName': null}, 'relationships': "
                                 "{'account': {'data': null}}, 'links': {}, 'meta': {}}}",
                                 "5");
    assert_string_equal(doc->id, "5");
    assert_int_equal(doc->values->nelts, 3);
    assert_int_equal(doc->to_many->nelts, 0);
    assert_value(doc, "jobTitle", "CTO");
    assert_value(doc, "middleName", NULL);
    assert_value(doc, "account", NULL);
    const char *update = "UPDATE \"orocrm_contact\" SET \"job_title\" = %s, \"middle_name\" = "
                         "NULL, \"account_id\" = NULL WHERE \"id\" = %s";
    assert_sql(f->pool, oro_write_update(f->pool, PG, doc, "5"), PG, update, "CTO", "5", NULL);
    assert_sql(f->pool, oro_write_update(f->pool, MY, doc, "5"), MY, update, "CTO", "5", NULL);

    /* an update of relationships only: nothing for UPDATE; required fields not needed */
    doc = valid(f, meta, "contacts",
                "{'data': {'type': 'contacts', 'id': '5', 'relationships': {'opportunities': "
                "{'data': []}}}}",
                "5");
    assert_int_equal(doc->values->nelts, 0);
    assert_null(oro_write_update(f->pool, PG, doc, "5"));
    assert_int_equal(doc->to_many->nelts, 1);
    assert_int_equal(APR_ARRAY_IDX(doc->to_many, 0, oro_write_to_many_t).ids->nelts, 0);
}

static void test_delete(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    const char *sql = "DELETE FROM \"orocrm_contact\" WHERE \"id\" = %s";
    assert_sql(f->pool, oro_write_delete(f->pool, PG, entity(meta, "contacts"), "9"), PG, sql, "9",
               NULL);
    assert_sql(f->pool, oro_write_delete(f->pool, MY, entity(meta, "contacts"), "9"), MY, sql, "9",
               NULL);
}

static void test_document_structure(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    apr_array_header_t *e;

    e = refused(f, meta, "contacts", "[1]", NULL);
    only_error(f, e, "/", 400, "request data constraint");
    e = refused(f, meta, "contacts", "{'meta': {}}", NULL);
    assert_contains(only_error(f, e, "/", 400, "request data constraint")->detail, "\"data\"");
    e = refused(f, meta, "contacts", "{'data': [], 'included': []}", "1");
    assert_int_equal(e->nelts, 2);
    assert_contains(error_at(f, e, "/", 400, "extra fields constraint")->detail, "\"included\"");
    error_at(f, e, "/data", 400, "request data constraint");
    e = refused(f, meta, "contacts", "{'data': {'id': '1', 'lid': 'x'}}", "1");
    assert_int_equal(e->nelts, 2);
    error_at(f, e, "/data/type", 400, "request data constraint");
    error_at(f, e, "/data/lid", 400, "extra fields constraint");
    e = refused(f, meta, "contacts", "{'data': {'type': 7, 'id': '1'}}", "1");
    only_error(f, e, "/data/type", 400, "request data constraint");
    e = refused(f, meta, "contacts",
                "{'data': {'type': 'contacts', 'id': '1', 'attributes': [], "
                "'relationships': 'x'}}",
                "1");
    assert_int_equal(e->nelts, 2);
    error_at(f, e, "/data/attributes", 400, "request data constraint");
    error_at(f, e, "/data/relationships", 400, "request data constraint");
}

static void test_type_and_id(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    apr_array_header_t *e;

    /* the type of the URL, else 409 */
    e = refused(f, meta, "contacts", "{'data': {'type': 'accounts', 'id': '5'}}", "5");
    assert_contains(only_error(f, e, "/data/type", 409, "conflict")->detail, "\"accounts\"");
    /* the id of the URL, else 409; required on update */
    e = refused(f, meta, "contacts", "{'data': {'type': 'contacts', 'id': '6'}}", "5");
    only_error(f, e, "/data/id", 409, "conflict");
    e = refused(f, meta, "contacts", "{'data': {'type': 'contacts'}}", "5");
    only_error(f, e, "/data/id", 400, "request data constraint");
    e = refused(f, meta, "contacts", "{'data': {'type': 'contacts', 'id': 5}}", "5");
    assert_contains(only_error(f, e, "/data/id", 400, "request data constraint")->detail, "string");
    /* contacts take no client ids: 403, even when the rest is fine */
    e = refused(f, meta, "contacts",
                "{'data': {'type': 'contacts', 'id': '77', 'attributes': {'firstName': 'A', "
                "'lastName': 'B'}, 'relationships': {'owner': {'data': {'type': 'users', 'id': "
                "'1'}}, 'organization': {'data': {'type': 'organizations', 'id': '1'}}}}}",
                NULL);
    only_error(f, e, "/data/id", 403, "forbidden");
    e = refused(f, meta, "roles",
                "{'data': {'type': 'roles', 'id': null, 'attributes': {'role': 'R', "
                "'label': 'L'}}}",
                NULL);
    only_error(f, e, "/data/id", 403, "forbidden");
}

static void test_client_ids(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_widgets(f);
    oro_write_doc_t *doc =
        valid(f, meta, "widgets",
              "{'data': {'type': 'widgets', 'id': '42', 'attributes': {'name': 'w'}}}", NULL);
    assert_string_equal(doc->id, "42");
    assert_sql(f->pool, oro_write_insert(f->pool, PG, doc), PG,
               "INSERT INTO \"widget\" (\"id\", \"name\") VALUES (%s, %s) RETURNING \"id\", "
               "\"name\", \"code\", \"count\", \"big\", \"price\", "
               "\"cost\", \"active\", \"site\", \"mail\", \"phone\", \"seen\", \"day\", "
               "\"notes\", \"stamp\", \"kind\", \"created_at\", \"updated_at\"",
               "42", "w", NULL);
    assert_sql(f->pool, oro_write_insert(f->pool, MY, doc), MY,
               "INSERT INTO \"widget\" (\"id\", \"name\") VALUES (%s, %s)", "42", "w", NULL);
    doc = valid(f, meta, "widgets", "{'data': {'type': 'widgets', 'attributes': {'name': 'w'}}}",
                NULL);
    assert_null(doc->id);

    static const char *const bad[] = {"'abc'", "'0'", "'-3'", "'007'", "'9223372036854775808'",
                                      "''",    NULL};
    for (int i = 0; bad[i] != NULL; i++) {
        apr_array_header_t *e =
            refused(f, meta, "widgets",
                    apr_psprintf(f->pool,
                                 "{'data': {'type': 'widgets', 'id': %s, 'attributes': "
                                 "{'name': 'w'}}}",
                                 bad[i]),
                    NULL);
        only_error(f, e, "/data/id", 400, "value constraint");
    }
    apr_array_header_t *e =
        refused(f, meta, "widgets",
                "{'data': {'type': 'widgets', 'id': 42, 'attributes': {'name': 'w'}}}", NULL);
    only_error(f, e, "/data/id", 400, "request data constraint");
    doc = valid(f, meta, "widgets",
                "{'data': {'type': 'widgets', 'id': '9223372036854775807', 'attributes': "
                "{'name': 'w'}}}",
                NULL);
    assert_string_equal(doc->id, "9223372036854775807");
}

static void test_unknown_and_readonly(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    apr_array_header_t *e =
        refused(f, meta, "contacts",
                "{'data': {'type': 'contacts', 'id': '5', 'attributes': {'nickname': 'x', "
                "'createdAt': '2024-01-01T00:00:00Z', 'id': '5', 'account': '3', 'a/b~c': 1}, "
                "'relationships': {'friends': {'data': []}, 'firstName': {'data': null}}}}",
                "5");
    assert_int_equal(e->nelts, 7);
    assert_string_equal(
        error_at(f, e, "/data/attributes/nickname", 400, "extra fields constraint")->detail,
        "\"nickname\" is not an attribute of contacts");
    assert_string_equal(
        error_at(f, e, "/data/attributes/createdAt", 400, "read-only constraint")->detail,
        "\"createdAt\" is read-only");
    error_at(f, e, "/data/attributes/id", 400, "read-only constraint");
    assert_contains(
        error_at(f, e, "/data/attributes/account", 400, "extra fields constraint")->detail,
        "relationship");
    error_at(f, e, "/data/attributes/a~1b~0c", 400, "extra fields constraint");
    assert_string_equal(
        error_at(f, e, "/data/relationships/friends", 400, "extra fields constraint")->detail,
        "\"friends\" is not a relationship of contacts");
    error_at(f, e, "/data/relationships/firstName", 400, "extra fields constraint");

    /* users.loginCount is read-only (and required with a default) */
    e = refused(f, meta, "users",
                "{'data': {'type': 'users', 'id': '1', 'attributes': {'loginCount': 3}}}", "1");
    only_error(f, e, "/data/attributes/loginCount", 400, "read-only constraint");
}

static void test_required_on_create(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    apr_array_header_t *e =
        refused(f, meta, "contacts",
                "{'data': {'type': 'contacts', 'attributes': {'jobTitle': 'x'}}}", NULL);
    /* owner and organization may be left out: the API fills in the caller's */
    assert_int_equal(e->nelts, 2);
    assert_string_equal(
        error_at(f, e, "/data/attributes/firstName", 400, "not blank constraint")->detail,
        "\"firstName\" is required");
    error_at(f, e, "/data/attributes/lastName", 400, "not blank constraint");

    /* null and "" are no values either */
    e = refused(f, meta, "contacts",
                "{'data': {'type': 'contacts', 'attributes': {'firstName': null, 'lastName': "
                "''}, 'relationships': {'owner': {'data': null}, 'organization': {'data': "
                "{'type': 'organizations', 'id': '1'}}}}}",
                NULL);
    assert_int_equal(e->nelts, 3);
    error_at(f, e, "/data/attributes/firstName", 400, "not blank constraint");
    error_at(f, e, "/data/attributes/lastName", 400, "not blank constraint");
    error_at(f, e, "/data/relationships/owner/data", 400, "not blank constraint");

    /* required fields with a default may be left out (users.enabled); users are owned by
     * a business unit */
    oro_write_doc_t *doc =
        valid(f, meta, "users",
              "{'data': {'type': 'users', 'attributes': {'username': 'ann', 'email': "
              "'ann@example.com'}, 'relationships': {'owner': {'data': {'type': "
              "'businessunits', 'id': '1'}}, 'organization': {'data': {'type': "
              "'organizations', 'id': '1'}}}}}",
              NULL);
    assert_int_equal(doc->values->nelts, 4);
    /* but not set to null */
    e = refused(f, meta, "users",
                "{'data': {'type': 'users', 'id': '3', 'attributes': {'enabled': null}}}", "3");
    only_error(f, e, "/data/attributes/enabled", 400, "not blank constraint");
}

static void test_required_on_update(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    /* missing is fine on update */
    valid(f, meta, "contacts", "{'data': {'type': 'contacts', 'id': '5'}}", "5");
    apr_array_header_t *e = refused(f, meta, "contacts",
                                    "{'data': {'type': 'contacts', 'id': '5', 'attributes': "
                                    "{'firstName': null}, 'relationships': {'organization': "
                                    "{'data': null}}}}",
                                    "5");
    assert_int_equal(e->nelts, 2);
    error_at(f, e, "/data/attributes/firstName", 400, "not blank constraint");
    error_at(f, e, "/data/relationships/organization/data", 400, "not blank constraint");
}

#define WIDGET(attrs) "{'data': {'type': 'widgets', 'id': '1', 'attributes': {" attrs "}}}"

/* The one error of a widget update with attrs, at /data/attributes/name. */
static const oro_api_error_t *widget_error(unit_fixture_t *f, const oro_meta_t *meta,
                                           const char *name, const char *value, const char *title)
{
    apr_array_header_t *e =
        refused(f, meta, "widgets", apr_psprintf(f->pool, WIDGET("'%s': %s"), name, value), "1");
    return only_error(f, e, apr_pstrcat(f->pool, "/data/attributes/", name, NULL), 400, title);
}

static const char *widget_value(unit_fixture_t *f, const oro_meta_t *meta, const char *name,
                                const char *value)
{
    oro_write_doc_t *doc =
        valid(f, meta, "widgets", apr_psprintf(f->pool, WIDGET("'%s': %s"), name, value), "1");
    assert_int_equal(doc->values->nelts, 1);
    return value_of(doc, name)->value;
}

static void test_string_values(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_widgets(f);
    /* length in characters: 5 two-byte characters fit a length of 5, 6 do not */
    assert_string_equal(widget_value(f, meta, "name", "'\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9'"),
                        "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9");
    assert_string_equal(widget_value(f, meta, "name", "'\\u00e9t\\u00e9'"), "\xC3\xA9t\xC3\xA9");
    assert_string_equal(widget_error(f, meta, "name", "'\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9x'",
                                     "length constraint")
                            ->detail,
                        "\"name\" is longer than 5 characters");
    widget_error(f, meta, "name", "12", "value constraint");
    widget_error(f, meta, "name", "['a']", "value constraint");
    assert_contains(widget_error(f, meta, "notes", "'a\\u0000b'", "value constraint")->detail,
                    "NUL");
    assert_string_equal(widget_value(f, meta, "notes", "''"), "");

    assert_string_equal(widget_value(f, meta, "mail", "'a.b+c@mail.example.org'"),
                        "a.b+c@mail.example.org");
    static const char *const bad_mail[] = {"'ann'",
                                           "'@example.com'",
                                           "'a@b@example.com'",
                                           "'ann@example'",
                                           "'a b@example.com'",
                                           "'a@.com'",
                                           "''",
                                           NULL};
    for (int i = 0; bad_mail[i] != NULL; i++) {
        widget_error(f, meta, "mail", bad_mail[i], "value constraint");
    }
    assert_contains(widget_error(f, meta, "mail", "'ann'", "value constraint")->detail,
                    "\"ann\" is not an email address");

    assert_string_equal(widget_value(f, meta, "site", "'https://example.com/a?b=c'"),
                        "https://example.com/a?b=c");
    assert_string_equal(widget_value(f, meta, "site", "'HTTP://x'"), "HTTP://x");
    static const char *const bad_url[] = {"'ftp://example.com'",   "'https://'",
                                          "'example.com'",         "'http://a b.com'",
                                          "'javascript:alert(1)'", NULL};
    for (int i = 0; bad_url[i] != NULL; i++) {
        widget_error(f, meta, "site", bad_url[i], "value constraint");
    }

    assert_string_equal(widget_value(f, meta, "phone", "'+49 (30) 123-45.67'"),
                        "+49 (30) 123-45.67");
    widget_error(f, meta, "phone", "'12'", "value constraint");
    widget_error(f, meta, "phone", "'call 123'", "value constraint");

    assert_string_equal(widget_value(f, meta, "kind", "'large'"), "large");
    widget_error(f, meta, "kind", "'huge'", "value constraint");
    widget_error(f, meta, "kind", "1", "value constraint");
    widget_error(f, meta, "stamp", "'x'", "read-only constraint");
}

static void test_number_values(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_widgets(f);
    assert_string_equal(widget_value(f, meta, "count", "12"), "12");
    assert_string_equal(widget_value(f, meta, "count", "-2147483648"), "-2147483648");
    assert_string_equal(widget_value(f, meta, "count", "2147483647"), "2147483647");
    assert_string_equal(widget_value(f, meta, "count", "12.0"), "12");
    assert_string_equal(widget_value(f, meta, "count", "-0"), "0");
    widget_error(f, meta, "count", "2147483648", "value constraint");
    widget_error(f, meta, "count", "-2147483649", "value constraint");
    assert_contains(widget_error(f, meta, "count", "1.5", "value constraint")->detail,
                    "whole number");
    widget_error(f, meta, "count", "'12'", "value constraint");
    widget_error(f, meta, "count", "true", "value constraint");
    widget_error(f, meta, "count", "1e300", "value constraint");
    widget_error(f, meta, "count", "NaN", "value constraint");

    assert_string_equal(widget_value(f, meta, "big", "9223372036854775807"), "9223372036854775807");
    assert_string_equal(widget_value(f, meta, "big", "-9223372036854775807"),
                        "-9223372036854775807");
    widget_error(f, meta, "big", "9223372036854775808", "value constraint");
    widget_error(f, meta, "big", "99999999999999999999999", "value constraint");
    widget_error(f, meta, "big", "-99999999999999999999999", "value constraint");

    /* decimals: numbers as written or strings (as Oro returns them) */
    assert_string_equal(widget_value(f, meta, "price", "12.5"), "12.5");
    assert_string_equal(widget_value(f, meta, "price", "'1234.56'"), "1234.56");
    assert_string_equal(widget_value(f, meta, "price", "-7"), "-7");
    assert_string_equal(widget_value(f, meta, "cost", "'123456789012345.1234'"),
                        "123456789012345.1234");
    assert_contains(widget_error(f, meta, "price", "'12345.6'", "value constraint")->detail,
                    "\"12345.6\"");
    widget_error(f, meta, "price", "1.234", "value constraint");
    widget_error(f, meta, "price", "'abc'", "value constraint");
    widget_error(f, meta, "price", "true", "value constraint");
    widget_error(f, meta, "price", "NaN", "value constraint");

    assert_string_equal(widget_value(f, meta, "active", "true"), "1");
    assert_string_equal(widget_value(f, meta, "active", "false"), "0");
    widget_error(f, meta, "active", "'true'", "value constraint");
    widget_error(f, meta, "active", "1", "value constraint");
    assert_null(widget_value(f, meta, "active", "null"));
}

static void test_date_values(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_widgets(f);
    assert_string_equal(widget_value(f, meta, "day", "'2024-02-29'"), "2024-02-29");
    widget_error(f, meta, "day", "'2023-02-29'", "value constraint");
    widget_error(f, meta, "day", "'29.02.2024'", "value constraint");
    widget_error(f, meta, "day", "20240229", "value constraint");
    /* datetimes are stored in UTC */
    assert_string_equal(widget_value(f, meta, "seen", "'2024-03-01T01:30:00+02:00'"),
                        "2024-02-29 23:30:00");
    assert_string_equal(widget_value(f, meta, "seen", "'2024-03-01T01:30:00.25Z'"),
                        "2024-03-01 01:30:00.250000");
    widget_error(f, meta, "seen", "'yesterday'", "value constraint");
}

static void test_password(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    oro_write_doc_t *doc = valid(
        f, meta, "users",
        "{'data': {'type': 'users', 'id': '3', 'attributes': {'password': 'correct horse'}}}", "3");
    const char *hash = value_of(doc, "password")->value;
    assert_non_null(hash);
    assert_string_not_equal(hash, "correct horse");
    assert_starts_with(hash, "$2y$10$");
    assert_int_equal(apr_password_validate("correct horse", hash), APR_SUCCESS);
    assert_int_not_equal(apr_password_validate("correct horsE", hash), APR_SUCCESS);
    /* a new salt every time */
    oro_write_doc_t *again = valid(
        f, meta, "users",
        "{'data': {'type': 'users', 'id': '3', 'attributes': {'password': 'correct horse'}}}", "3");
    assert_string_not_equal(value_of(again, "password")->value, hash);

    /* 8 to 72 bytes; the password is never echoed */
    apr_array_header_t *e = refused(
        f, meta, "users",
        "{'data': {'type': 'users', 'id': '3', 'attributes': {'password': 'short7!'}}}", "3");
    const oro_api_error_t *err =
        only_error(f, e, "/data/attributes/password", 400, "length constraint");
    assert_null(strstr(err->detail, "short7!"));
    /* never the username of the same document, whatever the case */
    e = refused(f, meta, "users",
                "{'data': {'type': 'users', 'id': '3', 'attributes': {'username': 'Correct Horse', "
                "'password': 'correct horse'}}}",
                "3");
    only_error(f, e, "/data/attributes/password", 400, "password constraint");
    char long_password[74];
    memset(long_password, 'x', 73);
    long_password[73] = '\0';
    e = refused(f, meta, "users",
                apr_psprintf(f->pool,
                             "{'data': {'type': 'users', 'id': '3', 'attributes': "
                             "{'password': '%s'}}}",
                             long_password),
                "3");
    only_error(f, e, "/data/attributes/password", 400, "length constraint");
    long_password[72] = '\0';
    valid(f, meta, "users",
          apr_psprintf(f->pool,
                       "{'data': {'type': 'users', 'id': '3', 'attributes': {'password': '%s'}}}",
                       long_password),
          "3");
    e = refused(f, meta, "users",
                "{'data': {'type': 'users', 'id': '3', 'attributes': {'password': 12345678}}}",
                "3");
    only_error(f, e, "/data/attributes/password", 400, "value constraint");
}

static void test_linkage_errors(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    apr_array_header_t *e = refused(f, meta, "contacts",
                                    "{'data': {'type': 'contacts', 'id': '5', 'relationships': {"
                                    "'account': {'data': {'type': 'contacts', 'id': 7}}, "
                                    "'owner': {'data': {'type': 'users'}}, "
                                    "'organization': {'links': {}}}}}",
                                    "5");
    assert_int_equal(e->nelts, 4);
    assert_contains(
        error_at(f, e, "/data/relationships/account/data/type", 400, "value constraint")->detail,
        "accounts");
    assert_contains(
        error_at(f, e, "/data/relationships/account/data/id", 400, "request data constraint")
            ->detail,
        "string");
    error_at(f, e, "/data/relationships/owner/data/id", 400, "request data constraint");
    error_at(f, e, "/data/relationships/organization", 400, "request data constraint");

    e = refused(f, meta, "contacts",
                "{'data': {'type': 'contacts', 'id': '5', 'relationships': {"
                "'account': {'data': [{'type': 'accounts', 'id': '1'}]}, "
                "'owner': 'users/1', "
                "'organization': {'data': {'type': 'organizations', 'id': '1', 'x': 1}}, "
                "'opportunities': {'data': null}}}}",
                "5");
    assert_int_equal(e->nelts, 4);
    error_at(f, e, "/data/relationships/account/data", 400, "request data constraint");
    error_at(f, e, "/data/relationships/owner", 400, "request data constraint");
    error_at(f, e, "/data/relationships/organization/data/x", 400, "extra fields constraint");
    error_at(f, e, "/data/relationships/opportunities/data", 400, "request data constraint");

    e = refused(f, meta, "contacts",
                "{'data': {'type': 'contacts', 'id': '5', 'relationships': {"
                "'opportunities': {'data': [{'type': 'opportunities', 'id': '3'}, "
                "{'type': 'opportunities', 'id': 'x'}, {'type': 'accounts', 'id': '4'}, "
                "{'type': 'opportunities', 'id': '3'}, 'x']}}}}",
                "5");
    assert_int_equal(e->nelts, 4);
    error_at(f, e, "/data/relationships/opportunities/data/1/id", 400, "value constraint");
    error_at(f, e, "/data/relationships/opportunities/data/2/type", 400, "value constraint");
    assert_contains(
        error_at(f, e, "/data/relationships/opportunities/data/3", 400, "value constraint")->detail,
        "twice");
    error_at(f, e, "/data/relationships/opportunities/data/4", 400, "request data constraint");
}

static void test_to_many_limit(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    for (int n = 1000; n <= 1001; n++) {
        const char *items = "";
        for (int i = 1; i <= n; i++) {
            items = apr_psprintf(f->pool, "%s%s{'type': 'roles', 'id': '%d'}", items,
                                 i > 1 ? ", " : "", i);
        }
        const char *doc = apr_psprintf(f->pool,
                                       "{'data': {'type': 'users', 'id': '3', 'relationships': "
                                       "{'roles': {'data': [%s]}}}}",
                                       items);
        if (n == 1000) {
            oro_write_doc_t *d = valid(f, meta, "users", doc, "3");
            assert_int_equal(APR_ARRAY_IDX(d->to_many, 0, oro_write_to_many_t).ids->nelts, 1000);
        }
        else {
            apr_array_header_t *e = refused(f, meta, "users", doc, "3");
            only_error(f, e, "/data/relationships/roles/data", 400, "request data constraint");
        }
    }
}

static void test_many_errors_together(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    apr_array_header_t *e = refused(
        f, meta, "contacts",
        "{'data': {'type': 'contacts', 'id': '1', 'attributes': {'firstName': 'Ann', "
        "'gender': 'robot', 'birthday': 'soon', 'primaryEmail': 'nope', 'jobTitle': null, "
        "'mobilePhone': 'x'}, 'relationships': {'account': {'data': {'type': 'users', 'id': "
        "'1'}}}}}",
        NULL);
    assert_int_equal(e->nelts, 7);
    error_at(f, e, "/data/id", 403, "forbidden");
    error_at(f, e, "/data/attributes/gender", 400, "value constraint");
    error_at(f, e, "/data/attributes/birthday", 400, "value constraint");
    error_at(f, e, "/data/attributes/primaryEmail", 400, "value constraint");
    error_at(f, e, "/data/attributes/mobilePhone", 400, "value constraint");
    error_at(f, e, "/data/relationships/account/data/type", 400, "value constraint");
    error_at(f, e, "/data/attributes/lastName", 400, "not blank constraint");
}

static void test_bad_bodies(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    apr_array_header_t *e;

    e = refused_raw(f, meta, "contacts", "", 0, NULL);
    assert_contains(only_error(f, e, "/", 400, "request data constraint")->detail, "empty");
    e = refused_raw(f, meta, "contacts", " \r\n\t", 4, NULL);
    assert_contains(only_error(f, e, "/", 400, "request data constraint")->detail, "empty");
    e = refused_raw(f, meta, "contacts", NULL, 0, NULL);
    only_error(f, e, "/", 400, "request data constraint");

    /* not NUL-terminated: len is what counts */
    const char *doc = json(f->pool, "{'data': {'type': 'contacts', 'id': '5'}}XYZ");
    apr_array_header_t *errors = (void *)1;
    assert_non_null(oro_write_parse(f->pool, meta, entity(meta, "contacts"), doc, strlen(doc) - 3,
                                    "5", &errors));
    assert_null(errors);
    /* trailing garbage */
    e = refused_raw(f, meta, "contacts", doc, strlen(doc), "5");
    assert_contains(only_error(f, e, "/", 400, "request data constraint")->detail,
                    "after the document");
    e = refused(f, meta, "contacts", "{'data': {'type': 'contacts', 'id': '5'}} {}", "5");
    only_error(f, e, "/", 400, "request data constraint");
    /* trailing blanks are fine */
    valid(f, meta, "contacts", "{'data': {'type': 'contacts', 'id': '5'}} \n", "5");

    /* not JSON, incomplete JSON, JSON with a trailing comma */
    e = refused(f, meta, "contacts", "{data: 1}", "5");
    assert_contains(only_error(f, e, "/", 400, "request data constraint")->detail,
                    "not valid JSON");
    e = refused(f, meta, "contacts", "{'data': {'type': 'contacts'", "5");
    assert_contains(only_error(f, e, "/", 400, "request data constraint")->detail, "too early");
    e = refused(f, meta, "contacts", "{'data': {'type': 'contacts', 'id': '5',}}", "5");
    only_error(f, e, "/", 400, "request data constraint");

    /* invalid UTF-8 in a string, overlong, surrogate, NUL byte */
    static const char *const bad[] = {"\xC3\x28",         "\xC0\xAF", "\xED\xA0\x80",
                                      "\xF4\x90\x80\x80", "\xE2\x82", NULL};
    for (int i = 0; bad[i] != NULL; i++) {
        const char *body = apr_psprintf(f->pool,
                                        "{\"data\": {\"type\": \"contacts\", \"id\": \"5\", "
                                        "\"attributes\": {\"jobTitle\": \"a%sb\"}}}",
                                        bad[i]);
        e = refused_raw(f, meta, "contacts", body, strlen(body), "5");
        assert_contains(only_error(f, e, "/", 400, "request data constraint")->detail, "UTF-8");
    }
    const char nul_body[] = "{\"data\": {\"type\": \"contacts\", \"id\": \"5\", \"attributes\": "
                            "{\"jobTitle\": \"a\0b\"}}}";
    e = refused_raw(f, meta, "contacts", nul_body, sizeof nul_body - 1, "5");
    only_error(f, e, "/", 400, "request data constraint");
    /* four-byte characters are fine */
    oro_write_doc_t *d = valid(f, meta, "contacts",
                               "{'data': {'type': 'contacts', 'id': '5', 'attributes': "
                               "{'jobTitle': '\xF0\x9F\x98\x80'}}}",
                               "5");
    assert_string_equal(value_of(d, "jobTitle")->value, "\xF0\x9F\x98\x80");
}

static void test_depth(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    for (int depth = 30; depth <= 40; depth += 10) {
        /* the document is 1 level, meta 1 more, then depth - 2 arrays */
        const char *open = "", *close = "";
        for (int i = 0; i < depth - 2; i++) {
            open = apr_pstrcat(f->pool, open, "[", NULL);
            close = apr_pstrcat(f->pool, close, "]", NULL);
        }
        const char *doc = apr_psprintf(
            f->pool, "{'meta': {'x': %s%s}, 'data': {'type': 'contacts', 'id': '5'}}", open, close);
        if (depth == 30) {
            valid(f, meta, "contacts", doc, "5");
        }
        else {
            apr_array_header_t *e = refused(f, meta, "contacts", doc, "5");
            assert_contains(only_error(f, e, "/", 400, "request data constraint")->detail,
                            "nested");
        }
    }
}

static void test_too_large(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    const char *head = "{\"data\": {\"type\": \"contacts\", \"id\": \"5\"}";
    size_t len = ORO_WRITE_MAX_BODY + 1;
    char *body = apr_palloc(f->pool, len);
    memset(body, ' ', len);
    memcpy(body, head, strlen(head));
    body[len - 1] = '}';
    apr_array_header_t *e = refused_raw(f, meta, "contacts", body, len, "5");
    assert_contains(only_error(f, e, "/", 400, "request data constraint")->detail, "larger");
    /* exactly the limit is fine */
    body[len - 2] = '}';
    apr_array_header_t *errors = (void *)1;
    assert_non_null(
        oro_write_parse(f->pool, meta, entity(meta, "contacts"), body, len - 1, "5", &errors));
    assert_null(errors);
}

static void test_replace_one_to_many(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    oro_write_doc_t *doc = valid(f, meta, "contacts", CONTACT_CREATE, NULL);
    const oro_write_to_many_t *set = &APR_ARRAY_IDX(doc->to_many, 0, oro_write_to_many_t);
    for (int d = PG; d <= MY; d++) {
        apr_array_header_t *sql = oro_write_replace_to_many(f->pool, d, set, "12");
        assert_int_equal(sql->nelts, 2);
        assert_sql(f->pool, APR_ARRAY_IDX(sql, 0, oro_sql_t *), d,
                   "UPDATE \"orocrm_sales_opportunity\" SET \"contact_id\" = NULL WHERE "
                   "\"contact_id\" = %s AND \"id\" NOT IN (%s, %s)",
                   "12", "3", "4", NULL);
        assert_sql(f->pool, APR_ARRAY_IDX(sql, 1, oro_sql_t *), d,
                   "UPDATE \"orocrm_sales_opportunity\" SET \"contact_id\" = %s WHERE \"id\" IN "
                   "(%s, %s) AND (\"contact_id\" IS NULL OR \"contact_id\" <> %s)",
                   "12", "3", "4", "12", NULL);
    }
    /* the empty set only detaches */
    doc = valid(f, meta, "contacts",
                "{'data': {'type': 'contacts', 'id': '12', 'relationships': {'opportunities': "
                "{'data': []}}}}",
                "12");
    set = &APR_ARRAY_IDX(doc->to_many, 0, oro_write_to_many_t);
    apr_array_header_t *sql = oro_write_replace_to_many(f->pool, PG, set, "12");
    assert_int_equal(sql->nelts, 1);
    assert_sql(f->pool, APR_ARRAY_IDX(sql, 0, oro_sql_t *), PG,
               "UPDATE \"orocrm_sales_opportunity\" SET \"contact_id\" = NULL WHERE "
               "\"contact_id\" = %s",
               "12", NULL);
}

static void test_replace_many_to_many(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    /* the owning side */
    oro_write_doc_t *doc =
        valid(f, meta, "users",
              "{'data': {'type': 'users', 'id': '3', 'relationships': {'roles': {'data': "
              "[{'type': 'roles', 'id': '1'}, {'type': 'roles', 'id': '2'}]}}}}",
              "3");
    const oro_write_to_many_t *set = &APR_ARRAY_IDX(doc->to_many, 0, oro_write_to_many_t);
    for (int d = PG; d <= MY; d++) {
        apr_array_header_t *sql = oro_write_replace_to_many(f->pool, d, set, "3");
        assert_int_equal(sql->nelts, 3);
        assert_sql(f->pool, APR_ARRAY_IDX(sql, 0, oro_sql_t *), d,
                   "DELETE FROM \"oro_user_access_role\" WHERE \"user_id\" = %s", "3", NULL);
        assert_sql(f->pool, APR_ARRAY_IDX(sql, 1, oro_sql_t *), d,
                   "INSERT INTO \"oro_user_access_role\" (\"user_id\", \"role_id\") VALUES (%s, "
                   "%s)",
                   "3", "1", NULL);
        assert_sql(f->pool, APR_ARRAY_IDX(sql, 2, oro_sql_t *), d,
                   "INSERT INTO \"oro_user_access_role\" (\"user_id\", \"role_id\") VALUES (%s, "
                   "%s)",
                   "3", "2", NULL);
    }
    /* the inverse side (roles.users, mappedBy roles) writes the same join table */
    doc = valid(f, meta, "roles",
                "{'data': {'type': 'roles', 'id': '2', 'relationships': {'users': {'data': "
                "[{'type': 'users', 'id': '3'}]}}}}",
                "2");
    set = &APR_ARRAY_IDX(doc->to_many, 0, oro_write_to_many_t);
    apr_array_header_t *sql = oro_write_replace_to_many(f->pool, PG, set, "2");
    assert_int_equal(sql->nelts, 2);
    assert_sql(f->pool, APR_ARRAY_IDX(sql, 0, oro_sql_t *), PG,
               "DELETE FROM \"oro_user_access_role\" WHERE \"role_id\" = %s", "2", NULL);
    assert_sql(f->pool, APR_ARRAY_IDX(sql, 1, oro_sql_t *), PG,
               "INSERT INTO \"oro_user_access_role\" (\"role_id\", \"user_id\") VALUES (%s, %s)",
               "2", "3", NULL);
}

static const oro_write_check_t *check_at(const apr_array_header_t *checks, int i)
{
    assert_true(i < checks->nelts);
    return &APR_ARRAY_IDX(checks, i, oro_write_check_t);
}

static void test_checks(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_real(f);
    oro_write_doc_t *doc =
        valid(f, meta, "users",
              "{'data': {'type': 'users', 'attributes': {'username': 'ann', 'email': "
              "'ann@example.com', 'firstName': 'Ann'}, 'relationships': {'owner': {'data': "
              "{'type': 'businessunits', 'id': '4'}}, 'organization': {'data': {'type': "
              "'organizations', 'id': '1'}}, 'roles': {'data': [{'type': 'roles', 'id': '1'}, "
              "{'type': 'roles', 'id': '2'}]}, 'organizations': {'data': []}}}}",
              NULL);
    for (int d = PG; d <= MY; d++) {
        apr_array_header_t *checks = oro_write_checks(f->pool, d, doc, NULL);
        assert_int_equal(checks->nelts, 5);
        const oro_write_check_t *c = check_at(checks, 0);
        assert_sql(f->pool, c->sql, d, "SELECT COUNT(*) FROM \"oro_user\" WHERE \"username\" = %s",
                   "ann", NULL);
        assert_int_equal(c->expected, 0);
        assert_int_equal(c->error.status, 409);
        assert_string_equal(c->error.title, "unique constraint");
        assert_string_equal(c->error.detail, "another users record already has username \"ann\"");
        assert_string_equal(c->error.pointer, "/data/attributes/username");
        c = check_at(checks, 1);
        assert_sql(f->pool, c->sql, d, "SELECT COUNT(*) FROM \"oro_user\" WHERE \"email\" = %s",
                   "ann@example.com", NULL);
        assert_string_equal(c->error.pointer, "/data/attributes/email");
        c = check_at(checks, 2);
        assert_sql(f->pool, c->sql, d,
                   "SELECT COUNT(*) FROM \"oro_business_unit\" WHERE \"id\" = %s", "4", NULL);
        assert_int_equal(c->expected, 1);
        assert_int_equal(c->error.status, 400);
        assert_string_equal(c->error.title, "relation constraint");
        assert_string_equal(c->error.detail, "businessunits \"4\" does not exist");
        assert_string_equal(c->error.pointer, "/data/relationships/owner/data");
        c = check_at(checks, 3);
        assert_sql(f->pool, c->sql, d,
                   "SELECT COUNT(*) FROM \"oro_organization\" WHERE \"id\" = %s", "1", NULL);
        c = check_at(checks, 4);
        assert_sql(f->pool, c->sql, d,
                   "SELECT COUNT(*) FROM \"oro_access_role\" WHERE \"id\" IN (%s, %s)", "1", "2",
                   NULL);
        assert_int_equal(c->expected, 2);
        assert_int_equal(c->error.status, 400);
        assert_string_equal(c->error.title, "relation constraint");
        assert_contains(c->error.detail, "roles \"1\", \"2\"");
        assert_string_equal(c->error.pointer, "/data/relationships/roles/data");
    }

    /* on update the record itself is excluded; NULL values need no check */
    doc = valid(f, meta, "contacts",
                "{'data': {'type': 'contacts', 'id': '8', 'attributes': {'firstName': 'A'}, "
                "'relationships': {'account': {'data': null}}}}",
                "8");
    assert_int_equal(oro_write_checks(f->pool, PG, doc, "8")->nelts, 0);
    doc = valid(f, meta, "users",
                "{'data': {'type': 'users', 'id': '8', 'attributes': {'email': 'b@example.com'}}}",
                "8");
    apr_array_header_t *checks = oro_write_checks(f->pool, MY, doc, "8");
    assert_int_equal(checks->nelts, 1);
    assert_sql(f->pool, check_at(checks, 0)->sql, MY,
               "SELECT COUNT(*) FROM \"oro_user\" WHERE \"email\" = %s AND \"id\" <> %s",
               "b@example.com", "8", NULL);
}

static void test_insert_defaults_only(void **state)
{
    unit_fixture_t *f = *state;
    const oro_meta_t *meta = load_widgets(f);
    /* a document with no values (not valid for widgets, whose name is required, but the
     * statement must still be well-formed) */
    oro_write_doc_t doc = {.entity = entity(meta, "widgets"),
                           .id = NULL,
                           .values = apr_array_make(f->pool, 1, sizeof(oro_write_value_t)),
                           .to_many = apr_array_make(f->pool, 1, sizeof(oro_write_to_many_t))};
    assert_sql(f->pool, oro_write_insert(f->pool, PG, &doc), PG,
               "INSERT INTO \"widget\" DEFAULT VALUES RETURNING \"id\", \"name\", \"code\", "
               "\"count\", \"big\", \"price\", "
               "\"cost\", \"active\", \"site\", \"mail\", \"phone\", \"seen\", \"day\", "
               "\"notes\", \"stamp\", \"kind\", \"created_at\", \"updated_at\"",
               NULL);
    assert_sql(f->pool, oro_write_insert(f->pool, MY, &doc), MY,
               "INSERT INTO \"widget\" () VALUES ()", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_create_contact),
        UNIT_TEST(test_update_contact),
        UNIT_TEST(test_delete),
        UNIT_TEST(test_document_structure),
        UNIT_TEST(test_type_and_id),
        UNIT_TEST(test_client_ids),
        UNIT_TEST(test_unknown_and_readonly),
        UNIT_TEST(test_required_on_create),
        UNIT_TEST(test_required_on_update),
        UNIT_TEST(test_string_values),
        UNIT_TEST(test_number_values),
        UNIT_TEST(test_date_values),
        UNIT_TEST(test_password),
        UNIT_TEST(test_linkage_errors),
        UNIT_TEST(test_to_many_limit),
        UNIT_TEST(test_many_errors_together),
        UNIT_TEST(test_bad_bodies),
        UNIT_TEST(test_depth),
        UNIT_TEST(test_too_large),
        UNIT_TEST(test_replace_one_to_many),
        UNIT_TEST(test_replace_many_to_many),
        UNIT_TEST(test_checks),
        UNIT_TEST(test_insert_defaults_only),
    };
    if (apr_initialize() != APR_SUCCESS) {
        return 1;
    }
    int rc = cmocka_run_group_tests_name("api_write", tests, NULL, NULL);
    apr_terminate();
    return rc;
}
