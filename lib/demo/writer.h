/* lib/demo/writer.h — the database sink behind oro_demo_load (writer.c). Not part of
 * liboro's API. */
#ifndef ORO_DEMO_WRITER_H
#define ORO_DEMO_WRITER_H

#include "demo/demo.h"

typedef struct oro_demo_writer oro_demo_writer_t;

/* Makes sink write into db: PostgreSQL through COPY FROM STDIN (the caller holds the
 * transaction), MariaDB through multi-row INSERTs, one transaction per table.
 * progress (may be NULL) is called after each table. Lives in p. */
oro_demo_writer_t *oro_demo_writer_make(oro_db_t *db, apr_pool_t *p, oro_demo_progress_fn progress,
                                        void *baton, oro_demo_sink_t *sink);

/* Rows written into table (0 if none or not yet finished). */
long oro_demo_writer_count(const oro_demo_writer_t *w, const char *table);

/* The tables begun, in order (const char *), the failed one included. */
const apr_array_header_t *oro_demo_writer_started(const oro_demo_writer_t *w);

/* After a failure: ends a COPY in progress (PostgreSQL) or rolls back the table's
 * transaction (MariaDB). */
void oro_demo_writer_abort(oro_demo_writer_t *w);

/* Turns the per-row foreign key checks off for the load. MariaDB: foreign_key_checks
 * and unique_checks off for the session; returns 1 (the caller verifies the references
 * in bulk afterwards). PostgreSQL, inside the load's transaction: drops the schema's
 * foreign keys; returns 2 (oro_demo_writer_restore re-adds and so validates them).
 * -1 with *error. */
int oro_demo_writer_relax(oro_demo_writer_t *w, const char **error);

/* Turns the checks back on: MariaDB's session settings; PostgreSQL re-adds the dropped
 * foreign keys, validating every row (call before commit). 0, or -1 with *error. */
int oro_demo_writer_restore(oro_demo_writer_t *w, const char **error);

/* "c1", "c2" (or `c1`, `c2`), in p. */
const char *oro_demo_quoted_columns(apr_pool_t *p, oro_dialect_t dialect, int ncolumns,
                                    const char *const *columns);

#endif
