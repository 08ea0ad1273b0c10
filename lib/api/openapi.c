/* lib/api/openapi.c — see openapi.h. The document describes what mod_oro/api*.c do and
 * docs/api.md says: keep the three in step. Limits the read path sets (page sizes) are
 * repeated here as numbers; query.c keeps the filter operators, shared through
 * oro_api_filter_op_allowed.
 *
 * This file builds the parameters, the paths and the document; openapi_schemas.c the
 * component schemas and responses; openapi_internal.h has the constructors they share. */
#include <string.h>

#include <apr_strings.h>

#include "api/openapi.h"
#include "api/openapi_internal.h"
#include "api/query.h"

#define DEFAULT_PAGE_SIZE 10 /* mod_oro/api_read.c */
#define MAX_PAGE_SIZE 100
#define MAX_INCLUDE_DEPTH 3 /* lib/api/query.c */

/* ---- parameters ---------------------------------------------------------------------- */

static json_object *query_parameter(const char *name, const char *description, json_object *s)
{
    return obj("name", str(name), "in", str("query"), "description", str(description), "schema", s,
               NULL);
}

/* A comma-separated list: form style, not exploded (sort=a,-b). */
static json_object *list_parameter(const char *name, const char *description, json_object *items)
{
    return obj("name", str(name), "in", str("query"), "description", str(description), "style",
               str("form"), "explode", json_object_new_boolean(0), "schema",
               obj("type", str("array"), "items", items, NULL), NULL);
}

static json_object *header_parameter(const char *name, const char *description, json_object *s)
{
    return obj("name", str(name), "in", str("header"), "description", str(description), "schema", s,
               NULL);
}

static json_object *shared_parameters(void)
{
    json_object *string_values =
        obj("type", str("object"), "additionalProperties", obj("type", str("string"), NULL), NULL);
    return obj(
        "id",
        obj("name", str("id"), "in", str("path"), "required", yes(), "description",
            str("the record's id"), "schema", id_schema(), NULL),
        "filter",
        obj("name", str("filter"), "in", str("query"), "description",
            str("filter[name]=value and filter[name][operator]=value for any filterable field "
                "or relation (the parameters filter[...] below list each with its operators). "
                "eq: a value, v1,v2 any of, a..b an inclusive range; neq, lt, lte, gt, gte; "
                "exists=true|false; neq_or_null; contains, not_contains, starts_with, "
                "not_starts_with, ends_with, not_ends_with (case-insensitive). Also "
                "filter[name]!=v, <, <=, >, >="),
            "style", str("deepObject"), "explode", yes(), "schema", string_values, NULL),
        "fields",
        obj("name", str("fields"), "in", str("query"), "description",
            str("sparse fieldsets of any type, fields[type]=a,b: only those attributes and "
                "relationships, for the primary and the included records"),
            "style", str("deepObject"), "explode", yes(), "schema", json_object_get(string_values),
            NULL),
        "pageNumber",
        query_parameter("page[number]", "the page, from 1",
                        obj("type", str("integer"), "minimum", json_object_new_int(1), "maximum",
                            json_object_new_int(10000000), "default", json_object_new_int(1),
                            NULL)),
        "pageSize",
        query_parameter("page[size]", "records per page",
                        obj("type", str("integer"), "minimum", json_object_new_int(1), "maximum",
                            json_object_new_int(MAX_PAGE_SIZE), "default",
                            json_object_new_int(DEFAULT_PAGE_SIZE), NULL)),
        "meta",
        query_parameter("meta", "title: each record's meta.title, from its title template",
                        obj("type", str("string"), "enum", arr(str("title"), NULL), NULL)),
        "X-Include",
        obj("name", str("X-Include"), "in", str("header"), "description",
            str("totalCount: answer X-Include-Total-Count (and the last link); noHateoas: no "
                "links"),
            "style", str("simple"), "schema",
            obj("type", str("array"), "items",
                obj("type", str("string"), "enum", arr(str("totalCount"), str("noHateoas"), NULL),
                    NULL),
                NULL),
            NULL),
        "If-Match",
        header_parameter("If-Match",
                         "the ETag the client read: the change is refused (412) if the record "
                         "changed since",
                         obj("type", str("string"), NULL)),
        "If-None-Match",
        header_parameter("If-None-Match", "an ETag: 304 while the record still has it",
                         obj("type", str("string"), NULL)),
        NULL);
}

