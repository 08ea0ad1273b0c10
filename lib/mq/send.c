/* lib/mq/send.c — producers' side of both transports: validation and the insert of
 * a message (dbal) or an outbox row (amqp) in the caller's transaction; see mq.h
 * and transport.h.
 *
 * The statement text carries escaped literals rather than parameter markers: the
 * caller's handle may be any connection (mod_dbd's pool in httpd), so a prepared
 * statement could not be cached, and preparing per call would double the round
 * trips of every write request. */
#include "mq/transport.h"

#include <apr_strings.h>
#include <json-c/json.h>
#include <stdatomic.h>
#include <string.h>

/* NOTIFY coalescing (see transport.h): whether every send notifies (tests and
 * benchmarks), and counts of this process's sends that notified or did not. */
static _Atomic int notify_always;
static _Atomic unsigned long notifies_sent, notifies_skipped;

void oro_mq_set_notify_always(int always)
{
    atomic_store(&notify_always, always != 0);
}

void oro_mq_notify_counts(unsigned long *sent, unsigned long *skipped)
{
    *sent = atomic_load(&notifies_sent);
    *skipped = atomic_load(&notifies_skipped);
}

int oro_mq_queue_known(const char *queue)
{
    return queue != NULL &&
           (strcmp(queue, ORO_MQ_QUEUE_DEFAULT) == 0 || strcmp(queue, ORO_MQ_QUEUE_SEARCH) == 0);
}

