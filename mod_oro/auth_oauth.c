/* mod_oro/auth_oauth.c — OAuth2 as Oro offers it: POST /oauth2-token with the
 * client_credentials, password and refresh_token grants (RFC 6749), and opaque bearer
 * tokens on API requests. Client secrets and tokens are stored as SHA-256 only; a
 * token is revocable (revoked flag), and every lookup checks user, client and expiry. */
#include "auth.h"

#include <apr_base64.h>
#include <apr_strings.h>
#include <http_protocol.h>

APLOG_USE_MODULE(oro);

/* Bearer tokens and refresh tokens: 256 random bits, 64 hex digits. */
#define TOKEN_BYTES 32
#define MAX_TOKEN 128

/* RFC 6749 §5.2: {"error", "error_description"}, 400 or 401, never cached. */
static int oauth_error(request_rec *r, int status, const char *error, const char *description)
{
    json_object *doc = json_object_new_object();
    json_object_object_add(doc, "error", json_object_new_string(error));
    json_object_object_add(doc, "error_description", json_object_new_string(description));
    const char *body = apr_pstrdup(r->pool, oro_json_text(doc));
    json_object_put(doc);
    apr_table_setn(r->err_headers_out, "Pragma", "no-cache");
    oro_send_json(r, status, "application/json", body);
    return status;
}

typedef struct {
    const char *id;      /* the row id */
    const char *grants;  /* space-separated */
    const char *user_id; /* client_credentials acts as this user, or NULL */
} client_t;

static int grants_include(const char *grants, const char *grant)
{
    size_t n = strlen(grant);
    for (const char *g = strstr(grants, grant); g != NULL; g = strstr(g + 1, grant)) {
        if ((g == grants || g[-1] == ' ') && (g[n] == ' ' || g[n] == '\0')) {
            return 1;
        }
    }
    return 0;
}

/* Authenticates the client from HTTP Basic or the client_id/client_secret
 * parameters. Returns OK with *client, or the status of the answer sent. */
static int authenticate_client(request_rec *r, apr_table_t *params, client_t *client)
{
    const char *id = apr_table_get(params, "client_id");
    const char *secret = apr_table_get(params, "client_secret");
    const char *authorization = apr_table_get(r->headers_in, "Authorization");
    int basic = authorization != NULL && strncasecmp(authorization, "Basic ", 6) == 0;
    if (basic) {
        const char *encoded = authorization + 6;
        if (strlen(encoded) > 1024) {
            return oauth_error(r, HTTP_UNAUTHORIZED, "invalid_client", "the client is not valid");
        }
        char *decoded = apr_palloc(r->pool, (apr_size_t)apr_base64_decode_len(encoded) + 1);
        int len = apr_base64_decode(decoded, encoded);
        decoded[len] = '\0';
        char *colon = strchr(decoded, ':');
        if (colon == NULL) {
            apr_table_setn(r->err_headers_out, "WWW-Authenticate", "Basic realm=\"mod_oro\"");
            return oauth_error(r, HTTP_UNAUTHORIZED, "invalid_client", "the client is not valid");
        }
        *colon = '\0';
        /* RFC 6749 §2.3.1: both parts are form-encoded */
        id = decoded;
        secret = colon + 1;
        ap_unescape_urlencoded((char *)id);
        ap_unescape_urlencoded((char *)secret);
    }
    if (id == NULL || secret == NULL) {
        return oauth_error(r, HTTP_UNAUTHORIZED, "invalid_client",
                           "the client must authenticate (client_id and client_secret, or HTTP "
                           "Basic)");
    }
    const char *error = NULL;
    apr_array_header_t *rows = strlen(id) > 64 ? apr_array_make(r->pool, 1, sizeof(char **))
                                               : oro_auth_rows(r, 4, &error,
                                                               "SELECT id, secret_hash, grants, "
                                                               "user_id FROM oro_oauth_client "
                                                               "WHERE client_id = %s AND active "
                                                               "= TRUE",
                                                               id, NULL);
    if (rows == NULL) {
        ORO_RLOG(r, APLOG_ERR, 0, "could not look up an OAuth2 client: %s", error);
        apr_table_setn(r->err_headers_out, "Retry-After", "5");
        return oauth_error(r, HTTP_SERVICE_UNAVAILABLE, "temporarily_unavailable",
                           "the database did not answer; try again shortly");
    }
    const char **row = rows->nelts > 0 ? APR_ARRAY_IDX(rows, 0, const char **) : NULL;
    const char *hash = oro_sha256_hex(r->pool, secret, strlen(secret));
    if (row == NULL || !oro_auth_equal(hash, row[1])) {
        if (basic) {
            apr_table_setn(r->err_headers_out, "WWW-Authenticate", "Basic realm=\"mod_oro\"");
        }
        return oauth_error(r, HTTP_UNAUTHORIZED, "invalid_client", "the client is not valid");
    }
    client->id = row[0];
    client->grants = row[2] ? row[2] : "";
    client->user_id = row[3];
    return OK;
}

