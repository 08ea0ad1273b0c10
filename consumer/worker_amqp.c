/* consumer/worker_amqp.c — the amqp transport inside a worker; see worker_amqp.h.
 *
 * Topology (declared by every worker when it connects, no broker plugin needed):
 *   oro.default, oro.search  durable queues, x-max-priority 4, fed through the
 *                            default exchange;
 *   oro.delay.MS.QUEUE       a durable queue per delay with x-message-ttl MS whose
 *                            messages dead-letter into QUEUE (delays, retry
 *                            backoff); x-expires removes it once unused.
 * Messages are persistent; headers carry the delivery count (x-oro-attempts) and
 * the expiry (x-oro-expires-at, epoch ms): the broker's own expiration would drop
 * an expired message silently, we dead-letter it with a reason instead.
 *
 * The relay (worker_amqp_relay.c) publishes a batch of outbox rows with publisher
 * confirms inside the database transaction that locked them, packed into batch
 * envelopes (lib/mq/batch.h), and deletes them only once the broker confirmed every
 * one: a broker outage leaves the rows where they were. Consumers use manual acks
 * and a prefetch of OroQueueBatchSize messages (envelopes counted as
 * OroAmqpBatchSize); an envelope is unpacked and each of its messages handled on its
 * own; a retry, a delivery count or a message handed back is republished alone in an
 * AMQP transaction on a second channel before the original is acked. A message
 * redelivered by the broker (its worker died holding it) is republished with its
 * count raised before it is processed (an envelope's messages each alone), so a
 * message that kills its worker ends in the dead-letter table instead of looping. */
#include "worker_amqp_int.h"
#include "clock.h"
#include "consume.h"

#include <amqp_tcp_socket.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "mq/batch.h"
#include "mq/dbal.h"
#include "mq/transport.h"
#include "util/log.h"

#define FIRST_RECONNECT_DELAY_MS 500
#define MAX_RECONNECT_DELAY_MS 10000
/* A delay queue is declared again when older than this, so that its x-expires
 * (delay + DELAY_QUEUE_SPARE_MS) never removes it while it holds a message. */
#define DELAY_QUEUE_REDECLARE_MS 10000
#define DELAY_QUEUE_SPARE_MS 120000

static int64_t epoch_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

oro_worker_amqp_t *oro_worker_amqp_create(apr_pool_t *p, const oro_settings_t *settings,
                                          const char *role, const char *queue, int slot)
{
    oro_worker_amqp_t *a = apr_pcalloc(p, sizeof *a);
    a->pool = p;
    apr_pool_create(&a->conn_pool, p);
    a->settings = settings;
    a->role = role;
    a->queue = queue;
    a->slot = slot;
    a->reconnect_delay_ms = FIRST_RECONNECT_DELAY_MS;
    struct amqp_connection_info info;
    char *url = apr_pstrdup(p, settings->amqp_url ? settings->amqp_url : "");
    amqp_default_connection_info(&info);
    if (amqp_parse_url(url, &info) != AMQP_STATUS_OK) {
        a->url_error = apr_psprintf(p, "OroAmqpUrl \"%s\" cannot be parsed", settings->amqp_url);
        return a;
    }
    a->host = apr_pstrdup(p, info.host);
    a->user = apr_pstrdup(p, info.user);
    a->password = apr_pstrdup(p, info.password);
    a->vhost = apr_pstrdup(p, info.vhost);
    a->port = info.port;
    return a;
}

/* Text of a failed RPC reply. */
static const char *reply_text(apr_pool_t *p, amqp_rpc_reply_t r)
{
    switch (r.reply_type) {
    case AMQP_RESPONSE_NORMAL:
        return "no error";
    case AMQP_RESPONSE_NONE:
        return "no reply";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
        return amqp_error_string2(r.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
        if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
            amqp_connection_close_t *c = r.reply.decoded;
            return apr_psprintf(p, "connection closed by the broker: %d %.*s", c->reply_code,
                                (int)c->reply_text.len, (const char *)c->reply_text.bytes);
        }
        if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
            amqp_channel_close_t *c = r.reply.decoded;
            return apr_psprintf(p, "channel closed by the broker: %d %.*s", c->reply_code,
                                (int)c->reply_text.len, (const char *)c->reply_text.bytes);
        }
        return apr_psprintf(p, "broker error (method 0x%08x)", r.reply.id);
    }
    return "unknown error";
}

