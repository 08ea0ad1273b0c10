/* lib/api/openapi.h — the OpenAPI 3.1 description of the JSON:API (GET /api/doc/openapi.json),
 * generated from the entity metadata. Pure: no httpd, no database. */
#ifndef ORO_API_OPENAPI_H
#define ORO_API_OPENAPI_H

#include <apr_pools.h>
#include <json.h>

#include "meta/meta.h"

/* The OpenAPI 3.1.0 document of the API over meta (schemas in the JSON Schema 2020-12
 * dialect): per entity type, the schemas <type>Attributes, <type>Relationships,
 * <type>Resource (and the identifier, request and document schemas built on them) and
 * the paths /<type>, /<type>/{id}, /<type>/{id}/<relation> and
 * /<type>/{id}/relationships/<relation>; also /metadata and /system/status.
 * server_url is the API's base ("http://host:port/api"), version the info.version.
 * Every "$ref" points into the document's own components. The caller owns the result
 * (json_object_put); p holds only temporary strings. */
json_object *oro_openapi_document(apr_pool_t *p, const oro_meta_t *meta, const char *server_url,
                                  const char *version);

#endif
