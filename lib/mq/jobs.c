/* lib/mq/jobs.c — Oro's job runner over table oro_job; see jobs.h.
 *
 * Locking: every change of a child locks its root row first (SELECT … FOR UPDATE), then
 * the child; the root is recomputed from all its children in the same transaction. Two
 * consumers finishing the last two children therefore serialise on the root, and only
 * the second sees every child ended: the root ends once and its dependent messages are
 * sent once. Unique names: the unique index on unique_name (NULL once the root ends). */
#include "mq/jobs.h"

#include <apr_strings.h>
#include <stdlib.h>
#include <string.h>

#include "db/rows.h"

/* MariaDB's REPEATABLE READ answers plain SELECTs from the transaction's first snapshot,
 * which may predate the commit we waited for on the root's lock: reads that decide
 * under that lock are locking reads there (PostgreSQL's READ COMMITTED sees it). */
static const char *latest(const oro_db_t *db)
{
    return db->dialect == ORO_DIALECT_MYSQL ? " LOCK IN SHARE MODE" : "";
}

/* ---- transactions: the caller's if one is open, else our own ---- */

typedef struct {
    oro_db_t *db;
    apr_pool_t *p;
    apr_dbd_transaction_t *txn; /* ours, or NULL in the caller's */
} tx_t;

static int tx_begin(tx_t *t, oro_db_t *db, apr_pool_t *p, const char **error)
{
    t->db = db;
    t->p = p;
    t->txn = NULL;
    if (db->txn_pool != NULL) {
        return 0;
    }
    return oro_db_begin(db, p, &t->txn, error);
}

/* Ends our own transaction: commits when rc is not ORO_JOB_ERROR. Returns rc, or
 * ORO_JOB_ERROR with *error when the commit failed. */
static int tx_end(tx_t *t, int rc, const char **error)
{
    if (t->txn == NULL) {
        return rc;
    }
    const char *end_error = NULL;
    if (oro_db_end(t->db, t->p, t->txn, rc == ORO_JOB_ERROR, &end_error) != 0 &&
        rc != ORO_JOB_ERROR) {
        *error = apr_psprintf(t->p, "could not commit a job change: %s", end_error);
        return ORO_JOB_ERROR;
    }
    return rc;
}

/* ---- SQL pieces per dialect ---- */

static const char *now_sql(const oro_db_t *db)
{
    return db->dialect == ORO_DIALECT_MYSQL ? "UTC_TIMESTAMP(6)" : "now()";
}

/* "column < now - seconds" by the database's clock (seconds from the configuration,
 * never from input). */
static const char *older_than(apr_pool_t *p, const oro_db_t *db, const char *column, int seconds)
{
    if (db->dialect == ORO_DIALECT_MYSQL) {
        return apr_psprintf(p, "%s < UTC_TIMESTAMP(6) - INTERVAL %d SECOND", column, seconds);
    }
    return apr_psprintf(p, "%s < now() - interval '%d seconds'", column, seconds);
}

static const char *id_text(apr_pool_t *p, apr_int64_t id)
{
    return apr_psprintf(p, "%" APR_INT64_T_FMT, id);
}

static const char *job_select(apr_pool_t *p, const oro_db_t *db)
{
    return apr_pstrcat(p, oro_job_columns_sql(p, db->dialect), " WHERE id = %s", NULL);
}

static apr_array_header_t *args_of(apr_pool_t *p, int n, ...)
{
    apr_array_header_t *args = apr_array_make(p, n, sizeof(const char *));
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        APR_ARRAY_PUSH(args, const char *) = va_arg(ap, const char *);
    }
    va_end(ap);
    return args;
}

/* Reads job id, with FOR UPDATE when lock is set. Returns 0 (*job set, or NULL when
 * there is no such job) or ORO_JOB_ERROR. */
static int read_job(oro_db_t *db, apr_pool_t *p, apr_int64_t id, int lock, oro_job_t **job,
                    const char **error)
{
    const char *sql = job_select(p, db);
    if (lock) {
        sql = apr_pstrcat(p, sql, " FOR UPDATE", NULL);
    }
    apr_array_header_t *rows =
        oro_db_rows(db, p, sql, args_of(p, 1, id_text(p, id)), ORO_JOB_COLUMNS, error);
    if (rows == NULL) {
        *error = apr_psprintf(p, "could not read job %" APR_INT64_T_FMT ": %s", id, *error);
        return ORO_JOB_ERROR;
    }
    *job =
        rows->nelts > 0 ? oro_job_from_row(p, APR_ARRAY_IDX(rows, 0, const char *const *)) : NULL;
    return 0;
}

