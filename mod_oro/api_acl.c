/* mod_oro/api_acl.c — the ACL in the API: the caller's grants and business units loaded
 * (from the per-process cache, else two queries), the conditions handed to the select
 * builder, the checks of writes, admin-only types, and /api/roles/{id}/permissions.
 * Rules and answers: docs/security.md "Access control"; decisions: docs/decisions.md "ACL". */
#include "api.h"

#include <apr_atomic.h>
#include <apr_shm.h>
#include <apr_strings.h>
#include <http_protocol.h>

#include "api/sqlbuf.h"

APLOG_USE_MODULE(oro);

#include "auth.h"

/* The process's cache, made in child_init (each child its own). */
static oro_acl_cache_t *acl_cache;

static apr_status_t forget_cache(void *data)
{
    (void)data;
    acl_cache = NULL;
    return APR_SUCCESS;
}

static void acl_child_init(apr_pool_t *pchild, server_rec *s)
{
    acl_cache = oro_acl_cache_create(pchild);
    if (acl_cache == NULL) {
        ORO_SLOG(s, APLOG_ERR, 0, "could not create the ACL cache: every request reads the ACL");
        return;
    }
    apr_pool_cleanup_register(pchild, NULL, forget_cache, apr_pool_cleanup_null);
}

/* The ACL generation of this host: a counter in shared memory (made by the parent at
 * post_config, inherited by every child) that a process increments after committing a
 * change of roles or grants. Each request compares it with the generation its process's
 * cache belongs to, so every process of the host drops stale entries at once, without a
 * database round trip; other hosts notice the change through oro_acl_version (at most a
 * second later). NULL when shared memory is unavailable: then only the version counts. */
static volatile apr_uint32_t *acl_generation;

static apr_status_t forget_generation(void *data)
{
    (void)data;
    acl_generation = NULL;
    return APR_SUCCESS;
}

static int acl_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    apr_shm_t *shm;
    apr_status_t rv = apr_shm_create(&shm, sizeof(apr_uint32_t), NULL, pconf);
    if (rv != APR_SUCCESS) {
        ORO_SLOG(s, APLOG_WARNING, rv,
                 "could not create shared memory for the ACL generation: changes of roles "
                 "reach other processes within a second instead of at once");
        acl_generation = NULL;
        return OK;
    }
    acl_generation = apr_shm_baseaddr_get(shm);
    apr_atomic_set32(acl_generation, 0);
    apr_pool_cleanup_register(pconf, NULL, forget_generation, apr_pool_cleanup_null);
    return OK;
}

void oro_api_acl_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_post_config(acl_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(acl_child_init, NULL, NULL, APR_HOOK_MIDDLE);
}

/* ---- loading ---- */

static const char *int64_text(apr_pool_t *p, apr_int64_t v)
{
    return apr_psprintf(p, "%" APR_INT64_T_FMT, v);
}

/* The version row; -1 with *error. */
static apr_int64_t read_version(oro_api_request_t *req, const char **error)
{
    oro_sql_t q = {"SELECT version FROM oro_acl_version WHERE id = 1",
                   apr_array_make(req->r->pool, 1, sizeof(const char *))};
    apr_array_header_t *rows = oro_api_rows(req, &q, 1, error);
    if (rows == NULL) {
        return -1;
    }
    if (rows->nelts != 1) {
        *error = "the row of oro_acl_version is missing";
        return -1;
    }
    return apr_atoi64(APR_ARRAY_IDX(rows, 0, const char **)[0]);
}

/* The grants of the roles of the principal's user (of oro_acl_grant_t), or NULL with
 * *error. Tables and columns come from the metadata of users and roles. */
