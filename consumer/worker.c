/* consumer/worker.c — a worker process; see worker.h.
 *
 * Each turn of the loop connects if disconnected (with backoff), writes the
 * heartbeat row when it is due, then claims and handles one batch of messages
 * (dbal) or relays / consumes through RabbitMQ (amqp, amqp_worker.c). When there was
 * nothing to do it waits: on PostgreSQL for a NOTIFY on the connection's socket,
 * polling every ORO_MQ_POLL_MAX_MS for ORO_MQ_POLL_WINDOW_MS after the last work and
 * then registered in oro_message_waiting so that producers notify (at most a second,
 * for delayed messages; NOTIFY coalescing, mq/transport.h); on MariaDB for a poll
 * delay that starts at 1 ms after the last message and doubles up to
 * OroQueuePollInterval. */
#include "worker.h"
#include "clock.h"

#include <apr_dbd.h>
#include <apr_hash.h>
#include <apr_network_io.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <signal.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include <postgresql/libpq-fe.h>
#include <stdio.h>

#include "consume.h"
#include "db/db.h"
#include "mq/dbal.h"
#include "mq/heartbeat.h"
#include "mq/transport.h"
#include "util/log.h"
#include "worker_amqp.h"

/* The first claim after an empty or partial one (dbal); claims double up to
 * OroQueueBatchSize while they come back full. */
#define CLAIM_FIRST 100

/* The pause after a claim that drained the queue (dbal), so that claims under a
 * steady load take several messages each. */
#define PARTIAL_PAUSE_MS 1
/* The indexer's pause after a partial claim: a search stays current within a tenth of
 * a second more, and a stream of writes is committed to the index ten times a second at
 * most instead of once per handful of messages. */
#define INDEXER_PARTIAL_PAUSE_MS 100

/* How long after connecting a worker releases its dead predecessor's claims again. */
#define LATE_RELEASE_MS 2000

/* The first reconnect delay; it doubles up to the heartbeat interval. */
#define RECONNECT_FIRST_DELAY_MS 1000

typedef struct {
    const oro_consumer_worker_spec_t *spec;
    apr_pool_t *pool;      /* the worker's lifetime */
    apr_pool_t *conn_pool; /* parent of the connection; cleared before each attempt, so
                              a long outage does not pile up failed attempts */
    apr_pool_t *scratch;   /* one turn of the loop */
    const char *host;      /* the heartbeat row's key: host and pid */
    const char *pid;
    pid_t predecessor_pid;      /* spec->replaces_pid until its row is deleted */
    pid_t late_release_pids[2]; /* dbal: the predecessors whose claims are released
                                   again at late_release_ms (see release_late) */
    int64_t late_release_ms;
    oro_db_t *db; /* NULL while disconnected */
    int64_t interval_ms;
    int64_t next_connect_ms;
    int64_t reconnect_delay_ms;
    int64_t next_beat_ms;
    int in_outage; /* the outage was logged; later failures are not */
    int64_t outage_since_ms;
    int heartbeat_failing;  /* a heartbeat error was logged and has not cleared */
    apr_uint64_t processed; /* messages handled, reported in the heartbeat row */
    apr_uint64_t failed;
    const char *name;       /* host:pid, the claimed_by of our messages */
    const char *channel;    /* PostgreSQL: our own NOTIFY channel, oro_mq_HOSTHASH_PID */
    const char *queue;      /* the queue of our role; NULL for the relay */
    oro_mq_dbal_t *claimer; /* dbal: NULL while disconnected */
    int claim_size;         /* dbal: the next claim's limit (adaptive) */
    int partial;            /* dbal: the last claim had messages, but fewer than asked */
    PGconn *listen_conn;    /* PostgreSQL: the connection that LISTENs */
    int64_t poll_delay_ms;  /* MariaDB, and PostgreSQL in the poll window: the next idle
                               poll's delay */
    int64_t active_ms;      /* PostgreSQL: when we last found work or got our NOTIFY; the
                               poll window (ORO_MQ_POLL_WINDOW_MS) runs from here */
    int waiting;            /* PostgreSQL: our row is in oro_message_waiting */
    int64_t waiting_since_ms;
    int waiting_failed;                        /* registering failed; logged once per connection */
    const char *register_sql, *unregister_sql; /* on db's pool */
    int64_t started_ms;
    int limit_reached; /* a --*-limit was reached: exit as after SIGTERM */
    int stopping;      /* SIGTERM seen pending between messages */
    oro_worker_amqp_t *amqp;
} worker_t;