/* Locks job id and its root, root first (the one lock order of this file). *root is
 * the job itself for a root job. Returns 0, ORO_JOB_NOT_FOUND or ORO_JOB_ERROR. */
static int lock_job(oro_db_t *db, apr_pool_t *p, apr_int64_t id, oro_job_t **job, oro_job_t **root,
                    const char **error)
{
    oro_job_t *plain;
    if (read_job(db, p, id, 0, &plain, error) != 0) {
        return ORO_JOB_ERROR;
    }
    if (plain == NULL) {
        return ORO_JOB_NOT_FOUND;
    }
    apr_int64_t root_id = plain->root_id ? plain->root_id : plain->id;
    if (read_job(db, p, root_id, 1, root, error) != 0) {
        return ORO_JOB_ERROR;
    }
    if (*root == NULL) { /* deleted meanwhile, children with it */
        return ORO_JOB_NOT_FOUND;
    }
    if (root_id == id) {
        *job = *root;
        return 0;
    }
    if (read_job(db, p, id, 1, job, error) != 0) {
        return ORO_JOB_ERROR;
    }
    return *job == NULL ? ORO_JOB_NOT_FOUND : 0;
}

static int exec_job(oro_db_t *db, apr_pool_t *p, const char *what, apr_int64_t id,
                    const char **error, int *nrows, const char *sql, const char *a1, const char *a2)
{
    if (oro_db_exec(db, p, error, nrows, sql, a1, a2, NULL) != 0) {
        *error = apr_psprintf(p, "could not %s job %" APR_INT64_T_FMT ": %s", what, id, *error);
        return ORO_JOB_ERROR;
    }
    return 0;
}

/* Sends the dependent messages of root id (root locked, ending in this transaction). */
static int send_dependents(oro_db_t *db, const oro_settings_t *settings, apr_pool_t *p,
                           apr_int64_t root_id, const char **error)
{
    apr_array_header_t *rows =
        oro_db_rows(db, p,
                    apr_pstrcat(p,
                                "SELECT queue, topic, body, priority FROM oro_job_dependent "
                                "WHERE root_job_id = %s ORDER BY id",
                                latest(db), NULL),
                    args_of(p, 1, id_text(p, root_id)), 4, error);
    if (rows == NULL) {
        *error =
            apr_psprintf(p, "could not read the dependent jobs of job %" APR_INT64_T_FMT ": %s",
                         root_id, *error);
        return ORO_JOB_ERROR;
    }
    for (int i = 0; i < rows->nelts; i++) {
        const char *const *v = APR_ARRAY_IDX(rows, i, const char *const *);
        oro_mq_message_t m = {v[0], v[1], v[2], v[3] ? atoi(v[3]) : ORO_MQ_PRIORITY_NORMAL, 0, 0};
        const char *send_error = NULL;
        if (settings == NULL) { /* NB: only set_progress passes none, and it ends no root */
            *error = "internal error: a root job ended without the queue's settings";
            return ORO_JOB_ERROR;
        }
        if (oro_mq_send(db->driver, db->handle, p, db->dialect,
                        (oro_mq_transport_t)settings->transport, &m, &send_error) != 0) {
            *error = apr_psprintf(
                p, "could not send the dependent message \"%s\" of job %" APR_INT64_T_FMT ": %s",
                m.topic, root_id, send_error ? send_error : "unknown error");
            return ORO_JOB_ERROR;
        }
    }
    return 0;
}

/* Ends root (locked) with status and progress: frees its unique name, sends its
 * dependent messages. */
static int end_root(oro_db_t *db, const oro_settings_t *settings, apr_pool_t *p,
                    const oro_job_t *root, oro_job_status_t status, double progress,
                    const char **error)
{
    const char *sql =
        apr_psprintf(p,
                     "UPDATE oro_job SET status = '%s', unique_name = NULL, progress = %.4f, "
                     "stopped_at = %s, last_active_at = %s, started_at = COALESCE(started_at, %s) "
                     "WHERE id = %%s",
                     oro_job_status_name(status), progress, now_sql(db), now_sql(db), now_sql(db));
    if (exec_job(db, p, "end", root->id, error, NULL, sql, id_text(p, root->id), NULL) != 0) {
        return ORO_JOB_ERROR;
    }
    return send_dependents(db, settings, p, root->id, error);
}

/* Recomputes root (locked, not ended) from its children: status, progress (the mean,
 * an ended child counting 1), activity; ends it when every child has ended. A root
 * with no child left running after an interruption ends cancelled. */
