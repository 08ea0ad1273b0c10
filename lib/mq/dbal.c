/* lib/mq/dbal.c — the consumer's side of the dbal transport; see dbal.h.
 *
 * PostgreSQL claims with one prepared UPDATE … FROM (SELECT … FOR UPDATE SKIP
 * LOCKED) RETURNING: one round trip per batch. MariaDB has no UPDATE … RETURNING, so
 * there the claim is SELECT … FOR UPDATE SKIP LOCKED and an UPDATE of the ids in one
 * transaction. Ids go into statements as numbers formatted here, never as text from
 * outside. */
#include "mq/dbal.h"

#include <apr_strings.h>
#include <stdio.h>
#include <stdlib.h>

struct oro_mq_dbal {
    oro_db_t *db;
    const char *queue;
    const char *worker;
    int visibility_timeout_s;
    apr_dbd_prepared_t *claim; /* PostgreSQL */
    const char *queue_literal; /* MariaDB */
    const char *worker_literal;
};

/* NB: the ids come from an InitPlan (= ANY(ARRAY(…))), not a join with the locking
 * subquery: with a join the planner may pick a hash join over a scan of the table (the
 * generic plan of the prepared statement did, with a bulk-filled queue), and a claimed
 * row updated since the statement's snapshot then sends the UPDATE into EvalPlanQual,
 * which re-runs the locking subquery; concurrent claims spun there for minutes. An
 * InitPlan runs once, and the UPDATE finds its rows through the primary key. */
#define PG_CLAIM                                                                                   \
    "UPDATE oro_message_queue q SET claimed_by = %s, "                                             \
    "claimed_until = now() + CAST(%s AS integer) * interval '1 second', "                          \
    "attempts = q.attempts + 1 "                                                                   \
    "WHERE q.id = ANY(ARRAY(SELECT id FROM oro_message_queue WHERE queue = %s "                    \
    "AND delayed_until <= now() AND (claimed_until IS NULL OR claimed_until < now()) "             \
    "ORDER BY priority DESC, id LIMIT CAST(%s AS integer) FOR UPDATE SKIP LOCKED)) "               \
    "RETURNING q.id, q.topic, q.body, q.priority, q.attempts, "                                    \
    "CASE WHEN q.expires_at < now() THEN 1 ELSE 0 END"

static const char *lit(oro_db_t *db, apr_pool_t *p, const char *s)
{
    return apr_pstrcat(p, "'", apr_dbd_escape(db->driver, p, s, db->handle), "'", NULL);
}

oro_mq_dbal_t *oro_mq_dbal_open(oro_db_t *db, const char *queue, const char *worker,
                                int visibility_timeout_s, const char **error)
{
    oro_mq_dbal_t *q = apr_pcalloc(db->pool, sizeof *q);
    q->db = db;
    q->queue = apr_pstrdup(db->pool, queue);
    q->worker = apr_pstrdup(db->pool, worker);
    q->visibility_timeout_s = visibility_timeout_s;
    if (db->dialect == ORO_DIALECT_PGSQL) {
        int rc =
            apr_dbd_prepare(db->driver, db->pool, db->handle, PG_CLAIM, "oro_mq_claim", &q->claim);
        if (rc != 0) {
            *error =
                apr_psprintf(db->pool, "could not prepare the claim of queue \"%s\": %s", queue,
                             oro_db_one_line(db->pool, apr_dbd_error(db->driver, db->handle, rc)));
            return NULL;
        }
    }
    else {
        q->queue_literal = lit(db, db->pool, queue);
        q->worker_literal = lit(db, db->pool, worker);
    }
    *error = NULL;
    return q;
}

const char *oro_mq_id_list(apr_pool_t *p, const apr_int64_t *ids, int n)
{
    char *buf = apr_palloc(p, (apr_size_t)n * 21 + 1), *o = buf;
    for (int i = 0; i < n; i++) {
        o += sprintf(o, i ? ",%" APR_INT64_T_FMT : "%" APR_INT64_T_FMT, ids[i]);
    }
    *o = '\0';
    return buf;
}

