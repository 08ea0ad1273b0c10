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

#endif