static void disconnect(oro_worker_amqp_t *a)
{
    if (a->conn != NULL) {
        if (a->connected) {
            amqp_connection_close(a->conn, AMQP_REPLY_SUCCESS);
        }
        amqp_destroy_connection(a->conn);
    }
    a->conn = NULL;
    a->connected = 0;
    apr_pool_clear(a->conn_pool);
    a->delay_declared = NULL;
}

void oro_amqp_broker_failed(oro_worker_amqp_t *a, const char *what, const char *why)
{
    int64_t now = oro_consumer_clock_ms();
    if (!a->in_outage) {
        ORO_WARN("worker %d (%s) %s: %s; reconnecting with backoff", a->slot, a->role, what, why);
        a->in_outage = 1;
        a->outage_since_ms = now;
    }
    else {
        ORO_DEBUG("worker %d (%s) %s: %s", a->slot, a->role, what, why);
    }
    disconnect(a);
    a->next_connect_ms = now + a->reconnect_delay_ms;
    a->reconnect_delay_ms *= 2;
    if (a->reconnect_delay_ms > MAX_RECONNECT_DELAY_MS) {
        a->reconnect_delay_ms = MAX_RECONNECT_DELAY_MS;
    }
}

static int declare_queue(oro_worker_amqp_t *a, int channel, const char *name, amqp_table_t args,
                         const char **why)
{
    amqp_queue_declare(a->conn, (amqp_channel_t)channel, amqp_cstring_bytes(name), 0, 1, 0, 0,
                       args);
    amqp_rpc_reply_t r = amqp_get_rpc_reply(a->conn);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        *why = apr_psprintf(a->conn_pool, "could not declare queue \"%s\": %s", name,
                            reply_text(a->conn_pool, r));
        return -1;
    }
    return 0;
}

static int declare_main_queues(oro_worker_amqp_t *a, int channel, const char **why)
{
    amqp_table_entry_t e[1];
    e[0].key = amqp_cstring_bytes("x-max-priority");
    e[0].value.kind = AMQP_FIELD_KIND_I32;
    e[0].value.value.i32 = ORO_MQ_PRIORITY_VERY_HIGH;
    amqp_table_t args = {1, e};
    if (declare_queue(a, channel, ORO_MQ_QUEUE_DEFAULT, args, why) != 0 ||
        declare_queue(a, channel, ORO_MQ_QUEUE_SEARCH, args, why) != 0) {
        return -1;
    }
    return 0;
}

/* The delay queue that holds messages for delay_ms before they enter queue;
 * declared (again) when needed. NULL with *why on a broker failure. */
