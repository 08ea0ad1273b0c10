/* lib/db/migrate.h — the numbered SQL migrations of dbd_schema/{pgsql,mysql}. */
#ifndef ORO_DB_MIGRATE_H
#define ORO_DB_MIGRATE_H

#include <apr_tables.h>
#include <stdio.h>

#include "db/db.h"

typedef struct {
    int version;      /* the leading number of the file name */
    const char *name; /* the file name, e.g. "0001_consumer_heartbeat.sql" */
    const char *path;
    int applied; /* already recorded in oro_migrations */
} oro_migration_t;

/* Lists the migrations of schema_dir/<dialect>/ in version order (array of
 * oro_migration_t, applied = 0). A file that does not look like NNNN_name.sql,
 * or two files with one version, is an error (NULL, *error set). */
apr_array_header_t *oro_migrate_list(apr_pool_t *p, const char *schema_dir, oro_dialect_t dialect,
                                     const char **error);

/* Marks the migrations already applied to db (reads oro_migrations, which need not
 * exist yet). Returns 0, or -1 with *error set. */
int oro_migrate_mark_applied(oro_db_t *db, apr_pool_t *p, apr_array_header_t *migrations,
                             const char **error);

/* Applies every pending migration in order, each in its own transaction together
 * with its oro_migrations row (PostgreSQL; MariaDB commits DDL implicitly, see
 * docs/decisions.md). The caller holds oro_migrate_lock so that two concurrent runs
 * apply each migration once. progress (may be NULL) receives one line per migration.
 * With dry_run, prints the statements of the pending migrations to progress and
 * changes nothing. Returns the number applied (or pending, with dry_run), or -1
 * with *error naming the migration and the failing statement. */
int oro_migrate_apply(oro_db_t *db, apr_pool_t *p, apr_array_header_t *migrations, int dry_run,
                      FILE *progress, const char **error);

/* The schema lock (pg_advisory_lock / GET_LOCK) serialising schema changes across
 * hosts; waits up to 300 s. Returns 0, or -1 with *error set. */
int oro_migrate_lock(oro_db_t *db, apr_pool_t *p, const char **error);
void oro_migrate_unlock(oro_db_t *db, apr_pool_t *p);

#endif
