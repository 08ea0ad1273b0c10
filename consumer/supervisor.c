/* consumer/supervisor.c — the supervisor process; see supervisor.h.
 *
 * Signal handlers only set a flag and write a byte to a self-pipe; everything else
 * happens in the main loop, which waits on that pipe. Workers are kept in slots:
 * a slot whose worker died is started again when its start time comes, which is
 * "now" unless workers are dying in a loop. */
#include "supervisor.h"
#include "clock.h"
#include "worker.h"

#include <apr_strings.h>
#include <apr_tables.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/log.h"

/* Workers that do not stop within this time after SIGTERM get SIGKILL. */
#define STOP_TIMEOUT_MS 30000
/* CRASH_LOOP_DEATHS unexpected deaths within CRASH_LOOP_WINDOW_MS make a crash loop,
 * in which restarts wait 1 s, 2 s, 4 s … up to CRASH_LOOP_MAX_DELAY_MS. */
#define CRASH_LOOP_DEATHS 5
#define CRASH_LOOP_WINDOW_MS 10000
#define CRASH_LOOP_MAX_DELAY_MS 10000
/* A worker that could not be forked is tried again after this delay. */
#define FORK_RETRY_DELAY_MS 1000

typedef struct {
    pid_t pid;           /* 0 while no worker runs in the slot */
    pid_t replaces_pid;  /* a worker that died here; its successor deletes its heartbeat row */
    int64_t start_at_ms; /* when an empty slot gets its worker */
    /* the running worker's own predecessor and start: when it dies young, before its late
     * release of that predecessor's claims, its successor releases them too */
    pid_t running_replaces;
    int64_t started_ms;
    pid_t earlier_pid; /* the dead worker's predecessor, for its successor (or 0) */
} slot_t;

/* A worker that dies within this time of its start has maybe not yet released its
 * predecessor's late claims (worker.c, LATE_RELEASE_MS): its successor does. */
#define YOUNG_DEATH_MS 10000

typedef struct {
    apr_pool_t *pool;
    const oro_consumer_args_t *args;
    apr_pool_t *settings_pool;
    oro_settings_t settings;
    slot_t slots[ORO_CONSUMER_MAX_WORKERS + 32]; /* default, indexer, relay workers */
    int nslots;
    apr_array_header_t *retiring;        /* pid_t of workers replaced by a reload, still stopping */
    int64_t death_ms[CRASH_LOOP_DEATHS]; /* ring of the latest unexpected deaths */
    int deaths;                          /* how many were recorded, in all */
    int64_t restart_delay_ms;
    int stopping;
    int64_t kill_at_ms;
    int killed;
} supervisor_t;

/* Slots 0 … consumer_workers-1 run "default" workers, then the indexer, then (amqp
 * only) the relay workers. */
static int slot_count(const oro_settings_t *s)
{
    return s->consumer_workers + s->consumer_indexer_workers +
           (s->transport == ORO_MQ_AMQP ? s->consumer_relay_workers : 0);
}

static const char *slot_role(const oro_settings_t *s, int i)
{
    if (i < s->consumer_workers) {
        return "default";
    }
    if (i < s->consumer_workers + s->consumer_indexer_workers) {
        return "indexer";
    }
    return "relay";
}

static int wake_pipe[2] = {-1, -1};
static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;

static void on_signal(int signo)
{
    int saved_errno = errno;
    if (signo == SIGTERM || signo == SIGINT) {
        stop_requested = 1;
    }
    else if (signo == SIGHUP) {
        reload_requested = 1;
    }
    /* SIGCHLD needs no flag: every turn of the main loop reaps. A full pipe already
     * holds a wake-up, so a failed write loses nothing. */
    char byte = 0;
    if (write(wake_pipe[1], &byte, 1) < 0) {
        /* see above */
    }
    errno = saved_errno;
}

static int install_signal_handlers(void)
{
    if (pipe2(wake_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
        ORO_ERROR("could not create the signal pipe: %s", strerror(errno));
        return -1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    return 0;
}

static void drain_wake_pipe(void)
{
    char buf[64];
    while (read(wake_pipe[0], buf, sizeof buf) > 0) {
    }
}

static void add_supervisor_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGCHLD);
}

