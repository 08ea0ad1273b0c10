/* lib/db/migrate.c — see migrate.h. */
#include "db/migrate.h"

#include <apr_file_io.h>
#include <apr_strings.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "db/sqlsplit.h"

#define LOCK_KEY "7277001"       /* pg_advisory_lock key: "oro" schema changes */
#define LOCK_NAME "'oro.schema'" /* GET_LOCK name on MariaDB */
#define LOCK_TIMEOUT_SECONDS "300"

static int compare_versions(const void *a, const void *b)
{
    return ((const oro_migration_t *)a)->version - ((const oro_migration_t *)b)->version;
}

apr_array_header_t *oro_migrate_list(apr_pool_t *p, const char *schema_dir, oro_dialect_t dialect,
                                     const char **error)
{
    const char *dir =
        apr_pstrcat(p, schema_dir, dialect == ORO_DIALECT_MYSQL ? "/mysql" : "/pgsql", NULL);
    apr_dir_t *d;
    char buf[256];
    apr_status_t rv = apr_dir_open(&d, dir, p);
    if (rv != APR_SUCCESS) {
        *error = apr_psprintf(p, "could not open the migrations directory \"%s\": %s", dir,
                              apr_strerror(rv, buf, sizeof buf));
        return NULL;
    }
    apr_array_header_t *list = apr_array_make(p, 16, sizeof(oro_migration_t));
    apr_finfo_t finfo;
    *error = NULL;
    while (apr_dir_read(&finfo, APR_FINFO_NAME | APR_FINFO_TYPE, d) == APR_SUCCESS) {
        const char *name = finfo.name;
        if (name[0] == '.' || finfo.filetype != APR_REG) {
            continue;
        }
        size_t len = strlen(name);
        size_t digits = strspn(name, "0123456789");
        if (len < 5 || strcmp(name + len - 4, ".sql") != 0 || digits == 0 || digits > 6 ||
            name[digits] != '_') {
            *error = apr_psprintf(p, "migration file \"%s/%s\" is not named NNNN_description.sql",
                                  dir, name);
            break;
        }
        oro_migration_t *m = apr_array_push(list);
        m->version = atoi(name);
        m->name = apr_pstrdup(p, name);
        m->path = apr_pstrcat(p, dir, "/", name, NULL);
        m->applied = 0;
    }
    apr_dir_close(d);
    if (*error != NULL) {
        return NULL;
    }
    qsort(list->elts, (size_t)list->nelts, sizeof(oro_migration_t), compare_versions);
    for (int i = 1; i < list->nelts; i++) {
        const oro_migration_t *a = &APR_ARRAY_IDX(list, i - 1, oro_migration_t);
        const oro_migration_t *b = &APR_ARRAY_IDX(list, i, oro_migration_t);
        if (a->version == b->version) {
            *error = apr_psprintf(p, "migrations \"%s\" and \"%s\" in \"%s\" share version %d",
                                  a->name, b->name, dir, a->version);
            return NULL;
        }
    }
    return list;
}

static const char *create_table_sql(oro_dialect_t dialect)
{
    if (dialect == ORO_DIALECT_MYSQL) {
        return "CREATE TABLE IF NOT EXISTS oro_migrations (version integer NOT NULL PRIMARY KEY, "
               "name varchar(255) NOT NULL, applied_at datetime(6) NOT NULL) ENGINE=InnoDB "
               "DEFAULT CHARSET=utf8mb4";
    }
    return "CREATE TABLE IF NOT EXISTS oro_migrations (version integer NOT NULL PRIMARY KEY, "
           "name varchar(255) NOT NULL, applied_at timestamptz NOT NULL)";
}

static const char *table_exists_sql(oro_dialect_t dialect)
{
    if (dialect == ORO_DIALECT_MYSQL) {
        return "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
               "AND table_name = 'oro_migrations'";
    }
    return "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
           "current_schema() AND table_name = 'oro_migrations'";
}

int oro_migrate_mark_applied(oro_db_t *db, apr_pool_t *p, apr_array_header_t *migrations,
                             const char **error)
{
    const char *exists = oro_db_scalar(db, p, error, table_exists_sql(db->dialect), NULL);
    if (exists == NULL) {
        return -1;
    }
    if (atoi(exists) == 0) {
        return 0;
    }
    for (int i = 0; i < migrations->nelts; i++) {
        oro_migration_t *m = &APR_ARRAY_IDX(migrations, i, oro_migration_t);
        const char *count =
            oro_db_scalar(db, p, error, "SELECT COUNT(*) FROM oro_migrations WHERE version = %s",
                          apr_itoa(p, m->version), NULL);
        if (count == NULL) {
            return -1;
        }
        m->applied = atoi(count) > 0;
    }
    return 0;
}

