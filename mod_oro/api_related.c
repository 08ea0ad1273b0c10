/* mod_oro/api_related.c — GET /api/{type}/{id}/{relation} (the related records) and the
 * relationship endpoints /api/{type}/{id}/relationships/{relation} (GET the linkage;
 * PATCH replaces it; POST adds and DELETE removes members of a to-many relation).
 *
 * A to-one relationship document is validated by the write path's parser, as the
 * relationship member of a PATCH document of the owner record, so that both accept and
 * refuse the same linkage; the error pointers are then rewritten to the relationship
 * document's own ("/data"). A to-many document is checked here, with the same rules. Every change
 * is one transaction with the owner record locked, which also serialises concurrent changes of the
 * same relation. */
#include "api.h"

#include "api/sqlbuf.h"

#include <apr_strings.h>
#include <http_protocol.h>

#include "db/schema.h"

APLOG_USE_MODULE(oro);

/* A to-many linkage may name at most this many records (as in a PATCH of the record). */
#define ORO_API_MAX_LINKAGE 1000

static int owner_not_found(oro_api_request_t *req)
{
    return oro_api_send_error(
        req->r, HTTP_NOT_FOUND, "not found",
        apr_psprintf(req->r->pool, "%s \"%s\" does not exist", req->entity->type, req->id), NULL);
}

/* The owner's row, or NULL after answering (404, 503). */
static const char *const *owner_row(oro_api_request_t *req, apr_array_header_t **columns)
{
    const char *const *values;
    if (oro_api_fetch(req, req->id, &values, columns) != 0) {
        return NULL;
    }
    if (values == NULL) {
        owner_not_found(req);
    }
    return values;
}

/* The value of a many-to-one relation's column in a row (NULL: no related record). */
static const char *to_one_id(const apr_array_header_t *columns, const char *const *values,
                             const oro_relation_t *relation)
{
    for (int c = 0; c < columns->nelts; c++) {
        if (APR_ARRAY_IDX(columns, c, oro_select_column_t).relation == relation) {
            return values[c];
        }
    }
    return NULL;
}

static json_object *identifier(const char *type, const char *id)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "type", json_object_new_string(type));
    json_object_object_add(o, "id", json_object_new_string(id));
    return o;
}

static int send_document(oro_api_request_t *req, json_object *doc)
{
    const char *body = apr_pstrdup(req->r->pool, oro_json_text(doc));
    json_object_put(doc);
    return oro_send_json(req->r, HTTP_OK, ORO_JSONAPI, body);
}

/* "…/api/{type}/{id}[/relationships]/{relation}" */
static const char *relation_url(oro_api_request_t *req, int relationship)
{
    return apr_pstrcat(req->r->pool, req->base_url, "/", req->entity->type, "/", req->id,
                       relationship ? "/relationships/" : "/", req->relation->name, NULL);
}

int oro_api_related(oro_api_request_t *req)
{
    apr_array_header_t *columns;
    const char *const *owner = owner_row(req, &columns);
    if (owner == NULL) {
        return OK;
    }
    if (req->relation->kind != ORO_RELATION_MANY_TO_ONE) {
        return oro_api_list(req); /* restricted to the related records by req->relation */
    }
    const char *target_id = to_one_id(columns, owner, req->relation);
    const char *const *values = NULL;
    oro_api_request_t target = *req;
    target.entity = req->relation->target;
    target.id = target_id;
    target.relation = NULL;
    if (target_id != NULL && oro_api_fetch(&target, target_id, &values, &columns) != 0) {
        return OK;
    }
    if (values == NULL) { /* no related record (or it was deleted meanwhile) */
        json_object *doc = json_object_new_object();
        json_object_object_add(doc, "data", NULL);
        if (req->hateoas) {
            json_object *links = json_object_new_object();
            json_object_object_add(links, "self", json_object_new_string(relation_url(req, 0)));
            json_object_object_add(doc, "links", links);
        }
        return send_document(req, doc);
    }
    /* include, fields and meta apply to the related record as to GET /api/{type}/{id} */
    return oro_api_send_record(&target, HTTP_OK, values, columns);
}

