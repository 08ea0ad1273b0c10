/* mod_oro/api.c — the JSON:API entry: routing below /api, media types, database
 * helpers and error documents. */
#include "api.h"

#include <apr_strings.h>
#include <ctype.h>
#include <mariadb/errmsg.h>
#include <mariadb/mysql.h>
#include <mariadb/mysqld_error.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>

APLOG_USE_MODULE(oro);

ap_dbd_t *oro_api_dbd(oro_api_request_t *req)
{
    if (req->dbd == NULL) {
        req->dbd = oro_dbd_request(req->r);
    }
    return req->dbd;
}

/* Prepared statements live as long as their connection (DESIGN.md §4): a hash from SQL
 * text to statement in the connection's pool. MariaDB only: apr_dbd_pgsql declares the
 * parameters of a named statement varchar, which PostgreSQL will not compare with a
 * bigint; unnamed statements (PQexecParams, one round trip) leave the types to the
 * server. A connection serves one request at a
 * time, so no lock is needed; a new connection (after a database restart) starts with
 * an empty cache. Bounded: past STATEMENT_CACHE_MAX texts, statements are prepared
 * unnamed for the request only. */
#define STATEMENT_CACHE_MAX 512

typedef struct {
    apr_hash_t *statements;
    int count;
} statement_cache_t;

static statement_cache_t *statement_cache(ap_dbd_t *dbd)
{
    void *data = NULL;
    apr_pool_userdata_get(&data, "oro.statement-cache", dbd->pool);
    if (data == NULL) {
        statement_cache_t *cache = apr_pcalloc(dbd->pool, sizeof *cache);
        cache->statements = apr_hash_make(dbd->pool);
        apr_pool_userdata_set(cache, "oro.statement-cache", apr_pool_cleanup_null, dbd->pool);
        data = cache;
    }
    return data;
}

static int prepare(oro_api_request_t *req, const oro_sql_t *q, apr_dbd_prepared_t **stmt,
                   const char **error)
{
    ap_dbd_t *dbd = oro_api_dbd(req);
    if (dbd == NULL) {
        *error = "no database connection";
        return -1;
    }
    statement_cache_t *cache = statement_cache(dbd);
    *stmt = apr_hash_get(cache->statements, q->sql, APR_HASH_KEY_STRING);
    if (*stmt != NULL) {
        return 0;
    }
    int cached = req->dialect == ORO_DIALECT_MYSQL && cache->count < STATEMENT_CACHE_MAX;
    apr_pool_t *pool = cached ? dbd->pool : req->r->pool;
    const char *label = cached ? apr_psprintf(pool, "oro_%d", cache->count) : NULL;
    int rc = apr_dbd_prepare(dbd->driver, pool, dbd->handle, q->sql, label, stmt);
    if (rc != 0) {
        *error = oro_db_one_line(req->r->pool, apr_dbd_error(dbd->driver, dbd->handle, rc));
        *stmt = NULL;
        return -1;
    }
    if (cached) {
        apr_hash_set(cache->statements, apr_pstrdup(pool, q->sql), APR_HASH_KEY_STRING, *stmt);
        cache->count++;
    }
    return 0;
}

/* After a failed MariaDB statement (rc: apr_dbd_mysql's client or server error
 * number): whether the cached statement belonged to an earlier session and may run
 * once more, prepared anew. apr_dbd_mysql turns libmariadb's reconnecting on: the ping
 * mod_dbd runs at acquire reconnects a connection the server closed, silently, on the
 * same handle (and thread ids start again at a restarted server, so they cannot tell).
 * The statements of the old session are then reset without having run: executing one
 * fails with "commands out of sync" (or, on the server, an unknown statement). A lost
 * connection drops the cache too, but the statement is not run again (it may have). */
static int statement_lost(oro_api_request_t *req, int rc)
{
    int stale = rc == CR_COMMANDS_OUT_OF_SYNC || rc == CR_NO_PREPARE_STMT ||
                rc == ER_UNKNOWN_STMT_HANDLER;
    if (stale || rc == CR_SERVER_GONE_ERROR || rc == CR_SERVER_LOST) {
        statement_cache_t *cache = statement_cache(req->dbd);
        apr_hash_clear(cache->statements);
        cache->count = 0;
        ORO_RLOG(req->r, APLOG_INFO, 0, "the database session of a pooled connection "
                 "was renewed (error %d): statements prepared again", rc);
    }
    return stale;
}

/* The message of a failed MariaDB statement, with its number when the driver has no
 * text (a statement's own error is not the connection's). */
static const char *mysql_failure(oro_api_request_t *req, int rc)
{
    const char *text = apr_dbd_error(req->dbd->driver, req->dbd->handle, rc);
    return text != NULL && *text ? oro_db_one_line(req->r->pool, text)
                                 : apr_psprintf(req->r->pool, "MariaDB error %d", rc);
}