static volatile sig_atomic_t stop_requested;

static void prepare_waiting_sql(worker_t *w);
static int set_waiting(worker_t *w, int on);

static void on_sigterm(int signo)
{
    (void)signo;
    stop_requested = 1;
}

/* SIGTERM stays blocked except while the worker waits (wait_until), so it never cuts
 * a statement short: the worker finishes the step it is in, then stops.
 * SIGINT is ignored because a Ctrl-C in the foreground reaches the whole process
 * group, and the supervisor turns it into an orderly SIGTERM; SIGHUP likewise is the
 * supervisor's to handle. */
static void install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_sigterm;
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &sa, NULL);

    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGTERM);
    sigprocmask(SIG_SETMASK, &blocked, NULL);
}

/* Sleeps until deadline_ms (oro_consumer_clock_ms) or until SIGTERM arrives.
 * pselect unblocks SIGTERM atomically, so a SIGTERM sent just before the call still
 * wakes it at once. */
static void wait_until(int64_t deadline_ms, int fd)
{
    int64_t ms = deadline_ms - oro_consumer_clock_ms();
    if (ms <= 0) {
        return;
    }
    struct timespec timeout = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    sigset_t unblocked;
    sigemptyset(&unblocked);
    fd_set readable;
    FD_ZERO(&readable);
    if (fd >= 0) {
        FD_SET(fd, &readable);
    }
    pselect(fd >= 0 ? fd + 1 : 0, fd >= 0 ? &readable : NULL, NULL, NULL, &timeout, &unblocked);
}

static void disconnect(worker_t *w)
{
    oro_db_close(w->db);
    w->db = NULL;
    w->claimer = NULL;
    w->listen_conn = NULL;
    w->waiting = 0; /* a new connection registers again */
    w->waiting_failed = 0;
}

/* Between messages: whether a SIGTERM waits (it stays blocked while we work). */
static int sigterm_pending(void)
{
    sigset_t pending;
    sigpending(&pending);
    return sigismember(&pending, SIGTERM);
}

/* Resident memory in MB, from /proc/self/statm; 0 if unknown. */
static long resident_mb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f == NULL) {
        return 0;
    }
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) {
        resident = 0;
    }
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024) / 1024;
}

/* Sets limit_reached (with a log line) once a --*-limit is reached. */
static void check_limits(worker_t *w, int64_t now)
{
    const oro_consumer_worker_spec_t *spec = w->spec;
    const char *why = NULL;
    if (spec->message_limit > 0 && w->processed + w->failed >= (apr_uint64_t)spec->message_limit) {
        why =
            apr_psprintf(w->scratch, "handled %ld messages (--message-limit)", spec->message_limit);
    }
    else if (spec->time_limit_s > 0 && now - w->started_ms >= spec->time_limit_s * 1000) {
        why = apr_psprintf(w->scratch, "ran %ld s (--time-limit)", spec->time_limit_s);
    }
    else if (spec->memory_limit_mb > 0) {
        long mb = resident_mb();
        if (mb > spec->memory_limit_mb) {
            why = apr_psprintf(w->scratch, "uses %ld MB, more than --memory-limit %ld", mb,
                               spec->memory_limit_mb);
        }
    }
    if (why != NULL) {
        ORO_INFO("worker %d exits to be replaced: it %s", spec->slot, why);
        w->limit_reached = 1;
    }
}

/* PostgreSQL, after connecting: LISTENs on the common channel and on the worker's own
 * (producers wake one waiting worker through its channel, transport.h), and makes the
 * session's commits asynchronous. The worker's own commits (claims, acks, retries, the
 * relay's deletes, and what processors write on its connection) do not wait for the
 * WAL flush. Safe for at-least-once delivery: the producer's insert is durable; WAL is
 * written in order, so a crash that loses a commit of this session loses every later
 * one too, and an ack is always later than the effects of the message it acknowledges
 * — at worst messages acknowledged in the last moments before a crash are processed
 * again. It takes the flush out of every claim and ack. See docs/decisions.md. */
