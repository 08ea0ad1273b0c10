/* lib/api/document.h — JSON:API resource objects from database rows. */
#ifndef ORO_API_DOCUMENT_H
#define ORO_API_DOCUMENT_H

#include "api/jsonbuf.h"
#include "api/query.h"
#include "api/select.h"

/* How a resource is written. */
typedef struct {
    const char *base_url;         /* "http://host:port/api", for links; NULL: no links */
    const oro_api_query_t *query; /* fields[type] and meta=title; may be NULL */
    oro_dialect_t dialect;        /* how the driver spells booleans */
} oro_doc_options_t;

/* Appends the resource object of one row (values in the order of
 * oro_select_columns(entity)) to b: type, id, attributes (password fields never;
 * integers as numbers, booleans as true/false, datetimes as ISO 8601 UTC
 * "2026-11-27T02:26:47Z", decimals and money as exact strings, everything else as
 * strings), relationships (many-to-one with data; to-many with data when to_many holds
 * the relation's ids — relation name -> apr_array_header_t of const char * — and links),
 * links.self, meta.title when asked. Sparse fieldsets of the query apply. */
void oro_doc_write_resource(oro_jbuf_t *b, apr_pool_t *p, const oro_entity_t *entity,
                            const apr_array_header_t *columns, const char *const *values,
                            apr_hash_t *to_many, const oro_doc_options_t *options);

/* The record's title from its title template ("Ann Lee"), or NULL without one. */
const char *oro_doc_title(apr_pool_t *p, const oro_entity_t *entity,
                          const apr_array_header_t *columns, const char *const *values);

/* The ETag of a record version: a quoted hash of type, id and updatedAt. */
const char *oro_doc_etag(apr_pool_t *p, const oro_entity_t *entity, const char *id,
                         const char *updated_at);

#endif