/* Whether member i of e (its fields, then its relations) takes filter[...]; sets *f or *r. */
static int filter_member(const oro_entity_t *e, int i, const oro_field_t **f,
                         const oro_relation_t **r)
{
    *f = i < e->fields->nelts ? APR_ARRAY_IDX(e->fields, i, const oro_field_t *) : NULL;
    *r = *f ? NULL : APR_ARRAY_IDX(e->relations, i - e->fields->nelts, const oro_relation_t *);
    unsigned flags = *f ? (*f)->flags : (*r)->flags;
    return (flags & ORO_FLAG_FILTERABLE) && !(*f && (*f)->type == ORO_FIELD_PASSWORD);
}

/* The filter parameter of a field f (or relation r), listing the operators its type
 * allows. A field whose type has no equality (text) is documented with its first
 * operator, as filter[name] alone would be refused. */
static json_object *filter_parameter(oro_openapi_gen_t *g, const oro_field_t *f,
                                     const oro_relation_t *r)
{
    const char *ops = NULL, *first = NULL;
    for (int op = 0; op < ORO_OP_COUNT; op++) {
        if (oro_api_filter_op_allowed(f, (oro_filter_op_t)op)) {
            const char *name = oro_api_filter_op_name((oro_filter_op_t)op);
            ops = ops ? apr_pstrcat(g->p, ops, ", ", name, NULL) : name;
            first = first ? first : name;
        }
    }
    const char *name = f ? f->name : r->name;
    int has_eq = oro_api_filter_op_allowed(f, ORO_OP_EQ);
    const char *what = f ? apr_psprintf(g->p, "%s (%s)", name, oro_field_type_name(f->type))
                         : apr_psprintf(g->p, "%s (ids of %s)", name, r->target_type);
    const char *description =
        apr_psprintf(g->p, "%s: %soperators, as filter[%s][operator]: %s", what,
                     has_eq ? apr_psprintf(g->p, "equals; v1,v2 is any of%s. All ",
                                           f && oro_api_filter_op_allowed(f, ORO_OP_LT)
                                               ? "; a..b an inclusive range"
                                               : "")
                            : "",
                     name, ops);
    const char *parameter = has_eq ? apr_psprintf(g->p, "filter[%s]", name)
                                   : apr_psprintf(g->p, "filter[%s][%s]", name, first);
    return query_parameter(parameter, description, obj("type", str("string"), NULL));
}

/* sort: the sortable fields and many-to-one relations, each also with "-" (descending). */
static json_object *sort_parameter(oro_openapi_gen_t *g, const oro_entity_t *e)
{
    json_object *names = json_object_new_array();
    for (int descending = 0; descending < 2; descending++) {
        for (int i = 0; i < e->fields->nelts; i++) {
            const oro_field_t *f = APR_ARRAY_IDX(e->fields, i, const oro_field_t *);
            if ((f->flags & ORO_FLAG_SORTABLE) && f->type != ORO_FIELD_PASSWORD) {
                json_object_array_add(names,
                                      str(apr_pstrcat(g->p, descending ? "-" : "", f->name, NULL)));
            }
        }
        for (int i = 0; i < e->relations->nelts; i++) {
            const oro_relation_t *r = APR_ARRAY_IDX(e->relations, i, const oro_relation_t *);
            if (is_to_one(r) && (r->flags & ORO_FLAG_SORTABLE)) {
                json_object_array_add(names,
                                      str(apr_pstrcat(g->p, descending ? "-" : "", r->name, NULL)));
            }
        }
    }
    const char *defaults = "";
    for (int i = 0; i < e->default_sort->nelts; i++) {
        const oro_sort_key_t *k = &APR_ARRAY_IDX(e->default_sort, i, oro_sort_key_t);
        defaults =
            apr_pstrcat(g->p, defaults, i ? "," : "", k->descending ? "-" : "", k->field, NULL);
    }
    return list_parameter(
        "sort",
        apr_psprintf(g->p,
                     "sort keys, - for descending; id is always the last tie-breaker; NULLs "
                     "sort last ascending. Default: %s",
                     defaults),
        obj("type", str("string"), "enum", names, NULL));
}

