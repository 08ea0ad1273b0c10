/* mod_oro/auth_local.c — the process-local front of the authentication cache.
 *
 * Every authenticated request looked its credentials up in the shared cache (shmcb)
 * under one global mutex. APR makes that a priority-inheriting pthread mutex, so any
 * contention between threads goes through the kernel (futex_lock_pi): under load it was
 * about 6 % of httpd's CPU time, and one more sleep and wake-up per contended request.
 * This table keeps, per process, copies of the values read from the shared cache, behind
 * striped ordinary thread mutexes held only for a copy.
 *
 * A copy is exactly as fresh as the shared cache: it carries the expiry the shared entry
 * was stored with, and the host's cache generation (auth_cache.c), which every write to
 * the shared cache increments after writing. A copy whose generation is not the current
 * one is ignored, so a removal (a logout, a password change) is seen by every process
 * of the host at once. Throttle counters ("f:" keys) never come here: they change with
 * every failed login, and their reads must see every increment. */
#include "auth.h"

#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <string.h>

#define SLOTS 256
#define STRIPES 16
#define KEY_MAX 96
#define VALUE_MAX 512

typedef struct {
    char key[KEY_MAX];
    char value[VALUE_MAX];
    apr_size_t value_len;
    apr_time_t expiry;
    apr_uint32_t generation;
    int used;
} slot_t;

static slot_t *slots;
static apr_thread_mutex_t *stripes[STRIPES];

void oro_auth_local_child_init(apr_pool_t *p, server_rec *s)
{
    slots = apr_pcalloc(p, sizeof(slot_t) * SLOTS);
    for (int i = 0; i < STRIPES; i++) {
        apr_status_t rv = apr_thread_mutex_create(&stripes[i], APR_THREAD_MUTEX_DEFAULT, p);
        if (rv != APR_SUCCESS) {
            ORO_SLOG(s, APLOG_WARNING, rv,
                     "could not create the mutexes of the process-local "
                     "authentication cache; every lookup goes to the shared cache");
            slots = NULL;
            return;
        }
    }
}

int oro_auth_local_eligible(const char *key)
{
    return strncmp(key, "f:", 2) != 0 && strlen(key) < KEY_MAX;
}

/* FNV-1a: keys are hashes or ids already, any spreading function will do */
static unsigned slot_of(const char *key)
{
    apr_uint32_t h = 2166136261u;
    for (const unsigned char *c = (const unsigned char *)key; *c; c++) {
        h = (h ^ *c) * 16777619u;
    }
    return h % SLOTS;
}

const char *oro_auth_local_get(apr_pool_t *p, const char *key, apr_uint32_t generation)
{
    if (slots == NULL || !oro_auth_local_eligible(key)) {
        return NULL;
    }
    unsigned i = slot_of(key);
    slot_t *slot = &slots[i];
    const char *value = NULL;
    apr_thread_mutex_t *m = stripes[i % STRIPES];
    apr_thread_mutex_lock(m);
    if (slot->used && slot->generation == generation && strcmp(slot->key, key) == 0 &&
        slot->expiry > apr_time_now()) {
        value = apr_pstrmemdup(p, slot->value, slot->value_len);
    }
    apr_thread_mutex_unlock(m);
    return value;
}

void oro_auth_local_put(const char *key, const char *value, apr_time_t expiry,
                        apr_uint32_t generation)
{
    apr_size_t len = strlen(value);
    if (slots == NULL || !oro_auth_local_eligible(key) || len >= VALUE_MAX) {
        return;
    }
    unsigned i = slot_of(key);
    slot_t *slot = &slots[i];
    apr_thread_mutex_t *m = stripes[i % STRIPES];
    apr_thread_mutex_lock(m);
    strcpy(slot->key, key); /* NB: eligible keys are shorter than KEY_MAX */
    memcpy(slot->value, value, len + 1);
    slot->value_len = len;
    slot->expiry = expiry;
    slot->generation = generation;
    slot->used = 1;
    apr_thread_mutex_unlock(m);
}