static int listen_setup(worker_t *w, const char **error)
{
    int nrows;
    const char *sql = apr_psprintf(w->scratch,
                                   "LISTEN " ORO_MQ_CHANNEL "; LISTEN \"%s\"; "
                                   "SET synchronous_commit = off",
                                   w->channel);
    int rc = apr_dbd_query(w->db->driver, w->db->handle, &nrows, sql);
    if (rc != 0) {
        *error = oro_db_one_line(w->scratch, apr_dbd_error(w->db->driver, w->db->handle, rc));
        return -1;
    }
    w->listen_conn = apr_dbd_native_handle(w->db->driver, w->db->handle);
    prepare_waiting_sql(w);
    return 0;
}

/* After connecting (dbal, default and indexer roles): prepares the claim, LISTENs on
 * PostgreSQL, and releases messages that this worker's predecessor in the slot or
 * this worker itself (before a lost connection) had claimed. */
static int open_queue(worker_t *w, const char **error)
{
    const oro_settings_t *s = w->spec->settings;
    w->claimer = oro_mq_dbal_open(w->db, w->queue, w->name, s->queue_visibility_timeout, error);
    if (w->claimer == NULL) {
        return -1;
    }
    if (w->db->dialect == ORO_DIALECT_PGSQL) {
        if (listen_setup(w, error) != 0) {
            return -1;
        }
    }
    int released = 0;
    if (oro_mq_dbal_release_worker(w->db, w->scratch, w->name, &released, error) != 0) {
        return -1;
    }
    /* the predecessor, and the one before it when that died young (supervisor.c) */
    pid_t dead_pids[2] = {w->predecessor_pid, w->spec->replaces_earlier_pid};
    for (int i = 0; i < 2; i++) {
        int more = 0;
        if (dead_pids[i] <= 0) {
            continue;
        }
        const char *dead = apr_psprintf(w->scratch, "%s:%ld", w->host, (long)dead_pids[i]);
        if (oro_mq_dbal_release_worker(w->db, w->scratch, dead, &more, error) != 0) {
            return -1;
        }
        if (more > 0) {
            ORO_INFO("worker %d released %d messages of its dead predecessor (pid %ld)",
                     w->spec->slot, more, (long)dead_pids[i]);
        }
        w->late_release_pids[i] = dead_pids[i];
        w->late_release_ms = oro_consumer_clock_ms() + LATE_RELEASE_MS;
    }
    if (released > 0) {
        ORO_INFO("worker %d released %d messages it held before reconnecting", w->spec->slot,
                 released);
    }
    return 0;
}

/* Releases the dead predecessor's claims a second time. A worker killed in the middle
 * of its claim leaves the statement running in its server process, which may commit
 * the claim after the replacement released the predecessor's messages at connect;
 * those would wait for the visibility timeout. Best effort: a failure is logged. */
static void release_late(worker_t *w)
{
    for (int i = 0; i < 2; i++) {
        int more = 0;
        const char *error;
        if (w->late_release_pids[i] <= 0) {
            continue;
        }
        const char *dead =
            apr_psprintf(w->scratch, "%s:%ld", w->host, (long)w->late_release_pids[i]);
        if (oro_mq_dbal_release_worker(w->db, w->scratch, dead, &more, &error) != 0) {
            ORO_WARN("worker %d could not release the messages of its dead predecessor: %s",
                     w->spec->slot, error);
        }
        else if (more > 0) {
            ORO_INFO("worker %d released %d more messages of its dead predecessor (pid %ld), "
                     "claimed after it died",
                     w->spec->slot, more, (long)w->late_release_pids[i]);
        }
        w->late_release_pids[i] = 0;
    }
}

/* Claims and handles one batch (dbal). Returns the number of messages handled, 0
 * when the queue had none deliverable, -1 with *error on a database failure
 * (messages of the batch that were not acked are released on reconnect). */
