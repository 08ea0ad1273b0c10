/* mod_oro/api_write.c — POST /api/{type}, PATCH and DELETE /api/{type}/{id}.
 * Every write is one transaction: checks, the change, to-many sets (and, with the
 * message-queue issue, the messages it enqueues) commit together or not at all. */
#include "api.h"
#include "auth.h"
#include "api/sqlbuf.h"

#include <apr_strings.h>
#include <http_protocol.h>

APLOG_USE_MODULE(oro);

static int body_too_large(request_rec *r)
{
    oro_api_send_error(
        r, HTTP_REQUEST_ENTITY_TOO_LARGE, "request too large",
        apr_psprintf(r->pool, "the body may hold at most %d bytes", ORO_WRITE_MAX_BODY), NULL);
    return HTTP_REQUEST_ENTITY_TOO_LARGE;
}

/* Reads the request body, at most ORO_WRITE_MAX_BODY bytes, into a buffer sized by
 * Content-Length (or grown as chunks arrive). Returns OK, or the status of the JSON:API
 * error it has already sent (the caller then returns OK). */
int oro_api_read_body(request_rec *r, const char **body, apr_size_t *len)
{
    int rc = ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK);
    if (rc != OK) {
        oro_api_send_error(r, rc, "invalid request body",
                           "the request body's framing (Content-Length, Transfer-Encoding) is "
                           "invalid",
                           NULL);
        return rc;
    }
    if (r->remaining > ORO_WRITE_MAX_BODY) {
        return body_too_large(r);
    }
    apr_size_t cap = r->remaining > 0 ? (apr_size_t)r->remaining + 1 : 8192, n = 0;
    char *buf = apr_palloc(r->pool, cap);
    if (ap_should_client_block(r)) {
        long got;
        for (;;) {
            if (n + 1 >= cap) {
                apr_size_t bigger =
                    cap * 2 > ORO_WRITE_MAX_BODY + 2 ? ORO_WRITE_MAX_BODY + 2 : cap * 2;
                char *grown = apr_palloc(r->pool, bigger);
                memcpy(grown, buf, n);
                buf = grown;
                cap = bigger;
            }
            got = ap_get_client_block(r, buf + n, cap - 1 - n);
            if (got <= 0) {
                break;
            }
            n += (apr_size_t)got;
            if (n > ORO_WRITE_MAX_BODY) {
                return body_too_large(r);
            }
        }
        if (got < 0) {
            oro_api_send_error(r, HTTP_BAD_REQUEST, "invalid request body",
                               "the request body ended before its announced length, or its "
                               "chunks are malformed",
                               NULL);
            return HTTP_BAD_REQUEST;
        }
    }
    buf[n] = '\0';
    *body = buf;
    *len = n;
    return OK;
}

int oro_api_begin(oro_api_request_t *req, oro_api_txn_t *t, const char **error)
{
    t->req = req;
    t->txn = NULL;
    int rc = apr_dbd_transaction_start(req->dbd->driver, req->r->pool, req->dbd->handle, &t->txn);
    if (rc != 0) {
        *error =
            oro_db_one_line(req->r->pool, apr_dbd_error(req->dbd->driver, req->dbd->handle, rc));
        return -1;
    }
    return 0;
}

/* Ends the transaction: commits unless rollback is set or a statement failed. */
int oro_api_end(oro_api_txn_t *t, int rollback, const char **error)
{
    if (t->txn == NULL) {
        return 0;
    }
    if (rollback) {
        apr_dbd_transaction_mode_set(t->req->dbd->driver, t->txn, APR_DBD_TRANSACTION_ROLLBACK);
    }
    else if (t->req->acl_changed) { /* the ACL version moves with the change (api_acl.c) */
        oro_api_acl_bump(t->req, error);
    }
    int rc = apr_dbd_transaction_end(t->req->dbd->driver, t->req->r->pool, t->txn);
    t->txn = NULL;
    if (rc != 0 && !rollback) {
        *error = oro_db_one_line(t->req->r->pool,
                                 apr_dbd_error(t->req->dbd->driver, t->req->dbd->handle, rc));
        t->req->mq_notify[0] = t->req->mq_notify[1] = NULL;
        return -1;
    }
    if (!rollback) {
        oro_api_acl_committed(t->req);
        oro_api_notify_committed(t->req);
    }
    t->req->mq_notify[0] = t->req->mq_notify[1] = NULL;
    return 0;
}

/* Which constraint refused a statement, by the database's message (PostgreSQL's and
 * MariaDB's wording): 'u' unique, 'f' foreign key, 0 none. */
