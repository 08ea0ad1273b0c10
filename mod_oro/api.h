/* mod_oro/api.h — the JSON:API handlers' shared pieces: routing result, database
 * helpers over mod_dbd, error documents. */
#ifndef MOD_ORO_API_H
#define MOD_ORO_API_H

#include "mod_oro.h"

#include "api/document.h"
#include "api/query.h"
#include "api/select.h"
#include "api/write.h"

#define ORO_JSONAPI "application/vnd.api+json"

typedef struct {
    request_rec *r;
    const oro_settings_t *settings;
    const oro_meta_t *meta;
    const oro_entity_t *entity;
    const char *id; /* /api/{type}/{id}, or NULL */
    ap_dbd_t *dbd;  /* acquired on first use */
    oro_dialect_t dialect;
    const char *base_url; /* "http://host:port/api" */
    int hateoas;          /* links wanted (X-Include: noHateoas turns them off) */
    /* /api/{type}/{id}/{relation} and /api/{type}/{id}/relationships/{relation}: a
     * relation of entity (the owner, whose record is id), else NULL */
    const oro_relation_t *relation;
} oro_api_request_t;

/* A write's transaction (see oro_api_begin). */
typedef struct {
    oro_api_request_t *req;
    apr_dbd_transaction_t *txn;
} oro_api_txn_t;

/* Runs q and returns its rows (apr_array_header_t of const char ** with ncols values,
 * NULL for SQL NULL), or NULL with *error. */
apr_array_header_t *oro_api_rows(oro_api_request_t *req, const oro_sql_t *q, int ncols,
                                 const char **error);
/* Runs a statement without results; *nrows gets the affected rows. 0 or -1 with *error. */
int oro_api_exec(oro_api_request_t *req, const oro_sql_t *q, int *nrows, const char **error);

/* The same on PostgreSQL through libpq (mod_oro/api_pg.c): statements prepared once per
 * connection with parameter types inferred by the server. */
apr_array_header_t *oro_api_pg_rows(oro_api_request_t *req, const oro_sql_t *q, int ncols,
                                    const char **error);
int oro_api_pg_exec(oro_api_request_t *req, const oro_sql_t *q, int *nrows, const char **error);

/* The request's database connection (mod_dbd's, per request), or NULL after sending
 * nothing: the caller answers 503. */
ap_dbd_t *oro_api_dbd(oro_api_request_t *req);

/* Sends an error document of errors (oro_api_error_t) with the most relevant status. */
int oro_api_send_errors(request_rec *r, const apr_array_header_t *errors);
/* One error with status, title, detail and optional source.pointer. */
int oro_api_send_error(request_rec *r, int status, const char *title, const char *detail,
                       const char *pointer);
/* 503 for a database failure; logs the driver's message. */
int oro_api_database_error(oro_api_request_t *req, const char *what, const char *error);

/* Whether X-Include asks for name ("totalCount", "noHateoas", …). */
int oro_api_x_include(request_rec *r, const char *name);

/* The handlers. With req->relation set, oro_api_list lists the records of the
 * relation's target related to record req->id (GET /api/{type}/{id}/{relation}). */
int oro_api_list(oro_api_request_t *req);
int oro_api_get(oro_api_request_t *req);
int oro_api_create(oro_api_request_t *req);
int oro_api_update(oro_api_request_t *req);
int oro_api_delete(oro_api_request_t *req);
int oro_api_metadata(request_rec *r, const oro_meta_t *meta);
/* GET /api/{type}/{id}/{relation}: the related record (or null), or a list of them. */
int oro_api_related(oro_api_request_t *req);
/* GET, PATCH, POST, DELETE /api/{type}/{id}/relationships/{relation}. */
int oro_api_relationship(oro_api_request_t *req);
/* DELETE /api/{type}?filter[…]: at most OroApiBulkDeleteLimit records. */
int oro_api_bulk_delete(oro_api_request_t *req);

/* Enqueues oro.search.reindex for ids[0..n) of entity inside t (api_enqueue.c).
 * Returns 0, or -1 after rolling back and answering 503: the caller returns OK. */
int oro_api_enqueue_reindex(oro_api_request_t *req, oro_api_txn_t *t, const oro_entity_t *entity,
                            const char *const *ids, int n);

/* The write path's pieces (api_write.c), shared by the relationship and bulk endpoints. */

/* Reads the request body, at most ORO_WRITE_MAX_BODY bytes, NUL-terminated. Returns OK,
 * HTTP_BAD_REQUEST (nothing sent), or the status of the answer already sent. */
int oro_api_read_body(request_rec *r, const char **body, apr_size_t *len);
/* Starts a transaction on the request's connection; -1 with *error. */
int oro_api_begin(oro_api_request_t *req, oro_api_txn_t *t, const char **error);
/* Ends it: commits unless rollback is set or a statement failed (then -1 with *error). */
int oro_api_end(oro_api_txn_t *t, int rollback, const char **error);
/* Rolls back and answers a failed statement: 409 for a unique or foreign key violation,
 * else 503. Returns OK-compatible status of the answer. */
int oro_api_statement_failed(oro_api_txn_t *t, const char *what, const char *error);
/* Locks record req->id of req->entity (SELECT … FOR UPDATE) and checks If-Match; answers
 * 404 or 412 itself (rolled back). Returns 1 when the caller may go on, else 0. */
int oro_api_lock_current(oro_api_request_t *req, oro_api_txn_t *t);
/* Runs oro_write_checks of doc; NULL when they pass, else the errors; NULL with
 * *db_error on a database failure. */
apr_array_header_t *oro_api_run_checks(oro_api_request_t *req, const oro_write_doc_t *doc,
                                       const char *self_id, const char **db_error);

/* Reads a record by id into *values (NULL if it does not exist); -1 on a database
 * error (already answered). */
int oro_api_fetch(oro_api_request_t *req, const char *id, const char *const **values,
                  apr_array_header_t **columns);
/* The ETag of a record row (values in oro_select_columns order). */
const char *oro_api_etag(oro_api_request_t *req, const apr_array_header_t *columns,
                         const char *const *values);

/* Sends one record as a document with its ETag; status 200 or 201. */
int oro_api_send_record(oro_api_request_t *req, int status, const char *const *values,
                        const apr_array_header_t *columns);

#endif
