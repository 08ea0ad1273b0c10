/* consumer/processors.h — the registry of message processors (processors.c): one
 * static table mapping topics to processors, which each area extends by a line. */
#ifndef ORO_CONSUMER_PROCESSORS_H
#define ORO_CONSUMER_PROCESSORS_H

#include "mq/mq.h"

/* The processor registered for topic, or NULL. */
const oro_mq_processor_t *oro_consumer_processor_find(const char *topic);

/* Built-in processors (processors_builtin.c). */
extern const oro_mq_processor_t oro_processor_noop;
extern const oro_mq_processor_t oro_processor_test;

#endif
