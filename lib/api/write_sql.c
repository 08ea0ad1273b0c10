/* lib/api/write_sql.c — the statements of the write API (see write.h): INSERT, UPDATE,
 * DELETE, the replacement of a to-many relation's members, and the checks that need the
 * database (unique values, existing relation targets), for PostgreSQL and MariaDB.
 *
 * As in select.c, the text is appended to one buffer while values are pushed, in the same
 * order, onto the parameter array. Identifiers come from the metadata and are always
 * quoted with oro_schema_quote; values are %s parameter markers, except SQL NULL, written as
 * the literal NULL because apr_dbd cannot bind a NULL through an array of strings. The
 * text holds no other '%' (apr_dbd would read it as a parameter marker). */
#include <string.h>

#include <apr_strings.h>

#include "api/sqlbuf.h"
#include "api/write.h"
#include "db/schema.h"

/* The column a value is stored in. */
static const char *value_column(const oro_write_value_t *v)
{
    return v->field != NULL ? v->field->column : v->relation->column;
}

oro_sql_t *oro_write_insert(apr_pool_t *p, oro_dialect_t dialect, const oro_write_doc_t *doc)
{
    oro_sqlbuf_t b;
    const oro_entity_t *e = doc->entity;
    oro_sqlbuf_init(&b, p, dialect);
    oro_sqlbuf_add(&b, "INSERT INTO ");
    oro_sqlbuf_name(&b, e->table);
    if (doc->id == NULL && doc->values->nelts == 0) {
        /* every column takes its default */
        oro_sqlbuf_add(&b, dialect == ORO_DIALECT_MYSQL ? " () VALUES ()" : " DEFAULT VALUES");
    }
    else {
        oro_sqlbuf_add(&b, " (");
        int n = 0;
        if (doc->id != NULL) {
            oro_sqlbuf_name(&b, oro_sql_id_column(e));
            n++;
        }
        for (int i = 0; i < doc->values->nelts; i++) {
            if (n++ > 0) {
                oro_sqlbuf_add(&b, ", ");
            }
            oro_sqlbuf_name(&b, value_column(&APR_ARRAY_IDX(doc->values, i, oro_write_value_t)));
        }
        oro_sqlbuf_add(&b, ") VALUES (");
        n = 0;
        if (doc->id != NULL) {
            oro_sqlbuf_param(&b, doc->id);
            n++;
        }
        for (int i = 0; i < doc->values->nelts; i++) {
            if (n++ > 0) {
                oro_sqlbuf_add(&b, ", ");
            }
            oro_sqlbuf_param(&b, APR_ARRAY_IDX(doc->values, i, oro_write_value_t).value);
        }
        oro_sqlbuf_add(&b, ")");
    }
    if (dialect == ORO_DIALECT_PGSQL) {
        oro_sqlbuf_add(&b, " RETURNING ");
        oro_select_add_columns(&b, e, NULL);
    }
    return oro_sqlbuf_finish(&b);
}

oro_sql_t *oro_write_update(apr_pool_t *p, oro_dialect_t dialect, const oro_write_doc_t *doc,
                            const char *id)
{
    oro_sqlbuf_t b;
    if (doc->values->nelts == 0) {
        return NULL;
    }
    oro_sqlbuf_init(&b, p, dialect);
    oro_sqlbuf_add(&b, "UPDATE ");
    oro_sqlbuf_name(&b, doc->entity->table);
    oro_sqlbuf_add(&b, " SET ");
    for (int i = 0; i < doc->values->nelts; i++) {
        const oro_write_value_t *v = &APR_ARRAY_IDX(doc->values, i, oro_write_value_t);
        if (i > 0) {
            oro_sqlbuf_add(&b, ", ");
        }
        oro_sqlbuf_name(&b, value_column(v));
        oro_sqlbuf_add(&b, " = ");
        oro_sqlbuf_param(&b, v->value);
    }
    oro_sqlbuf_add(&b, " WHERE ");
    oro_sqlbuf_name(&b, oro_sql_id_column(doc->entity));
    oro_sqlbuf_add(&b, " = ");
    oro_sqlbuf_param(&b, id);
    return oro_sqlbuf_finish(&b);
}

oro_sql_t *oro_write_delete(apr_pool_t *p, oro_dialect_t dialect, const oro_entity_t *entity,
                            const char *id)
{
    oro_sqlbuf_t b;
    oro_sqlbuf_init(&b, p, dialect);
    oro_sqlbuf_add(&b, "DELETE FROM ");
    oro_sqlbuf_name(&b, entity->table);
    oro_sqlbuf_add(&b, " WHERE ");
    oro_sqlbuf_name(&b, oro_sql_id_column(entity));
    oro_sqlbuf_add(&b, " = ");
    oro_sqlbuf_param(&b, id);
    return oro_sqlbuf_finish(&b);
}