static int refused_by(const char *error)
{
    if (strstr(error, "duplicate key") || strstr(error, "Duplicate entry")) {
        return 'u';
    }
    return strstr(error, "foreign key") ? 'f' : 0;
}

/* A failed statement: a constraint the database enforces (a race past our checks, or
 * a record still referenced) becomes 409; anything else 503. Rolls back. */
int oro_api_statement_failed(oro_api_txn_t *t, const char *what, const char *error)
{
    const char *ignored;
    oro_api_end(t, 1, &ignored);
    int refused = refused_by(error);
    if (refused == 'u') {
        return oro_api_send_error(t->req->r, HTTP_CONFLICT, "unique constraint",
                                  "another record already has this value", NULL);
    }
    if (refused == 'f') {
        return oro_api_send_error(t->req->r, HTTP_CONFLICT, "relation constraint",
                                  "the record is referenced by other records, or a relation "
                                  "names a record that does not exist",
                                  NULL);
    }
    return oro_api_database_error(t->req, what, error);
}

/* Runs the document's database checks; NULL when they pass, else the errors. */
apr_array_header_t *oro_api_run_checks(oro_api_request_t *req, const oro_write_doc_t *doc,
                                       const char *self_id, const char **db_error)
{
    apr_pool_t *p = req->r->pool;
    apr_array_header_t *checks = oro_write_checks(p, req->dialect, doc, self_id);
    apr_array_header_t *errors = NULL;
    *db_error = NULL;
    /* one round trip for all of them: SELECT (check 1), (check 2), … */
    oro_sqlbuf_t b;
    oro_sqlbuf_init(&b, p, req->dialect);
    for (int i = 0; i < checks->nelts; i++) {
        const oro_write_check_t *c = &APR_ARRAY_IDX(checks, i, oro_write_check_t);
        oro_sqlbuf_add(&b, i == 0 ? "SELECT (" : ", (");
        oro_sqlbuf_add(&b, c->sql->sql);
        oro_sqlbuf_add(&b, ")");
        apr_array_cat(b.params, c->sql->params);
    }
    apr_array_header_t *rows = NULL;
    if (checks->nelts > 0) {
        rows = oro_api_rows(req, oro_sqlbuf_finish(&b), checks->nelts, db_error);
        if (rows == NULL) {
            return NULL;
        }
    }
    for (int i = 0; i < checks->nelts; i++) {
        const oro_write_check_t *c = &APR_ARRAY_IDX(checks, i, oro_write_check_t);
        const char *count = rows->nelts ? APR_ARRAY_IDX(rows, 0, const char **)[i] : NULL;
        long n = count ? atol(count) : -1;
        if (n != c->expected) {
            if (errors == NULL) {
                errors = apr_array_make(p, 2, sizeof(oro_api_error_t));
            }
            APR_ARRAY_PUSH(errors, oro_api_error_t) = c->error;
        }
    }
    if (errors == NULL && req->principal != NULL) {
        errors = oro_api_acl_check_targets(req, doc, db_error);
    }
    return errors;
}

/* Replaces the document's to-many sets of record id. Members that leave a one-to-many
 * are changed records: EDIT is checked on them (403 sent) and they are reindexed, as
 * are the members given. 0, or -1 after answering. */
static int replace_to_many(oro_api_request_t *req, oro_api_txn_t *t, const oro_write_doc_t *doc,
                           const char *id)
{
    const char *error;
    for (int i = 0; doc->to_many && i < doc->to_many->nelts; i++) {
        const oro_write_to_many_t *set = &APR_ARRAY_IDX(doc->to_many, i, oro_write_to_many_t);
        apr_array_header_t *leaving;
        int denied = oro_api_acl_members_leaving(req, set->relation, id, set->ids, &leaving,
                                                 &error);
        if (denied < 0) {
            oro_api_statement_failed(t, "could not check a to-many relation", error);
            return -1;
        }
        if (denied) {
            oro_api_end(t, 1, &error);
            oro_api_send_error(req->r, HTTP_FORBIDDEN, "access denied",
                               apr_psprintf(req->r->pool,
                                            "the new set removes %s records you may not edit",
                                            set->relation->target_type),
                               set->pointer);
            return -1;
        }
        if ((set->relation->kind == ORO_RELATION_ONE_TO_MANY &&
             (oro_api_enqueue_reindex(req, t, set->relation->target,
                                      (const char *const *)set->ids->elts, set->ids->nelts) != 0 ||
              oro_api_enqueue_reindex(req, t, set->relation->target,
                                      (const char *const *)leaving->elts, leaving->nelts) != 0))) {
            return -1;
        }
        apr_array_header_t *stmts = oro_write_replace_to_many(req->r->pool, req->dialect, set, id);
        for (int j = 0; j < stmts->nelts; j++) {
            if (oro_api_exec(req, APR_ARRAY_IDX(stmts, j, oro_sql_t *), NULL, &error) != 0) {
                oro_api_statement_failed(t, "could not change a to-many relation", error);
                return -1;
            }
        }
    }
    return 0;
}

