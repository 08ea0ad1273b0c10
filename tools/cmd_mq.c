/* tools/cmd_mq.c — oroctl mq:send, mq:stats, mq:dead list|retry|purge. */
#include <apr_strings.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "mq/dbal.h"
#include "mq/heartbeat.h"
#include "mq/transport.h"
#include "oroctl.h"

/* A whole number from min to max in *out; 0, or -1 if value is not one. */
static int parse_number(const char *value, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(value, &end, 10);
    if (value[0] == '\0' || errno != 0 || *end != '\0' || n < min || n > max) {
        return -1;
    }
    *out = n;
    return 0;
}

static int open_db(oroctl_context_t *ctx, oro_db_t **db)
{
    const char *error;
    *db = oro_db_open(ctx->pool, ctx->settings.db_driver, ctx->settings.db_params, &error);
    if (*db == NULL) {
        return oroctl_fail(OROCTL_UNAVAILABLE, "%s", error);
    }
    return OROCTL_OK;
}

/* mq:send TOPIC BODY [--queue Q] [--priority N] [--delay MS] [--expire MS] [--count N] */
static int run_mq_send(oroctl_context_t *ctx, int argc, const char *const *argv)
{
    oro_mq_message_t m = {ORO_MQ_QUEUE_DEFAULT, NULL, NULL, ORO_MQ_PRIORITY_NORMAL, 0, 0};
    long long count = 1;
    const char *positional[2] = {NULL, NULL};
    int npositional = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        long long n;
        if (strcmp(a, "--queue") == 0 || strcmp(a, "--priority") == 0 ||
            strcmp(a, "--delay") == 0 || strcmp(a, "--expire") == 0 || strcmp(a, "--count") == 0) {
            if (i + 1 >= argc) {
                return oroctl_fail(OROCTL_USAGE, "mq:send: %s needs a value", a);
            }
            const char *v = argv[++i];
            if (strcmp(a, "--queue") == 0) {
                m.queue = v;
                continue;
            }
            long long max = strcmp(a, "--priority") == 0 ? 4
                            : strcmp(a, "--count") == 0  ? 10000000
                                                         : ORO_MQ_MAX_DELAY_MS;
            long long min = strcmp(a, "--count") == 0 ? 1 : 0;
            if (parse_number(v, min, max, &n) != 0) {
                return oroctl_fail(OROCTL_USAGE,
                                   "mq:send: %s: \"%s\" is not a whole number from %lld to %lld", a,
                                   v, min, max);
            }
            if (strcmp(a, "--priority") == 0) {
                m.priority = (int)n;
            }
            else if (strcmp(a, "--delay") == 0) {
                m.delay_ms = n;
            }
            else if (strcmp(a, "--expire") == 0) {
                m.expire_ms = n;
            }
            else {
                count = n;
            }
            continue;
        }
        if (a[0] == '-' && a[1] == '-') {
            return oroctl_fail(OROCTL_USAGE,
                               "mq:send: unknown option \"%s\" (see oroctl help mq:send)", a);
        }
        if (npositional == 2) {
            return oroctl_fail(OROCTL_USAGE, "mq:send: unexpected argument \"%s\"", a);
        }
        positional[npositional++] = a;
    }
    if (npositional < 2) {
        return oroctl_fail(OROCTL_USAGE, "mq:send: needs TOPIC and BODY (see oroctl help mq:send)");
    }
    m.topic = positional[0];
    m.body = positional[1];
    const char *why = oro_mq_validate(ctx->pool, &m);
    if (why != NULL) {
        return oroctl_fail(OROCTL_USAGE, "mq:send: %s", why);
    }
    oro_db_t *db;
    int rc = open_db(ctx, &db);
    if (rc != OROCTL_OK) {
        return rc;
    }
    apr_dbd_transaction_t *txn = NULL;
    const char *error;
    if (oro_db_begin(db, ctx->pool, &txn, &error) != 0) {
        rc = oroctl_fail(OROCTL_FAILED, "mq:send: could not start a transaction: %s", error);
        goto cleanup;
    }
    int failed =
        oro_mq_send_many(db->driver, db->handle, ctx->pool, db->dialect,
                         (oro_mq_transport_t)ctx->settings.transport, &m, (long)count, &error);
    const char *end_error;
    if (oro_db_end(db, ctx->pool, txn, failed, &end_error) != 0 && !failed) {
        failed = 1;
        error = apr_psprintf(ctx->pool, "could not commit: %s", end_error);
    }
    if (failed) {
        rc = oroctl_fail(OROCTL_FAILED, "mq:send: %s", error);
        goto cleanup;
    }
    printf("sent %lld message(s) of topic %s to queue %s (%s)\n", count, m.topic, m.queue,
           oro_mq_transport_name(ctx->settings.transport));
