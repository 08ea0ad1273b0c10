/* lib/api/select.c — the SELECT statements of the read API (see select.h).
 *
 * Every statement is built by appending to one buffer while the values are pushed, in
 * the same order, onto the parameter array, so that parameter marker and parameter order
 * cannot drift apart. Identifiers come from the metadata and are always quoted with
 * oro_schema_quote; values are only ever %s parameter markers. The SQL text holds no other
 * '%' (apr_dbd_prepare would read it as a parameter marker): LIKE wildcards travel inside the
 * parameters. LIMIT and OFFSET are integer literals computed from the parsed page. */
#include <string.h>

#include <apr_strings.h>

#include "api/select.h"
#include "api/sqlbuf.h"
#include "db/schema.h"

/* The main table's alias, and the alias of the table of an EXISTS sub-query. */
#define MAIN_ALIAS "t"
#define SUB_ALIAS "r"
/* The alias of a sub-query that applies a caller's filter to a relation's target. */
#define FILTER_ALIAS "f"

apr_array_header_t *oro_select_columns(apr_pool_t *p, const oro_entity_t *entity)
{
    apr_array_header_t *columns = apr_array_make(
        p, entity->fields->nelts + entity->relations->nelts, sizeof(oro_select_column_t));
    oro_select_column_t *c = apr_array_push(columns);
    c->field = oro_meta_field(entity, "id");
    c->relation = NULL;
    for (int i = 0; i < entity->fields->nelts; i++) {
        const oro_field_t *f = APR_ARRAY_IDX(entity->fields, i, const oro_field_t *);
        if (strcmp(f->name, "id") == 0 || f->type == ORO_FIELD_PASSWORD) {
            continue;
        }
        c = apr_array_push(columns);
        c->field = f;
        c->relation = NULL;
    }
    for (int i = 0; i < entity->relations->nelts; i++) {
        const oro_relation_t *r = APR_ARRAY_IDX(entity->relations, i, const oro_relation_t *);
        if (r->kind != ORO_RELATION_MANY_TO_ONE) {
            continue;
        }
        c = apr_array_push(columns);
        c->field = NULL;
        c->relation = r;
    }
    return columns;
}

/* "SELECT t.id, t.…, t.account_id FROM table t" */
/* alias.column, column quoted. */
static void add_column(oro_sqlbuf_t *b, const char *alias, const char *column)
{
    oro_sqlbuf_add(b, alias);
    oro_sqlbuf_add(b, ".");
    oro_sqlbuf_name(b, column);
}

/* The caller's extra condition on alias's records of entity: lead (" WHERE ", " AND ")
 * and the condition in parentheses, or nothing when the filter restricts nothing.
 * Returns whether it added something. The condition is built on its own buffer first
 * so that an empty one leaves no trace; its parameters follow b's in marker order. */
static int add_extra(oro_sqlbuf_t *b, const oro_select_filter_t *filter, const oro_entity_t *entity,
                     const char *alias, const char *lead)
{
    if (filter == NULL || filter->add == NULL) {
        return 0;
    }
    oro_sqlbuf_t c;
    oro_sqlbuf_init(&c, b->pool, b->dialect);
    filter->add(&c, entity, alias, filter->baton);
    if (c.len == 0) {
        return 0;
    }
    oro_sqlbuf_add(b, lead);
    oro_sqlbuf_add(b, "(");
    oro_sqlbuf_add(b, c.text);
    oro_sqlbuf_add(b, ")");
    for (int i = 0; i < c.params->nelts; i++) {
        APR_ARRAY_PUSH(b->params, const char *) = APR_ARRAY_IDX(c.params, i, const char *);
    }
    return 1;
}

