/* lib/api/openapi_schemas.c — the component schemas of the OpenAPI document (see
 * openapi.h): each attribute's schema from its field, the relationships, the per-entity
 * resource and document schemas, and the shared schemas, responses and headers.
 * openapi.c adds the parameters and paths that refer to them. */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "api/openapi_internal.h"

/* ---- attributes ---------------------------------------------------------------------- */

static int is_readonly(unsigned flags)
{
    return (flags & (ORO_FLAG_READONLY | ORO_FLAG_SYSTEM)) != 0;
}

/* The regular expression of a decimal the write path accepts (canonical_decimal). */
static const char *decimal_pattern(apr_pool_t *p, const oro_field_t *f)
{
    const char *whole =
        f->precision > f->scale ? apr_psprintf(p, "0*[0-9]{1,%d}", f->precision - f->scale) : "0+";
    const char *fraction = f->scale > 0 ? apr_psprintf(p, "(\\.[0-9]{1,%d})?", f->scale) : "";
    return apr_pstrcat(p, "^[+-]?", whole, fraction, "$", NULL);
}

/* The default (canonical text) as a JSON value of the field's type. */
static json_object *default_value(const oro_field_t *f)
{
    switch (f->type) {
    case ORO_FIELD_INTEGER:
    case ORO_FIELD_BIGINT:
        return json_object_new_int64(strtoll(f->default_value, NULL, 10));
    case ORO_FIELD_BOOLEAN:
        return json_object_new_boolean(strcmp(f->default_value, "true") == 0 ||
                                       strcmp(f->default_value, "1") == 0);
    default:
        return str(f->default_value);
    }
}

/* The schema of one attribute, as documents carry it (docs/api.md, "Documents"). Fields
 * that are neither required nor maintained by the platform may be null. */
static json_object *field_schema(oro_openapi_gen_t *g, const oro_field_t *f)
{
    int nullable = (f->flags & (ORO_FLAG_REQUIRED | ORO_FLAG_SYSTEM)) == 0;
    const char *type = "string", *format = NULL, *pattern = NULL, *description = NULL;
    int max_length = 0;
    switch (f->type) {
    case ORO_FIELD_STRING:
    case ORO_FIELD_PHONE:
        max_length = f->length;
        break;
    case ORO_FIELD_TEXT:
        break;
    case ORO_FIELD_EMAIL:
        format = "email";
        max_length = f->length;
        break;
    case ORO_FIELD_URL:
        format = "uri";
        max_length = f->length;
        break;
    case ORO_FIELD_PASSWORD:
        description = "at least 8 bytes (bcrypt reads 72); stored as a hash, never returned";
        break;
    case ORO_FIELD_INTEGER:
        type = "integer";
        format = "int32";
        break;
    case ORO_FIELD_BIGINT:
        type = "integer";
        format = "int64";
        break;
    case ORO_FIELD_DECIMAL:
    case ORO_FIELD_MONEY:
        pattern = decimal_pattern(g->p, f);
        description = apr_psprintf(g->p,
                                   "a decimal as a string, exact (precision %d, scale %d); "
                                   "writes accept a JSON number too",
                                   f->precision, f->scale);
        break;
    case ORO_FIELD_BOOLEAN:
        type = "boolean";
        break;
    case ORO_FIELD_DATE:
        format = "date";
        break;
    case ORO_FIELD_DATETIME:
        format = "date-time";
        description = "UTC; written with any offset, returned as YYYY-MM-DDTHH:MM:SSZ";
        break;
    case ORO_FIELD_ENUM:
        break;
    }
    if (f->flags & ORO_FLAG_UNIQUE) {
        description = apr_pstrcat(g->p, description ? description : "", description ? "; " : "",
                                  "unique", NULL);
    }
    json_object *values = NULL;
    if (f->type == ORO_FIELD_ENUM && f->values != NULL) {
        values = json_object_new_array();
        for (int i = 0; i < f->values->nelts; i++) {
            json_object_array_add(values, str(APR_ARRAY_IDX(f->values, i, const char *)));
        }
        if (nullable) {
            json_object_array_add(values, NULL);
        }
    }
    return obj("type", nullable ? arr(str(type), str("null"), NULL) : str(type), "title",
               f->label ? str(f->label) : NULL, "description",
               description ? str(description) : NULL, "format", format ? str(format) : NULL,
               "maxLength", max_length > 0 ? json_object_new_int(max_length) : NULL, "pattern",
               pattern ? str(pattern) : NULL, "enum", values, "default",
               f->default_value ? default_value(f) : NULL, "readOnly",
               is_readonly(f->flags) ? yes() : NULL, "writeOnly",
               f->type == ORO_FIELD_PASSWORD ? yes() : NULL, NULL);
}