static int recompute_root(oro_db_t *db, const oro_settings_t *settings, apr_pool_t *p,
                          const oro_job_t *root, const char **error)
{
    apr_array_header_t *rows =
        oro_db_rows(db, p,
                    apr_pstrcat(p,
                                "SELECT status, COUNT(*), SUM(progress) FROM oro_job "
                                "WHERE root_job_id = %s GROUP BY status",
                                latest(db), NULL),
                    args_of(p, 1, id_text(p, root->id)), 3, error);
    if (rows == NULL) {
        *error = apr_psprintf(p, "could not read the children of job %" APR_INT64_T_FMT ": %s",
                              root->id, *error);
        return ORO_JOB_ERROR;
    }
    int counts[ORO_JOB_STATUS_COUNT] = {0}, total = 0;
    double sum = 0;
    for (int i = 0; i < rows->nelts; i++) {
        const char *const *v = APR_ARRAY_IDX(rows, i, const char *const *);
        int status = oro_job_status_parse(v[0]);
        int n = atoi(v[1]);
        if (status < 0) {
            status = ORO_JOB_STATUS_FAILED;
        }
        counts[status] += n;
        total += n;
        sum += oro_job_status_ended((oro_job_status_t)status) ? n : (v[2] ? atof(v[2]) : 0);
    }
    double progress = total > 0 ? sum / total : 0;
    oro_job_status_t status = oro_job_root_status(counts);
    if (root->interrupted && total == 0) {
        status = ORO_JOB_STATUS_CANCELLED;
    }
    if (oro_job_status_ended(status)) {
        return end_root(db, settings, p, root, status, progress, error);
    }
    const char *sql = apr_psprintf(
        p,
        "UPDATE oro_job SET status = '%s', progress = %.4f, "
        "last_active_at = %s%s WHERE id = %%s",
        oro_job_status_name(status), progress, now_sql(db),
        status == ORO_JOB_STATUS_RUNNING
            ? apr_pstrcat(p, ", started_at = COALESCE(started_at, ", now_sql(db), ")", NULL)
            : "");
    return exec_job(db, p, "update", root->id, error, NULL, sql, id_text(p, root->id), NULL);
}

/* Sets job's status (not a root's), with started_at / stopped_at / progress as the
 * status implies. */
static int set_status(oro_db_t *db, apr_pool_t *p, const oro_job_t *job, oro_job_status_t status,
                      const char **error)
{
    const char *now = now_sql(db);
    const char *extra = "";
    if (status == ORO_JOB_STATUS_RUNNING) {
        extra = apr_pstrcat(p, ", started_at = COALESCE(started_at, ", now, ")", NULL);
    }
    else if (oro_job_status_ended(status)) {
        extra = apr_pstrcat(p, ", stopped_at = ", now,
                            status == ORO_JOB_STATUS_SUCCESS ? ", progress = 1" : "", NULL);
    }
    const char *sql =
        apr_psprintf(p, "UPDATE oro_job SET status = '%s', last_active_at = %s%s WHERE id = %%s",
                     oro_job_status_name(status), now, extra);
    return exec_job(db, p, "update", job->id, error, NULL, sql, id_text(p, job->id), NULL);
}

/* Marks root (locked, not ended) and its children not ended stale. */
static int stale_root(oro_db_t *db, const oro_settings_t *settings, apr_pool_t *p,
                      const oro_job_t *root, const char **error)
{
    const char *sql = apr_psprintf(p,
                                   "UPDATE oro_job SET status = 'stale', stopped_at = %s, "
                                   "last_active_at = %s WHERE root_job_id = %%s AND status IN "
                                   "('new', 'running', 'failed_redelivered')",
                                   now_sql(db), now_sql(db));
    if (exec_job(db, p, "mark stale the children of", root->id, error, NULL, sql,
                 id_text(p, root->id), NULL) != 0) {
        return ORO_JOB_ERROR;
    }
    return end_root(db, settings, p, root, ORO_JOB_STATUS_STALE, root->progress, error);
}

static int check_name(apr_pool_t *p, const char *what, const char *name, const char **error)
{
    if (name == NULL || *name == '\0') {
        *error = apr_psprintf(p, "a job needs a %s", what);
        return -1;
    }
    if (strlen(name) > ORO_JOB_NAME_MAX) {
        *error = apr_psprintf(p, "job %s \"%.40s…\" is longer than %d bytes", what, name,
                              ORO_JOB_NAME_MAX);
        return -1;
    }
    return 0;
}

