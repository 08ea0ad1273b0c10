/* mod_oro/auth.h — authentication in the module: who the caller of a request is
 * (WSSE, bearer token or session cookie), the shared cache (socache) behind it, and
 * the principal handed to the ACL and the handlers (lib/acl/acl.h). docs/security.md
 * describes the behaviour. */
#ifndef MOD_ORO_AUTH_H
#define MOD_ORO_AUTH_H

#include "mod_oro.h"

#include "acl/acl.h"
#include "auth/auth.h"
#include "db/db.h"

/* The authenticated caller of r, or NULL when the request is not authenticated (or
 * authentication is off: OroAuthentication off). Valid for r's lifetime. */
const oro_principal_t *oro_auth_principal(request_rec *r);
/* The same principal, writable: for the ACL, which fills the fields after "ACL"
 * (business_unit_ids, division_ids, grants) once per request. NULL when
 * unauthenticated. */
oro_principal_t *oro_auth_principal_for_update(request_rec *r);

/* Authenticates r from its credentials (Authorization: WSSE + X-WSSE, Authorization:
 * Bearer, or the session cookie). With required set, an unauthenticated request is
 * answered 401 with WWW-Authenticate. Returns OK (go on; the principal may be NULL
 * when not required), or the status of the answer already sent (the caller returns
 * OK to httpd). Bad credentials are always answered 401, even when not required. */
int oro_auth_request(request_rec *r, int required);

/* Whether uri is one of authentication's own endpoints (/oauth2-token, /login,
 * /logout), which live outside /api as in Oro. */
int oro_auth_is_endpoint(const char *uri);
/* Answers r if its URI is one of those endpoints (returns the status sent), else
 * returns DECLINED. */
int oro_auth_endpoint(request_rec *r);

/* Hooks of the authentication cache (mod_oro.c calls them from its own hooks). */
int oro_auth_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp);
int oro_auth_post_config(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s);
void oro_auth_child_init(apr_pool_t *p, server_rec *s);

/* ---- internal to mod_oro/auth*.c ---- */

/* The shared cache (mod_socache_shmcb across httpd's processes). Keys are short
 * strings; values are NUL-terminated strings of at most ORO_AUTH_CACHE_VALUE_MAX-1
 * bytes. */
#define ORO_AUTH_CACHE_VALUE_MAX 1024
/* The value of key, copied into p, or NULL. */
const char *oro_auth_cache_get(server_rec *s, apr_pool_t *p, const char *key);
/* Stores key until expiry (replacing any value). Failures are logged and ignored:
 * the cache only saves work. */
void oro_auth_cache_set(server_rec *s, apr_pool_t *p, const char *key, const char *value,
                        apr_time_t expiry);
void oro_auth_cache_remove(server_rec *s, apr_pool_t *p, const char *key);
/* The process-local copies of shared-cache values (auth_local.c): a copy is returned
 * only while its generation is the host's current one and it has not expired. Keys of
 * throttle counters ("f:…") are never copied. */
void oro_auth_local_child_init(apr_pool_t *p, server_rec *s);
int oro_auth_local_eligible(const char *key);
const char *oro_auth_local_get(apr_pool_t *p, const char *key, apr_uint32_t generation);
void oro_auth_local_put(const char *key, const char *value, apr_time_t expiry,
                        apr_uint32_t generation);
/* Records a WSSE nonce until expiry: 1 when it is new, 0 when it was seen (a replay),
 * -1 when the table is unavailable (the caller refuses). O(1): see auth_cache.c. */
int oro_auth_nonce_add(server_rec *s, const char *nonce, apr_time_t expiry);
/* Adds one to the counter key (created with expiry, which it keeps); returns the new
 * count, or -1 when the cache failed. */
int oro_auth_cache_increment(server_rec *s, apr_pool_t *p, const char *key, apr_time_t expiry);
/* The counter key (0 when absent or expired) and its expiry. */
int oro_auth_cache_counter(server_rec *s, apr_pool_t *p, const char *key, apr_time_t *expiry);

/* What authentication knows of a user (from the database or the cache). */
typedef struct {
    apr_int64_t id;
    const char *username;
    apr_int64_t organization_id;
    apr_int64_t business_unit_id;
    int is_administrator;
    const char *secret; /* WSSE: the API key */
} oro_auth_user_t;

/* Outcome of a lookup: found, not found (or disabled), or the database failed. */
typedef enum {
    ORO_AUTH_FOUND = 0,
    ORO_AUTH_NOT_FOUND = 1,
    ORO_AUTH_DB_ERROR = 2
} oro_auth_lookup_t;

/* The enabled user username with its API key (cached for OroAuthCacheSeconds unless
 * fresh is set). */