static json_object *include_parameter(oro_openapi_gen_t *g, const oro_entity_t *e)
{
    const char *names = NULL;
    for (int i = 0; i < e->relations->nelts; i++) {
        const char *name = APR_ARRAY_IDX(e->relations, i, const oro_relation_t *)->name;
        names = names ? apr_pstrcat(g->p, names, ", ", name, NULL) : name;
    }
    return list_parameter(
        "include",
        apr_psprintf(g->p,
                     "related records to add to included: relations of %s (%s), or paths of "
                     "relations at most %d deep (a.b)",
                     e->type, names ? names : "none", MAX_INCLUDE_DEPTH),
        obj("type", str("string"), NULL));
}

/* fields[<type>]: the attributes and relationships of the primary records. */
static json_object *fields_parameter(oro_openapi_gen_t *g, const oro_entity_t *e)
{
    json_object *names = json_object_new_array();
    for (int i = 0; i < e->fields->nelts; i++) {
        const oro_field_t *f = APR_ARRAY_IDX(e->fields, i, const oro_field_t *);
        if (f->type != ORO_FIELD_PASSWORD) {
            json_object_array_add(names, str(f->name));
        }
    }
    for (int i = 0; i < e->relations->nelts; i++) {
        json_object_array_add(names, str(APR_ARRAY_IDX(e->relations, i, oro_relation_t *)->name));
    }
    return list_parameter(
        apr_psprintf(g->p, "fields[%s]", e->type),
        apr_psprintf(g->p,
                     "sparse fieldset: only these attributes and relationships of the %s "
                     "(the others, required ones too, are left out)",
                     e->type),
        obj("type", str("string"), "enum", names, NULL));
}

/* components/parameters "<type>.<name>" */
static json_object *entity_parameter(oro_openapi_gen_t *g, const oro_entity_t *e, const char *name)
{
    return ref(g, "parameters", e->type, apr_pstrcat(g->p, ".", name, NULL));
}

/* The parameters of e's lists and records, once in components/parameters:
 * <type>.filter.<member>, <type>.sort, <type>.include, <type>.fields. */
static void add_entity_parameters(oro_openapi_gen_t *g, json_object *parameters,
                                  const oro_entity_t *e)
{
    const oro_field_t *f;
    const oro_relation_t *r;
    for (int i = 0; i < e->fields->nelts + e->relations->nelts; i++) {
        if (filter_member(e, i, &f, &r)) {
            json_object_object_add(
                parameters, apr_pstrcat(g->p, e->type, ".filter.", f ? f->name : r->name, NULL),
                filter_parameter(g, f, r));
        }
    }
    json_object_object_add(parameters, apr_pstrcat(g->p, e->type, ".sort", NULL),
                           sort_parameter(g, e));
    json_object_object_add(parameters, apr_pstrcat(g->p, e->type, ".include", NULL),
                           include_parameter(g, e));
    json_object_object_add(parameters, apr_pstrcat(g->p, e->type, ".fields", NULL),
                           fields_parameter(g, e));
}

/* The parameters of a list of e's records (GET /e, and to-many related lists). */
static json_object *list_parameters(oro_openapi_gen_t *g, const oro_entity_t *e)
{
    json_object *parameters = arr(ref(g, "parameters", "filter", ""), NULL);
    const oro_field_t *f;
    const oro_relation_t *r;
    for (int i = 0; i < e->fields->nelts + e->relations->nelts; i++) {
        if (filter_member(e, i, &f, &r)) {
            json_object_array_add(
                parameters,
                entity_parameter(g, e, apr_pstrcat(g->p, "filter.", f ? f->name : r->name, NULL)));
        }
    }
    json_object_array_add(parameters, entity_parameter(g, e, "sort"));
    json_object_array_add(parameters, ref(g, "parameters", "pageNumber", ""));
    json_object_array_add(parameters, ref(g, "parameters", "pageSize", ""));
    json_object_array_add(parameters, entity_parameter(g, e, "include"));
    json_object_array_add(parameters, entity_parameter(g, e, "fields"));
    json_object_array_add(parameters, ref(g, "parameters", "fields", ""));
    json_object_array_add(parameters, ref(g, "parameters", "meta", ""));
    json_object_array_add(parameters, ref(g, "parameters", "X-Include", ""));
    return parameters;
}

/* ---- paths --------------------------------------------------------------------------- */

/* Adds the shared responses named (components/responses) under their status codes:
 * "400", "404", … */