void oro_select_add_columns(oro_sqlbuf_t *b, const oro_entity_t *entity, const char *alias)
{
    apr_array_header_t *columns = oro_select_columns(b->pool, entity);
    for (int i = 0; i < columns->nelts; i++) {
        const oro_select_column_t *c = &APR_ARRAY_IDX(columns, i, oro_select_column_t);
        const char *column = c->field != NULL ? c->field->column
                             : c->relation    ? c->relation->column
                                              : oro_sql_id_column(entity);
        if (i > 0) {
            oro_sqlbuf_add(b, ", ");
        }
        if (alias != NULL) {
            add_column(b, alias, column);
        }
        else {
            oro_sqlbuf_name(b, column);
        }
    }
}

static void add_select_from(oro_sqlbuf_t *b, const oro_entity_t *entity)
{
    oro_sqlbuf_add(b, "SELECT ");
    oro_select_add_columns(b, entity, MAIN_ALIAS);
    oro_sqlbuf_add(b, " FROM ");
    oro_sqlbuf_name(b, entity->table);
    oro_sqlbuf_add(b, " " MAIN_ALIAS);
}

/* The LIKE pattern of a contains / starts_with / ends_with value: the value with its
 * own %, _ and \ escaped by a backslash, between the wildcards the operator asks for. */
static const char *like_pattern(apr_pool_t *p, const char *value, int leading, int trailing)
{
    char *out = apr_palloc(p, strlen(value) * 2 + 3), *o = out;
    if (leading) {
        *o++ = '%';
    }
    for (const char *c = value; *c; c++) {
        if (*c == '%' || *c == '_' || *c == '\\') {
            *o++ = '\\';
        }
        *o++ = *c;
    }
    if (trailing) {
        *o++ = '%';
    }
    *o = '\0';
    return out;
}

static const char *first_value(const oro_filter_t *filter)
{
    return filter->values != NULL && filter->values->nelts > 0
               ? APR_ARRAY_IDX(filter->values, 0, const char *)
               : "";
}

/* Whether op is the negation of another operator (its rows are those the positive
 * operator does not match). For to-many relations these become NOT EXISTS. */
static int is_negative(oro_filter_op_t op)
{
    return op == ORO_OP_NEQ || op == ORO_OP_NEQ_OR_NULL || op == ORO_OP_NOT_CONTAINS ||
           op == ORO_OP_NOT_STARTS_WITH || op == ORO_OP_NOT_ENDS_WITH;
}

/* The condition of one operator on the expression alias.column, with NULL semantics of
 * SQL except neq_or_null. exists is handled by the callers. */