/* Stores a new token of kind for user and client; returns the token or NULL. */
static const char *issue(request_rec *r, const char *kind, const client_t *client,
                         const char *user_id, const char *grant, int lifetime)
{
    const char *token = oro_auth_random_hex(r->pool, TOKEN_BYTES);
    if (token == NULL) {
        return NULL;
    }
    int dialect = oro_auth_dialect(r);
    const char *sql =
        apr_pstrcat(r->pool,
                    "INSERT INTO oro_oauth_token (token_hash, kind, client_id, user_id, "
                    "grant_type, expires_at) VALUES (%s, %s, %s, %s, %s, ",
                    oro_auth_offset_sql(r->pool, dialect, "+", lifetime), ")", NULL);
    const char *error = NULL;
    if (oro_auth_exec(r, NULL, &error, sql, oro_sha256_hex(r->pool, token, strlen(token)), kind,
                      client->id, user_id, grant, NULL) != 0) {
        ORO_RLOG(r, APLOG_ERR, 0, "could not store an OAuth2 token: %s", error);
        return NULL;
    }
    return token;
}

static int answer_tokens(request_rec *r, const client_t *client, const char *user_id,
                         const char *grant, int with_refresh)
{
    const oro_settings_t *settings = &oro_server_conf(r->server)->settings;
    const char *access = issue(r, "access", client, user_id, grant, settings->oauth_token_lifetime);
    const char *refresh = access && with_refresh ? issue(r, "refresh", client, user_id, grant,
                                                         settings->oauth_refresh_lifetime)
                                                 : NULL;
    if (access == NULL || (with_refresh && refresh == NULL)) {
        apr_table_setn(r->err_headers_out, "Retry-After", "5");
        return oauth_error(r, HTTP_SERVICE_UNAVAILABLE, "temporarily_unavailable",
                           "could not issue the token; try again shortly");
    }
    json_object *doc = json_object_new_object();
    json_object_object_add(doc, "token_type", json_object_new_string("Bearer"));
    json_object_object_add(doc, "expires_in", json_object_new_int(settings->oauth_token_lifetime));
    json_object_object_add(doc, "access_token", json_object_new_string(access));
    if (refresh != NULL) {
        json_object_object_add(doc, "refresh_token", json_object_new_string(refresh));
    }
    const char *body = apr_pstrdup(r->pool, oro_json_text(doc));
    json_object_put(doc);
    apr_table_setn(r->headers_out, "Pragma", "no-cache");
    return oro_send_json(r, HTTP_OK, "application/json", body);
}

static int database_unavailable(request_rec *r)
{
    apr_table_setn(r->err_headers_out, "Retry-After", "5");
    return oauth_error(r, HTTP_SERVICE_UNAVAILABLE, "temporarily_unavailable",
                       "the database did not answer; try again shortly");
}

static int password_grant(request_rec *r, apr_table_t *params, const client_t *client)
{
    const char *username = apr_table_get(params, "username");
    const char *password = apr_table_get(params, "password");
    if (username == NULL || password == NULL) {
        return oauth_error(r, HTTP_BAD_REQUEST, "invalid_request",
                           "the password grant needs username and password");
    }
    oro_auth_user_t user;
    int retry_after = 0;
    switch (oro_auth_password_login(r, username, password, &user, &retry_after)) {
    case ORO_LOGIN_THROTTLED:
        return oro_auth_too_many(r, retry_after);
    case ORO_LOGIN_DB_ERROR:
        return database_unavailable(r);
    case ORO_LOGIN_FAILED:
        return oauth_error(r, HTTP_BAD_REQUEST, "invalid_grant",
                           "the username or the password is wrong");
    case ORO_LOGIN_OK:
        break;
    }
    return answer_tokens(r, client, apr_psprintf(r->pool, "%" APR_INT64_T_FMT, user.id), "password",
                         1);
}