static int consume_batch(worker_t *w, const char **error)
{
    const oro_settings_t *s = w->spec->settings;
    /* Adaptive: a claim that came back full doubles the next one up to the batch size;
     * one that did not starts again small, so that a few messages are shared between the
     * workers rather than taken by the first. The indexer, the queue's only worker,
     * shares with nobody and commits once per batch: always its own, larger size
     * (OroQueueIndexerBatchSize). */
    int indexer = strcmp(w->spec->role, "indexer") == 0;
    int batch = indexer ? s->queue_indexer_batch_size : s->queue_batch_size;
    int small = indexer || batch < CLAIM_FIRST ? batch : CLAIM_FIRST;
    if (w->claim_size < small) {
        w->claim_size = small;
    }
    int limit = w->claim_size;
    if (w->spec->message_limit > 0) {
        long left = w->spec->message_limit - (long)(w->processed + w->failed);
        if (left < limit) {
            limit = left < 1 ? 1 : (int)left;
        }
    }
    apr_array_header_t *claimed;
    int n = oro_mq_dbal_claim(w->claimer, w->scratch, limit, &claimed, error);
    if (n > 0 && w->waiting) {
        /* before the work: producers wake another waiting worker meanwhile */
        set_waiting(w, 0);
    }
    w->partial = n > 0 && n < limit;
    if (n >= 0) {
        w->claim_size = n < limit ? small : w->claim_size * 2 > batch ? batch : w->claim_size * 2;
    }
    if (n <= 0) {
        return n;
    }
    oro_mq_delivery_t *messages = apr_palloc(w->scratch, sizeof *messages * (apr_size_t)n);
    int *expired = apr_palloc(w->scratch, sizeof *expired * (apr_size_t)n);
    apr_int64_t *ids = apr_palloc(w->scratch, sizeof *ids * (apr_size_t)n);
    for (int i = 0; i < n; i++) {
        oro_mq_claimed_t *c = &APR_ARRAY_IDX(claimed, i, oro_mq_claimed_t);
        messages[i] = c->delivery;
        expired[i] = c->expired;
        ids[i] = c->id;
    }
    oro_outcome_t *outcomes = apr_pcalloc(w->scratch, sizeof *outcomes * (apr_size_t)n);
    oro_mq_context_t ctx = {.db = w->db, .settings = s, .pool = w->scratch};
    oro_consumer_dispatch(&ctx, messages, expired, n, outcomes, sigterm_pending);

    apr_int64_t *acked = apr_palloc(w->scratch, sizeof *acked * (apr_size_t)n);
    apr_int64_t *skipped = apr_palloc(w->scratch, sizeof *skipped * (apr_size_t)n);
    int nacked = 0, nskipped = 0;
    for (int i = 0; i < n; i++) {
        if (outcomes[i].kind == ORO_OUTCOME_ACK) {
            acked[nacked++] = ids[i];
        }
        else if (outcomes[i].kind == ORO_OUTCOME_SKIP) {
            skipped[nskipped++] = ids[i];
        }
    }
    if (oro_mq_dbal_ack(w->db, w->scratch, acked, nacked, error) != 0) {
        return -1;
    }
    w->processed += (apr_uint64_t)nacked;
    for (int i = 0; i < n; i++) {
        const oro_outcome_t *o = &outcomes[i];
        int rc = 0;
        if (o->kind == ORO_OUTCOME_RETRY) {
            ORO_DEBUG("message %s (%s) is retried in %" APR_INT64_T_FMT " ms: %s", messages[i].id,
                      messages[i].topic, o->delay_ms, o->reason);
            rc = oro_mq_dbal_retry(w->db, w->scratch, ids[i], o->delay_ms, o->reason, error);
        }
        else if (o->kind == ORO_OUTCOME_DEAD) {
            ORO_WARN("message %s (%s) is dead-lettered: %s", messages[i].id, messages[i].topic,
                     o->reason);
            rc = oro_mq_dbal_bury(w->db, w->scratch, ids[i], o->reason, error);
        }
        else {
            continue;
        }
        if (rc != 0) {
            return -1;
        }
        w->failed++;
    }
    if (nskipped > 0) {
        w->stopping = 1;
        if (oro_mq_dbal_unclaim(w->db, w->scratch, skipped, nskipped, error) != 0) {
            return -1;
        }
    }
    return n;
}

/* PostgreSQL: reads what arrived on the listening connection; returns 1 if a
 * notification for our queue came, 0 if none, -1 if the connection broke. */