/* Forks the worker of slot i; on failure the slot is tried again shortly. */
static void start_worker(supervisor_t *sup, int i, int64_t now)
{
    slot_t *slot = &sup->slots[i];
    pid_t self = getpid();
    sigset_t blocked, previous;
    add_supervisor_signals(&blocked);
    /* NB: signals stay blocked across fork until the child has its own handlers, or a
     * SIGTERM to the young child would run on_signal and write to our pipe. */
    sigprocmask(SIG_BLOCK, &blocked, &previous);
    pid_t pid = fork();
    if (pid == 0) {
        close(wake_pipe[0]);
        close(wake_pipe[1]);
        oro_consumer_worker_spec_t spec = {
            .settings = &sup->settings,
            .role = slot_role(&sup->settings, i),
            .slot = i,
            .message_limit = sup->args->message_limit,
            .time_limit_s = sup->args->time_limit_s,
            .memory_limit_mb = sup->args->memory_limit_mb,
            .supervisor_pid = self,
            .replaces_pid = slot->replaces_pid,
            .replaces_earlier_pid = slot->earlier_pid,
        };
        oro_consumer_worker_run(&spec);
    }
    int fork_errno = errno;
    sigprocmask(SIG_SETMASK, &previous, NULL);
    if (pid < 0) {
        ORO_ERROR("could not start worker %d: %s", i, strerror(fork_errno));
        slot->start_at_ms = now + FORK_RETRY_DELAY_MS;
        return;
    }
    slot->pid = pid;
    slot->running_replaces = slot->replaces_pid;
    slot->started_ms = now;
    slot->replaces_pid = 0;
    slot->earlier_pid = 0;
    ORO_INFO("worker %d started (pid %ld, role %s)", i, (long)pid, slot_role(&sup->settings, i));
}

static void start_due_workers(supervisor_t *sup, int64_t now)
{
    for (int i = 0; i < sup->nslots; i++) {
        if (sup->slots[i].pid == 0 && sup->slots[i].start_at_ms <= now) {
            start_worker(sup, i, now);
        }
    }
}

/* "exited with status 3" or "was killed by signal 11 (Segmentation fault)". */
static const char *describe_exit(apr_pool_t *p, int status)
{
    if (WIFEXITED(status)) {
        return apr_psprintf(p, "exited with status %d", WEXITSTATUS(status));
    }
    if (WIFSIGNALED(status)) {
        return apr_psprintf(p, "was killed by signal %d (%s)%s", WTERMSIG(status),
                            strsignal(WTERMSIG(status)), WCOREDUMP(status) ? ", core dumped" : "");
    }
    return apr_psprintf(p, "ended with wait status %d", status);
}

/* Records an unexpected death and returns how long to wait before the restart: 0,
 * unless CRASH_LOOP_DEATHS deaths fell within CRASH_LOOP_WINDOW_MS. */
static int64_t restart_delay(supervisor_t *sup, int64_t now)
{
    sup->death_ms[sup->deaths % CRASH_LOOP_DEATHS] = now;
    sup->deaths++;
    /* the oldest of the last CRASH_LOOP_DEATHS deaths */
    int64_t oldest = sup->death_ms[sup->deaths % CRASH_LOOP_DEATHS];
    if (sup->deaths < CRASH_LOOP_DEATHS || now - oldest > CRASH_LOOP_WINDOW_MS) {
        sup->restart_delay_ms = 0;
        return 0;
    }
    sup->restart_delay_ms = sup->restart_delay_ms == 0 ? 1000 : sup->restart_delay_ms * 2;
    if (sup->restart_delay_ms > CRASH_LOOP_MAX_DELAY_MS) {
        sup->restart_delay_ms = CRASH_LOOP_MAX_DELAY_MS;
    }
    return sup->restart_delay_ms;
}

static int take_retiring(supervisor_t *sup, pid_t pid)
{
    pid_t *pids = (pid_t *)sup->retiring->elts;
    for (int i = 0; i < sup->retiring->nelts; i++) {
        if (pids[i] == pid) {
            pids[i] = pids[sup->retiring->nelts - 1];
            sup->retiring->nelts--;
            return 1;
        }
    }
    return 0;
}

