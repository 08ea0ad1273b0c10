/* bench/mq_producer.c — the steady-state producer of bench/mq (issue 6): several
 * processes, each with its own database connection, enqueue single messages in
 * their own transactions at full speed, through lib/mq's oro_mq_send (the same SQL,
 * NOTIFY and coalescing as mod_oro's write paths).
 *
 *   mq_producer -c httpd.conf [-p PROCESSES] [-n MESSAGES_EACH] [-t TOPIC] [-b BODY]
 *               [--notify-always] [--autocommit]
 *
 * Each message is BEGIN; oro_mq_send; COMMIT (three round trips, like a write request
 * of the API); --notify-always makes every send NOTIFY (the behaviour before NOTIFY
 * coalescing, transport.h, for comparisons); --autocommit sends it without BEGIN/COMMIT (one
 * implicit transaction). Prints "sent N messages in S s: R/s" on stdout; exits non-zero if any send
 * failed. Processes rather than threads: httpd's prefork children are processes too, and the NOTIFY
 * coalescing of lib/mq/send.c keeps its state per process. */
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conf/settings.h"
#include "db/db.h"
#include "mq/transport.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One producer process: n messages. Returns the exit status. */
static int produce(const oro_settings_t *s, long n, const char *topic, const char *body,
                   int autocommit)
{
    apr_pool_t *pool, *scratch;
    apr_pool_create(&pool, NULL);
    apr_pool_create(&scratch, pool);
    const char *error = NULL;
    oro_db_t *db = oro_db_open(pool, s->db_driver, s->db_params, &error);
    if (db == NULL) {
        fprintf(stderr, "mq_producer: could not connect to the database: %s\n", error);
        return 1;
    }
    oro_mq_message_t m = {.queue = ORO_MQ_QUEUE_DEFAULT,
                          .topic = topic,
                          .body = body,
                          .priority = ORO_MQ_PRIORITY_NORMAL};
    for (long i = 0; i < n; i++) {
        apr_pool_clear(scratch);
        apr_dbd_transaction_t *txn = NULL;
        if (!autocommit && oro_db_begin(db, scratch, &txn, &error) != 0) {
            fprintf(stderr, "mq_producer: could not begin a transaction: %s\n", error);
            return 1;
        }
        int rc =
            oro_mq_send(db->driver, db->handle, scratch, db->dialect, s->transport, &m, &error);
        if (rc != 0) {
            fprintf(stderr, "mq_producer: %s\n", error);
        }
        const char *end_error = NULL;
        if (!autocommit && oro_db_end(db, scratch, txn, rc != 0, &end_error) != 0) {
            fprintf(stderr, "mq_producer: could not commit: %s\n", end_error);
            return 1;
        }
        if (rc != 0) {
            return 1;
        }
    }
    unsigned long sent, skipped;
    oro_mq_notify_counts(&sent, &skipped);
    fprintf(stderr, "mq_producer %ld: %lu NOTIFY sent, %lu not needed\n", (long)getpid(), sent,
            skipped);
    oro_db_close(db);
    apr_pool_destroy(pool);
    return 0;
}

int main(int argc, char **argv)
{
    const char *conf = NULL, *topic = "oro.noop", *body = "{}";
    int procs = 4, autocommit = 0, always = 0;
    long each = 5000;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--autocommit") == 0) {
            autocommit = 1;
            continue;
        }
        if (strcmp(a, "--notify-always") == 0) {
            always = 1;
            continue;
        }
        if (v == NULL || a[0] != '-' || strlen(a) != 2 || strchr("cpntb", a[1]) == NULL) {
            fprintf(stderr, "usage: mq_producer -c httpd.conf [-p PROCESSES] [-n MESSAGES_EACH] "
                            "[-t TOPIC] [-b BODY] [--notify-always] [--autocommit]\n");
            return 2;
        }
        i++;
        switch (a[1]) {
        case 'c':
            conf = v;
            break;
        case 'p':
            procs = atoi(v);
            break;
        case 'n':
            each = atol(v);
            break;
        case 't':
            topic = v;
            break;
        case 'b':
            body = v;
            break;
        }
    }
    if (conf == NULL || procs < 1 || procs > 256 || each < 1) {
        fprintf(stderr, "mq_producer: -c is required, -p is 1-256, -n is positive\n");
        return 2;
    }
    apr_app_initialize(&argc, (const char *const **)&argv, NULL);
    apr_pool_t *pool;
    apr_pool_create(&pool, NULL);
    oro_settings_t s;
    const char *err = oro_settings_load(pool, conf, &s);
    if (err != NULL) {
        fprintf(stderr, "mq_producer: %s\n", err);
        return 1;
    }
    oro_mq_set_notify_always(always);
    double t0 = now_s();
    for (int i = 0; i < procs; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("mq_producer: fork");
            return 1;
        }
        if (pid == 0) {
            _exit(produce(&s, each, topic, body, autocommit));
        }
    }
    int failed = 0, status;
    while (wait(&status) > 0) {
        failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    }
    double t = now_s() - t0;
    printf("sent %ld messages in %.2f s: %.0f/s\n", each * procs, t, (double)(each * procs) / t);
    apr_terminate();
    return failed;
}