static int drain_notifications(worker_t *w)
{
    if (PQconsumeInput(w->listen_conn) == 0) {
        return -1;
    }
    int ours = 0;
    PGnotify *n;
    while ((n = PQnotifies(w->listen_conn)) != NULL) {
        const char *want = w->queue != NULL ? w->queue : "outbox";
        ours |= n->extra != NULL && strcmp(n->extra, want) == 0;
        PQfreemem(n);
    }
    return ours;
}

/* PostgreSQL: the statements that register this worker in oro_message_waiting and
 * remove it (literal text, run with apr_dbd_query: one round trip each). */
static void prepare_waiting_sql(worker_t *w)
{
    apr_pool_t *p = w->db->pool;
    const char *me = apr_dbd_escape(w->db->driver, p, w->name, w->db->handle);
    const char *queue = w->queue != NULL ? w->queue : "outbox";
    w->register_sql =
        apr_psprintf(p,
                     "INSERT INTO oro_message_waiting (worker, queue, channel, since) "
                     "VALUES ('%s', '%s', '%s', now()) ON CONFLICT (worker) DO "
                     "UPDATE SET queue = EXCLUDED.queue, channel = EXCLUDED.channel, "
                     "since = EXCLUDED.since",
                     me, queue, w->channel);
    w->unregister_sql = apr_psprintf(p, "DELETE FROM oro_message_waiting WHERE worker = '%s'", me);
}

/* PostgreSQL: registers (on) or unregisters (off) this worker as waiting for a
 * NOTIFY. Returns 0 or -1 (logged once per connection; then the worker polls). */
static int set_waiting(worker_t *w, int on)
{
    int nrows = 0;
    int rc = apr_dbd_query(w->db->driver, w->db->handle, &nrows,
                           on ? w->register_sql : w->unregister_sql);
    if (rc != 0) {
        if (!w->waiting_failed) {
            ORO_WARN("worker %d could not %s oro_message_waiting, polling instead: %s",
                     w->spec->slot, on ? "register in" : "remove its row from",
                     oro_db_one_line(w->scratch, apr_dbd_error(w->db->driver, w->db->handle, rc)));
            w->waiting_failed = 1;
        }
        return -1;
    }
    w->waiting = on;
    return 0;
}

/* PostgreSQL, idle: how long to wait for a NOTIFY before looking at the queue again
 * (transport.h, NOTIFY coalescing). Within ORO_MQ_POLL_WINDOW_MS of the last work or
 * NOTIFY: 1 ms, then ORO_MQ_POLL_MAX_MS, as producers do not notify while no worker
 * waits. Then the worker registers as waiting and looks at once (0), polls again for
 * ORO_MQ_RECHECK_MS, and then waits a second at most (the check for delayed
 * messages, and the fallback for a NOTIFY that was not sent). A failed registration
 * falls back to polling every OroQueuePollInterval. */
static int64_t listen_wait_ms(worker_t *w, int64_t now)
{
    int64_t since = w->waiting ? w->waiting_since_ms : w->active_ms;
    int64_t span = w->waiting ? ORO_MQ_RECHECK_MS : ORO_MQ_POLL_WINDOW_MS;
    if (now - since < span) {
        int64_t ms = w->poll_delay_ms;
        w->poll_delay_ms = ORO_MQ_POLL_MAX_MS;
        return ms;
    }
    if (w->waiting) {
        return 1000;
    }
    if (set_waiting(w, 1) != 0) {
        return w->spec->settings->queue_poll_interval;
    }
    w->waiting_since_ms = now;
    w->poll_delay_ms = 1;
    return 0;
}

/* Deletes the heartbeat row of (host, pid); best effort, as the row also ages out. */
static void delete_heartbeat(worker_t *w, const char *pid)
{
    const char *error;
    if (oro_db_exec(w->db, w->scratch, &error, NULL, oro_heartbeat_delete_sql(w->db->dialect),
                    w->host, pid, NULL) != 0) {
        ORO_WARN("could not delete the heartbeat row of pid %s: %s", pid, error);
    }
}

/* Starts an outage: logs it once, and makes the next connection attempt immediate. */
static void begin_outage(worker_t *w, int64_t now, const char *what, const char *error)
{
    if (!w->in_outage) {
        ORO_WARN("worker %d %s: %s; retrying every %lld s at most", w->spec->slot, what, error,
                 (long long)(w->interval_ms / 1000));
        w->in_outage = 1;
        w->outage_since_ms = now;
    }
    else {
        ORO_DEBUG("worker %d %s: %s", w->spec->slot, what, error);
    }
}

