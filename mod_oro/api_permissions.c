/* mod_oro/api_permissions.c — GET and PATCH /api/roles/{id}/permissions: a role's grants
 * (oro_acl_grant), administrators only. The document (docs/security.md):
 *   {"data": {"type": "rolepermissions", "id": "2", "attributes": {"role": "ROLE_MANAGER",
 *    "permissions": {"*": {"VIEW": "DIVISION", …}, "contacts": {"DELETE": "NONE"}}}}}
 * PATCH sets the grants it names (null removes one: the entity then follows "*") and
 * leaves the others; it bumps the ACL version in its transaction. */
#include "api.h"

#include <apr_strings.h>
#include <http_protocol.h>

#include "api/sqlbuf.h"

APLOG_USE_MODULE(oro);

#define MAX_PERMISSIONS_BODY (256 * 1024)

/* The role's name (its "role" field), NULL when it does not exist (404 sent) or on a
 * database error (503 sent). */
static const char *role_name(oro_api_request_t *req)
{
    const oro_field_t *field = oro_meta_field(req->entity, "role");
    if (field == NULL) {
        oro_api_send_error(req->r, HTTP_NOT_FOUND, "resource not found",
                           "roles have no \"role\" field: there are no permissions", NULL);
        return NULL;
    }
    oro_sqlbuf_t b;
    oro_sqlbuf_init(&b, req->r->pool, req->dialect);
    oro_sqlbuf_add(&b, "SELECT ");
    oro_sqlbuf_name(&b, field->column);
    oro_sqlbuf_add(&b, " FROM ");
    oro_sqlbuf_name(&b, req->entity->table);
    oro_sqlbuf_add(&b, " WHERE ");
    oro_sqlbuf_name(&b, oro_sql_id_column(req->entity));
    oro_sqlbuf_add(&b, " = ");
    oro_sqlbuf_param(&b, req->id);
    const char *error;
    apr_array_header_t *rows = oro_api_rows(req, oro_sqlbuf_finish(&b), 1, &error);
    if (rows == NULL) {
        oro_api_database_error(req, "could not read a role", error);
        return NULL;
    }
    if (rows->nelts == 0) {
        oro_api_send_error(req->r, HTTP_NOT_FOUND, "not found",
                           apr_psprintf(req->r->pool, "roles \"%s\" does not exist", req->id),
                           NULL);
        return NULL;
    }
    return APR_ARRAY_IDX(rows, 0, const char **)[0];
}

static oro_sql_t *grants_of(apr_pool_t *p, const char *role)
{
    oro_sql_t *q = apr_palloc(p, sizeof *q);
    q->sql = "SELECT entity, permission, access_level FROM oro_acl_grant WHERE role = %s "
             "ORDER BY entity, permission";
    q->params = apr_array_make(p, 1, sizeof(const char *));
    APR_ARRAY_PUSH(q->params, const char *) = role;
    return q;
}

static int send_permissions(oro_api_request_t *req, const char *role)
{
    const char *error;
    apr_array_header_t *rows = oro_api_rows(req, grants_of(req->r->pool, role), 3, &error);
    if (rows == NULL) {
        return oro_api_database_error(req, "could not read a role's permissions", error);
    }
    json_object *permissions = json_object_new_object();
    for (int i = 0; i < rows->nelts; i++) {
        const char **row = APR_ARRAY_IDX(rows, i, const char **);
        json_object *entity = NULL;
        if (!json_object_object_get_ex(permissions, row[0], &entity)) {
            entity = json_object_new_object();
            json_object_object_add(permissions, row[0], entity);
        }
        json_object_object_add(entity, row[1], json_object_new_string(row[2]));
    }
    json_object *attributes = json_object_new_object();
    json_object_object_add(attributes, "role", json_object_new_string(role));
    json_object_object_add(attributes, "permissions", permissions);
    json_object *data = json_object_new_object();
    json_object_object_add(data, "type", json_object_new_string("rolepermissions"));
    json_object_object_add(data, "id", json_object_new_string(req->id));
    json_object_object_add(data, "attributes", attributes);
    json_object *doc = json_object_new_object();
    json_object_object_add(doc, "data", data);
    const char *body = apr_pstrdup(req->r->pool, oro_json_text(doc));
    json_object_put(doc);
    return oro_send_json(req->r, HTTP_OK, ORO_JSONAPI, body);
}

