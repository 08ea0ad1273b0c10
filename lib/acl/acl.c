/* lib/acl/acl.c — Oro's ACL decisions without a database: permission and level names,
 * the levels each ownership type allows, the per-entity table of a principal's grants,
 * divisions of the business-unit tree, and the SQL condition of a level (see acl.h,
 * docs/security.md "Access control"). */
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>

#include "acl/acl.h"
#include "api/sqlbuf.h"

static const char *const permission_names[ORO_ACL_PERMISSION_COUNT] = {"VIEW", "CREATE", "EDIT",
                                                                       "DELETE", "ASSIGN"};
static const char *const level_names[] = {"NONE",     "USER",         "BUSINESS_UNIT",
                                          "DIVISION", "ORGANIZATION", "GLOBAL"};
#define LEVEL_COUNT ((int)(sizeof level_names / sizeof level_names[0]))

/* The per-entity table (principal->grants): type -> oro_acl_level_t[PERMISSION_COUNT]. */
typedef struct {
    apr_hash_t *by_type;
} grant_table_t;

const char *oro_acl_permission_name(oro_acl_permission_t permission)
{
    return (int)permission >= 0 && (int)permission < ORO_ACL_PERMISSION_COUNT
               ? permission_names[permission]
               : "?";
}

const char *oro_acl_level_name(oro_acl_level_t level)
{
    return (int)level >= 0 && (int)level < LEVEL_COUNT ? level_names[level] : "?";
}

