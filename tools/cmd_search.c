/* tools/cmd_search.c — oroctl search:reindex: rebuilds the search index (or some of its
 * entity types) into a fresh Xapian database and switches to it atomically, so search
 * answers from the old version throughout (lib/search/search.h, docs/search.md). */
#include <apr_strings.h>
#include <apr_time.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/db.h"
#include "mq/jobs.h"
#include "mq/mq.h"
#include "oroctl.h"
#include "search/indexer.h"
#include "search/search.h"

#define READ_BATCH 1000

typedef struct {
    const char *type;
    long long total;
    int tty;
    int last_percent;
} progress_t;

/* "  contacts  [#########...........]  45%  4500/10000" on a terminal, redrawn in place. */
static void show_progress(void *arg, long long done)
{
    progress_t *pr = arg;
    if (!pr->tty) {
        return;
    }
    long long total = pr->total > done ? pr->total : done;
    int percent = total > 0 ? (int)(done * 100 / total) : 100;
    if (percent == pr->last_percent && done != total) {
        return;
    }
    pr->last_percent = percent;
    char bar[31];
    int filled = percent * 30 / 100;
    for (int i = 0; i < 30; i++) {
        bar[i] = i < filled ? '#' : '.';
    }
    bar[30] = '\0';
    fprintf(stderr, "\r  %-16s [%s] %3d%%  %lld/%lld", pr->type, bar, percent, done, total);
    fflush(stderr);
}

/* Checks the TYPE arguments: known and indexed. Returns an exit code. */
static int check_types(const oro_meta_t *meta, apr_array_header_t *types)
{
    for (int i = 0; i < types->nelts; i++) {
        const char *t = APR_ARRAY_IDX(types, i, const char *);
        const oro_entity_t *e = oro_meta_entity(meta, t);
        if (e == NULL) {
            return oroctl_fail(OROCTL_USAGE, "search:reindex: unknown entity type \"%s\"", t);
        }
        if (!oro_search_entity_indexed(e)) {
            return oroctl_fail(OROCTL_USAGE,
                               "search:reindex: entity type \"%s\" has no searchable field", t);
        }
    }
    return OROCTL_OK;
}

/* Indexes each type of types into w with a progress bar. 0 or -1 with *error. */
static int index_types(oro_db_t *db, apr_pool_t *p, const oro_meta_t *meta,
                       apr_array_header_t *types, oro_search_writer_t *w, const char **error)
{
    int tty = isatty(STDERR_FILENO);
    for (int i = 0; i < types->nelts; i++) {
        const oro_entity_t *e = oro_meta_entity(meta, APR_ARRAY_IDX(types, i, const char *));
        long long count, min_id, max_id;
        if (oro_search_entity_extent(db, p, e, &count, &min_id, &max_id, error) != 0) {
            return -1;
        }
        progress_t pr = {e->type, count, tty, -1};
        oro_search_stats_t stats = {0, 0};
        show_progress(&pr, 0);
        if (oro_search_index_range(db, p, meta, e, 1, -1, READ_BATCH, w, &stats, show_progress, &pr,
                                   error) != 0) {
            if (tty) {
                fputc('\n', stderr);
            }
            return -1;
        }
        if (tty) {
            fputc('\n', stderr);
        }
        printf("%s: %lld indexed\n", e->type, stats.indexed);
        fflush(stdout);
    }
    return 0;
}

/* Replays the journal of changes the indexer made while we built (under the exclusive
 * lock, so no batch runs meanwhile). */
static int replay_journal(oro_db_t *db, apr_pool_t *p, const oro_meta_t *meta, const char *dir,
                          oro_search_writer_t *w, const char **error)
{
    apr_hash_t *journal = oro_search_journal_read(p, dir);
    for (apr_hash_index_t *hi = apr_hash_first(p, journal); hi; hi = apr_hash_next(hi)) {
        const oro_entity_t *e = oro_meta_entity(meta, apr_hash_this_key(hi));
        oro_search_stats_t stats = {0, 0};
        if (e != NULL &&
            oro_search_index_ids(db, p, meta, e, apr_hash_this_val(hi), w, &stats, error) != 0) {
            return -1;
        }
    }
    return 0;
}

/* --scheduled: one unique root job "oro.search.reindex" with a child job per id range
 * of each type, each sent as an oro.search.reindex_range message for the indexer, all
 * in one transaction (no message without its job, no job without its message). The
 * ranges are indexed into the live version. Returns an exit code. */
