/* mod_oro/auth_cache.c — the authentication cache shared by httpd's processes: users,
 * sessions, tokens and throttle counters in mod_socache_shmcb (through the socache
 * provider interface), and the WSSE nonces (each accepted once) in a table of their own
 * (below). Both are guarded by one global mutex (shmcb is not safe across processes by
 * itself), registered as "oro-auth" so Mutex directives can tune it. Each process keeps
 * copies of what it read in front of it (auth_local.c), so a request whose credentials
 * are cached takes no global lock. */
#include "auth.h"

#include <ap_provider.h>
#include <ap_socache.h>
#include <apr_atomic.h>
#include <apr_global_mutex.h>
#include <apr_shm.h>
#include <apr_strings.h>
#include <http_config.h>
#include <util_mutex.h>

APLOG_USE_MODULE(oro);

#define MUTEX_TYPE "oro-auth"
#define NAMESPACE "oro-auth"

static const ap_socache_provider_t *provider;
static ap_socache_instance_t *instance;
static apr_global_mutex_t *mutex;

/* WSSE nonces are not kept in shmcb: its lookups scan a subcache's entries one by one,
 * and a cache full of an hour of nonces made every WSSE request slower (9,000 requests/s
 * with an empty cache, 4,400 with a full one). They go into an open-addressing table in
 * shared memory instead: a slot is a 16-byte digest of the nonce and its expiry; a nonce
 * lives in one of NONCE_PROBES slots after its hash, so each check is O(1). */
typedef struct {
    unsigned char digest[16];
    apr_time_t expiry;
} nonce_slot_t;

#define NONCE_PROBES 16

static apr_shm_t *nonce_shm;
static nonce_slot_t *nonce_slots;
static apr_size_t nonce_count;

/* The generation of the host's cache: incremented after every write (set, remove) of a
 * key that processes may copy (auth_local.c). In shared memory made by the parent, so
 * every child sees it; NULL when it could not be made (then nothing is copied). */
static volatile apr_uint32_t *generation;

static void generation_bump(const char *key)
{
    if (generation != NULL && oro_auth_local_eligible(key)) {
        apr_atomic_inc32(generation);
    }
}

int oro_auth_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    return ap_mutex_register(pconf, MUTEX_TYPE, NULL, APR_LOCK_DEFAULT, 0);
}

static apr_status_t destroy_cache(void *data)
{
    if (provider != NULL && instance != NULL) {
        provider->destroy(instance, data);
    }
    instance = NULL;
    mutex = NULL;
    nonce_slots = NULL; /* NB: the segments themselves are destroyed by their pool's cleanup */
    nonce_shm = NULL;
    generation = NULL;
    return APR_SUCCESS;
}

