/* mod_oro/auth.c — authentication of a request: which credentials it carries, the
 * principal it yields, the 401 answer, and the database and user lookups the
 * methods share. */
#include "auth.h"
#include "api.h"

#include <apr_strings.h>
#include <postgresql/libpq-fe.h>
#include <http_protocol.h>
#include <stdarg.h>

APLOG_USE_MODULE(oro);

#define PRINCIPAL_KEY "oro.principal"
/* Longest Authorization header looked at: longer ones are refused unread. */
#define MAX_AUTHORIZATION 1024

const oro_principal_t *oro_auth_principal(request_rec *r)
{
    return oro_auth_principal_for_update(r);
}

oro_principal_t *oro_auth_principal_for_update(request_rec *r)
{
    void *data = NULL;
    /* subrequests and internal redirects act for the same caller */
    while (r->main != NULL) {
        r = r->main;
    }
    apr_pool_userdata_get(&data, PRINCIPAL_KEY, r->pool);
    return data;
}

void oro_auth_set_principal(request_rec *r, const oro_auth_user_t *user, const char *auth_method)
{
    request_rec *top = r;
    while (top->main != NULL) {
        top = top->main;
    }
    oro_principal_t *principal = apr_pcalloc(top->pool, sizeof *principal);
    principal->user_id = user->id;
    principal->username = apr_pstrdup(top->pool, user->username);
    principal->organization_id = user->organization_id;
    principal->business_unit_id = user->business_unit_id;
    principal->auth_method = apr_pstrdup(top->pool, auth_method);
    principal->is_administrator = user->is_administrator;
    apr_pool_userdata_setn(principal, PRINCIPAL_KEY, NULL, top->pool);
    /* the access log's %u and other modules see the caller too */
    r->user = (char *)principal->username;
    r->ap_auth_type = (char *)principal->auth_method;
}

int oro_auth_unauthorized(request_rec *r, const char *detail)
{
    apr_table_add(r->err_headers_out, "WWW-Authenticate",
                  "WSSE realm=\"mod_oro\", profile=\"UsernameToken\"");
    apr_table_add(r->err_headers_out, "WWW-Authenticate", "Bearer realm=\"mod_oro\"");
    oro_send_error(r, HTTP_UNAUTHORIZED, "unauthorized", detail);
    return HTTP_UNAUTHORIZED;
}

int oro_auth_request(request_rec *r, int required)
{
    const oro_settings_t *settings = &oro_server_conf(r->server)->settings;
    if (!settings->authentication || oro_auth_principal(r) != NULL) {
        return OK;
    }
    const char *authorization = apr_table_get(r->headers_in, "Authorization");
    if (authorization != NULL) {
        if (strlen(authorization) > MAX_AUTHORIZATION) {
            return oro_auth_unauthorized(r, "the Authorization header is too long");
        }
        if (oro_wsse_is_authorization(authorization)) {
            return oro_auth_wsse(r);
        }
        if (strncasecmp(authorization, "Bearer ", 7) == 0) {
            return oro_auth_bearer(r, authorization + 7);
        }
        return oro_auth_unauthorized(r, "unsupported Authorization scheme (use WSSE "
                                        "profile=\"UsernameToken\" with X-WSSE, or Bearer)");
    }
    if (apr_table_get(r->headers_in, "X-WSSE") != NULL) {
        return oro_auth_unauthorized(r,
                                     "X-WSSE needs Authorization: WSSE profile=\"UsernameToken\"");
    }
    /* a public route (the status) ignores a cookie without X-CSRF-Header: pages poll it */
    if (oro_auth_has_session_cookie(r) &&
        (required || apr_table_get(r->headers_in, "X-CSRF-Header") != NULL)) {
        return oro_auth_session(r, 1);
    }
    if (required) {
        return oro_auth_unauthorized(r, "authentication is required");
    }
    return OK;
}

int oro_auth_is_endpoint(const char *uri)
{
    return strcmp(uri, "/oauth2-token") == 0 || strcmp(uri, "/login") == 0 ||
           strcmp(uri, "/logout") == 0;
}

