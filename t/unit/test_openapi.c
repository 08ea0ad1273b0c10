/* t/unit/test_openapi.c — lib/api/openapi.c: the OpenAPI document of the real entity
 * definitions of conf.d/entities: its frame, a path and the schemas of every type, the
 * attribute schemas by field type and flag, relationships, parameters, every "$ref"
 * resolving inside the document, and a serialisation that parses back the same.
 * Set ORO_OPENAPI_DUMP=FILE to write the document there (for external validators). */
#include "unit.h"

#include <json.h>

#include "api/openapi.h"
#include "meta/meta.h"

#ifndef ORO_SOURCE_ROOT
#define ORO_SOURCE_ROOT "."
#endif
#define ENTITY_DIR ORO_SOURCE_ROOT "/conf.d/entities"
#define SERVER "http://127.0.0.1:8080/api"

typedef struct {
    const oro_meta_t *meta;
    json_object *doc;
} built_t;

static built_t build(unit_fixture_t *f)
{
    apr_array_header_t *errors = NULL;
    built_t b = {.meta = oro_meta_load(f->pool, ENTITY_DIR, &errors)};
    if (errors != NULL) {
        fail_msg("conf.d/entities does not load:\n%s", oro_meta_errors_text(f->pool, errors));
    }
    b.doc = oro_openapi_document(f->pool, b.meta, SERVER, "9.9.9");
    assert_non_null(b.doc);
    return b;
}

/* The member at a path of keys ("components", "schemas", …, NULL); fails when absent. */
static json_object *at(json_object *o, ...)
{
    va_list ap;
    va_start(ap, o);
    const char *trail = "";
    for (const char *key = va_arg(ap, const char *); key != NULL; key = va_arg(ap, const char *)) {
        json_object *next = NULL;
        if (!json_object_is_type(o, json_type_object) ||
            !json_object_object_get_ex(o, key, &next)) {
            va_end(ap);
            fail_msg("no member \"%s\" after \"%s\"", key, trail);
        }
        trail = key;
        o = next;
    }
    va_end(ap);
    return o;
}

static json_object *has(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *text(json_object *o)
{
    assert_true(json_object_is_type(o, json_type_string));
    return json_object_get_string(o);
}

static int array_has(json_object *a, const char *s)
{
    for (size_t i = 0; a && i < json_object_array_length(a); i++) {
        json_object *v = json_object_array_get_idx(a, i);
        if (v && json_object_is_type(v, json_type_string) &&
            strcmp(json_object_get_string(v), s) == 0) {
            return 1;
        }
    }
    return 0;
}

static json_object *schema_of(json_object *doc, const char *type, const char *suffix)
{
    char name[128];
    snprintf(name, sizeof name, "%s%s", type, suffix);
    return at(doc, "components", "schemas", name, NULL);
}

static json_object *attribute(json_object *doc, const char *type, const char *field)
{
    return at(schema_of(doc, type, "Attributes"), "properties", field, NULL);
}

static void test_frame(void **state)
{
    unit_fixture_t *f = *state;
    built_t b = build(f);
    assert_string_equal(text(at(b.doc, "openapi", NULL)), "3.1.0");
    assert_string_equal(text(at(b.doc, "info", "title", NULL)), "mod_oro API");
    assert_string_equal(text(at(b.doc, "info", "version", NULL)), "9.9.9");
    json_object *servers = at(b.doc, "servers", NULL);
    assert_int_equal(json_object_array_length(servers), 1);
    assert_string_equal(text(at(json_object_array_get_idx(servers, 0), "url", NULL)), SERVER);
    static const char *const shared[] = {"ResourceIdentifier", "Error", "ErrorDocument", "Links",
                                         "Resource"};
    for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++) {
        at(b.doc, "components", "schemas", shared[i], NULL);
    }
    at(b.doc, "paths", "/metadata", "get", NULL);
    at(b.doc, "paths", "/system/status", "get", NULL);
    /* authentication: every operation needs one scheme, the status page none */
    assert_string_equal(text(at(b.doc, "components", "securitySchemes", "wsse", "name", NULL)),
                        "X-WSSE");
    assert_string_equal(text(at(b.doc, "components", "securitySchemes", "session", "in", NULL)),
                        "cookie");
    at(b.doc, "components", "securitySchemes", "bearer", "flows", "clientCredentials", "tokenUrl",
       NULL);
    assert_int_equal(json_object_array_length(at(b.doc, "security", NULL)), 3);
    assert_int_equal(
        json_object_array_length(at(b.doc, "paths", "/system/status", "get", "security", NULL)), 1);
    json_object_put(b.doc);
}