static apr_array_header_t *read_grants(oro_api_request_t *req, const oro_principal_t *pr,
                                       const char **error)
{
    apr_pool_t *p = req->r->pool;
    const oro_entity_t *users = oro_meta_entity(req->meta, "users");
    const oro_relation_t *roles = users ? oro_meta_relation(users, "roles") : NULL;
    const oro_field_t *name = roles && roles->target ? oro_meta_field(roles->target, "role") : NULL;
    apr_array_header_t *out = apr_array_make(p, 16, sizeof(oro_acl_grant_t));
    if (name == NULL || roles->kind != ORO_RELATION_MANY_TO_MANY) {
        return out; /* no roles in the metadata: nothing is granted */
    }
    oro_sqlbuf_t b;
    oro_sqlbuf_init(&b, p, req->dialect);
    oro_sqlbuf_add(&b, "SELECT g.role, g.entity, g.permission, g.access_level FROM oro_acl_grant g "
                       "JOIN ");
    oro_sqlbuf_name(&b, roles->target->table);
    oro_sqlbuf_add(&b, " ro ON ro.");
    oro_sqlbuf_name(&b, name->column);
    oro_sqlbuf_add(&b, " = g.role JOIN ");
    oro_sqlbuf_name(&b, roles->join_table);
    oro_sqlbuf_add(&b, " ur ON ur.");
    oro_sqlbuf_name(&b, roles->inverse_join_column);
    oro_sqlbuf_add(&b, " = ro.");
    oro_sqlbuf_name(&b, oro_sql_id_column(roles->target));
    oro_sqlbuf_add(&b, " WHERE ur.");
    oro_sqlbuf_name(&b, roles->join_column);
    oro_sqlbuf_add(&b, " = ");
    oro_sqlbuf_param(&b, int64_text(p, pr->user_id));
    apr_array_header_t *rows = oro_api_rows(req, oro_sqlbuf_finish(&b), 4, error);
    if (rows == NULL) {
        return NULL;
    }
    for (int i = 0; i < rows->nelts; i++) {
        const char **row = APR_ARRAY_IDX(rows, i, const char **);
        int permission = oro_acl_permission_of(row[2]), level = oro_acl_level_of(row[3]);
        if (permission < 0 || level < 0) {
            continue; /* the table's CHECK constraints keep these out */
        }
        oro_acl_grant_t *g = apr_array_push(out);
        g->role = row[0];
        g->entity = row[1];
        g->permission = (oro_acl_permission_t)permission;
        g->level = (oro_acl_level_t)level;
    }
    return out;
}

/* The principal's units (its own) and division (those and every unit below them in its
 * organization); 0, or -1 with *error. */
static int read_units(oro_api_request_t *req, oro_principal_t *pr, apr_pool_t *p,
                      const char **error)
{
    pr->business_unit_ids = apr_array_make(p, 1, sizeof(apr_int64_t));
    if (pr->business_unit_id > 0) {
        APR_ARRAY_PUSH(pr->business_unit_ids, apr_int64_t) = pr->business_unit_id;
    }
    const oro_entity_t *units = oro_meta_entity(req->meta, "businessunits");
    const oro_relation_t *parent = units ? oro_meta_relation(units, "parentBusinessUnit") : NULL;
    const oro_relation_t *org = units ? oro_meta_relation(units, "organization") : NULL;
    if (parent == NULL || org == NULL || pr->business_unit_ids->nelts == 0) {
        pr->division_ids = apr_array_copy(p, pr->business_unit_ids);
        return 0;
    }
    oro_sqlbuf_t b;
    oro_sqlbuf_init(&b, p, req->dialect);
    oro_sqlbuf_add(&b, "SELECT ");
    oro_sqlbuf_name(&b, oro_sql_id_column(units));
    oro_sqlbuf_add(&b, ", ");
    oro_sqlbuf_name(&b, parent->column);
    oro_sqlbuf_add(&b, " FROM ");
    oro_sqlbuf_name(&b, units->table);
    oro_sqlbuf_add(&b, " WHERE ");
    oro_sqlbuf_name(&b, org->column);
    oro_sqlbuf_add(&b, " = ");
    oro_sqlbuf_param(&b, int64_text(p, pr->organization_id));
    apr_array_header_t *rows = oro_api_rows(req, oro_sqlbuf_finish(&b), 2, error);
    if (rows == NULL) {
        return -1;
    }
    apr_array_header_t *pairs = apr_array_make(p, rows->nelts * 2 + 1, sizeof(apr_int64_t));
    for (int i = 0; i < rows->nelts; i++) {
        const char **row = APR_ARRAY_IDX(rows, i, const char **);
        APR_ARRAY_PUSH(pairs, apr_int64_t) = apr_atoi64(row[0]);
        APR_ARRAY_PUSH(pairs, apr_int64_t) = row[1] ? apr_atoi64(row[1]) : 0;
    }
    pr->division_ids = oro_acl_division(p, pairs, pr->business_unit_ids);
    return 0;
}

