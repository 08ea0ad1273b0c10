/* consumer/worker_amqp_int.h — what the amqp worker's files share (worker_amqp.c:
 * connection, publishing, consumers; worker_amqp_relay.c: the outbox relay). Not
 * for other parts of the consumer: they use worker_amqp.h. */
#ifndef ORO_CONSUMER_WORKER_AMQP_INT_H
#define ORO_CONSUMER_WORKER_AMQP_INT_H

#include "worker_amqp.h"

#include <amqp.h>
#include <apr_hash.h>
#include <stdint.h>

#define CONSUME_CHANNEL 1
#define REPUBLISH_CHANNEL 2

struct oro_worker_amqp {
    apr_pool_t *pool;
    apr_pool_t *conn_pool; /* cleared on disconnect */
    const oro_settings_t *settings;
    const char *role;
    const char *queue; /* NULL: the relay */
    int slot;
    char *host, *user, *password, *vhost;
    int port;
    amqp_connection_state_t conn;
    int connected;
    apr_hash_t *delay_declared; /* delay queue name → int64 ms of its declaration */
    int64_t next_connect_ms;
    int64_t reconnect_delay_ms;
    int in_outage;
    int64_t outage_since_ms;
    const char *url_error;
    /* the relay: publications on CONSUME_CHANNEL since confirm.select, on conn */
    uint64_t channel_tags;
    amqp_connection_state_t tags_conn;
};

/* One AMQP message to publish: a message of the queue, or (envelope set) a batch
 * envelope of lib/mq/batch.h carrying envelope messages. */
typedef struct {
    const char *id; /* message_id: the message's, or an envelope's first */
    const char *topic;
    const char *body;
    size_t body_len;
    int priority;
    apr_int64_t delay_ms;   /* through the delay queue when > 0 */
    int attempts;           /* x-oro-attempts: deliveries so far */
    apr_int64_t expires_at; /* x-oro-expires-at: epoch ms, 0 never */
    int envelope;           /* messages in the envelope, 0: a plain message */
} oro_amqp_outgoing_t;

/* Publishes m to queue (or through its delay queue), persistent, on channel. 0, or
 * -1 with *why on a broker failure. */
int oro_amqp_publish(oro_worker_amqp_t *a, int channel, const char *queue,
                     const oro_amqp_outgoing_t *m, const char **why);

/* A broker failure: logs once per outage, drops the connection, retries later. */
void oro_amqp_broker_failed(oro_worker_amqp_t *a, const char *what, const char *why);

/* The relay's step (see oro_worker_amqp_step). */
int oro_amqp_relay_step(oro_worker_amqp_t *a, oro_db_t *db, apr_pool_t *p, apr_uint64_t *processed,
                        const char **error);

#endif