typedef struct {
    const char *entity;
    const char *permission;
    const char *level; /* NULL: remove */
} change_t;

static void bad(apr_array_header_t *errors, const char *pointer, const char *detail)
{
    oro_api_error_t *e = apr_array_push(errors);
    memset(e, 0, sizeof *e);
    e->status = HTTP_BAD_REQUEST;
    e->title = "value constraint";
    e->detail = detail;
    e->pointer = pointer;
}

/* The changes of a PATCH document, or NULL with *errors (every problem). */
static apr_array_header_t *parse_changes(oro_api_request_t *req, json_object *root,
                                         apr_array_header_t **errors)
{
    apr_pool_t *p = req->r->pool;
    apr_array_header_t *list = apr_array_make(p, 2, sizeof(oro_api_error_t));
    apr_array_header_t *changes = apr_array_make(p, 8, sizeof(change_t));
    json_object *data, *type, *id, *attributes, *permissions;
    if (!json_object_is_type(root, json_type_object) ||
        !json_object_object_get_ex(root, "data", &data) ||
        !json_object_is_type(data, json_type_object)) {
        bad(list, "/data", "the document must be {\"data\": {\"type\": \"rolepermissions\", …}}");
    }
    else if (!json_object_object_get_ex(data, "type", &type) ||
             !json_object_is_type(type, json_type_string) ||
             strcmp(json_object_get_string(type), "rolepermissions") != 0) {
        bad(list, "/data/type", "\"type\" must be \"rolepermissions\"");
    }
    else if (json_object_object_get_ex(data, "id", &id) &&
             (!json_object_is_type(id, json_type_string) ||
              strcmp(json_object_get_string(id), req->id) != 0)) {
        bad(list, "/data/id", apr_psprintf(p, "\"id\" must be \"%s\", the role's", req->id));
    }
    else if (!json_object_object_get_ex(data, "attributes", &attributes) ||
             !json_object_object_get_ex(attributes, "permissions", &permissions) ||
             !json_object_is_type(permissions, json_type_object)) {
        bad(list, "/data/attributes/permissions",
            "\"permissions\" must be an object: entity type (or \"*\") -> {permission: level}");
    }
    else {
        json_object_object_foreach(permissions, entity_name, levels)
        {
            const char *pointer = apr_pstrcat(p, "/data/attributes/permissions/",
                                              oro_printable(p, entity_name, 64), NULL);
            const oro_entity_t *entity =
                strcmp(entity_name, "*") == 0 ? NULL : oro_meta_entity(req->meta, entity_name);
            if (entity == NULL && strcmp(entity_name, "*") != 0) {
                bad(list, pointer,
                    apr_psprintf(p, "\"%s\" is not an entity type (nor \"*\")",
                                 oro_printable(p, entity_name, 64)));
                continue;
            }
            if (!json_object_is_type(levels, json_type_object)) {
                bad(list, pointer, "must be an object {permission: level or null}");
                continue;
            }
            if (entity != NULL && entity->acl_parent != NULL) {
                /* NB: a grant there would be stored and never used (acl.c) */
                bad(list, pointer,
                    apr_psprintf(p, "access to %s follows access to their %s (%s): grant on %s",
                                 entity->type, entity->acl_parent->name,
                                 entity->acl_parent->target_type,
                                 entity->acl_parent->target_type));
                continue;
            }
            json_object_object_foreach(levels, permission, level)
            {
                const char *at =
                    apr_pstrcat(p, pointer, "/", oro_printable(p, permission, 32), NULL);
                int perm = oro_acl_permission_of(permission);
                if (perm < 0) {
                    bad(list, at,
                        apr_psprintf(p,
                                     "\"%s\" is not a permission (VIEW, CREATE, EDIT, DELETE, "
                                     "ASSIGN)",
                                     oro_printable(p, permission, 32)));
                    continue;
                }
                const char *text = NULL;
                if (level != NULL) {
                    int lv = json_object_is_type(level, json_type_string)
                                 ? oro_acl_level_of(json_object_get_string(level))
                                 : -1;
                    if (lv < 0) {
                        bad(list, at,
                            "the level must be NONE, USER, BUSINESS_UNIT, DIVISION, "
                            "ORGANIZATION, GLOBAL or null");
                        continue;
                    }
                    if (entity != NULL &&
                        !oro_acl_level_allowed(entity->ownership, (oro_acl_permission_t)perm,
                                               (oro_acl_level_t)lv)) {
                        bad(list, at,
                            apr_psprintf(p, "%s is not a level of %s on %s (ownership %s)",
                                         oro_acl_level_name((oro_acl_level_t)lv),
                                         oro_acl_permission_name((oro_acl_permission_t)perm),
                                         entity->type, oro_ownership_name(entity->ownership)));
                        continue;
                    }
                    text = oro_acl_level_name((oro_acl_level_t)lv);
                }
                change_t *c = apr_array_push(changes);
                c->entity = entity != NULL ? entity->type : "*";
                c->permission = oro_acl_permission_name((oro_acl_permission_t)perm);
                c->level = text;
            }
        }
    }
    if (list->nelts > 0) {
        *errors = list;
        return NULL;
    }
    return changes;
}