static void add_condition(oro_sqlbuf_t *b, const char *alias, const char *column,
                          const oro_filter_t *filter, oro_filter_op_t op)
{
    int pg = b->dialect == ORO_DIALECT_PGSQL;
    int several = filter->values != NULL && filter->values->nelts > 1;
    const char *value = first_value(filter);
    const char *like = NULL;
    int leading = 0, trailing = 0;

    switch (op) {
    case ORO_OP_EQ:
        add_column(b, alias, column);
        if (filter->range_from != NULL && filter->range_to != NULL) {
            oro_sqlbuf_add(b, " BETWEEN ");
            oro_sqlbuf_param(b, filter->range_from);
            oro_sqlbuf_add(b, " AND ");
            oro_sqlbuf_param(b, filter->range_to);
        }
        else if (several) {
            oro_sqlbuf_add(b, " IN ");
            oro_sqlbuf_param_list(b, filter->values);
        }
        else {
            oro_sqlbuf_add(b, " = ");
            oro_sqlbuf_param(b, value);
        }
        return;
    case ORO_OP_NEQ:
        add_column(b, alias, column);
        if (several) {
            oro_sqlbuf_add(b, " NOT IN ");
            oro_sqlbuf_param_list(b, filter->values);
        }
        else {
            oro_sqlbuf_add(b, " <> ");
            oro_sqlbuf_param(b, value);
        }
        return;
    case ORO_OP_NEQ_OR_NULL:
        oro_sqlbuf_add(b, "(");
        add_column(b, alias, column);
        if (several) {
            oro_sqlbuf_add(b, " NOT IN ");
            oro_sqlbuf_param_list(b, filter->values);
        }
        else {
            oro_sqlbuf_add(b, " <> ");
            oro_sqlbuf_param(b, value);
        }
        oro_sqlbuf_add(b, " OR ");
        add_column(b, alias, column);
        oro_sqlbuf_add(b, " IS NULL)");
        return;
    case ORO_OP_LT:
    case ORO_OP_LTE:
    case ORO_OP_GT:
    case ORO_OP_GTE:
        add_column(b, alias, column);
        oro_sqlbuf_add(b, op == ORO_OP_LT    ? " < "
                          : op == ORO_OP_LTE ? " <= "
                          : op == ORO_OP_GT  ? " > "
                                             : " >= ");
        oro_sqlbuf_param(b, value);
        return;
    case ORO_OP_EXISTS:
        add_column(b, alias, column);
        oro_sqlbuf_add(b, strcmp(value, "0") == 0 ? " IS NULL" : " IS NOT NULL");
        return;
    case ORO_OP_CONTAINS:
    case ORO_OP_NOT_CONTAINS:
        leading = trailing = 1;
        like = op == ORO_OP_CONTAINS ? "" : " NOT";
        break;
    case ORO_OP_STARTS_WITH:
    case ORO_OP_NOT_STARTS_WITH:
        trailing = 1;
        like = op == ORO_OP_STARTS_WITH ? "" : " NOT";
        break;
    case ORO_OP_ENDS_WITH:
    case ORO_OP_NOT_ENDS_WITH:
        leading = 1;
        like = op == ORO_OP_ENDS_WITH ? "" : " NOT";
        break;
    }
    if (like == NULL) {
        oro_sqlbuf_add(b, "1 = 0"); /* an operator this file does not know: match nothing */
        return;
    }
    /* Case-insensitive on both: ILIKE on PostgreSQL, LOWER() on both sides on MariaDB,
     * whose text columns compare in binary (see schema_plan.c). */
    if (!pg) {
        oro_sqlbuf_add(b, "LOWER(");
    }
    add_column(b, alias, column);
    oro_sqlbuf_add(b, pg ? "" : ")");
    oro_sqlbuf_add(b, like);
    /* NB: a MariaDB string literal treats \ as an escape, so its one-backslash literal is
     * '\\'; PostgreSQL (standard_conforming_strings) takes '\' as written. */
    oro_sqlbuf_add(b, pg ? " ILIKE " : " LIKE LOWER(");
    oro_sqlbuf_param(b, like_pattern(b->pool, value, leading, trailing));
    oro_sqlbuf_add(b, pg ? " ESCAPE '\\'" : ") ESCAPE '\\\\'");
}

/* The positive operator whose negation op is (neq → eq, not_contains → contains…). */
static oro_filter_op_t positive_of(oro_filter_op_t op)
{
    switch (op) {
    case ORO_OP_NEQ:
    case ORO_OP_NEQ_OR_NULL:
        return ORO_OP_EQ;
    case ORO_OP_NOT_CONTAINS:
        return ORO_OP_CONTAINS;
    case ORO_OP_NOT_STARTS_WITH:
        return ORO_OP_STARTS_WITH;
    case ORO_OP_NOT_ENDS_WITH:
        return ORO_OP_ENDS_WITH;
    default:
        return op;
    }
}

/* A filter on a one-to-many or many-to-many relation: [NOT] EXISTS over the related
 * rows of t, with the operator applied to the related id. exists 1/0 is EXISTS / NOT
 * EXISTS without a condition on the id; negative operators are NOT EXISTS of their
 * positive (a record with no related row matches neq, as "none of its ids is v"). */