static void add_errors(oro_openapi_gen_t *g, json_object *responses, const char *const *codes)
{
    static const struct {
        const char *code, *name;
    } known[] = {
        {"304", "NotModified"},        {"400", "BadRequest"},      {"403", "Forbidden"},
        {"404", "NotFound"},           {"406", "NotAcceptable"},   {"409", "Conflict"},
        {"412", "PreconditionFailed"}, {"413", "PayloadTooLarge"}, {"415", "UnsupportedMediaType"},
        {"503", "ServiceUnavailable"}};
    for (; *codes != NULL; codes++) {
        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
            if (strcmp(known[i].code, *codes) == 0) {
                json_object_object_add(responses, known[i].code,
                                       ref(g, "responses", known[i].name, ""));
            }
        }
    }
}

static json_object *request_body(json_object *s)
{
    return obj("required", yes(), "content", content(ORO_OPENAPI_JSONAPI, s), NULL);
}

static json_object *operation(oro_openapi_gen_t *g, const char *tag, const char *id,
                              const char *summary, json_object *parameters, json_object *body,
                              json_object *responses, const char *const *errors)
{
    add_errors(g, responses, errors);
    return obj("tags", arr(str(tag), NULL), "summary", str(summary), "operationId", str(id),
               "parameters", parameters, "requestBody", body, "responses", responses, NULL);
}

static json_object *etag_headers(oro_openapi_gen_t *g)
{
    return obj("ETag", ref(g, "headers", "ETag", ""), NULL);
}

static void add_resource_paths(oro_openapi_gen_t *g, json_object *paths, const oro_entity_t *e)
{
    const char *t = e->type;
    static const char *const list_errors[] = {"400", "406", "503", NULL};
    static const char *const create_errors[] = {"400", "403", "406", "409",
                                                "413", "415", "503", NULL};
    static const char *const get_errors[] = {"304", "400", "404", "406", "503", NULL};
    static const char *const update_errors[] = {"400", "404", "406", "409", "412",
                                                "413", "415", "503", NULL};
    static const char *const delete_errors[] = {"404", "409", "412", "503", NULL};

    json_object *collection =
        obj("get",
            operation(g, t, apr_psprintf(g->p, "list_%s", t),
                      apr_psprintf(g->p, "List %s", e->plural_label), list_parameters(g, e), NULL,
                      obj("200",
                          response(apr_psprintf(g->p, "a page of %s", e->plural_label),
                                   obj("X-Include-Total-Count",
                                       ref(g, "headers", "X-Include-Total-Count", ""), NULL),
                                   schema(g, t, "CollectionDocument")),
                          NULL),
                      list_errors),
            "post",
            operation(g, t, apr_psprintf(g->p, "create_%s", t),
                      apr_psprintf(g->p, "Create a %s", e->label), NULL,
                      request_body(schema(g, t, "CreateDocument")),
                      obj("201",
                          response("created: the saved record",
                                   obj("Location", ref(g, "headers", "Location", ""), "ETag",
                                       ref(g, "headers", "ETag", ""), NULL),
                                   schema(g, t, "Document")),
                          NULL),
                      create_errors),
            NULL);
    json_object_object_add(paths, apr_pstrcat(g->p, "/", t, NULL), collection);

    json_object *read_parameters =
        arr(entity_parameter(g, e, "include"), entity_parameter(g, e, "fields"),
            ref(g, "parameters", "fields", ""), ref(g, "parameters", "meta", ""),
            ref(g, "parameters", "If-None-Match", ""), NULL);
    json_object *record = obj(
        "parameters", arr(ref(g, "parameters", "id", ""), NULL), "get",
        operation(
            g, t, apr_psprintf(g->p, "get_%s", t), apr_psprintf(g->p, "Get a %s", e->label),
            read_parameters, NULL,
            obj("200", response("the record", etag_headers(g), schema(g, t, "Document")), NULL),
            get_errors),
        "patch",
        operation(
            g, t, apr_psprintf(g->p, "update_%s", t), apr_psprintf(g->p, "Update a %s", e->label),
            arr(ref(g, "parameters", "If-Match", ""), NULL),
            request_body(schema(g, t, "UpdateDocument")),
            obj("200", response("the changed record", etag_headers(g), schema(g, t, "Document")),
                NULL),
            update_errors),
        "delete",
        operation(g, t, apr_psprintf(g->p, "delete_%s", t),
                  apr_psprintf(g->p, "Delete a %s", e->label),
                  arr(ref(g, "parameters", "If-Match", ""), NULL), NULL,
                  obj("204", obj("description", str("deleted"), NULL), NULL), delete_errors),
        NULL);
    json_object_object_add(paths, apr_pstrcat(g->p, "/", t, "/{id}", NULL), record);
}

