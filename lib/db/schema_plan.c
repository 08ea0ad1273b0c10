/* lib/db/schema_plan.c — the DDL between the metadata and the database. */
#include <apr_strings.h>
#include <stdarg.h>
#include <string.h>

#include "db/schema.h"

#define MAX_NAME 63

typedef struct {
    apr_pool_t *pool;
    oro_dialect_t dialect;
    const oro_db_schema_t *current;
    int force;
    oro_schema_plan_t *plan;
    apr_hash_t *new_tables; /* tables created by this plan: no online DDL needed */
    apr_hash_t *planned;    /* object names planned, to avoid duplicates */
} planner_t;

const char *oro_schema_quote(apr_pool_t *p, oro_dialect_t dialect, const char *name)
{
    char q = dialect == ORO_DIALECT_MYSQL ? '`' : '"';
    char *out = apr_palloc(p, strlen(name) * 2 + 3), *o = out;
    *o++ = q;
    for (const char *c = name; *c; c++) {
        if (*c == q) {
            *o++ = q;
        }
        *o++ = *c;
    }
    *o++ = q;
    *o = '\0';
    return out;
}

const char *oro_schema_object_name(apr_pool_t *p, const char *prefix, const char *table,
                                   const char *column)
{
    const char *name = apr_pstrcat(p, prefix, "_", table, "_", column, NULL);
    if (strlen(name) <= MAX_NAME) {
        return name;
    }
    unsigned long hash = 5381;
    for (const char *c = name; *c; c++) {
        hash = hash * 33 + (unsigned char)*c;
    }
    return apr_psprintf(p, "%.*s_%08lx", MAX_NAME - 9, name, hash & 0xffffffffUL);
}

const char *oro_schema_field_type(apr_pool_t *p, const oro_field_t *f, oro_dialect_t dialect)
{
    int my = dialect == ORO_DIALECT_MYSQL;
    switch (f->type) {
    case ORO_FIELD_TEXT:
        return my ? "mediumtext" : "text";
    case ORO_FIELD_INTEGER:
        return my ? "int" : "integer";
    case ORO_FIELD_BIGINT:
        return "bigint";
    case ORO_FIELD_DECIMAL:
    case ORO_FIELD_MONEY:
        return apr_psprintf(p, "%s(%d,%d)", my ? "decimal" : "numeric", f->precision, f->scale);
    case ORO_FIELD_BOOLEAN:
        return my ? "tinyint(1)" : "boolean";
    case ORO_FIELD_DATE:
        return "date";
    case ORO_FIELD_DATETIME:
        return my ? "datetime(6)" : "timestamp(6) without time zone";
    default:
        return apr_psprintf(p, "varchar(%d)", f->length);
    }
}

static oro_sql_kind_t field_kind(const oro_field_t *f)
{
    switch (f->type) {
    case ORO_FIELD_TEXT:
        return ORO_SQL_TEXT;
    case ORO_FIELD_INTEGER:
        return ORO_SQL_INT;
    case ORO_FIELD_BIGINT:
        return ORO_SQL_BIGINT;
    case ORO_FIELD_DECIMAL:
    case ORO_FIELD_MONEY:
        return ORO_SQL_DECIMAL;
    case ORO_FIELD_BOOLEAN:
        return ORO_SQL_BOOL;
    case ORO_FIELD_DATE:
        return ORO_SQL_DATE;
    case ORO_FIELD_DATETIME:
        return ORO_SQL_DATETIME;
    default:
        return ORO_SQL_VARCHAR;
    }
}

static const char *literal(apr_pool_t *p, oro_dialect_t dialect, const char *text)
{
    char *out = apr_palloc(p, strlen(text) * 2 + 3), *o = out;
    *o++ = '\'';
    for (const char *c = text; *c; c++) {
        if (*c == '\'' || (*c == '\\' && dialect == ORO_DIALECT_MYSQL)) {
            *o++ = *c;
        }
        *o++ = *c;
    }
    *o++ = '\'';
    *o = '\0';
    return out;
}

