/* lib/api/write_sql.c — the statements of the write API (see write.h): INSERT, UPDATE,
 * DELETE, the replacement of a to-many relation's members, and the checks that need the
 * database (unique values, existing relation targets), for PostgreSQL and MariaDB.
 *
 * As in select.c, the text is appended to one buffer while values are pushed, in the same
 * order, onto the parameter array. Identifiers come from the metadata and are always
 * quoted with oro_schema_quote; values are %s placeholders, except SQL NULL, written as
 * the literal NULL because apr_dbd cannot bind a NULL through an array of strings. The
 * text holds no other '%' (apr_dbd would read it as a placeholder). */
#include <string.h>

#include <apr_strings.h>

#include "api/write.h"
#include "db/schema.h"

typedef struct {
    apr_pool_t *pool;
    oro_dialect_t dialect;
    apr_array_header_t *text; /* of char, not NUL-terminated until finish() */
    apr_array_header_t *params;
} builder_t;

static void builder_init(builder_t *b, apr_pool_t *p, oro_dialect_t dialect)
{
    b->pool = p;
    b->dialect = dialect;
    b->text = apr_array_make(p, 256, sizeof(char));
    b->params = apr_array_make(p, 8, sizeof(const char *));
}

static void add(builder_t *b, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        APR_ARRAY_PUSH(b->text, char) = s[i];
    }
}

/* A quoted identifier. */
static void add_name(builder_t *b, const char *name)
{
    add(b, oro_schema_quote(b->pool, b->dialect, name));
}

/* One placeholder bound to value, or NULL for SQL NULL. */
static void add_value(builder_t *b, const char *value)
{
    if (value == NULL) {
        add(b, "NULL");
        return;
    }
    add(b, "%s");
    APR_ARRAY_PUSH(b->params, const char *) = value;
}

/* "(%s, %s, …)" bound to ids (of const char *, not empty). */
static void add_value_list(builder_t *b, const apr_array_header_t *ids)
{
    add(b, "(");
    for (int i = 0; i < ids->nelts; i++) {
        if (i > 0) {
            add(b, ", ");
        }
        add_value(b, APR_ARRAY_IDX(ids, i, const char *));
    }
    add(b, ")");
}

static oro_sql_t *finish(builder_t *b)
{
    APR_ARRAY_PUSH(b->text, char) = '\0';
    oro_sql_t *sql = apr_palloc(b->pool, sizeof *sql);
    sql->sql = b->text->elts;
    sql->params = b->params;
    return sql;
}

static const char *id_column(const oro_entity_t *entity)
{
    const oro_field_t *id = oro_meta_field(entity, "id");
    return id != NULL ? id->column : "id";
}

/* The column a value is stored in. */
static const char *value_column(const oro_write_value_t *v)
{
    return v->field != NULL ? v->field->column : v->relation->column;
}

oro_sql_t *oro_write_insert(apr_pool_t *p, oro_dialect_t dialect, const oro_write_doc_t *doc)
{
    builder_t b;
    const oro_entity_t *e = doc->entity;
    builder_init(&b, p, dialect);
    add(&b, "INSERT INTO ");
    add_name(&b, e->table);
    if (doc->id == NULL && doc->values->nelts == 0) {
        /* every column takes its default */
        add(&b, dialect == ORO_DIALECT_MYSQL ? " () VALUES ()" : " DEFAULT VALUES");
    }
    else {
        add(&b, " (");
        int n = 0;
        if (doc->id != NULL) {
            add_name(&b, id_column(e));
            n++;
        }
        for (int i = 0; i < doc->values->nelts; i++) {
            if (n++ > 0) {
                add(&b, ", ");
            }
            add_name(&b, value_column(&APR_ARRAY_IDX(doc->values, i, oro_write_value_t)));
        }
        add(&b, ") VALUES (");
        n = 0;
        if (doc->id != NULL) {
            add_value(&b, doc->id);
            n++;
        }
        for (int i = 0; i < doc->values->nelts; i++) {
            if (n++ > 0) {
                add(&b, ", ");
            }
            add_value(&b, APR_ARRAY_IDX(doc->values, i, oro_write_value_t).value);
        }
        add(&b, ")");
    }
    if (dialect == ORO_DIALECT_PGSQL) {
        add(&b, " RETURNING ");
        add_name(&b, id_column(e));
    }
    return finish(&b);
}

oro_sql_t *oro_write_update(apr_pool_t *p, oro_dialect_t dialect, const oro_write_doc_t *doc,
                            const char *id)
{
    builder_t b;
    if (doc->values->nelts == 0) {
        return NULL;
    }
    builder_init(&b, p, dialect);
    add(&b, "UPDATE ");
    add_name(&b, doc->entity->table);
    add(&b, " SET ");
    for (int i = 0; i < doc->values->nelts; i++) {
        const oro_write_value_t *v = &APR_ARRAY_IDX(doc->values, i, oro_write_value_t);
        if (i > 0) {
            add(&b, ", ");
        }
        add_name(&b, value_column(v));
        add(&b, " = ");
        add_value(&b, v->value);
    }
    add(&b, " WHERE ");
    add_name(&b, id_column(doc->entity));
    add(&b, " = ");
    add_value(&b, id);
    return finish(&b);
}

