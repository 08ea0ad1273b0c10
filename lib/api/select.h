/* lib/api/select.h — the SELECT statements of the read API, from a parsed query,
 * for PostgreSQL and MariaDB. Identifiers come only from the metadata; every value is
 * a bound parameter (apr_dbd's %s parameter markers). */
#ifndef ORO_API_SELECT_H
#define ORO_API_SELECT_H

#include "api/query.h"
#include "db/db.h"

typedef struct {
    const char *sql;            /* with %s parameter markers, in apr_dbd syntax */
    apr_array_header_t *params; /* of const char *, in parameter marker order */
} oro_sql_t;

/* The columns every select returns, in this order: id, then each field of the entity
 * except id and password fields (entity->fields order), then each many-to-one
 * relation's column (entity->relations order). oro_select_columns lists them: the
 * field (or NULL) and relation (or NULL) of each result column. */
typedef struct {
    const oro_field_t *field;
    const oro_relation_t *relation;
} oro_select_column_t;

apr_array_header_t *oro_select_columns(apr_pool_t *p, const oro_entity_t *entity);

/* The page of a list request: WHERE from the filters, ORDER BY from the sort (id last),
 * LIMIT/OFFSET from the page (none when page_size is -1). One extra row is fetched
 * (LIMIT size+1) so that the caller knows whether a next page exists.
 * Filter semantics (Oro's): eq with several values is IN; neq with several NOT IN;
 * a range a..b is BETWEEN; exists 1/0 is IS NOT NULL / IS NULL (for to-many relations:
 * EXISTS / NOT EXISTS on the related rows); neq_or_null is (col <> v OR col IS NULL);
 * contains / starts_with / ends_with are LIKE with %, _ and \ escaped (case-insensitive
 * on both databases: ILIKE on PostgreSQL; MariaDB's collation is case-insensitive);
 * not_* are their negations (NULL rows are not returned, as in SQL). A filter on a
 * one-to-many or many-to-many relation matches records with at least one related id
 * among the values (EXISTS sub-query). */
oro_sql_t *oro_select_list(apr_pool_t *p, oro_dialect_t dialect, const oro_api_query_t *query);

/* SELECT COUNT(*) with the same WHERE (X-Include: totalCount). */
oro_sql_t *oro_select_count(apr_pool_t *p, oro_dialect_t dialect, const oro_api_query_t *query);

/* The same for the records related to owner_id by a to-many relation (of the owner's
 * entity; query->entity is relation->target): the filters are AND-ed with the relation
 * (one-to-many: the target's inverse column = owner_id; many-to-many: EXISTS on the
 * join table), in one statement. GET /api/{type}/{id}/{relation}. */
oro_sql_t *oro_select_related(apr_pool_t *p, oro_dialect_t dialect, const oro_api_query_t *query,
                              const oro_relation_t *relation, const char *owner_id);
oro_sql_t *oro_select_related_count(apr_pool_t *p, oro_dialect_t dialect,
                                    const oro_api_query_t *query, const oro_relation_t *relation,
                                    const char *owner_id);

/* The same with an extra condition on the records (NULL: none; see oro_select_filter_t):
 * by id and by ids on the entity's records; to-many ids on the related records. */
oro_sql_t *oro_select_by_id_filtered(apr_pool_t *p, oro_dialect_t dialect,
                                     const oro_entity_t *entity, const char *id,
                                     const oro_select_filter_t *filter);
oro_sql_t *oro_select_by_ids_filtered(apr_pool_t *p, oro_dialect_t dialect,
                                      const oro_entity_t *entity, const apr_array_header_t *ids,
                                      const oro_select_filter_t *filter);
oro_sql_t *oro_select_to_many_ids_filtered(apr_pool_t *p, oro_dialect_t dialect,
                                           const oro_relation_t *relation,
                                           const apr_array_header_t *ids,
                                           const oro_select_filter_t *filter);
/* SELECT COUNT(*) of entity's record id restricted by filter: 1 when the filter lets it
 * through (and it exists), else 0. */
oro_sql_t *oro_select_count_by_id(apr_pool_t *p, oro_dialect_t dialect, const oro_entity_t *entity,
                                  const char *id, const oro_select_filter_t *filter);

/* One record by id. */
oro_sql_t *oro_select_by_id(apr_pool_t *p, oro_dialect_t dialect, const oro_entity_t *entity,
                            const char *id);

/* Records of entity whose id is one of ids (for include). */
oro_sql_t *oro_select_by_ids(apr_pool_t *p, oro_dialect_t dialect, const oro_entity_t *entity,
                             const apr_array_header_t *ids);

/* For a to-many relation: pairs (owner id, related id) for the owner ids, ordered by
 * owner id then related id. One-to-many: SELECT mapped_by_column, id FROM target
 * WHERE mapped_by_column IN (…); many-to-many: SELECT join_column, inverse_join_column
 * FROM join_table WHERE join_column IN (…). */
oro_sql_t *oro_select_to_many_ids(apr_pool_t *p, oro_dialect_t dialect,
                                  const oro_relation_t *relation, const apr_array_header_t *ids);

#endif