static const char *delay_queue(oro_worker_amqp_t *a, int channel, const char *queue,
                               apr_int64_t delay_ms, const char **why)
{
    const char *name =
        apr_psprintf(a->conn_pool, "oro.delay.%" APR_INT64_T_FMT ".%s", delay_ms, queue);
    if (a->delay_declared == NULL) {
        a->delay_declared = apr_hash_make(a->conn_pool);
    }
    int64_t now = oro_consumer_clock_ms();
    int64_t *at = apr_hash_get(a->delay_declared, name, APR_HASH_KEY_STRING);
    if (at != NULL && now - *at < DELAY_QUEUE_REDECLARE_MS) {
        return name;
    }
    amqp_table_entry_t e[4];
    e[0].key = amqp_cstring_bytes("x-message-ttl");
    e[0].value.kind = AMQP_FIELD_KIND_I64;
    e[0].value.value.i64 = delay_ms;
    e[1].key = amqp_cstring_bytes("x-dead-letter-exchange");
    e[1].value.kind = AMQP_FIELD_KIND_UTF8;
    e[1].value.value.bytes = amqp_cstring_bytes("");
    e[2].key = amqp_cstring_bytes("x-dead-letter-routing-key");
    e[2].value.kind = AMQP_FIELD_KIND_UTF8;
    e[2].value.value.bytes = amqp_cstring_bytes(queue);
    e[3].key = amqp_cstring_bytes("x-expires");
    e[3].value.kind = AMQP_FIELD_KIND_I64;
    e[3].value.value.i64 = delay_ms + DELAY_QUEUE_SPARE_MS;
    amqp_table_t args = {4, e};
    if (declare_queue(a, channel, name, args, why) != 0) {
        return NULL;
    }
    if (at == NULL) {
        at = apr_palloc(a->conn_pool, sizeof *at);
        apr_hash_set(a->delay_declared, name, APR_HASH_KEY_STRING, at);
    }
    *at = now;
    return name;
}

/* Messages a consumer takes at once: the indexer commits once per batch and has its own,
 * larger size (OroQueueIndexerBatchSize). */
static int batch_size(const oro_worker_amqp_t *a)
{
    return strcmp(a->role, "indexer") == 0 ? a->settings->queue_indexer_batch_size
                                           : a->settings->queue_batch_size;
}

/* Connects, opens and sets up the channels of our role. */
static int connect_broker(oro_worker_amqp_t *a, const char **why)
{
    a->conn = amqp_new_connection();
    amqp_socket_t *socket = amqp_tcp_socket_new(a->conn);
    if (socket == NULL) {
        *why = "could not create a socket";
        return -1;
    }
    struct timeval timeout = {5, 0};
    int status = amqp_socket_open_noblock(socket, a->host, a->port, &timeout);
    if (status != AMQP_STATUS_OK) {
        *why = apr_psprintf(a->conn_pool, "could not connect to %s:%d: %s", a->host, a->port,
                            amqp_error_string2(status));
        return -1;
    }
    amqp_rpc_reply_t r =
        amqp_login(a->conn, a->vhost, 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, a->user, a->password);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        *why = apr_psprintf(a->conn_pool, "could not log in as \"%s\" to vhost \"%s\": %s", a->user,
                            a->vhost, reply_text(a->conn_pool, r));
        return -1;
    }
    a->connected = 1;
    amqp_channel_open(a->conn, CONSUME_CHANNEL);
    r = amqp_get_rpc_reply(a->conn);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        *why =
            apr_psprintf(a->conn_pool, "could not open a channel: %s", reply_text(a->conn_pool, r));
        return -1;
    }
    if (declare_main_queues(a, CONSUME_CHANNEL, why) != 0) {
        return -1;
    }
    if (a->queue == NULL) {
        amqp_confirm_select(a->conn, CONSUME_CHANNEL);
        r = amqp_get_rpc_reply(a->conn);
        if (r.reply_type != AMQP_RESPONSE_NORMAL) {
            *why = apr_psprintf(a->conn_pool, "could not enable publisher confirms: %s",
                                reply_text(a->conn_pool, r));
            return -1;
        }
        return 0;
    }
    amqp_channel_open(a->conn, REPUBLISH_CHANNEL);
    amqp_tx_select(a->conn, REPUBLISH_CHANNEL);
    r = amqp_get_rpc_reply(a->conn);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        *why = apr_psprintf(a->conn_pool, "could not open the republishing channel: %s",
                            reply_text(a->conn_pool, r));
        return -1;
    }
    /* NB: the prefetch counts AMQP messages, an envelope holds up to OroAmqpBatchSize:
     * twice the envelopes of a batch keeps the next ones coming while one is handled
     * and bounds what a worker holds (RabbitMQ has no prefetch in bytes) */
    int prefetch = batch_size(a);
    int per = a->settings->amqp_batch_size;
    if (per > 1 && 2 * ((prefetch + per - 1) / per) < prefetch) {
        prefetch = 2 * ((prefetch + per - 1) / per);
    }
    amqp_basic_qos(a->conn, CONSUME_CHANNEL, 0, (uint16_t)(prefetch > 65535 ? 65535 : prefetch), 0);
    amqp_basic_consume(a->conn, CONSUME_CHANNEL, amqp_cstring_bytes(a->queue), amqp_empty_bytes, 0,
                       0, 0, amqp_empty_table);
    r = amqp_get_rpc_reply(a->conn);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        *why = apr_psprintf(a->conn_pool, "could not consume queue \"%s\": %s", a->queue,
                            reply_text(a->conn_pool, r));
        return -1;
    }
    return 0;
}