/* Every entity has its paths and schemas; every relation its two paths. */
static void test_every_entity(void **state)
{
    unit_fixture_t *f = *state;
    built_t b = build(f);
    assert_true(b.meta->entities->nelts >= 10);
    for (int i = 0; i < b.meta->entities->nelts; i++) {
        const oro_entity_t *e = APR_ARRAY_IDX(b.meta->entities, i, const oro_entity_t *);
        json_object *paths = at(b.doc, "paths", NULL);
        const char *collection = apr_psprintf(f->pool, "/%s", e->type);
        const char *record = apr_psprintf(f->pool, "/%s/{id}", e->type);
        at(paths, collection, "get", NULL);
        at(paths, collection, "post", "requestBody", "content", "application/vnd.api+json", NULL);
        at(paths, record, "get", NULL);
        at(paths, record, "patch", NULL);
        at(paths, record, "delete", "responses", "204", NULL);
        at(paths, record, "patch", "responses", "412", NULL);
        at(paths, record, "get", "responses", "304", NULL);
        static const char *const suffixes[] = {
            "Attributes", "Relationships",      "Resource",       "Identifier",
            "Document",   "CollectionDocument", "CreateDocument", "UpdateDocument"};
        for (size_t s = 0; s < sizeof suffixes / sizeof suffixes[0]; s++) {
            schema_of(b.doc, e->type, suffixes[s]);
        }
        assert_string_equal(
            text(at(schema_of(b.doc, e->type, "Resource"), "properties", "type", "const", NULL)),
            e->type);
        for (int j = 0; j < e->relations->nelts; j++) {
            const oro_relation_t *r = APR_ARRAY_IDX(e->relations, j, const oro_relation_t *);
            at(paths, apr_psprintf(f->pool, "/%s/{id}/%s", e->type, r->name), "get", NULL);
            at(paths, apr_psprintf(f->pool, "/%s/{id}/relationships/%s", e->type, r->name), "get",
               NULL);
            at(schema_of(b.doc, e->type, "Relationships"), "properties", r->name, NULL);
        }
    }
    json_object_put(b.doc);
}

static void test_attributes(void **state)
{
    unit_fixture_t *f = *state;
    built_t b = build(f);
    json_object *first_name = attribute(b.doc, "contacts", "firstName");
    assert_string_equal(text(at(first_name, "type", NULL)), "string");
    assert_int_equal(json_object_get_int(at(first_name, "maxLength", NULL)), 255);
    json_object *required = at(schema_of(b.doc, "contacts", "Attributes"), "required", NULL);
    assert_true(array_has(required, "firstName"));
    assert_true(array_has(required, "lastName"));
    assert_false(array_has(required, "middleName"));
    assert_false(array_has(required, "createdAt"));
    assert_null(has(schema_of(b.doc, "contacts", "UpdateAttributes"), "required"));
    assert_null(has(at(schema_of(b.doc, "contacts", "Attributes"), "properties", NULL), "id"));

    /* optional fields may be null */
    json_object *middle = at(attribute(b.doc, "contacts", "middleName"), "type", NULL);
    assert_true(json_object_is_type(middle, json_type_array));
    assert_true(array_has(middle, "null"));

    json_object *created = attribute(b.doc, "contacts", "createdAt");
    assert_string_equal(text(at(created, "format", NULL)), "date-time");
    assert_true(json_object_get_boolean(at(created, "readOnly", NULL)));
    assert_string_equal(text(at(attribute(b.doc, "contacts", "birthday"), "format", NULL)), "date");
    assert_string_equal(text(at(attribute(b.doc, "contacts", "primaryEmail"), "format", NULL)),
                        "email");

    json_object *gender = at(attribute(b.doc, "contacts", "gender"), "enum", NULL);
    assert_true(array_has(gender, "male"));
    assert_true(array_has(gender, "female"));
    assert_true(array_has(gender, "other"));

    json_object *password = attribute(b.doc, "users", "password");
    assert_true(json_object_get_boolean(at(password, "writeOnly", NULL)));
    assert_null(has(password, "readOnly"));
    json_object *enabled = attribute(b.doc, "users", "enabled");
    assert_string_equal(text(at(enabled, "type", NULL)), "boolean");
    assert_true(json_object_get_boolean(at(enabled, "default", NULL)));
    /* required with a default: a create may leave it out */
    assert_false(array_has(has(schema_of(b.doc, "users", "Attributes"), "required"), "enabled"));
    json_object *logins = attribute(b.doc, "users", "loginCount");
    assert_string_equal(text(at(logins, "format", NULL)), "int32");
    assert_true(json_object_get_boolean(at(logins, "readOnly", NULL)));
    json_object *id = at(schema_of(b.doc, "users", "Resource"), "properties", "id", NULL);
    assert_string_equal(text(at(id, "type", NULL)), "string");

    /* decimals and money are strings with a pattern */
    int decimals = 0;
    for (int i = 0; i < b.meta->entities->nelts; i++) {
        const oro_entity_t *e = APR_ARRAY_IDX(b.meta->entities, i, const oro_entity_t *);
        for (int j = 0; j < e->fields->nelts; j++) {
            const oro_field_t *fd = APR_ARRAY_IDX(e->fields, j, const oro_field_t *);
            if (fd->type != ORO_FIELD_DECIMAL && fd->type != ORO_FIELD_MONEY) {
                continue;
            }
            json_object *s = attribute(b.doc, e->type, fd->name);
            json_object *type = at(s, "type", NULL);
            assert_true(json_object_is_type(type, json_type_string)
                            ? strcmp(json_object_get_string(type), "string") == 0
                            : array_has(type, "string"));
            assert_starts_with(text(at(s, "pattern", NULL)), "^[+-]?");
            decimals++;
        }
    }
    assert_true(decimals > 0);
    json_object_put(b.doc);
}