/* GET …/relationships/{relation}: the linkage. A to-many relation's complete set of
 * identifiers, ordered by id (not paginated). */
static int get_linkage(oro_api_request_t *req)
{
    apr_pool_t *p = req->r->pool;
    const oro_relation_t *relation = req->relation;
    apr_array_header_t *columns;
    const char *const *owner = owner_row(req, &columns);
    if (owner == NULL) {
        return OK;
    }
    json_object *data;
    if (relation->kind == ORO_RELATION_MANY_TO_ONE) {
        const char *id = to_one_id(columns, owner, relation);
        data = id != NULL ? identifier(relation->target_type, id) : NULL;
    }
    else {
        apr_array_header_t *owners = apr_array_make(p, 1, sizeof(const char *));
        APR_ARRAY_PUSH(owners, const char *) = req->id;
        const char *error;
        apr_array_header_t *pairs =
            oro_api_rows(req,
                         oro_select_to_many_ids_filtered(p, req->dialect, relation, owners,
                                                         oro_api_acl_filter(req, ORO_ACL_VIEW)),
                         2, &error);
        if (pairs == NULL) {
            return oro_api_database_error(req, "could not read a to-many relation", error);
        }
        data = json_object_new_array();
        for (int i = 0; i < pairs->nelts; i++) {
            json_object_array_add(
                data, identifier(relation->target_type, APR_ARRAY_IDX(pairs, i, const char **)[1]));
        }
    }
    json_object *doc = json_object_new_object();
    json_object_object_add(doc, "data", data);
    if (req->hateoas) {
        json_object *links = json_object_new_object();
        json_object_object_add(links, "self", json_object_new_string(relation_url(req, 1)));
        json_object_object_add(links, "related", json_object_new_string(relation_url(req, 0)));
        json_object_object_add(doc, "links", links);
    }
    return send_document(req, doc);
}

/* ---- changes ---- */

/* Rewrites the pointers of errors found in the wrapped document (see parse_linkage) to
 * the relationship document's: "/data/relationships/{relation}/data/0" → "/data/0". */
static void unwrap_pointers(apr_pool_t *p, apr_array_header_t *errors, const char *relation)
{
    const char *prefix = apr_pstrcat(p, "/data/relationships/", relation, NULL);
    size_t n = strlen(prefix);
    for (int i = 0; i < errors->nelts; i++) {
        oro_api_error_t *e = &APR_ARRAY_IDX(errors, i, oro_api_error_t);
        if (e->pointer != NULL && strncmp(e->pointer, prefix, n) == 0 &&
            (e->pointer[n] == '\0' || e->pointer[n] == '/')) {
            e->pointer = e->pointer[n] == '\0' ? "/" : e->pointer + n;
        }
    }
}

/* body[0..len) as one JSON object (and nothing else), or NULL. The caller puts it. */
static json_object *json_object_of(const char *body, size_t len)
{
    json_tokener *tok = json_tokener_new_ex(ORO_WRITE_MAX_DEPTH);
    if (tok == NULL) {
        return NULL;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS);
    json_object *obj = json_tokener_parse_ex(tok, body, (int)len);
    size_t end = json_tokener_get_parse_end(tok);
    int ok = obj != NULL && json_tokener_get_error(tok) == json_tokener_success &&
             json_object_is_type(obj, json_type_object);
    json_tokener_free(tok);
    while (ok && end < len && strchr(" \t\r\n", body[end]) != NULL) {
        end++;
    }
    if (!ok || end != len) {
        json_object_put(obj);
        return NULL;
    }
    return obj;
}

static void push_error(apr_array_header_t *errors, const char *title, const char *pointer,
                       const char *detail)
{
    oro_api_error_t *e = apr_array_push(errors);
    memset(e, 0, sizeof *e);
    e->status = HTTP_BAD_REQUEST;
    e->title = title;
    e->detail = detail;
    e->pointer = pointer;
}

/* A record id as JSON:API carries it: digits without a leading zero, at most the largest
 * bigint (as the write path takes it). */