/* The linkage document of relation r: {"data": identifier | null | [identifiers]}. */
static json_object *linkage_document(oro_openapi_gen_t *g, const oro_relation_t *r)
{
    return obj("type", str("object"), "properties",
               obj("data", oro_openapi_linkage_schema(g, r), "links", schema(g, "Links", ""), NULL),
               "required", arr(str("data"), NULL), NULL);
}

/* /e/{id}/r (the related records) and /e/{id}/relationships/r (the linkage, and for
 * writable relations its changes). */
static void add_relation_paths(oro_openapi_gen_t *g, json_object *paths, const oro_entity_t *e,
                               const oro_relation_t *r)
{
    static const char *const read_errors[] = {"400", "404", "406", "503", NULL};
    static const char *const write_errors[] = {"400", "404", "409", "413", "415", "503", NULL};
    const char *t = e->type;
    const oro_entity_t *target = r->target ? r->target : oro_meta_entity(g->meta, r->target_type);
    json_object *id_parameter = arr(ref(g, "parameters", "id", ""), NULL);

    json_object *related_parameters, *related_schema;
    if (is_to_one(r) || target == NULL) {
        related_parameters =
            target
                ? arr(entity_parameter(g, target, "include"), entity_parameter(g, target, "fields"),
                      ref(g, "parameters", "fields", ""), ref(g, "parameters", "meta", ""), NULL)
                : NULL;
        related_schema = obj("type", str("object"), "properties",
                             obj("data", or_null(schema(g, r->target_type, "Resource")), "included",
                                 schema(g, "Included", ""), "links", schema(g, "Links", ""), NULL),
                             "required", arr(str("data"), NULL), NULL);
    }
    else {
        related_parameters = list_parameters(g, target);
        related_schema = schema(g, r->target_type, "CollectionDocument");
    }
    json_object *related = obj(
        "parameters", id_parameter, "get",
        operation(g, t, apr_psprintf(g->p, "get_%s_%s", t, r->name),
                  apr_psprintf(g->p, "The %s of a %s", r->name, e->label), related_parameters, NULL,
                  obj("200",
                      response(is_to_one(r) ? "the related record, or null"
                                            : "a page of the related records",
                               NULL, related_schema),
                      NULL),
                  read_errors),
        NULL);
    json_object_object_add(paths, apr_psprintf(g->p, "/%s/{id}/%s", t, r->name), related);

    json_object *relationship =
        obj("parameters", json_object_get(id_parameter), "get",
            operation(g, t, apr_psprintf(g->p, "get_%s_%s_relationship", t, r->name),
                      apr_psprintf(g->p, "The %s linkage of a %s", r->name, e->label), NULL, NULL,
                      obj("200", response("the linkage", NULL, linkage_document(g, r)), NULL),
                      read_errors),
            NULL);
    if (!(r->flags & ORO_FLAG_READONLY)) {
        static const struct {
            const char *method, *verb, *summary, *to_many_only;
        } writes[] = {
            {"patch", "update", "Replace the %s of a %s", NULL},
            {"post", "add", "Add to the %s of a %s", "to-many"},
            {"delete", "remove", "Remove from the %s of a %s", "to-many"},
        };
        for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
            if (writes[i].to_many_only && is_to_one(r)) {
                continue;
            }
            json_object_object_add(
                relationship, writes[i].method,
                operation(g, t,
                          apr_psprintf(g->p, "%s_%s_%s_relationship", writes[i].verb, t, r->name),
                          apr_psprintf(g->p, writes[i].summary, r->name, e->label), NULL,
                          request_body(linkage_document(g, r)),
                          obj("204", obj("description", str("done"), NULL), NULL), write_errors));
        }
    }
    json_object_object_add(paths, apr_psprintf(g->p, "/%s/{id}/relationships/%s", t, r->name),
                           relationship);
}

