/* consumer/worker_amqp_relay.c — the amqp outbox relay: a batch of outbox rows,
 * locked in a database transaction, published with publisher confirms and deleted
 * once the broker confirmed every publication (a broker outage leaves the rows where
 * they were: at least once).
 *
 * Rows of one batch bound for the same queue, priority and delay are packed into
 * batch envelopes (lib/mq/batch.h) of at most OroAmqpBatchSize messages and
 * ORO_MQ_BATCH_MAX_BYTES: RabbitMQ's work (routing, persisting, confirming, acking)
 * is per AMQP message, and it was the drain's bottleneck. The relay never waits to
 * fill an envelope: it packs what one SELECT returned, so a lone message goes alone
 * (as a plain message) at once. */
#include "worker_amqp_int.h"

#include <apr_strings.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "mq/batch.h"
#include "mq/dbal.h"
#include "mq/transport.h"
#include "util/log.h"

#define CONFIRM_TIMEOUT_S 30

/* Waits until the broker confirmed every publication up to last_tag. */
static int wait_confirms(oro_worker_amqp_t *a, uint64_t last_tag, const char **why)
{
    uint64_t confirmed = 0;
    while (confirmed < last_tag) {
        amqp_frame_t frame;
        struct timeval timeout = {CONFIRM_TIMEOUT_S, 0};
        int status = amqp_simple_wait_frame_noblock(a->conn, &frame, &timeout);
        if (status != AMQP_STATUS_OK) {
            *why =
                apr_psprintf(a->conn_pool, "no publisher confirm: %s", amqp_error_string2(status));
            return -1;
        }
        if (frame.frame_type != AMQP_FRAME_METHOD) {
            continue;
        }
        if (frame.payload.method.id == AMQP_BASIC_ACK_METHOD) {
            amqp_basic_ack_t *ack = frame.payload.method.decoded;
            if (ack->delivery_tag > confirmed) {
                confirmed = ack->delivery_tag;
            }
        }
        else if (frame.payload.method.id == AMQP_BASIC_NACK_METHOD) {
            *why = "the broker refused a message (basic.nack)";
            return -1;
        }
        else if (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
                 frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD) {
            *why = "the broker closed the channel";
            return -1;
        }
    }
    return 0;
}

/* An outbox row as read. */
typedef struct {
    const char *queue;
    int priority;
    apr_int64_t delay_ms;
    oro_mq_batch_item_t item; /* id, topic, expires_at, body */
    int next;                 /* the next row of its envelope, -1 */
} row_t;

/* Rows waiting for one envelope: same queue, priority and delay. */
typedef struct {
    const row_t *key; /* the row that opened the group */
    int first, last;  /* rows, linked by next; -1 when empty */
    int count;
    apr_size_t bytes;
} group_t;

/* Publishes row r alone. */
static int publish_row(oro_worker_amqp_t *a, const row_t *r, const char **why)
{
    oro_amqp_outgoing_t m = {r->item.id,
                             r->item.topic,
                             r->item.body,
                             r->item.body_len,
                             r->priority,
                             r->delay_ms,
                             0,
                             r->item.expires_at,
                             0};
    return oro_amqp_publish(a, CONSUME_CHANNEL, r->queue, &m, why);
}

/* Publishes the rows of g (one alone, more in an envelope) and empties g. */
static int publish_group(oro_worker_amqp_t *a, apr_pool_t *p, const row_t *rows, group_t *g,
                         const char **why)
{
    const row_t *first = &rows[g->first];
    int rc;
    if (g->count == 1) {
        rc = publish_row(a, first, why);
    }
    else {
        oro_mq_batch_item_t *items = apr_palloc(p, sizeof *items * (apr_size_t)g->count);
        int k = 0;
        for (int i = g->first; i >= 0; i = rows[i].next) {
            items[k++] = rows[i].item;
        }
        apr_size_t len = 0;
        const char *body = oro_mq_batch_encode(p, items, k, &len);
        oro_amqp_outgoing_t m = {first->item.id,
                                 ORO_MQ_BATCH_TYPE,
                                 body,
                                 len,
                                 first->priority,
                                 first->delay_ms,
                                 0,
                                 0,
                                 k};
        rc = oro_amqp_publish(a, CONSUME_CHANNEL, first->queue, &m, why);
    }
    g->first = g->last = -1;
    g->count = 0;
    g->bytes = 0;
    return rc;
}