static int is_record_id(const char *s)
{
    static const char max[] = "9223372036854775807";
    size_t n = strlen(s);
    if (n == 0 || n > sizeof max - 1 || s[0] == '0' || strspn(s, "0123456789") != n) {
        return 0;
    }
    return n < sizeof max - 1 || strcmp(s, max) <= 0;
}

/* The ids of a to-many linkage document {"data": [{"type", "id"}, …]}, checked as the
 * write path checks a to-many relationship's data; NULL with *errors. (Not through
 * oro_write_parse: a PATCH document may not name a one-to-many whose inverse is
 * required at all, while POST may add members to it.) */
static apr_array_header_t *to_many_ids(oro_api_request_t *req, json_object *root,
                                       apr_array_header_t **errors)
{
    apr_pool_t *p = req->r->pool;
    const oro_relation_t *relation = req->relation;
    apr_array_header_t *list = apr_array_make(p, 2, sizeof(oro_api_error_t));
    json_object *data = NULL;
    json_object_object_foreach(root, name, v)
    {
        (void)v;
        if (strcmp(name, "data") != 0 && strcmp(name, "meta") != 0 &&
            strcmp(name, "jsonapi") != 0 && strcmp(name, "links") != 0) {
            push_error(list, "extra fields constraint", "/",
                       apr_psprintf(p, "\"%s\" is not a member of the document",
                                    oro_printable(p, name, 64)));
        }
    }
    apr_array_header_t *ids = NULL;
    if (!json_object_object_get_ex(root, "data", &data)) {
        push_error(list, "request data constraint", "/", "the document has no \"data\"");
    }
    else if (relation->flags & ORO_FLAG_READONLY) {
        push_error(list, "read-only constraint", "/data",
                   apr_psprintf(p, "\"%s\" is read-only", relation->name));
    }
    else if (!json_object_is_type(data, json_type_array)) {
        push_error(list, "request data constraint", "/data",
                   apr_psprintf(p,
                                "\"%s\" is a to-many relationship: its data is an array of "
                                "resource identifiers ([] for none)",
                                relation->name));
    }
    else if (json_object_array_length(data) > ORO_API_MAX_LINKAGE) {
        push_error(list, "request data constraint", "/data",
                   apr_psprintf(p, "\"%s\" names more than %d records", relation->name,
                                ORO_API_MAX_LINKAGE));
    }
    else {
        size_t n = json_object_array_length(data);
        ids = apr_array_make(p, (int)n + 1, sizeof(const char *));
        apr_hash_t *seen = apr_hash_make(p);
        for (size_t i = 0; i < n; i++) {
            json_object *item = json_object_array_get_idx(data, i);
            const char *pointer = apr_psprintf(p, "/data/%" APR_SIZE_T_FMT, i);
            json_object *type = NULL, *id = NULL;
            if (!json_object_is_type(item, json_type_object)) {
                push_error(list, "request data constraint", pointer,
                           apr_psprintf(p,
                                        "a resource identifier is an object {\"type\": \"%s\", "
                                        "\"id\": \"…\"}",
                                        relation->target_type));
                continue;
            }
            json_object_object_foreach(item, member, mv)
            {
                if (strcmp(member, "type") == 0) {
                    type = mv;
                }
                else if (strcmp(member, "id") == 0) {
                    id = mv;
                }
                else if (strcmp(member, "meta") != 0) {
                    push_error(list, "extra fields constraint", pointer,
                               "a resource identifier has only \"type\", \"id\" and \"meta\"");
                }
            }
            const char *type_text = type && json_object_is_type(type, json_type_string)
                                        ? json_object_get_string(type)
                                        : NULL;
            int type_ok = type_text != NULL && strcmp(type_text, relation->target_type) == 0;
            if (!type_ok) {
                push_error(list, "value constraint", apr_pstrcat(p, pointer, "/type", NULL),
                           apr_psprintf(p, "\"type\" must be \"%s\": \"%s\" takes %s",
                                        relation->target_type, relation->name,
                                        relation->target_type));
            }
            const char *id_text =
                id && json_object_is_type(id, json_type_string) ? json_object_get_string(id) : NULL;
            if (id_text != NULL && is_record_id(id_text) && !type_ok) {
                continue;
            }
            if (id_text == NULL || !is_record_id(id_text)) {
                push_error(list, "value constraint", apr_pstrcat(p, pointer, "/id", NULL),
                           apr_psprintf(p,
                                        "\"id\" must be a string of the id of a %s (\"12\"): "
                                        "JSON:API ids are strings",
                                        relation->target_type));
                continue;
            }
            id_text = apr_pstrdup(p, id_text); /* the JSON tree is put by the caller */
            if (apr_hash_get(seen, id_text, APR_HASH_KEY_STRING) != NULL) {
                push_error(
                    list, "value constraint", pointer,
                    apr_psprintf(p, "%s \"%s\" is named twice", relation->target_type, id_text));
                continue;
            }
            apr_hash_set(seen, id_text, APR_HASH_KEY_STRING, id_text);
            APR_ARRAY_PUSH(ids, const char *) = id_text;
        }
    }
    if (list->nelts > 0) {
        *errors = list;
        return NULL;
    }
    return ids;
}