cleanup:
    oro_db_close(db);
    return rc;
}

/* Runs a query and returns its rows as a JSON array of arrays of strings (NULL: null). */
static json_object *query_rows(oro_db_t *db, apr_pool_t *p, const char *sql, const char **error)
{
    apr_dbd_results_t *res = NULL;
    /* NB: random access, so that the column count is known before the first row */
    int rc = apr_dbd_select(db->driver, p, db->handle, &res, sql, 1);
    if (rc != 0) {
        *error = oro_db_one_line(p, apr_dbd_error(db->driver, db->handle, rc));
        return NULL;
    }
    json_object *rows = json_object_new_array();
    int ncols = apr_dbd_num_cols(db->driver, res);
    apr_dbd_row_t *row = NULL;
    int nrows = apr_dbd_num_tuples(db->driver, res);
    /* NB: random access rows are numbered from 1 (mysql refuses -1, "next") */
    for (int i = 1; i <= nrows && apr_dbd_get_row(db->driver, p, res, &row, i) == 0; i++) {
        json_object *r = json_object_new_array();
        for (int c = 0; c < ncols; c++) {
            const char *v = apr_dbd_get_entry(db->driver, row, c);
            json_object_array_add(r, v ? json_object_new_string(v) : NULL);
        }
        json_object_array_add(rows, r);
    }
    return rows;
}

/* The text of a cell; "0" for SQL NULL or a missing row, which the counts read. */
static const char *cell(json_object *rows, size_t r, size_t c)
{
    json_object *v = json_object_array_get_idx(json_object_array_get_idx(rows, r), c);
    return v ? json_object_get_string(v) : "0";
}

