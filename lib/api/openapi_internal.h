/* lib/api/openapi_internal.h — shared by the OpenAPI generator's files (openapi.c: parameters,
 * paths and the document; openapi_schemas.c: the component schemas and responses). Not part
 * of liboro's API.
 *
 * Building is by small constructors: obj() takes key/value pairs and skips NULL values,
 * so optional members read as one expression. They are static inline and keep their short
 * names (rather than oro_openapi_*) because every line of the generator is written in
 * them: a prefix would bury the document's shape, and static inline exports nothing. */
#ifndef ORO_API_OPENAPI_INTERNAL_H
#define ORO_API_OPENAPI_INTERNAL_H

#include <stdarg.h>

#include <apr_pools.h>
#include <apr_strings.h>
#include <json.h>

#include "meta/meta.h"

#define ORO_OPENAPI_JSONAPI "application/vnd.api+json"

/* The generator's state: p for temporary strings, meta the entities described. */
typedef struct {
    apr_pool_t *p;
    const oro_meta_t *meta;
} oro_openapi_gen_t;

/* ---- constructors -------------------------------------------------------------------- */

static inline json_object *str(const char *s)
{
    return json_object_new_string(s);
}

static inline json_object *yes(void)
{
    return json_object_new_boolean(1);
}

/* An object of the key/value pairs given, ended by a NULL key; NULL values are left out. */
static inline json_object *obj(const char *key, ...)
{
    json_object *o = json_object_new_object();
    va_list ap;
    va_start(ap, key);
    for (; key != NULL; key = va_arg(ap, const char *)) {
        json_object *value = va_arg(ap, json_object *);
        if (value != NULL) {
            json_object_object_add(o, key, value);
        }
    }
    va_end(ap);
    return o;
}

/* An array of the values given, ended by NULL. */
static inline json_object *arr(json_object *first, ...)
{
    json_object *a = json_object_new_array();
    va_list ap;
    va_start(ap, first);
    for (json_object *v = first; v != NULL; v = va_arg(ap, json_object *)) {
        json_object_array_add(a, v);
    }
    va_end(ap);
    return a;
}

/* {"$ref": "#/components/<section>/<name><suffix>"} */
static inline json_object *ref(oro_openapi_gen_t *g, const char *section, const char *name,
                               const char *suffix)
{
    return obj("$ref", str(apr_pstrcat(g->p, "#/components/", section, "/", name, suffix, NULL)),
               NULL);
}

static inline json_object *schema(oro_openapi_gen_t *g, const char *name, const char *suffix)
{
    return ref(g, "schemas", name, suffix);
}

static inline json_object *or_null(json_object *s)
{
    return obj("oneOf", arr(s, obj("type", str("null"), NULL), NULL), NULL);
}

/* {media: {"schema": s}} */
static inline json_object *content(const char *media, json_object *s)
{
    return obj(media, obj("schema", s, NULL), NULL);
}

/* A response object: description, optional headers and JSON:API content. */
static inline json_object *response(const char *description, json_object *headers, json_object *s)
{
    return obj("description", str(description), "headers", headers, "content",
               s ? content(ORO_OPENAPI_JSONAPI, s) : NULL, NULL);
}

static inline json_object *id_schema(void)
{
    return obj("type", str("string"), "pattern", str("^[0-9]+$"), NULL);
}

static inline int is_to_one(const oro_relation_t *r)
{
    return r->kind == ORO_RELATION_MANY_TO_ONE;
}

/* ---- openapi_schemas.c --------------------------------------------------------------- */

/* The schemas every document shares (Resource, Included, Links, Error, …): a new object
 * to which oro_openapi_add_entity_schemas adds each entity's. */
json_object *oro_openapi_shared_schemas(oro_openapi_gen_t *g);

/* Adds e's schemas to schemas: <type>Attributes, <type>Relationships, <type>Resource,
 * <type>Identifier and the create, update and document schemas built on them. */
void oro_openapi_add_entity_schemas(oro_openapi_gen_t *g, json_object *schemas,
                                    const oro_entity_t *e);

/* A relationship's "data": the target's identifier (or null unless required), or an
 * array of identifiers for to-many relations. */
json_object *oro_openapi_linkage_schema(oro_openapi_gen_t *g, const oro_relation_t *r);

/* components/responses (the error responses add_errors refers to) and
 * components/headers. */
json_object *oro_openapi_shared_responses(oro_openapi_gen_t *g);
json_object *oro_openapi_shared_headers(void);

#endif