static const char *default_clause(apr_pool_t *p, const oro_field_t *f, oro_dialect_t dialect)
{
    if (f->flags & ORO_FLAG_SYSTEM) {
        if (f->type == ORO_FIELD_DATETIME) {
            return dialect == ORO_DIALECT_MYSQL ? " DEFAULT UTC_TIMESTAMP(6)"
                                                : " DEFAULT (now() AT TIME ZONE 'utc')";
        }
        return "";
    }
    if (f->default_value == NULL) {
        return "";
    }
    switch (f->type) {
    case ORO_FIELD_BOOLEAN:
        return dialect == ORO_DIALECT_MYSQL
                   ? (strcmp(f->default_value, "true") == 0 ? " DEFAULT 1" : " DEFAULT 0")
                   : apr_pstrcat(p, " DEFAULT ", f->default_value, NULL);
    case ORO_FIELD_INTEGER:
    case ORO_FIELD_BIGINT:
    case ORO_FIELD_DECIMAL:
    case ORO_FIELD_MONEY:
        return apr_pstrcat(p, " DEFAULT ", f->default_value, NULL);
    default:
        return apr_pstrcat(p, " DEFAULT ", literal(p, dialect, f->default_value), NULL);
    }
}

static int field_not_null(const oro_field_t *f)
{
    return (f->flags & (ORO_FLAG_REQUIRED | ORO_FLAG_SYSTEM)) != 0;
}

static const char *field_definition(planner_t *pl, const oro_field_t *f)
{
    return apr_psprintf(pl->pool, "%s %s%s%s", oro_schema_quote(pl->pool, pl->dialect, f->column),
                        oro_schema_field_type(pl->pool, f, pl->dialect),
                        field_not_null(f) ? " NOT NULL" : "",
                        default_clause(pl->pool, f, pl->dialect));
}

static const char *relation_definition(planner_t *pl, const oro_relation_t *r)
{
    return apr_psprintf(pl->pool, "%s bigint%s", oro_schema_quote(pl->pool, pl->dialect, r->column),
                        r->required ? " NOT NULL" : "");
}

static void emit(planner_t *pl, int in_transaction_ok, const char *summary, const char *sql)
{
    oro_ddl_t *d = apr_array_push(pl->plan->statements);
    d->undo_sql = NULL;
    d->sql = sql;
    d->in_transaction_ok = in_transaction_ok;
    d->summary = summary;
}

static int exists(planner_t *pl, const char *name)
{
    if (apr_hash_get(pl->planned, name, APR_HASH_KEY_STRING)) {
        return 1;
    }
    apr_hash_set(pl->planned, name, APR_HASH_KEY_STRING, "");
    return pl->current != NULL && apr_hash_get(pl->current->objects, name, APR_HASH_KEY_STRING);
}

static const oro_db_table_t *current_table(planner_t *pl, const char *table)
{
    return pl->current ? apr_hash_get(pl->current->tables, table, APR_HASH_KEY_STRING) : NULL;
}

static const char *q(planner_t *pl, const char *name)
{
    return oro_schema_quote(pl->pool, pl->dialect, name);
}

/* MariaDB tables compare text by code point without padding (utf8mb4_nopad_bin), as
 * PostgreSQL does in its C.UTF-8 database: equality, uniqueness and sort order are then
 * the same on both databases (case-insensitive operators lower both sides). */
static const char *table_options(planner_t *pl)
{
    return pl->dialect == ORO_DIALECT_MYSQL
               ? " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin"
               : "";
}

/* An index on existing tables is built without blocking writes: CONCURRENTLY on
 * PostgreSQL (outside a transaction), LOCK=NONE on MariaDB. */
static void plan_index(planner_t *pl, const char *table, const char *name, const char *columns,
                       int unique)
{
    if (exists(pl, name)) {
        return;
    }
    apr_pool_t *p = pl->pool;
    int online = !apr_hash_get(pl->new_tables, table, APR_HASH_KEY_STRING);
    const char *summary = apr_psprintf(p, "add %sindex %s", unique ? "unique " : "", name);
    if (pl->dialect == ORO_DIALECT_MYSQL) {
        emit(pl, 1, summary,
             apr_psprintf(p, "ALTER TABLE %s ADD %s %s (%s)%s", q(pl, table),
                          unique ? "CONSTRAINT" : "INDEX",
                          unique ? apr_pstrcat(p, q(pl, name), " UNIQUE", NULL) : q(pl, name),
                          columns, online ? ", LOCK=NONE" : ""));
        return;
    }
    /* NB: a failed CONCURRENTLY build leaves an invalid index behind under the name the
     * next run would take as done; undo_sql removes it. */
    const char *undo = online ? apr_psprintf(p, "DROP INDEX IF EXISTS %s", q(pl, name)) : NULL;
    if (unique) {
        emit(pl, !online, summary,
             apr_psprintf(p, "CREATE UNIQUE INDEX %s%s ON %s (%s)", online ? "CONCURRENTLY " : "",
                          q(pl, name), q(pl, table), columns));
        APR_ARRAY_IDX(pl->plan->statements, pl->plan->statements->nelts - 1, oro_ddl_t).undo_sql =
            undo;
        emit(pl, 1, apr_psprintf(p, "add unique constraint %s", name),
             apr_psprintf(p, "ALTER TABLE %s ADD CONSTRAINT %s UNIQUE USING INDEX %s", q(pl, table),
                          q(pl, name), q(pl, name)));
        return;
    }
    emit(pl, !online, summary,
         apr_psprintf(p, "CREATE INDEX %s%s ON %s (%s)", online ? "CONCURRENTLY " : "", q(pl, name),
                      q(pl, table), columns));
    APR_ARRAY_IDX(pl->plan->statements, pl->plan->statements->nelts - 1, oro_ddl_t).undo_sql = undo;
}

