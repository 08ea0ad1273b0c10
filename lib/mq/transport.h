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

/* NOTIFY coalescing on PostgreSQL. A NOTIFY takes a global lock at commit and holds
 * it through the WAL flush, so transactions that notify cannot share a flush (group
 * commit) and producers serialise. So a producer notifies only when a worker waits
 * for it: a worker that found nothing to do for ORO_MQ_POLL_WINDOW_MS (polling every
 * ORO_MQ_POLL_MAX_MS at most meanwhile, and still woken at once by a NOTIFY) registers
 * in oro_message_waiting and waits on LISTEN (on its own channel: a producer wakes the
 * worker registered last, not all of them); it deletes its row when it finds work.
 * Under load the workers are busy or polling and no transaction notifies; a message
 * after a quiet spell finds a registered worker and wakes it at once. After
 * registering, a worker looks at the queue again and keeps polling for
 * ORO_MQ_RECHECK_MS, for a producer that read the table just before the row was
 * committed; a NOTIFY lost otherwise (its transaction rolled back, or committed later
 * than that) delays a message by the LISTEN timeout (a second) at most. */
#define ORO_MQ_POLL_WINDOW_MS 10
#define ORO_MQ_POLL_MAX_MS 1
#define ORO_MQ_RECHECK_MS 5

/* Tests and benchmarks: every send of this process notifies (the behaviour before
 * coalescing) when always is non-zero. */
void oro_mq_set_notify_always(int always);

/* How many PostgreSQL sends of this process carried a NOTIFY, and how many did not
 * (no worker waited). */
void oro_mq_notify_counts(unsigned long *sent, unsigned long *skipped);

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
