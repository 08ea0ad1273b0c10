/* consumer/worker.h — one oro-consumer worker process: its own database connection,
 * its heartbeat row, and a loop that stops promptly and cleanly on SIGTERM. */
#ifndef ORO_CONSUMER_WORKER_H
#define ORO_CONSUMER_WORKER_H

#include <sys/types.h>
#include "conf/settings.h"

typedef struct {
    const oro_settings_t *settings; /* DBDriver, DBDParams, OroHeartbeatInterval */
    const char *role;               /* "default", "indexer" or "relay" */
    long message_limit;             /* --message-limit: exit after this many, or 0 */
    long time_limit_s;              /* --time-limit: exit after this long, or 0 */
    long memory_limit_mb;           /* --memory-limit: exit above this RSS, or 0 */
    int slot;                       /* the supervisor's slot number, for log lines */
    pid_t supervisor_pid;           /* the worker stops when its supervisor is gone */
    pid_t replaces_pid;             /* a dead predecessor whose heartbeat row this
                                       worker deletes once connected, or 0 */
    pid_t replaces_earlier_pid;     /* that predecessor's own predecessor when it died
                                       young: its claims are released too, or 0 */
} oro_consumer_worker_spec_t;

/* Runs a worker in a freshly forked child until SIGTERM (or until a limit is
 * reached), then deletes its heartbeat row, closes its connection and exits with
 * status 0. Never returns.
 * NB: call with SIGTERM, SIGINT, SIGHUP and SIGCHLD blocked (as across fork), so
 * that no supervisor signal handler runs in the child; the worker installs its own. */
void oro_consumer_worker_run(const oro_consumer_worker_spec_t *spec) __attribute__((noreturn));

#endif