/* Inserts a job row and returns its id in *id (0 when a unique name was taken). */
static int insert_job(oro_db_t *db, apr_pool_t *p, apr_int64_t root_id, const char *owner_id,
                      const char *name, int unique, oro_job_status_t status, apr_int64_t *id,
                      const char **error)
{
    const char *now = now_sql(db);
    const char *columns = "(root_job_id, owner_id, name, unique_name, status, is_unique, "
                          "created_at, started_at, last_active_at)";
    const char *values = apr_psprintf(
        p, "VALUES (%s, %s, %%s, %s, '%s', %d, %s, %s, %s)", root_id ? id_text(p, root_id) : "NULL",
        owner_id ? "%s" : "NULL", unique ? "%s" : "NULL", oro_job_status_name(status), unique, now,
        status == ORO_JOB_STATUS_RUNNING ? now : "NULL", now);
    apr_array_header_t *args = apr_array_make(p, 3, sizeof(const char *));
    if (owner_id) {
        APR_ARRAY_PUSH(args, const char *) = owner_id;
    }
    APR_ARRAY_PUSH(args, const char *) = name;
    if (unique) {
        APR_ARRAY_PUSH(args, const char *) = name;
    }
    *id = 0;
    if (db->dialect == ORO_DIALECT_PGSQL) {
        const char *sql = apr_pstrcat(p, "INSERT INTO oro_job ", columns, " ", values,
                                      unique ? " ON CONFLICT (unique_name) DO NOTHING" : "",
                                      " RETURNING id", NULL);
        apr_array_header_t *rows = oro_db_rows(db, p, sql, args, 1, error);
        if (rows == NULL) {
            *error = apr_psprintf(p, "could not create job \"%s\": %s", name, *error);
            return ORO_JOB_ERROR;
        }
        if (rows->nelts > 0) {
            *id = apr_atoi64(APR_ARRAY_IDX(rows, 0, const char **)[0]);
        }
        return 0;
    }
    /* NB: INSERT IGNORE turns more than duplicate keys into warnings; the name's length
     * is checked above and every other value is ours. */
    const char *sql =
        apr_pstrcat(p, unique ? "INSERT IGNORE INTO oro_job " : "INSERT INTO oro_job ", columns,
                    " ", values, NULL);
    apr_dbd_prepared_t *stmt = NULL;
    int nrows = 0;
    int rc = apr_dbd_prepare(db->driver, p, db->handle, sql, NULL, &stmt);
    if (rc == 0) {
        rc = apr_dbd_pquery(db->driver, p, db->handle, &nrows, stmt, args->nelts,
                            (const char **)args->elts);
    }
    if (rc != 0) {
        *error = apr_psprintf(p, "could not create job \"%s\": %s", name,
                              oro_db_one_line(p, apr_dbd_error(db->driver, db->handle, rc)));
        return ORO_JOB_ERROR;
    }
    if (nrows > 0) {
        const char *last = oro_db_scalar(db, p, error, "SELECT LAST_INSERT_ID()", NULL);
        if (last == NULL) {
            *error = apr_psprintf(p, "could not read the id of job \"%s\": %s", name,
                                  *error ? *error : "no row");
            return ORO_JOB_ERROR;
        }
        *id = apr_atoi64(last);
    }
    return 0;
}

/* A redelivered message: the root job owner_id created. Returns ORO_JOB_STARTED (the
 * run child running again, in *job), ORO_JOB_ENDED, ORO_JOB_NOT_FOUND (no such root). */
static int resume_owned(oro_db_t *db, const oro_settings_t *settings, apr_pool_t *p,
                        const char *owner_id, const char *name, oro_job_t **job, const char **error)
{
    apr_array_header_t *rows = oro_db_rows(
        db, p,
        "SELECT id FROM oro_job WHERE owner_id = %s AND name = %s AND root_job_id IS NOT NULL "
        "ORDER BY id DESC",
        args_of(p, 2, owner_id, name), 1, error);
    if (rows == NULL) {
        *error =
            apr_psprintf(p, "could not look for the job of message \"%s\": %s", owner_id, *error);
        return ORO_JOB_ERROR;
    }
    if (rows->nelts == 0) {
        return ORO_JOB_NOT_FOUND;
    }
    oro_job_t *child, *root;
    int rc =
        lock_job(db, p, apr_atoi64(APR_ARRAY_IDX(rows, 0, const char **)[0]), &child, &root, error);
    if (rc != 0) {
        return rc;
    }
    if (oro_job_status_ended(child->status) || oro_job_status_ended(root->status)) {
        return ORO_JOB_ENDED;
    }
    if (child->status != ORO_JOB_STATUS_RUNNING &&
        set_status(db, p, child, ORO_JOB_STATUS_RUNNING, error) != 0) {
        return ORO_JOB_ERROR;
    }
    if (recompute_root(db, settings, p, root, error) != 0) {
        return ORO_JOB_ERROR;
    }
    return read_job(db, p, child->id, 0, job, error) != 0 ? ORO_JOB_ERROR : ORO_JOB_STARTED;
}

