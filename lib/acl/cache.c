/* lib/acl/cache.c — the per-process cache of principals' ACL data (see acl.h).
 *
 * Entries live in a generation: a pool with a reference count. A request that reads an
 * entry holds a reference to its generation until the request's pool is cleared, so
 * dropping the entries (a new ACL version, clear, or the generation being full) only
 * retires the generation; the last reference destroys it. Every access holds one mutex;
 * the work under it is a hash lookup or a copy of one entry. */
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>

#include "acl/acl.h"

/* Entries per generation; a full generation is retired and a new one started, so the
 * memory of a process stays bounded whatever the number of users. */
#define GENERATION_MAX_ENTRIES 4096

typedef struct generation {
    apr_pool_t *pool;
    apr_hash_t *entries; /* key -> entry_t */
    int refs;            /* requests holding it, plus one while it is current */
} generation_t;

typedef struct {
    const void *grants;
    apr_array_header_t *business_unit_ids;
    apr_array_header_t *division_ids;
} entry_t;

struct oro_acl_cache {
    apr_pool_t *pool;
    apr_thread_mutex_t *mutex;
    generation_t *current;
    apr_int64_t version;
    apr_time_t checked_at;
    apr_uint32_t generation; /* see oro_acl_cache_sync */
};

typedef struct {
    oro_acl_cache_t *cache;
    generation_t *generation;
} hold_t;

/* Under the mutex. */
static generation_t *generation_new(oro_acl_cache_t *cache)
{
    apr_pool_t *p;
    if (apr_pool_create_unmanaged(&p) != APR_SUCCESS) {
        return NULL;
    }
    generation_t *g = apr_pcalloc(p, sizeof *g);
    g->pool = p;
    g->entries = apr_hash_make(p);
    g->refs = 1;
    (void)cache;
    return g;
}

/* Under the mutex. */
static void generation_release(generation_t *g)
{
    if (g != NULL && --g->refs == 0) {
        apr_pool_destroy(g->pool);
    }
}

/* Under the mutex: retires the current generation and starts an empty one. */
static void retire(oro_acl_cache_t *cache)
{
    generation_release(cache->current);
    cache->current = generation_new(cache);
}

static apr_status_t cache_cleanup(void *data)
{
    oro_acl_cache_t *cache = data;
    generation_release(cache->current);
    cache->current = NULL;
    return APR_SUCCESS;
}

oro_acl_cache_t *oro_acl_cache_create(apr_pool_t *p)
{
    oro_acl_cache_t *cache = apr_pcalloc(p, sizeof *cache);
    cache->pool = p;
    cache->version = -1;
    if (apr_thread_mutex_create(&cache->mutex, APR_THREAD_MUTEX_DEFAULT, p) != APR_SUCCESS) {
        return NULL;
    }
    cache->current = generation_new(cache);
    if (cache->current == NULL) {
        return NULL;
    }
    apr_pool_cleanup_register(p, cache, cache_cleanup, apr_pool_cleanup_null);
    return cache;
}

static const char *key_of(apr_pool_t *p, const oro_principal_t *principal)
{
    return apr_psprintf(p, "%" APR_INT64_T_FMT "/%" APR_INT64_T_FMT "/%" APR_INT64_T_FMT,
                        principal->user_id, principal->organization_id,
                        principal->business_unit_id);
}

static apr_status_t release_hold(void *data)
{
    hold_t *hold = data;
    apr_thread_mutex_lock(hold->cache->mutex);
    generation_release(hold->generation);
    apr_thread_mutex_unlock(hold->cache->mutex);
    return APR_SUCCESS;
}

int oro_acl_cache_get(oro_acl_cache_t *cache, oro_principal_t *principal, apr_pool_t *request_pool)
{
    const char *key = key_of(request_pool, principal);
    apr_thread_mutex_lock(cache->mutex);
    generation_t *g = cache->current;
    const entry_t *e = g != NULL ? apr_hash_get(g->entries, key, APR_HASH_KEY_STRING) : NULL;
    if (e != NULL) {
        g->refs++;
    }
    apr_thread_mutex_unlock(cache->mutex);
    if (e == NULL) {
        return 0;
    }
    hold_t *hold = apr_palloc(request_pool, sizeof *hold);
    hold->cache = cache;
    hold->generation = g;
    apr_pool_cleanup_register(request_pool, hold, release_hold, apr_pool_cleanup_null);
    principal->grants = e->grants;
    principal->business_unit_ids = e->business_unit_ids;
    principal->division_ids = e->division_ids;
    return 1;
}

static apr_array_header_t *copy_ids(apr_pool_t *p, const apr_array_header_t *ids)
{
    return ids != NULL ? apr_array_copy(p, ids) : apr_array_make(p, 1, sizeof(apr_int64_t));
}

void oro_acl_cache_put(oro_acl_cache_t *cache, const oro_meta_t *meta,
                       const oro_principal_t *principal, const apr_array_header_t *grants,
                       apr_int64_t version)
{
    apr_thread_mutex_lock(cache->mutex);
    if (version != cache->version || cache->current == NULL) {
        apr_thread_mutex_unlock(cache->mutex); /* read under an older version: not kept */
        return;
    }
    if (apr_hash_count(cache->current->entries) >= GENERATION_MAX_ENTRIES) {
        retire(cache);
        if (cache->current == NULL) {
            apr_thread_mutex_unlock(cache->mutex);
            return;
        }
    }
    apr_pool_t *p = cache->current->pool;
    const char *key = key_of(p, principal);
    if (apr_hash_get(cache->current->entries, key, APR_HASH_KEY_STRING) == NULL) {
        entry_t *e = apr_palloc(p, sizeof *e);
        e->grants = oro_acl_grants_build(p, meta, grants);
        e->business_unit_ids = copy_ids(p, principal->business_unit_ids);
        e->division_ids = copy_ids(p, principal->division_ids);
        apr_hash_set(cache->current->entries, key, APR_HASH_KEY_STRING, e);
    }
    apr_thread_mutex_unlock(cache->mutex);
}

int oro_acl_cache_version_due(oro_acl_cache_t *cache, apr_time_t now)
{
    apr_thread_mutex_lock(cache->mutex);
    int due = cache->version < 0 || now - cache->checked_at >= ORO_ACL_VERSION_INTERVAL ||
              now < cache->checked_at;
    if (due) {
        cache->checked_at = now;
    }
    apr_thread_mutex_unlock(cache->mutex);
    return due;
}

apr_int64_t oro_acl_cache_set_version(oro_acl_cache_t *cache, apr_int64_t version)
{
    apr_thread_mutex_lock(cache->mutex);
    if (version != cache->version) {
        retire(cache);
        cache->version = version;
    }
    apr_thread_mutex_unlock(cache->mutex);
    return version;
}

void oro_acl_cache_sync(oro_acl_cache_t *cache, apr_uint32_t generation)
{
    apr_thread_mutex_lock(cache->mutex);
    if (generation != cache->generation) {
        retire(cache);
        cache->generation = generation;
        cache->version = -1; /* read it again before trusting new entries */
    }
    apr_thread_mutex_unlock(cache->mutex);
}

void oro_acl_cache_clear(oro_acl_cache_t *cache)
{
    apr_thread_mutex_lock(cache->mutex);
    retire(cache);
    cache->version = -1; /* read it again before trusting new entries */
    apr_thread_mutex_unlock(cache->mutex);
}

apr_int64_t oro_acl_cache_version(oro_acl_cache_t *cache)
{
    apr_thread_mutex_lock(cache->mutex);
    apr_int64_t v = cache->version;
    apr_thread_mutex_unlock(cache->mutex);
    return v;
}