static int run_mq_stats(oroctl_context_t *ctx, int argc, const char *const *argv)
{
    int as_json = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            as_json = 1;
        }
        else {
            return oroctl_fail(OROCTL_USAGE,
                               "mq:stats: unknown option \"%s\" (see oroctl help mq:stats)",
                               argv[i]);
        }
    }
    oro_db_t *db;
    int rc = open_db(ctx, &db);
    if (rc != OROCTL_OK) {
        return rc;
    }
    int my = db->dialect == ORO_DIALECT_MYSQL;
    const char *now = my ? "UTC_TIMESTAMP(6)" : "now()";
    int timeout = ctx->settings.consumer_timeout;
    const char *error = NULL;
    apr_pool_t *p = ctx->pool;
    json_object *depth = query_rows(
        db, p,
        apr_psprintf(
            p,
            "SELECT queue, priority, COUNT(*), "
            "SUM(CASE WHEN claimed_until > %s THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN (claimed_until IS NULL OR claimed_until <= %s) AND "
            "delayed_until > %s THEN 1 ELSE 0 END) "
            "FROM oro_message_queue GROUP BY queue, priority ORDER BY queue, priority DESC",
            now, now, now),
        &error);
    json_object *dead = depth ? query_rows(db, p,
                                           "SELECT queue, COUNT(*) FROM oro_message_dead GROUP BY "
                                           "queue ORDER BY queue",
                                           &error)
                              : NULL;
    json_object *outbox =
        dead ? query_rows(db, p, "SELECT COUNT(*) FROM oro_message_outbox", &error) : NULL;
    const char *seconds = my ? "GREATEST(1, TIMESTAMPDIFF(SECOND, started_at, UTC_TIMESTAMP(6)))"
                             : "GREATEST(1, EXTRACT(EPOCH FROM now() - started_at))";
    json_object *workers =
        outbox
            ? query_rows(db, p,
                         apr_psprintf(p,
                                      "SELECT role, COUNT(*), COALESCE(SUM(processed), 0), "
                                      "COALESCE(SUM(failed), 0), COALESCE(SUM(processed / %s), 0) "
                                      "FROM oro_consumer_heartbeat WHERE last_seen_at > %s - "
                                      "INTERVAL '%d' SECOND GROUP BY role ORDER BY role",
                                      seconds, now, timeout),
                         &error)
            : NULL;
    oro_db_close(db);
    if (workers == NULL) {
        json_object_put(depth);
        json_object_put(dead);
        json_object_put(outbox);
        return oroctl_fail(OROCTL_FAILED, "mq:stats: could not read the queue tables: %s",
                           error ? error : "unknown error");
    }
    json_object *doc = json_object_new_object();
    json_object *queues = json_object_new_array();
    long long total = 0, inflight = 0, delayed = 0, ndead = 0, alive = 0;
    for (size_t i = 0; i < json_object_array_length(depth); i++) {
        json_object *q = json_object_new_object();
        json_object_object_add(q, "queue", json_object_new_string(cell(depth, i, 0)));
        json_object_object_add(q, "priority", json_object_new_int(atoi(cell(depth, i, 1))));
        long long d = atoll(cell(depth, i, 2)), f = atoll(cell(depth, i, 3)),
                  l = atoll(cell(depth, i, 4));
        json_object_object_add(q, "depth", json_object_new_int64(d));
        json_object_object_add(q, "inFlight", json_object_new_int64(f));
        json_object_object_add(q, "delayed", json_object_new_int64(l));
        json_object_array_add(queues, q);
        total += d;
        inflight += f;
        delayed += l;
    }
    json_object *deadq = json_object_new_object();
    for (size_t i = 0; i < json_object_array_length(dead); i++) {
        long long n = atoll(cell(dead, i, 1));
        json_object_object_add(deadq, cell(dead, i, 0), json_object_new_int64(n));
        ndead += n;
    }
    json_object *roles = json_object_new_object();
    double rate = 0;
    for (size_t i = 0; i < json_object_array_length(workers); i++) {
        json_object *r = json_object_new_object();
        long long n = atoll(cell(workers, i, 1));
        json_object_object_add(r, "alive", json_object_new_int64(n));
        json_object_object_add(r, "processed", json_object_new_int64(atoll(cell(workers, i, 2))));
        json_object_object_add(r, "failed", json_object_new_int64(atoll(cell(workers, i, 3))));
        json_object_object_add(r, "ratePerSecond",
                               json_object_new_double(atof(cell(workers, i, 4))));
        json_object_object_add(roles, cell(workers, i, 0), r);
        alive += n;
        rate += atof(cell(workers, i, 4));
    }
    json_object_object_add(doc, "transport",
                           json_object_new_string(oro_mq_transport_name(ctx->settings.transport)));
    json_object_object_add(doc, "depth", json_object_new_int64(total));
    json_object_object_add(doc, "inFlight", json_object_new_int64(inflight));
    json_object_object_add(doc, "delayed", json_object_new_int64(delayed));
    json_object_object_add(doc, "dead", json_object_new_int64(ndead));
    json_object_object_add(doc, "outbox", json_object_new_int64(atoll(cell(outbox, 0, 0))));
    json_object_object_add(doc, "consumersAlive", json_object_new_int64(alive));
    json_object_object_add(doc, "queues", queues);
    json_object_object_add(doc, "deadByQueue", deadq);
    json_object_object_add(doc, "consumers", roles);
    if (as_json) {
        printf("%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
    }
    else {
        printf("transport %s: %lld queued (%lld in flight, %lld delayed), %lld dead, %s in the "
               "outbox\n",
               oro_mq_transport_name(ctx->settings.transport), total, inflight, delayed, ndead,
               cell(outbox, 0, 0));
        for (size_t i = 0; i < json_object_array_length(depth); i++) {
            printf("  %-12s priority %s: %s queued, %s in flight, %s delayed\n", cell(depth, i, 0),
                   cell(depth, i, 1), cell(depth, i, 2), cell(depth, i, 3), cell(depth, i, 4));
        }
        printf("consumers alive: %lld, %.1f messages/s since they started\n", alive, rate);
        for (size_t i = 0; i < json_object_array_length(workers); i++) {
            printf("  %-8s %s alive, %s processed, %s failed\n", cell(workers, i, 0),
                   cell(workers, i, 1), cell(workers, i, 2), cell(workers, i, 3));
        }
        if (alive == 0) {
            printf("warning: no consumer is alive; messages are not being processed\n");
        }
    }
    json_object_put(doc);
    json_object_put(depth);
    json_object_put(dead);
    json_object_put(outbox);
    json_object_put(workers);
    return OROCTL_OK;
}

