/* consumer/processor_search.c — the indexer's processors: oro.search.reindex (batches
 * of changed ids from every write path) and oro.search.reindex_range (a child job of
 * `oroctl search:reindex --scheduled`). Both run only in the `indexer` worker, the one
 * writer of the index (DESIGN.md §6).
 *
 * A batch of messages costs one Xapian commit: ids are grouped by entity and read with
 * one statement per ORO_SEARCH_READ_BATCH records, the records that show a changed
 * record's title (an account's contacts) are reindexed in the same commit, and during
 * a full rebuild the changed ids are also journalled so the rebuild replays them before
 * it switches (lib/search/search.h). */
#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_time.h>
#include <json.h>
#include <string.h>

#include "mq/jobs.h"
#include "mq/mq.h"
#include "processor_search.h"
#include "search/indexer.h"
#include "search/search.h"
#include "util/log.h"

#define MAX_IDS_PER_MESSAGE 100000

/* The ids of one message into by_entity (type → hash of id → id). Returns NULL, or
 * the reason the message can never be processed. */
static const char *read_reindex(apr_pool_t *p, const oro_meta_t *meta, const char *body,
                                apr_hash_t *by_entity)
{
    json_tokener *tok = json_tokener_new();
    json_object *doc = tok ? json_tokener_parse_ex(tok, body, (int)strlen(body)) : NULL;
    int complete = tok && json_tokener_get_error(tok) == json_tokener_success;
    if (tok) {
        json_tokener_free(tok);
    }
    const char *reason = NULL;
    json_object *entity_json, *ids_json;
    if (doc == NULL || !complete || !json_object_is_type(doc, json_type_object)) {
        reason = "the body is not a JSON object";
        goto cleanup;
    }
    if (!json_object_object_get_ex(doc, "entity", &entity_json) ||
        !json_object_is_type(entity_json, json_type_string)) {
        reason = "\"entity\" is missing or not a string";
        goto cleanup;
    }
    const char *type = json_object_get_string(entity_json);
    const oro_entity_t *e = oro_meta_entity(meta, type);
    if (e == NULL) {
        reason = apr_psprintf(p, "unknown entity \"%s\"", type);
        goto cleanup;
    }
    if (!json_object_object_get_ex(doc, "ids", &ids_json) ||
        !json_object_is_type(ids_json, json_type_array)) {
        reason = "\"ids\" is missing or not an array";
        goto cleanup;
    }
    size_t n = json_object_array_length(ids_json);
    if (n > MAX_IDS_PER_MESSAGE) {
        reason = apr_psprintf(p, "more than %d ids", MAX_IDS_PER_MESSAGE);
        goto cleanup;
    }
    const char **list = apr_palloc(p, sizeof *list * (n + 1));
    for (size_t i = 0; i < n; i++) {
        json_object *v = json_object_array_get_idx(ids_json, i);
        const char *id = NULL;
        if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) > 0) {
            id = apr_psprintf(p, "%" APR_INT64_T_FMT, (apr_int64_t)json_object_get_int64(v));
        }
        else if (json_object_is_type(v, json_type_string)) {
            id = apr_pstrdup(p, json_object_get_string(v));
        }
        if (id == NULL || !oro_search_valid_id(id)) {
            reason = apr_psprintf(p, "ids[%" APR_SIZE_T_FMT "] is not a positive integer id",
                                  (apr_size_t)i);
            goto cleanup;
        }
        list[i] = id;
    }
    if (!oro_search_entity_indexed(e)) {
        goto cleanup; /* nothing of it is indexed: done */
    }
    /* a valid message's ids go straight into the batch's set of the entity (merging a
     * set per message would copy the whole set each time: quadratic in the batch) */
    apr_hash_t *ids = apr_hash_get(by_entity, e->type, APR_HASH_KEY_STRING);
    if (ids == NULL) {
        ids = apr_hash_make(p);
        apr_hash_set(by_entity, e->type, APR_HASH_KEY_STRING, ids);
    }
    for (size_t i = 0; i < n; i++) {
        apr_hash_set(ids, list[i], APR_HASH_KEY_STRING, list[i]);
    }
cleanup:
    if (doc != NULL) {
        json_object_put(doc);
    }
    return reason;
}

static apr_array_header_t *hash_values(apr_pool_t *p, apr_hash_t *h)
{
    apr_array_header_t *out = apr_array_make(p, (int)apr_hash_count(h) + 1, sizeof(const char *));
    for (apr_hash_index_t *hi = apr_hash_first(p, h); hi; hi = apr_hash_next(hi)) {
        APR_ARRAY_PUSH(out, const char *) = apr_hash_this_val(hi);
    }
    return out;
}

/* Opens the live version for writing under the shared lock (*lock; the caller
 * releases it as soon as it has committed, so that a rebuild waiting to switch is not
 * held up by the acks). NULL with *error. */