static void add_to_many_condition(oro_sqlbuf_t *b, const oro_entity_t *entity,
                                  const oro_filter_t *filter)
{
    const oro_relation_t *r = filter->relation;
    const char *table, *owner_column, *related_column;
    if (r->kind == ORO_RELATION_ONE_TO_MANY) {
        const oro_relation_t *back = oro_meta_relation(r->target, r->mapped_by);
        table = r->target->table;
        owner_column = back != NULL ? back->column : r->mapped_by;
        related_column = oro_sql_id_column(r->target);
    }
    else {
        table = r->join_table;
        owner_column = r->join_column;
        related_column = r->inverse_join_column;
    }
    int negated = filter->op == ORO_OP_EXISTS ? strcmp(first_value(filter), "0") == 0
                                              : is_negative(filter->op);
    oro_sqlbuf_add(b, negated ? "NOT EXISTS (SELECT 1 FROM " : "EXISTS (SELECT 1 FROM ");
    oro_sqlbuf_name(b, table);
    oro_sqlbuf_add(b, " " SUB_ALIAS " WHERE ");
    add_column(b, SUB_ALIAS, owner_column);
    oro_sqlbuf_add(b, " = ");
    add_column(b, MAIN_ALIAS, oro_sql_id_column(entity));
    if (filter->op != ORO_OP_EXISTS) {
        oro_sqlbuf_add(b, " AND ");
        add_condition(b, SUB_ALIAS, related_column, filter, positive_of(filter->op));
    }
    oro_sqlbuf_add(b, ")");
}

static void add_filter(oro_sqlbuf_t *b, const oro_entity_t *entity, const oro_filter_t *filter)
{
    if (filter->relation != NULL && filter->relation->kind != ORO_RELATION_MANY_TO_ONE) {
        add_to_many_condition(b, entity, filter);
        return;
    }
    const char *column = filter->field != NULL      ? filter->field->column
                         : filter->relation != NULL ? filter->relation->column
                                                    : oro_sql_id_column(entity);
    add_condition(b, MAIN_ALIAS, column, filter, filter->op);
}

/* The condition that restricts t (the target of relation) to the records related to
 * owner_id: one-to-many, the target's inverse column; many-to-many, an EXISTS on the join
 * table (join_column is the owner's side). */
static void add_related_condition(oro_sqlbuf_t *b, const oro_relation_t *relation,
                                  const char *owner_id)
{
    if (relation->kind == ORO_RELATION_ONE_TO_MANY) {
        const oro_relation_t *back = oro_meta_relation(relation->target, relation->mapped_by);
        add_column(b, MAIN_ALIAS, back != NULL ? back->column : relation->mapped_by);
        oro_sqlbuf_add(b, " = ");
        oro_sqlbuf_param(b, owner_id);
        return;
    }
    oro_sqlbuf_add(b, "EXISTS (SELECT 1 FROM ");
    oro_sqlbuf_name(b, relation->join_table);
    oro_sqlbuf_add(b, " " SUB_ALIAS " WHERE ");
    add_column(b, SUB_ALIAS, relation->inverse_join_column);
    oro_sqlbuf_add(b, " = ");
    add_column(b, MAIN_ALIAS, oro_sql_id_column(relation->target));
    oro_sqlbuf_add(b, " AND ");
    add_column(b, SUB_ALIAS, relation->join_column);
    oro_sqlbuf_add(b, " = ");
    oro_sqlbuf_param(b, owner_id);
    oro_sqlbuf_add(b, ")");
}

/* " WHERE f1 AND f2 …", or nothing without filters. With a relation, the records are
 * further restricted to those related to owner_id (see add_related_condition). */
static void add_where(oro_sqlbuf_t *b, const oro_api_query_t *query, const oro_relation_t *relation,
                      const char *owner_id)
{
    int n = 0;
    if (relation != NULL) {
        oro_sqlbuf_add(b, " WHERE ");
        add_related_condition(b, relation, owner_id);
        n++;
    }
    for (int i = 0; query->filters != NULL && i < query->filters->nelts; i++) {
        oro_sqlbuf_add(b, n++ == 0 ? " WHERE " : " AND ");
        add_filter(b, query->entity, &APR_ARRAY_IDX(query->filters, i, oro_filter_t));
    }
    add_extra(b, query->filter, query->entity, MAIN_ALIAS, n == 0 ? " WHERE " : " AND ");
}

