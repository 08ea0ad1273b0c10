/* lib/demo/load.c — oro_demo_load: the empty-database check, the transaction(s) around
 * the generated rows, sequences, and the clean-up after a failure; and the one
 * password hash every demo user shares. See demo.h. */
#include <apr_general.h>
#include <apr_md5.h>
#include <apr_strings.h>
#include <apr_time.h>
#include <stdlib.h>
#include <string.h>

#include "demo/plan.h"
#include "demo/writer.h"

const char *oro_demo_hash_password(apr_pool_t *p, const char *password, const char **error)
{
    unsigned char salt[16];
    char hash[128];
    apr_status_t rv = apr_generate_random_bytes(salt, sizeof salt);
    if (rv == APR_SUCCESS) {
        rv = apr_bcrypt_encode(password, 10, salt, sizeof salt, hash, sizeof hash);
    }
    if (rv != APR_SUCCESS) {
        char buf[128];
        *error =
            apr_psprintf(p, "could not hash the password: %s", apr_strerror(rv, buf, sizeof buf));
        return NULL;
    }
    *error = NULL;
    return apr_pstrdup(p, hash);
}

static const char *quote(apr_pool_t *p, oro_dialect_t dialect, const char *name)
{
    return dialect == ORO_DIALECT_MYSQL ? apr_pstrcat(p, "`", name, "`", NULL)
                                        : apr_pstrcat(p, "\"", name, "\"", NULL);
}

/* 0 when every table the plan writes exists and is empty; 1 (a table holds rows) or
 * -1 (a table could not be read) with *error. */
static int check_empty(oro_db_t *db, apr_pool_t *p, const oro_demo_plan_t *plan, const char **error)
{
    const apr_array_header_t *tables = oro_demo_plan_tables(plan);
    const oro_entity_t *orgs = oro_meta_entity(plan->meta, "organizations");
    for (int i = 0; i < tables->nelts; i++) {
        const char *table = APR_ARRAY_IDX(tables, i, const char *);
        const char *n = oro_db_scalar(
            db, p, error, apr_psprintf(p, "SELECT count(*) FROM %s", quote(p, db->dialect, table)),
            NULL);
        if (n == NULL) {
            *error = apr_psprintf(p, "could not read table %s (did oroctl schema:update run?): %s",
                                  table, *error ? *error : "no result");
            return -1;
        }
        if (strcmp(n, "0") == 0) {
            continue;
        }
        if (orgs != NULL && strcmp(table, orgs->table) == 0) {
            *error = apr_psprintf(p,
                                  "the database already holds data (%s organizations); "
                                  "demo:load fills an empty database only",
                                  n);
        }
        else {
            *error = apr_psprintf(p,
                                  "the database already holds data (%s rows in %s); demo:load "
                                  "fills an empty database only",
                                  n, table);
        }
        return 1;
    }
    return 0;
}

/* Moves each id sequence past the explicit ids (1..N) just written. */
static int reset_sequences(oro_db_t *db, apr_pool_t *p, const oro_demo_plan_t *plan,
                           oro_demo_writer_t *w, const char **error)
{
    const apr_array_header_t *tables = oro_demo_plan_id_tables(plan);
    for (int i = 0; i < tables->nelts; i++) {
        const char *table = APR_ARRAY_IDX(tables, i, const char *);
        long n = oro_demo_writer_count(w, table);
        if (n == 0) {
            continue;
        }
        const char *sql, *failure = NULL;
        if (db->dialect == ORO_DIALECT_PGSQL) {
            sql =
                apr_psprintf(p, "SELECT setval(pg_get_serial_sequence('%s', 'id'), %ld)", table, n);
            if (oro_db_scalar(db, p, &failure, sql, NULL) == NULL && failure == NULL) {
                failure = "no result";
            }
        }
        else {
            sql = apr_psprintf(p, "ALTER TABLE `%s` AUTO_INCREMENT = %ld", table, n + 1);
            oro_db_exec(db, p, &failure, NULL, sql, NULL);
        }
        if (failure != NULL) {
            *error = apr_psprintf(p, "could not move the id sequence of %s past %ld: %s", table, n,
                                  failure);
            return -1;
        }
    }
    return 0;
}

/* With the per-row checks off: every foreign key column written holds an id of the
 * table it references (one anti-join per column, much cheaper than a check per row).
 * NB: the generator guarantees this; the check catches a bug before it is committed. */