static int run_root(oro_db_t *db, const oro_settings_t *settings, apr_pool_t *p,
                    const char *owner_id, const char *name, int unique, oro_job_t **job,
                    const char **error)
{
    if (owner_id != NULL) {
        int rc = resume_owned(db, settings, p, owner_id, name, job, error);
        if (rc != ORO_JOB_NOT_FOUND) {
            return rc;
        }
    }
    apr_int64_t root_id = 0;
    /* a few rounds: the holder of the name may end (or be replaced) between our insert
     * and our look at it */
    for (int round = 0; round < 4 && root_id == 0; round++) {
        if (insert_job(db, p, 0, owner_id, name, unique, ORO_JOB_STATUS_NEW, &root_id, error) !=
            0) {
            return ORO_JOB_ERROR;
        }
        if (root_id != 0) {
            break;
        }
        const char *sql =
            apr_pstrcat(p, "SELECT id, CASE WHEN ",
                        older_than(p, db, "last_active_at", settings->job_stale_timeout),
                        " THEN 1 ELSE 0 END FROM oro_job WHERE unique_name = %s "
                        "FOR UPDATE",
                        NULL);
        apr_array_header_t *rows = oro_db_rows(db, p, sql, args_of(p, 1, name), 2, error);
        if (rows == NULL) {
            *error = apr_psprintf(p, "could not read the running job \"%s\": %s", name, *error);
            return ORO_JOB_ERROR;
        }
        if (rows->nelts == 0) {
            continue; /* it ended meanwhile: try again */
        }
        const char *const *v = APR_ARRAY_IDX(rows, 0, const char *const *);
        if (atoi(v[1]) == 0) {
            return ORO_JOB_DUPLICATE;
        }
        oro_job_t *holder;
        if (read_job(db, p, apr_atoi64(v[0]), 1, &holder, error) != 0) {
            return ORO_JOB_ERROR;
        }
        if (holder != NULL && stale_root(db, settings, p, holder, error) != 0) {
            return ORO_JOB_ERROR;
        }
    }
    if (root_id == 0) {
        return ORO_JOB_DUPLICATE;
    }
    apr_int64_t child_id;
    if (insert_job(db, p, root_id, owner_id, name, 0, ORO_JOB_STATUS_RUNNING, &child_id, error) !=
        0) {
        return ORO_JOB_ERROR;
    }
    oro_job_t *root;
    if (read_job(db, p, root_id, 1, &root, error) != 0 || root == NULL ||
        recompute_root(db, settings, p, root, error) != 0 ||
        read_job(db, p, child_id, 0, job, error) != 0) {
        if (*error == NULL) {
            *error = "the new root job disappeared";
        }
        return ORO_JOB_ERROR;
    }
    return ORO_JOB_STARTED;
}

int oro_job_run_root(oro_db_t *db, const oro_settings_t *settings, apr_pool_t *p,
                     const char *owner_id, const char *name, int unique, oro_job_t **job,
                     const char **error)
{
    *error = NULL;
    *job = NULL;
    if (check_name(p, "name", name, error) != 0 ||
        (owner_id != NULL && check_name(p, "owner id", owner_id, error) != 0)) {
        return ORO_JOB_ERROR;
    }
    tx_t t;
    if (tx_begin(&t, db, p, error) != 0) {
        return ORO_JOB_ERROR;
    }
    int rc = run_root(db, settings, p, owner_id, name, unique, job, error);
    return tx_end(&t, rc, error);
}

/* Locks root job root_id: 0 (*root set), ORO_JOB_NOT_FOUND, or ORO_JOB_ERROR (also when
 * it is a child). */
static int lock_root(oro_db_t *db, apr_pool_t *p, apr_int64_t root_id, oro_job_t **root,
                     const char **error)
{
    if (read_job(db, p, root_id, 1, root, error) != 0) {
        return ORO_JOB_ERROR;
    }
    if (*root == NULL) {
        return ORO_JOB_NOT_FOUND;
    }
    if ((*root)->root_id != 0) {
        *error = apr_psprintf(p, "job %" APR_INT64_T_FMT " is not a root job", root_id);
        return ORO_JOB_ERROR;
    }
    return 0;
}