static int apply_one(oro_db_t *db, apr_pool_t *p, const oro_migration_t *m, FILE *progress,
                     const char **error)
{
    char *script;
    apr_file_t *f;
    apr_finfo_t finfo;
    char buf[256];
    apr_status_t rv = apr_file_open(&f, m->path, APR_FOPEN_READ, 0, p);
    if (rv == APR_SUCCESS) {
        rv = apr_file_info_get(&finfo, APR_FINFO_SIZE, f);
    }
    if (rv != APR_SUCCESS) {
        *error = apr_psprintf(p, "could not read migration \"%s\": %s", m->path,
                              apr_strerror(rv, buf, sizeof buf));
        return -1;
    }
    script = apr_palloc(p, (apr_size_t)finfo.size + 1);
    apr_size_t len = (apr_size_t)finfo.size;
    rv = apr_file_read_full(f, script, len, &len);
    apr_file_close(f);
    if (rv != APR_SUCCESS && rv != APR_EOF) {
        *error = apr_psprintf(p, "could not read migration \"%s\": %s", m->path,
                              apr_strerror(rv, buf, sizeof buf));
        return -1;
    }
    script[len] = '\0';
    const char *split_error;
    apr_array_header_t *statements = oro_sql_split(p, script, &split_error);
    if (statements == NULL) {
        *error = apr_psprintf(p, "migration \"%s\": %s", m->path, split_error);
        return -1;
    }
    if (progress == NULL) {
        progress = stdout;
    }

    apr_dbd_transaction_t *txn = NULL;
    if (oro_db_begin(db, p, &txn, error) != 0) {
        return -1;
    }
    for (int i = 0; i < statements->nelts; i++) {
        const char *sql = APR_ARRAY_IDX(statements, i, const char *);
        if (oro_db_exec(db, p, error, NULL, sql, NULL) != 0) {
            const char *why = *error;
            const char *ignored;
            oro_db_end(db, p, txn, 1, &ignored);
            *error = apr_psprintf(p, "migration %s failed at statement %d (%.60s…): %s%s", m->name,
                                  i + 1, sql, why,
                                  db->dialect == ORO_DIALECT_MYSQL
                                      ? " (MariaDB commits DDL as it goes: statements before "
                                        "this one stay applied)"
                                      : " (rolled back: nothing of it was applied)");
            return -1;
        }
    }
    const char *now = db->dialect == ORO_DIALECT_MYSQL ? "UTC_TIMESTAMP(6)" : "now()";
    if (oro_db_exec(db, p, error, NULL,
                    apr_psprintf(p,
                                 "INSERT INTO oro_migrations (version, name, applied_at) "
                                 "VALUES (%%s, %%s, %s)",
                                 now),
                    apr_itoa(p, m->version), m->name, NULL) != 0) {
        const char *ignored;
        oro_db_end(db, p, txn, 1, &ignored);
        return -1;
    }
    if (oro_db_end(db, p, txn, 0, error) != 0) {
        return -1;
    }
    fprintf(progress, "applied %s\n", m->name);
    return 0;
}

static int print_pending(apr_pool_t *p, const oro_migration_t *m, FILE *out, const char **error)
{
    apr_file_t *f;
    char buf[4096];
    apr_status_t rv = apr_file_open(&f, m->path, APR_FOPEN_READ, 0, p);
    if (rv != APR_SUCCESS) {
        *error = apr_psprintf(p, "could not read migration \"%s\": %s", m->path,
                              apr_strerror(rv, buf, sizeof buf));
        return -1;
    }
    fprintf(out, "-- pending: %s\n", m->name);
    apr_size_t n = sizeof buf;
    while (apr_file_read(f, buf, &n) == APR_SUCCESS && n > 0) {
        fwrite(buf, 1, n, out);
        n = sizeof buf;
    }
    apr_file_close(f);
    fputc('\n', out);
    return 0;
}

int oro_migrate_apply(oro_db_t *db, apr_pool_t *p, apr_array_header_t *migrations, int dry_run,
                      FILE *progress, const char **error)
{
    int count = 0;
    if (progress == NULL) {
        progress = stdout;
    }
    if (dry_run) {
        if (oro_migrate_mark_applied(db, p, migrations, error) != 0) {
            return -1;
        }
        for (int i = 0; i < migrations->nelts; i++) {
            const oro_migration_t *m = &APR_ARRAY_IDX(migrations, i, oro_migration_t);
            if (!m->applied) {
                if (print_pending(p, m, progress, error) != 0) {
                    return -1;
                }
                count++;
            }
        }
        return count;
    }

    if (oro_db_exec(db, p, error, NULL, create_table_sql(db->dialect), NULL) != 0 ||
        oro_migrate_mark_applied(db, p, migrations, error) != 0) {
        count = -1;
        goto cleanup;
    }
    for (int i = 0; i < migrations->nelts; i++) {
        oro_migration_t *m = &APR_ARRAY_IDX(migrations, i, oro_migration_t);
        if (m->applied) {
            continue;
        }
        if (apply_one(db, p, m, progress, error) != 0) {
            count = -1;
            goto cleanup;
        }
        m->applied = 1;
        count++;
    }
cleanup:
    return count;
}

int oro_migrate_lock(oro_db_t *db, apr_pool_t *p, const char **error)
{
    const char *lock_sql = db->dialect == ORO_DIALECT_MYSQL
                               ? "SELECT GET_LOCK(" LOCK_NAME ", " LOCK_TIMEOUT_SECONDS ")"
                               : "SELECT 1 FROM (SELECT pg_advisory_lock(" LOCK_KEY ")) AS l";
    const char *got = oro_db_scalar(db, p, error, lock_sql, NULL);
    if (got == NULL || strcmp(got, "1") != 0) {
        if (got != NULL) {
            *error = "timed out waiting for another schema update to finish";
        }
        return -1;
    }
    return 0;
}

void oro_migrate_unlock(oro_db_t *db, apr_pool_t *p)
{
    const char *ignored;
    oro_db_scalar(db, p, &ignored,
                  db->dialect == ORO_DIALECT_MYSQL
                      ? "SELECT RELEASE_LOCK(" LOCK_NAME ")"
                      : "SELECT 1 FROM (SELECT pg_advisory_unlock(" LOCK_KEY ")) AS l",
                  NULL);
}