oro_auth_lookup_t oro_auth_user_by_username(request_rec *r, const char *username, int fresh,
                                            oro_auth_user_t *user);
/* The enabled user with id (no secret), cached likewise. */
oro_auth_lookup_t oro_auth_user_by_id(request_rec *r, apr_int64_t id, oro_auth_user_t *user);

/* Runs a statement of the authentication (sql with %s markers bound to the
 * NULL-terminated strings after ncols) on the request's mod_dbd connection. Returns
 * the rows (const char ** of ncols), or NULL with *error. */
apr_array_header_t *oro_auth_rows(request_rec *r, int ncols, const char **error, const char *sql,
                                  ...) __attribute__((sentinel));
/* The same for a statement without results; *nrows may be NULL. 0 or -1 with *error. */
int oro_auth_exec(request_rec *r, int *nrows, const char **error, const char *sql, ...)
    __attribute__((sentinel));
/* The dialect of the request's connection (pgsql when none). */
int oro_auth_dialect(request_rec *r);

/* Makes user the principal of r (auth_method: "wsse", "bearer", "session", …). */
void oro_auth_set_principal(request_rec *r, const oro_auth_user_t *user, const char *auth_method);

/* Answers 401 with WWW-Authenticate and a JSON:API error; returns the status sent. */
int oro_auth_unauthorized(request_rec *r, const char *detail);

/* A user from the columns id, organization, business unit, administrator count,
 * secret, username (the order of every user query of auth*.c). */
void oro_auth_user_from_row(apr_pool_t *p, const char *const *row, oro_auth_user_t *user);

/* The parameters of a small request body (auth_form.c): application/x-www-form-
 * urlencoded or a JSON object of strings, at most 8 KB. NULL with *status (400, 413,
 * 415) and *why when the body cannot be read. */
apr_table_t *oro_auth_read_params(request_rec *r, int *status, const char **why);

/* The enabled user username if password is theirs (bcrypt). Unknown users cost the
 * same bcrypt work as a wrong password. */
oro_auth_lookup_t oro_auth_check_password(request_rec *r, const char *username,
                                          const char *password, oro_auth_user_t *user);

/* A user as cached text and back (the secret field may carry another string). */
const char *oro_auth_user_to_text(apr_pool_t *p, const oro_auth_user_t *user);
int oro_auth_user_from_text(apr_pool_t *p, const char *text, oro_auth_user_t *user);

/* Time in SQL on the request's dialect: the database's now, now plus or minus
 * seconds (sign "+" or "-"), and the whole seconds from now until column. */
const char *oro_auth_now_sql(int dialect);
const char *oro_auth_offset_sql(apr_pool_t *p, int dialect, const char *sign, int seconds);
const char *oro_auth_seconds_until_sql(apr_pool_t *p, int dialect, const char *column);

/* A password login (the OAuth2 password grant and POST /login): throttling, the
 * password check and the throttle's bookkeeping. ORO_LOGIN_THROTTLED sets
 * *retry_after. */
typedef enum {
    ORO_LOGIN_OK = 0,
    ORO_LOGIN_FAILED = 1,
    ORO_LOGIN_THROTTLED = 2,
    ORO_LOGIN_DB_ERROR = 3
} oro_login_t;
oro_login_t oro_auth_password_login(request_rec *r, const char *username, const char *password,
                                    oro_auth_user_t *user, int *retry_after);

/* Login throttling (auth_throttle.c): seconds the caller must wait before trying to
 * log in as username (or at all, from its address), 0 when it may try. */
int oro_auth_throttled(request_rec *r, const char *username);
void oro_auth_login_failed(request_rec *r, const char *username);
void oro_auth_login_succeeded(request_rec *r, const char *username);
/* Answers 429 with Retry-After; returns the status sent. */
int oro_auth_too_many(request_rec *r, int retry_after);

/* OAuth2 (auth_oauth.c): POST /oauth2-token, and a bearer token on an API request. */
int oro_auth_handle_token(request_rec *r);
int oro_auth_bearer(request_rec *r, const char *token);

/* Sessions (auth_session.c): POST /login (logout 0) and POST /logout (1); the session
 * cookie of an API request (api: Oro's CSRF rule applies); GET /api/session. */
int oro_auth_handle_login(request_rec *r, int logout);
int oro_auth_has_session_cookie(request_rec *r);
int oro_auth_session(request_rec *r, int api);
int oro_auth_handle_session(request_rec *r);

/* WSSE (auth_wsse.c): authenticates r from X-WSSE. OK, or the status sent. */
int oro_auth_wsse(request_rec *r);

#endif