/* The WHERE clause of mq:dead retry|purge from IDs, --all or --older-than DAYS. */
static int dead_selection(oroctl_context_t *ctx, const char *sub, int argc, const char *const *argv,
                          int my, const char **where)
{
    apr_array_header_t *ids = apr_array_make(ctx->pool, 8, sizeof(apr_int64_t));
    int all = 0;
    long long days = -1;
    for (int i = 0; i < argc; i++) {
        long long n;
        if (strcmp(argv[i], "--all") == 0) {
            all = 1;
        }
        else if (strcmp(argv[i], "--older-than") == 0 && strcmp(sub, "purge") == 0) {
            if (i + 1 >= argc || parse_number(argv[i + 1], 0, 36500, &days) != 0) {
                return oroctl_fail(OROCTL_USAGE,
                                   "mq:dead purge: --older-than needs DAYS, 0 to 36500");
            }
            i++;
        }
        else if (parse_number(argv[i], 1, INT64_MAX, &n) == 0) {
            APR_ARRAY_PUSH(ids, apr_int64_t) = n;
        }
        else {
            return oroctl_fail(OROCTL_USAGE,
                               "mq:dead %s: \"%s\" is not a message id (see oroctl help mq:dead)",
                               sub, argv[i]);
        }
    }
    if ((all != 0) + (days >= 0) + (ids->nelts > 0) != 1) {
        return oroctl_fail(OROCTL_USAGE, "mq:dead %s: give message ids, --all%s (one of them)", sub,
                           strcmp(sub, "purge") == 0 ? " or --older-than DAYS" : "");
    }
    if (all) {
        *where = "1 = 1";
    }
    else if (days >= 0) {
        *where =
            my ? apr_psprintf(ctx->pool,
                              "failed_at < UTC_TIMESTAMP(6) - INTERVAL %" APR_INT64_T_FMT " DAY",
                              (apr_int64_t)days)
               : apr_psprintf(ctx->pool, "failed_at < now() - interval '%" APR_INT64_T_FMT " days'",
                              (apr_int64_t)days);
    }
    else {
        *where =
            apr_pstrcat(ctx->pool, "id IN (",
                        oro_mq_id_list(ctx->pool, (apr_int64_t *)ids->elts, ids->nelts), ")", NULL);
    }
    return OROCTL_OK;
}

static int run_mq_dead(oroctl_context_t *ctx, int argc, const char *const *argv)
{
    if (argc < 1) {
        return oroctl_fail(OROCTL_USAGE,
                           "mq:dead: needs list, retry or purge (see oroctl help mq:dead)");
    }
    const char *sub = argv[0];
    if (strcmp(sub, "list") != 0 && strcmp(sub, "retry") != 0 && strcmp(sub, "purge") != 0) {
        return oroctl_fail(OROCTL_USAGE,
                           "mq:dead: unknown subcommand \"%s\" (use list, retry or purge)", sub);
    }
    int my = oro_db_dialect_of(ctx->settings.db_driver) == ORO_DIALECT_MYSQL;
    long long limit = 100;
    int as_json = 0;
    const char *where = NULL;
    if (strcmp(sub, "list") == 0) {
        for (int i = 1; i < argc; i++) {
            if (strcmp(argv[i], "--json") == 0) {
                as_json = 1;
            }
            else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc &&
                     parse_number(argv[i + 1], 1, 1000000, &limit) == 0) {
                i++;
            }
            else {
                return oroctl_fail(OROCTL_USAGE,
                                   "mq:dead list: bad argument \"%s\" (use --limit N, --json)",
                                   argv[i]);
            }
        }
    }
    else {
        int rc = dead_selection(ctx, sub, argc - 1, argv + 1, my, &where);
        if (rc != OROCTL_OK) {
            return rc;
        }
    }
    oro_db_t *db;
    int rc = open_db(ctx, &db);
    if (rc != OROCTL_OK) {
        return rc;
    }
    apr_pool_t *p = ctx->pool;
    const char *error = NULL;
    if (strcmp(sub, "list") == 0) {
        json_object *rows = query_rows(
            db, p,
            apr_psprintf(
                p,
                "SELECT id, queue, topic, priority, attempts, failed_at, last_error, body "
                "FROM oro_message_dead ORDER BY failed_at DESC, id DESC LIMIT %" APR_INT64_T_FMT,
                (apr_int64_t)limit),
            &error);
        if (rows == NULL) {
            rc = oroctl_fail(OROCTL_FAILED, "mq:dead list: %s", error);
            goto cleanup;
        }
        if (as_json) {
            json_object *out = json_object_new_array();
            static const char *const names[] = {"id",       "queue",    "topic",     "priority",
                                                "attempts", "failedAt", "lastError", "body"};
            for (size_t r = 0; r < json_object_array_length(rows); r++) {
                json_object *o = json_object_new_object();
                for (size_t c = 0; c < 8; c++) {
                    const char *v = cell(rows, r, c);
                    json_object_object_add(o, names[c], v ? json_object_new_string(v) : NULL);
                }
                json_object_array_add(out, o);
            }
            printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
            json_object_put(out);
        }
        else {
            for (size_t r = 0; r < json_object_array_length(rows); r++) {
                printf("%s %s %s attempts=%s failed=%s: %s\n", cell(rows, r, 0), cell(rows, r, 1),
                       cell(rows, r, 2), cell(rows, r, 4), cell(rows, r, 5), cell(rows, r, 6));
            }
        }
        json_object_put(rows);
        goto cleanup;
    }
    apr_dbd_transaction_t *txn = NULL;
    if (oro_db_begin(db, p, &txn, &error) != 0) {
        rc = oroctl_fail(OROCTL_FAILED, "mq:dead %s: %s", sub, error);
        goto cleanup;
    }
    int moved = 0, deleted = 0;
    int failed = 0;
    if (strcmp(sub, "retry") == 0) {
        const char *now = my ? "UTC_TIMESTAMP(6)" : "now()";
        const char *sql =
            ctx->settings.transport == ORO_MQ_AMQP
                ? apr_psprintf(p,
                               "INSERT INTO oro_message_outbox (queue, topic, body, priority, "
                               "delay_ms, expire_ms, created_at) SELECT queue, topic, body, "
                               "priority, 0, 0, %s FROM oro_message_dead WHERE %s",
                               now, where)
                : apr_psprintf(p,
                               "INSERT INTO oro_message_queue (queue, topic, body, priority, "
                               "delayed_until, attempts, created_at) SELECT queue, topic, body, "
                               "priority, %s, 0, created_at FROM oro_message_dead WHERE %s",
                               now, where);
        failed = oro_db_exec(db, p, &error, &moved, sql, NULL) != 0;
    }
    if (!failed) {
        failed = oro_db_exec(db, p, &error, &deleted,
                             apr_pstrcat(p, "DELETE FROM oro_message_dead WHERE ", where, NULL),
                             NULL) != 0;
    }
    if (!failed && !my) {
        failed = oro_db_exec(db, p, &error, NULL,
                             ctx->settings.transport == ORO_MQ_AMQP
                                 ? "NOTIFY " ORO_MQ_CHANNEL ", 'outbox'"
                                 : "SELECT pg_notify('" ORO_MQ_CHANNEL "', queue) FROM "
                                   "(SELECT DISTINCT queue FROM oro_message_queue) q",
                             NULL) != 0;
    }
    const char *end_error;
    if (oro_db_end(db, p, txn, failed, &end_error) != 0 && !failed) {
        failed = 1;
        error = end_error;
    }
    if (failed) {
        rc = oroctl_fail(OROCTL_FAILED, "mq:dead %s: %s", sub, error);
        goto cleanup;
    }
    if (strcmp(sub, "retry") == 0) {
        printf("requeued %d dead message(s)\n", moved);
    }
    else {
        printf("purged %d dead message(s)\n", deleted);
    }