/* A create must give it: required, no default, and not set by the platform. */
static int create_requires_field(const oro_field_t *f)
{
    return (f->flags & ORO_FLAG_REQUIRED) && f->default_value == NULL && !is_readonly(f->flags);
}

/* owner and organization (system relations) default to the caller's */
static int create_requires_relation(const oro_relation_t *r)
{
    return r->kind == ORO_RELATION_MANY_TO_ONE && r->required &&
           !(r->flags & (ORO_FLAG_READONLY | ORO_FLAG_SYSTEM));
}

/* <type>Attributes (with_required: the fields a create must give, as "required") or
 * <type>UpdateAttributes (without). The id is the resource's, not an attribute. */
static json_object *attributes_schema(oro_openapi_gen_t *g, const oro_entity_t *e,
                                      int with_required)
{
    json_object *properties = json_object_new_object();
    json_object *required = json_object_new_array();
    for (int i = 0; i < e->fields->nelts; i++) {
        const oro_field_t *f = APR_ARRAY_IDX(e->fields, i, const oro_field_t *);
        if (strcmp(f->name, "id") == 0) {
            continue;
        }
        json_object_object_add(properties, f->name, field_schema(g, f));
        if (with_required && create_requires_field(f)) {
            json_object_array_add(required, str(f->name));
        }
    }
    if (json_object_array_length(required) == 0) {
        json_object_put(required);
        required = NULL;
    }
    return obj("type", str("object"), "properties", properties, "required", required,
               "additionalProperties", json_object_new_boolean(0), NULL);
}

/* ---- relationships ------------------------------------------------------------------- */

json_object *oro_openapi_linkage_schema(oro_openapi_gen_t *g, const oro_relation_t *r)
{
    json_object *identifier = schema(g, r->target_type, "Identifier");
    if (is_to_one(r)) {
        return r->required ? identifier : or_null(identifier);
    }
    return obj("type", str("array"), "items", identifier, NULL);
}

static const char *relation_description(oro_openapi_gen_t *g, const oro_relation_t *r)
{
    switch (r->kind) {
    case ORO_RELATION_MANY_TO_ONE:
        return apr_psprintf(g->p, "many-to-one: one of %s%s", r->target_type,
                            r->required ? " (required)" : "");
    case ORO_RELATION_ONE_TO_MANY:
        return apr_psprintf(g->p,
                            "one-to-many: %s whose \"%s\" is this record; the linkage is "
                            "given when the relation is included",
                            r->target_type, r->mapped_by);
    default:
        return apr_psprintf(g->p,
                            "many-to-many: %s; the linkage is given when the relation is "
                            "included",
                            r->target_type);
    }
}

/* <type>Relationships (with_required: the relations a create must give) or
 * <type>UpdateRelationships. To-one relationships always carry their data; to-many ones
 * carry links (self, related) and, when included, their data. */