/* Reads claimed rows (id, topic, body, priority, attempts, expired) into out. */
static void read_claimed(oro_mq_dbal_t *q, apr_pool_t *p, apr_dbd_results_t *res,
                         apr_array_header_t *out)
{
    const apr_dbd_driver_t *d = q->db->driver;
    apr_dbd_row_t *row = NULL;
    while (apr_dbd_get_row(d, p, res, &row, -1) == 0) {
        oro_mq_claimed_t *c = apr_array_push(out);
        const char *id = apr_dbd_get_entry(d, row, 0);
        c->id = apr_atoi64(id);
        c->delivery.id = apr_pstrdup(p, id);
        c->delivery.queue = q->queue;
        c->delivery.topic = apr_pstrdup(p, apr_dbd_get_entry(d, row, 1));
        const char *body = apr_dbd_get_entry(d, row, 2);
        c->delivery.body = body ? apr_pstrdup(p, body) : NULL;
        c->delivery.priority = atoi(apr_dbd_get_entry(d, row, 3));
        c->delivery.attempts = atoi(apr_dbd_get_entry(d, row, 4));
        const char *expired = apr_dbd_get_entry(d, row, 5);
        c->expired = expired != NULL && expired[0] == '1';
    }
}

static int by_priority_then_id(const void *a, const void *b)
{
    const oro_mq_claimed_t *x = a, *y = b;
    if (x->delivery.priority != y->delivery.priority) {
        return y->delivery.priority - x->delivery.priority;
    }
    return x->id < y->id ? -1 : x->id > y->id;
}

static int claim_mysql(oro_mq_dbal_t *q, apr_pool_t *p, int limit, apr_array_header_t *out,
                       const char **error)
{
    oro_db_t *db = q->db;
    apr_dbd_transaction_t *txn = NULL;
    if (oro_db_begin(db, p, &txn, error) != 0) {
        return -1;
    }
    const char *sql = apr_psprintf(
        p,
        "SELECT id, topic, body, priority, attempts + 1, "
        "CASE WHEN expires_at < UTC_TIMESTAMP(6) THEN 1 ELSE 0 END FROM oro_message_queue "
        "WHERE queue = %s AND delayed_until <= UTC_TIMESTAMP(6) AND (claimed_until IS NULL OR "
        "claimed_until < UTC_TIMESTAMP(6)) ORDER BY priority DESC, id LIMIT %d "
        "FOR UPDATE SKIP LOCKED",
        q->queue_literal, limit);
    apr_dbd_results_t *res = NULL;
    int rc = apr_dbd_select(db->driver, p, db->handle, &res, sql, ORO_DB_RANDOM(db));
    if (rc == 0) {
        read_claimed(q, p, res, out);
    }
    if (rc == 0 && out->nelts > 0) {
        apr_int64_t *ids = apr_palloc(p, sizeof *ids * (apr_size_t)out->nelts);
        for (int i = 0; i < out->nelts; i++) {
            ids[i] = APR_ARRAY_IDX(out, i, oro_mq_claimed_t).id;
        }
        int nrows;
        rc = apr_dbd_query(
            db->driver, db->handle, &nrows,
            apr_psprintf(p,
                         "UPDATE oro_message_queue SET claimed_by = %s, claimed_until = "
                         "UTC_TIMESTAMP(6) + INTERVAL %d SECOND, attempts = attempts + 1 "
                         "WHERE id IN (%s)",
                         q->worker_literal, q->visibility_timeout_s,
                         oro_mq_id_list(p, ids, out->nelts)));
    }
    if (rc != 0) {
        *error = oro_db_one_line(p, apr_dbd_error(db->driver, db->handle, rc));
        const char *ignored;
        oro_db_end(db, p, txn, 1, &ignored);
        out->nelts = 0;
        return -1;
    }
    if (oro_db_end(db, p, txn, 0, error) != 0) {
        out->nelts = 0;
        return -1;
    }
    return out->nelts;
}

int oro_mq_dbal_claim(oro_mq_dbal_t *q, apr_pool_t *p, int limit, apr_array_header_t **out,
                      const char **error)
{
    *out = apr_array_make(p, limit < 64 ? limit : 64, sizeof(oro_mq_claimed_t));
    *error = NULL;
    if (q->db->dialect == ORO_DIALECT_MYSQL) {
        return claim_mysql(q, p, limit, *out, error);
    }
    oro_db_t *db = q->db;
    const char *args[4] = {q->worker, apr_itoa(p, q->visibility_timeout_s), q->queue,
                           apr_itoa(p, limit)};
    apr_dbd_results_t *res = NULL;
    /* NB: random access (1), i.e. PQexecPrepared: apr_dbd_pgsql's sequential mode
     * polls for the result with apr_sleep(100 ms), which made the idle latency ~50 ms */
    int rc = apr_dbd_pselect(db->driver, p, db->handle, &res, q->claim, 1, 4, args);
    if (rc != 0) {
        *error = oro_db_one_line(p, apr_dbd_error(db->driver, db->handle, rc));
        return -1;
    }
    read_claimed(q, p, res, *out);
    /* RETURNING gives no order */
    qsort((*out)->elts, (size_t)(*out)->nelts, sizeof(oro_mq_claimed_t), by_priority_then_id);
    return (*out)->nelts;
}