int oro_auth_endpoint(request_rec *r)
{
    if (strcmp(r->uri, "/oauth2-token") == 0) {
        return oro_auth_handle_token(r);
    }
    if (strcmp(r->uri, "/login") == 0 || strcmp(r->uri, "/logout") == 0) {
        return oro_auth_handle_login(r, strcmp(r->uri, "/logout") == 0);
    }
    return DECLINED;
}

/* ---- database ---- */

int oro_auth_dialect(request_rec *r)
{
    ap_dbd_t *dbd = oro_dbd_request(r);
    int dialect = dbd != NULL ? oro_db_dialect_of(apr_dbd_name(dbd->driver)) : -1;
    return dialect < 0 ? ORO_DIALECT_PGSQL : dialect;
}

/* The statement and the request as the API's runner wants them. */
static int statement(request_rec *r, oro_api_request_t *req, oro_sql_t *q, const char *sql,
                     va_list ap, const char **error)
{
    memset(req, 0, sizeof *req);
    req->r = r;
    req->settings = &oro_server_conf(r->server)->settings;
    req->dbd = oro_dbd_request(r);
    if (req->dbd == NULL) {
        *error = "could not connect to the database";
        return -1;
    }
    int dialect = oro_db_dialect_of(apr_dbd_name(req->dbd->driver));
    req->dialect = dialect < 0 ? ORO_DIALECT_PGSQL : (oro_dialect_t)dialect;
    q->sql = sql;
    q->params = apr_array_make(r->pool, 4, sizeof(const char *));
    for (const char *arg = va_arg(ap, const char *); arg != NULL; arg = va_arg(ap, const char *)) {
        APR_ARRAY_PUSH(q->params, const char *) = arg;
    }
    return 0;
}

/* After a failed statement: whether the connection was broken and is usable again.
 * mod_dbd hands out pooled connections that a database restart has closed; the first
 * statement on one fails ("server closed the connection"). apr_dbd_check_conn resets
 * it (PostgreSQL: PQreset; MariaDB: a ping), so the caller may run its statement once
 * more: authentication is the first statement of most requests and must not turn a
 * restart behind the pool into 503s. */
static int reconnected(request_rec *r, oro_api_request_t *req)
{
    if (req->dialect == ORO_DIALECT_PGSQL) {
        PGconn *conn = apr_dbd_native_handle(req->dbd->driver, req->dbd->handle);
        if (PQstatus(conn) == CONNECTION_OK) {
            return 0; /* an ordinary SQL error: running it again would not help */
        }
    }
    else {
        return 0;
    }
    int ok = apr_dbd_check_conn(req->dbd->driver, r->pool, req->dbd->handle) == APR_SUCCESS;
    ORO_RLOG(r, APLOG_INFO, 0, "the database connection was broken; %s",
             ok ? "reconnected, running the statement again" : "could not reconnect");
    return ok;
}

apr_array_header_t *oro_auth_rows(request_rec *r, int ncols, const char **error, const char *sql,
                                  ...)
{
    oro_api_request_t req;
    oro_sql_t q;
    va_list ap;
    va_start(ap, sql);
    int rc = statement(r, &req, &q, sql, ap, error);
    va_end(ap);
    if (rc != 0) {
        return NULL;
    }
    apr_array_header_t *rows = oro_api_rows(&req, &q, ncols, error);
    if (rows == NULL && reconnected(r, &req)) {
        rows = oro_api_rows(&req, &q, ncols, error);
    }
    return rows;
}

int oro_auth_exec(request_rec *r, int *nrows, const char **error, const char *sql, ...)
{
    oro_api_request_t req;
    oro_sql_t q;
    va_list ap;
    va_start(ap, sql);
    int rc = statement(r, &req, &q, sql, ap, error);
    va_end(ap);
    if (rc != 0) {
        return -1;
    }
    rc = oro_api_exec(&req, &q, nrows, error);
    if (rc != 0 && reconnected(r, &req)) {
        rc = oro_api_exec(&req, &q, nrows, error);
    }
    return rc;
}

/* ---- users ---- */

/* Columns: id, organization, business unit, administrator (0/1), API key. The
 * user's organization and business unit are its own columns (users are owned by a
 * business unit, conf.d/entities/user.json). */
#define USER_COLUMNS                                                                               \
    "u.id, u.organization_id, u.business_unit_owner_id, "                                          \
    "(SELECT COUNT(*) FROM oro_user_access_role ur JOIN oro_access_role ar "                       \
    "ON ar.id = ur.role_id WHERE ur.user_id = u.id AND ar.role = 'ROLE_ADMINISTRATOR'), "