/* Reads the record for update (locked until the transaction ends); answers 404 or 412
 * itself. Returns 1 when the caller may go on. */
int oro_api_lock_current(oro_api_request_t *req, oro_api_txn_t *t)
{
    apr_pool_t *p = req->r->pool;
    const char *error;
    /* the ACL: only a record the caller may change (EDIT, DELETE, ASSIGN) is locked */
    oro_sql_t *q = oro_select_by_id_filtered(p, req->dialect, req->entity, req->id,
                                             oro_api_acl_filter(req, oro_api_acl_change(req)));
    oro_sql_t locked = {apr_pstrcat(p, q->sql, " FOR UPDATE", NULL), q->params};
    apr_array_header_t *columns = oro_select_columns(p, req->entity);
    apr_array_header_t *rows = oro_api_rows(req, &locked, columns->nelts, &error);
    if (rows == NULL) {
        oro_api_statement_failed(t, "could not read the record", error);
        return 0;
    }
    if (rows->nelts == 0 && oro_api_acl_refused(req, t)) {
        return 0; /* one the caller may view but not change: 403 (else 404 below) */
    }
    if (rows->nelts == 0) {
        oro_api_end(t, 1, &error);
        oro_api_send_error(req->r, HTTP_NOT_FOUND, "not found",
                           apr_psprintf(p, "%s \"%s\" does not exist", req->entity->type, req->id),
                           NULL);
        return 0;
    }
    const char *if_match = apr_table_get(req->r->headers_in, "If-Match");
    if (if_match != NULL && strcmp(if_match, "*") != 0) {
        const char *etag = oro_api_etag(req, columns, APR_ARRAY_IDX(rows, 0, const char *const *));
        if (strstr(if_match, etag) == NULL) {
            oro_api_end(t, 1, &error);
            apr_table_setn(req->r->headers_out, "ETag", etag);
            oro_api_send_error(req->r, HTTP_PRECONDITION_FAILED, "precondition failed",
                               "the record was changed since the version in If-Match; read it "
                               "again and retry",
                               NULL);
            return 0;
        }
    }
    return 1;
}

static void set_location(oro_api_request_t *req, const char *id)
{
    apr_table_setn(req->r->headers_out, "Location",
                   apr_psprintf(req->r->pool, "%s/%s/%s", req->base_url, req->entity->type, id));
}

static int send_saved(oro_api_request_t *req, int status, const char *id)
{
    const char *const *values;
    apr_array_header_t *columns;
    req->acl_bypass = 1; /* the caller's own write is answered even if it may not view it */
    if (oro_api_fetch(req, id, &values, &columns) != 0) {
        return OK;
    }
    req->acl_bypass = 0;
    if (values == NULL) {
        return oro_api_database_error(req, "could not read the saved record", "it is gone");
    }
    if (status == HTTP_CREATED) {
        set_location(req, id);
    }
    return oro_api_send_record(req, status, values, columns);
}

/* The request's body as a validated write document for a create (url_id NULL) or an
 * update; NULL after answering (unreadable body or invalid document). */
static oro_write_doc_t *read_document(oro_api_request_t *req, const char *url_id)
{
    const char *body;
    apr_size_t len;
    if (oro_api_read_body(req->r, &body, &len) != OK) {
        return NULL;
    }
    apr_array_header_t *errors = NULL;
    oro_write_doc_t *doc =
        oro_write_parse(req->r->pool, req->meta, req->entity, body, len, url_id, &errors);
    if (doc == NULL) {
        oro_api_send_errors(req->r, errors);
    }
    return doc;
}

/* The INSERT failed. When a constraint refused it, the document's checks, run after
 * the rollback, say which value and why (400, 409, with their pointers); anything else
 * (or a refusal the checks cannot explain, a race) as any failed statement. */
static int insert_failed(oro_api_request_t *req, oro_api_txn_t *t, const oro_write_doc_t *doc,
                         const char *error)
{
    if (!refused_by(error)) {
        return oro_api_statement_failed(t, "could not create the record", error);
    }
    const char *ignored, *db_error;
    oro_api_end(t, 1, &ignored);
    apr_array_header_t *errors = oro_api_run_checks(req, doc, NULL, &db_error);
    if (errors != NULL) {
        return oro_api_send_errors(req->r, errors);
    }
    return oro_api_statement_failed(t, "could not create the record", error);
}

