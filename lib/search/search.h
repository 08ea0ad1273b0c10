/* lib/search/search.h — the search index: a C API over Xapian 1.4 (a C++ shim in
 * lib/search/xapian_*.cc; no C++ exception crosses into C, each becomes -1 and a message).
 * See DESIGN.md §6 and docs/search.md.
 *
 * Layout of OroSearchIndex DIR: versioned Xapian databases DIR/v<N> (each one stub
 * XAPIANDB over OroSearchShards glass databases s0, s1, …) and a symbolic link
 * DIR/current naming the live one. A full reindex builds a new version and replaces
 * the link with rename(2), which is atomic: readers keep answering from the old version
 * until they notice the switch. DIR/write.lock serialises the writers' switch with the
 * indexer's batches; DIR/building (present during a full rebuild) names the version
 * being built, and the indexer then also journals what it changed in DIR/journal so the
 * rebuild can replay it before the switch.
 *
 * One document per record: terms Q<type>:<id> (unique), T<type>, ACL terms
 * XO<organization> XU<owner user> XB<business unit>, text through a TermGenerator with
 * English stemming both unprefixed (all_text, with positions) and prefixed per field
 * (XF<field>:, without positions: field conditions match a phrase's words in any order), an
 * exact term per text value (XE<field>:<lowercased value>), a presence term per field
 * (XP<field>), value slots (numbers sortable_serialise'd, text lowercased and as
 * written), and the stored entity, id, title and field values. */
#ifndef ORO_SEARCH_SEARCH_H
#define ORO_SEARCH_SEARCH_H

#include <apr_pools.h>
#include <apr_hash.h>
#include <apr_tables.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The types of the query language and of indexed fields. */
typedef enum {
    ORO_SEARCH_TEXT = 0,
    ORO_SEARCH_INTEGER = 1,
    ORO_SEARCH_DECIMAL = 2,
    ORO_SEARCH_DATETIME = 3 /* numbers: seconds since the epoch, UTC */
} oro_search_type_t;

/* "text", "integer", "decimal", "datetime"; NULL out of range. */
const char *oro_search_type_name(oro_search_type_t type);

/* One indexed value of a record. */
typedef struct {
    const char *name; /* "firstName", "account" (a related record's title) */
    oro_search_type_t type;
    const char *text; /* the value as the API shows it (stored, and indexed for text) */
    double number;    /* integer, decimal, datetime */
} oro_search_field_t;

/* One record as the index sees it. Ids of 0 mean "none" (unowned records). */
typedef struct {
    const char *entity; /* "contacts" */
    const char *id;     /* decimal text */
    const char *title;  /* from the entity's titleTemplate */
    long long organization_id;
    long long owner_id;         /* owning user (user-owned entities) */
    long long business_unit_id; /* owning unit, or the owning user's unit */
    const oro_search_field_t *fields;
    int nfields;
} oro_search_doc_t;

/* ---------------------------------------------------------------- writer */

/* A version the writer creates holds N glass databases s0 … s<N-1> and a stub XAPIANDB
 * naming them (Xapian opens the directory as one database); the writer indexes them in
 * parallel, one thread each; a record's document is in the shard its unique term hashes
 * to. N is OroSearchShards. Earlier versions (a single database) stay readable and
 * writable. */
#define ORO_SEARCH_MAX_SHARDS 16
#define ORO_SEARCH_DEFAULT_SHARDS 2


typedef struct oro_search_writer oro_search_writer_t;

/* Opens (creating if needed) the Xapian database at path for writing. Returns NULL
 * with *error ("could not open search index \"…\" for writing: …") in p. The handle
 * is closed by a cleanup on p (uncommitted changes are committed by Xapian's own
 * close; call oro_search_writer_commit to know whether they were). */
oro_search_writer_t *oro_search_writer_open(apr_pool_t *p, const char *path, const char **error);
/* The same, creating a version that does not exist yet (or is an empty directory) with
 * shards databases (1 … ORO_SEARCH_MAX_SHARDS); an existing one keeps its own. */