static void add_service_paths(oro_openapi_gen_t *g, json_object *paths)
{
    static const char *const metadata_errors[] = {"406", NULL};
    json_object_object_add(paths, "/metadata",
                           obj("get",
                               operation(g, "metadata", "get_metadata",
                                         "The entity types, their fields and relations", NULL, NULL,
                                         obj("200",
                                             response("the metadata (also at /entities)", NULL,
                                                      schema(g, "MetadataDocument", "")),
                                             NULL),
                                         metadata_errors),
                               NULL));
    json_object *status = schema(g, "SystemStatus", "");
    json_object_object_add(
        paths, "/system/status",
        obj("get",
            obj("tags", arr(str("system"), NULL), "summary",
                str("Health: database, schema, message queue consumers, versions"), "operationId",
                str("get_system_status"), "security", arr(obj(NULL), NULL), "responses",
                obj("200",
                    obj("description", str("ok, or degraded (no consumer alive)"), "content",
                        content("application/json", status), NULL),
                    "503",
                    obj("description",
                        str("unavailable: the database cannot be reached or has no schema"),
                        "headers", obj("Retry-After", ref(g, "headers", "Retry-After", ""), NULL),
                        "content", content("application/json", json_object_get(status)), NULL),
                    NULL),
                NULL),
            NULL));
}

/* How a client authenticates (docs/security.md): Oro's WSSE (the Authorization header
 * names the profile, X-WSSE carries the token), OAuth2 bearer tokens from /oauth2-token,
 * or the browser's session cookie (with X-CSRF-Header). Every operation needs one of
 * them except GET /system/status. */
static json_object *security_schemes(void)
{
    return obj(
        "wsse",
        obj("type", str("apiKey"), "in", str("header"), "name", str("X-WSSE"), "description",
            str("UsernameToken Username=\"…\", PasswordDigest=\"…\", Nonce=\"…\", "
                "Created=\"…\" with Authorization: WSSE profile=\"UsernameToken\"; "
                "digest = base64(sha1(base64decode(nonce) + created + apiKey))"),
            NULL),
        "bearer",
        obj("type", str("oauth2"), "flows",
            obj("clientCredentials",
                obj("tokenUrl", str("/oauth2-token"), "scopes", obj(NULL), NULL), "password",
                obj("tokenUrl", str("/oauth2-token"), "refreshUrl", str("/oauth2-token"), "scopes",
                    obj(NULL), NULL),
                NULL),
            NULL),
        "session",
        obj("type", str("apiKey"), "in", str("cookie"), "name", str("ORO_SESSION"), "description",
            str("POST /login; API calls also send X-CSRF-Header, writes X-CSRF-Token"), NULL),
        NULL);
}

/* ---- the document -------------------------------------------------------------------- */

json_object *oro_openapi_document(apr_pool_t *p, const oro_meta_t *meta, const char *server_url,
                                  const char *version)
{
    oro_openapi_gen_t g = {.p = p, .meta = meta};
    json_object *schemas = oro_openapi_shared_schemas(&g);
    json_object *parameters = shared_parameters();
    json_object *paths = json_object_new_object();
    json_object *tags = json_object_new_array();
    for (int i = 0; meta != NULL && i < meta->entities->nelts; i++) {
        const oro_entity_t *e = APR_ARRAY_IDX(meta->entities, i, const oro_entity_t *);
        json_object_array_add(tags,
                              obj("name", str(e->type), "description", str(e->plural_label), NULL));
        oro_openapi_add_entity_schemas(&g, schemas, e);
        add_entity_parameters(&g, parameters, e);
        add_resource_paths(&g, paths, e);
        for (int j = 0; j < e->relations->nelts; j++) {
            add_relation_paths(&g, paths, e, APR_ARRAY_IDX(e->relations, j, oro_relation_t *));
        }
    }
    json_object_array_add(
        tags, obj("name", str("metadata"), "description", str("What the API serves"), NULL));
    json_object_array_add(tags, obj("name", str("system"), "description", str("Operations"), NULL));
    add_service_paths(&g, paths);
    return obj("openapi", str("3.1.0"), "jsonSchemaDialect",
               str("https://spec.openapis.org/oas/3.1/dialect/base"), "info",
               obj("title", str("mod_oro API"), "version", str(version), "description",
                   str("A JSON:API 1.1 API over the entity metadata, following Oro's conventions. "
                       "Media type application/vnd.api+json (application/json is accepted too). "
                       "Every error is a JSON:API error document."),
                   NULL),
               "servers", arr(obj("url", str(server_url), NULL), NULL), "tags", tags, "paths",
               paths, "components",
               obj("schemas", schemas, "parameters", parameters, "headers",
                   oro_openapi_shared_headers(), "responses", oro_openapi_shared_responses(&g),
                   "securitySchemes", security_schemes(), NULL),
               "security",
               arr(obj("wsse", arr(NULL), NULL), obj("bearer", arr(NULL), NULL),
                   obj("session", arr(NULL), NULL), NULL),
               NULL);
}