oro_sql_t *oro_write_delete(apr_pool_t *p, oro_dialect_t dialect, const oro_entity_t *entity,
                            const char *id)
{
    builder_t b;
    builder_init(&b, p, dialect);
    add(&b, "DELETE FROM ");
    add_name(&b, entity->table);
    add(&b, " WHERE ");
    add_name(&b, id_column(entity));
    add(&b, " = ");
    add_value(&b, id);
    return finish(&b);
}

/* One-to-many: the members are the target's rows whose inverse column holds id. Rows that
 * stay members are not touched (their updatedAt and audit stay as they are). */
static void replace_one_to_many(apr_array_header_t *out, apr_pool_t *p, oro_dialect_t dialect,
                                const oro_write_to_many_t *set, const char *id)
{
    const oro_relation_t *r = set->relation;
    const oro_relation_t *back = oro_meta_relation(r->target, r->mapped_by);
    const char *target_id = id_column(r->target);
    builder_t b;

    /* UPDATE target SET col = NULL WHERE col = id [AND id NOT IN (new)] */
    builder_init(&b, p, dialect);
    add(&b, "UPDATE ");
    add_name(&b, r->target->table);
    add(&b, " SET ");
    add_name(&b, back->column);
    add(&b, " = NULL WHERE ");
    add_name(&b, back->column);
    add(&b, " = ");
    add_value(&b, id);
    if (set->ids->nelts > 0) {
        add(&b, " AND ");
        add_name(&b, target_id);
        add(&b, " NOT IN ");
        add_value_list(&b, set->ids);
    }
    APR_ARRAY_PUSH(out, oro_sql_t *) = finish(&b);
    if (set->ids->nelts == 0) {
        return;
    }

    /* UPDATE target SET col = id WHERE id IN (new) AND (col IS NULL OR col <> id) */
    builder_init(&b, p, dialect);
    add(&b, "UPDATE ");
    add_name(&b, r->target->table);
    add(&b, " SET ");
    add_name(&b, back->column);
    add(&b, " = ");
    add_value(&b, id);
    add(&b, " WHERE ");
    add_name(&b, target_id);
    add(&b, " IN ");
    add_value_list(&b, set->ids);
    add(&b, " AND (");
    add_name(&b, back->column);
    add(&b, " IS NULL OR ");
    add_name(&b, back->column);
    add(&b, " <> ");
    add_value(&b, id);
    add(&b, ")");
    APR_ARRAY_PUSH(out, oro_sql_t *) = finish(&b);
}

/* Many-to-many: the rows of the join table (join_column is this side). */
static void replace_many_to_many(apr_array_header_t *out, apr_pool_t *p, oro_dialect_t dialect,
                                 const oro_write_to_many_t *set, const char *id)
{
    const oro_relation_t *r = set->relation;
    builder_t b;
    builder_init(&b, p, dialect);
    add(&b, "DELETE FROM ");
    add_name(&b, r->join_table);
    add(&b, " WHERE ");
    add_name(&b, r->join_column);
    add(&b, " = ");
    add_value(&b, id);
    APR_ARRAY_PUSH(out, oro_sql_t *) = finish(&b);
    for (int i = 0; i < set->ids->nelts; i++) {
        builder_init(&b, p, dialect);
        add(&b, "INSERT INTO ");
        add_name(&b, r->join_table);
        add(&b, " (");
        add_name(&b, r->join_column);
        add(&b, ", ");
        add_name(&b, r->inverse_join_column);
        add(&b, ") VALUES (");
        add_value(&b, id);
        add(&b, ", ");
        add_value(&b, APR_ARRAY_IDX(set->ids, i, const char *));
        add(&b, ")");
        APR_ARRAY_PUSH(out, oro_sql_t *) = finish(&b);
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
static void begin_count(builder_t *b, const char *table, const char *column, const char *value)
{
    add(b, "SELECT COUNT(*) FROM ");
    add_name(b, table);
    add(b, " WHERE ");
    add_name(b, column);
    add(b, " = ");
    add_value(b, value);
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
    builder_t b;
    for (int i = 0; i < doc->values->nelts; i++) {
        const oro_write_value_t *v = &APR_ARRAY_IDX(doc->values, i, oro_write_value_t);
        if (v->value == NULL) {
            continue;
        }
        if (v->field != NULL && (v->field->flags & ORO_FLAG_UNIQUE)) {
            builder_init(&b, p, dialect);
            begin_count(&b, e->table, v->field->column, v->value);
            if (self_id != NULL) {
                add(&b, " AND ");
                add_name(&b, id_column(e));
                add(&b, " <> ");
                add_value(&b, self_id);
            }
            push_check(checks, finish(&b), 0, 409, "unique constraint",
                       apr_psprintf(p, "another %s record already has %s \"%s\"", e->type,
                                    v->field->name, v->value),
                       v->pointer);
        }
        else if (v->relation != NULL) {
            const oro_entity_t *target = v->relation->target;
            builder_init(&b, p, dialect);
            begin_count(&b, target->table, id_column(target), v->value);
            push_check(checks, finish(&b), 1, 400, "relation constraint",
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
        builder_init(&b, p, dialect);
        add(&b, "SELECT COUNT(*) FROM ");
        add_name(&b, target->table);
        add(&b, " WHERE ");
        add_name(&b, id_column(target));
        add(&b, " IN ");
        add_value_list(&b, set->ids);
        push_check(checks, finish(&b), set->ids->nelts, 400, "relation constraint",
                   apr_psprintf(p, "not all of %s %s exist", target->type, id_list(p, set->ids)),
                   set->pointer);
    }
    return checks;
}
