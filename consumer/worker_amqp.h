/* consumer/worker_amqp.h — the amqp transport inside a worker: the relay role
 * publishes outbox rows to RabbitMQ with publisher confirms and deletes them; the
 * default and indexer roles consume their RabbitMQ queue with manual acks. Broker
 * failures are handled inside (reconnect with backoff); only database failures are
 * reported to the worker loop. */
#ifndef ORO_CONSUMER_WORKER_AMQP_H
#define ORO_CONSUMER_WORKER_AMQP_H

#include <apr_pools.h>

#include "conf/settings.h"
#include "db/db.h"

typedef struct oro_worker_amqp oro_worker_amqp_t;

/* State for one worker of role ("default", "indexer", "relay") serving queue (NULL for
 * the relay); nothing connects yet. */
oro_worker_amqp_t *oro_worker_amqp_create(apr_pool_t *p, const oro_settings_t *settings,
                                          const char *role, const char *queue, int slot);

/* One step: connects to the broker if due; relays one batch of outbox rows (relay)
 * or takes the deliveries at hand and handles them (consumers). Counts handled
 * messages in *processed / *failed. Returns how many messages it moved, 0 when idle
 * (or the broker is down), -1 with *error on a database failure. */
int oro_worker_amqp_step(oro_worker_amqp_t *a, oro_db_t *db, apr_pool_t *scratch,
                         apr_uint64_t *processed, apr_uint64_t *failed, int (*stop)(void),
                         const char **error);

/* How long an idle worker may wait before the next step (ms). */
apr_int64_t oro_worker_amqp_idle_ms(oro_worker_amqp_t *a);
/* The broker socket to wait on (consumers), or -1. */
int oro_worker_amqp_fd(oro_worker_amqp_t *a);
/* Closes the broker connection (deliveries not acked go back to their queue). */
void oro_worker_amqp_close(oro_worker_amqp_t *a);

#endif
