/* mod_oro/api.h — the JSON:API handlers' shared pieces: routing result, database
 * helpers over mod_dbd, error documents. */
#ifndef MOD_ORO_API_H
#define MOD_ORO_API_H

#include "mod_oro.h"

#include "api/document.h"
#include "api/query.h"
#include "api/select.h"
#include "api/write.h"
#include "acl/acl.h"

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
    /* the caller with its ACL data (mod_oro/api_acl.c), or NULL when authentication is
     * off: then nothing is restricted */
    oro_principal_t *principal;
    int acl_changed;    /* a write of users, roles, units or grants: bump the ACL version */
    int acl_bypass;     /* oro_api_fetch reads without the VIEW condition (a saved record) */
    int acl_permission; /* what oro_api_lock_current checks; 0 (VIEW) means EDIT */
    /* the queue payloads to NOTIFY once the write has committed (api_enqueue.c) */
    const char *mq_notify[2];
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

/* Enqueues oro.search.reindex for ids[0..n) of entity inside t (api_enqueue.c); the
 * NOTIFY that wakes the consumers waits for the commit (oro_api_notify_committed).
 * Returns 0, or -1 after rolling back and answering 503: the caller returns OK. */
void oro_api_notify_committed(oro_api_request_t *req);
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

/* The ACL (mod_oro/api_acl.c; docs/security.md "Access control"). */
/* Loads req->principal (authentication's caller with its grants and units, from the
 * process's cache or the database). 0, or -1 after answering 503. */
int oro_api_acl_load(oro_api_request_t *req);
/* The condition of the caller's level of permission, for the select builder; NULL when
 * nothing is restricted. */
const oro_select_filter_t *oro_api_acl_filter(oro_api_request_t *req,
                                              oro_acl_permission_t permission);
oro_acl_level_t oro_api_acl_level(const oro_api_request_t *req, const oro_entity_t *entity,
                                  oro_acl_permission_t permission);
/* 1 when record id of entity passes permission's condition, 0 when not, -1 on a database
 * error (*error). */
int oro_api_acl_record_allowed(oro_api_request_t *req, const oro_entity_t *entity, const char *id,
                               oro_acl_permission_t permission, const char **error);
/* A one-to-many relation of record owner_id replaced by ids: the current members that
 * leave the set in *leaving (their inverse column becomes NULL, a change of each of
 * them: they need reindexing too). 0 when the caller may EDIT every one of them (or the
 * relation is not one-to-many: *leaving empty), 1 when not (nothing sent: the caller
 * rolls back and answers 403), -1 on a database error (*error). */
int oro_api_acl_members_leaving(oro_api_request_t *req, const oro_relation_t *relation,
                                const char *owner_id, const apr_array_header_t *ids,
                                apr_array_header_t **leaving, const char **error);
/* Sends 403 "access denied" with detail; returns OK. */
int oro_api_acl_forbidden(oro_api_request_t *req, const char *detail);
/* Writes of users, roles, units and organizations: administrators only (403 sent, its
 * status returned), and they mark the request acl_changed. OK otherwise. */
int oro_api_acl_check_write(oro_api_request_t *req);
/* In the write's transaction: bumps the ACL version (*error on failure). After the
 * commit: drops this process's cached ACL data. */
void oro_api_acl_bump(oro_api_request_t *req, const char **error);
void oro_api_acl_committed(oro_api_request_t *req);
/* Create: fills owner and organization from the caller when the document lacks them;
 * 0, or -1 after answering 400. */
int oro_api_acl_defaults(oro_api_request_t *req, oro_write_doc_t *doc);
/* The ACL's part of a write document's checks: every record a relation names (but owner and
 * organization, which ASSIGN and CREATE check) must be one the caller may view, else it is
 * reported as missing (400 "relation constraint"). NULL when they pass, or on a database
 * error (*db_error). */
/* Of ids (const char *) on target, reports in *errors those out of permission's reach:
 * the ones the caller cannot view (or that do not exist) as missing (400), the ones it can
 * view but not change (permission EDIT) as refused (403); at pointer, or at /data/INDEX
 * when pointer is NULL. exist: the caller's checks already found every id (then an
 * unrestricted caller costs no query). 0, or -1 on a database error (*db_error). */
int oro_api_acl_check_members(oro_api_request_t *req, const oro_entity_t *target,
                              const apr_array_header_t *ids, oro_acl_permission_t permission,
                              int exist, const char *pointer, apr_array_header_t **errors,
                              const char **db_error);
apr_array_header_t *oro_api_acl_check_targets(oro_api_request_t *req, const oro_write_doc_t *doc,
                                              const char **db_error);
/* The permission oro_api_lock_current checks: req->acl_permission, EDIT by default. */
oro_acl_permission_t oro_api_acl_change(const oro_api_request_t *req);
/* oro_api_lock_current found nothing under that permission: when the caller may view the
 * record, rolls t back, answers 403 (or 503) and returns 1; else 0 (the record is missing
 * for the caller: 404). */
int oro_api_acl_refused(oro_api_request_t *req, oro_api_txn_t *t);
/* In a write's transaction t: whether record id, as stored now, is within permission's
 * reach (CREATE for a new record, ASSIGN for a changed owner). When it is not, or on a
 * database error, rolls t back, answers (403, 503) and returns 0. */
int oro_api_acl_stored_allowed(oro_api_request_t *req, oro_api_txn_t *t, const char *id,
                               oro_acl_permission_t permission);
/* After an update of req->id by doc, for a type reached through its parent (aclParent):
 * when doc names the parent, whether the record, in its new parent, is still within
 * EDIT's reach. 1 when it is (or nothing was moved); else rolls t back, answers (403,
 * 503) and returns 0. */
int oro_api_acl_parent_allowed(oro_api_request_t *req, oro_api_txn_t *t,
                               const oro_write_doc_t *doc);
/* Update of req->id by doc, record locked: 1 when doc changes the owner or organization
 * and the caller may reassign the record (ASSIGN on it as it is), 0 when doc names no
 * other owner or organization than the current ones, -1 after answering (403, 503; t
 * rolled back). */
int oro_api_acl_assign_needed(oro_api_request_t *req, oro_api_txn_t *t, const oro_write_doc_t *doc);
/* The caller of r with its ACL data for handlers outside /api/{type} (*principal NULL
 * when authentication is off). OK, or the status of the answer sent (503). */
int oro_api_acl_principal(request_rec *r, const oro_principal_t **principal);
/* GET and PATCH /api/roles/{id}/permissions (mod_oro/api_permissions.c). */
int oro_api_role_permissions(oro_api_request_t *req);

/* Sends one record as a document with its ETag; status 200 or 201. */
int oro_api_send_record(oro_api_request_t *req, int status, const char *const *values,
                        const apr_array_header_t *columns);

#endif