/* The linkage of a relationship change: for a many-to-one, the owner's write document
 * (one value: the relation's column); for a to-many, the ids named. */
typedef struct {
    oro_write_doc_t *doc;
    apr_array_header_t *ids;
} linkage_t;

/* Reads and validates the relationship document; 0, or -1 after answering. */
static int parse_linkage(oro_api_request_t *req, linkage_t *linkage)
{
    request_rec *r = req->r;
    apr_pool_t *p = r->pool;
    const char *body;
    apr_size_t len;
    int rc = oro_api_read_body(r, &body, &len);
    if (rc != OK) {
        return -1;
    }
    apr_array_header_t *errors = NULL;
    json_object *root = json_object_of(body, len);
    if (root == NULL) {
        /* not JSON, or not an object: the write path explains it ("not valid JSON: …") */
        if (oro_write_parse(p, req->meta, req->entity, body, len, req->id, &errors) == NULL) {
            oro_api_send_errors(r, errors);
        }
        else {
            oro_api_send_error(r, HTTP_BAD_REQUEST, "request data constraint",
                               "the document must be a JSON object {\"data\": …}", "/");
        }
        return -1;
    }
    if (req->relation->kind != ORO_RELATION_MANY_TO_ONE) {
        linkage->doc = NULL;
        linkage->ids = to_many_ids(req, root, &errors);
        json_object_put(root);
        if (linkage->ids == NULL) {
            oro_api_send_errors(r, errors);
            return -1;
        }
        return 0;
    }
    json_object_put(root);
    /* NB: type and relation names come from the metadata, the id is digits: nothing in
     * them needs JSON escaping */
    const char *wrapped =
        apr_pstrcat(p, "{\"data\": {\"type\": \"", req->entity->type, "\", \"id\": \"", req->id,
                    "\", \"relationships\": {\"", req->relation->name,
                    "\": ", apr_pstrmemdup(p, body, len), "}}}", NULL);
    linkage->ids = NULL;
    linkage->doc =
        oro_write_parse(p, req->meta, req->entity, wrapped, strlen(wrapped), req->id, &errors);
    if (linkage->doc == NULL) {
        unwrap_pointers(p, errors, req->relation->name);
        oro_api_send_errors(r, errors);
        return -1;
    }
    return 0;
}

/* One-to-many: the target's many-to-one relation that holds the owner. */
static const oro_relation_t *inverse_of(const oro_relation_t *relation)
{
    return oro_meta_relation(relation->target, relation->mapped_by);
}

/* Checks that every id is a record of the relation's target within the caller's reach;
 * the errors point at each one out of reach ("/data/3"). NULL when all are (or on a
 * database error: *db_error). */
static apr_array_header_t *check_targets(oro_api_request_t *req, const apr_array_header_t *ids,
                                         const char **db_error)
{
    /* members of a one-to-many are changed themselves (their inverse column): EDIT */
    apr_array_header_t *errors = NULL;
    *db_error = NULL;
    oro_api_acl_check_members(req, req->relation->target, ids,
                              req->relation->kind == ORO_RELATION_ONE_TO_MANY ? ORO_ACL_EDIT
                                                                              : ORO_ACL_VIEW,
                              0, NULL, &errors, db_error);
    return errors;
}