int oro_api_acl_load(oro_api_request_t *req)
{
    req->principal = NULL;
    /* the ACL fills authentication's own principal, so that every reader of the request's
     * caller (search, status) sees its grants; once per request */
    oro_principal_t *pr = oro_auth_principal_for_update(req->r);
    if (pr == NULL) {
        return 0; /* authentication is off (or refused the request before us) */
    }
    if (pr->grants != NULL) {
        req->principal = pr;
        return 0;
    }
    /* the principal lives on the main request's pool: what it points to must too */
    request_rec *main = req->r;
    while (main->main != NULL) {
        main = main->main;
    }
    apr_pool_t *p = main->pool;
    const char *error = NULL;
    apr_int64_t version = -1;
    if (acl_cache != NULL && acl_generation != NULL) {
        oro_acl_cache_sync(acl_cache, apr_atomic_read32(acl_generation));
    }
    if (acl_cache != NULL && oro_acl_cache_version_due(acl_cache, apr_time_now())) {
        version = read_version(req, &error);
        if (version < 0) {
            goto failed;
        }
        oro_acl_cache_set_version(acl_cache, version);
    }
    if (acl_cache != NULL && oro_acl_cache_get(acl_cache, pr, p)) {
        req->principal = pr;
        return 0;
    }
    version = acl_cache != NULL ? oro_acl_cache_version(acl_cache) : -1;
    apr_array_header_t *grants = read_grants(req, pr, &error);
    if (grants == NULL || read_units(req, pr, p, &error) != 0) {
        goto failed;
    }
    pr->grants = oro_acl_grants_build(p, req->meta, grants);
    if (acl_cache != NULL && version >= 0) {
        oro_acl_cache_put(acl_cache, req->meta, pr, grants, version);
    }
    req->principal = pr;
    return 0;
failed:
    oro_api_database_error(req, "could not read the caller's access rights", error);
    return -1;
}

/* ---- conditions ---- */

typedef struct {
    oro_api_request_t *req;
    oro_acl_permission_t permission;
} filter_baton_t;

static void add_condition(struct oro_sqlbuf *b, const oro_entity_t *entity, const char *alias,
                          const void *baton)
{
    const filter_baton_t *fb = baton;
    const oro_principal_t *pr = fb->req->principal;
    oro_acl_condition(b, fb->req->meta, pr, entity, oro_acl_level(pr, entity, fb->permission),
                      alias);
}

const oro_select_filter_t *oro_api_acl_filter(oro_api_request_t *req,
                                              oro_acl_permission_t permission)
{
    if (req->principal == NULL) {
        return NULL;
    }
    filter_baton_t *fb = apr_palloc(req->r->pool, sizeof *fb);
    fb->req = req;
    fb->permission = permission;
    oro_select_filter_t *filter = apr_palloc(req->r->pool, sizeof *filter);
    filter->add = add_condition;
    filter->baton = fb;
    return filter;
}

oro_acl_level_t oro_api_acl_level(const oro_api_request_t *req, const oro_entity_t *entity,
                                  oro_acl_permission_t permission)
{
    return oro_acl_level(req->principal, entity, permission);
}