/* One connection attempt. On failure schedules the next one with doubled delay; on
 * success makes the heartbeat due now and removes a dead predecessor's row. */
static void connect_database(worker_t *w, int64_t now)
{
    const oro_settings_t *s = w->spec->settings;
    const char *error;
    apr_pool_clear(w->conn_pool);
    w->db = oro_db_open(w->conn_pool, s->db_driver, s->db_params, &error);
    if (w->db == NULL) {
        begin_outage(w, now, "could not connect to the database", error);
        w->next_connect_ms = now + w->reconnect_delay_ms;
        w->reconnect_delay_ms *= 2;
        if (w->reconnect_delay_ms > w->interval_ms) {
            w->reconnect_delay_ms = w->interval_ms;
        }
        return;
    }
    if (w->in_outage) {
        ORO_INFO("worker %d reconnected to the database after %lld s", w->spec->slot,
                 (long long)((now - w->outage_since_ms) / 1000));
        w->in_outage = 0;
    }
    else {
        ORO_DEBUG("worker %d connected to the %s database", w->spec->slot, s->db_driver);
    }
    w->reconnect_delay_ms = RECONNECT_FIRST_DELAY_MS;
    w->next_beat_ms = now;
    if (s->transport == ORO_MQ_AMQP && w->queue == NULL && w->db->dialect == ORO_DIALECT_PGSQL) {
        /* the relay is woken by NOTIFY when producers write outbox rows */
        if (listen_setup(w, &error) != 0) {
            begin_outage(w, now, "could not LISTEN", error);
            disconnect(w);
            w->next_connect_ms = now + w->reconnect_delay_ms;
            return;
        }
    }
    if (s->transport == ORO_MQ_DBAL && w->queue != NULL && open_queue(w, &error) != 0) {
        begin_outage(w, now, "could not open its queue", error);
        disconnect(w);
        w->next_connect_ms = now + w->reconnect_delay_ms;
        return;
    }
    if (w->listen_conn != NULL) {
        /* rows left by this worker before a lost connection, or by a dead predecessor,
         * would make producers notify for nobody (harmless, but the cost coalescing
         * avoids) */
        const char *mine = apr_dbd_escape(w->db->driver, w->scratch, w->name, w->db->handle);
        const char *dead = apr_dbd_escape(
            w->db->driver, w->scratch,
            apr_psprintf(w->scratch, "%s:%ld", w->host, (long)w->predecessor_pid), w->db->handle);
        int nrows;
        if (apr_dbd_query(w->db->driver, w->db->handle, &nrows,
                          apr_psprintf(w->scratch,
                                       "DELETE FROM oro_message_waiting WHERE worker IN "
                                       "('%s', '%s')",
                                       mine, dead)) != 0) {
            ORO_DEBUG("worker %d could not clear its rows of oro_message_waiting", w->spec->slot);
        }
    }
    if (w->predecessor_pid > 0) {
        delete_heartbeat(w, apr_psprintf(w->scratch, "%ld", (long)w->predecessor_pid));
        w->predecessor_pid = 0;
    }
}

/* A statement failed: a broken connection starts an outage (reconnect), anything
 * else is logged and retried after a pause. */
static void step_failed(worker_t *w, int64_t now, const char *what, const char *error)
{
    if (apr_dbd_check_conn(w->db->driver, w->scratch, w->db->handle) != APR_SUCCESS) {
        begin_outage(w, now, "lost its database connection", error);
        disconnect(w);
        w->next_connect_ms = now;
        return;
    }
    ORO_ERROR("worker %d could not %s: %s", w->spec->slot, what, error);
    /* NB: apr_dbd_mysql reconnects by itself inside check_conn, so a database restart
     * may look like a passing error: give back whatever this worker still holds (its
     * claims committed before the failure), or it would wait for the visibility
     * timeout. Between batches a worker holds nothing, so this is always safe. */
    if (w->claimer != NULL) {
        int released = 0;
        const char *ignored;
        if (oro_mq_dbal_release_worker(w->db, w->scratch, w->name, &released, &ignored) == 0 &&
            released > 0) {
            ORO_INFO("worker %d released %d messages it held", w->spec->slot, released);
        }
    }
}