const char *oro_mq_check_body(apr_pool_t *p, const char *body)
{
    if (body == NULL) {
        return "the body is missing";
    }
    size_t len = strlen(body);
    if (len > ORO_MQ_MAX_BODY) {
        return apr_psprintf(p, "the body has %" APR_SIZE_T_FMT " bytes, more than %d", len,
                            ORO_MQ_MAX_BODY);
    }
    /* NB: json-c accepts 'single-quoted' strings even in strict mode; JSON does not */
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        if (in_string && body[i] == '\\') {
            i++;
        }
        else if (body[i] == '"') {
            in_string = !in_string;
        }
        else if (!in_string && body[i] == '\'') {
            return apr_psprintf(
                p, "the body is not valid JSON: a single quote at byte %" APR_SIZE_T_FMT, i);
        }
    }
    json_tokener *tok = json_tokener_new();
    if (tok == NULL) {
        return "out of memory while parsing the body";
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    json_object *doc = json_tokener_parse_ex(tok, body, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    const char *why = NULL;
    if (jerr == json_tokener_continue) {
        why = "the body is not valid JSON: it ends too early";
    }
    else if (jerr != json_tokener_success) {
        why = apr_psprintf(p, "the body is not valid JSON: %s at byte %" APR_SIZE_T_FMT,
                           json_tokener_error_desc(jerr), used);
    }
    else {
        while (used < len && strchr(" \t\r\n", body[used]) != NULL) {
            used++;
        }
        if (used < len) {
            why = apr_psprintf(
                p, "the body is not valid JSON: text after the value at byte %" APR_SIZE_T_FMT,
                used);
        }
    }
    json_object_put(doc);
    json_tokener_free(tok);
    return why;
}

const char *oro_mq_validate(apr_pool_t *p, const oro_mq_message_t *m)
{
    if (!oro_mq_queue_known(m->queue)) {
        return apr_psprintf(
            p, "unknown queue \"%s\" (use " ORO_MQ_QUEUE_DEFAULT " or " ORO_MQ_QUEUE_SEARCH ")",
            m->queue ? m->queue : "");
    }
    if (m->topic == NULL || m->topic[0] == '\0') {
        return "the topic is empty";
    }
    size_t tlen = strlen(m->topic);
    if (tlen > ORO_MQ_MAX_TOPIC) {
        return apr_psprintf(p, "the topic is longer than %d characters", ORO_MQ_MAX_TOPIC);
    }
    if (strspn(m->topic, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
        tlen) {
        return apr_psprintf(
            p, "topic \"%s\" has characters other than letters, digits, '.', '_' and '-'",
            m->topic);
    }
    if (m->priority < ORO_MQ_PRIORITY_VERY_LOW || m->priority > ORO_MQ_PRIORITY_VERY_HIGH) {
        return apr_psprintf(p, "priority %d is not from 0 to 4", m->priority);
    }
    if (m->delay_ms < 0 || m->delay_ms > ORO_MQ_MAX_DELAY_MS) {
        return apr_psprintf(p, "delay %" APR_INT64_T_FMT " ms is not from 0 to 30 days",
                            m->delay_ms);
    }
    if (m->expire_ms < 0 || m->expire_ms > ORO_MQ_MAX_DELAY_MS) {
        return apr_psprintf(p, "expiry %" APR_INT64_T_FMT " ms is not from 0 to 30 days",
                            m->expire_ms);
    }
    return oro_mq_check_body(p, m->body);
}

apr_int64_t oro_mq_backoff_ms(int attempts, apr_int64_t base_ms, apr_int64_t max_ms)
{
    if (base_ms <= 0 || max_ms <= 0) {
        return 0;
    }
    if (attempts < 1) {
        attempts = 1;
    }
    apr_int64_t delay = base_ms;
    for (int i = 1; i < attempts && delay < max_ms; i++) {
        delay *= 2;
    }
    return delay > max_ms ? max_ms : delay;
}

/* "'escaped'" for the driver. */
static const char *literal(const apr_dbd_driver_t *driver, apr_dbd_t *handle, apr_pool_t *p,
                           const char *s)
{
    return apr_pstrcat(p, "'", apr_dbd_escape(driver, p, s, handle), "'", NULL);
}

/* The statement that wakes one worker waiting for payload's messages (or every
 * listener when notify_always is set): a SELECT whose row count says whether it did. */
static const char *notify_sql(const apr_dbd_driver_t *driver, apr_dbd_t *handle, apr_pool_t *p,
                              const char *payload)
{
    const char *lit = literal(driver, handle, p, payload);
    return atomic_load(&notify_always)
               ? apr_pstrcat(p, "SELECT pg_notify('" ORO_MQ_CHANNEL "', ", lit, ")", NULL)
               : apr_pstrcat(p, "SELECT pg_notify(channel, ", lit,
                             ") FROM oro_message_waiting WHERE queue = ", lit,
                             " ORDER BY since DESC LIMIT 1", NULL);
}

/* The INSERT of count messages (count 1: a VALUES row; more: a generated series). */
static const char *insert_sql(const apr_dbd_driver_t *driver, apr_dbd_t *handle, apr_pool_t *p,
                              oro_dialect_t dialect, oro_mq_transport_t transport,
                              const oro_mq_message_t *m, long count)
{
    const char *q = literal(driver, handle, p, m->queue);
    const char *t = literal(driver, handle, p, m->topic);
    const char *b = literal(driver, handle, p, m->body);
    const char *now = dialect == ORO_DIALECT_MYSQL ? "UTC_TIMESTAMP(6)" : "now()";
    const char *values;
    const char *table;
    if (transport == ORO_MQ_AMQP) {
        table =
            "oro_message_outbox (queue, topic, body, priority, delay_ms, expire_ms, created_at)";
        values = apr_psprintf(p, "%s, %s, %s, %d, %" APR_INT64_T_FMT ", %" APR_INT64_T_FMT ", %s",
                              q, t, b, m->priority, m->delay_ms, m->expire_ms, now);
    }
    else {
        table = "oro_message_queue (queue, topic, body, priority, delayed_until, expires_at, "
                "attempts, created_at)";
        const char *delayed, *expires;
        if (dialect == ORO_DIALECT_MYSQL) {
            delayed =
                apr_psprintf(p, "UTC_TIMESTAMP(6) + INTERVAL %" APR_INT64_T_FMT " MICROSECOND",
                             m->delay_ms * 1000);
            expires = m->expire_ms > 0
                          ? apr_psprintf(
                                p, "UTC_TIMESTAMP(6) + INTERVAL %" APR_INT64_T_FMT " MICROSECOND",
                                m->expire_ms * 1000)
                          : "NULL";
        }
        else {
            delayed = m->delay_ms > 0
                          ? apr_psprintf(p, "now() + interval '%" APR_INT64_T_FMT " milliseconds'",
                                         m->delay_ms)
                          : "now()";
            expires = m->expire_ms > 0
                          ? apr_psprintf(p, "now() + interval '%" APR_INT64_T_FMT " milliseconds'",
                                         m->expire_ms)
                          : "NULL";
        }
        values = apr_psprintf(p, "%s, %s, %s, %d, %s, %s, 0, %s", q, t, b, m->priority, delayed,
                              expires, now);
    }
    if (count <= 1) {
        return apr_psprintf(p, "INSERT INTO %s VALUES (%s)", table, values);
    }
    if (dialect == ORO_DIALECT_MYSQL) {
        /* NB: MariaDB stops a recursive CTE at max_recursive_iterations (1000 by
         * default); raised for this statement only */
        return apr_psprintf(
            p,
            "SET STATEMENT max_recursive_iterations = %ld FOR "
            "INSERT INTO %s WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
            "FROM n WHERE i < %ld) SELECT %s FROM n",
            count + 1, table, count, values);
    }
    return apr_psprintf(p, "INSERT INTO %s SELECT %s FROM generate_series(1, %ld)", table, values,
                        count);
}

/* oro_mq_send_many, and oro_mq_send_deferred when notify is not NULL: then the NOTIFY
 * is left to the caller, after its commit, and *notify names its payload. */
static int send_rows(const apr_dbd_driver_t *driver, apr_dbd_t *handle, apr_pool_t *p,
                     oro_dialect_t dialect, oro_mq_transport_t transport, const oro_mq_message_t *m,
                     long count, const char **notify, const char **error)
{
    const char *topic = m->topic && m->topic[0] ? m->topic : "(no topic)";
    const char *why = oro_mq_validate(p, m);
    if (why == NULL && count < 1) {
        why = "the count is not positive";
    }
    if (why != NULL) {
        *error = apr_psprintf(p, "could not enqueue %s: %s", topic, why);
        return -1;
    }
    const char *sql = insert_sql(driver, handle, p, dialect, transport, m, count);
    const char *payload = transport == ORO_MQ_AMQP ? "outbox" : m->queue;
    int pg = dialect == ORO_DIALECT_PGSQL && notify == NULL;
    if (notify != NULL) {
        *notify = dialect == ORO_DIALECT_PGSQL ? payload : NULL;
    }
    else if (pg) {
        /* NB: a NOTIFY takes a global lock at commit and holds it through the commit's
         * WAL flush, so transactions that notify cannot share a flush (group commit).
         * The NOTIFY is sent only when a worker waits for it (a row in
         * oro_message_waiting, transport.h), and only to one of them: on its own
         * channel, the one registered last (a row long registered is likelier to be a
         * dead worker's left-over); busy or polling workers find the message without it.
         * The same simple query carries it: one round trip, and the SELECT's row count
         * tells whether it notified. PostgreSQL delivers one notification per channel
         * and payload per transaction, so a bulk write wakes the workers once. */
        sql = apr_pstrcat(p, sql, "; ", notify_sql(driver, handle, p, payload), NULL);
    }
    int nrows = 0;
    int rc = apr_dbd_query(driver, handle, &nrows, sql);
    if (rc != 0) {
        const char *dbe = apr_dbd_error(driver, handle, rc);
        *error = apr_psprintf(p, "could not enqueue %s: %s", topic, oro_db_one_line(p, dbe));
        return -1;
    }
    if (pg) {
        atomic_fetch_add(nrows > 0 ? &notifies_sent : &notifies_skipped, 1);
    }
    *error = NULL;
    return 0;
}

int oro_mq_send_many(const apr_dbd_driver_t *driver, apr_dbd_t *handle, apr_pool_t *p,
                     oro_dialect_t dialect, oro_mq_transport_t transport, const oro_mq_message_t *m,
                     long count, const char **error)
{
    return send_rows(driver, handle, p, dialect, transport, m, count, NULL, error);
}

int oro_mq_send_deferred(const apr_dbd_driver_t *driver, apr_dbd_t *handle, apr_pool_t *p,
                         oro_dialect_t dialect, oro_mq_transport_t transport,
                         const oro_mq_message_t *m, const char **notify, const char **error)
{
    return send_rows(driver, handle, p, dialect, transport, m, 1, notify, error);
}

int oro_mq_notify_committed(const apr_dbd_driver_t *driver, apr_dbd_t *handle, apr_pool_t *p,
                            const char *payload, const char **error)
{
    /* NB: alone in its transaction the NOTIFY writes no WAL (no transaction id, no
     * commit record: checked with pg_current_wal_lsn), so its global lock is held for
     * an instant, not through a WAL flush */
    const char *sql = notify_sql(driver, handle, p, payload);
    int nrows = 0;
    int rc = apr_dbd_query(driver, handle, &nrows, sql);
    if (rc != 0) {
        *error = apr_psprintf(p, "could not notify the consumers of %s: %s", payload,
                              oro_db_one_line(p, apr_dbd_error(driver, handle, rc)));
        return -1;
    }
    *error = NULL;
    return 0;
}

int oro_mq_send(const apr_dbd_driver_t *driver, apr_dbd_t *handle, apr_pool_t *p,
                oro_dialect_t dialect, oro_mq_transport_t transport, const oro_mq_message_t *m,
                const char **error)
{
    return oro_mq_send_many(driver, handle, p, dialect, transport, m, 1, error);
}
