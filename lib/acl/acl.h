/* lib/acl/acl.h — who the caller is and what Oro's ACL lets it do; the contract
 * between authentication (mod_oro/auth_*.c, lib/auth/), the ACL (lib/acl/) and its
 * users (the API handlers, search). See DESIGN.md §7.
 *
 * NB: this header is the agreed interface between the security, API and search work;
 * change it only together with its users. */
#ifndef ORO_ACL_ACL_H
#define ORO_ACL_ACL_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>

/* Permissions, Oro's names. */
typedef enum {
    ORO_ACL_VIEW = 0,
    ORO_ACL_CREATE = 1,
    ORO_ACL_EDIT = 2,
    ORO_ACL_DELETE = 3,
    ORO_ACL_ASSIGN = 4,
    ORO_ACL_PERMISSION_COUNT
} oro_acl_permission_t;

/* Access levels, weakest first (Oro's NONE, BASIC, LOCAL, DEEP, GLOBAL, SYSTEM). */
typedef enum {
    ORO_ACL_NONE = 0,
    ORO_ACL_USER = 1,          /* own records */
    ORO_ACL_BUSINESS_UNIT = 2, /* records owned in the user's business units */
    ORO_ACL_DIVISION = 3,      /* … and their child units */
    ORO_ACL_ORGANIZATION = 4,  /* the user's organization */
    ORO_ACL_GLOBAL = 5         /* every organization */
} oro_acl_level_t;

/* The authenticated caller, set by authentication for the request and read by every
 * handler. The ACL fills the fields after "ACL" when it loads the caller's roles. */
typedef struct oro_principal {
    apr_int64_t user_id;
    const char *username;
    apr_int64_t organization_id;  /* the organization the caller works in */
    apr_int64_t business_unit_id; /* the user's own business unit */
    const char *auth_method;      /* "session", "wsse", "bearer", "client_credentials" */
    /* ACL */
    apr_array_header_t *business_unit_ids; /* apr_int64_t: the user's units */
    apr_array_header_t *division_ids;      /* apr_int64_t: those units and their children */
    int is_administrator;                  /* holds the administrator role */
    const void *grants;                    /* the ACL's private per-entity table */
} oro_principal_t;

/* ---- added by the ACL (lib/acl/acl.c, lib/acl/cache.c; docs/security.md) ---- */

#include "meta/meta.h"

/* Oro's names: "VIEW" … "ASSIGN"; "NONE", "USER", "BUSINESS_UNIT", "DIVISION",
 * "ORGANIZATION", "GLOBAL". */
const char *oro_acl_permission_name(oro_acl_permission_t permission);
const char *oro_acl_level_name(oro_acl_level_t level);
/* The permission or level of a name (exact, upper case), or -1. */
int oro_acl_permission_of(const char *name);
int oro_acl_level_of(const char *name);

/* Whether level may be granted on an entity of this ownership, as Oro allows it:
 * user-owned every level; business-unit-owned all but USER; organization-owned NONE,
 * ORGANIZATION, GLOBAL; unowned NONE and GLOBAL (and never ASSIGN above NONE). */
int oro_acl_level_allowed(oro_ownership_t ownership, oro_acl_permission_t permission,
                          oro_acl_level_t level);
/* A level granted for every entity (the "*" entry, Oro's root) as it applies to an entity
 * of this ownership (Oro's adaptRootMask): raised to the weakest allowed level (USER on a
 * business-unit-owned entity is BUSINESS_UNIT; USER…DIVISION on an organization-owned
 * one ORGANIZATION; anything on an unowned one GLOBAL), ASSIGN on unowned ones NONE. */
oro_acl_level_t oro_acl_adapt(oro_ownership_t ownership, oro_acl_permission_t permission,
                              oro_acl_level_t level);

/* One stored grant (a row of oro_acl_grant). entity is a JSON:API type or "*". */
typedef struct {
    const char *role; /* "ROLE_MANAGER" */
    const char *entity;
    oro_acl_permission_t permission;
    oro_acl_level_t level;
} oro_acl_grant_t;

