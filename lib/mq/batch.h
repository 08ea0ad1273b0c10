/* lib/mq/batch.h — the amqp transport's batch envelope: several outbox rows bound
 * for the same queue, priority and delay carried by ONE AMQP message, so that the
 * broker's per-message cost (routing, persistence, confirms, acks) is paid once per
 * batch. The relay encodes, the consumers decode; see docs/decisions.md "AMQP
 * batching (session 4)".
 *
 * An envelope is an AMQP message whose content type is ORO_MQ_BATCH_CONTENT_TYPE;
 * its body is text:
 *
 *   oro-batch/1 COUNT\n
 *   ID TOPIC EXPIRES_AT BODY_LENGTH\nBODY\n      (COUNT times)
 *
 * ID: the outbox id (1–19 digits); TOPIC: 1–ORO_MQ_MAX_TOPIC letters, digits and
 * ". _ -"; EXPIRES_AT: epoch ms, 0 for never (1–19 digits); BODY_LENGTH: the bytes
 * of BODY (at most ORO_MQ_MAX_BODY), which are copied as they are. The length
 * prefix, not a delimiter, frames the body, so bodies need no escaping. */
#ifndef ORO_MQ_BATCH_H
#define ORO_MQ_BATCH_H

#include <apr_pools.h>

#include "mq/transport.h"

#define ORO_MQ_BATCH_CONTENT_TYPE "application/x-oro-batch"
/* The AMQP type (topic slot) of an envelope: what a dead-lettered bad envelope shows. */
#define ORO_MQ_BATCH_TYPE "oro.batch"
/* Most messages one envelope may declare (the decoder refuses more). */
#define ORO_MQ_BATCH_MAX_COUNT 10000
/* What the relay packs into one envelope at most: messages (also the upper bound of
 * OroAmqpBatchSize) and bytes of the records (a lone larger message goes alone). */
#define ORO_MQ_BATCH_MAX_BYTES (1024 * 1024)

/* One message inside an envelope. */
typedef struct {
    const char *id;
    const char *topic;
    apr_int64_t expires_at; /* epoch ms, 0: never */
    const char *body;       /* NUL-terminated (decoded: a copy) */
    apr_size_t body_len;
    const char *error; /* decoded: why this message cannot be processed, or NULL */
} oro_mq_batch_item_t;

/* Whether a message can go inside an envelope: an id of 1–19 digits, a topic of the
 * format above, a body of at most ORO_MQ_MAX_BODY bytes. Others are published alone. */
int oro_mq_batch_encodable(const char *id, const char *topic, apr_size_t body_len);

/* The bytes one message adds to an envelope. */
apr_size_t oro_mq_batch_record_size(const oro_mq_batch_item_t *item);

/* The envelope of items[0..n-1] (each oro_mq_batch_encodable; 1 ≤ n ≤
 * ORO_MQ_BATCH_MAX_COUNT), allocated in p; its length in *len. */
char *oro_mq_batch_encode(apr_pool_t *p, const oro_mq_batch_item_t *items, int n, apr_size_t *len);

/* Decodes the envelope data[0..len-1] into *items (*n of them, allocated in p; the
 * fields point into a copy of data in p). A message whose record is well framed but
 * whose body cannot be processed (a NUL byte) has its error set. Returns 0 when the
 * whole envelope was read; otherwise -1 with *error saying what is wrong, *items and
 * *n holding the messages read before the fault, and *bad_at the offset of the
 * first byte not accounted for (len when the envelope ends early). Never reads
 * outside data, never allocates more than a bounded multiple of len. */
int oro_mq_batch_decode(apr_pool_t *p, const void *data, apr_size_t len,
                        oro_mq_batch_item_t **items, int *n, apr_size_t *bad_at,
                        const char **error);

/* Bytes as printable ASCII text for the dead-letter table: bytes outside 0x20–0x7e
 * (and the backslash) as \xNN. */
char *oro_mq_batch_printable(apr_pool_t *p, const void *data, apr_size_t len);

#endif