int oro_api_create(oro_api_request_t *req)
{
    request_rec *r = req->r;
    apr_pool_t *p = r->pool;
    const char *error;
    apr_array_header_t *errors;
    if (oro_api_acl_level(req, req->entity, ORO_ACL_CREATE) == ORO_ACL_NONE) {
        return oro_api_acl_forbidden(req,
                                     apr_psprintf(p, "you may not create %s", req->entity->type));
    }
    oro_write_doc_t *doc = read_document(req, NULL);
    if (doc == NULL || oro_api_acl_defaults(req, doc) != 0) {
        return OK;
    }
    oro_api_txn_t t;
    if (oro_api_begin(req, &t, &error) != 0) {
        return oro_api_database_error(req, "could not start a transaction", error);
    }
    /* Without to-many sets the database's constraints catch a missing target or a
     * taken unique value, and the checks run only to explain a refusal (insert_failed):
     * one round trip less per create. To-many sets must be checked first: a one-to-many
     * UPDATE of ids that do not exist changes nothing and fails nothing. */
    error = NULL;
    errors = NULL;
    if (doc->to_many != NULL && doc->to_many->nelts > 0) {
        errors = oro_api_run_checks(req, doc, NULL, &error);
    }
    else if (req->principal != NULL) {
        errors = oro_api_acl_check_targets(req, doc, &error);
    }
    if (error != NULL) {
        return oro_api_statement_failed(&t, "could not check the document", error);
    }
    if (errors != NULL) {
        oro_api_end(&t, 1, &error);
        return oro_api_send_errors(r, errors);
    }
    const char *id = doc->id;
    oro_sql_t *insert = oro_write_insert(p, req->dialect, doc);
    apr_array_header_t *columns = oro_select_columns(p, req->entity);
    const char *const *saved = NULL; /* PostgreSQL: the record as RETURNING gave it */
    if (req->dialect == ORO_DIALECT_PGSQL) {
        apr_array_header_t *rows = oro_api_rows(req, insert, columns->nelts, &error);
        if (rows == NULL || rows->nelts != 1) {
            return insert_failed(req, &t, doc, error ? error : "no id");
        }
        saved = APR_ARRAY_IDX(rows, 0, const char *const *);
        id = saved[0];
    }
    else {
        if (oro_api_exec(req, insert, NULL, &error) != 0) {
            return insert_failed(req, &t, doc, error);
        }
        if (id == NULL) {
            oro_sql_t last = {"SELECT LAST_INSERT_ID()", apr_array_make(p, 1, sizeof(char *))};
            apr_array_header_t *rows = oro_api_rows(req, &last, 1, &error);
            if (rows == NULL || rows->nelts != 1) {
                return oro_api_statement_failed(&t, "could not read the new id",
                                                error ? error : "no id");
            }
            id = APR_ARRAY_IDX(rows, 0, const char **)[0];
        }
    }
    if (replace_to_many(req, &t, doc, id) != 0 ||
        oro_api_enqueue_reindex(req, &t, req->entity, &id, 1) != 0) {
        return OK;
    }
    if (!oro_api_acl_stored_allowed(req, &t, id, ORO_ACL_CREATE)) {
        return OK; /* the owner or organization is out of the caller's reach */
    }
    if (oro_api_end(&t, 0, &error) != 0) {
        return oro_api_statement_failed(&t, "could not commit the record", error);
    }
    if (saved != NULL) {
        /* to-many sets change other rows, not these columns: no second read */
        set_location(req, id);
        return oro_api_send_record(req, HTTP_CREATED, saved, columns);
    }
    return send_saved(req, HTTP_CREATED, id);
}

/* A password set through the API ends the user's browser sessions and OAuth2 tokens in
 * the write's transaction, as `oroctl user:password` does: whoever knew the old one is
 * logged out everywhere. 0, or -1 after answering. */