static void plan_foreign_key(planner_t *pl, const char *table, const char *column,
                             const char *target_table, oro_on_delete_t on_delete)
{
    const char *name = oro_schema_object_name(pl->pool, "fk", table, column);
    if (exists(pl, name)) {
        return;
    }
    static const char *const actions[] = {"RESTRICT", "SET NULL", "CASCADE"};
    emit(pl, 1, apr_psprintf(pl->pool, "add foreign key %s", name),
         apr_psprintf(pl->pool,
                      "ALTER TABLE %s ADD CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (id) "
                      "ON DELETE %s",
                      q(pl, table), q(pl, name), q(pl, column), q(pl, target_table),
                      actions[on_delete]));
}

/* updated_at follows every UPDATE, whoever writes it (API, imports, plain SQL). */
static void plan_touch_trigger(planner_t *pl, const char *table)
{
    const char *name = oro_schema_object_name(pl->pool, "trg", table, "touch");
    if (exists(pl, name)) {
        return;
    }
    const char *summary = apr_psprintf(pl->pool, "add trigger %s", name);
    if (pl->dialect == ORO_DIALECT_MYSQL) {
        emit(pl, 1, summary,
             apr_psprintf(pl->pool,
                          "CREATE TRIGGER %s BEFORE UPDATE ON %s FOR EACH ROW "
                          "SET NEW.updated_at = UTC_TIMESTAMP(6)",
                          q(pl, name), q(pl, table)));
        return;
    }
    emit(pl, 1, summary,
         apr_psprintf(pl->pool,
                      "CREATE TRIGGER %s BEFORE UPDATE ON %s FOR EACH ROW "
                      "EXECUTE FUNCTION oro_touch_updated_at()",
                      q(pl, name), q(pl, table)));
}

