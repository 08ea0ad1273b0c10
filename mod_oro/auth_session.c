/* mod_oro/auth_session.c — browser sessions: POST /login, POST /logout, the session
 * cookie on API requests with Oro's CSRF rule, GET /api/session.
 *
 * The cookie holds a random 256-bit id; the database (oro_session) holds its SHA-256,
 * the user, the CSRF token bound to the session, the absolute expiry and the last use.
 * A valid session is cached in the shared cache for OroAuthCacheSeconds; a cache miss
 * checks both timeouts in the database and records the use (so the idle timeout is
 * exact to within OroAuthCacheSeconds). Logout deletes the row and the cache entry,
 * which every httpd process shares. */
#include "auth.h"

#include <apr_strings.h>
#include <http_protocol.h>
#include <util_cookies.h>

APLOG_USE_MODULE(oro);

#define COOKIE "ORO_SESSION"
#define CSRF_KEY "oro.csrf"
#define ID_BYTES 32

/* The session id of the request's cookie (64 hex digits), or NULL. */
static const char *cookie_id(request_rec *r)
{
    const char *value = NULL;
    if (ap_cookie_read(r, COOKIE, &value, 0) != APR_SUCCESS || value == NULL ||
        strlen(value) != 2 * ID_BYTES || strspn(value, "0123456789abcdef") != 2 * ID_BYTES) {
        return NULL;
    }
    return value;
}

int oro_auth_has_session_cookie(request_rec *r)
{
    return apr_table_get(r->headers_in, "Cookie") != NULL && cookie_id(r) != NULL;
}

static int secure(request_rec *r)
{
    return strcasecmp(ap_http_scheme(r), "https") == 0;
}

static void set_cookie(request_rec *r, const char *value, int remove)
{
    const char *cookie =
        apr_psprintf(r->pool, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s", COOKIE, value,
                     secure(r) ? "; Secure" : "", remove ? "; Max-Age=0" : "");
    apr_table_add(r->err_headers_out, "Set-Cookie", cookie);
}

/* Deletes session hash from the database and the cache; -1 on a database error. */
static int end_session(request_rec *r, const char *hash)
{
    oro_auth_cache_remove(r->server, r->pool, apr_pstrcat(r->pool, "s:", hash, NULL));
    const char *error = NULL;
    if (oro_auth_exec(r, NULL, &error, "DELETE FROM oro_session WHERE id_hash = %s", hash, NULL) !=
        0) {
        ORO_RLOG(r, APLOG_ERR, 0, "could not delete a session: %s", error);
        return -1;
    }
    return 0;
}

static int send_session(request_rec *r, const oro_auth_user_t *user, const char *csrf)
{
    json_object *doc = json_object_new_object();
    json_object *u = json_object_new_object();
    json_object_object_add(
        u, "id", json_object_new_string(apr_psprintf(r->pool, "%" APR_INT64_T_FMT, user->id)));
    json_object_object_add(u, "username", json_object_new_string(user->username));
    json_object_object_add(doc, "user", u);
    json_object_object_add(doc, "csrfToken", csrf ? json_object_new_string(csrf) : NULL);
    const char *body = apr_pstrdup(r->pool, oro_json_text(doc));
    json_object_put(doc);
    return oro_send_json(r, HTTP_OK, "application/json", body);
}

static int unavailable(request_rec *r)
{
    apr_table_setn(r->err_headers_out, "Retry-After", "5");
    oro_send_error(r, HTTP_SERVICE_UNAVAILABLE, "database unavailable",
                   "the database did not answer; try again shortly");
    return HTTP_SERVICE_UNAVAILABLE;
}