/* One ORDER BY key. PostgreSQL puts NULLs last ascending and first descending; MariaDB
 * the other way round, so there the NULL test leads (IS NULL is 0 for values, 1 for
 * NULL). Columns that cannot hold NULL are left bare, which keeps MariaDB able to read
 * the order from an index (the default sort's index covers required fields and id). */
static void add_order_key(oro_sqlbuf_t *b, const char *column, int nullable, int descending)
{
    if (nullable && b->dialect == ORO_DIALECT_MYSQL) {
        add_column(b, MAIN_ALIAS, column);
        oro_sqlbuf_add(b, descending ? " IS NULL DESC, " : " IS NULL, ");
    }
    add_column(b, MAIN_ALIAS, column);
    if (descending) {
        oro_sqlbuf_add(b, " DESC");
    }
}

/* " ORDER BY …" from the sort, with id appended when the sort does not hold it. */
static void add_order_by(oro_sqlbuf_t *b, const oro_api_query_t *query)
{
    const char *id = oro_sql_id_column(query->entity);
    int has_id = 0, n = 0;
    for (int i = 0; query->sort != NULL && i < query->sort->nelts; i++) {
        const oro_sort_t *s = &APR_ARRAY_IDX(query->sort, i, oro_sort_t);
        const char *column;
        int nullable;
        if (s->field != NULL) {
            column = s->field->column;
            nullable = (s->field->flags & (ORO_FLAG_REQUIRED | ORO_FLAG_SYSTEM)) == 0;
        }
        else if (s->relation != NULL && s->relation->kind == ORO_RELATION_MANY_TO_ONE) {
            column = s->relation->column;
            nullable = !s->relation->required;
        }
        else {
            continue;
        }
        if (strcmp(column, id) == 0) {
            has_id = 1;
        }
        oro_sqlbuf_add(b, n++ == 0 ? " ORDER BY " : ", ");
        add_order_key(b, column, nullable, s->descending);
    }
    if (!has_id) {
        oro_sqlbuf_add(b, n == 0 ? " ORDER BY " : ", ");
        add_column(b, MAIN_ALIAS, id);
    }
}

static oro_sql_t *select_list(apr_pool_t *p, oro_dialect_t dialect, const oro_api_query_t *query,
                              const oro_relation_t *relation, const char *owner_id)
{
    oro_sqlbuf_t b;
    oro_sqlbuf_init(&b, p, dialect);
    add_select_from(&b, query->entity);
    add_where(&b, query, relation, owner_id);
    add_order_by(&b, query);
    if (query->page_size >= 0) {
        /* NB: apr_psprintf knows no %lld; APR's own 64-bit format it does */
        apr_int64_t size = query->page_size;
        apr_int64_t offset = query->page_number > 1 ? (query->page_number - 1) * size : 0;
        oro_sqlbuf_add(&b, apr_psprintf(p, " LIMIT %" APR_INT64_T_FMT " OFFSET %" APR_INT64_T_FMT,
                                        size + 1, offset));
    }
    return oro_sqlbuf_finish(&b);
}

static oro_sql_t *select_count(apr_pool_t *p, oro_dialect_t dialect, const oro_api_query_t *query,
                               const oro_relation_t *relation, const char *owner_id)
{
    oro_sqlbuf_t b;
    oro_sqlbuf_init(&b, p, dialect);
    oro_sqlbuf_add(&b, "SELECT COUNT(*) FROM ");
    oro_sqlbuf_name(&b, query->entity->table);
    oro_sqlbuf_add(&b, " " MAIN_ALIAS);
    add_where(&b, query, relation, owner_id);
    return oro_sqlbuf_finish(&b);
}

