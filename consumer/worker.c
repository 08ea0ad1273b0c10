/* consumer/worker.c — a worker process; see worker.h.
 *
 * Each turn of the loop connects if disconnected (with backoff), writes the
 * heartbeat row when it is due, then waits for the next due time. Processing of
 * queue messages becomes a further step of the same turn, counted in processed and
 * failed; the heartbeat already reports both. */
#include "worker.h"
#include "clock.h"

#include <apr_dbd.h>
#include <apr_network_io.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <signal.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include "db/db.h"
#include "mq/heartbeat.h"
#include "util/log.h"

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
    pid_t predecessor_pid; /* spec->replaces_pid until its row is deleted */
    oro_db_t *db;          /* NULL while disconnected */
    int64_t interval_ms;
    int64_t next_connect_ms;
    int64_t reconnect_delay_ms;
    int64_t next_beat_ms;
    int in_outage; /* the outage was logged; later failures are not */
    int64_t outage_since_ms;
    int heartbeat_failing;  /* a heartbeat error was logged and has not cleared */
    apr_uint64_t processed; /* messages handled, reported in the heartbeat row */
    apr_uint64_t failed;
} worker_t;

static volatile sig_atomic_t stop_requested;

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
static void wait_until(int64_t deadline_ms)
{
    int64_t ms = deadline_ms - oro_consumer_clock_ms();
    if (ms <= 0) {
        return;
    }
    struct timespec timeout = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    sigset_t unblocked;
    sigemptyset(&unblocked);
    pselect(0, NULL, NULL, NULL, &timeout, &unblocked);
}

static void disconnect(worker_t *w)
{
    oro_db_close(w->db);
    w->db = NULL;
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
    if (w->predecessor_pid > 0) {
        delete_heartbeat(w, apr_psprintf(w->scratch, "%ld", (long)w->predecessor_pid));
        w->predecessor_pid = 0;
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

    while (!stop_requested) {
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
        apr_pool_clear(w.scratch);
        wait_until(w.db != NULL ? w.next_beat_ms : w.next_connect_ms);
    }

    if (w.db != NULL) {
        delete_heartbeat(&w, w.pid);
        disconnect(&w);
    }
    apr_pool_destroy(w.pool);
    /* NB: _exit, not exit: atexit handlers and stdio buffers copied from the
     * supervisor belong to the supervisor. */
    _exit(0);
}