static json_object *relationships_schema(oro_openapi_gen_t *g, const oro_entity_t *e,
                                         int with_required)
{
    json_object *properties = json_object_new_object();
    json_object *required = json_object_new_array();
    for (int i = 0; i < e->relations->nelts; i++) {
        const oro_relation_t *r = APR_ARRAY_IDX(e->relations, i, const oro_relation_t *);
        json_object *rel = obj("type", str("object"), "title", r->label ? str(r->label) : NULL,
                               "description", str(relation_description(g, r)), "properties",
                               obj("data", oro_openapi_linkage_schema(g, r), "links",
                                   is_to_one(r) ? NULL : schema(g, "Links", ""), NULL),
                               "required", is_to_one(r) ? arr(str("data"), NULL) : NULL, "readOnly",
                               (r->flags & ORO_FLAG_READONLY) ? yes() : NULL, NULL);
        json_object_object_add(properties, r->name, rel);
        if (with_required && create_requires_relation(r)) {
            json_object_array_add(required, str(r->name));
        }
    }
    if (json_object_array_length(required) == 0) {
        json_object_put(required);
        required = NULL;
    }
    return obj("type", str("object"), "properties", properties, "required", required,
               "additionalProperties", json_object_new_boolean(0), NULL);
}

/* ---- per-entity schemas -------------------------------------------------------------- */

void oro_openapi_add_entity_schemas(oro_openapi_gen_t *g, json_object *schemas,
                                    const oro_entity_t *e)
{
    const char *t = e->type;
    int any_required_field = 0, any_required_relation = 0;
    for (int i = 0; i < e->fields->nelts; i++) {
        any_required_field |= create_requires_field(APR_ARRAY_IDX(e->fields, i, oro_field_t *));
    }
    for (int i = 0; i < e->relations->nelts; i++) {
        any_required_relation |=
            create_requires_relation(APR_ARRAY_IDX(e->relations, i, oro_relation_t *));
    }
#define ADD(suffix, value)                                                                         \
    json_object_object_add(schemas, apr_pstrcat(g->p, t, suffix, NULL), value)
    ADD("Attributes", attributes_schema(g, e, 1));
    ADD("UpdateAttributes", attributes_schema(g, e, 0));
    ADD("Relationships", relationships_schema(g, e, 1));
    ADD("UpdateRelationships", relationships_schema(g, e, 0));
    ADD("Identifier", obj("type", str("object"), "description",
                          str(apr_psprintf(g->p, "identifies one of %s", t)), "properties",
                          obj("type", obj("const", str(t), NULL), "id", id_schema(), NULL),
                          "required", arr(str("type"), str("id"), NULL), "additionalProperties",
                          json_object_new_boolean(0), NULL));
    ADD("Resource",
        obj("type", str("object"), "title", str(e->label), "properties",
            obj("type", obj("const", str(t), NULL), "id", id_schema(), "attributes",
                schema(g, t, "Attributes"), "relationships", schema(g, t, "Relationships"), "links",
                schema(g, "Links", ""), "meta", schema(g, "ResourceMeta", ""), NULL),
            "required", arr(str("type"), str("id"), NULL), NULL));
    json_object *create_required = arr(str("type"), NULL);
    if (any_required_field) {
        json_object_array_add(create_required, str("attributes"));
    }
    if (any_required_relation) {
        json_object_array_add(create_required, str("relationships"));
    }
    ADD("CreateResource",
        obj("type", str("object"), "description",
            str(e->allow_client_ids
                    ? "a new record; the id may be chosen by the client"
                    : "a new record; the id is generated (a client-chosen id is refused, 403)"),
            "properties",
            obj("type", obj("const", str(t), NULL), "id", e->allow_client_ids ? id_schema() : NULL,
                "attributes", schema(g, t, "Attributes"), "relationships",
                schema(g, t, "Relationships"), NULL),
            "required", create_required, "additionalProperties", json_object_new_boolean(0), NULL));
    ADD("UpdateResource",
        obj("type", str("object"), "description",
            str("the members to change; those left out keep their values"), "properties",
            obj("type", obj("const", str(t), NULL), "id", id_schema(), "attributes",
                schema(g, t, "UpdateAttributes"), "relationships",
                schema(g, t, "UpdateRelationships"), NULL),
            "required", arr(str("type"), str("id"), NULL), "additionalProperties",
            json_object_new_boolean(0), NULL));
    ADD("Document", obj("type", str("object"), "properties",
                        obj("data", schema(g, t, "Resource"), "included", schema(g, "Included", ""),
                            "links", schema(g, "Links", ""), NULL),
                        "required", arr(str("data"), NULL), NULL));
    ADD("CollectionDocument",
        obj("type", str("object"), "properties",
            obj("data", obj("type", str("array"), "items", schema(g, t, "Resource"), NULL),
                "included", schema(g, "Included", ""), "links", schema(g, "Links", ""), NULL),
            "required", arr(str("data"), NULL), NULL));
    ADD("CreateDocument",
        obj("type", str("object"), "properties", obj("data", schema(g, t, "CreateResource"), NULL),
            "required", arr(str("data"), NULL), NULL));
    ADD("UpdateDocument",
        obj("type", str("object"), "properties", obj("data", schema(g, t, "UpdateResource"), NULL),
            "required", arr(str("data"), NULL), NULL));
#undef ADD
}