/* Writes the heartbeat row. A failure on a broken connection starts an outage;
 * any other failure (say, a missing table) is logged once until it clears. */
static void write_heartbeat(worker_t *w, int64_t now)
{
    const char *error;
    w->next_beat_ms = now + w->interval_ms;
    if (oro_db_exec(w->db, w->scratch, &error, NULL, oro_heartbeat_upsert_sql(w->db->dialect),
                    w->host, w->pid, w->spec->role,
                    apr_psprintf(w->scratch, "%" APR_UINT64_T_FMT, w->processed),
                    apr_psprintf(w->scratch, "%" APR_UINT64_T_FMT, w->failed), NULL) == 0) {
        if (w->heartbeat_failing) {
            ORO_INFO("worker %d writes its heartbeat again", w->spec->slot);
            w->heartbeat_failing = 0;
        }
        return;
    }
    if (apr_dbd_check_conn(w->db->driver, w->scratch, w->db->handle) != APR_SUCCESS) {
        begin_outage(w, now, "lost its database connection", error);
        disconnect(w);
        w->next_connect_ms = now;
        return;
    }
    if (!w->heartbeat_failing) {
        ORO_WARN("worker %d could not write its heartbeat row: %s", w->spec->slot, error);
        w->heartbeat_failing = 1;
    }
}

