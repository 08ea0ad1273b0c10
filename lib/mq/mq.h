/* lib/mq/mq.h — the message queue's contract shared by every part of the system:
 * producers (mod_oro's write paths, oroctl, processors), the transports (dbal, amqp)
 * and the consumer's processors. The transports live in lib/mq/; see DESIGN.md §5.
 *
 * NB: this header is the agreed interface between the queue, search and API work;
 * change it only together with its users. */
#ifndef ORO_MQ_MQ_H
#define ORO_MQ_MQ_H

#include <apr_pools.h>
#include <apr_dbd.h>

#include "conf/settings.h"
#include "db/db.h"

/* Queues. */
#define ORO_MQ_QUEUE_DEFAULT "oro.default"
#define ORO_MQ_QUEUE_SEARCH "oro.search"

/* Topics every part of the system agrees on.
 * oro.search.reindex  body {"entity":"contacts","ids":[1,2,3]}  queue oro.search:
 *     (re)index these records; an id whose record no longer exists is removed from
 *     the index. Sent by every write path in the write's transaction.
 * oro.search.reindex_range body {"entity":"contacts","from":1,"to":5000,"jobId":N}
 *     queue oro.search: a child job of `oroctl search:reindex --scheduled`.
 * oro.audit  body {"entity":…,"id":…,"action":"create|update|delete","user":…}. */
#define ORO_MQ_TOPIC_SEARCH_REINDEX "oro.search.reindex"
#define ORO_MQ_TOPIC_SEARCH_REINDEX_RANGE "oro.search.reindex_range"
#define ORO_MQ_TOPIC_AUDIT "oro.audit"

/* Oro's priorities: very low … very high. */
enum {
    ORO_MQ_PRIORITY_VERY_LOW = 0,
    ORO_MQ_PRIORITY_LOW = 1,
    ORO_MQ_PRIORITY_NORMAL = 2,
    ORO_MQ_PRIORITY_HIGH = 3,
    ORO_MQ_PRIORITY_VERY_HIGH = 4
};

typedef struct {
    const char *queue;     /* ORO_MQ_QUEUE_* */
    const char *topic;     /* ORO_MQ_TOPIC_* or another registered topic */
    const char *body;      /* a JSON text */
    int priority;          /* ORO_MQ_PRIORITY_*, 0–4 */
    apr_int64_t delay_ms;  /* 0: deliverable at once */
    apr_int64_t expire_ms; /* 0: never expires */
} oro_mq_message_t;

/* Enqueues m inside the caller's open transaction on (driver, handle): on the dbal
 * transport a row of the queue table, on amqp a row of the outbox table that the relay
 * publishes after commit. Nothing is sent if the transaction rolls back. Temporary
 * data in p. Returns 0, or -1 with *error ("could not enqueue oro.search.reindex: …"). */
int oro_mq_send(const apr_dbd_driver_t *driver, apr_dbd_t *handle, apr_pool_t *p,
                oro_dialect_t dialect, oro_mq_transport_t transport, const oro_mq_message_t *m,
                const char **error);

/* As oro_mq_send, but on PostgreSQL without the NOTIFY that wakes the consumers: *notify
 * receives its payload (NULL on MariaDB), for oro_mq_notify_committed after the caller's
 * commit. For writers that commit concurrently (mod_oro's API): a NOTIFY inside their
 * transactions would hold PostgreSQL's global notify lock through each commit's WAL
 * flush and serialise them all. */
int oro_mq_send_deferred(const apr_dbd_driver_t *driver, apr_dbd_t *handle, apr_pool_t *p,
                         oro_dialect_t dialect, oro_mq_transport_t transport,
                         const oro_mq_message_t *m, const char **notify, const char **error);

/* Wakes a consumer of payload (from oro_mq_send_deferred) once its transaction has
 * committed: the NOTIFY to the worker waiting for it, if one does, in a statement of its
 * own (which writes no WAL, so it waits for no flush). PostgreSQL only, no transaction
 * open on handle. 0, or -1 with *error. */
int oro_mq_notify_committed(const apr_dbd_driver_t *driver, apr_dbd_t *handle, apr_pool_t *p,
                            const char *payload, const char **error);

/* What a processor decides for a message. */
typedef enum {
    ORO_MQ_ACK = 0,     /* done */
    ORO_MQ_REQUEUE = 1, /* try again later (counts an attempt, backs off) */
    ORO_MQ_REJECT = 2   /* never processable: dead-lettered with the reason */
} oro_mq_result_t;

/* A message as a processor sees it. */
typedef struct {
    const char *id;
    const char *queue;
    const char *topic;
    const char *body;
    int priority;
    int attempts; /* deliveries so far, this one included */
} oro_mq_delivery_t;

/* The context a processor runs in: the worker's own database connection (no open
 * transaction) and settings. */
typedef struct {
    oro_db_t *db;
    const oro_settings_t *settings;
    apr_pool_t *pool; /* cleared after each message */
} oro_mq_context_t;

/* A processor for one topic. *reason (allocated in ctx->pool) says why for REQUEUE
 * and REJECT. Batch processors (the indexer) may set process_batch instead, which
 * receives every claimed message of its topic at once and fills results[i]. */
typedef struct oro_mq_processor {
    const char *topic;
    oro_mq_result_t (*process)(oro_mq_context_t *ctx, const oro_mq_delivery_t *message,
                               const char **reason);
    void (*process_batch)(oro_mq_context_t *ctx, const oro_mq_delivery_t *messages, int n,
                          oro_mq_result_t *results, const char **reasons);
} oro_mq_processor_t;

#endif