static int client_credentials_grant(request_rec *r, const client_t *client)
{
    oro_auth_user_t user;
    oro_auth_lookup_t found = client->user_id
                                  ? oro_auth_user_by_id(r, apr_atoi64(client->user_id), &user)
                                  : ORO_AUTH_NOT_FOUND;
    if (found == ORO_AUTH_DB_ERROR) {
        return database_unavailable(r);
    }
    if (found != ORO_AUTH_FOUND) {
        return oauth_error(r, HTTP_BAD_REQUEST, "unauthorized_client",
                           "the client acts for no enabled user (oroctl oauth:client:create "
                           "--user)");
    }
    return answer_tokens(r, client, client->user_id, "client_credentials", 0);
}

/* Exchanges a refresh token for a new pair; the old refresh token is revoked (rotation),
 * so a stolen one works once at most. */
static int refresh_grant(request_rec *r, apr_table_t *params, const client_t *client)
{
    const char *token = apr_table_get(params, "refresh_token");
    if (token == NULL) {
        return oauth_error(r, HTTP_BAD_REQUEST, "invalid_request",
                           "the refresh_token grant needs refresh_token");
    }
    const char *hash = oro_sha256_hex(r->pool, token, strlen(token));
    int dialect = oro_auth_dialect(r);
    const char *error = NULL;
    int n = 0;
    /* one statement claims it: two concurrent refreshes cannot both win */
    const char *sql = apr_pstrcat(r->pool,
                                  "UPDATE oro_oauth_token SET revoked = TRUE WHERE token_hash = %s "
                                  "AND kind = 'refresh' AND revoked = FALSE AND client_id = %s AND "
                                  "expires_at > ",
                                  oro_auth_now_sql(dialect), NULL);
    if (oro_auth_exec(r, &n, &error, sql, hash, client->id, NULL) != 0) {
        ORO_RLOG(r, APLOG_ERR, 0, "could not use a refresh token: %s", error);
        return database_unavailable(r);
    }
    if (n != 1) {
        return oauth_error(r, HTTP_BAD_REQUEST, "invalid_grant",
                           "the refresh token is not valid, expired or revoked");
    }
    apr_array_header_t *rows = oro_auth_rows(
        r, 1, &error, "SELECT user_id FROM oro_oauth_token WHERE token_hash = %s", hash, NULL);
    if (rows == NULL) {
        return database_unavailable(r);
    }
    oro_auth_user_t user;
    oro_auth_lookup_t found =
        rows->nelts
            ? oro_auth_user_by_id(r, apr_atoi64(APR_ARRAY_IDX(rows, 0, const char **)[0]), &user)
            : ORO_AUTH_NOT_FOUND;
    if (found == ORO_AUTH_DB_ERROR) {
        return database_unavailable(r);
    }
    if (found != ORO_AUTH_FOUND) {
        return oauth_error(r, HTTP_BAD_REQUEST, "invalid_grant", "the user is disabled");
    }
    return answer_tokens(r, client, apr_psprintf(r->pool, "%" APR_INT64_T_FMT, user.id), "password",
                         1);
}

int oro_auth_handle_token(request_rec *r)
{
    if (r->method_number != M_POST) {
        apr_table_setn(r->err_headers_out, "Allow", "POST");
        return oauth_error(r, HTTP_METHOD_NOT_ALLOWED, "invalid_request",
                           "the token endpoint answers POST only");
    }
    int status;
    const char *why;
    apr_table_t *params = oro_auth_read_params(r, &status, &why);
    if (params == NULL) {
        return oauth_error(r, status, "invalid_request", why);
    }
    const char *grant = apr_table_get(params, "grant_type");
    if (grant == NULL) {
        return oauth_error(r, HTTP_BAD_REQUEST, "invalid_request", "grant_type is missing");
    }
    int known = strcmp(grant, "password") == 0 || strcmp(grant, "client_credentials") == 0 ||
                strcmp(grant, "refresh_token") == 0;
    if (!known) {
        return oauth_error(r, HTTP_BAD_REQUEST, "unsupported_grant_type",
                           "grant_type must be client_credentials, password or refresh_token");
    }
    client_t client = {0};
    int rc = authenticate_client(r, params, &client);
    if (rc != OK) {
        return rc;
    }
    /* refresh tokens are issued with the password grant only */
    const char *needed = strcmp(grant, "refresh_token") == 0 ? "password" : grant;
    if (!grants_include(client.grants, needed)) {
        return oauth_error(r, HTTP_BAD_REQUEST, "unauthorized_client",
                           apr_psprintf(r->pool, "the client may not use the %s grant", grant));
    }
    if (strcmp(grant, "password") == 0) {
        return password_grant(r, params, &client);
    }
    if (strcmp(grant, "client_credentials") == 0) {
        return client_credentials_grant(r, &client);
    }
    return refresh_grant(r, params, &client);
}