static oro_sql_t *statement(apr_pool_t *p, const char *sql, int n, ...)
{
    oro_sql_t *q = apr_palloc(p, sizeof *q);
    q->sql = sql;
    q->params = apr_array_make(p, n, sizeof(const char *));
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        APR_ARRAY_PUSH(q->params, const char *) = va_arg(ap, const char *);
    }
    va_end(ap);
    return q;
}

static int patch_permissions(oro_api_request_t *req, const char *role)
{
    apr_pool_t *p = req->r->pool;
    const char *body;
    apr_size_t len;
    if (oro_api_read_body(req->r, &body, &len) != OK) {
        return OK;
    }
    if (len > MAX_PERMISSIONS_BODY) {
        return oro_api_send_error(req->r, HTTP_REQUEST_ENTITY_TOO_LARGE, "request too large",
                                  "a permissions document may hold at most 256 KiB", NULL);
    }
    json_tokener *tok = json_tokener_new_ex(ORO_WRITE_MAX_DEPTH);
    json_object *root = tok ? json_tokener_parse_ex(tok, body, (int)len) : NULL;
    int complete = tok && json_tokener_get_error(tok) == json_tokener_success &&
                   json_tokener_get_parse_end(tok) == len;
    if (tok) {
        json_tokener_free(tok);
    }
    if (root == NULL || !complete) {
        json_object_put(root);
        return oro_api_send_error(req->r, HTTP_BAD_REQUEST, "request data constraint",
                                  "the body is not one JSON document", "/");
    }
    apr_array_header_t *errors = NULL;
    apr_array_header_t *changes = parse_changes(req, root, &errors);
    json_object_put(root);
    if (changes == NULL) {
        return oro_api_send_errors(req->r, errors);
    }
    const char *error;
    oro_api_txn_t t;
    if (oro_api_begin(req, &t, &error) != 0) {
        return oro_api_database_error(req, "could not start a transaction", error);
    }
    req->acl_changed = 1;
    for (int i = 0; i < changes->nelts; i++) {
        const change_t *c = &APR_ARRAY_IDX(changes, i, change_t);
        if (oro_api_exec(req,
                         statement(p,
                                   "DELETE FROM oro_acl_grant WHERE role = %s AND entity = %s AND "
                                   "permission = %s",
                                   3, role, c->entity, c->permission),
                         NULL, &error) != 0 ||
            (c->level != NULL &&
             oro_api_exec(req,
                          statement(p,
                                    "INSERT INTO oro_acl_grant (role, entity, permission, "
                                    "access_level) VALUES (%s, %s, %s, %s)",
                                    4, role, c->entity, c->permission, c->level),
                          NULL, &error) != 0)) {
            return oro_api_statement_failed(&t, "could not change a role's permissions", error);
        }
    }
    if (oro_api_end(&t, 0, &error) != 0) {
        return oro_api_statement_failed(&t, "could not commit a role's permissions", error);
    }
    return send_permissions(req, role);
}

int oro_api_role_permissions(oro_api_request_t *req)
{
    if (req->principal != NULL && !req->principal->is_administrator) {
        return oro_api_acl_forbidden(req, "only administrators may see and change permissions");
    }
    const char *role = role_name(req);
    if (role == NULL) {
        return OK;
    }
    return req->r->method_number == M_PATCH ? patch_permissions(req, role)
                                            : send_permissions(req, role);
}