/* Handles the exit of one child: logs it and, unless stopping, schedules the
 * replacement of a slot's worker. */
static void worker_exited(supervisor_t *sup, pid_t pid, int status, int64_t now, apr_pool_t *p)
{
    int clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    const char *how = describe_exit(p, status);
    if (take_retiring(sup, pid)) {
        if (clean) {
            ORO_INFO("replaced worker (pid %ld) %s", (long)pid, how);
        }
        else {
            ORO_WARN("replaced worker (pid %ld) %s; its heartbeat row stays until it ages "
                     "out",
                     (long)pid, how);
        }
        return;
    }
    int i;
    for (i = 0; i < sup->nslots && sup->slots[i].pid != pid; i++) {
    }
    if (i == sup->nslots) {
        ORO_DEBUG("reaped unknown child %ld, which %s", (long)pid, how);
        return;
    }
    slot_t *slot = &sup->slots[i];
    slot->pid = 0;
    if (sup->stopping) {
        if (clean) {
            ORO_INFO("worker %d (pid %ld) %s", i, (long)pid, how);
        }
        else {
            ORO_WARN("worker %d (pid %ld) %s while stopping", i, (long)pid, how);
        }
        return;
    }
    if (clean) {
        /* Someone sent it SIGTERM: it removed its own row; keep the count up. */
        ORO_INFO("worker %d (pid %ld) %s; starting a new one", i, (long)pid, how);
        slot->start_at_ms = now;
        return;
    }
    int64_t delay = restart_delay(sup, now);
    if (delay == 0) {
        ORO_ERROR("worker %d (pid %ld) %s; starting a new one", i, (long)pid, how);
    }
    else {
        ORO_ERROR("worker %d (pid %ld) %s; workers died %d times within %d s, so the next "
                  "one starts in %lld s",
                  i, (long)pid, how, CRASH_LOOP_DEATHS, CRASH_LOOP_WINDOW_MS / 1000,
                  (long long)(delay / 1000));
    }
    slot->earlier_pid = now - slot->started_ms < YOUNG_DEATH_MS ? slot->running_replaces : 0;
    slot->replaces_pid = pid;
    slot->start_at_ms = now + delay;
}

static void reap_workers(supervisor_t *sup, int64_t now, apr_pool_t *p)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        worker_exited(sup, pid, status, now, p);
    }
}

static int live_workers(const supervisor_t *sup)
{
    int n = sup->retiring->nelts;
    for (int i = 0; i < sup->nslots; i++) {
        n += sup->slots[i].pid != 0;
    }
    return n;
}

static void signal_workers(supervisor_t *sup, int signo)
{
    for (int i = 0; i < sup->nslots; i++) {
        if (sup->slots[i].pid != 0) {
            kill(sup->slots[i].pid, signo);
        }
    }
    for (int i = 0; i < sup->retiring->nelts; i++) {
        kill(APR_ARRAY_IDX(sup->retiring, i, pid_t), signo);
    }
}