/* One-to-many: the members are the target's rows whose inverse column holds id. Rows that
 * stay members are not touched (their updatedAt and audit stay as they are). */
static void replace_one_to_many(apr_array_header_t *out, apr_pool_t *p, oro_dialect_t dialect,
                                const oro_write_to_many_t *set, const char *id)
{
    const oro_relation_t *r = set->relation;
    const oro_relation_t *back = oro_meta_relation(r->target, r->mapped_by);
    const char *target_id = oro_sql_id_column(r->target);
    oro_sqlbuf_t b;

    /* UPDATE target SET col = NULL WHERE col = id [AND id NOT IN (new)] */
    oro_sqlbuf_init(&b, p, dialect);
    oro_sqlbuf_add(&b, "UPDATE ");
    oro_sqlbuf_name(&b, r->target->table);
    oro_sqlbuf_add(&b, " SET ");
    oro_sqlbuf_name(&b, back->column);
    oro_sqlbuf_add(&b, " = NULL WHERE ");
    oro_sqlbuf_name(&b, back->column);
    oro_sqlbuf_add(&b, " = ");
    oro_sqlbuf_param(&b, id);
    if (set->ids->nelts > 0) {
        oro_sqlbuf_add(&b, " AND ");
        oro_sqlbuf_name(&b, target_id);
        oro_sqlbuf_add(&b, " NOT IN ");
        oro_sqlbuf_param_list(&b, set->ids);
    }
    APR_ARRAY_PUSH(out, oro_sql_t *) = oro_sqlbuf_finish(&b);
    if (set->ids->nelts == 0) {
        return;
    }

    /* UPDATE target SET col = id WHERE id IN (new) AND (col IS NULL OR col <> id) */
    oro_sqlbuf_init(&b, p, dialect);
    oro_sqlbuf_add(&b, "UPDATE ");
    oro_sqlbuf_name(&b, r->target->table);
    oro_sqlbuf_add(&b, " SET ");
    oro_sqlbuf_name(&b, back->column);
    oro_sqlbuf_add(&b, " = ");
    oro_sqlbuf_param(&b, id);
    oro_sqlbuf_add(&b, " WHERE ");
    oro_sqlbuf_name(&b, target_id);
    oro_sqlbuf_add(&b, " IN ");
    oro_sqlbuf_param_list(&b, set->ids);
    oro_sqlbuf_add(&b, " AND (");
    oro_sqlbuf_name(&b, back->column);
    oro_sqlbuf_add(&b, " IS NULL OR ");
    oro_sqlbuf_name(&b, back->column);
    oro_sqlbuf_add(&b, " <> ");
    oro_sqlbuf_param(&b, id);
    oro_sqlbuf_add(&b, ")");
    APR_ARRAY_PUSH(out, oro_sql_t *) = oro_sqlbuf_finish(&b);
}

/* Many-to-many: the rows of the join table (join_column is this side). */
static void replace_many_to_many(apr_array_header_t *out, apr_pool_t *p, oro_dialect_t dialect,
                                 const oro_write_to_many_t *set, const char *id)
{
    const oro_relation_t *r = set->relation;
    oro_sqlbuf_t b;
    oro_sqlbuf_init(&b, p, dialect);
    oro_sqlbuf_add(&b, "DELETE FROM ");
    oro_sqlbuf_name(&b, r->join_table);
    oro_sqlbuf_add(&b, " WHERE ");
    oro_sqlbuf_name(&b, r->join_column);
    oro_sqlbuf_add(&b, " = ");
    oro_sqlbuf_param(&b, id);
    APR_ARRAY_PUSH(out, oro_sql_t *) = oro_sqlbuf_finish(&b);
    for (int i = 0; i < set->ids->nelts; i++) {
        oro_sqlbuf_init(&b, p, dialect);
        oro_sqlbuf_add(&b, "INSERT INTO ");
        oro_sqlbuf_name(&b, r->join_table);
        oro_sqlbuf_add(&b, " (");
        oro_sqlbuf_name(&b, r->join_column);
        oro_sqlbuf_add(&b, ", ");
        oro_sqlbuf_name(&b, r->inverse_join_column);
        oro_sqlbuf_add(&b, ") VALUES (");
        oro_sqlbuf_param(&b, id);
        oro_sqlbuf_add(&b, ", ");
        oro_sqlbuf_param(&b, APR_ARRAY_IDX(set->ids, i, const char *));
        oro_sqlbuf_add(&b, ")");
        APR_ARRAY_PUSH(out, oro_sql_t *) = oro_sqlbuf_finish(&b);
    }
}