apr_array_header_t *oro_api_rows(oro_api_request_t *req, const oro_sql_t *q, int ncols,
                                 const char **error)
{
    if (req->dialect == ORO_DIALECT_PGSQL) {
        return oro_api_pg_rows(req, q, ncols, error);
    }
    apr_dbd_prepared_t *stmt = NULL; /* NB: apr_dbd_prepare reuses a non-NULL one */
    if (prepare(req, q, &stmt, error) != 0) {
        return NULL;
    }
    ap_dbd_t *dbd = req->dbd;
    apr_pool_t *p = req->r->pool;
    apr_dbd_results_t *res = NULL;
    /* NB: sequential results (random = 0): MariaDB's random access wants explicit row
     * numbers, and every row is read anyway */
    int rc = apr_dbd_pselect(dbd->driver, p, dbd->handle, &res, stmt, 0, q->params->nelts,
                             (const char **)q->params->elts);
    if (rc != 0 && statement_lost(req, rc) && prepare(req, q, &stmt, error) == 0) {
        rc = apr_dbd_pselect(dbd->driver, p, dbd->handle, &res, stmt, 0, q->params->nelts,
                             (const char **)q->params->elts);
    }
    if (rc != 0) {
        *error = mysql_failure(req, rc);
        return NULL;
    }
    apr_array_header_t *rows = apr_array_make(p, 16, sizeof(const char **));
    apr_dbd_row_t *row = NULL;
    while (apr_dbd_get_row(dbd->driver, p, res, &row, -1) == 0) {
        const char **values = apr_palloc(p, sizeof(char *) * (size_t)ncols);
        for (int i = 0; i < ncols; i++) {
            const char *v = apr_dbd_get_entry(dbd->driver, row, i);
            values[i] = v ? apr_pstrdup(p, v) : NULL;
        }
        APR_ARRAY_PUSH(rows, const char **) = values;
    }
    *error = NULL;
    return rows;
}

int oro_api_exec(oro_api_request_t *req, const oro_sql_t *q, int *nrows, const char **error)
{
    if (req->dialect == ORO_DIALECT_PGSQL) {
        return oro_api_pg_exec(req, q, nrows, error);
    }
    apr_dbd_prepared_t *stmt = NULL; /* NB: apr_dbd_prepare reuses a non-NULL one */
    if (prepare(req, q, &stmt, error) != 0) {
        return -1;
    }
    int n = 0;
    int rc = apr_dbd_pquery(req->dbd->driver, req->r->pool, req->dbd->handle, &n, stmt,
                            q->params->nelts, (const char **)q->params->elts);
    if (rc != 0 && statement_lost(req, rc) && prepare(req, q, &stmt, error) == 0) {
        rc = apr_dbd_pquery(req->dbd->driver, req->r->pool, req->dbd->handle, &n, stmt,
                            q->params->nelts, (const char **)q->params->elts);
    }
    if (rc != 0) {
        *error = mysql_failure(req, rc);
        return -1;
    }
    if (nrows != NULL) {
        *nrows = n;
    }
    return 0;
}

int oro_api_send_errors(request_rec *r, const apr_array_header_t *errors)
{
    int status = 400;
    json_object *list = json_object_new_array();
    for (int i = 0; i < errors->nelts; i++) {
        const oro_api_error_t *e = &APR_ARRAY_IDX(errors, i, oro_api_error_t);
        if (e->status == 409 || (e->status == 403 && status != 409) ||
            (e->status != 400 && status == 400)) {
            status = e->status;
        }
        json_object *o = json_object_new_object();
        json_object_object_add(o, "status", json_object_new_string(apr_itoa(r->pool, e->status)));
        json_object_object_add(o, "title", json_object_new_string(e->title));
        if (e->detail) {
            json_object_object_add(o, "detail", json_object_new_string(e->detail));
        }
        if (e->pointer || e->parameter) {
            json_object *source = json_object_new_object();
            json_object_object_add(source, e->pointer ? "pointer" : "parameter",
                                   json_object_new_string(e->pointer ? e->pointer : e->parameter));
            json_object_object_add(o, "source", source);
        }
        json_object_array_add(list, o);
    }
    json_object *doc = json_object_new_object();
    json_object_object_add(doc, "errors", list);
    const char *body = apr_pstrdup(r->pool, oro_json_text(doc));
    json_object_put(doc);
    return oro_send_json(r, status, ORO_JSONAPI, body);
}

int oro_api_send_error(request_rec *r, int status, const char *title, const char *detail,
                       const char *pointer)
{
    apr_array_header_t *errors = apr_array_make(r->pool, 1, sizeof(oro_api_error_t));
    oro_api_error_t *e = apr_array_push(errors);
    memset(e, 0, sizeof *e);
    e->status = status;
    e->title = title;
    e->detail = detail;
    e->pointer = pointer;
    return oro_api_send_errors(r, errors);
}