static int run(oro_db_t *db, apr_pool_t *p, const char *sql, int *nrows, const char **error)
{
    int rows = 0;
    int rc = apr_dbd_query(db->driver, db->handle, &rows, sql);
    if (rc != 0) {
        *error = oro_db_one_line(p, apr_dbd_error(db->driver, db->handle, rc));
        return -1;
    }
    if (nrows != NULL) {
        *nrows = rows;
    }
    *error = NULL;
    return 0;
}

int oro_mq_dbal_ack(oro_db_t *db, apr_pool_t *p, const apr_int64_t *ids, int n, const char **error)
{
    if (n == 0) {
        *error = NULL;
        return 0;
    }
    return run(db, p,
               apr_pstrcat(p, "DELETE FROM oro_message_queue WHERE id IN (",
                           oro_mq_id_list(p, ids, n), ")", NULL),
               NULL, error);
}

int oro_mq_dbal_retry(oro_db_t *db, apr_pool_t *p, apr_int64_t id, apr_int64_t delay_ms,
                      const char *reason, const char **error)
{
    const char *until =
        db->dialect == ORO_DIALECT_MYSQL
            ? apr_psprintf(p, "UTC_TIMESTAMP(6) + INTERVAL %" APR_INT64_T_FMT " MICROSECOND",
                           delay_ms * 1000)
            : apr_psprintf(p, "now() + interval '%" APR_INT64_T_FMT " milliseconds'", delay_ms);
    return run(db, p,
               apr_psprintf(p,
                            "UPDATE oro_message_queue SET claimed_by = NULL, claimed_until = NULL, "
                            "delayed_until = %s, last_error = %s WHERE id = %" APR_INT64_T_FMT,
                            until, lit(db, p, reason), id),
               NULL, error);
}

int oro_mq_dbal_bury(oro_db_t *db, apr_pool_t *p, apr_int64_t id, const char *reason,
                     const char **error)
{
    const char *why = lit(db, p, reason);
    if (db->dialect == ORO_DIALECT_PGSQL) {
        return run(
            db, p,
            apr_psprintf(p,
                         "WITH m AS (DELETE FROM oro_message_queue WHERE id = %" APR_INT64_T_FMT
                         " RETURNING *) INSERT INTO oro_message_dead (id, queue, topic, body, "
                         "priority, attempts, last_error, created_at, failed_at) SELECT id, "
                         "queue, topic, body, priority, attempts, %s, created_at, now() FROM m "
                         "ON CONFLICT (id) DO NOTHING",
                         id, why),
            NULL, error);
    }
    apr_dbd_transaction_t *txn = NULL;
    if (oro_db_begin(db, p, &txn, error) != 0) {
        return -1;
    }
    int rc =
        run(db, p,
            apr_psprintf(p,
                         "INSERT IGNORE INTO oro_message_dead (id, queue, topic, body, "
                         "priority, attempts, last_error, created_at, failed_at) SELECT id, "
                         "queue, topic, body, priority, attempts, %s, created_at, "
                         "UTC_TIMESTAMP(6) FROM oro_message_queue WHERE id = %" APR_INT64_T_FMT,
                         why, id),
            NULL, error);
    if (rc == 0) {
        rc = run(db, p,
                 apr_psprintf(p, "DELETE FROM oro_message_queue WHERE id = %" APR_INT64_T_FMT, id),
                 NULL, error);
    }
    const char *end_error;
    if (oro_db_end(db, p, txn, rc != 0, &end_error) != 0 && rc == 0) {
        *error = end_error;
        rc = -1;
    }
    return rc;
}

int oro_mq_dbal_unclaim(oro_db_t *db, apr_pool_t *p, const apr_int64_t *ids, int n,
                        const char **error)
{
    if (n == 0) {
        *error = NULL;
        return 0;
    }
    return run(db, p,
               apr_pstrcat(p,
                           "UPDATE oro_message_queue SET claimed_by = NULL, claimed_until = NULL, "
                           "attempts = attempts - 1 WHERE id IN (",
                           oro_mq_id_list(p, ids, n), ")", NULL),
               NULL, error);
}

int oro_mq_dbal_release_worker(oro_db_t *db, apr_pool_t *p, const char *worker, int *nrows,
                               const char **error)
{
    return run(db, p,
               apr_psprintf(p,
                            "UPDATE oro_message_queue SET claimed_by = NULL, claimed_until = NULL "
                            "WHERE claimed_by = %s",
                            lit(db, p, worker)),
               nrows, error);
}