static void test_relationships(void **state)
{
    unit_fixture_t *f = *state;
    built_t b = build(f);
    json_object *rels = schema_of(b.doc, "contacts", "Relationships");
    /* optional to-one: an identifier or null */
    json_object *account = at(rels, "properties", "account", "properties", "data", "oneOf", NULL);
    assert_string_equal(text(at(json_object_array_get_idx(account, 0), "$ref", NULL)),
                        "#/components/schemas/accountsIdentifier");
    assert_string_equal(text(at(json_object_array_get_idx(account, 1), "type", NULL)), "null");
    /* required to-one (ownership): the identifier, not required on create (the caller's
     * user and organization are the default) */
    assert_string_equal(text(at(rels, "properties", "owner", "properties", "data", "$ref", NULL)),
                        "#/components/schemas/usersIdentifier");
    json_object *required = NULL;
    json_object_object_get_ex(rels, "required", &required);
    assert_false(required != NULL && array_has(required, "owner"));
    assert_false(required != NULL && array_has(required, "organization"));
    assert_false(required != NULL && array_has(required, "account"));
    /* to-many: an array of identifiers and links */
    json_object *opportunities = at(rels, "properties", "opportunities", "properties", NULL);
    assert_string_equal(text(at(opportunities, "data", "type", NULL)), "array");
    assert_string_equal(text(at(opportunities, "data", "items", "$ref", NULL)),
                        "#/components/schemas/opportunitiesIdentifier");
    at(opportunities, "links", NULL);
    assert_string_equal(
        text(at(schema_of(b.doc, "accounts", "Identifier"), "properties", "type", "const", NULL)),
        "accounts");

    json_object *paths = at(b.doc, "paths", NULL);
    /* to-one relationship: replace only; to-many: replace, add, remove */
    json_object *to_one = at(paths, "/contacts/{id}/relationships/account", NULL);
    at(to_one, "patch", "requestBody", NULL);
    assert_null(has(to_one, "post"));
    json_object *to_many = at(paths, "/contacts/{id}/relationships/opportunities", NULL);
    at(to_many, "post", "responses", "204", NULL);
    at(to_many, "delete", NULL);
    at(paths, "/contacts/{id}/opportunities", "get", "responses", "200", "content",
       "application/vnd.api+json", "schema", NULL);
    json_object_put(b.doc);
}

/* The parameter of operation called name, following a "$ref" into components. */
static json_object *parameter(json_object *doc, json_object *operation, const char *name)
{
    json_object *parameters = at(operation, "parameters", NULL);
    for (size_t i = 0; i < json_object_array_length(parameters); i++) {
        json_object *p = json_object_array_get_idx(parameters, i);
        json_object *r = has(p, "$ref");
        if (r != NULL) {
            const char *prefix = "#/components/parameters/";
            assert_starts_with(text(r), prefix);
            p = at(doc, "components", "parameters", text(r) + strlen(prefix), NULL);
        }
        json_object *n = has(p, "name");
        if (n && strcmp(json_object_get_string(n), name) == 0) {
            return p;
        }
    }
    fail_msg("no parameter \"%s\"", name);
    return NULL;
}