/* ---- bearer tokens on API requests ---- */

int oro_auth_bearer(request_rec *r, const char *token)
{
    const oro_settings_t *settings = &oro_server_conf(r->server)->settings;
    while (*token == ' ') {
        token++;
    }
    size_t len = strlen(token);
    if (len == 0 || len > MAX_TOKEN) {
        return oro_auth_unauthorized(r, "the bearer token is not valid");
    }
    const char *hash = oro_sha256_hex(r->pool, token, len);
    const char *key = apr_pstrcat(r->pool, "t:", hash, NULL);
    oro_auth_user_t user;
    if (settings->auth_cache_seconds > 0) {
        const char *cached = oro_auth_cache_get(r->server, r->pool, key);
        if (cached != NULL && oro_auth_user_from_text(r->pool, cached, &user) == 0) {
            oro_auth_set_principal(r, &user, user.secret);
            return OK;
        }
    }
    int dialect = oro_auth_dialect(r);
    const char *now = oro_auth_now_sql(dialect);
    const char *remaining = oro_auth_seconds_until_sql(r->pool, dialect, "t.expires_at");
    const char *sql = apr_pstrcat(
        r->pool,
        "SELECT u.id, u.organization_id, u.business_unit_owner_id, "
        "(SELECT COUNT(*) FROM oro_user_access_role ur JOIN oro_access_role ar ON ar.id = "
        "ur.role_id WHERE ur.user_id = u.id AND ar.role = 'ROLE_ADMINISTRATOR'), t.grant_type, "
        "u.username, ",
        remaining,
        " FROM oro_oauth_token t JOIN oro_user u ON u.id = t.user_id JOIN oro_oauth_client c ON "
        "c.id = t.client_id WHERE t.token_hash = %s AND t.kind = 'access' AND t.revoked = FALSE "
        "AND c.active = TRUE AND u.enabled = TRUE AND t.expires_at > ",
        now, NULL);
    const char *error = NULL;
    apr_array_header_t *rows = oro_auth_rows(r, 7, &error, sql, hash, NULL);
    if (rows == NULL) {
        ORO_RLOG(r, APLOG_ERR, 0, "could not look up a bearer token: %s", error);
        apr_table_setn(r->err_headers_out, "Retry-After", "5");
        oro_send_error(r, HTTP_SERVICE_UNAVAILABLE, "database unavailable",
                       "could not check the credentials; try again shortly");
        return HTTP_SERVICE_UNAVAILABLE;
    }
    if (rows->nelts == 0) {
        apr_table_setn(r->err_headers_out, "WWW-Authenticate",
                       "Bearer realm=\"mod_oro\", error=\"invalid_token\"");
        return oro_auth_unauthorized(r, "the bearer token is not valid, expired or revoked");
    }
    const char **row = APR_ARRAY_IDX(rows, 0, const char **);
    oro_auth_user_from_row(r->pool, row, &user);
    const char *method =
        strcmp(user.secret, "client_credentials") == 0 ? "client_credentials" : "bearer";
    user.secret = method;
    apr_int64_t left = row[6] ? apr_atoi64(row[6]) : 0;
    if (settings->auth_cache_seconds > 0 && left > 0) {
        apr_int64_t keep =
            left < settings->auth_cache_seconds ? left : settings->auth_cache_seconds;
        oro_auth_cache_set(r->server, r->pool, key, oro_auth_user_to_text(r->pool, &user),
                           apr_time_now() + apr_time_from_sec(keep));
    }
    oro_auth_set_principal(r, &user, method);
    return OK;
}