/* Connects when due; returns 1 when connected. */
static int ensure_connected(oro_worker_amqp_t *a)
{
    if (a->connected) {
        return 1;
    }
    int64_t now = oro_consumer_clock_ms();
    if (now < a->next_connect_ms) {
        return 0;
    }
    if (a->url_error != NULL) {
        oro_amqp_broker_failed(a, "cannot connect to RabbitMQ", a->url_error);
        return 0;
    }
    const char *why = NULL;
    if (connect_broker(a, &why) != 0) {
        oro_amqp_broker_failed(a, "could not connect to RabbitMQ", why);
        return 0;
    }
    if (a->in_outage) {
        ORO_INFO("worker %d (%s) reconnected to RabbitMQ after %lld s", a->slot, a->role,
                 (long long)((now - a->outage_since_ms) / 1000));
        a->in_outage = 0;
    }
    a->reconnect_delay_ms = FIRST_RECONNECT_DELAY_MS;
    return 1;
}

/* Publishes one AMQP message (see worker_amqp_int.h). */
int oro_amqp_publish(oro_worker_amqp_t *a, int channel, const char *queue,
                     const oro_amqp_outgoing_t *m, const char **why)
{
    const char *target = queue;
    if (m->delay_ms > 0) {
        target = delay_queue(a, channel, queue, m->delay_ms, why);
        if (target == NULL) {
            return -1;
        }
    }
    amqp_table_entry_t h[3];
    h[0].key = amqp_cstring_bytes("x-oro-attempts");
    h[0].value.kind = AMQP_FIELD_KIND_I32;
    h[0].value.value.i32 = m->attempts;
    h[1].key = amqp_cstring_bytes("x-oro-expires-at");
    h[1].value.kind = AMQP_FIELD_KIND_I64;
    h[1].value.value.i64 = m->expires_at;
    h[2].key = amqp_cstring_bytes("x-oro-batch");
    h[2].value.kind = AMQP_FIELD_KIND_I32;
    h[2].value.value.i32 = m->envelope;
    amqp_basic_properties_t props;
    memset(&props, 0, sizeof props);
    props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG |
                   AMQP_BASIC_PRIORITY_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_TYPE_FLAG |
                   AMQP_BASIC_HEADERS_FLAG;
    props.content_type =
        amqp_cstring_bytes(m->envelope ? ORO_MQ_BATCH_CONTENT_TYPE : "application/json");
    props.delivery_mode = 2; /* persistent */
    props.priority = (uint8_t)m->priority;
    props.message_id = amqp_cstring_bytes(m->id);
    props.type = amqp_cstring_bytes(m->topic);
    props.headers.num_entries = m->envelope ? 3 : 2;
    props.headers.entries = h;
    amqp_bytes_t content = {m->body_len, (void *)m->body};
    int status = amqp_basic_publish(a->conn, (amqp_channel_t)channel, amqp_empty_bytes,
                                    amqp_cstring_bytes(target), 0, 0, &props, content);
    if (status != AMQP_STATUS_OK) {
        *why = apr_psprintf(a->conn_pool, "could not publish: %s", amqp_error_string2(status));
        return -1;
    }
    return 0;
}