int oro_auth_post_config(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s)
{
    provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, "shmcb", AP_SOCACHE_PROVIDER_VERSION);
    if (provider == NULL) {
        ORO_SLOG(s, APLOG_CRIT | APLOG_STARTUP, 0,
                 "mod_oro: you must load mod_socache_shmcb (LoadModule socache_shmcb_module …): "
                 "authentication keeps nonces and sessions in it");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    /* one cache for the whole httpd: the main server's size (OroAuthCacheSize MB; about
     * 10,000 entries a megabyte). NB: when full, shmcb drops the oldest entries first. */
    const oro_server_conf_t *conf = oro_server_conf(s);
    int megabytes = conf->settings.auth_cache_size > 0 ? conf->settings.auth_cache_size
                                                       : ORO_DEFAULT_AUTH_CACHE_SIZE;
    const char *arg = ap_runtime_dir_relative(
        ptemp, apr_psprintf(ptemp, "oro-auth-cache(%ld)", (long)megabytes * 1024 * 1024));
    const char *err = provider->create(&instance, arg, ptemp, pconf);
    if (err != NULL) {
        ORO_SLOG(s, APLOG_CRIT | APLOG_STARTUP, 0, "could not create the authentication cache: %s",
                 err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_status_t rv = ap_global_mutex_create(&mutex, NULL, MUTEX_TYPE, NULL, s, pconf, 0);
    if (rv != APR_SUCCESS) {
        ORO_SLOG(s, APLOG_CRIT | APLOG_STARTUP, rv,
                 "could not create the mutex of the authentication cache");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    struct ap_socache_hints hints = {.avg_id_len = 48, .avg_obj_size = 160, .expiry_interval = 60};
    rv = provider->init(instance, NAMESPACE, &hints, s, pconf);
    if (rv != APR_SUCCESS) {
        ORO_SLOG(s, APLOG_CRIT | APLOG_STARTUP, rv,
                 "could not initialise the authentication cache");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    /* the nonce table: as many megabytes again, anonymous shared memory inherited by
     * the children (a graceful restart starts it afresh) */
    apr_size_t bytes = (apr_size_t)megabytes * 1024 * 1024;
    rv = apr_shm_create(&nonce_shm, bytes, NULL, pconf);
    if (rv != APR_SUCCESS) {
        ORO_SLOG(s, APLOG_CRIT | APLOG_STARTUP, rv,
                 "could not create the shared memory of the WSSE nonces (%d MB)", megabytes);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_shm_t *generation_shm;
    rv = apr_shm_create(&generation_shm, sizeof(apr_uint32_t), NULL, pconf);
    if (rv != APR_SUCCESS) {
        ORO_SLOG(s, APLOG_WARNING, rv,
                 "could not create the shared memory of the cache "
                 "generation: processes read every credential from the shared cache");
        generation = NULL;
    }
    else {
        generation = apr_shm_baseaddr_get(generation_shm);
        apr_atomic_set32(generation, 0);
    }
    nonce_slots = apr_shm_baseaddr_get(nonce_shm);
    nonce_count = apr_shm_size_get(nonce_shm) / sizeof(nonce_slot_t);
    memset(nonce_slots, 0, nonce_count * sizeof(nonce_slot_t));
    apr_pool_cleanup_register(pconf, s, destroy_cache, apr_pool_cleanup_null);
    return OK;
}

void oro_auth_child_init(apr_pool_t *p, server_rec *s)
{
    if (mutex == NULL) {
        return;
    }
    if (generation != NULL) {
        oro_auth_local_child_init(p, s);
    }
    apr_status_t rv = apr_global_mutex_child_init(&mutex, apr_global_mutex_lockfile(mutex), p);
    if (rv != APR_SUCCESS) {
        ORO_SLOG(s, APLOG_CRIT, rv, "could not attach to the mutex of the authentication cache");
    }
}

static int lock(server_rec *s)
{
    if (instance == NULL || mutex == NULL) {
        return -1;
    }
    apr_status_t rv = apr_global_mutex_lock(mutex);
    if (rv != APR_SUCCESS) {
        ORO_SLOG(s, APLOG_ERR, rv, "could not lock the authentication cache");
        return -1;
    }
    return 0;
}

static void unlock(void)
{
    apr_global_mutex_unlock(mutex);
}

/* An entry is stored as "EXPIRY VALUE" (EXPIRY in microseconds since the epoch): shmcb
 * does not give the expiry back, and the process-local copies need it. */
#define EXPIRY_DIGITS 24

/* Retrieves under the lock (held by the caller); *expiry is the entry's. */
static const char *retrieve(server_rec *s, apr_pool_t *p, const char *key, apr_time_t *expiry)
{
    unsigned char buf[ORO_AUTH_CACHE_VALUE_MAX + EXPIRY_DIGITS];
    unsigned int len = sizeof buf - 1;
    apr_status_t rv = provider->retrieve(instance, s, (const unsigned char *)key,
                                         (unsigned int)strlen(key), buf, &len, p);
    if (rv != APR_SUCCESS || len >= sizeof buf) {
        return NULL;
    }
    buf[len] = '\0';
    char *end;
    *expiry = (apr_time_t)apr_strtoi64((const char *)buf, &end, 10);
    if (*end != ' ') {
        return NULL;
    }
    return apr_pstrmemdup(p, end + 1, len - (unsigned int)(end + 1 - (char *)buf));
}

static apr_status_t store(server_rec *s, apr_pool_t *p, const char *key, const char *value,
                          apr_time_t expiry)
{
    size_t len = strlen(value);
    if (len >= ORO_AUTH_CACHE_VALUE_MAX) {
        return APR_ENOSPC;
    }
    char *entry = apr_psprintf(p, "%" APR_TIME_T_FMT " %s", expiry, value);
    return provider->store(instance, s, (const unsigned char *)key, (unsigned int)strlen(key),
                           expiry, (unsigned char *)entry, (unsigned int)strlen(entry), p);
}

const char *oro_auth_cache_get(server_rec *s, apr_pool_t *p, const char *key)
{
    /* NB: the generation is read before the shared entry: a write that lands in between
     * makes the copy stale at once */
    apr_uint32_t current = generation != NULL ? apr_atomic_read32(generation) : 0;
    const char *value = generation != NULL ? oro_auth_local_get(p, key, current) : NULL;
    if (value != NULL) {
        return value;
    }
    if (lock(s) != 0) {
        return NULL;
    }
    apr_time_t expiry = 0;
    value = retrieve(s, p, key, &expiry);
    unlock();
    if (value != NULL && generation != NULL) {
        oro_auth_local_put(key, value, expiry, current);
    }
    return value;
}

void oro_auth_cache_set(server_rec *s, apr_pool_t *p, const char *key, const char *value,
                        apr_time_t expiry)
{
    if (lock(s) != 0) {
        return;
    }
    apr_status_t rv = store(s, p, key, value, expiry);
    unlock();
    generation_bump(key);
    if (rv != APR_SUCCESS) {
        ORO_SLOG(s, APLOG_DEBUG, rv, "could not store in the authentication cache");
    }
}

void oro_auth_cache_remove(server_rec *s, apr_pool_t *p, const char *key)
{
    if (lock(s) != 0) {
        return;
    }
    provider->remove(instance, s, (const unsigned char *)key, (unsigned int)strlen(key), p);
    unlock();
    generation_bump(key);
}

/* Counters are stored as "COUNT EXPIRY" (expiry in microseconds since the epoch). */
int oro_auth_cache_increment(server_rec *s, apr_pool_t *p, const char *key, apr_time_t expiry)
{
    if (lock(s) != 0) {
        return -1;
    }
    long count = 0;
    apr_time_t stored;
    const char *old = retrieve(s, p, key, &stored);
    apr_time_t until = expiry;
    if (old != NULL) {
        char *end;
        count = strtol(old, &end, 10);
        if (*end == ' ') {
            until = (apr_time_t)apr_atoi64(end + 1);
        }
        if (count < 0 || until < apr_time_now()) {
            count = 0;
            until = expiry;
        }
    }
    count++;
    apr_status_t rv =
        store(s, p, key, apr_psprintf(p, "%ld %" APR_TIME_T_FMT, count, until), until);
    unlock();
    return rv == APR_SUCCESS ? (int)count : -1;
}

int oro_auth_cache_counter(server_rec *s, apr_pool_t *p, const char *key, apr_time_t *expiry)
{
    const char *value = oro_auth_cache_get(s, p, key);
    if (value == NULL) {
        return 0;
    }
    char *end;
    long count = strtol(value, &end, 10);
    *expiry = *end == ' ' ? (apr_time_t)apr_atoi64(end + 1) : 0;
    return *expiry > apr_time_now() && count > 0 ? (int)count : 0;
}

int oro_auth_nonce_add(server_rec *s, const char *nonce, apr_time_t expiry)
{
    if (nonce_slots == NULL || nonce_count < NONCE_PROBES) {
        return -1;
    }
    unsigned char sum[32];
    oro_sha256(nonce, strlen(nonce), sum);
    apr_uint64_t hash;
    memcpy(&hash, sum + 16, sizeof hash);
    apr_size_t start = (apr_size_t)(hash % nonce_count);
    if (lock(s) != 0) {
        return -1;
    }
    apr_time_t now = apr_time_now();
    nonce_slot_t *free_slot = NULL, *oldest = NULL;
    int result = 1;
    /* NB: every probe slot is looked at: a nonce stored after a slot that has expired
     * since must still be found */
    for (int i = 0; i < NONCE_PROBES; i++) {
        nonce_slot_t *slot = &nonce_slots[(start + (apr_size_t)i) % nonce_count];
        int live = slot->expiry > now;
        if (live && memcmp(slot->digest, sum, sizeof slot->digest) == 0) {
            result = 0;
            break;
        }
        if (!live) {
            free_slot = free_slot ? free_slot : slot;
        }
        else if (oldest == NULL || slot->expiry < oldest->expiry) {
            oldest = slot;
        }
    }
    int evicted = 0;
    if (result == 1) {
        nonce_slot_t *use = free_slot ? free_slot : oldest;
        evicted = free_slot == NULL;
        memcpy(use->digest, sum, sizeof use->digest);
        use->expiry = expiry;
    }
    unlock();
    if (evicted) {
        static unsigned long evictions; /* per process: the warning is only rate-limited */
        if (evictions++ % 1000 == 0) {
            ORO_SLOG(s, APLOG_WARNING, 0,
                     "the WSSE nonce table is full: a live nonce was dropped and could be "
                     "replayed until its token expires; raise OroAuthCacheSize or lower "
                     "OroWsseLifetime");
        }
    }
    return result;
}