int oro_job_create_child(oro_db_t *db, apr_pool_t *p, apr_int64_t root_id, const char *name,
                         apr_int64_t *child_id, const char **error)
{
    *error = NULL;
    *child_id = 0;
    if (check_name(p, "name", name, error) != 0) {
        return ORO_JOB_ERROR;
    }
    tx_t t;
    if (tx_begin(&t, db, p, error) != 0) {
        return ORO_JOB_ERROR;
    }
    oro_job_t *root;
    int rc = lock_root(db, p, root_id, &root, error);
    if (rc == 0 && (root->interrupted || oro_job_status_ended(root->status))) {
        rc = ORO_JOB_CANCELLED;
    }
    else if (rc == 0) {
        rc = insert_job(db, p, root_id, NULL, name, 0, ORO_JOB_STATUS_NEW, child_id, error);
    }
    return tx_end(&t, rc, error);
}

int oro_job_add_dependent(oro_db_t *db, apr_pool_t *p, apr_int64_t root_id,
                          const oro_mq_message_t *m, const char **error)
{
    *error = NULL;
    if (m->topic == NULL || *m->topic == '\0' || m->body == NULL || m->priority < 0 ||
        m->priority > 4) {
        *error = "a dependent message needs a topic, a body and a priority 0-4";
        return ORO_JOB_ERROR;
    }
    tx_t t;
    if (tx_begin(&t, db, p, error) != 0) {
        return ORO_JOB_ERROR;
    }
    oro_job_t *root;
    int rc = lock_root(db, p, root_id, &root, error);
    if (rc == 0 && oro_job_status_ended(root->status)) {
        rc = ORO_JOB_ENDED;
    }
    else if (rc == 0 &&
             oro_db_exec(
                 db, p, error, NULL,
                 "INSERT INTO oro_job_dependent (root_job_id, queue, topic, body, priority) "
                 "VALUES (%s, %s, %s, %s, %s)",
                 id_text(p, root_id), m->queue ? m->queue : ORO_MQ_QUEUE_DEFAULT, m->topic, m->body,
                 apr_itoa(p, m->priority), NULL) != 0) {
        *error =
            apr_psprintf(p, "could not store the dependent message of job %" APR_INT64_T_FMT ": %s",
                         root_id, *error);
        rc = ORO_JOB_ERROR;
    }
    return tx_end(&t, rc, error);
}

int oro_job_start_child(oro_db_t *db, const oro_settings_t *settings, apr_pool_t *p,
                        apr_int64_t job_id, oro_job_t **job, const char **error)
{
    *error = NULL;
    tx_t t;
    if (tx_begin(&t, db, p, error) != 0) {
        return ORO_JOB_ERROR;
    }
    oro_job_t *child, *root;
    int rc = lock_job(db, p, job_id, &child, &root, error);
    if (rc == 0 && child == root) {
        *error =
            apr_psprintf(p, "job %" APR_INT64_T_FMT " is a root job: start its children", job_id);
        rc = ORO_JOB_ERROR;
    }
    else if (rc == 0 && oro_job_status_ended(child->status)) {
        rc = ORO_JOB_ENDED;
    }
    else if (rc == 0 && oro_job_status_ended(root->status)) {
        rc = set_status(db, p, child, ORO_JOB_STATUS_CANCELLED, error) != 0 ? ORO_JOB_ERROR
                                                                            : ORO_JOB_CANCELLED;
    }
    else if (rc == 0 && root->interrupted) {
        rc = set_status(db, p, child, ORO_JOB_STATUS_CANCELLED, error) != 0 ||
                     recompute_root(db, settings, p, root, error) != 0
                 ? ORO_JOB_ERROR
                 : ORO_JOB_CANCELLED;
    }
    else if (rc == 0) {
        rc = set_status(db, p, child, ORO_JOB_STATUS_RUNNING, error) != 0 ||
                     recompute_root(db, settings, p, root, error) != 0
                 ? ORO_JOB_ERROR
                 : ORO_JOB_STARTED;
        if (rc == ORO_JOB_STARTED && job != NULL && read_job(db, p, job_id, 0, job, error) != 0) {
            rc = ORO_JOB_ERROR;
        }
    }
    return tx_end(&t, rc, error);
}