static apr_int64_t header_int(const amqp_table_t *t, const char *key)
{
    for (int i = 0; i < t->num_entries; i++) {
        const amqp_table_entry_t *e = &t->entries[i];
        if (e->key.len == strlen(key) && memcmp(e->key.bytes, key, e->key.len) == 0) {
            switch (e->value.kind) {
            case AMQP_FIELD_KIND_I8:
                return e->value.value.i8;
            case AMQP_FIELD_KIND_I16:
                return e->value.value.i16;
            case AMQP_FIELD_KIND_I32:
                return e->value.value.i32;
            case AMQP_FIELD_KIND_I64:
                return e->value.value.i64;
            case AMQP_FIELD_KIND_U8:
                return e->value.value.u8;
            case AMQP_FIELD_KIND_U16:
                return e->value.value.u16;
            case AMQP_FIELD_KIND_U32:
                return e->value.value.u32;
            default:
                return 0;
            }
        }
    }
    return 0;
}

/* A message taken from the broker: a plain message, or one of an envelope's. */
typedef struct {
    int delivery; /* its AMQP delivery (index) */
    uint64_t tag;
    int batched; /* from an envelope */
    int redelivered;
    apr_int64_t expires_at;
    int expired;
    const char *dead; /* known before dispatch: dead-lettered with this reason */
    oro_mq_delivery_t d;
} received_t;

/* An AMQP delivery of the batch at hand. */
typedef struct {
    uint64_t tag;
    int release; /* a plain message not handled (the worker stops): rejected, requeued */
} delivery_t;

static const char *bytes_dup(apr_pool_t *p, amqp_bytes_t b, amqp_flags_t flags, amqp_flags_t flag)
{
    if (!(flags & flag) || b.bytes == NULL) {
        return "";
    }
    return apr_pstrmemdup(p, b.bytes, b.len);
}

/* Stores a message in oro_message_dead (the consumer side of amqp). */
static int bury(oro_db_t *db, apr_pool_t *p, const received_t *m, const char *reason,
                const char **error)
{
    apr_int64_t id = apr_atoi64(m->d.id);
    if (id <= 0) {
        id = epoch_ms() * 1000 + (apr_int64_t)(m->tag % 1000);
    }
    int my = db->dialect == ORO_DIALECT_MYSQL;
    const char *now = my ? "UTC_TIMESTAMP(6)" : "now()";
    const char *sql = apr_psprintf(
        p,
        "INSERT %s INTO oro_message_dead (id, queue, topic, body, priority, attempts, last_error, "
        "created_at, failed_at) VALUES (%" APR_INT64_T_FMT ", %s, %s, %s, %d, %d, %s, %s, %s)%s",
        my ? "IGNORE" : "", id,
        apr_pstrcat(p, "'", apr_dbd_escape(db->driver, p, m->d.queue, db->handle), "'", NULL),
        apr_pstrcat(p, "'", apr_dbd_escape(db->driver, p, m->d.topic, db->handle), "'", NULL),
        apr_pstrcat(p, "'", apr_dbd_escape(db->driver, p, m->d.body, db->handle), "'", NULL),
        m->d.priority, m->d.attempts,
        apr_pstrcat(p, "'", apr_dbd_escape(db->driver, p, reason, db->handle), "'", NULL), now, now,
        my ? "" : " ON CONFLICT (id) DO NOTHING");
    return oro_db_exec(db, p, error, NULL, sql, NULL);
}

/* Commits the republications of the AMQP transaction on the second channel. */
static int commit_republished(oro_worker_amqp_t *a, const char **why)
{
    amqp_tx_commit(a->conn, REPUBLISH_CHANNEL);
    amqp_rpc_reply_t r = amqp_get_rpc_reply(a->conn);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        *why = apr_psprintf(a->conn_pool, "could not commit republished messages: %s",
                            reply_text(a->conn_pool, r));
        return -1;
    }
    return 0;
}

