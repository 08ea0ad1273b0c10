/* lib/search/indexer.h — reading records from the database into search documents
 * (the mapping from the entity metadata, docs/search.md), for the indexer worker's
 * processor and oroctl search:reindex. */
#ifndef ORO_SEARCH_INDEXER_H
#define ORO_SEARCH_INDEXER_H

#include "db/db.h"
#include "meta/meta.h"
#include "search/search.h"

/* Whether entity has a searchable field (only such entities are indexed). */
int oro_search_entity_indexed(const oro_entity_t *entity);

/* The value type an entity field is indexed as; -1 for fields that are not indexed
 * (passwords). */
int oro_search_field_type(const oro_field_t *field);

typedef struct {
    long long indexed; /* documents added or replaced */
    long long deleted; /* ids without a record, removed */
} oro_search_stats_t;

/* (Re)indexes the records of entity whose ids (const char *, decimal) are given:
 * reads them in batches of ORO_SEARCH_READ_BATCH with one statement each, replaces
 * their documents and removes the documents of ids without a record. No commit.
 * 0, or -1 with *error (a database or index failure; what was done stays). */
#define ORO_SEARCH_READ_BATCH 500
int oro_search_index_ids(oro_db_t *db, apr_pool_t *p, const oro_meta_t *meta,
                         const oro_entity_t *entity, const apr_array_header_t *ids,
                         oro_search_writer_t *w, oro_search_stats_t *stats, const char **error);

/* The same, and adds to retitled (if not NULL; id → the new title, allocated in p) the
 * ids whose title changed or that were not indexed yet: only their dependents may need
 * reindexing. */
int oro_search_index_ids_retitled(oro_db_t *db, apr_pool_t *p, const oro_meta_t *meta,
                                  const oro_entity_t *entity, const apr_array_header_t *ids,
                                  oro_search_writer_t *w, oro_search_stats_t *stats,
                                  apr_hash_t *retitled, const char **error);

/* Indexes every record of entity with from <= id <= to (to < 0: no upper bound),
 * reading batch records per statement in id order; progress(arg, done) after each
 * batch (may be NULL). With remove_missing, documents of ids in the range whose record
 * is gone are removed too (a scheduled range job on the live index). 0 or -1. */
int oro_search_index_range(oro_db_t *db, apr_pool_t *p, const oro_meta_t *meta,
                           const oro_entity_t *entity, long long from, long long to, int batch,
                           oro_search_writer_t *w, oro_search_stats_t *stats,
                           void (*progress)(void *arg, long long done), void *arg,
                           const char **error);

/* The records that show a title of entity's records in retitled (id → new title; a
 * contact shows its account's name) and whose document shows another text for it
 * (checked in w's index: dependents without a document are left to their own
 * messages): adds type → apr_array_header_t of const char * ids to out.
 * 0, or -1 with *error. */
int oro_search_dependents(oro_db_t *db, apr_pool_t *p, const oro_meta_t *meta,
                          const oro_entity_t *entity, apr_hash_t *retitled, oro_search_writer_t *w,
                          apr_hash_t *out, const char **error);

/* SELECT COUNT(*), MIN(id), MAX(id) of entity's table. 0 or -1 with *error. */
int oro_search_entity_extent(oro_db_t *db, apr_pool_t *p, const oro_entity_t *entity,
                             long long *count, long long *min_id, long long *max_id,
                             const char **error);

/* Whether text is a positive decimal id of at most 18 digits. */
int oro_search_valid_id(const char *text);

#endif