int oro_api_database_error(oro_api_request_t *req, const char *what, const char *error)
{
    ORO_RLOG(req->r, APLOG_ERR, 0, "%s: %s", what, error);
    apr_table_setn(req->r->headers_out, "Retry-After", "5");
    return oro_api_send_error(req->r, HTTP_SERVICE_UNAVAILABLE, "database error",
                              "the database did not answer as expected; try again shortly", NULL);
}

int oro_api_x_include(request_rec *r, const char *name)
{
    const char *header = apr_table_get(r->headers_in, "X-Include");
    if (header == NULL) {
        return 0;
    }
    char *state, *copy = apr_pstrdup(r->pool, header);
    for (char *item = apr_strtok(copy, ";, ", &state); item;
         item = apr_strtok(NULL, ";, ", &state)) {
        if (strcasecmp(item, name) == 0) {
            return 1;
        }
    }
    return 0;
}

/* JSON:API media type rules: 415 when the body (has_body) is not application/vnd.api+json (or
 * carries parameters other than ext/profile); 406 when Accept excludes every form we
 * can answer with. Returns OK or the status already sent. */
static int check_media_types(request_rec *r, int has_body)
{
    const char *accept = apr_table_get(r->headers_in, "Accept");
    if (accept != NULL && *accept != '\0') {
        int acceptable = 0, jsonapi_seen = 0, jsonapi_plain = 0;
        char *state, *copy = apr_pstrdup(r->pool, accept);
        for (char *item = apr_strtok(copy, ",", &state); item;
             item = apr_strtok(NULL, ",", &state)) {
            while (isspace((unsigned char)*item)) {
                item++;
            }
            char *params = strchr(item, ';');
            size_t len = params ? (size_t)(params - item) : strlen(item);
            while (len > 0 && isspace((unsigned char)item[len - 1])) {
                len--;
            }
            const char *type = apr_pstrmemdup(r->pool, item, len);
            if (strcasecmp(type, ORO_JSONAPI) == 0) {
                jsonapi_seen = 1;
                /* only q, ext and profile may modify it */
                int plain = 1;
                for (char *param = params; param; param = strchr(param + 1, ';')) {
                    const char *name = param + 1;
                    while (isspace((unsigned char)*name)) {
                        name++;
                    }
                    if (strncasecmp(name, "q=", 2) != 0 && strncasecmp(name, "ext=", 4) != 0 &&
                        strncasecmp(name, "profile=", 8) != 0) {
                        plain = 0;
                    }
                }
                jsonapi_plain |= plain;
            }
            else if (strcasecmp(type, "application/json") == 0 ||
                     strcasecmp(type, "application/*") == 0 || strcmp(type, "*/*") == 0) {
                acceptable = 1;
            }
        }
        if ((jsonapi_seen && !jsonapi_plain && !acceptable) || (!jsonapi_seen && !acceptable)) {
            oro_api_send_error(r, HTTP_NOT_ACCEPTABLE, "not acceptable",
                               "the API answers with application/vnd.api+json", NULL);
            return HTTP_NOT_ACCEPTABLE;
        }
    }
    if (has_body) {
        const char *type = apr_table_get(r->headers_in, "Content-Type");
        int ok = 0;
        if (type != NULL) {
            size_t len = strcspn(type, "; ");
            ok = (len == strlen(ORO_JSONAPI) && strncasecmp(type, ORO_JSONAPI, len) == 0) ||
                 (len == 16 && strncasecmp(type, "application/json", 16) == 0);
            const char *params = strchr(type, ';');
            for (; ok && params; params = strchr(params + 1, ';')) {
                const char *name = params + 1;
                while (isspace((unsigned char)*name)) {
                    name++;
                }
                ok = strncasecmp(name, "ext=", 4) == 0 || strncasecmp(name, "profile=", 8) == 0 ||
                     strncasecmp(name, "charset=utf-8", 13) == 0;
            }
        }
        if (!ok) {
            oro_api_send_error(r, HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported media type",
                               "the request body must be application/vnd.api+json", NULL);
            return HTTP_UNSUPPORTED_MEDIA_TYPE;
        }
    }
    return OK;
}

static int is_id(const char *s)
{
    if (*s < '1' || *s > '9' || strlen(s) > 18) {
        return 0;
    }
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s)) {
            return 0;
        }
    }
    return 1;
}

/* Whether method is one of the comma-separated allow list. */
static int method_allowed(const char *method, const char *allow)
{
    size_t n = strlen(method);
    for (const char *m = strstr(allow, method); m != NULL; m = strstr(m + 1, method)) {
        if ((m == allow || m[-1] == ' ') && (m[n] == ',' || m[n] == '\0')) {
            return 1;
        }
    }
    return 0;
}