/* Whether a delivery is a batch envelope (lib/mq/batch.h). */
static int is_envelope(const amqp_basic_properties_t *props)
{
    size_t n = strlen(ORO_MQ_BATCH_CONTENT_TYPE);
    return (props->_flags & AMQP_BASIC_CONTENT_TYPE_FLAG) && props->content_type.len == n &&
           memcmp(props->content_type.bytes, ORO_MQ_BATCH_CONTENT_TYPE, n) == 0;
}

/* Appends the messages of delivery number delivery (env) to got: the message itself,
 * or every message of an envelope. The attempts and the priority are the AMQP
 * message's; an envelope's expiry is per message. What an envelope holds after a
 * fault becomes one message dead-lettered with the reason (its bytes as printable
 * text), after the messages read before the fault. */
static void unpack(apr_pool_t *p, const char *queue, apr_array_header_t *got, int delivery,
                   const amqp_envelope_t *env, int64_t now_ms)
{
    const amqp_basic_properties_t *props = &env->message.properties;
    int has_headers = (props->_flags & AMQP_BASIC_HEADERS_FLAG) != 0;
    apr_int64_t previous = has_headers ? header_int(&props->headers, "x-oro-attempts") : 0;
    received_t proto;
    memset(&proto, 0, sizeof proto);
    proto.delivery = delivery;
    proto.tag = env->delivery_tag;
    proto.redelivered = env->redelivered;
    proto.d.queue = queue;
    proto.d.priority =
        (props->_flags & AMQP_BASIC_PRIORITY_FLAG) ? props->priority : ORO_MQ_PRIORITY_NORMAL;
    proto.d.attempts = (int)previous + 1;
    const char *bytes = env->message.body.bytes ? env->message.body.bytes : "";
    apr_size_t len = env->message.body.bytes ? env->message.body.len : 0;
    if (!is_envelope(props)) {
        received_t *m = apr_array_push(got);
        *m = proto;
        m->expires_at = has_headers ? header_int(&props->headers, "x-oro-expires-at") : 0;
        m->expired = m->expires_at > 0 && m->expires_at < now_ms;
        m->d.id = bytes_dup(p, props->message_id, props->_flags, AMQP_BASIC_MESSAGE_ID_FLAG);
        m->d.topic = bytes_dup(p, props->type, props->_flags, AMQP_BASIC_TYPE_FLAG);
        m->d.body = apr_pstrmemdup(p, bytes, len);
        return;
    }
    oro_mq_batch_item_t *items = NULL;
    int n = 0;
    apr_size_t bad_at = 0;
    const char *error = NULL;
    int rc = oro_mq_batch_decode(p, bytes, len, &items, &n, &bad_at, &error);
    for (int i = 0; i < n; i++) {
        received_t *m = apr_array_push(got);
        *m = proto;
        m->batched = 1;
        m->expires_at = items[i].expires_at;
        m->expired = m->expires_at > 0 && m->expires_at < now_ms;
        m->dead = items[i].error;
        m->d.id = items[i].id;
        m->d.topic = items[i].topic;
        m->d.body = items[i].body;
    }
    if (rc != 0) {
        received_t *m = apr_array_push(got);
        *m = proto;
        m->batched = 1;
        m->dead = apr_psprintf(p, "malformed batch envelope: %s", error);
        m->d.id = "";
        m->d.topic = ORO_MQ_BATCH_TYPE;
        m->d.body = oro_mq_batch_printable(p, bytes + bad_at, len - bad_at);
    }
}

/* A consumer: the deliveries at hand (up to a batch of messages, envelopes unpacked),
 * handled and acked. */
