/* mod_oro/auth_form.c — what the login and token endpoints share: their small
 * request bodies (form or JSON) and the password check. */
#include "auth.h"

#include <apr_strings.h>
#include <ctype.h>
#include <http_protocol.h>
#include <httpd.h>

APLOG_USE_MODULE(oro);

/* Credentials fit in a few hundred bytes; anything larger is refused unread. */
#define MAX_BODY 8192

/* A bcrypt hash of a random text nobody knows: checked for unknown users, so that
 * they take as long as a wrong password. */
#define DUMMY_HASH "$2y$10$rRDwxCAnVJPyl8Okyz91OO6N0MlzuhpYv27n/tIUOoFGzKVc7gbKm"

static apr_table_t *parse_form(apr_pool_t *p, char *body)
{
    apr_table_t *params = apr_table_make(p, 8);
    char *state;
    for (char *pair = apr_strtok(body, "&", &state); pair; pair = apr_strtok(NULL, "&", &state)) {
        char *eq = strchr(pair, '=');
        if (eq == NULL) {
            continue;
        }
        *eq = '\0';
        char *name = pair, *value = eq + 1;
        if (ap_unescape_urlencoded(name) != OK || ap_unescape_urlencoded(value) != OK ||
            strlen(name) != (size_t)(eq - pair)) {
            return NULL;
        }
        /* NB: the first of a repeated parameter wins (RFC 6749 forbids repeats) */
        if (apr_table_get(params, name) == NULL) {
            apr_table_set(params, name, value);
        }
    }
    return params;
}

static apr_table_t *parse_json(apr_pool_t *p, const char *body, apr_size_t len)
{
    json_tokener *tok = json_tokener_new();
    json_object *doc = json_tokener_parse_ex(tok, body, (int)len);
    int complete = json_tokener_get_error(tok) == json_tokener_success &&
                   (size_t)json_tokener_get_parse_end(tok) == len;
    json_tokener_free(tok);
    if (doc == NULL || !complete || !json_object_is_type(doc, json_type_object)) {
        json_object_put(doc);
        return NULL;
    }
    apr_table_t *params = apr_table_make(p, 8);
    json_object_object_foreach(doc, key, value)
    {
        if (json_object_is_type(value, json_type_string)) {
            apr_table_set(params, key, json_object_get_string(value));
        }
    }
    json_object_put(doc);
    return params;
}

apr_table_t *oro_auth_read_params(request_rec *r, int *status, const char **why)
{
    *status = HTTP_BAD_REQUEST;
    const char *type = apr_table_get(r->headers_in, "Content-Type");
    int json = 0;
    if (type != NULL && strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0) {
        json = 0;
    }
    else if (type != NULL && (strncasecmp(type, "application/json", 16) == 0 ||
                              strncasecmp(type, "application/vnd.api+json", 24) == 0)) {
        json = 1;
    }
    else {
        *status = HTTP_UNSUPPORTED_MEDIA_TYPE;
        *why = "the body must be application/x-www-form-urlencoded or application/json";
        return NULL;
    }
    if (ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK) != OK) {
        *why = "the request body's framing is invalid";
        return NULL;
    }
    if (r->remaining > MAX_BODY) {
        *status = HTTP_REQUEST_ENTITY_TOO_LARGE;
        *why = "the request body is too large";
        return NULL;
    }
    char *buf = apr_palloc(r->pool, MAX_BODY + 1);
    apr_size_t n = 0;
    if (ap_should_client_block(r)) {
        long got;
        while ((got = ap_get_client_block(r, buf + n, MAX_BODY + 1 - n)) > 0) {
            n += (apr_size_t)got;
            if (n > MAX_BODY) {
                *status = HTTP_REQUEST_ENTITY_TOO_LARGE;
                *why = "the request body is too large";
                return NULL;
            }
        }
        if (got < 0) {
            *why = "the request body ended before its announced length";
            return NULL;
        }
    }
    buf[n] = '\0';
    if (memchr(buf, '\0', n) != NULL) {
        *why = "the request body contains a NUL byte";
        return NULL;
    }
    apr_table_t *params = json ? parse_json(r->pool, buf, n) : parse_form(r->pool, buf);
    if (params == NULL) {
        *why = json ? "the body is not a JSON object" : "the body is not a valid form";
    }
    return params;
}

/* Columns as oro_auth_user_by_username's, then the password hash. */
static const char *const password_sql =
    "SELECT u.id, u.organization_id, u.business_unit_owner_id, "
    "(SELECT COUNT(*) FROM oro_user_access_role ur JOIN oro_access_role ar "
    "ON ar.id = ur.role_id WHERE ur.user_id = u.id AND ar.role = 'ROLE_ADMINISTRATOR'), "
    "NULL, u.username, u.password FROM oro_user u WHERE u.username = %s AND u.enabled = TRUE";

oro_auth_lookup_t oro_auth_check_password(request_rec *r, const char *username,
                                          const char *password, oro_auth_user_t *user)
{
    if (username == NULL || password == NULL || *username == '\0' || strlen(username) > 255 ||
        strlen(password) > ORO_PASSWORD_MAX_BYTES) {
        oro_password_verify("x", DUMMY_HASH);
        return ORO_AUTH_NOT_FOUND;
    }
    const char *error = NULL;
    apr_array_header_t *rows = oro_auth_rows(r, 7, &error, password_sql, username, NULL);
    if (rows == NULL) {
        ORO_RLOG(r, APLOG_ERR, 0, "could not look up a user: %s", error);
        return ORO_AUTH_DB_ERROR;
    }
    const char **row = rows->nelts > 0 ? APR_ARRAY_IDX(rows, 0, const char **) : NULL;
    /* the same work for unknown users as for a wrong password */
    int ok = oro_password_verify(password, row && row[6] && *row[6] ? row[6] : DUMMY_HASH);
    if (row == NULL || !ok) {
        return ORO_AUTH_NOT_FOUND;
    }
    oro_auth_user_from_row(r->pool, row, user);
    return ORO_AUTH_FOUND;
}

oro_login_t oro_auth_password_login(request_rec *r, const char *username, const char *password,
                                    oro_auth_user_t *user, int *retry_after)
{
    *retry_after = oro_auth_throttled(r, username);
    if (*retry_after > 0) {
        return ORO_LOGIN_THROTTLED;
    }
    oro_auth_lookup_t found = oro_auth_check_password(r, username, password, user);
    if (found == ORO_AUTH_DB_ERROR) {
        return ORO_LOGIN_DB_ERROR;
    }
    if (found != ORO_AUTH_FOUND) {
        oro_auth_login_failed(r, username);
        return ORO_LOGIN_FAILED;
    }
    oro_auth_login_succeeded(r, username);
    return ORO_LOGIN_OK;
}

const char *oro_auth_now_sql(int dialect)
{
    return dialect == ORO_DIALECT_MYSQL ? "NOW(6)" : "now()";
}

const char *oro_auth_offset_sql(apr_pool_t *p, int dialect, const char *sign, int seconds)
{
    return dialect == ORO_DIALECT_MYSQL
               ? apr_psprintf(p, "NOW(6) %s INTERVAL %d SECOND", sign, seconds)
               : apr_psprintf(p, "now() %s interval '%d seconds'", sign, seconds);
}

const char *oro_auth_seconds_until_sql(apr_pool_t *p, int dialect, const char *column)
{
    return dialect == ORO_DIALECT_MYSQL
               ? apr_psprintf(p, "TIMESTAMPDIFF(SECOND, NOW(6), %s)", column)
               : apr_psprintf(p, "CAST(EXTRACT(EPOCH FROM %s - now()) AS bigint)", column);
}