static void test_list_parameters(void **state)
{
    unit_fixture_t *f = *state;
    built_t b = build(f);
    json_object *list = at(b.doc, "paths", "/contacts", "get", NULL);
    json_object *last_name = parameter(b.doc, list, "filter[lastName]");
    assert_contains(text(at(last_name, "description", NULL)), "starts_with");
    assert_contains(text(at(parameter(b.doc, list, "filter[id]"), "description", NULL)), "gte");
    assert_contains(text(at(parameter(b.doc, list, "filter[account]"), "description", NULL)),
                    "accounts");
    /* text is not filterable by default, password never */
    json_object *parameters = at(b.doc, "components", "parameters", NULL);
    assert_null(has(parameters, "accounts.filter.description"));
    assert_contains(text(at(parameters, "contacts.filter.description", "description", NULL)),
                    "contains");
    assert_null(has(parameters, "users.filter.password"));
    at(parameters, "contacts.filter.lastName", NULL);
    json_object *sort = at(parameter(b.doc, list, "sort"), "schema", "items", "enum", NULL);
    assert_true(array_has(sort, "lastName"));
    assert_true(array_has(sort, "-lastName"));
    assert_true(array_has(sort, "account"));
    assert_false(array_has(sort, "opportunities"));
    assert_false(array_has(sort, "description"));
    json_object *fields =
        at(parameter(b.doc, list, "fields[contacts]"), "schema", "items", "enum", NULL);
    assert_true(array_has(fields, "firstName"));
    assert_true(array_has(fields, "account"));
    parameter(b.doc, list, "include");
    json_object *users = at(b.doc, "paths", "/users", "get", NULL);
    assert_false(array_has(at(parameter(b.doc, users, "sort"), "schema", "items", "enum", NULL),
                           "password"));
    json_object_put(b.doc);
}

/* Walks o: every "$ref" names "#/components/<section>/<name>" that exists. */
static void check_refs(json_object *doc, json_object *o, int *count)
{
    if (json_object_is_type(o, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(o); i++) {
            check_refs(doc, json_object_array_get_idx(o, i), count);
        }
        return;
    }
    if (!json_object_is_type(o, json_type_object)) {
        return;
    }
    json_object_object_foreach(o, key, value)
    {
        if (strcmp(key, "$ref") == 0) {
            char section[64], name[128];
            const char *r = json_object_get_string(value);
            if (sscanf(r, "#/components/%63[^/]/%127s", section, name) != 2) {
                fail_msg("\"$ref\": \"%s\" is not a component", r);
            }
            at(doc, "components", section, name, NULL);
            (*count)++;
        }
        else {
            check_refs(doc, value, count);
        }
    }
}

static void test_refs_resolve(void **state)
{
    unit_fixture_t *f = *state;
    built_t b = build(f);
    int count = 0;
    check_refs(b.doc, b.doc, &count);
    assert_true(count > 100);
    json_object_put(b.doc);
}

static void test_round_trip(void **state)
{
    unit_fixture_t *f = *state;
    built_t b = build(f);
    const char *serialised =
        apr_pstrdup(f->pool, json_object_to_json_string_ext(b.doc, JSON_C_TO_STRING_PLAIN));
    json_object *again = json_tokener_parse(serialised);
    assert_non_null(again);
    assert_true(json_object_equal(b.doc, again));
    const char *dump = getenv("ORO_OPENAPI_DUMP");
    if (dump != NULL) {
        FILE *fp = fopen(dump, "w");
        assert_non_null(fp);
        fputs(json_object_to_json_string_ext(b.doc, JSON_C_TO_STRING_PRETTY |
                                                        JSON_C_TO_STRING_NOSLASHESCAPE),
              fp);
        fclose(fp);
    }
    json_object_put(again);
    json_object_put(b.doc);
}

/* Without metadata: the frame and the service paths, still valid. */
static void test_no_entities(void **state)
{
    unit_fixture_t *f = *state;
    json_object *doc = oro_openapi_document(f->pool, NULL, SERVER, "1");
    at(doc, "paths", "/metadata", NULL);
    int count = 0;
    check_refs(doc, doc, &count);
    json_object_put(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_frame),           UNIT_TEST(test_every_entity),
        UNIT_TEST(test_attributes),      UNIT_TEST(test_relationships),
        UNIT_TEST(test_list_parameters), UNIT_TEST(test_refs_resolve),
        UNIT_TEST(test_round_trip),      UNIT_TEST(test_no_entities),
    };
    apr_initialize();
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    apr_terminate();
    return rc;
}