static oro_search_writer_t *open_live(oro_mq_context_t *ctx, oro_search_lock_t **lock,
                                      const char **building, const char **error)
{
    const char *dir = ctx->settings->search_index;
    if (dir == NULL) {
        *error = "no OroSearchIndex directive";
        return NULL;
    }
    *lock = oro_search_lock_acquire(ctx->pool, dir, 0, error);
    if (*lock == NULL ||
        oro_search_dir_ensure(ctx->pool, dir, ctx->settings->search_shards, error) != 0) {
        return NULL;
    }
    *building = oro_search_dir_building(ctx->pool, dir);
    return oro_search_writer_open(ctx->pool, oro_search_dir_current(ctx->pool, dir), error);
}

/* Indexes by_entity and their dependents, journals them during a rebuild, commits. */
static int apply_locked(oro_mq_context_t *ctx, apr_hash_t *by_entity, oro_search_stats_t *stats,
                        oro_search_writer_t *w, const char *building, const char **error)
{
    const oro_meta_t *meta = ctx->settings->meta;
    apr_hash_t *dependents = apr_hash_make(ctx->pool);
    for (apr_hash_index_t *hi = apr_hash_first(ctx->pool, by_entity); hi; hi = apr_hash_next(hi)) {
        const oro_entity_t *e = oro_meta_entity(meta, apr_hash_this_key(hi));
        apr_array_header_t *ids = hash_values(ctx->pool, apr_hash_this_val(hi));
        /* only records whose title changed are shown differently by their dependents */
        apr_hash_t *retitled = apr_hash_make(ctx->pool);
        if (oro_search_index_ids_retitled(ctx->db, ctx->pool, meta, e, ids, w, stats, retitled,
                                          error) != 0 ||
            oro_search_dependents(ctx->db, ctx->pool, meta, e, retitled, w, dependents, error) !=
                0) {
            return -1;
        }
        if (building != NULL && oro_search_journal_append(ctx->pool, ctx->settings->search_index,
                                                          e->type, ids, error) != 0) {
            return -1;
        }
    }
    for (apr_hash_index_t *hi = apr_hash_first(ctx->pool, dependents); hi; hi = apr_hash_next(hi)) {
        const oro_entity_t *e = oro_meta_entity(meta, apr_hash_this_key(hi));
        apr_array_header_t *ids = apr_hash_this_val(hi);
        if (oro_search_index_ids(ctx->db, ctx->pool, meta, e, ids, w, stats, error) != 0) {
            return -1;
        }
        if (building != NULL && oro_search_journal_append(ctx->pool, ctx->settings->search_index,
                                                          e->type, ids, error) != 0) {
            return -1;
        }
    }
    return oro_search_writer_commit(w, ctx->pool, error);
}

static int apply(oro_mq_context_t *ctx, apr_hash_t *by_entity, oro_search_stats_t *stats,
                 const char **error)
{
    const char *building = NULL, *ignored;
    oro_search_lock_t *lock = NULL;
    oro_search_writer_t *w = open_live(ctx, &lock, &building, error);
    int rc = w != NULL ? apply_locked(ctx, by_entity, stats, w, building, error) : -1;
    if (w != NULL && oro_search_writer_close(w, ctx->pool, rc == 0 ? error : &ignored) != 0) {
        rc = -1;
    }
    if (lock != NULL) {
        oro_search_lock_release(lock);
    }
    return rc;
}

/* oro.search.reindex: every message of the batch in one commit. Malformed messages are
 * rejected alone; a database or index failure requeues the whole batch (indexing is
 * idempotent). */
static void reindex_batch(oro_mq_context_t *ctx, const oro_mq_delivery_t *messages, int n,
                          oro_mq_result_t *results, const char **reasons)
{
    apr_hash_t *by_entity = apr_hash_make(ctx->pool);
    int valid = 0;
    for (int i = 0; i < n; i++) {
        const char *reason =
            ctx->settings->meta == NULL
                ? "no entity definitions (OroEntityConfig)"
                : read_reindex(ctx->pool, ctx->settings->meta,
                               messages[i].body ? messages[i].body : "", by_entity);
        results[i] = reason ? ORO_MQ_REJECT : ORO_MQ_ACK;
        reasons[i] = reason;
        valid += reason == NULL;
    }
    if (valid == 0 || apr_hash_count(by_entity) == 0) {
        return;
    }
    oro_search_stats_t stats = {0, 0};
    const char *error = NULL;
    apr_time_t started = apr_time_now();
    if (apply(ctx, by_entity, &stats, &error) != 0) {
        ORO_WARN("could not index a batch of %d messages: %s", n, error);
        for (int i = 0; i < n; i++) {
            if (results[i] == ORO_MQ_ACK) {
                results[i] = ORO_MQ_REQUEUE;
                reasons[i] = error;
            }
        }
        return;
    }
    ORO_DEBUG("indexed %lld and removed %lld documents for %d messages in %ld ms", stats.indexed,
              stats.deleted, n, (long)((apr_time_now() - started) / 1000));
}