static int run_scheduled(oroctl_context_t *ctx, oro_db_t *db, apr_array_header_t *types,
                         long range_size)
{
    apr_pool_t *p = ctx->pool;
    const char *error = NULL;
    apr_dbd_transaction_t *txn = NULL;
    if (oro_db_begin(db, p, &txn, &error) != 0) {
        return oroctl_fail(OROCTL_FAILED, "search:reindex: %s", error);
    }
    const char *owner =
        apr_psprintf(p, "oroctl-%ld-%" APR_TIME_T_FMT, (long)getpid(), apr_time_now());
    oro_job_t *job = NULL;
    int rc = oro_job_run_root(db, &ctx->settings, p, owner, "oro.search.reindex", 1, &job, &error);
    if (rc == ORO_JOB_DUPLICATE) {
        oro_db_end(db, p, txn, 1, &error);
        return oroctl_fail(OROCTL_FAILED,
                           "search:reindex: a scheduled reindex is already running (see oroctl "
                           "jobs:list --name oro.search.reindex)");
    }
    if (rc != ORO_JOB_STARTED) {
        goto failed;
    }
    long children = 0;
    for (int i = 0; i < types->nelts; i++) {
        const oro_entity_t *e =
            oro_meta_entity(ctx->settings.meta, APR_ARRAY_IDX(types, i, const char *));
        long long count, min_id, max_id;
        if (oro_search_entity_extent(db, p, e, &count, &min_id, &max_id, &error) != 0) {
            goto failed;
        }
        for (long long from = min_id; count > 0 && from <= max_id; from += range_size) {
            long long to = from + range_size - 1 < max_id ? from + range_size - 1 : max_id;
            apr_int64_t child = 0;
            const char *name = apr_psprintf(
                p, "oro.search.reindex_range %s %" APR_INT64_T_FMT "-%" APR_INT64_T_FMT, e->type,
                (apr_int64_t)from, (apr_int64_t)to);
            if (oro_job_create_child(db, p, job->root_id, name, &child, &error) != 0) {
                goto failed;
            }
            oro_mq_message_t m = {0};
            m.queue = ORO_MQ_QUEUE_SEARCH;
            m.topic = ORO_MQ_TOPIC_SEARCH_REINDEX_RANGE;
            m.priority = ORO_MQ_PRIORITY_LOW;
            m.body = apr_psprintf(p,
                                  "{\"entity\":\"%s\",\"from\":%" APR_INT64_T_FMT
                                  ",\"to\":%" APR_INT64_T_FMT ",\"jobId\":%" APR_INT64_T_FMT "}",
                                  e->type, (apr_int64_t)from, (apr_int64_t)to, child);
            if (oro_mq_send(db->driver, db->handle, p, db->dialect,
                            (oro_mq_transport_t)ctx->settings.transport, &m, &error) != 0) {
                goto failed;
            }
            children++;
        }
    }
    if (oro_job_finish(db, &ctx->settings, p, job->id, ORO_JOB_STATUS_SUCCESS, &error) != 0 ||
        oro_db_end(db, p, txn, 0, &error) != 0) {
        return oroctl_fail(OROCTL_FAILED, "search:reindex: %s", error ? error : "failed");
    }
    printf("scheduled %ld range jobs of root job %" APR_INT64_T_FMT "\n", children, job->root_id);
    return OROCTL_OK;
failed:
    oro_db_end(db, p, txn, 1, &error);
    return oroctl_fail(OROCTL_FAILED, "search:reindex: could not schedule: %s",
                       error ? error : "failed");
}