int oro_api_acl_forbidden(oro_api_request_t *req, const char *detail)
{
    return oro_api_send_error(req->r, HTTP_FORBIDDEN, "access denied", detail, NULL);
}

/* 1 when record id of entity passes permission's condition, 0 when not, -1 on a
 * database error (*error). */
int oro_api_acl_record_allowed(oro_api_request_t *req, const oro_entity_t *entity, const char *id,
                               oro_acl_permission_t permission, const char **error)
{
    *error = NULL;
    if (req->principal == NULL) {
        return 1;
    }
    apr_array_header_t *rows =
        oro_api_rows(req,
                     oro_select_count_by_id(req->r->pool, req->dialect, entity, id,
                                            oro_api_acl_filter(req, permission)),
                     1, error);
    if (rows == NULL || rows->nelts != 1) {
        *error = *error ? *error : "no row";
        return -1;
    }
    return atol(APR_ARRAY_IDX(rows, 0, const char **)[0]) > 0;
}

/* The types whose records make up the security model: written by administrators only,
 * and every write of them invalidates cached ACL data. */
static int is_security_type(const oro_entity_t *entity)
{
    static const char *const types[] = {"users", "roles", "businessunits", "organizations"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (strcmp(entity->type, types[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

int oro_api_acl_check_write(oro_api_request_t *req)
{
    if (req->r->method_number == M_GET) {
        return OK;
    }
    if (is_security_type(req->entity)) {
        req->acl_changed = 1;
        if (req->principal != NULL && !req->principal->is_administrator) {
            oro_api_acl_forbidden(
                req,
                apr_psprintf(req->r->pool, "only administrators may change %s", req->entity->type));
            return HTTP_FORBIDDEN;
        }
    }
    return OK;
}

void oro_api_acl_bump(oro_api_request_t *req, const char **error)
{
    oro_sql_t q = {"UPDATE oro_acl_version SET version = version + 1 WHERE id = 1",
                   apr_array_make(req->r->pool, 1, sizeof(const char *))};
    oro_api_exec(req, &q, NULL, error);
}

void oro_api_acl_committed(oro_api_request_t *req)
{
    if (!req->acl_changed) {
        return;
    }
    if (acl_generation != NULL) {
        apr_atomic_inc32(acl_generation); /* every process of the host: see acl_generation */
    }
    if (acl_cache != NULL) {
        oro_acl_cache_clear(acl_cache);
    }
}

/* On create: the owner (the caller, or the caller's business unit) and organization (the
 * caller's) when the document does not name them. 0, or -1 after answering 400 when
 * there is no caller to take them from. */
int oro_api_acl_defaults(oro_api_request_t *req, oro_write_doc_t *doc)
{
    apr_pool_t *p = req->r->pool;
    const oro_principal_t *pr = req->principal;
    const char *names[] = {"owner", "organization"};
    for (int n = 0; n < 2; n++) {
        const oro_relation_t *rel = oro_meta_relation(doc->entity, names[n]);
        if (rel == NULL || !(rel->flags & ORO_FLAG_SYSTEM)) {
            continue;
        }
        int given = 0;
        for (int i = 0; i < doc->values->nelts; i++) {
            if (APR_ARRAY_IDX(doc->values, i, oro_write_value_t).relation == rel) {
                given = 1;
            }
        }
        if (given) {
            continue;
        }
        apr_int64_t value = n == 1 ? (pr ? pr->organization_id : 0)
                            : doc->entity->ownership == ORO_OWNERSHIP_USER
                                ? (pr ? pr->user_id : 0)
                                : (pr ? pr->business_unit_id : 0);
        const char *pointer = apr_pstrcat(p, "/data/relationships/", rel->name, "/data", NULL);
        if (value <= 0) {
            oro_api_send_error(req->r, HTTP_BAD_REQUEST, "not blank constraint",
                               apr_psprintf(p, "\"%s\" is required", rel->name), pointer);
            return -1;
        }
        oro_write_value_t *v = apr_array_push(doc->values);
        v->field = NULL;
        v->relation = rel;
        v->value = int64_text(p, value);
        v->pointer = pointer;
    }
    return 0;
}

/* Whether doc names the record's owner or organization. */
static int names_owner(const oro_write_doc_t *doc)
{
    for (int i = 0; doc != NULL && i < doc->values->nelts; i++) {
        const oro_relation_t *rel = APR_ARRAY_IDX(doc->values, i, oro_write_value_t).relation;
        if (rel != NULL && (rel->flags & ORO_FLAG_SYSTEM)) {
            return 1;
        }
    }
    return 0;
}

int oro_api_acl_principal(request_rec *r, const oro_principal_t **principal)
{
    *principal = NULL;
    if (oro_auth_principal(r) == NULL) {
        return OK;
    }
    const oro_settings_t *settings = &oro_server_conf(r->server)->settings;
    oro_api_request_t req = {0};
    req.r = r;
    req.settings = settings;
    req.meta = settings->meta;
    if (oro_api_dbd(&req) == NULL) {
        apr_table_setn(r->headers_out, "Retry-After", "5");
        oro_api_send_error(r, HTTP_SERVICE_UNAVAILABLE, "database unavailable",
                           "could not connect to the database; try again shortly", NULL);
        return HTTP_SERVICE_UNAVAILABLE;
    }
    int dialect = oro_db_dialect_of(apr_dbd_name(req.dbd->driver));
    req.dialect = dialect < 0 ? ORO_DIALECT_PGSQL : (oro_dialect_t)dialect;
    if (oro_api_acl_load(&req) != 0) {
        return HTTP_SERVICE_UNAVAILABLE;
    }
    *principal = req.principal;
    return OK;
}

/* Adds one error about a relation target of a write (400 missing, 403 out of reach). */
static void push_target_error(apr_pool_t *p, apr_array_header_t **errors, int status,
                              const char *detail, const char *pointer)
{
    if (*errors == NULL) {
        *errors = apr_array_make(p, 2, sizeof(oro_api_error_t));
    }
    oro_api_error_t *e = apr_array_push(*errors);
    memset(e, 0, sizeof *e);
    e->status = status;
    e->title = status == HTTP_FORBIDDEN ? "access denied" : "relation constraint";
    e->detail = detail;
    e->pointer = pointer;
}

/* The ids of rows (first column), as a set. */
static apr_hash_t *id_set(apr_pool_t *p, const apr_array_header_t *rows)
{
    apr_hash_t *found = apr_hash_make(p);
    for (int i = 0; i < rows->nelts; i++) {
        apr_hash_set(found, APR_ARRAY_IDX(rows, i, const char **)[0], APR_HASH_KEY_STRING, "");
    }
    return found;
}

int oro_api_acl_check_members(oro_api_request_t *req, const oro_entity_t *target,
                              const apr_array_header_t *ids, oro_acl_permission_t permission,
                              int exist, const char *pointer, apr_array_header_t **errors,
                              const char **db_error)
{
    apr_pool_t *p = req->r->pool;
    if (ids->nelts == 0 ||
        (exist && oro_acl_unrestricted(req->principal, target,
                                       oro_acl_level(req->principal, target, permission)))) {
        return 0;
    }
    apr_array_header_t *rows =
        oro_api_rows(req,
                     oro_select_by_ids_filtered(p, req->dialect, target, ids,
                                                oro_api_acl_filter(req, permission)),
                     oro_select_columns(p, target)->nelts, db_error);
    if (rows == NULL) {
        return -1;
    }
    apr_hash_t *found = id_set(p, rows);
    apr_array_header_t *missing = apr_array_make(p, 0, sizeof(const char *));
    for (int i = 0; i < ids->nelts; i++) {
        const char *id = APR_ARRAY_IDX(ids, i, const char *);
        if (apr_hash_get(found, id, APR_HASH_KEY_STRING) == NULL) {
            APR_ARRAY_PUSH(missing, const char *) = id;
        }
    }
    /* out of EDIT's reach: a record the caller can see is refused as such (403), the
     * others are missing for it (400), as with a record it cannot view at all */
    apr_hash_t *visible = apr_hash_make(p);
    if (missing->nelts > 0 && permission != ORO_ACL_VIEW) {
        rows = oro_api_rows(req,
                            oro_select_by_ids_filtered(p, req->dialect, target, missing,
                                                       oro_api_acl_filter(req, ORO_ACL_VIEW)),
                            oro_select_columns(p, target)->nelts, db_error);
        if (rows == NULL) {
            return -1;
        }
        visible = id_set(p, rows);
    }
    for (int i = 0; i < ids->nelts; i++) {
        const char *id = APR_ARRAY_IDX(ids, i, const char *);
        if (apr_hash_get(found, id, APR_HASH_KEY_STRING) != NULL) {
            continue;
        }
        const char *at = pointer != NULL ? pointer : apr_psprintf(p, "/data/%d", i);
        if (apr_hash_get(visible, id, APR_HASH_KEY_STRING) != NULL) {
            push_target_error(p, errors, HTTP_FORBIDDEN,
                              apr_psprintf(p,
                                           "you may not change %s \"%s\" (joining or "
                                           "leaving this relation changes it)",
                                           target->type, id),
                              at);
        }
        else {
            push_target_error(p, errors, HTTP_BAD_REQUEST,
                              apr_psprintf(p, "%s \"%s\" does not exist", target->type, id), at);
        }
    }
    return 0;
}

apr_array_header_t *oro_api_acl_check_targets(oro_api_request_t *req, const oro_write_doc_t *doc,
                                              const char **db_error)
{
    apr_pool_t *p = req->r->pool;
    apr_array_header_t *errors = NULL;
    *db_error = NULL;
    for (int i = 0; i < doc->values->nelts; i++) {
        const oro_write_value_t *v = &APR_ARRAY_IDX(doc->values, i, oro_write_value_t);
        if (v->relation == NULL || v->value == NULL || (v->relation->flags & ORO_FLAG_SYSTEM) ||
            v->relation->target == NULL) {
            continue;
        }
        apr_array_header_t *one = apr_array_make(p, 1, sizeof(const char *));
        APR_ARRAY_PUSH(one, const char *) = v->value;
        if (oro_api_acl_check_members(req, v->relation->target, one, ORO_ACL_VIEW, 1, v->pointer,
                                      &errors, db_error) != 0) {
            return NULL;
        }
    }
    /* members of a one-to-many are changed themselves (their inverse column): EDIT */
    for (int i = 0; doc->to_many != NULL && i < doc->to_many->nelts; i++) {
        const oro_write_to_many_t *set = &APR_ARRAY_IDX(doc->to_many, i, oro_write_to_many_t);
        oro_acl_permission_t permission =
            set->relation->kind == ORO_RELATION_ONE_TO_MANY ? ORO_ACL_EDIT : ORO_ACL_VIEW;
        if (set->relation->target != NULL &&
            oro_api_acl_check_members(req, set->relation->target, set->ids, permission, 1,
                                      set->pointer, &errors, db_error) != 0) {
            return NULL;
        }
    }
    return errors;
}

/* 1 when the owner and organization doc names are the record's current ones, 0 when one
 * differs, -1 on a database error (*error). */
static int owner_unchanged(oro_api_request_t *req, const oro_write_doc_t *doc, const char **error)
{
    *error = NULL;
    oro_sqlbuf_t b;
    oro_sqlbuf_init(&b, req->r->pool, req->dialect);
    oro_sqlbuf_add(&b, "SELECT COUNT(*) FROM ");
    oro_sqlbuf_name(&b, doc->entity->table);
    oro_sqlbuf_add(&b, " WHERE ");
    oro_sqlbuf_name(&b, oro_sql_id_column(doc->entity));
    oro_sqlbuf_add(&b, " = ");
    oro_sqlbuf_param(&b, req->id);
    for (int i = 0; i < doc->values->nelts; i++) {
        const oro_write_value_t *v = &APR_ARRAY_IDX(doc->values, i, oro_write_value_t);
        if (v->relation == NULL || !(v->relation->flags & ORO_FLAG_SYSTEM)) {
            continue;
        }
        if (v->value == NULL) {
            return 0; /* clearing a required owner is refused later anyway */
        }
        oro_sqlbuf_add(&b, " AND ");
        oro_sqlbuf_name(&b, v->relation->column);
        oro_sqlbuf_add(&b, " = ");
        oro_sqlbuf_param(&b, v->value);
    }
    apr_array_header_t *rows = oro_api_rows(req, oro_sqlbuf_finish(&b), 1, error);
    if (rows == NULL || rows->nelts != 1) {
        *error = *error ? *error : "no row";
        return -1;
    }
    return atol(APR_ARRAY_IDX(rows, 0, const char **)[0]) > 0;
}

int oro_api_acl_stored_allowed(oro_api_request_t *req, oro_api_txn_t *t, const char *id,
                               oro_acl_permission_t permission)
{
    const char *error;
    if (oro_acl_unrestricted(req->principal, req->entity,
                             oro_acl_level(req->principal, req->entity, permission))) {
        return 1; /* the record was just written: it exists, and nothing restricts it */
    }
    int allowed = oro_api_acl_record_allowed(req, req->entity, id, permission, &error);
    if (allowed > 0) {
        return 1;
    }
    if (allowed < 0) {
        oro_api_statement_failed(t, "could not check the record's owner", error);
        return 0;
    }
    oro_api_end(t, 1, &error);
    const oro_relation_t *up = req->entity->acl_parent;
    oro_api_acl_forbidden(req, up != NULL
                                   ? apr_psprintf(req->r->pool,
                                                  "you may not %s %s in that %s: it needs "
                                                  "EDIT on the %s",
                                                  permission == ORO_ACL_CREATE ? "create" : "put",
                                                  req->entity->type, up->name, up->name)
                               : permission == ORO_ACL_CREATE
                                   ? "you may not create a record with that owner or organization"
                                   : "you may not assign the record to that owner or organization");
    return 0;
}

int oro_api_acl_parent_allowed(oro_api_request_t *req, oro_api_txn_t *t, const oro_write_doc_t *doc)
{
    const oro_relation_t *up = req->entity->acl_parent;
    int names = 0;
    for (int i = 0; up != NULL && doc != NULL && i < doc->values->nelts; i++) {
        names |= APR_ARRAY_IDX(doc->values, i, oro_write_value_t).relation == up;
    }
    if (req->principal == NULL || !names) {
        return 1;
    }
    return oro_api_acl_stored_allowed(req, t, req->id, ORO_ACL_EDIT);
}

int oro_api_acl_assign_needed(oro_api_request_t *req, oro_api_txn_t *t, const oro_write_doc_t *doc)
{
    if (req->principal == NULL || !names_owner(doc) ||
        oro_acl_unrestricted(req->principal, req->entity,
                             oro_acl_level(req->principal, req->entity, ORO_ACL_ASSIGN))) {
        return 0; /* the record is locked (it exists) and nothing restricts it */
    }
    const char *error;
    int same = owner_unchanged(req, doc, &error);
    if (same < 0) {
        oro_api_statement_failed(t, "could not check the record's owner", error);
        return -1;
    }
    if (same) {
        return 0;
    }
    int allowed = oro_api_acl_record_allowed(req, req->entity, req->id, ORO_ACL_ASSIGN, &error);
    if (allowed < 0) {
        oro_api_statement_failed(t, "could not check the record's owner", error);
        return -1;
    }
    if (allowed == 0) {
        oro_api_end(t, 1, &error);
        oro_api_acl_forbidden(req, apr_psprintf(req->r->pool, "you may not reassign %s \"%s\"",
                                                req->entity->type, req->id));
        return -1;
    }
    return 1;
}

oro_acl_permission_t oro_api_acl_change(const oro_api_request_t *req)
{
    return req->acl_permission != ORO_ACL_VIEW ? (oro_acl_permission_t)req->acl_permission
                                               : ORO_ACL_EDIT;
}

int oro_api_acl_refused(oro_api_request_t *req, oro_api_txn_t *t)
{
    if (req->principal == NULL) {
        return 0;
    }
    const char *error;
    int visible = oro_api_acl_record_allowed(req, req->entity, req->id, ORO_ACL_VIEW, &error);
    if (visible == 0) {
        return 0;
    }
    if (visible < 0) {
        oro_api_statement_failed(t, "could not read the record", error);
        return 1;
    }
    oro_acl_permission_t permission = oro_api_acl_change(req);
    oro_api_end(t, 1, &error);
    oro_api_acl_forbidden(req, apr_psprintf(req->r->pool, "you may not %s %s \"%s\"",
                                            permission == ORO_ACL_DELETE   ? "delete"
                                            : permission == ORO_ACL_ASSIGN ? "reassign"
                                                                           : "change",
                                            req->entity->type, req->id));
    return 1;
}

int oro_api_acl_members_leaving(oro_api_request_t *req, const oro_relation_t *relation,
                                const char *owner_id, const apr_array_header_t *ids,
                                apr_array_header_t **leaving, const char **error)
{
    apr_pool_t *p = req->r->pool;
    *error = NULL;
    *leaving = apr_array_make(p, 0, sizeof(const char *));
    const oro_relation_t *back =
        relation->kind == ORO_RELATION_ONE_TO_MANY && relation->target != NULL
            ? oro_meta_relation(relation->target, relation->mapped_by)
            : NULL;
    if (back == NULL) {
        return 0;
    }
    oro_sqlbuf_t b;
    oro_sqlbuf_init(&b, p, req->dialect);
    oro_sqlbuf_add(&b, "SELECT ");
    oro_sqlbuf_name(&b, oro_sql_id_column(relation->target));
    oro_sqlbuf_add(&b, " FROM ");
    oro_sqlbuf_name(&b, relation->target->table);
    oro_sqlbuf_add(&b, " WHERE ");
    oro_sqlbuf_name(&b, back->column);
    oro_sqlbuf_add(&b, " = ");
    oro_sqlbuf_param(&b, owner_id);
    if (ids->nelts > 0) {
        oro_sqlbuf_add(&b, " AND ");
        oro_sqlbuf_name(&b, oro_sql_id_column(relation->target));
        oro_sqlbuf_add(&b, " NOT IN ");
        oro_sqlbuf_param_list(&b, ids);
    }
    apr_array_header_t *rows = oro_api_rows(req, oro_sqlbuf_finish(&b), 1, error);
    if (rows == NULL) {
        return -1;
    }
    for (int i = 0; i < rows->nelts; i++) {
        APR_ARRAY_PUSH(*leaving, const char *) = APR_ARRAY_IDX(rows, i, const char **)[0];
    }
    if ((*leaving)->nelts == 0 || req->principal == NULL ||
        oro_acl_unrestricted(req->principal, relation->target,
                             oro_acl_level(req->principal, relation->target, ORO_ACL_EDIT))) {
        return 0;
    }
    apr_array_header_t *editable =
        oro_api_rows(req,
                     oro_select_by_ids_filtered(p, req->dialect, relation->target, *leaving,
                                                oro_api_acl_filter(req, ORO_ACL_EDIT)),
                     oro_select_columns(p, relation->target)->nelts, error);
    if (editable == NULL) {
        return -1;
    }
    return editable->nelts < (*leaving)->nelts ? 1 : 0;
}