/* oro.search.reindex_range {"entity":…,"from":N,"to":M,"jobId":J}: indexes the records
 * of the range into the live version (a scheduled rebuild). */
static oro_mq_result_t reindex_range(oro_mq_context_t *ctx, const oro_mq_delivery_t *message,
                                     const char **reason)
{
    const oro_meta_t *meta = ctx->settings->meta;
    json_object *doc = json_tokener_parse(message->body ? message->body : "");
    json_object *v;
    const oro_entity_t *e = NULL;
    long long from = 0, to = 0;
    oro_mq_result_t result = ORO_MQ_REJECT;
    if (meta == NULL || doc == NULL || !json_object_is_type(doc, json_type_object)) {
        *reason = "the body is not a JSON object";
        goto cleanup;
    }
    if (!json_object_object_get_ex(doc, "entity", &v) ||
        !json_object_is_type(v, json_type_string) ||
        (e = oro_meta_entity(meta, json_object_get_string(v))) == NULL) {
        *reason = "\"entity\" is missing or not a known entity type";
        goto cleanup;
    }
    apr_int64_t job_id = 0;
    if (json_object_object_get_ex(doc, "jobId", &v) &&
        (!json_object_is_type(v, json_type_int) || (job_id = json_object_get_int64(v)) < 1)) {
        *reason = "\"jobId\" must be a positive integer";
        goto cleanup;
    }
    if (!json_object_object_get_ex(doc, "from", &v) || !json_object_is_type(v, json_type_int) ||
        (from = json_object_get_int64(v)) < 1 || !json_object_object_get_ex(doc, "to", &v) ||
        !json_object_is_type(v, json_type_int) || (to = json_object_get_int64(v)) < from) {
        *reason = "\"from\" and \"to\" must be integers with 1 <= from <= to";
        goto cleanup;
    }
    result = ORO_MQ_ACK;
    const char *error = NULL;
    if (job_id > 0) {
        /* a child job of `oroctl search:reindex --scheduled`: run it unless its root was
         * interrupted or it has run already (a redelivery) */
        int started = oro_job_start_child(ctx->db, ctx->settings, ctx->pool, job_id, NULL, &error);
        if (started == ORO_JOB_CANCELLED || started == ORO_JOB_ENDED) {
            goto cleanup;
        }
        if (started == ORO_JOB_NOT_FOUND) {
            *reason = apr_psprintf(ctx->pool, "no job %" APR_INT64_T_FMT, job_id);
            result = ORO_MQ_REJECT;
            goto cleanup;
        }
        if (started != ORO_JOB_STARTED) {
            *reason = error;
            result = ORO_MQ_REQUEUE;
            goto cleanup;
        }
    }
    if (!oro_search_entity_indexed(e)) {
        goto finish;
    }
    const char *building = NULL;
    oro_search_stats_t stats = {0, 0};
    oro_search_lock_t *lock = NULL;
    oro_search_writer_t *w = open_live(ctx, &lock, &building, &error);
    if (w == NULL ||
        oro_search_index_range(ctx->db, ctx->pool, meta, e, from, to, 1000, w, &stats, NULL, NULL,
                               &error) != 0 ||
        oro_search_writer_commit(w, ctx->pool, &error) != 0 ||
        oro_search_writer_close(w, ctx->pool, &error) != 0) {
        *reason = error;
        result = ORO_MQ_REQUEUE;
    }
    if (lock != NULL) {
        oro_search_lock_release(lock);
    }
finish:
    if (job_id > 0) {
        /* the last delivery of a failing range fails the job; earlier ones come back */
        int last = message->attempts >= ctx->settings->queue_max_attempts;
        oro_job_status_t status = result == ORO_MQ_ACK ? ORO_JOB_STATUS_SUCCESS
                                  : last               ? ORO_JOB_STATUS_FAILED
                                                       : ORO_JOB_STATUS_FAILED_REDELIVERED;
        const char *job_error = NULL;
        if (oro_job_finish(ctx->db, ctx->settings, ctx->pool, job_id, status, &job_error) ==
            ORO_JOB_ERROR) {
            ORO_WARN("could not end job %" APR_INT64_T_FMT ": %s", job_id, job_error);
            if (result == ORO_MQ_ACK) {
                *reason = job_error;
                result = ORO_MQ_REQUEUE;
            }
        }
    }
cleanup:
    if (doc != NULL) {
        json_object_put(doc);
    }
    return result;
}

const oro_mq_processor_t oro_search_reindex_processor = {ORO_MQ_TOPIC_SEARCH_REINDEX, NULL,
                                                         reindex_batch};
const oro_mq_processor_t oro_search_reindex_range_processor = {ORO_MQ_TOPIC_SEARCH_REINDEX_RANGE,
                                                               reindex_range, NULL};