static int consume_step(oro_worker_amqp_t *a, oro_db_t *db, apr_pool_t *p, apr_uint64_t *processed,
                        apr_uint64_t *failed, int (*stop)(void), const char **error)
{
    const oro_settings_t *s = a->settings;
    int max = batch_size(a);
    apr_array_header_t *got = apr_array_make(p, 256, sizeof(received_t));
    apr_array_header_t *deliveries = apr_array_make(p, 64, sizeof(delivery_t));
    const char *why = NULL;
    int64_t now_ms = epoch_ms();
    while (got->nelts < max) {
        amqp_envelope_t env;
        struct timeval zero = {0, 0};
        amqp_maybe_release_buffers(a->conn);
        amqp_rpc_reply_t r = amqp_consume_message(a->conn, &env, &zero, 0);
        if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
            r.library_error == AMQP_STATUS_TIMEOUT) {
            break;
        }
        if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
            r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
            amqp_frame_t frame;
            if (amqp_simple_wait_frame(a->conn, &frame) != AMQP_STATUS_OK ||
                (frame.frame_type == AMQP_FRAME_METHOD &&
                 (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
                  frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD))) {
                why = "the broker closed the connection";
                break;
            }
            continue;
        }
        if (r.reply_type != AMQP_RESPONSE_NORMAL) {
            why = reply_text(p, r);
            break;
        }
        delivery_t *dl = apr_array_push(deliveries);
        dl->tag = env.delivery_tag;
        dl->release = 0;
        unpack(p, a->queue, got, deliveries->nelts - 1, &env, now_ms);
        amqp_destroy_envelope(&env);
    }
    int n = got->nelts;
    int nd = deliveries->nelts;
    received_t *all = (received_t *)got->elts;
    delivery_t *dls = (delivery_t *)deliveries->elts;
    if (why != NULL && nd == 0) {
        oro_amqp_broker_failed(a, "could not consume", why);
        return 0;
    }
    /* Deliveries counted again, and those handed on to a processor. */
    oro_mq_delivery_t *todo = apr_palloc(p, sizeof *todo * (apr_size_t)(n + 1));
    int *expired = apr_palloc(p, sizeof *expired * (apr_size_t)(n + 1));
    int *index = apr_palloc(p, sizeof *index * (apr_size_t)(n + 1));
    oro_outcome_t *outcomes = apr_pcalloc(p, sizeof *outcomes * (apr_size_t)(n + 1));
    int k = 0;
    int republished = 0;
    for (int i = 0; i < n && why == NULL; i++) {
        received_t *m = &all[i];
        if (m->dead != NULL) {
            ORO_WARN("message %s (%s) is dead-lettered: %s", m->d.id[0] ? m->d.id : "-", m->d.topic,
                     m->dead);
            if (bury(db, p, m, m->dead, error) != 0) {
                return -1;
            }
            (*failed)++;
            continue;
        }
        if (!m->redelivered) {
            todo[k] = m->d;
            expired[k] = m->expired;
            index[k++] = i;
            continue;
        }
        /* its worker died holding it: count that delivery (an envelope's messages
         * go on alone: which of them killed the worker is not known) */
        if (m->d.attempts >= s->queue_max_attempts) {
            const char *reason = apr_psprintf(
                p, "delivered %d times without an answer (its worker died)", m->d.attempts);
            if (bury(db, p, m, reason, error) != 0) {
                return -1;
            }
            ORO_WARN("message %s (%s) is dead-lettered: %s", m->d.id, m->d.topic, reason);
            (*failed)++;
        }
        else {
            oro_amqp_outgoing_t out = {m->d.id,           m->d.topic,    m->d.body,
                                       strlen(m->d.body), m->d.priority, 0,
                                       m->d.attempts,     m->expires_at, 0};
            if (oro_amqp_publish(a, REPUBLISH_CHANNEL, a->queue, &out, &why) == 0) {
                republished++;
            }
        }
    }
    if (why == NULL && k > 0) {
        oro_mq_context_t ctx = {.db = db, .settings = s, .pool = p};
        oro_consumer_dispatch(&ctx, todo, expired, k, outcomes, stop);
    }
    int skipped = 0;
    for (int j = 0; j < k && why == NULL; j++) {
        received_t *m = &all[index[j]];
        const oro_outcome_t *o = &outcomes[j];
        oro_amqp_outgoing_t out = {m->d.id,           m->d.topic,    m->d.body,
                                   strlen(m->d.body), m->d.priority, 0,
                                   m->d.attempts,     m->expires_at, 0};
        if (o->kind == ORO_OUTCOME_ACK) {
            (*processed)++;
        }
        else if (o->kind == ORO_OUTCOME_RETRY) {
            out.delay_ms = o->delay_ms;
            if (oro_amqp_publish(a, REPUBLISH_CHANNEL, a->queue, &out, &why) != 0) {
                break;
            }
            republished++;
            (*failed)++;
        }
        else if (o->kind == ORO_OUTCOME_DEAD) {
            ORO_WARN("message %s (%s) is dead-lettered: %s", m->d.id, m->d.topic, o->reason);
            if (bury(db, p, m, o->reason, error) != 0) {
                return -1; /* not acked: the broker delivers it again */
            }
            (*failed)++;
        }
        else if (m->batched) {
            /* not handled, and its envelope is acked with the rest: it goes back alone,
             * its attempt given back */
            out.attempts = m->d.attempts - 1;
            if (oro_amqp_publish(a, REPUBLISH_CHANNEL, a->queue, &out, &why) != 0) {
                break;
            }
            republished++;
        }
        else {
            dls[m->delivery].release = 1;
            skipped++;
        }
    }
    if (why == NULL && republished > 0) {
        commit_republished(a, &why);
    }
    if (why != NULL) {
        oro_amqp_broker_failed(a, "could not finish a batch", why);
        return 0; /* unacked deliveries return to the queue with the connection */
    }
    int status = AMQP_STATUS_OK;
    if (skipped == 0 && nd > 0) {
        status = amqp_basic_ack(a->conn, CONSUME_CHANNEL, dls[nd - 1].tag, 1);
    }
    else {
        for (int i = 0; i < nd && status == AMQP_STATUS_OK; i++) {
            status = dls[i].release ? amqp_basic_reject(a->conn, CONSUME_CHANNEL, dls[i].tag, 1)
                                    : amqp_basic_ack(a->conn, CONSUME_CHANNEL, dls[i].tag, 0);
        }
    }
    if (status != AMQP_STATUS_OK) {
        oro_amqp_broker_failed(a, "could not acknowledge", amqp_error_string2(status));
        return 0;
    }
    return n;
}