static int verify_references(oro_db_t *db, apr_pool_t *p, const oro_demo_plan_t *plan,
                             oro_demo_writer_t *w, const char **error)
{
    for (int i = 0; i < plan->steps->nelts; i++) {
        const demo_step_t *step = &APR_ARRAY_IDX(plan->steps, i, demo_step_t);
        if (oro_demo_writer_count(w, step->table) == 0) {
            continue;
        }
        for (int j = 0; j < step->ncolumns; j++) {
            const demo_column_t *c = &step->columns[j];
            if (c->references == NULL) {
                continue;
            }
            const char *t = quote(p, db->dialect, step->table);
            const char *col = quote(p, db->dialect, c->name);
            const char *ref = quote(p, db->dialect, c->references);
            const char *failure = NULL;
            const char *n = oro_db_scalar(
                db, p, &failure,
                apr_psprintf(p,
                             "SELECT count(*) FROM %s t WHERE t.%s IS NOT NULL AND NOT EXISTS "
                             "(SELECT 1 FROM %s r WHERE r.id = t.%s)",
                             t, col, ref, col),
                NULL);
            if (n == NULL) {
                *error = apr_psprintf(p, "could not verify %s.%s: %s", step->table, c->name,
                                      failure ? failure : "no result");
                return -1;
            }
            if (strcmp(n, "0") != 0) {
                *error = apr_psprintf(p,
                                      "%s rows of %s.%s reference no row of %s (a bug of the "
                                      "generator); nothing was kept",
                                      n, step->table, c->name, c->references);
                return -1;
            }
        }
    }
    return 0;
}

/* MariaDB after a failure: empties the tables written so far, last first. They were
 * empty before the load (check_empty), so TRUNCATE removes exactly the demo rows. */
static void clean_up_mysql(oro_db_t *db, apr_pool_t *p, oro_demo_writer_t *w, const char **error)
{
    const apr_array_header_t *started = oro_demo_writer_started(w);
    for (int i = started->nelts - 1; i >= 0; i--) {
        const char *table = APR_ARRAY_IDX(started, i, const char *);
        const char *failure;
        if (oro_db_exec(db, p, &failure, NULL, apr_psprintf(p, "TRUNCATE TABLE `%s`", table),
                        NULL) != 0) {
            *error = apr_psprintf(p,
                                  "%s; emptying %s again also failed (%s): delete its rows "
                                  "by hand",
                                  *error, table, failure);
        }
    }
}

/* Fresh statistics for the tables just filled: without them the planner guesses
 * (PostgreSQL's autovacuum gets there minutes later) and the first queries after a
 * load pick poor plans. Best effort: a failure only costs speed. */
static void analyze(oro_db_t *db, apr_pool_t *p, const oro_demo_plan_t *plan)
{
    for (int i = 0; i < plan->steps->nelts; i++) {
        const demo_step_t *step = &APR_ARRAY_IDX(plan->steps, i, demo_step_t);
        const char *ignored;
        /* NB: through oro_db_scalar, which reads MariaDB's result rows to the end */
        oro_db_scalar(db, p, &ignored,
                      apr_psprintf(p, "%s %s",
                                   db->dialect == ORO_DIALECT_MYSQL ? "ANALYZE TABLE" : "ANALYZE",
                                   quote(p, db->dialect, step->table)),
                      NULL);
    }
}

int oro_demo_load(oro_db_t *db, apr_pool_t *p, oro_demo_plan_t *plan, oro_demo_progress_fn progress,
                  void *baton, oro_demo_stats_t *stats, const char **error)
{
    apr_time_t start = apr_time_now();
    int rc = check_empty(db, p, plan, error);
    if (rc != 0) {
        return rc;
    }
    oro_demo_sink_t sink;
    oro_demo_writer_t *w = oro_demo_writer_make(db, p, progress, baton, &sink);
    apr_dbd_transaction_t *txn = NULL;
    const char *ignored;
    if (db->dialect == ORO_DIALECT_PGSQL) {
        if (oro_db_begin(db, p, &txn, error) != 0) {
            return -1;
        }
    }
    int relaxed = oro_demo_writer_relax(w, error);
    long total = relaxed < 0 ? -1 : oro_demo_generate(plan, &sink, error);
    rc = total < 0 ? -1 : reset_sequences(db, p, plan, w, error);
    if (rc == 0 && relaxed == 1) {
        rc = verify_references(db, p, plan, w, error);
    }
    if (rc == 0 && relaxed == 2) {
        rc = oro_demo_writer_restore(w, error);
    }
    if (db->dialect == ORO_DIALECT_PGSQL) {
        if (rc != 0) {
            oro_demo_writer_abort(w);
            oro_db_end(db, p, txn, 1, &ignored);
        }
        else if (oro_db_end(db, p, txn, 0, error) != 0) {
            *error = apr_psprintf(p, "could not commit the demo data: %s", *error);
            rc = -1;
        }
    }
    else {
        if (rc != 0) {
            oro_demo_writer_abort(w);
            clean_up_mysql(db, p, w, error);
        }
        oro_demo_writer_restore(w, &ignored);
    }
    if (rc == 0) {
        analyze(db, p, plan);
    }
    if (stats != NULL) {
        stats->rows = total < 0 ? 0 : total;
        stats->seconds = (double)(apr_time_now() - start) / APR_USEC_PER_SEC;
    }
    return rc;
}