/* 400 for a change that would leave records of a one-to-many relation without their
 * required owner. */
static int refuse_orphans(oro_api_request_t *req, const char *detail)
{
    const oro_relation_t *back = inverse_of(req->relation);
    return oro_api_send_error(
        req->r, HTTP_BAD_REQUEST, "relation constraint",
        apr_psprintf(req->r->pool,
                     "%s: \"%s\" of %s is required, so a record cannot leave \"%s\" of %s; "
                     "move it to another %s instead",
                     detail, back->name, req->relation->target_type, req->relation->name,
                     req->entity->type, req->entity->type),
        "/data");
}

/* The statements that add (adding) or remove the members ids (not empty) of the to-many
 * relation of record req->id. Many-to-many: join rows not there yet are inserted (the
 * caller read which exist: existing), given ones deleted; one-to-many: the targets'
 * inverse column is set to the owner, or to NULL where it holds the owner. */
static apr_array_header_t *change_statements(oro_api_request_t *req, int adding,
                                             const apr_array_header_t *ids, apr_hash_t *existing)
{
    const oro_relation_t *relation = req->relation;
    apr_array_header_t *out = apr_array_make(req->r->pool, 1, sizeof(oro_sql_t *));
    oro_sqlbuf_t b;
    oro_sqlbuf_init(&b, req->r->pool, req->dialect);
    if (relation->kind == ORO_RELATION_MANY_TO_MANY && adding) {
        int rows = 0;
        for (int i = 0; i < ids->nelts; i++) {
            const char *id = APR_ARRAY_IDX(ids, i, const char *);
            if (apr_hash_get(existing, id, APR_HASH_KEY_STRING) != NULL) {
                continue;
            }
            if (rows++ == 0) {
                oro_sqlbuf_add(&b, "INSERT INTO ");
                oro_sqlbuf_name(&b, relation->join_table);
                oro_sqlbuf_add(&b, " (");
                oro_sqlbuf_name(&b, relation->join_column);
                oro_sqlbuf_add(&b, ", ");
                oro_sqlbuf_name(&b, relation->inverse_join_column);
                oro_sqlbuf_add(&b, ") VALUES (");
            }
            else {
                oro_sqlbuf_add(&b, ", (");
            }
            oro_sqlbuf_param(&b, req->id);
            oro_sqlbuf_add(&b, ", ");
            oro_sqlbuf_param(&b, id);
            oro_sqlbuf_add(&b, ")");
        }
        if (rows == 0) {
            return out; /* every one is a member already */
        }
    }
    else if (relation->kind == ORO_RELATION_MANY_TO_MANY) {
        oro_sqlbuf_add(&b, "DELETE FROM ");
        oro_sqlbuf_name(&b, relation->join_table);
        oro_sqlbuf_add(&b, " WHERE ");
        oro_sqlbuf_name(&b, relation->join_column);
        oro_sqlbuf_add(&b, " = ");
        oro_sqlbuf_param(&b, req->id);
        oro_sqlbuf_add(&b, " AND ");
        oro_sqlbuf_name(&b, relation->inverse_join_column);
        oro_sqlbuf_add(&b, " IN ");
        oro_sqlbuf_param_list(&b, ids);
    }
    else {
        const char *owner_column = inverse_of(relation)->column;
        oro_sqlbuf_add(&b, "UPDATE ");
        oro_sqlbuf_name(&b, relation->target->table);
        oro_sqlbuf_add(&b, " SET ");
        oro_sqlbuf_name(&b, owner_column);
        if (adding) {
            /* rows that hold the owner already are not touched */
            oro_sqlbuf_add(&b, " = ");
            oro_sqlbuf_param(&b, req->id);
            oro_sqlbuf_add(&b, " WHERE ");
            oro_sqlbuf_name(&b, oro_sql_id_column(relation->target));
            oro_sqlbuf_add(&b, " IN ");
            oro_sqlbuf_param_list(&b, ids);
            oro_sqlbuf_add(&b, " AND (");
            oro_sqlbuf_name(&b, owner_column);
            oro_sqlbuf_add(&b, " IS NULL OR ");
            oro_sqlbuf_name(&b, owner_column);
            oro_sqlbuf_add(&b, " <> ");
            oro_sqlbuf_param(&b, req->id);
            oro_sqlbuf_add(&b, ")");
        }
        else {
            oro_sqlbuf_add(&b, " = NULL WHERE ");
            oro_sqlbuf_name(&b, owner_column);
            oro_sqlbuf_add(&b, " = ");
            oro_sqlbuf_param(&b, req->id);
            oro_sqlbuf_add(&b, " AND ");
            oro_sqlbuf_name(&b, oro_sql_id_column(relation->target));
            oro_sqlbuf_add(&b, " IN ");
            oro_sqlbuf_param_list(&b, ids);
        }
    }
    APR_ARRAY_PUSH(out, oro_sql_t *) = oro_sqlbuf_finish(&b);
    return out;
}