cleanup:
    oro_db_close(db);
    return rc;
}

const oroctl_command_t oroctl_mq_send_command = {
    "mq:send", "enqueue a message (operators, tests)",
    "usage: oroctl mq:send TOPIC BODY [--queue Q] [--priority N] [--delay MS] [--expire MS]\n"
    "                      [--count N]\n"
    "\n"
    "Enqueues the JSON text BODY with TOPIC on queue Q (oro.default, else oro.search)\n"
    "in one transaction, through the configured transport. --priority 0-4 (default 2),\n"
    "--delay and --expire in milliseconds, --count N enqueues N copies in one statement.\n"
    "Exit 0 sent, 1 the database refused, 2 bad arguments (bad JSON, unknown queue).\n",
    run_mq_send};

const oroctl_command_t oroctl_mq_stats_command = {
    "mq:stats", "queue depth, in flight, delayed, dead, live consumers",
    "usage: oroctl mq:stats [--json]\n"
    "\n"
    "Depth per queue and priority, messages in flight (claimed) and delayed, dead\n"
    "letters, outbox rows (amqp), live consumers per role with their processed and\n"
    "failed counts and rate; warns when no consumer is alive. --json: one JSON object.\n",
    run_mq_stats};

const oroctl_command_t oroctl_mq_dead_command = {
    "mq:dead", "list, retry or purge dead-lettered messages",
    "usage: oroctl mq:dead list [--limit N] [--json]\n"
    "       oroctl mq:dead retry ID... | --all\n"
    "       oroctl mq:dead purge ID... | --all | --older-than DAYS\n"
    "\n"
    "list: the newest dead letters (default 100) with their last error.\n"
    "retry: enqueue them again with their attempts reset, and remove them from the\n"
    "dead-letter table, in one transaction. purge: delete them.\n",
    run_mq_dead};