int oro_api_dispatch(request_rec *r, const char *path)
{
    const oro_settings_t *settings = &oro_server_conf(r->server)->settings;
    if (settings->meta == NULL) {
        return oro_api_send_error(r, HTTP_NOT_FOUND, "resource not found",
                                  "no entities are configured (OroEntityConfig)", NULL);
    }
    /* path: "/{type}", "/{type}/{id}", "/{type}/{id}/{relation}" (the related records) or
     * "/{type}/{id}/relationships/{relation}" (the linkage) */
    char *copy = apr_pstrdup(r->pool, path + 1);
    char *id = strchr(copy, '/');
    if (id != NULL) {
        *id++ = '\0';
    }
    char *rest = id != NULL ? strchr(id, '/') : NULL;
    if (rest != NULL) {
        *rest++ = '\0';
    }
    const oro_entity_t *entity = oro_meta_entity(settings->meta, copy);
    const oro_relation_t *relation = NULL;
    int relationship = 0;
    /* /api/roles/{id}/permissions: the role's grants (mod_oro/api_permissions.c) */
    int permissions = entity != NULL && rest != NULL && strcmp(entity->type, "roles") == 0 &&
                      strcmp(rest, "permissions") == 0;
    if (entity != NULL && rest != NULL && !permissions) {
        if (strncmp(rest, "relationships/", 14) == 0) {
            relationship = 1;
            rest += 14;
        }
        relation = strchr(rest, '/') == NULL ? oro_meta_relation(entity, rest) : NULL;
    }
    if (entity == NULL || (rest != NULL && relation == NULL && !permissions)) {
        return oro_api_send_error(
            r, HTTP_NOT_FOUND, "resource not found",
            apr_psprintf(r->pool, "no API resource at \"%s\"", oro_printable(r->pool, r->uri, 200)),
            NULL);
    }
    const char *allow = permissions    ? "GET, PATCH, HEAD"
                        : relationship ? (relation->kind == ORO_RELATION_MANY_TO_ONE
                                              ? "GET, PATCH, HEAD"
                                              : "GET, PATCH, POST, DELETE, HEAD")
                        : relation     ? "GET, HEAD"
                        : id           ? "GET, PATCH, DELETE, HEAD"
                                       : "GET, POST, DELETE, HEAD";
    if (!method_allowed(r->method, allow)) {
        apr_table_setn(r->headers_out, "Allow", allow);
        return oro_api_send_error(
            r, HTTP_METHOD_NOT_ALLOWED, "method not allowed",
            apr_psprintf(r->pool, "%s is not allowed here (allowed: %s)", r->method, allow), NULL);
    }
    if (id != NULL && !is_id(id)) {
        return oro_api_send_error(r, HTTP_NOT_FOUND, "resource not found",
                                  apr_psprintf(r->pool, "\"%s\" is not an id of %s",
                                               oro_printable(r->pool, id, 40), entity->type),
                                  NULL);
    }
    int rc = check_media_types(r, r->method_number == M_POST || r->method_number == M_PATCH ||
                                      (relationship && r->method_number == M_DELETE));
    if (rc != OK) {
        return OK;
    }
    oro_api_request_t req = {0};
    req.r = r;
    req.settings = settings;
    req.meta = settings->meta;
    req.entity = entity;
    req.id = id;
    req.relation = relation;
    req.hateoas = !oro_api_x_include(r, "noHateoas");
    req.base_url = ap_construct_url(r->pool, "/api", r);
    if (oro_api_dbd(&req) == NULL) {
        apr_table_setn(r->headers_out, "Retry-After", "5");
        return oro_api_send_error(r, HTTP_SERVICE_UNAVAILABLE, "database unavailable",
                                  "could not connect to the database; try again shortly", NULL);
    }
    int dialect = oro_db_dialect_of(apr_dbd_name(req.dbd->driver));
    req.dialect = dialect < 0 ? ORO_DIALECT_PGSQL : (oro_dialect_t)dialect;
    if (oro_api_acl_load(&req) != 0) {
        return OK;
    }
    if (permissions) {
        return oro_api_role_permissions(&req);
    }
    if (oro_api_acl_check_write(&req) != OK) {
        return OK;
    }
    if (relation != NULL) {
        return relationship ? oro_api_relationship(&req) : oro_api_related(&req);
    }
    switch (r->method_number) {
    case M_GET:
        return id ? oro_api_get(&req) : oro_api_list(&req);
    case M_POST:
        return oro_api_create(&req);
    case M_PATCH:
        return oro_api_update(&req);
    default:
        return id ? oro_api_delete(&req) : oro_api_bulk_delete(&req);
    }
}