static const char *const by_username_sql =
    "SELECT " USER_COLUMNS "k.api_key, u.username FROM oro_user u "
    "LEFT JOIN oro_user_api_key k ON k.user_id = u.id WHERE u.username = %s AND u.enabled = TRUE";
static const char *const by_id_sql =
    "SELECT " USER_COLUMNS "NULL, u.username FROM oro_user u WHERE u.id = %s AND u.enabled = TRUE";

void oro_auth_user_from_row(apr_pool_t *p, const char *const *row, oro_auth_user_t *user)
{
    user->id = apr_atoi64(row[0]);
    user->organization_id = row[1] ? apr_atoi64(row[1]) : 0;
    user->business_unit_id = row[2] ? apr_atoi64(row[2]) : 0;
    user->is_administrator = row[3] != NULL && apr_atoi64(row[3]) > 0;
    user->secret = row[4] ? apr_pstrdup(p, row[4]) : "";
    user->username = apr_pstrdup(p, row[5]);
}

/* Cached form: "id\torg\tunit\tadmin\tsecret\tusername" (the username last: it may
 * hold any character). */
const char *oro_auth_user_to_text(apr_pool_t *p, const oro_auth_user_t *user)
{
    return apr_psprintf(
        p, "%" APR_INT64_T_FMT "\t%" APR_INT64_T_FMT "\t%" APR_INT64_T_FMT "\t%d\t%s\t%s", user->id,
        user->organization_id, user->business_unit_id, user->is_administrator,
        user->secret ? user->secret : "", user->username);
}

int oro_auth_user_from_text(apr_pool_t *p, const char *text, oro_auth_user_t *user)
{
    const char *fields[6];
    char *copy = apr_pstrdup(p, text), *s = copy;
    for (int i = 0; i < 5; i++) {
        char *tab = strchr(s, '\t');
        if (tab == NULL) {
            return -1;
        }
        *tab = '\0';
        fields[i] = s;
        s = tab + 1;
    }
    fields[5] = s;
    oro_auth_user_from_row(p, fields, user);
    return user->id > 0 ? 0 : -1;
}

static oro_auth_lookup_t lookup(request_rec *r, const char *key, int fresh, const char *sql,
                                const char *arg, oro_auth_user_t *user)
{
    const oro_settings_t *settings = &oro_server_conf(r->server)->settings;
    if (!fresh && settings->auth_cache_seconds > 0) {
        const char *cached = oro_auth_cache_get(r->server, r->pool, key);
        if (cached != NULL && oro_auth_user_from_text(r->pool, cached, user) == 0) {
            return ORO_AUTH_FOUND;
        }
    }
    const char *error = NULL;
    apr_array_header_t *rows = oro_auth_rows(r, 6, &error, sql, arg, NULL);
    if (rows == NULL) {
        ORO_RLOG(r, APLOG_ERR, 0, "could not look up a user: %s", error);
        return ORO_AUTH_DB_ERROR;
    }
    if (rows->nelts == 0) {
        return ORO_AUTH_NOT_FOUND;
    }
    oro_auth_user_from_row(r->pool, APR_ARRAY_IDX(rows, 0, const char **), user);
    if (settings->auth_cache_seconds > 0) {
        oro_auth_cache_set(r->server, r->pool, key, oro_auth_user_to_text(r->pool, user),
                           apr_time_now() + apr_time_from_sec(settings->auth_cache_seconds));
    }
    return ORO_AUTH_FOUND;
}

oro_auth_lookup_t oro_auth_user_by_username(request_rec *r, const char *username, int fresh,
                                            oro_auth_user_t *user)
{
    return lookup(r, apr_pstrcat(r->pool, "u:", username, NULL), fresh, by_username_sql, username,
                  user);
}

oro_auth_lookup_t oro_auth_user_by_id(request_rec *r, apr_int64_t id, oro_auth_user_t *user)
{
    const char *text = apr_psprintf(r->pool, "%" APR_INT64_T_FMT, id);
    return lookup(r, apr_pstrcat(r->pool, "i:", text, NULL), 0, by_id_sql, text, user);
}