static int handle_login(request_rec *r)
{
    const oro_settings_t *settings = &oro_server_conf(r->server)->settings;
    int status;
    const char *why;
    apr_table_t *params = oro_auth_read_params(r, &status, &why);
    if (params == NULL) {
        oro_send_error(r, status, "invalid login request", why);
        return status;
    }
    const char *username = apr_table_get(params, "username");
    const char *password = apr_table_get(params, "password");
    if (username == NULL || password == NULL) {
        oro_send_error(r, HTTP_BAD_REQUEST, "invalid login request",
                       "the login needs username and password");
        return HTTP_BAD_REQUEST;
    }
    oro_auth_user_t user;
    int retry_after = 0;
    switch (oro_auth_password_login(r, username, password, &user, &retry_after)) {
    case ORO_LOGIN_THROTTLED:
        return oro_auth_too_many(r, retry_after);
    case ORO_LOGIN_DB_ERROR:
        return unavailable(r);
    case ORO_LOGIN_FAILED:
        oro_send_error(r, HTTP_UNAUTHORIZED, "login failed",
                       "the username or the password is wrong");
        return HTTP_UNAUTHORIZED;
    case ORO_LOGIN_OK:
        break;
    }
    /* no fixation: whatever session the browser had ends, a new id is issued */
    const char *old = cookie_id(r);
    if (old != NULL && end_session(r, oro_sha256_hex(r->pool, old, strlen(old))) != 0) {
        return unavailable(r);
    }
    const char *id = oro_auth_random_hex(r->pool, ID_BYTES);
    const char *csrf = oro_auth_random_hex(r->pool, ID_BYTES);
    if (id == NULL || csrf == NULL) {
        oro_send_error(r, HTTP_SERVICE_UNAVAILABLE, "service unavailable",
                       "the random source failed; try again shortly");
        return HTTP_SERVICE_UNAVAILABLE;
    }
    int dialect = oro_auth_dialect(r);
    const char *sql = apr_pstrcat(
        r->pool,
        "INSERT INTO oro_session (id_hash, user_id, csrf_token, "
        "expires_at) VALUES (%s, %s, %s, ",
        oro_auth_offset_sql(r->pool, dialect, "+", settings->session_lifetime), ")", NULL);
    const char *error = NULL;
    if (oro_auth_exec(r, NULL, &error, sql, oro_sha256_hex(r->pool, id, strlen(id)),
                      apr_psprintf(r->pool, "%" APR_INT64_T_FMT, user.id), csrf, NULL) != 0) {
        ORO_RLOG(r, APLOG_ERR, 0, "could not store a session: %s", error);
        return unavailable(r);
    }
    /* Oro counts logins on the user */
    oro_auth_exec(r, NULL, &error,
                  apr_pstrcat(r->pool,
                              "UPDATE oro_user SET login_count = login_count + 1, "
                              "last_login = ",
                              oro_auth_now_sql(dialect), " WHERE id = %s", NULL),
                  apr_psprintf(r->pool, "%" APR_INT64_T_FMT, user.id), NULL);
    set_cookie(r, id, 0);
    return send_session(r, &user, csrf);
}

static int handle_logout(request_rec *r)
{
    const char *id = cookie_id(r);
    /* a cross-site form cannot set headers: without it a third party could log users out */
    if (id != NULL && apr_table_get(r->headers_in, "X-CSRF-Header") == NULL) {
        oro_send_error(r, HTTP_FORBIDDEN, "CSRF check failed",
                       "POST /logout with a session cookie needs the X-CSRF-Header header");
        return HTTP_FORBIDDEN;
    }
    if (id != NULL && end_session(r, oro_sha256_hex(r->pool, id, strlen(id))) != 0) {
        return unavailable(r);
    }
    set_cookie(r, "", 1);
    r->status = HTTP_NO_CONTENT;
    return HTTP_NO_CONTENT;
}

int oro_auth_handle_login(request_rec *r, int logout)
{
    if (r->method_number != M_POST) {
        apr_table_setn(r->err_headers_out, "Allow", "POST");
        oro_send_error(r, HTTP_METHOD_NOT_ALLOWED, "method not allowed",
                       apr_psprintf(r->pool, "%s answers POST only", r->uri));
        return HTTP_METHOD_NOT_ALLOWED;
    }
    return logout ? handle_logout(r) : handle_login(r);
}

/* The user and CSRF token of session hash: from the cache, else from the database
 * (checking both timeouts and recording the use). */
