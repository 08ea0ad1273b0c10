/* lib/api/document.h — JSON:API resource objects from database rows. */
#ifndef ORO_API_DOCUMENT_H
#define ORO_API_DOCUMENT_H

#include <json.h>

#include "api/query.h"
#include "api/select.h"

/* How a resource is written. */
typedef struct {
    const char *base_url;         /* "http://host:port/api", for links; NULL: no links */
    const oro_api_query_t *query; /* fields[type] and meta=title; may be NULL */
    oro_dialect_t dialect;        /* how the driver spells booleans */
} oro_doc_options_t;

/* The JSON value of a field from the database's text (NULL for SQL NULL): integers as
 * numbers, booleans as true/false, datetimes as ISO 8601 UTC ("2026-11-27T02:26:47Z"),
 * decimals and money as strings (exact), everything else as strings. */
json_object *oro_doc_value(const oro_field_t *field, const char *text, oro_dialect_t dialect);

/* The resource object of one row (values in the order of oro_select_columns(entity)):
 * type, id, attributes (password fields never), relationships (many-to-one with
 * data; to-many with data when to_many holds the relation's ids — relation name ->
 * apr_array_header_t of const char * — else links only), links.self, meta.title when
 * asked. Sparse fieldsets of the query apply. */
json_object *oro_doc_resource(apr_pool_t *p, const oro_entity_t *entity,
                              const apr_array_header_t *columns, const char *const *values,
                              apr_hash_t *to_many, const oro_doc_options_t *options);

/* The record's title from its title template ("Ann Lee"), or NULL without one. */
const char *oro_doc_title(apr_pool_t *p, const oro_entity_t *entity,
                          const apr_array_header_t *columns, const char *const *values);

/* The ETag of a record version: a quoted hash of type, id and updatedAt. */
const char *oro_doc_etag(apr_pool_t *p, const oro_entity_t *entity, const char *id,
                         const char *updated_at);

#endif