static int same_path(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* SIGHUP: reads the configuration again. If it is valid, the running workers get
 * SIGTERM and new ones start at once with the new settings (so the queue is served
 * while the old ones finish); if not, everything keeps running as it was. */
static void reload(supervisor_t *sup, int64_t now)
{
    apr_pool_t *pool;
    apr_pool_create(&pool, sup->pool);
    oro_settings_t settings;
    const char *error = oro_settings_load(pool, sup->args->config_path, &settings);
    if (error != NULL) {
        ORO_ERROR("could not reload the configuration, keeping the running one: %s", error);
        apr_pool_destroy(pool);
        return;
    }
    oro_consumer_args_apply(sup->args, &settings);
    /* Reopening the log also serves logrotate, which sends SIGHUP after a rotation. */
    if (settings.consumer_log != NULL && oro_log_open_file(settings.consumer_log) != 0) {
        ORO_WARN("could not open log file \"%s\", logging on where before: %s",
                 settings.consumer_log, strerror(errno));
    }
    if (!same_path(settings.consumer_pidfile, sup->settings.consumer_pidfile)) {
        ORO_WARN("a new pid file takes effect when oro-consumer restarts; still using \"%s\"",
                 sup->settings.consumer_pidfile ? sup->settings.consumer_pidfile : "(none)");
    }

    int old_nslots = sup->nslots;
    for (int i = 0; i < old_nslots; i++) {
        if (sup->slots[i].pid != 0) {
            kill(sup->slots[i].pid, SIGTERM);
            APR_ARRAY_PUSH(sup->retiring, pid_t) = sup->slots[i].pid;
        }
    }
    sup->nslots = slot_count(&settings);
    for (int i = 0; i < sup->nslots; i++) {
        /* a slot whose dead worker was not yet replaced keeps its row to delete */
        pid_t replaces = i < old_nslots && sup->slots[i].pid == 0 ? sup->slots[i].replaces_pid : 0;
        sup->slots[i] = (slot_t){.pid = 0, .replaces_pid = replaces, .start_at_ms = now};
    }
    apr_pool_destroy(sup->settings_pool);
    sup->settings_pool = pool;
    sup->settings = settings;
    ORO_INFO("reloaded \"%s\": %d workers, transport %s; replacing %d running workers",
             sup->args->config_path, sup->settings.consumer_workers,
             oro_mq_transport_name(sup->settings.transport), sup->retiring->nelts);
}

static void begin_stop(supervisor_t *sup, int64_t now)
{
    ORO_INFO("stopping %d workers", live_workers(sup));
    sup->stopping = 1;
    sup->kill_at_ms = now + STOP_TIMEOUT_MS;
    signal_workers(sup, SIGTERM);
}

/* How long poll may sleep: until the next slot start or the kill deadline. */
static int poll_timeout(const supervisor_t *sup, int64_t now)
{
    int64_t next = -1;
    if (sup->stopping) {
        if (!sup->killed) {
            next = sup->kill_at_ms;
        }
    }
    else {
        for (int i = 0; i < sup->nslots; i++) {
            const slot_t *slot = &sup->slots[i];
            if (slot->pid == 0 && (next < 0 || slot->start_at_ms < next)) {
                next = slot->start_at_ms;
            }
        }
    }
    if (next < 0) {
        return -1;
    }
    int64_t ms = next - now;
    return ms <= 0 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms;
}

int oro_consumer_supervisor_run(apr_pool_t *p, const oro_consumer_args_t *args,
                                apr_pool_t *settings_pool, const oro_settings_t *settings)
{
    if (install_signal_handlers() != 0) {
        return 1;
    }
    supervisor_t sup;
    memset(&sup, 0, sizeof sup);
    sup.pool = p;
    sup.args = args;
    sup.settings_pool = settings_pool;
    sup.settings = *settings;
    sup.nslots = slot_count(settings);
    sup.retiring = apr_array_make(p, 8, sizeof(pid_t));
    apr_pool_t *scratch;
    apr_pool_create(&scratch, p);

    for (;;) {
        drain_wake_pipe();
        int64_t now = oro_consumer_clock_ms();
        reap_workers(&sup, now, scratch);
        if (stop_requested && !sup.stopping) {
            begin_stop(&sup, now);
        }
        if (reload_requested) {
            reload_requested = 0;
            if (!sup.stopping) {
                reload(&sup, now);
            }
        }
        if (sup.stopping) {
            if (live_workers(&sup) == 0) {
                break;
            }
            if (!sup.killed && now >= sup.kill_at_ms) {
                ORO_WARN("%d workers did not stop within %d s; killing them", live_workers(&sup),
                         STOP_TIMEOUT_MS / 1000);
                signal_workers(&sup, SIGKILL);
                sup.killed = 1;
            }
        }
        else {
            start_due_workers(&sup, now);
        }
        apr_pool_clear(scratch);
        struct pollfd wake = {.fd = wake_pipe[0], .events = POLLIN};
        poll(&wake, 1, poll_timeout(&sup, now));
    }
    ORO_INFO("all workers stopped");
    return 0;
}