/* Publishes rows[0..n-1], packing those of the same queue, priority and delay; counts
 * the AMQP publications in *published. 0, or -1 with *why on a broker failure. */
static int publish_rows(oro_worker_amqp_t *a, apr_pool_t *p, row_t *rows, int n, int *published,
                        const char **why)
{
    int max = a->settings->amqp_batch_size;
    if (max > ORO_MQ_BATCH_MAX_COUNT) {
        max = ORO_MQ_BATCH_MAX_COUNT;
    }
    /* NB: few keys in practice (2 queues × 5 priorities × a few delays): a list */
    group_t *groups = apr_pcalloc(p, sizeof *groups * (apr_size_t)n);
    int ngroups = 0;
    for (int i = 0; i < n; i++) {
        row_t *r = &rows[i];
        r->next = -1;
        if (max <= 1 || !oro_mq_batch_encodable(r->item.id, r->item.topic, r->item.body_len)) {
            if (publish_row(a, r, why) != 0) {
                return -1;
            }
            (*published)++;
            continue;
        }
        group_t *g = NULL;
        for (int j = 0; j < ngroups && g == NULL; j++) {
            const row_t *f = groups[j].key;
            if (f->priority == r->priority && f->delay_ms == r->delay_ms &&
                strcmp(f->queue, r->queue) == 0) {
                g = &groups[j];
            }
        }
        if (g == NULL) {
            g = &groups[ngroups++];
            g->key = r;
            g->first = g->last = -1;
        }
        apr_size_t size = oro_mq_batch_record_size(&r->item);
        if (g->count > 0 && (g->count >= max || g->bytes + size > ORO_MQ_BATCH_MAX_BYTES)) {
            if (publish_group(a, p, rows, g, why) != 0) {
                return -1;
            }
            (*published)++;
        }
        if (g->count == 0) {
            g->first = i;
        }
        else {
            rows[g->last].next = i;
        }
        g->last = i;
        g->count++;
        g->bytes += size;
    }
    for (int j = 0; j < ngroups; j++) {
        if (groups[j].count > 0) {
            if (publish_group(a, p, rows, &groups[j], why) != 0) {
                return -1;
            }
            (*published)++;
        }
    }
    return 0;
}