oro_search_writer_t *oro_search_writer_create(apr_pool_t *p, const char *path, int shards,
                                              const char **error);
/* Adds or replaces the record's document. *title_changed (if not NULL) is set when the
 * record had no document yet or its stored title differs (records that show this one's
 * title then need reindexing). 0, or -1 with *error in p. */
int oro_search_writer_replace(oro_search_writer_t *w, apr_pool_t *p, const oro_search_doc_t *doc,
                              int *title_changed, const char **error);
/* The stored value of field in the document of (entity, id): 1 with *value (NULL when
 * the document has no such field), 0 when there is no document, -1 with *error. */
int oro_search_writer_stored(oro_search_writer_t *w, apr_pool_t *p, const char *entity,
                             const char *id, const char *field, const char **value,
                             const char **error);
/* Removes the document of (entity, id) if present. 0, or -1 with *error. */
int oro_search_writer_delete(oro_search_writer_t *w, apr_pool_t *p, const char *entity,
                             const char *id, const char **error);
/* Makes the changes so far durable and visible to readers. 0, or -1 with *error. */
int oro_search_writer_commit(oro_search_writer_t *w, apr_pool_t *p, const char **error);
/* The number of documents. */
long long oro_search_writer_count(oro_search_writer_t *w);
/* The path the writer was opened on. */
const char *oro_search_writer_path(const oro_search_writer_t *w);
/* Adds every document of the database at source whose type is not one of skip_types
 * (a rebuild of some types keeps the others). Returns the number copied, or -1. */
long long oro_search_writer_copy(oro_search_writer_t *w, apr_pool_t *p, const char *source,
                                 const char *const *skip_types, int nskip, const char **error);
/* Closes now (the pool cleanup then does nothing). 0, or -1 with *error. */
int oro_search_writer_close(oro_search_writer_t *w, apr_pool_t *p, const char **error);

/* ---------------------------------------------------------------- index directory */

/* The live version's directory (DIR/v<N>, resolved from DIR/current), or NULL when the
 * index has none yet. */
const char *oro_search_dir_current(apr_pool_t *p, const char *dir);
/* Creates DIR/current → DIR/v1 (an empty index of shards databases) when DIR has no
 * live version, so that the indexer always has one to write to. 0, or -1 with *error. */
int oro_search_dir_ensure(apr_pool_t *p, const char *dir, int shards, const char **error);
/* A fresh, empty version directory name (absolute path) not in use yet. */
const char *oro_search_dir_new_version(apr_pool_t *p, const char *dir, const char **error);
/* Points DIR/current at version (rename of a new link: atomic) and removes versions
 * older than the previous live one. 0, or -1 with *error. */
int oro_search_dir_switch(apr_pool_t *p, const char *dir, const char *version, const char **error);

/* Run as root (oroctl), gives path (and the files directly in it) the owner of DIR,
 * so that the indexer and httpd, running as DIR's owner, can use what root created. */
void oro_search_dir_match_owner(apr_pool_t *p, const char *dir, const char *path);

/* DIR/write.lock: shared by the indexer around each batch, exclusive by a full rebuild
 * around its switch. Released by a cleanup on p (or oro_search_lock_release). */
typedef struct oro_search_lock oro_search_lock_t;
oro_search_lock_t *oro_search_lock_acquire(apr_pool_t *p, const char *dir, int exclusive,
                                           const char **error);
void oro_search_lock_release(oro_search_lock_t *lock);

/* The version being built by a full rebuild (DIR/building), or NULL. */
const char *oro_search_dir_building(apr_pool_t *p, const char *dir);
/* Starts (version != NULL) or ends (NULL) a rebuild: writes or removes DIR/building and
 * DIR/journal. 0, or -1 with *error. */