void oro_consumer_worker_run(const oro_consumer_worker_spec_t *spec)
{
    install_signal_handlers();

    worker_t w;
    memset(&w, 0, sizeof w);
    w.spec = spec;
    /* NB: a root pool of its own; the pools inherited from the supervisor are left
     * untouched, and _exit below keeps their cleanups from running here. */
    apr_pool_create(&w.pool, NULL);
    apr_pool_create(&w.conn_pool, w.pool);
    apr_pool_create(&w.scratch, w.pool);
    char host[APRMAXHOSTLEN + 1];
    apr_status_t rv = apr_gethostname(host, sizeof host, w.pool);
    if (rv != APR_SUCCESS) {
        char buf[256];
        ORO_WARN("could not read the host name, using \"localhost\": %s",
                 apr_strerror(rv, buf, sizeof buf));
        apr_cpystrn(host, "localhost", sizeof host);
    }
    w.host = apr_pstrdup(w.pool, host);
    w.pid = apr_psprintf(w.pool, "%ld", (long)getpid());
    w.interval_ms = (int64_t)spec->settings->heartbeat_interval * 1000;
    w.reconnect_delay_ms = RECONNECT_FIRST_DELAY_MS;
    w.predecessor_pid = spec->replaces_pid;
    w.name = apr_psprintf(w.pool, "%s:%s", w.host, w.pid);
    apr_ssize_t host_len = APR_HASH_KEY_STRING;
    w.channel = apr_psprintf(w.pool, ORO_MQ_CHANNEL "_%x_%s",
                             apr_hashfunc_default(w.host, &host_len), w.pid);
    w.queue = strcmp(spec->role, "indexer") == 0 ? ORO_MQ_QUEUE_SEARCH
              : strcmp(spec->role, "relay") == 0 ? NULL
                                                 : ORO_MQ_QUEUE_DEFAULT;
    w.started_ms = oro_consumer_clock_ms();
    w.poll_delay_ms = 1;
    const oro_settings_t *settings = spec->settings;
    if (settings->transport == ORO_MQ_AMQP) {
        w.amqp = oro_worker_amqp_create(w.pool, settings, spec->role, w.queue, spec->slot);
    }

    while (!stop_requested && !w.limit_reached && !w.stopping) {
        /* NB: if the supervisor was killed, stop rather than run unsupervised. */
        if (getppid() != spec->supervisor_pid) {
            ORO_WARN("worker %d stops: its supervisor (pid %ld) is gone", spec->slot,
                     (long)spec->supervisor_pid);
            break;
        }
        int64_t now = oro_consumer_clock_ms();
        if (w.db == NULL && now >= w.next_connect_ms) {
            connect_database(&w, now);
        }
        if (w.db != NULL && now >= w.next_beat_ms) {
            write_heartbeat(&w, now);
        }
        int handled = 0;
        const char *error = NULL;
        if (w.db != NULL && w.amqp != NULL) {
            handled = oro_worker_amqp_step(w.amqp, w.db, w.scratch, &w.processed, &w.failed,
                                           sigterm_pending, &error);
            if (handled < 0) {
                handled = 0;
                if (error != NULL) { /* a database failure; broker failures are the step's */
                    step_failed(&w, now, "relay or consume messages", error);
                }
            }
            else if (handled > 0 && sigterm_pending()) {
                w.stopping = 1;
            }
        }
        else if (w.claimer != NULL) {
            if ((w.late_release_pids[0] > 0 || w.late_release_pids[1] > 0) &&
                now >= w.late_release_ms) {
                release_late(&w);
            }
            handled = consume_batch(&w, &error);
            if (handled < 0) {
                step_failed(&w, now, "claim or acknowledge messages", error);
                handled = 0;
            }
        }
        if (handled > 0 && w.waiting) {
            set_waiting(&w, 0);
        }
        check_limits(&w, now);
        apr_pool_clear(w.scratch);
        if (handled > 0 || w.limit_reached || w.stopping) {
            w.poll_delay_ms = 1;
            w.active_ms = now;
            if (w.partial && !w.limit_reached && !w.stopping) {
                /* the queue was drained: a millisecond's pause lets the next claim
                 * gather what producers send meanwhile, rather than claiming one
                 * message at a time in a tight loop that takes the CPU from them. The
                 * indexer pauses longer: each of its batches ends in a Xapian commit
                 * (and its fsyncs), and under a stream of API writes it committed a
                 * few messages hundreds of times a second */
                int64_t pause = strcmp(w.spec->role, "indexer") == 0 ? INDEXER_PARTIAL_PAUSE_MS
                                                                     : PARTIAL_PAUSE_MS;
                wait_until(oro_consumer_clock_ms() + pause, -1);
            }
            continue;
        }
        int64_t deadline = w.db != NULL ? w.next_beat_ms : w.next_connect_ms;
        int fd = -1;
        if (w.db != NULL && w.amqp != NULL) {
            int64_t idle = oro_worker_amqp_idle_ms(w.amqp);
            fd = oro_worker_amqp_fd(w.amqp);
            if (w.queue == NULL && w.listen_conn != NULL) {
                int got = drain_notifications(&w);
                if (got > 0) {
                    w.active_ms = now;
                    w.poll_delay_ms = 1;
                    continue;
                }
                fd = got == 0 ? PQsocket(w.listen_conn) : -1;
                idle = listen_wait_ms(&w, now);
                if (idle == 0) {
                    continue;
                }
            }
            deadline = deadline < now + idle ? deadline : now + idle;
        }
        else if (w.claimer != NULL && w.listen_conn != NULL) {
            int got = drain_notifications(&w);
            if (got > 0) {
                w.active_ms = now;
                w.poll_delay_ms = 1;
                continue;
            }
            if (got == 0) {
                fd = PQsocket(w.listen_conn);
                int64_t idle = listen_wait_ms(&w, now);
                if (idle == 0) {
                    continue;
                }
                deadline = deadline < now + idle ? deadline : now + idle;
            }
        }
        else if (w.claimer != NULL) {
            deadline = deadline < now + w.poll_delay_ms ? deadline : now + w.poll_delay_ms;
            w.poll_delay_ms *= 2;
            if (w.poll_delay_ms > settings->queue_poll_interval) {
                w.poll_delay_ms = settings->queue_poll_interval;
            }
        }
        wait_until(deadline, fd);
        if (w.listen_conn != NULL && drain_notifications(&w) > 0) {
            w.active_ms = oro_consumer_clock_ms();
            w.poll_delay_ms = 1;
        }
    }
    if (w.amqp != NULL) {
        oro_worker_amqp_close(w.amqp);
    }

    if (w.db != NULL) {
        if (w.waiting) {
            set_waiting(&w, 0);
        }
        delete_heartbeat(&w, w.pid);
        disconnect(&w);
    }
    apr_pool_destroy(w.pool);
    /* NB: _exit, not exit: atexit handlers and stdio buffers copied from the
     * supervisor belong to the supervisor. */
    _exit(0);
}