static int run_reindex(oroctl_context_t *ctx, int argc, const char *const *argv)
{
    apr_pool_t *p = ctx->pool;
    const oro_meta_t *meta = oroctl_meta(ctx);
    if (meta == NULL) {
        return OROCTL_CONFIG;
    }
    apr_array_header_t *types = apr_array_make(p, 4, sizeof(const char *));
    int scheduled = 0;
    long range_size = 10000;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--scheduled") == 0) {
            scheduled = 1;
        }
        else if (strcmp(argv[i], "--range-size") == 0) {
            char *end = NULL;
            range_size = i + 1 < argc ? strtol(argv[++i], &end, 10) : 0;
            if (end == NULL || *end != '\0' || range_size < 1 || range_size > 10000000) {
                return oroctl_fail(OROCTL_USAGE,
                                   "search:reindex: --range-size needs a number from 1 to "
                                   "10000000");
            }
        }
        else if (argv[i][0] == '-') {
            return oroctl_fail(OROCTL_USAGE,
                               "search:reindex: unknown option \"%s\" (see oroctl help "
                               "search:reindex)",
                               argv[i]);
        }
        else {
            APR_ARRAY_PUSH(types, const char *) = argv[i];
        }
    }
    int rc = check_types(meta, types);
    if (rc != OROCTL_OK) {
        return rc;
    }
    const char *dir = ctx->settings.search_index;
    if (dir == NULL) {
        return oroctl_fail(OROCTL_CONFIG, "%s: no OroSearchIndex directive", ctx->config_path);
    }
    int partial = types->nelts > 0;
    if (!partial) {
        for (int i = 0; i < meta->entities->nelts; i++) {
            const oro_entity_t *e = APR_ARRAY_IDX(meta->entities, i, const oro_entity_t *);
            if (oro_search_entity_indexed(e)) {
                APR_ARRAY_PUSH(types, const char *) = e->type;
            }
        }
    }
    const char *error = NULL;
    oro_db_t *db = oro_db_open(p, ctx->settings.db_driver, ctx->settings.db_params, &error);
    if (db == NULL) {
        return oroctl_fail(OROCTL_UNAVAILABLE, "%s", error);
    }
    if (scheduled) {
        return run_scheduled(ctx, db, types, range_size);
    }
    /* Announce the rebuild under the exclusive lock: every indexer batch that starts
     * afterwards journals its changes for the replay below. */
    oro_search_lock_t *lock = oro_search_lock_acquire(p, dir, 1, &error);
    if (lock == NULL || oro_search_dir_ensure(p, dir, ctx->settings.search_shards, &error) != 0) {
        return oroctl_fail(OROCTL_FAILED, "search:reindex: %s", error);
    }
    const char *version = oro_search_dir_new_version(p, dir, &error);
    if (version == NULL || oro_search_dir_set_building(p, dir, version, &error) != 0) {
        return oroctl_fail(OROCTL_FAILED, "search:reindex: %s", error);
    }
    oro_search_lock_release(lock);

    rc = OROCTL_FAILED;
    oro_search_writer_t *w = oro_search_writer_create(p, version, ctx->settings.search_shards, &error);
    if (w == NULL) {
        goto cleanup;
    }
    if (partial) {
        const char *live = oro_search_dir_current(p, dir);
        if (live == NULL || oro_search_writer_copy(w, p, live, (const char *const *)types->elts,
                                                   types->nelts, &error) < 0) {
            error = error ? error : "the live index has disappeared";
            goto cleanup;
        }
    }
    if (index_types(db, p, meta, types, w, &error) != 0) {
        goto cleanup;
    }
    lock = oro_search_lock_acquire(p, dir, 1, &error);
    if (lock == NULL || replay_journal(db, p, meta, dir, w, &error) != 0 ||
        oro_search_writer_commit(w, p, &error) != 0) {
        goto cleanup;
    }
    long long documents = oro_search_writer_count(w);
    if (oro_search_writer_close(w, p, &error) != 0 ||
        oro_search_dir_switch(p, dir, version, &error) != 0) {
        goto cleanup;
    }
    printf("search index: %lld documents in %s\n", documents, version);
    rc = OROCTL_OK;
cleanup:
    if (rc != OROCTL_OK) {
        oroctl_fail(rc, "search:reindex: %s", error ? error : "failed");
        if (w != NULL) {
            oro_search_writer_close(w, p, &error);
        }
    }
    /* whatever happened, the indexer stops journalling; a failed version is removed by
     * the next successful switch */
    oro_search_dir_set_building(p, dir, NULL, &error);
    if (lock != NULL) {
        oro_search_lock_release(lock);
    }
    return rc;
}

const oroctl_command_t oroctl_search_reindex_command = {
    "search:reindex", "rebuilds the search index (all or some entity types)",
    "usage: oroctl search:reindex [--scheduled [--range-size N]] [TYPE...]\n"
    "\n"
    "Rebuilds the search index of OroSearchIndex from the database: every entity type with\n"
    "a searchable field, or only the TYPEs given (the others are copied from the live\n"
    "index). The new index is built beside the live one and switched in atomically, so\n"
    "search answers throughout; changes the indexer makes meanwhile are replayed before\n"
    "the switch. A progress bar is drawn on a terminal.\n"
    "\n"
    "  --scheduled       instead, split the work into id-range child jobs of one unique\n"
    "                    root job (oro.search.reindex) for the indexer worker, which\n"
    "                    indexes them into the live index; returns once they are queued\n"
    "  --range-size N    ids per child job (default 10000)\n"
    "\n"
    "exit codes: 0 done, 1 failed, 2 unknown option or type, 3 configuration error,\n"
    "4 database unreachable\n",
    run_reindex};