/* ---- shared components --------------------------------------------------------------- */

json_object *oro_openapi_shared_schemas(oro_openapi_gen_t *g)
{
    json_object *uri = obj("type", str("string"), "format", str("uri"), NULL);
    json_object *links = obj("type", str("object"), "properties",
                             obj("self", uri, "related", json_object_get(uri), "first",
                                 json_object_get(uri), "prev", json_object_get(uri), "next",
                                 json_object_get(uri), "last", json_object_get(uri), NULL),
                             NULL);
    json_object *any_object = obj("type", str("object"), NULL);
    return obj(
        "ResourceIdentifier",
        obj("type", str("object"), "properties",
            obj("type", obj("type", str("string"), NULL), "id", id_schema(), NULL), "required",
            arr(str("type"), str("id"), NULL), NULL),
        "Resource",
        obj("type", str("object"), "description", str("a record of any type (see <type>Resource)"),
            "properties",
            obj("type", obj("type", str("string"), NULL), "id", id_schema(), "attributes",
                any_object, "relationships",
                obj("type", str("object"), "additionalProperties",
                    obj("type", str("object"), "properties",
                        obj("data",
                            obj("oneOf",
                                arr(schema(g, "ResourceIdentifier", ""),
                                    obj("type", str("array"), "items",
                                        schema(g, "ResourceIdentifier", ""), NULL),
                                    obj("type", str("null"), NULL), NULL),
                                NULL),
                            "links", schema(g, "Links", ""), NULL),
                        NULL),
                    NULL),
                "links", schema(g, "Links", ""), "meta", schema(g, "ResourceMeta", ""), NULL),
            "required", arr(str("type"), str("id"), NULL), NULL),
        "Included",
        obj("type", str("array"), "description",
            str("the related records asked for with include, each once"), "items",
            schema(g, "Resource", ""), NULL),
        "ResourceMeta",
        obj("type", str("object"), "properties",
            obj("title",
                obj("type", arr(str("string"), str("null"), NULL), "description",
                    str("the record's title from its title template (meta=title)"), NULL),
                NULL),
            NULL),
        "Links", links, "Error",
        obj("type", str("object"), "properties",
            obj("status", obj("type", str("string"), "pattern", str("^[0-9]{3}$"), NULL), "title",
                obj("type", str("string"), NULL), "detail", obj("type", str("string"), NULL),
                "source",
                obj("type", str("object"), "properties",
                    obj("pointer",
                        obj("type", str("string"), "description",
                            str("the JSON pointer of the document member at fault"), NULL),
                        "parameter",
                        obj("type", str("string"), "description",
                            str("the query parameter at fault"), NULL),
                        NULL),
                    NULL),
                NULL),
            "required", arr(str("status"), str("title"), NULL), NULL),
        "ErrorDocument",
        obj("type", str("object"), "properties",
            obj("errors",
                obj("type", str("array"), "items", schema(g, "Error", ""), "minItems",
                    json_object_new_int(1), NULL),
                NULL),
            "required", arr(str("errors"), NULL), NULL),
        "MetadataDocument",
        obj("type", str("object"), "properties",
            obj("data",
                obj("type", str("array"), "items",
                    obj("type", str("object"), "properties",
                        obj("type", obj("const", str("entities"), NULL), "id",
                            obj("type", str("string"), "description", str("the entity type"), NULL),
                            "attributes",
                            obj("type", str("object"), "description",
                                str("label, pluralLabel, ownership, aclParent, titleTemplate, "
                                    "defaultSort, fields and relations (docs/entities.md)"),
                                NULL),
                            NULL),
                        "required", arr(str("type"), str("id"), str("attributes"), NULL), NULL),
                    NULL),
                NULL),
            "required", arr(str("data"), NULL), NULL),
        "SystemStatus",
        obj("type", str("object"), "properties",
            obj("status",
                obj("type", str("string"), "enum",
                    arr(str("ok"), str("degraded"), str("unavailable"), NULL), NULL),
                "reason", obj("type", str("string"), NULL), "database",
                obj("type", str("object"), NULL), "consumers", obj("type", str("object"), NULL),
                "queue", obj("type", str("object"), NULL), "versions",
                obj("type", str("object"), NULL), NULL),
            "required", arr(str("status"), NULL), NULL),
        NULL);
}