int oro_acl_permission_of(const char *name)
{
    for (int i = 0; name != NULL && i < ORO_ACL_PERMISSION_COUNT; i++) {
        if (strcmp(name, permission_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

int oro_acl_level_of(const char *name)
{
    for (int i = 0; name != NULL && i < LEVEL_COUNT; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            return i;
        }
    }
    return -1;
}

int oro_acl_level_allowed(oro_ownership_t ownership, oro_acl_permission_t permission,
                          oro_acl_level_t level)
{
    if (level == ORO_ACL_NONE) {
        return 1;
    }
    switch (ownership) {
    case ORO_OWNERSHIP_USER:
        return level <= ORO_ACL_GLOBAL;
    case ORO_OWNERSHIP_BUSINESS_UNIT:
        return level >= ORO_ACL_BUSINESS_UNIT && level <= ORO_ACL_GLOBAL;
    case ORO_OWNERSHIP_ORGANIZATION:
        return level == ORO_ACL_ORGANIZATION || level == ORO_ACL_GLOBAL;
    case ORO_OWNERSHIP_NONE:
        return level == ORO_ACL_GLOBAL && permission != ORO_ACL_ASSIGN;
    }
    return 0;
}

oro_acl_level_t oro_acl_adapt(oro_ownership_t ownership, oro_acl_permission_t permission,
                              oro_acl_level_t level)
{
    if (level == ORO_ACL_NONE) {
        return ORO_ACL_NONE;
    }
    switch (ownership) {
    case ORO_OWNERSHIP_USER:
        return level;
    case ORO_OWNERSHIP_BUSINESS_UNIT:
        return level < ORO_ACL_BUSINESS_UNIT ? ORO_ACL_BUSINESS_UNIT : level;
    case ORO_OWNERSHIP_ORGANIZATION:
        return level < ORO_ACL_ORGANIZATION ? ORO_ACL_ORGANIZATION : level;
    case ORO_OWNERSHIP_NONE:
        /* nobody owns the record, so there is nothing to assign */
        return permission == ORO_ACL_ASSIGN ? ORO_ACL_NONE : ORO_ACL_GLOBAL;
    }
    return ORO_ACL_NONE;
}

/* A role's grants: entity ("*" or a type) -> oro_acl_level_t[PERMISSION_COUNT], -1 for
 * "no grant of that permission". */
static oro_acl_level_t *role_entry(apr_pool_t *p, apr_hash_t *role, const char *entity)
{
    oro_acl_level_t *levels = apr_hash_get(role, entity, APR_HASH_KEY_STRING);
    if (levels == NULL) {
        levels = apr_palloc(p, sizeof(oro_acl_level_t) * ORO_ACL_PERMISSION_COUNT);
        for (int i = 0; i < ORO_ACL_PERMISSION_COUNT; i++) {
            levels[i] = (oro_acl_level_t)-1;
        }
        apr_hash_set(role, entity, APR_HASH_KEY_STRING, levels);
    }
    return levels;
}

const void *oro_acl_grants_build(apr_pool_t *p, const oro_meta_t *meta,
                                 const apr_array_header_t *grants)
{
    apr_pool_t *scratch;
    apr_pool_create(&scratch, p);
    /* role -> (entity -> levels) */
    apr_hash_t *roles = apr_hash_make(scratch);
    for (int i = 0; grants != NULL && i < grants->nelts; i++) {
        const oro_acl_grant_t *g = &APR_ARRAY_IDX(grants, i, oro_acl_grant_t);
        if ((int)g->permission < 0 || (int)g->permission >= ORO_ACL_PERMISSION_COUNT ||
            (int)g->level < 0 || (int)g->level >= LEVEL_COUNT) {
            continue;
        }
        apr_hash_t *role = apr_hash_get(roles, g->role, APR_HASH_KEY_STRING);
        if (role == NULL) {
            role = apr_hash_make(scratch);
            apr_hash_set(roles, apr_pstrdup(scratch, g->role), APR_HASH_KEY_STRING, role);
        }
        role_entry(scratch, role, apr_pstrdup(scratch, g->entity))[g->permission] = g->level;
    }
    grant_table_t *table = apr_palloc(p, sizeof *table);
    table->by_type = apr_hash_make(p);
    for (int e = 0; meta != NULL && e < meta->entities->nelts; e++) {
        const oro_entity_t *entity = APR_ARRAY_IDX(meta->entities, e, const oro_entity_t *);
        oro_acl_level_t *levels =
            apr_pcalloc(p, sizeof(oro_acl_level_t) * ORO_ACL_PERMISSION_COUNT);
        for (apr_hash_index_t *hi = apr_hash_first(scratch, roles); hi; hi = apr_hash_next(hi)) {
            apr_hash_t *role = apr_hash_this_val(hi);
            const oro_acl_level_t *own = apr_hash_get(role, entity->type, APR_HASH_KEY_STRING);
            const oro_acl_level_t *root = apr_hash_get(role, "*", 1);
            for (int perm = 0; perm < ORO_ACL_PERMISSION_COUNT; perm++) {
                oro_acl_level_t level = own != NULL && (int)own[perm] >= 0     ? own[perm]
                                        : root != NULL && (int)root[perm] >= 0 ? root[perm]
                                                                               : ORO_ACL_NONE;
                level = oro_acl_adapt(entity->ownership, (oro_acl_permission_t)perm, level);
                if (level > levels[perm]) {
                    levels[perm] = level;
                }
            }
        }
        apr_hash_set(table->by_type, entity->type, APR_HASH_KEY_STRING, levels);
    }
    /* a type reached through its parent takes the parent's levels, whatever is granted
     * on it: VIEW from VIEW, the changes from EDIT (adding or removing a line item
     * changes the order), and nothing to assign */
    for (int e = 0; meta != NULL && e < meta->entities->nelts; e++) {
        const oro_entity_t *entity = APR_ARRAY_IDX(meta->entities, e, const oro_entity_t *);
        if (entity->acl_parent == NULL) {
            continue;
        }
        oro_acl_level_t *levels = apr_hash_get(table->by_type, entity->type, APR_HASH_KEY_STRING);
        const oro_acl_level_t *parent =
            apr_hash_get(table->by_type, entity->acl_parent->target_type, APR_HASH_KEY_STRING);
        for (int perm = 0; perm < ORO_ACL_PERMISSION_COUNT; perm++) {
            levels[perm] = parent == NULL || perm == ORO_ACL_ASSIGN ? ORO_ACL_NONE
                           : perm == ORO_ACL_VIEW                   ? parent[ORO_ACL_VIEW]
                                                                    : parent[ORO_ACL_EDIT];
        }
    }
    apr_pool_destroy(scratch);
    return table;
}

oro_acl_level_t oro_acl_level(const oro_principal_t *principal, const oro_entity_t *entity,
                              oro_acl_permission_t permission)
{
    if (principal == NULL) {
        return ORO_ACL_GLOBAL;
    }
    const grant_table_t *table = principal->grants;
    if (table == NULL || entity == NULL || (int)permission < 0 ||
        (int)permission >= ORO_ACL_PERMISSION_COUNT) {
        return ORO_ACL_NONE;
    }
    const oro_acl_level_t *levels = apr_hash_get(table->by_type, entity->type, APR_HASH_KEY_STRING);
    return levels != NULL ? levels[permission] : ORO_ACL_NONE;
}

apr_array_header_t *oro_acl_division(apr_pool_t *p, const apr_array_header_t *units,
                                     const apr_array_header_t *roots)
{
    apr_array_header_t *out = apr_array_make(p, 8, sizeof(apr_int64_t));
    apr_hash_t *in = apr_hash_make(p);
    for (int i = 0; roots != NULL && i < roots->nelts; i++) {
        apr_int64_t *id = &APR_ARRAY_IDX(roots, i, apr_int64_t);
        if (apr_hash_get(in, id, sizeof *id) == NULL) {
            APR_ARRAY_PUSH(out, apr_int64_t) = *id;
            apr_hash_set(in, id, sizeof *id, "");
        }
    }
    /* breadth first: each pass adds the children of units already in; the tree is small
     * (an organization's units), so the quadratic walk is cheaper than an index */
    for (int added = 1; added && units != NULL;) {
        added = 0;
        for (int i = 0; i + 1 < units->nelts; i += 2) {
            apr_int64_t *id = &APR_ARRAY_IDX(units, i, apr_int64_t);
            apr_int64_t *parent = &APR_ARRAY_IDX(units, i + 1, apr_int64_t);
            if (*parent != 0 && apr_hash_get(in, parent, sizeof *parent) != NULL &&
                apr_hash_get(in, id, sizeof *id) == NULL) {
                APR_ARRAY_PUSH(out, apr_int64_t) = *id;
                apr_hash_set(in, id, sizeof *id, "");
                added = 1;
            }
        }
    }
    return out;
}

/* ---- SQL ---- */

static void add_column(oro_sqlbuf_t *b, const char *alias, const char *column)
{
    oro_sqlbuf_add(b, alias);
    oro_sqlbuf_add(b, ".");
    oro_sqlbuf_name(b, column);
}

static void add_id_param(oro_sqlbuf_t *b, apr_int64_t id)
{
    oro_sqlbuf_param(b, apr_psprintf(b->pool, "%" APR_INT64_T_FMT, id));
}

/* " IN (%s, …)" of ids, or a condition that holds for no row when there is none. */
static void add_in_ids(oro_sqlbuf_t *b, const char *alias, const char *column,
                       const apr_array_header_t *ids)
{
    if (ids == NULL || ids->nelts == 0) {
        oro_sqlbuf_add(b, "1 = 0");
        return;
    }
    add_column(b, alias, column);
    apr_array_header_t *texts = apr_array_make(b->pool, ids->nelts, sizeof(const char *));
    for (int i = 0; i < ids->nelts; i++) {
        APR_ARRAY_PUSH(texts, const char *) =
            apr_psprintf(b->pool, "%" APR_INT64_T_FMT, APR_ARRAY_IDX(ids, i, apr_int64_t));
    }
    oro_sqlbuf_add(b, " IN ");
    oro_sqlbuf_param_list(b, texts);
}

int oro_acl_unrestricted(const oro_principal_t *principal, const oro_entity_t *entity,
                         oro_acl_level_t level)
{
    if (principal == NULL || level == ORO_ACL_GLOBAL) {
        return 1;
    }
    if (entity->acl_parent != NULL) {
        return oro_acl_unrestricted(principal, entity->acl_parent->target, level);
    }
    /* adapted to GLOBAL: nothing restricts unowned records */
    return level != ORO_ACL_NONE && (entity->ownership == ORO_OWNERSHIP_NONE ||
                                     oro_meta_relation(entity, "organization") == NULL);
}

void oro_acl_condition(oro_sqlbuf_t *b, const oro_meta_t *meta, const oro_principal_t *principal,
                       const oro_entity_t *entity, oro_acl_level_t level, const char *alias)
{
    if (oro_acl_unrestricted(principal, entity, level)) {
        return;
    }
    if (level == ORO_ACL_NONE) {
        oro_sqlbuf_add(b, "1 = 0");
        return;
    }
    if (entity->acl_parent != NULL) {
        /* the parent's condition at the same level (the levels were taken from it) */
        const oro_relation_t *up = entity->acl_parent;
        add_column(b, alias, up->column);
        oro_sqlbuf_add(b, " IN (SELECT acl_p.");
        oro_sqlbuf_name(b, oro_sql_id_column(up->target));
        oro_sqlbuf_add(b, " FROM ");
        oro_sqlbuf_name(b, up->target->table);
        oro_sqlbuf_add(b, " acl_p WHERE ");
        oro_acl_condition(b, meta, principal, up->target, level, "acl_p");
        oro_sqlbuf_add(b, ")");
        return;
    }
    const oro_relation_t *organization = oro_meta_relation(entity, "organization");
    const oro_relation_t *owner = oro_meta_relation(entity, "owner");
    add_column(b, alias, organization->column);
    oro_sqlbuf_add(b, " = ");
    add_id_param(b, principal->organization_id);
    if (level >= ORO_ACL_ORGANIZATION || owner == NULL ||
        entity->ownership == ORO_OWNERSHIP_ORGANIZATION) {
        return;
    }
    const apr_array_header_t *units =
        level == ORO_ACL_DIVISION ? principal->division_ids : principal->business_unit_ids;
    oro_sqlbuf_add(b, " AND ");
    if (entity->ownership == ORO_OWNERSHIP_BUSINESS_UNIT) {
        add_in_ids(b, alias, owner->column, units);
        return;
    }
    if (level == ORO_ACL_USER) {
        add_column(b, alias, owner->column);
        oro_sqlbuf_add(b, " = ");
        add_id_param(b, principal->user_id);
        return;
    }
    /* a user-owned record belongs to the business unit of its owner */
    const oro_entity_t *users = oro_meta_entity(meta, owner->target_type);
    const oro_relation_t *user_unit = users != NULL ? oro_meta_relation(users, "owner") : NULL;
    if (users == NULL || user_unit == NULL) {
        oro_sqlbuf_add(b, "1 = 0"); /* no unit to compare with: nothing is reached */
        return;
    }
    add_column(b, alias, owner->column);
    oro_sqlbuf_add(b, " IN (SELECT acl_u.");
    oro_sqlbuf_name(b, oro_sql_id_column(users));
    oro_sqlbuf_add(b, " FROM ");
    oro_sqlbuf_name(b, users->table);
    oro_sqlbuf_add(b, " acl_u WHERE ");
    add_in_ids(b, "acl_u", user_unit->column, units);
    oro_sqlbuf_add(b, ")");
}