static oro_auth_lookup_t lookup(request_rec *r, const char *hash, oro_auth_user_t *user,
                                const char **csrf)
{
    const oro_settings_t *settings = &oro_server_conf(r->server)->settings;
    const char *key = apr_pstrcat(r->pool, "s:", hash, NULL);
    if (settings->auth_cache_seconds > 0) {
        const char *cached = oro_auth_cache_get(r->server, r->pool, key);
        if (cached != NULL && strlen(cached) > 2 * ID_BYTES + 1 &&
            oro_auth_user_from_text(r->pool, cached + 2 * ID_BYTES + 1, user) == 0) {
            *csrf = apr_pstrmemdup(r->pool, cached, 2 * ID_BYTES);
            return ORO_AUTH_FOUND;
        }
    }
    int dialect = oro_auth_dialect(r);
    const char *error = NULL;
    int n = 0;
    /* one statement checks both timeouts and records the use */
    const char *touch = apr_pstrcat(
        r->pool, "UPDATE oro_session SET last_seen_at = ", oro_auth_now_sql(dialect),
        " WHERE id_hash = %s AND expires_at > ", oro_auth_now_sql(dialect), " AND last_seen_at > ",
        oro_auth_offset_sql(r->pool, dialect, "-", settings->session_idle_timeout), NULL);
    if (oro_auth_exec(r, &n, &error, touch, hash, NULL) != 0) {
        ORO_RLOG(r, APLOG_ERR, 0, "could not check a session: %s", error);
        return ORO_AUTH_DB_ERROR;
    }
    if (n != 1) {
        return ORO_AUTH_NOT_FOUND;
    }
    const char *remaining = oro_auth_seconds_until_sql(r->pool, dialect, "s.expires_at");
    const char *sql = apr_pstrcat(
        r->pool,
        "SELECT u.id, u.organization_id, u.business_unit_owner_id, "
        "(SELECT COUNT(*) FROM oro_user_access_role ur JOIN oro_access_role ar ON ar.id = "
        "ur.role_id WHERE ur.user_id = u.id AND ar.role = 'ROLE_ADMINISTRATOR'), s.csrf_token, "
        "u.username, ",
        remaining,
        " FROM oro_session s JOIN oro_user u ON u.id = s.user_id WHERE s.id_hash = %s AND "
        "u.enabled = TRUE",
        NULL);
    apr_array_header_t *rows = oro_auth_rows(r, 7, &error, sql, hash, NULL);
    if (rows == NULL) {
        ORO_RLOG(r, APLOG_ERR, 0, "could not read a session: %s", error);
        return ORO_AUTH_DB_ERROR;
    }
    if (rows->nelts == 0) {
        return ORO_AUTH_NOT_FOUND;
    }
    const char **row = APR_ARRAY_IDX(rows, 0, const char **);
    oro_auth_user_from_row(r->pool, row, user);
    *csrf = user->secret;
    user->secret = "";
    apr_int64_t left = row[6] ? apr_atoi64(row[6]) : 0;
    if (settings->auth_cache_seconds > 0 && left > 0 && strlen(*csrf) == 2 * ID_BYTES) {
        apr_int64_t keep =
            left < settings->auth_cache_seconds ? left : settings->auth_cache_seconds;
        oro_auth_cache_set(
            r->server, r->pool, key,
            apr_pstrcat(r->pool, *csrf, "\t", oro_auth_user_to_text(r->pool, user), NULL),
            apr_time_now() + apr_time_from_sec(keep));
    }
    return ORO_AUTH_FOUND;
}

static int is_safe_method(const request_rec *r)
{
    return r->method_number == M_GET || r->method_number == M_OPTIONS || r->header_only;
}

int oro_auth_session(request_rec *r, int api)
{
    const char *id = cookie_id(r);
    if (id == NULL) {
        return oro_auth_unauthorized(r, "authentication is required");
    }
    /* Oro's rule: a cookie-authenticated API request must say it comes from the
     * application (a cross-site form or image cannot set this header) */
    if (api && apr_table_get(r->headers_in, "X-CSRF-Header") == NULL) {
        return oro_auth_unauthorized(
            r, "a cookie-authenticated API request needs the X-CSRF-Header header");
    }
    const char *hash = oro_sha256_hex(r->pool, id, strlen(id));
    oro_auth_user_t user;
    const char *csrf = NULL;
    oro_auth_lookup_t found = lookup(r, hash, &user, &csrf);
    if (found == ORO_AUTH_DB_ERROR) {
        return unavailable(r);
    }
    if (found != ORO_AUTH_FOUND) {
        set_cookie(r, "", 1);
        return oro_auth_unauthorized(r, "the session has ended (log in again)");
    }
    if (api && !is_safe_method(r)) {
        const char *token = apr_table_get(r->headers_in, "X-CSRF-Token");
        if (token == NULL || !oro_auth_equal(token, csrf)) {
            oro_send_error(r, HTTP_FORBIDDEN, "CSRF check failed",
                           "a state-changing request of a session needs its token in "
                           "X-CSRF-Token (from POST /login or GET /api/session)");
            return HTTP_FORBIDDEN;
        }
    }
    apr_pool_userdata_setn(csrf, CSRF_KEY, NULL, r->pool);
    oro_auth_set_principal(r, &user, "session");
    return OK;
}

int oro_auth_handle_session(request_rec *r)
{
    if (r->method_number != M_GET) {
        apr_table_setn(r->err_headers_out, "Allow", "GET, HEAD");
        return oro_send_error(r, HTTP_METHOD_NOT_ALLOWED, "method not allowed",
                              "/api/session answers GET and HEAD only");
    }
    const oro_principal_t *principal = oro_auth_principal(r);
    if (principal == NULL) {
        return oro_send_error(r, HTTP_NOT_FOUND, "no session",
                              "authentication is off (OroAuthentication off)");
    }
    void *csrf = NULL;
    apr_pool_userdata_get(&csrf, CSRF_KEY, r->pool);
    oro_auth_user_t user = {.id = principal->user_id, .username = principal->username};
    return send_session(r, &user, csrf);
}