int oro_worker_amqp_step(oro_worker_amqp_t *a, oro_db_t *db, apr_pool_t *scratch,
                         apr_uint64_t *processed, apr_uint64_t *failed, int (*stop)(void),
                         const char **error)
{
    *error = NULL;
    if (!ensure_connected(a)) {
        return 0;
    }
    if (a->queue == NULL) {
        return oro_amqp_relay_step(a, db, scratch, processed, error);
    }
    return consume_step(a, db, scratch, processed, failed, stop, error);
}

apr_int64_t oro_worker_amqp_idle_ms(oro_worker_amqp_t *a)
{
    if (!a->connected) {
        int64_t ms = a->next_connect_ms - oro_consumer_clock_ms();
        return ms < 1 ? 1 : ms;
    }
    if (a->queue == NULL) {
        /* the relay: woken by NOTIFY on PostgreSQL, else polling */
        return a->settings->queue_poll_interval;
    }
    if (amqp_frames_enqueued(a->conn) || amqp_data_in_buffer(a->conn)) {
        return 0;
    }
    return 1000;
}

int oro_worker_amqp_fd(oro_worker_amqp_t *a)
{
    if (!a->connected || a->queue == NULL) {
        return -1;
    }
    return amqp_get_sockfd(a->conn);
}

void oro_worker_amqp_close(oro_worker_amqp_t *a)
{
    disconnect(a);
}