oro_sql_t *oro_select_list(apr_pool_t *p, oro_dialect_t dialect, const oro_api_query_t *query)
{
    return select_list(p, dialect, query, NULL, NULL);
}

oro_sql_t *oro_select_count(apr_pool_t *p, oro_dialect_t dialect, const oro_api_query_t *query)
{
    return select_count(p, dialect, query, NULL, NULL);
}

oro_sql_t *oro_select_related(apr_pool_t *p, oro_dialect_t dialect, const oro_api_query_t *query,
                              const oro_relation_t *relation, const char *owner_id)
{
    return select_list(p, dialect, query, relation, owner_id);
}

oro_sql_t *oro_select_related_count(apr_pool_t *p, oro_dialect_t dialect,
                                    const oro_api_query_t *query, const oro_relation_t *relation,
                                    const char *owner_id)
{
    return select_count(p, dialect, query, relation, owner_id);
}

oro_sql_t *oro_select_by_id(apr_pool_t *p, oro_dialect_t dialect, const oro_entity_t *entity,
                            const char *id)
{
    return oro_select_by_id_filtered(p, dialect, entity, id, NULL);
}

oro_sql_t *oro_select_by_id_filtered(apr_pool_t *p, oro_dialect_t dialect,
                                     const oro_entity_t *entity, const char *id,
                                     const oro_select_filter_t *filter)
{
    oro_sqlbuf_t b;
    oro_sqlbuf_init(&b, p, dialect);
    add_select_from(&b, entity);
    oro_sqlbuf_add(&b, " WHERE ");
    add_column(&b, MAIN_ALIAS, oro_sql_id_column(entity));
    oro_sqlbuf_add(&b, " = ");
    oro_sqlbuf_param(&b, id);
    add_extra(&b, filter, entity, MAIN_ALIAS, " AND ");
    return oro_sqlbuf_finish(&b);
}

oro_sql_t *oro_select_count_by_id(apr_pool_t *p, oro_dialect_t dialect, const oro_entity_t *entity,
                                  const char *id, const oro_select_filter_t *filter)
{
    oro_sqlbuf_t b;
    oro_sqlbuf_init(&b, p, dialect);
    oro_sqlbuf_add(&b, "SELECT COUNT(*) FROM ");
    oro_sqlbuf_name(&b, entity->table);
    oro_sqlbuf_add(&b, " " MAIN_ALIAS " WHERE ");
    add_column(&b, MAIN_ALIAS, oro_sql_id_column(entity));
    oro_sqlbuf_add(&b, " = ");
    oro_sqlbuf_param(&b, id);
    add_extra(&b, filter, entity, MAIN_ALIAS, " AND ");
    return oro_sqlbuf_finish(&b);
}

/* An empty ids array gives a statement that returns no rows ("IN ()" is not SQL). */
oro_sql_t *oro_select_by_ids(apr_pool_t *p, oro_dialect_t dialect, const oro_entity_t *entity,
                             const apr_array_header_t *ids)
{
    return oro_select_by_ids_filtered(p, dialect, entity, ids, NULL);
}

oro_sql_t *oro_select_by_ids_filtered(apr_pool_t *p, oro_dialect_t dialect,
                                      const oro_entity_t *entity, const apr_array_header_t *ids,
                                      const oro_select_filter_t *filter)
{
    oro_sqlbuf_t b;
    oro_sqlbuf_init(&b, p, dialect);
    add_select_from(&b, entity);
    oro_sqlbuf_add(&b, " WHERE ");
    if (ids->nelts == 0) {
        oro_sqlbuf_add(&b, "1 = 0");
    }
    else {
        add_column(&b, MAIN_ALIAS, oro_sql_id_column(entity));
        oro_sqlbuf_add(&b, " IN ");
        oro_sqlbuf_param_list(&b, ids);
        add_extra(&b, filter, entity, MAIN_ALIAS, " AND ");
    }
    oro_sqlbuf_add(&b, " ORDER BY ");
    add_column(&b, MAIN_ALIAS, oro_sql_id_column(entity));
    return oro_sqlbuf_finish(&b);
}

