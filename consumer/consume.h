/* consumer/consume.h — handling a claimed batch of messages: validation, dispatch to
 * processors by topic, and the outcome of each message (ack, retry with backoff,
 * dead letter). Shared by the dbal and amqp workers. */
#ifndef ORO_CONSUMER_CONSUME_H
#define ORO_CONSUMER_CONSUME_H

#include <apr_tables.h>

#include "conf/settings.h"
#include "mq/mq.h"

/* What to do with one message after its processor ran. */
typedef enum {
    ORO_OUTCOME_ACK = 0,
    ORO_OUTCOME_RETRY, /* deliver again after delay_ms */
    ORO_OUTCOME_DEAD,  /* dead-letter with reason */
    ORO_OUTCOME_SKIP   /* not handled (the worker is stopping): release */
} oro_outcome_kind_t;

typedef struct {
    oro_outcome_kind_t kind;
    const char *reason;
    apr_int64_t delay_ms;
} oro_outcome_t;

/* Decides the outcome of each of the n messages: expired ones, malformed bodies and
 * unknown topics are dead-lettered with the reason; the rest go to their processor
 * (batch processors get all messages of their topic at once); a requeued message
 * whose attempts reached max_attempts is dead-lettered with the processor's reason.
 * expired[i] marks expired messages (may be NULL). stop() is asked between messages:
 * once it returns true, the rest are ORO_OUTCOME_SKIP. */
void oro_consumer_dispatch(oro_mq_context_t *ctx, const oro_mq_delivery_t *messages,
                           const int *expired, int n, oro_outcome_t *outcomes, int (*stop)(void));

#endif