apr_array_header_t *oro_write_replace_to_many(apr_pool_t *p, oro_dialect_t dialect,
                                              const oro_write_to_many_t *set, const char *id)
{
    apr_array_header_t *out = apr_array_make(p, set->ids->nelts + 2, sizeof(oro_sql_t *));
    if (set->relation->kind == ORO_RELATION_ONE_TO_MANY) {
        replace_one_to_many(out, p, dialect, set, id);
    }
    else if (set->relation->kind == ORO_RELATION_MANY_TO_MANY) {
        replace_many_to_many(out, p, dialect, set, id);
    }
    return out;
}

/* SELECT COUNT(*) FROM table WHERE column = value: the start of every check. */
static void begin_count(oro_sqlbuf_t *b, const char *table, const char *column, const char *value)
{
    oro_sqlbuf_add(b, "SELECT COUNT(*) FROM ");
    oro_sqlbuf_name(b, table);
    oro_sqlbuf_add(b, " WHERE ");
    oro_sqlbuf_name(b, column);
    oro_sqlbuf_add(b, " = ");
    oro_sqlbuf_param(b, value);
}

static oro_write_check_t *push_check(apr_array_header_t *checks, oro_sql_t *sql, long expected,
                                     int status, const char *title, const char *detail,
                                     const char *pointer)
{
    oro_write_check_t *c = apr_array_push(checks);
    memset(c, 0, sizeof *c);
    c->sql = sql;
    c->expected = expected;
    c->error.status = status;
    c->error.title = title;
    c->error.detail = detail;
    c->error.pointer = pointer;
    return c;
}

/* "\"1\", \"2\"", at most 10 ids, then "…". */
static const char *id_list(apr_pool_t *p, const apr_array_header_t *ids)
{
    const char *text = "";
    for (int i = 0; i < ids->nelts; i++) {
        if (i == 10) {
            return apr_pstrcat(p, text, ", \xE2\x80\xA6", NULL);
        }
        text = apr_pstrcat(p, text, i > 0 ? ", \"" : "\"", APR_ARRAY_IDX(ids, i, const char *),
                           "\"", NULL);
    }
    return text;
}

apr_array_header_t *oro_write_checks(apr_pool_t *p, oro_dialect_t dialect,
                                     const oro_write_doc_t *doc, const char *self_id)
{
    apr_array_header_t *checks = apr_array_make(p, 4, sizeof(oro_write_check_t));
    const oro_entity_t *e = doc->entity;
    oro_sqlbuf_t b;
    for (int i = 0; i < doc->values->nelts; i++) {
        const oro_write_value_t *v = &APR_ARRAY_IDX(doc->values, i, oro_write_value_t);
        if (v->value == NULL) {
            continue;
        }
        if (v->field != NULL && (v->field->flags & ORO_FLAG_UNIQUE)) {
            oro_sqlbuf_init(&b, p, dialect);
            begin_count(&b, e->table, v->field->column, v->value);
            if (self_id != NULL) {
                oro_sqlbuf_add(&b, " AND ");
                oro_sqlbuf_name(&b, oro_sql_id_column(e));
                oro_sqlbuf_add(&b, " <> ");
                oro_sqlbuf_param(&b, self_id);
            }
            push_check(checks, oro_sqlbuf_finish(&b), 0, 409, "unique constraint",
                       apr_psprintf(p, "another %s record already has %s \"%s\"", e->type,
                                    v->field->name, v->value),
                       v->pointer);
        }
        else if (v->relation != NULL) {
            const oro_entity_t *target = v->relation->target;
            oro_sqlbuf_init(&b, p, dialect);
            begin_count(&b, target->table, oro_sql_id_column(target), v->value);
            push_check(checks, oro_sqlbuf_finish(&b), 1, 400, "relation constraint",
                       apr_psprintf(p, "%s \"%s\" does not exist", target->type, v->value),
                       v->pointer);
        }
    }
    for (int i = 0; doc->to_many != NULL && i < doc->to_many->nelts; i++) {
        const oro_write_to_many_t *set = &APR_ARRAY_IDX(doc->to_many, i, oro_write_to_many_t);
        const oro_entity_t *target = set->relation->target;
        if (set->ids->nelts == 0) {
            continue;
        }
        oro_sqlbuf_init(&b, p, dialect);
        oro_sqlbuf_add(&b, "SELECT COUNT(*) FROM ");
        oro_sqlbuf_name(&b, target->table);
        oro_sqlbuf_add(&b, " WHERE ");
        oro_sqlbuf_name(&b, oro_sql_id_column(target));
        oro_sqlbuf_add(&b, " IN ");
        oro_sqlbuf_param_list(&b, set->ids);
        push_check(checks, oro_sqlbuf_finish(&b), set->ids->nelts, 400, "relation constraint",
                   apr_psprintf(p, "not all of %s %s exist", target->type, id_list(p, set->ids)),
                   set->pointer);
    }
    return checks;
}