int oro_amqp_relay_step(oro_worker_amqp_t *a, oro_db_t *db, apr_pool_t *p, apr_uint64_t *processed,
                        const char **error)
{
    int my = db->dialect == ORO_DIALECT_MYSQL;
    apr_dbd_transaction_t *txn = NULL;
    if (oro_db_begin(db, p, &txn, error) != 0) {
        return -1;
    }
    const char *created_ms = my ? "TIMESTAMPDIFF(MICROSECOND, '1970-01-01', created_at) DIV 1000"
                                : "CAST(EXTRACT(EPOCH FROM created_at) * 1000 AS bigint)";
    const char *sql =
        apr_psprintf(p,
                     "SELECT id, queue, topic, body, priority, delay_ms, expire_ms, %s "
                     "FROM oro_message_outbox ORDER BY id LIMIT %d FOR UPDATE SKIP LOCKED",
                     created_ms, a->settings->queue_batch_size);
    apr_dbd_results_t *res = NULL;
    int rc = apr_dbd_select(db->driver, p, db->handle, &res, sql, 1);
    if (rc != 0) {
        *error = oro_db_one_line(p, apr_dbd_error(db->driver, db->handle, rc));
        oro_db_end(db, p, txn, 1, &sql);
        return -1;
    }
    int n = apr_dbd_num_tuples(db->driver, res);
    if (n <= 0) {
        oro_db_end(db, p, txn, 0, &sql);
        return 0;
    }
    apr_int64_t *ids = apr_palloc(p, sizeof *ids * (apr_size_t)n);
    row_t *rows = apr_pcalloc(p, sizeof *rows * (apr_size_t)n);
    apr_dbd_row_t *row = NULL;
    int read = 0;
    /* NB: random access rows are numbered from 1 (mysql refuses -1, "next") */
    for (int i = 0; i < n && apr_dbd_get_row(db->driver, p, res, &row, i + 1) == 0; i++) {
        read++;
        row_t *r = &rows[i];
        r->item.id = apr_dbd_get_entry(db->driver, row, 0);
        r->queue = apr_dbd_get_entry(db->driver, row, 1);
        r->item.topic = apr_dbd_get_entry(db->driver, row, 2);
        r->item.body = apr_dbd_get_entry(db->driver, row, 3);
        r->item.body_len = strlen(r->item.body);
        r->priority = atoi(apr_dbd_get_entry(db->driver, row, 4));
        r->delay_ms = apr_atoi64(apr_dbd_get_entry(db->driver, row, 5));
        apr_int64_t expire_ms = apr_atoi64(apr_dbd_get_entry(db->driver, row, 6));
        apr_int64_t created = apr_atoi64(apr_dbd_get_entry(db->driver, row, 7));
        r->item.expires_at = expire_ms > 0 ? created + expire_ms : 0;
        ids[i] = apr_atoi64(r->item.id);
    }
    if (read != n) {
        /* rows we could not read are neither published nor deleted */
        *error = apr_psprintf(p, "could read only %d of %d outbox rows", read, n);
        oro_db_end(db, p, txn, 1, &sql);
        return -1;
    }
    const char *why = NULL;
    int published = 0;
    int failed = publish_rows(a, p, rows, n, &published, &why);
    /* NB: confirms count every publication of the channel since confirm.select, so the
     * tags of this batch continue the previous ones. */
    if (a->tags_conn != a->conn) {
        a->tags_conn = a->conn;
        a->channel_tags = 0;
    }
    a->channel_tags += (uint64_t)published;
    if (failed == 0) {
        wait_confirms(a, a->channel_tags, &why);
    }
    if (why != NULL) {
        oro_db_end(db, p, txn, 1, &sql);
        oro_amqp_broker_failed(a, "could not relay the outbox", why);
        a->tags_conn = NULL;
        return 0;
    }
    ORO_DEBUG("worker %d (relay) published %d outbox rows in %d AMQP messages", a->slot, n,
              published);
    /* NB: the rows came in id order; the range makes the plan an index range scan.
     * With the IN list alone PostgreSQL chose a sequential scan of the outbox (2,000
     * ids out of a large table), through every row deleted before, and that scan was
     * three quarters of the database's time in a drain (perf, session 4). */
    apr_int64_t lo = ids[0], hi = ids[0];
    for (int i = 1; i < n; i++) {
        lo = ids[i] < lo ? ids[i] : lo;
        hi = ids[i] > hi ? ids[i] : hi;
    }
    if (oro_db_exec(db, p, error, NULL,
                    apr_psprintf(p,
                                 "DELETE FROM oro_message_outbox WHERE id BETWEEN %" APR_INT64_T_FMT
                                 " AND %" APR_INT64_T_FMT " AND id IN (%s)",
                                 lo, hi, oro_mq_id_list(p, ids, n)),
                    NULL) != 0) {
        const char *ignored;
        oro_db_end(db, p, txn, 1, &ignored);
        return -1;
    }
    if (oro_db_end(db, p, txn, 0, error) != 0) {
        return -1; /* published but not deleted: delivered again later (at least once) */
    }
    *processed += (apr_uint64_t)n;
    return n;
}