/* NULL for a many-to-one relation (its id is a column of the owner's row). An empty ids
 * array gives a statement that returns no rows. */
oro_sql_t *oro_select_to_many_ids(apr_pool_t *p, oro_dialect_t dialect,
                                  const oro_relation_t *relation, const apr_array_header_t *ids)
{
    return oro_select_to_many_ids_filtered(p, dialect, relation, ids, NULL);
}

/* The filter applies to the related records: on a one-to-many the rows read are theirs
 * (alias r); on a many-to-many the related id must be one of the target's records that
 * pass it (a sub-query on the target under alias f). */
oro_sql_t *oro_select_to_many_ids_filtered(apr_pool_t *p, oro_dialect_t dialect,
                                           const oro_relation_t *relation,
                                           const apr_array_header_t *ids,
                                           const oro_select_filter_t *filter)
{
    const char *table, *owner_column, *related_column;
    if (relation->kind == ORO_RELATION_ONE_TO_MANY) {
        const oro_relation_t *back = oro_meta_relation(relation->target, relation->mapped_by);
        if (back == NULL) {
            return NULL;
        }
        table = relation->target->table;
        owner_column = back->column;
        related_column = oro_sql_id_column(relation->target);
    }
    else if (relation->kind == ORO_RELATION_MANY_TO_MANY) {
        table = relation->join_table;
        owner_column = relation->join_column;
        related_column = relation->inverse_join_column;
    }
    else {
        return NULL;
    }
    oro_sqlbuf_t b;
    oro_sqlbuf_init(&b, p, dialect);
    oro_sqlbuf_add(&b, "SELECT ");
    add_column(&b, SUB_ALIAS, owner_column);
    oro_sqlbuf_add(&b, ", ");
    add_column(&b, SUB_ALIAS, related_column);
    oro_sqlbuf_add(&b, " FROM ");
    oro_sqlbuf_name(&b, table);
    oro_sqlbuf_add(&b, " " SUB_ALIAS " WHERE ");
    if (ids->nelts == 0) {
        oro_sqlbuf_add(&b, "1 = 0");
    }
    else {
        add_column(&b, SUB_ALIAS, owner_column);
        oro_sqlbuf_add(&b, " IN ");
        oro_sqlbuf_param_list(&b, ids);
        if (relation->kind == ORO_RELATION_ONE_TO_MANY) {
            add_extra(&b, filter, relation->target, SUB_ALIAS, " AND ");
        }
        else {
            oro_sqlbuf_t c;
            oro_sqlbuf_init(&c, p, dialect);
            if (add_extra(&c, filter, relation->target, FILTER_ALIAS, " WHERE ")) {
                oro_sqlbuf_add(&b, " AND ");
                add_column(&b, SUB_ALIAS, related_column);
                oro_sqlbuf_add(&b, " IN (SELECT " FILTER_ALIAS ".");
                oro_sqlbuf_name(&b, oro_sql_id_column(relation->target));
                oro_sqlbuf_add(&b, " FROM ");
                oro_sqlbuf_name(&b, relation->target->table);
                oro_sqlbuf_add(&b, " " FILTER_ALIAS);
                oro_sqlbuf_add(&b, c.text);
                oro_sqlbuf_add(&b, ")");
                for (int i = 0; i < c.params->nelts; i++) {
                    APR_ARRAY_PUSH(b.params, const char *) =
                        APR_ARRAY_IDX(c.params, i, const char *);
                }
            }
        }
    }
    oro_sqlbuf_add(&b, " ORDER BY ");
    add_column(&b, SUB_ALIAS, owner_column);
    oro_sqlbuf_add(&b, ", ");
    add_column(&b, SUB_ALIAS, related_column);
    return oro_sqlbuf_finish(&b);
}
