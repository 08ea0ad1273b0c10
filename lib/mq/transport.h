/* lib/mq/transport.h — what the queue's transports share beyond the contract of
 * mq.h: message validation, retry backoff, and the bulk send used by oroctl and the
 * benchmarks. */
#ifndef ORO_MQ_TRANSPORT_H
#define ORO_MQ_TRANSPORT_H

#include "mq/mq.h"

/* Longest accepted values. */
#define ORO_MQ_MAX_TOPIC 255
#define ORO_MQ_MAX_BODY (16 * 1024 * 1024)
#define ORO_MQ_MAX_DELAY_MS ((apr_int64_t)30 * 24 * 3600 * 1000)

/* The PostgreSQL channels that wake idle workers: one per queue, and the outbox's. */
#define ORO_MQ_CHANNEL "oro_mq"

/* Whether queue is one the consumer serves (oro.default: "default" workers,
 * oro.search: the "indexer"). */
int oro_mq_queue_known(const char *queue);

/* Checks a message before it is stored: a known queue, a topic of letters, digits
 * and ". _ -" (at most ORO_MQ_MAX_TOPIC), a body that is one JSON text (at most
 * ORO_MQ_MAX_BODY), priority 0–4, delay and expiry from 0 to 30 days. Returns NULL
 * or a message in p saying what is wrong ("priority 7 is not from 0 to 4"). */
const char *oro_mq_validate(apr_pool_t *p, const oro_mq_message_t *m);

/* Whether body is exactly one JSON text (what a worker checks before dispatching).
 * Returns NULL or the parser's complaint, in p. */
const char *oro_mq_check_body(apr_pool_t *p, const char *body);

/* The backoff before delivery number attempts + 1 of a requeued message: base_ms
 * doubled for each earlier attempt (attempts 1 → base_ms), at most max_ms, never
 * negative; no overflow for any attempts. */
apr_int64_t oro_mq_backoff_ms(int attempts, apr_int64_t base_ms, apr_int64_t max_ms);

/* Enqueues count copies of m in one statement inside the caller's transaction (the
 * bulk path of `oroctl mq:send --count`); otherwise like oro_mq_send. */
int oro_mq_send_many(const apr_dbd_driver_t *driver, apr_dbd_t *handle, apr_pool_t *p,
                     oro_dialect_t dialect, oro_mq_transport_t transport, const oro_mq_message_t *m,
                     long count, const char **error);

#endif