int oro_search_dir_set_building(apr_pool_t *p, const char *dir, const char *version,
                                const char **error);
/* Appends "entity id" lines to DIR/journal (the indexer during a rebuild). */
int oro_search_journal_append(apr_pool_t *p, const char *dir, const char *entity,
                              const apr_array_header_t *ids, const char **error);
/* Reads DIR/journal: entity type → apr_array_header_t of const char * ids. */
apr_hash_t *oro_search_journal_read(apr_pool_t *p, const char *dir);

/* ---------------------------------------------------------------- ACL */

/* The caller's view level on one entity, and the entity's ownership (oro_acl_level_t
 * and oro_ownership_t values). An entity the struct does not list is invisible. */
typedef struct {
    const char *entity;
    int level;     /* oro_acl_level_t: NONE … GLOBAL */
    int ownership; /* oro_ownership_t */
} oro_search_acl_entity_t;

/* What the caller may see; filled from the principal and the ACL by mod_oro. */
typedef struct {
    long long user_id;
    long long organization_id;
    const long long *business_unit_ids; /* the user's units (BUSINESS_UNIT level) */
    int n_business_units;
    const long long *division_ids; /* those units and their children (DIVISION level) */
    int n_divisions;
    const oro_search_acl_entity_t *entities;
    int nentities;
} oro_search_acl_t;

/* ---------------------------------------------------------------- reader and queries */

struct oro_search_expr;
struct oro_search_query;

typedef struct oro_search_reader oro_search_reader_t;

/* A read-only handle on DIR's live version; never share one between threads. Opens
 * lazily: an index without a version yet answers no matches. Closed by a cleanup on p. */
oro_search_reader_t *oro_search_reader_create(apr_pool_t *p, const char *dir);
/* Picks up new commits and a switched version, checking at most every interval_ms
 * (0: always). 0, or -1 with *error (the reader keeps its previous state). */
int oro_search_reader_refresh(oro_search_reader_t *r, apr_pool_t *p, int interval_ms,
                              const char **error);

typedef struct {
    const char *entity;
    const char *id;
    const char *title;
    double score;       /* Xapian's weight; 0 for queries without text */
    int percent;        /* Xapian's percentage */
    apr_hash_t *values; /* stored field name → value text (select) */
} oro_search_hit_t;

typedef struct {
    const char *field;
    oro_search_type_t type;
    const char *function; /* "count", "sum", "max", "min", "avg" */
    const char *alias;
    /* count: value text → apr_int64_t count (values: const char *); others: result */
    apr_array_header_t *values; /* of const char * (count: the distinct values) */
    apr_array_header_t *counts; /* of apr_int64_t (count) */
    double number;              /* sum/max/min/avg */
    int has_number;
} oro_search_aggregate_result_t;

typedef struct {
    apr_array_header_t *hits;       /* of oro_search_hit_t */
    long long total;                /* matching documents (exact up to offset+limit+1000) */
    int more;                       /* a further page exists */
    apr_array_header_t *aggregates; /* of oro_search_aggregate_result_t */
} oro_search_result_t;

/* Runs a structured query (lib/search/query.h; text may also be a plain search text,
 * matched against all_text) restricted to the ACL. limit hits from offset.
 * Returns 0 with *result in p, or -1 with *error and *bad_request set when the
 * query itself cannot run (a wildcard that expands too far, a bad text query). */
int oro_search_run(oro_search_reader_t *r, apr_pool_t *p, const struct oro_search_query *query,
                   const char *text, const oro_search_acl_t *acl, long offset, long limit,
                   oro_search_result_t **result, int *bad_request, const char **error);

/* ---------------------------------------------------------------- mapping */

/* Slot numbers of a field's values: a hash of type and name (collisions between the
 * few dozen field names are unlikely; docs/decisions.md). */
unsigned oro_search_slot(oro_search_type_t type, const char *name, int lowercased);

#ifdef __cplusplus
}
#endif

#endif