/* Many-to-many: which of ids are members of record req->id already (id -> ""), or NULL
 * on a database error (*error). */
static apr_hash_t *existing_members(oro_api_request_t *req, const apr_array_header_t *ids,
                                    const char **error)
{
    apr_pool_t *p = req->r->pool;
    const oro_relation_t *relation = req->relation;
    oro_sqlbuf_t b;
    oro_sqlbuf_init(&b, p, req->dialect);
    oro_sqlbuf_add(&b, "SELECT ");
    oro_sqlbuf_name(&b, relation->inverse_join_column);
    oro_sqlbuf_add(&b, " FROM ");
    oro_sqlbuf_name(&b, relation->join_table);
    oro_sqlbuf_add(&b, " WHERE ");
    oro_sqlbuf_name(&b, relation->join_column);
    oro_sqlbuf_add(&b, " = ");
    oro_sqlbuf_param(&b, req->id);
    oro_sqlbuf_add(&b, " AND ");
    oro_sqlbuf_name(&b, relation->inverse_join_column);
    oro_sqlbuf_add(&b, " IN ");
    oro_sqlbuf_param_list(&b, ids);
    apr_array_header_t *rows = oro_api_rows(req, oro_sqlbuf_finish(&b), 1, error);
    if (rows == NULL) {
        return NULL;
    }
    apr_hash_t *found = apr_hash_make(p);
    for (int i = 0; i < rows->nelts; i++) {
        apr_hash_set(found, APR_ARRAY_IDX(rows, i, const char **)[0], APR_HASH_KEY_STRING, "");
    }
    return found;
}

static int run_statements(oro_api_request_t *req, oro_api_txn_t *t,
                          const apr_array_header_t *statements)
{
    const char *error;
    for (int i = 0; i < statements->nelts; i++) {
        if (oro_api_exec(req, APR_ARRAY_IDX(statements, i, oro_sql_t *), NULL, &error) != 0) {
            oro_api_statement_failed(t, "could not change a relationship", error);
            return -1;
        }
    }
    return 0;
}