static json_object *error_response(oro_openapi_gen_t *g, const char *description)
{
    return response(description, NULL, schema(g, "ErrorDocument", ""));
}

json_object *oro_openapi_shared_responses(oro_openapi_gen_t *g)
{
    return obj(
        "NotModified",
        obj("description", str("not modified: the record still has the ETag of If-None-Match"),
            NULL),
        "BadRequest",
        error_response(g, "the request is not valid: a parameter, the JSON, a value, a missing "
                          "required member, a relation to a record that does not exist; every "
                          "problem is reported"),
        "Forbidden", error_response(g, "a client-chosen id where the type does not allow one"),
        "NotFound", error_response(g, "no such record"), "NotAcceptable",
        error_response(g, "the Accept header allows neither application/vnd.api+json nor "
                          "application/json"),
        "Conflict",
        error_response(g, "a wrong type, an id differing from the URL, a duplicate unique value, "
                          "or a delete of a record other records reference"),
        "PreconditionFailed",
        error_response(g, "If-Match does not match: the record changed since it was read"),
        "PayloadTooLarge", error_response(g, "the body is over 4 MiB"), "UnsupportedMediaType",
        error_response(g, "the body is not application/vnd.api+json (or application/json)"),
        "ServiceUnavailable",
        response("the database is unavailable; try again after Retry-After seconds",
                 obj("Retry-After", ref(g, "headers", "Retry-After", ""), NULL),
                 schema(g, "ErrorDocument", "")),
        NULL);
}

json_object *oro_openapi_shared_headers(void)
{
    return obj("ETag",
               obj("description", str("the record version, for If-Match and If-None-Match"),
                   "schema", obj("type", str("string"), NULL), NULL),
               "Location",
               obj("description", str("the new record's URL"), "schema",
                   obj("type", str("string"), "format", str("uri"), NULL), NULL),
               "Retry-After",
               obj("description", str("seconds to wait before retrying"), "schema",
                   obj("type", str("integer"), NULL), NULL),
               "X-Include-Total-Count",
               obj("description", str("the number of matching records (X-Include: totalCount)"),
                   "schema", obj("type", str("integer"), NULL), NULL),
               NULL);
}