int oro_job_finish(oro_db_t *db, const oro_settings_t *settings, apr_pool_t *p, apr_int64_t job_id,
                   oro_job_status_t status, const char **error)
{
    *error = NULL;
    if (status != ORO_JOB_STATUS_SUCCESS && status != ORO_JOB_STATUS_FAILED &&
        status != ORO_JOB_STATUS_FAILED_REDELIVERED && status != ORO_JOB_STATUS_CANCELLED) {
        *error = apr_psprintf(p, "a job cannot finish as \"%s\"",
                              oro_job_status_name(status) ? oro_job_status_name(status) : "?");
        return ORO_JOB_ERROR;
    }
    tx_t t;
    if (tx_begin(&t, db, p, error) != 0) {
        return ORO_JOB_ERROR;
    }
    oro_job_t *child, *root;
    int rc = lock_job(db, p, job_id, &child, &root, error);
    if (rc == 0 && child == root) {
        *error = apr_psprintf(
            p, "job %" APR_INT64_T_FMT " is a root job: it ends with its children", job_id);
        rc = ORO_JOB_ERROR;
    }
    else if (rc == 0 && oro_job_status_ended(child->status)) {
        rc = ORO_JOB_ENDED;
    }
    else if (rc == 0 && !oro_job_transition_allowed(child->status, status)) {
        *error = apr_psprintf(p, "job %" APR_INT64_T_FMT " cannot go from %s to %s", job_id,
                              oro_job_status_name(child->status), oro_job_status_name(status));
        rc = ORO_JOB_ERROR;
    }
    else if (rc == 0) {
        rc = set_status(db, p, child, status, error);
        if (rc == 0 && !oro_job_status_ended(root->status)) {
            rc = recompute_root(db, settings, p, root, error);
        }
    }
    return tx_end(&t, rc, error);
}

int oro_job_set_progress(oro_db_t *db, apr_pool_t *p, apr_int64_t job_id, double progress,
                         const char **error)
{
    *error = NULL;
    if (!(progress >= 0)) { /* NaN too */
        progress = 0;
    }
    if (progress > 1) {
        progress = 1;
    }
    tx_t t;
    if (tx_begin(&t, db, p, error) != 0) {
        return ORO_JOB_ERROR;
    }
    oro_job_t *child, *root;
    int rc = lock_job(db, p, job_id, &child, &root, error);
    if (rc == 0 && (oro_job_status_ended(child->status) || oro_job_status_ended(root->status))) {
        rc = ORO_JOB_ENDED;
    }
    else if (rc == 0) {
        const char *sql = apr_psprintf(
            p, "UPDATE oro_job SET progress = %.4f, last_active_at = %s WHERE id = %%s", progress,
            now_sql(db));
        rc = exec_job(db, p, "set the progress of", job_id, error, NULL, sql, id_text(p, job_id),
                      NULL);
        /* the root's progress and activity follow (settings unused: nothing ends here,
         * a child not ended keeps its root running) */
        if (rc == 0 && child != root) {
            rc = recompute_root(db, NULL, p, root, error);
        }
    }
    return tx_end(&t, rc, error);
}

int oro_job_interrupted(oro_db_t *db, apr_pool_t *p, apr_int64_t job_id, int *interrupted,
                        const char **error)
{
    *error = NULL;
    *interrupted = 0;
    apr_array_header_t *rows =
        oro_db_rows(db, p,
                    "SELECT r.interrupted, r.status FROM oro_job j JOIN oro_job r "
                    "ON r.id = COALESCE(j.root_job_id, j.id) WHERE j.id = %s",
                    args_of(p, 1, id_text(p, job_id)), 2, error);
    if (rows == NULL) {
        *error = apr_psprintf(p, "could not read job %" APR_INT64_T_FMT ": %s", job_id, *error);
        return ORO_JOB_ERROR;
    }
    if (rows->nelts == 0) {
        return ORO_JOB_NOT_FOUND;
    }
    const char *const *v = APR_ARRAY_IDX(rows, 0, const char *const *);
    *interrupted = (v[0] && atoi(v[0]) != 0) ||
                   (v[1] && (strcmp(v[1], "cancelled") == 0 || strcmp(v[1], "stale") == 0));
    return 0;
}

int oro_job_cancel(oro_db_t *db, const oro_settings_t *settings, apr_pool_t *p, apr_int64_t job_id,
                   const char **error)
{
    *error = NULL;
    tx_t t;
    if (tx_begin(&t, db, p, error) != 0) {
        return ORO_JOB_ERROR;
    }
    oro_job_t *child, *root;
    int rc = lock_job(db, p, job_id, &child, &root, error);
    if (rc == 0 && oro_job_status_ended(root->status)) {
        rc = ORO_JOB_ENDED;
    }
    else if (rc == 0) {
        const char *sql = apr_psprintf(p,
                                       "UPDATE oro_job SET status = 'cancelled', stopped_at = %s, "
                                       "last_active_at = %s WHERE root_job_id = %%s AND status "
                                       "IN ('new', 'failed_redelivered')",
                                       now_sql(db), now_sql(db));
        rc = exec_job(db, p, "interrupt", root->id, error, NULL,
                      "UPDATE oro_job SET interrupted = 1 WHERE id = %s", id_text(p, root->id),
                      NULL);
        if (rc == 0) {
            rc = exec_job(db, p, "cancel the children of", root->id, error, NULL, sql,
                          id_text(p, root->id), NULL);
        }
        if (rc == 0) {
            root->interrupted = 1;
            rc = recompute_root(db, settings, p, root, error);
        }
    }
    return tx_end(&t, rc, error);
}