/* PATCH, POST, DELETE …/relationships/{relation}: 204 when the change is committed. */
static int change_linkage(oro_api_request_t *req)
{
    request_rec *r = req->r;
    apr_pool_t *p = r->pool;
    const oro_relation_t *relation = req->relation;
    int to_many = relation->kind != ORO_RELATION_MANY_TO_ONE;
    int replace = r->method_number == M_PATCH, adding = r->method_number == M_POST;
    int required_owner = relation->kind == ORO_RELATION_ONE_TO_MANY &&
                         inverse_of(relation) != NULL && inverse_of(relation)->required;

    linkage_t linkage;
    if (parse_linkage(req, &linkage) != 0) {
        return OK;
    }
    oro_write_doc_t *doc = linkage.doc;
    const apr_array_header_t *ids = linkage.ids;
    if (!replace && !adding && required_owner) {
        return refuse_orphans(req, "cannot remove members");
    }

    const char *error;
    oro_api_txn_t t;
    if (oro_api_begin(req, &t, &error) != 0) {
        return oro_api_database_error(req, "could not start a transaction", error);
    }
    /* the ACL: EDIT on the record; changing its owner or organization is ASSIGN */
    req->acl_permission =
        !to_many && (relation->flags & ORO_FLAG_SYSTEM) ? ORO_ACL_ASSIGN : ORO_ACL_EDIT;
    if (!oro_api_lock_current(req, &t)) {
        return OK;
    }
    apr_array_header_t *errors =
        to_many ? check_targets(req, ids, &error) : oro_api_run_checks(req, doc, req->id, &error);
    if (error != NULL) {
        return oro_api_statement_failed(&t, "could not check the relationship", error);
    }
    if (errors != NULL) {
        oro_api_end(&t, 1, &error);
        unwrap_pointers(p, errors, relation->name);
        return oro_api_send_errors(r, errors);
    }

    /* members a replacement removes from a one-to-many are changed too: refused when
     * they must keep their owner, else they need EDIT */
    apr_array_header_t *leaving = NULL;
    if (replace && to_many) {
        int denied = oro_api_acl_members_leaving(req, relation, req->id, ids, &leaving, &error);
        if (denied < 0) {
            return oro_api_statement_failed(&t, "could not check the relationship", error);
        }
        if (required_owner && leaving->nelts > 0) {
            oro_api_end(&t, 1, &error);
            return refuse_orphans(req, apr_psprintf(p, "the new set leaves out %d current member%s",
                                                    leaving->nelts,
                                                    leaving->nelts == 1 ? "" : "s"));
        }
        if (denied) {
            oro_api_end(&t, 1, &error);
            return oro_api_acl_forbidden(
                req, apr_psprintf(p, "the new set removes %s records you may not edit",
                                  relation->target_type));
        }
    }

    apr_array_header_t *statements;
    if (!to_many) {
        oro_sql_t *update = oro_write_update(p, req->dialect, doc, req->id);
        statements = apr_array_make(p, 1, sizeof(oro_sql_t *));
        if (update != NULL) {
            APR_ARRAY_PUSH(statements, oro_sql_t *) = update;
        }
    }
    else if (replace) {
        oro_write_to_many_t set = {relation, (apr_array_header_t *)ids, "/data"};
        statements = oro_write_replace_to_many(p, req->dialect, &set, req->id);
    }
    else if (ids->nelts == 0) {
        statements = apr_array_make(p, 1, sizeof(oro_sql_t *));
    }
    else {
        apr_hash_t *existing = NULL;
        if (adding && relation->kind == ORO_RELATION_MANY_TO_MANY &&
            (existing = existing_members(req, ids, &error)) == NULL) {
            return oro_api_statement_failed(&t, "could not read a relationship", error);
        }
        statements = change_statements(req, adding, ids, existing);
    }
    if (run_statements(req, &t, statements) != 0 ||
        oro_api_enqueue_reindex(req, &t, req->entity, &req->id, 1) != 0 ||
        (to_many && oro_api_enqueue_reindex(req, &t, relation->target,
                                            (const char *const *)ids->elts, ids->nelts) != 0) ||
        (leaving != NULL && leaving->nelts > 0 &&
         oro_api_enqueue_reindex(req, &t, relation->target,
                                 (const char *const *)leaving->elts, leaving->nelts) != 0)) {
        return OK;
    }
    if (req->acl_permission == ORO_ACL_ASSIGN &&
        !oro_api_acl_stored_allowed(req, &t, req->id, ORO_ACL_ASSIGN)) {
        return OK; /* the new owner is out of the caller's reach */
    }
    if (!to_many && !oro_api_acl_parent_allowed(req, &t, doc)) {
        return OK; /* moved into a parent out of the caller's reach */
    }
    if (oro_api_end(&t, 0, &error) != 0) {
        return oro_api_statement_failed(&t, "could not commit the change", error);
    }
    r->status = HTTP_NO_CONTENT;
    return OK;
}

int oro_api_relationship(oro_api_request_t *req)
{
    /* the router allowed only the methods of the relation's kind */
    if (req->r->method_number == M_GET) {
        return get_linkage(req);
    }
    return change_linkage(req);
}