static void refuse(planner_t *pl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void refuse(planner_t *pl, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    APR_ARRAY_PUSH(pl->plan->refusals, const char *) = apr_pvsprintf(pl->pool, fmt, ap);
    va_end(ap);
}

/* Whether changing a column from have to want keeps every value: longer strings,
 * string to text, integer to bigint, decimals with at least as many digits on both
 * sides of the point. */
static int widening(const oro_db_column_t *have, oro_sql_kind_t want_kind, int want_length,
                    int want_precision, int want_scale)
{
    if (have->kind == want_kind) {
        switch (want_kind) {
        case ORO_SQL_VARCHAR:
            return want_length >= have->length;
        case ORO_SQL_DECIMAL:
            return want_scale >= have->scale &&
                   want_precision - want_scale >= have->precision - have->scale;
        default:
            return 1;
        }
    }
    return (have->kind == ORO_SQL_VARCHAR && want_kind == ORO_SQL_TEXT) ||
           (have->kind == ORO_SQL_INT && want_kind == ORO_SQL_BIGINT);
}

static int same_type(const oro_db_column_t *have, oro_sql_kind_t kind, int length, int precision,
                     int scale)
{
    return have->kind == kind && (kind != ORO_SQL_VARCHAR || have->length == length) &&
           (kind != ORO_SQL_DECIMAL || (have->precision == precision && have->scale == scale));
}

/* The type as the database reports it, with its length or precision and scale. */
static const char *column_type_text(apr_pool_t *p, const oro_db_column_t *c)
{
    if (c->kind == ORO_SQL_VARCHAR) {
        return apr_psprintf(p, "%s(%d)", c->type_text, c->length);
    }
    if (c->kind == ORO_SQL_DECIMAL) {
        return apr_psprintf(p, "%s(%d,%d)", c->type_text, c->precision, c->scale);
    }
    return c->type_text;
}

static void plan_alter_type(planner_t *pl, const oro_db_table_t *t, const oro_field_t *f)
{
    const char *type = oro_schema_field_type(pl->pool, f, pl->dialect);
    const char *summary = apr_psprintf(pl->pool, "change %s.%s to %s", t->name, f->column, type);
    if (pl->dialect == ORO_DIALECT_MYSQL) {
        emit(pl, 1, summary,
             apr_psprintf(pl->pool, "ALTER TABLE %s MODIFY %s", q(pl, t->name),
                          field_definition(pl, f)));
    }
    else {
        emit(pl, 1, summary,
             apr_psprintf(pl->pool, "ALTER TABLE %s ALTER COLUMN %s TYPE %s USING %s::%s",
                          q(pl, t->name), q(pl, f->column), type, q(pl, f->column), type));
    }
}

/* NULL to NOT NULL (refused without force: rows may hold NULL) or back. what names
 * the field for messages ("contacts.nickname"); definition is the full column
 * definition MariaDB's MODIFY needs. */
static void plan_nullability(planner_t *pl, const oro_db_table_t *t, const char *what,
                             const char *column, int nullable_now, int want_not_null,
                             const char *definition)
{
    apr_pool_t *p = pl->pool;
    if (nullable_now == !want_not_null) {
        return;
    }
    if (want_not_null && !pl->force) {
        refuse(pl,
               "%s became required: making %s.%s NOT NULL fails if a row holds NULL; fill it, "
               "then run with --force",
               what, t->name, column);
        return;
    }
    emit(pl, 1,
         apr_psprintf(p, "make %s.%s %s", t->name, column, want_not_null ? "NOT NULL" : "optional"),
         pl->dialect == ORO_DIALECT_MYSQL
             ? apr_psprintf(p, "ALTER TABLE %s MODIFY %s", q(pl, t->name), definition)
             : apr_psprintf(p, "ALTER TABLE %s ALTER COLUMN %s %s NOT NULL", q(pl, t->name),
                            q(pl, column), want_not_null ? "SET" : "DROP"));
}

static void plan_field(planner_t *pl, const oro_entity_t *e, const oro_db_table_t *t,
                       const oro_field_t *f)
{
    apr_pool_t *p = pl->pool;
    const oro_db_column_t *have = apr_hash_get(t->columns, f->column, APR_HASH_KEY_STRING);
    if (have == NULL) {
        if (field_not_null(f) && f->default_value == NULL && !(f->flags & ORO_FLAG_SYSTEM) &&
            t->has_rows) {
            refuse(pl,
                   "%s.%s is required but has no default, and %s already holds rows: give it a "
                   "\"default\" in %s, or make it optional first",
                   e->type, f->name, t->name, e->file);
            return;
        }
        emit(pl, 1, apr_psprintf(p, "add column %s.%s", t->name, f->column),
             apr_psprintf(p, "ALTER TABLE %s ADD COLUMN %s%s", q(pl, t->name),
                          field_definition(pl, f),
                          pl->dialect == ORO_DIALECT_MYSQL ? ", LOCK=NONE" : ""));
        return;
    }
    oro_sql_kind_t kind = field_kind(f);
    if (!same_type(have, kind, f->length, f->precision, f->scale)) {
        const char *want = oro_schema_field_type(p, f, pl->dialect);
        if (widening(have, kind, f->length, f->precision, f->scale) || pl->force) {
            plan_alter_type(pl, t, f);
        }
        else {
            refuse(pl,
                   "%s.%s: changing %s.%s from %s to %s may lose data (narrowing or "
                   "incompatible); run with --force to change it anyway",
                   e->type, f->name, t->name, f->column, column_type_text(p, have), want);
            return;
        }
    }
    plan_nullability(pl, t, apr_pstrcat(p, e->type, ".", f->name, NULL), f->column, have->nullable,
                     field_not_null(f), field_definition(pl, f));
}

static void plan_relation_column(planner_t *pl, const oro_entity_t *e, const oro_db_table_t *t,
                                 const oro_relation_t *r)
{
    apr_pool_t *p = pl->pool;
    const oro_db_column_t *have = apr_hash_get(t->columns, r->column, APR_HASH_KEY_STRING);
    if (have == NULL) {
        if (r->required && t->has_rows) {
            refuse(pl,
                   "%s.%s is a required relation, and %s already holds rows: make it optional, "
                   "add it, fill it, then make it required",
                   e->type, r->name, t->name);
            return;
        }
        emit(pl, 1, apr_psprintf(p, "add column %s.%s", t->name, r->column),
             apr_psprintf(p, "ALTER TABLE %s ADD COLUMN %s%s", q(pl, t->name),
                          relation_definition(pl, r),
                          pl->dialect == ORO_DIALECT_MYSQL ? ", LOCK=NONE" : ""));
        return;
    }
    plan_nullability(pl, t, apr_pstrcat(p, e->type, ".", r->name, NULL), r->column, have->nullable,
                     r->required, relation_definition(pl, r));
}

static void plan_create_table(planner_t *pl, const oro_entity_t *e)
{
    apr_pool_t *p = pl->pool;
    apr_array_header_t *parts = apr_array_make(p, 16, sizeof(const char *));
    APR_ARRAY_PUSH(parts, const char *) =
        pl->dialect == ORO_DIALECT_MYSQL ? "id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY"
                                         : "id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
    for (int i = 0; i < e->fields->nelts; i++) {
        const oro_field_t *f = APR_ARRAY_IDX(e->fields, i, oro_field_t *);
        if (strcmp(f->name, "id") != 0) {
            APR_ARRAY_PUSH(parts, const char *) = field_definition(pl, f);
        }
    }
    for (int i = 0; i < e->relations->nelts; i++) {
        const oro_relation_t *r = APR_ARRAY_IDX(e->relations, i, oro_relation_t *);
        if (r->kind == ORO_RELATION_MANY_TO_ONE) {
            APR_ARRAY_PUSH(parts, const char *) = relation_definition(pl, r);
        }
    }
    const char *joined = "";
    for (int i = 0; i < parts->nelts; i++) {
        joined =
            apr_pstrcat(p, joined, i ? ",\n    " : "", APR_ARRAY_IDX(parts, i, const char *), NULL);
    }
    apr_hash_set(pl->new_tables, e->table, APR_HASH_KEY_STRING, "");
    emit(pl, 1, apr_psprintf(p, "create table %s (%s)", e->table, e->type),
         apr_psprintf(p, "CREATE TABLE %s (\n    %s\n)%s", q(pl, e->table), joined,
                      table_options(pl)));
}

static void plan_join_table(planner_t *pl, const oro_relation_t *r)
{
    apr_pool_t *p = pl->pool;
    if (current_table(pl, r->join_table) != NULL) {
        return;
    }
    apr_hash_set(pl->new_tables, r->join_table, APR_HASH_KEY_STRING, "");
    emit(pl, 1,
         apr_psprintf(p, "create join table %s (%s.%s)", r->join_table, r->entity->type, r->name),
         apr_psprintf(p,
                      "CREATE TABLE %s (\n    %s bigint NOT NULL,\n    %s bigint NOT NULL,\n"
                      "    PRIMARY KEY (%s, %s)\n)%s",
                      q(pl, r->join_table), q(pl, r->join_column), q(pl, r->inverse_join_column),
                      q(pl, r->join_column), q(pl, r->inverse_join_column), table_options(pl)));
}

static const char *column_list(planner_t *pl, const char *const *columns, int n)
{
    const char *out = "";
    for (int i = 0; i < n; i++) {
        out = apr_pstrcat(pl->pool, out, i ? ", " : "", q(pl, columns[i]), NULL);
    }
    return out;
}

/* The default sort's columns plus id, so the list query with its tie-breaker is an
 * index scan. Skipped when the sort is just the id. */
static void plan_sort_index(planner_t *pl, const oro_entity_t *e)
{
    const char *columns[8];
    int n = 0;
    for (int i = 0; i < e->default_sort->nelts && n < 7; i++) {
        const oro_sort_key_t *k = &APR_ARRAY_IDX(e->default_sort, i, oro_sort_key_t);
        const oro_field_t *f = oro_meta_field(e, k->field);
        const oro_relation_t *r = f ? NULL : oro_meta_relation(e, k->field);
        const char *column = f ? f->column : r ? r->column : NULL;
        if (column == NULL || strcmp(column, "id") == 0) {
            break;
        }
        columns[n++] = column;
    }
    if (n == 0) {
        return;
    }
    columns[n++] = "id";
    plan_index(pl, e->table, oro_schema_object_name(pl->pool, "idx", e->table, "sort"),
               column_list(pl, columns, n), 0);
}

oro_schema_plan_t *oro_schema_plan(apr_pool_t *p, const oro_meta_t *meta, oro_dialect_t dialect,
                                   const oro_db_schema_t *current, int force)
{
    planner_t pl = {p, dialect, current, force, NULL, apr_hash_make(p), apr_hash_make(p)};
    pl.plan = apr_pcalloc(p, sizeof(oro_schema_plan_t));
    pl.plan->statements = apr_array_make(p, 32, sizeof(oro_ddl_t));
    pl.plan->refusals = apr_array_make(p, 2, sizeof(const char *));
    pl.plan->notices = apr_array_make(p, 2, sizeof(const char *));
    apr_array_header_t *entities = meta->entities;

    if (dialect == ORO_DIALECT_PGSQL && !exists(&pl, "oro_touch_updated_at")) {
        emit(&pl, 1, "add function oro_touch_updated_at",
             "CREATE OR REPLACE FUNCTION oro_touch_updated_at() RETURNS trigger AS $$\n"
             "BEGIN\n    NEW.updated_at := now() AT TIME ZONE 'utc';\n    RETURN NEW;\nEND\n"
             "$$ LANGUAGE plpgsql");
    }
    /* tables and columns */
    for (int i = 0; i < entities->nelts; i++) {
        const oro_entity_t *e = APR_ARRAY_IDX(entities, i, oro_entity_t *);
        const oro_db_table_t *t = current_table(&pl, e->table);
        if (t == NULL) {
            plan_create_table(&pl, e);
            continue;
        }
        apr_hash_t *wanted = apr_hash_make(p);
        for (int j = 0; j < e->fields->nelts; j++) {
            const oro_field_t *f = APR_ARRAY_IDX(e->fields, j, oro_field_t *);
            apr_hash_set(wanted, f->column, APR_HASH_KEY_STRING, "");
            if (strcmp(f->name, "id") != 0) {
                plan_field(&pl, e, t, f);
            }
        }
        for (int j = 0; j < e->relations->nelts; j++) {
            const oro_relation_t *r = APR_ARRAY_IDX(e->relations, j, oro_relation_t *);
            if (r->kind == ORO_RELATION_MANY_TO_ONE) {
                apr_hash_set(wanted, r->column, APR_HASH_KEY_STRING, "");
                plan_relation_column(&pl, e, t, r);
            }
        }
        for (apr_hash_index_t *hi = apr_hash_first(p, t->columns); hi; hi = apr_hash_next(hi)) {
            const oro_db_column_t *c = apr_hash_this_val(hi);
            if (apr_hash_get(wanted, c->name, APR_HASH_KEY_STRING)) {
                continue;
            }
            if (!force) {
                refuse(&pl,
                       "%s.%s is not in the definition of %s (%s): dropping it loses its data; "
                       "run with --force to drop it",
                       e->table, c->name, e->type, e->file);
                continue;
            }
            emit(&pl, 1, apr_psprintf(p, "drop column %s.%s", e->table, c->name),
                 apr_psprintf(p, "ALTER TABLE %s DROP COLUMN %s", q(&pl, e->table),
                              q(&pl, c->name)));
        }
    }
    for (int i = 0; i < entities->nelts; i++) {
        const oro_entity_t *e = APR_ARRAY_IDX(entities, i, oro_entity_t *);
        for (int j = 0; j < e->relations->nelts; j++) {
            const oro_relation_t *r = APR_ARRAY_IDX(e->relations, j, oro_relation_t *);
            if (r->kind == ORO_RELATION_MANY_TO_MANY && r->mapped_by == NULL) {
                plan_join_table(&pl, r);
            }
        }
    }
    /* indexes and unique constraints */
    for (int i = 0; i < entities->nelts; i++) {
        const oro_entity_t *e = APR_ARRAY_IDX(entities, i, oro_entity_t *);
        for (int j = 0; j < e->fields->nelts; j++) {
            const oro_field_t *f = APR_ARRAY_IDX(e->fields, j, oro_field_t *);
            if (f->flags & ORO_FLAG_UNIQUE) {
                plan_index(&pl, e->table, oro_schema_object_name(p, "uq", e->table, f->column),
                           q(&pl, f->column), 1);
            }
            else if (f->flags & ORO_FLAG_INDEXED) {
                /* (column, id): an equality filter on it, then the id order of a page */
                plan_index(&pl, e->table, oro_schema_object_name(p, "idx", e->table, f->column),
                           apr_pstrcat(p, q(&pl, f->column), ", ", q(&pl, "id"), NULL), 0);
            }
        }
        for (int j = 0; j < e->relations->nelts; j++) {
            const oro_relation_t *r = APR_ARRAY_IDX(e->relations, j, oro_relation_t *);
            if (r->kind == ORO_RELATION_MANY_TO_ONE) {
                plan_index(&pl, e->table, oro_schema_object_name(p, "idx", e->table, r->column),
                           q(&pl, r->column), 0);
            }
            else if (r->kind == ORO_RELATION_MANY_TO_MANY && r->mapped_by == NULL) {
                plan_index(&pl, r->join_table,
                           oro_schema_object_name(p, "idx", r->join_table, r->inverse_join_column),
                           q(&pl, r->inverse_join_column), 0);
            }
        }
        plan_sort_index(&pl, e);
    }
    /* foreign keys, then triggers */
    for (int i = 0; i < entities->nelts; i++) {
        const oro_entity_t *e = APR_ARRAY_IDX(entities, i, oro_entity_t *);
        for (int j = 0; j < e->relations->nelts; j++) {
            const oro_relation_t *r = APR_ARRAY_IDX(e->relations, j, oro_relation_t *);
            if (r->kind == ORO_RELATION_MANY_TO_ONE) {
                plan_foreign_key(&pl, e->table, r->column, r->target->table, r->on_delete);
            }
            else if (r->kind == ORO_RELATION_MANY_TO_MANY && r->mapped_by == NULL) {
                plan_foreign_key(&pl, r->join_table, r->join_column, e->table,
                                 ORO_ON_DELETE_CASCADE);
                plan_foreign_key(&pl, r->join_table, r->inverse_join_column, r->target->table,
                                 ORO_ON_DELETE_CASCADE);
            }
        }
        plan_touch_trigger(&pl, e->table);
    }
    /* tables of entities that are gone: noticed, never dropped */
    if (current != NULL) {
        for (apr_hash_index_t *hi = apr_hash_first(p, current->tables); hi;
             hi = apr_hash_next(hi)) {
            const oro_db_table_t *t = apr_hash_this_val(hi);
            if (!apr_hash_get(meta->by_table, t->name, APR_HASH_KEY_STRING) &&
                apr_hash_get(current->objects, oro_schema_object_name(p, "trg", t->name, "touch"),
                             APR_HASH_KEY_STRING)) {
                APR_ARRAY_PUSH(pl.plan->notices, const char *) = apr_psprintf(
                    p,
                    "table %s is no longer defined by any entity: left in place (drop it by "
                    "hand once its data is not needed)",
                    t->name);
            }
        }
    }
    return pl.plan;
}

int oro_schema_apply(oro_db_t *db, apr_pool_t *p, const oro_schema_plan_t *plan, FILE *progress,
                     const char **error)
{
    /* NB: DDL waits for locks held by running transactions and blocks every query
     * queued behind it; a short lock_timeout fails fast instead (run again later). */
    if (db->dialect == ORO_DIALECT_PGSQL) {
        oro_db_exec(db, p, error, NULL, "SET lock_timeout = '10s'", NULL);
    }
    else {
        oro_db_exec(db, p, error, NULL, "SET SESSION lock_wait_timeout = 10", NULL);
    }
    for (int i = 0; i < plan->statements->nelts; i++) {
        const oro_ddl_t *d = &APR_ARRAY_IDX(plan->statements, i, oro_ddl_t);
        if (oro_db_exec(db, p, error, NULL, d->sql, NULL) != 0) {
            const char *why = *error;
            if (d->undo_sql != NULL) {
                const char *ignored;
                oro_db_exec(db, p, &ignored, NULL, d->undo_sql, NULL);
            }
            *error = apr_psprintf(p, "could not %s: %s (statement: %s)", d->summary, why, d->sql);
            return -1;
        }
        if (progress != NULL) {
            fprintf(progress, "%s\n", d->summary);
        }
    }
    *error = NULL;
    return plan->statements->nelts;
}