/* The per-entity table of the levels granted by a set of roles: per role, the entity's
 * own grant of a permission if it has one, else the "*" grant adapted to the entity's
 * ownership (a grant not allowed for the ownership is adapted the same way); then the
 * strongest over the roles. No grant at all is NONE. grants: of oro_acl_grant_t (names
 * of unknown entities are ignored). Allocated in p; read-only afterwards. */
const void *oro_acl_grants_build(apr_pool_t *p, const oro_meta_t *meta,
                                 const apr_array_header_t *grants);

/* The caller's level of permission on entity. A NULL principal (authentication turned
 * off in the configuration) is not restricted: GLOBAL. A principal without loaded
 * grants gets NONE. */
oro_acl_level_t oro_acl_level(const oro_principal_t *principal, const oro_entity_t *entity,
                              oro_acl_permission_t permission);

/* The units of a division: roots and every unit below them by parent links. units: of
 * apr_int64_t pairs (id, parent id or 0), any order; a cycle is harmless. Of apr_int64_t,
 * roots first, no duplicates. */
apr_array_header_t *oro_acl_division(apr_pool_t *p, const apr_array_header_t *units,
                                     const apr_array_header_t *roots);

/* 1 when level restricts no record of entity for principal (NULL principal, GLOBAL, an
 * unowned entity): oro_acl_condition then adds nothing, and a check of one record can
 * be answered without the database. */
int oro_acl_unrestricted(const oro_principal_t *principal, const oro_entity_t *entity,
                         oro_acl_level_t level);

/* The SQL condition that restricts the records of entity (table alias `alias`) to those
 * the principal reaches at level, appended to b with its parameters (see
 * lib/acl/acl_sql.h), or nothing when level does not restrict (GLOBAL, unowned entities). */
struct oro_sqlbuf;
void oro_acl_condition(struct oro_sqlbuf *b, const oro_meta_t *meta,
                       const oro_principal_t *principal, const oro_entity_t *entity,
                       oro_acl_level_t level, const char *alias);

/* ---- the per-process cache of principals' ACL data (lib/acl/cache.c) ----
 * Thread-safe. Entries are keyed by (user, organization, business unit) and hold the
 * ACL fields of a principal. Stale after the ACL version (a counter row in
 * oro_acl_version, bumped in the transaction of every change of roles, grants, users'
 * roles or business units) moves on; the version is read at most once per
 * ORO_ACL_VERSION_INTERVAL per process, so a change made on another host takes effect
 * within that time. On one host a shared counter (oro_acl_cache_sync) applies it at
 * once. */
#define ORO_ACL_VERSION_INTERVAL apr_time_from_msec(1000)

typedef struct oro_acl_cache oro_acl_cache_t;

/* A cache in p (which must outlive every request using it). NULL if a mutex cannot
 * be created. */
oro_acl_cache_t *oro_acl_cache_create(apr_pool_t *p);
/* Fills principal's ACL fields from the cache; 1 when found, else 0. The data stay
 * valid until request_pool is cleared, whatever happens to the cache. */
int oro_acl_cache_get(oro_acl_cache_t *cache, oro_principal_t *principal, apr_pool_t *request_pool);
/* Stores a copy of principal's ACL fields (grants built from grants, of
 * oro_acl_grant_t) for its key, if version is still the cache's. */
void oro_acl_cache_put(oro_acl_cache_t *cache, const oro_meta_t *meta,
                       const oro_principal_t *principal, const apr_array_header_t *grants,
                       apr_int64_t version);
/* Whether the version should be read again now (then the caller reads it and calls
 * oro_acl_cache_set_version); at most one caller per interval gets 1. */
int oro_acl_cache_version_due(oro_acl_cache_t *cache, apr_time_t now);
/* Records the version read; a new one drops every entry. Returns the cache's version. */
apr_int64_t oro_acl_cache_set_version(oro_acl_cache_t *cache, apr_int64_t version);
/* Drops every entry when generation (a host-wide change counter kept by the caller, e.g.
 * in shared memory) differs from the one the cache last saw. */
void oro_acl_cache_sync(oro_acl_cache_t *cache, apr_uint32_t generation);
/* Drops every entry (the process changed roles or grants itself). */
void oro_acl_cache_clear(oro_acl_cache_t *cache);
/* The version the entries belong to (-1 before the first read). */
apr_int64_t oro_acl_cache_version(oro_acl_cache_t *cache);

#endif