int oro_job_mark_stale(oro_db_t *db, const oro_settings_t *settings, apr_pool_t *p, int *count,
                       const char **error)
{
    *error = NULL;
    *count = 0;
    const char *cond = older_than(p, db, "last_active_at", settings->job_stale_timeout);
    const char *sql = apr_pstrcat(p,
                                  "SELECT id FROM oro_job WHERE root_job_id IS NULL AND status IN "
                                  "('new', 'running') AND ",
                                  cond, " ORDER BY id", NULL);
    apr_array_header_t *ids = oro_db_rows(db, p, sql, NULL, 1, error);
    if (ids == NULL) {
        *error = apr_psprintf(p, "could not look for stale jobs: %s", *error);
        return ORO_JOB_ERROR;
    }
    /* one transaction per root: the lock is short, and one failure stops only the rest */
    for (int i = 0; i < ids->nelts; i++) {
        apr_int64_t id = apr_atoi64(APR_ARRAY_IDX(ids, i, const char **)[0]);
        tx_t t;
        if (tx_begin(&t, db, p, error) != 0) {
            return ORO_JOB_ERROR;
        }
        /* checked again under the lock: a child may have reported meanwhile */
        apr_array_header_t *still = oro_db_rows(
            db, p,
            apr_pstrcat(p,
                        "SELECT id FROM oro_job WHERE id = %s AND status IN ('new', 'running') "
                        "AND ",
                        cond, " FOR UPDATE", NULL),
            args_of(p, 1, id_text(p, id)), 1, error);
        int rc = 0;
        oro_job_t *root = NULL;
        if (still == NULL) {
            rc = ORO_JOB_ERROR;
        }
        else if (still->nelts > 0) {
            rc = read_job(db, p, id, 1, &root, error);
            if (rc == 0 && root != NULL) {
                rc = stale_root(db, settings, p, root, error);
            }
        }
        rc = tx_end(&t, rc, error);
        if (rc != 0) {
            return ORO_JOB_ERROR;
        }
        *count += root != NULL;
    }
    return 0;
}

int oro_job_get(oro_db_t *db, apr_pool_t *p, apr_int64_t id, oro_job_t **job, const char **error)
{
    *error = NULL;
    if (read_job(db, p, id, 0, job, error) != 0) {
        return ORO_JOB_ERROR;
    }
    return *job == NULL ? ORO_JOB_NOT_FOUND : 0;
}

apr_array_header_t *oro_job_list(oro_db_t *db, apr_pool_t *p, int status, int root_only,
                                 const char *name, int limit, const char **error)
{
    apr_array_header_t *args = apr_array_make(p, 2, sizeof(const char *));
    const char *where = " WHERE 1 = 1";
    if (status >= 0) {
        where = apr_pstrcat(p, where, " AND status = %s", NULL);
        APR_ARRAY_PUSH(args, const char *) = oro_job_status_name((oro_job_status_t)status);
    }
    if (root_only) {
        where = apr_pstrcat(p, where, " AND root_job_id IS NULL", NULL);
    }
    if (name != NULL) {
        where = apr_pstrcat(p, where, " AND name = %s", NULL);
        APR_ARRAY_PUSH(args, const char *) = name;
    }
    const char *sql =
        apr_psprintf(p, "%s%s ORDER BY id DESC LIMIT %d", oro_job_columns_sql(p, db->dialect),
                     where, limit > 0 ? limit : 100);
    apr_array_header_t *rows = oro_db_rows(db, p, sql, args, ORO_JOB_COLUMNS, error);
    if (rows == NULL) {
        *error = apr_psprintf(p, "could not list jobs: %s", *error);
        return NULL;
    }
    apr_array_header_t *jobs = apr_array_make(p, rows->nelts, sizeof(oro_job_t *));
    for (int i = 0; i < rows->nelts; i++) {
        APR_ARRAY_PUSH(jobs, oro_job_t *) =
            oro_job_from_row(p, APR_ARRAY_IDX(rows, i, const char *const *));
    }
    return jobs;
}