static int end_sessions_on_password(oro_api_request_t *req, oro_api_txn_t *t,
                                    const oro_write_doc_t *doc, const char *id)
{
    int changed = 0;
    for (int i = 0; i < doc->values->nelts; i++) {
        const oro_write_value_t *v = &APR_ARRAY_IDX(doc->values, i, oro_write_value_t);
        changed |= v->field != NULL && v->field->type == ORO_FIELD_PASSWORD;
    }
    if (!changed || strcmp(req->entity->type, "users") != 0) {
        return 0;
    }
    /* the hashes first, to drop them from the shared cache of authenticated callers */
    static const struct {
        const char *select, *end, *cache_prefix;
    } kinds[] = {{"SELECT id_hash FROM oro_session WHERE user_id = %s",
                  "DELETE FROM oro_session WHERE user_id = %s", "s:"},
                 {"SELECT token_hash FROM oro_oauth_token WHERE user_id = %s AND NOT revoked",
                  "UPDATE oro_oauth_token SET revoked = TRUE WHERE user_id = %s", "t:"}};
    apr_pool_t *p = req->r->pool;
    const char *error;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        oro_sql_t select = {kinds[i].select, apr_array_make(p, 1, sizeof(const char *))};
        APR_ARRAY_PUSH(select.params, const char *) = id;
        apr_array_header_t *hashes = oro_api_rows(req, &select, 1, &error);
        oro_sql_t end = {kinds[i].end, select.params};
        if (hashes == NULL || oro_api_exec(req, &end, NULL, &error) != 0) {
            oro_api_statement_failed(t, "could not end the user's sessions", error);
            return -1;
        }
        for (int h = 0; h < hashes->nelts; h++) {
            const char *hash = APR_ARRAY_IDX(hashes, h, const char **)[0];
            oro_auth_cache_remove(req->r->server, p,
                                  apr_pstrcat(p, kinds[i].cache_prefix, hash, NULL));
        }
    }
    return 0;
}

int oro_api_update(oro_api_request_t *req)
{
    request_rec *r = req->r;
    apr_pool_t *p = r->pool;
    const char *error;
    apr_array_header_t *errors;
    oro_write_doc_t *doc = read_document(req, req->id);
    if (doc == NULL) {
        return OK;
    }
    oro_api_txn_t t;
    if (oro_api_begin(req, &t, &error) != 0) {
        return oro_api_database_error(req, "could not start a transaction", error);
    }
    if (!oro_api_lock_current(req, &t)) {
        return OK;
    }
    int assign = oro_api_acl_assign_needed(req, &t, doc); /* -1: answered */
    if (assign < 0 || (assign && !oro_api_acl_stored_allowed(req, &t, req->id, ORO_ACL_ASSIGN))) {
        return OK;
    }
    errors = oro_api_run_checks(req, doc, req->id, &error);
    if (error != NULL) {
        return oro_api_statement_failed(&t, "could not check the document", error);
    }
    if (errors != NULL) {
        oro_api_end(&t, 1, &error);
        return oro_api_send_errors(r, errors);
    }
    oro_sql_t *update = oro_write_update(p, req->dialect, doc, req->id);
    if (update != NULL && oro_api_exec(req, update, NULL, &error) != 0) {
        return oro_api_statement_failed(&t, "could not update the record", error);
    }
    if (replace_to_many(req, &t, doc, req->id) != 0 ||
        end_sessions_on_password(req, &t, doc, req->id) != 0 ||
        oro_api_enqueue_reindex(req, &t, req->entity, &req->id, 1) != 0) {
        return OK;
    }
    if (assign && !oro_api_acl_stored_allowed(req, &t, req->id, ORO_ACL_ASSIGN)) {
        return OK; /* the new owner is out of the caller's reach */
    }
    if (!oro_api_acl_parent_allowed(req, &t, doc)) {
        return OK; /* moved into a parent out of the caller's reach */
    }
    if (oro_api_end(&t, 0, &error) != 0) {
        return oro_api_statement_failed(&t, "could not commit the change", error);
    }
    return send_saved(req, HTTP_OK, req->id);
}

int oro_api_delete(oro_api_request_t *req)
{
    const char *error;
    oro_api_txn_t t;
    if (oro_api_begin(req, &t, &error) != 0) {
        return oro_api_database_error(req, "could not start a transaction", error);
    }
    req->acl_permission = ORO_ACL_DELETE;
    if (!oro_api_lock_current(req, &t)) {
        return OK;
    }
    if (oro_api_exec(req, oro_write_delete(req->r->pool, req->dialect, req->entity, req->id), NULL,
                     &error) != 0) {
        return oro_api_statement_failed(&t, "could not delete the record", error);
    }
    if (oro_api_enqueue_reindex(req, &t, req->entity, &req->id, 1) != 0) {
        return OK;
    }
    if (oro_api_end(&t, 0, &error) != 0) {
        return oro_api_statement_failed(&t, "could not commit the deletion", error);
    }
    req->r->status = HTTP_NO_CONTENT;
    return OK;
}
