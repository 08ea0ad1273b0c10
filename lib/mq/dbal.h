/* lib/mq/dbal.h — the consumer's side of the dbal transport (table
 * oro_message_queue): claim a batch, ack, retry with backoff, dead-letter, release.
 * Every call runs outside any open transaction of its own connection. */
#ifndef ORO_MQ_DBAL_H
#define ORO_MQ_DBAL_H

#include <apr_tables.h>

#include "db/db.h"
#include "mq/mq.h"

/* One claimed message. */
typedef struct {
    apr_int64_t id;
    oro_mq_delivery_t delivery; /* id as text, queue, topic, body, priority, attempts */
    int expired;                /* expires_at has passed */
} oro_mq_claimed_t;

typedef struct oro_mq_dbal oro_mq_dbal_t;

/* A claimer for one queue over db, named worker (host:pid) in claimed_by; statements
 * are prepared on db's pool. Returns NULL with *error. */
oro_mq_dbal_t *oro_mq_dbal_open(oro_db_t *db, const char *queue, const char *worker,
                                int visibility_timeout_s, const char **error);

/* Claims up to limit deliverable messages (delay passed, no live claim), highest
 * priority first then oldest, with FOR UPDATE SKIP LOCKED; each claim counts an
 * attempt. *out gets oro_mq_claimed_t in that order (allocated in p). Returns the
 * count, or -1 with *error. */
int oro_mq_dbal_claim(oro_mq_dbal_t *q, apr_pool_t *p, int limit, apr_array_header_t **out,
                      const char **error);

/* Deletes the acknowledged messages ids[0..n). */
int oro_mq_dbal_ack(oro_db_t *db, apr_pool_t *p, const apr_int64_t *ids, int n, const char **error);

/* Releases one message for a later attempt in delay_ms, keeping reason as last_error. */
int oro_mq_dbal_retry(oro_db_t *db, apr_pool_t *p, apr_int64_t id, apr_int64_t delay_ms,
                      const char *reason, const char **error);

/* Moves one message to oro_message_dead with reason. */
int oro_mq_dbal_bury(oro_db_t *db, apr_pool_t *p, apr_int64_t id, const char *reason,
                     const char **error);

/* Releases claimed messages that were not handed to a processor (a draining
 * worker), giving back the attempt their claim counted. */
int oro_mq_dbal_unclaim(oro_db_t *db, apr_pool_t *p, const apr_int64_t *ids, int n,
                        const char **error);

/* Releases every message claimed by worker (a dead worker's name, host:pid) at once
 * instead of after the visibility timeout; their attempts stay counted. *nrows gets
 * the count. */
int oro_mq_dbal_release_worker(oro_db_t *db, apr_pool_t *p, const char *worker, int *nrows,
                               const char **error);

/* "1,2,3": ids for an IN list (they are numbers, never input text). */
const char *oro_mq_id_list(apr_pool_t *p, const apr_int64_t *ids, int n);

#endif
