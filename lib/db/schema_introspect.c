/* lib/db/schema_introspect.c — reads the current schema through information_schema
 * (both dialects) and pg_indexes (PostgreSQL). */
#include <apr_strings.h>
#include <stdlib.h>
#include <string.h>

#include "db/schema.h"

typedef void (*row_fn)(apr_pool_t *p, oro_db_schema_t *schema, const char **values);

/* Runs sql and calls fn for every row with ncols column values (NULL for SQL NULL). */
static int for_each_row(oro_db_t *db, apr_pool_t *p, const char *sql, int ncols,
                        oro_db_schema_t *schema, row_fn fn, const char **error)
{
    apr_dbd_results_t *res = NULL;
    int rc = apr_dbd_select(db->driver, p, db->handle, &res, sql, ORO_DB_RANDOM(db));
    if (rc != 0) {
        *error = oro_db_one_line(p, apr_dbd_error(db->driver, db->handle, rc));
        return -1;
    }
    apr_dbd_row_t *row = NULL;
    const char *values[8];
    while (apr_dbd_get_row(db->driver, p, res, &row, -1) == 0) {
        for (int i = 0; i < ncols; i++) {
            const char *v = apr_dbd_get_entry(db->driver, row, i);
            values[i] = v ? apr_pstrdup(p, v) : NULL;
        }
        fn(p, schema, values);
    }
    return 0;
}

static oro_db_table_t *table_of(apr_pool_t *p, oro_db_schema_t *schema, const char *name)
{
    oro_db_table_t *t = apr_hash_get(schema->tables, name, APR_HASH_KEY_STRING);
    if (t == NULL) {
        t = apr_pcalloc(p, sizeof *t);
        t->name = name;
        t->columns = apr_hash_make(p);
        apr_hash_set(schema->tables, name, APR_HASH_KEY_STRING, t);
    }
    return t;
}

static oro_sql_kind_t kind_of(const char *type)
{
    static const struct {
        const char *name;
        oro_sql_kind_t kind;
    } map[] = {
        {"character varying", ORO_SQL_VARCHAR},
        {"varchar", ORO_SQL_VARCHAR},
        {"text", ORO_SQL_TEXT},
        {"mediumtext", ORO_SQL_TEXT},
        {"longtext", ORO_SQL_TEXT},
        {"integer", ORO_SQL_INT},
        {"int", ORO_SQL_INT},
        {"bigint", ORO_SQL_BIGINT},
        {"numeric", ORO_SQL_DECIMAL},
        {"decimal", ORO_SQL_DECIMAL},
        {"boolean", ORO_SQL_BOOL},
        {"tinyint", ORO_SQL_BOOL},
        {"date", ORO_SQL_DATE},
        {"timestamp without time zone", ORO_SQL_DATETIME},
        {"datetime", ORO_SQL_DATETIME},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcasecmp(type, map[i].name) == 0) {
            return map[i].kind;
        }
    }
    return ORO_SQL_OTHER;
}

static void add_column(apr_pool_t *p, oro_db_schema_t *schema, const char **v)
{
    oro_db_table_t *t = table_of(p, schema, v[0]);
    oro_db_column_t *c = apr_pcalloc(p, sizeof *c);
    c->name = v[1];
    c->type_text = v[2] ? v[2] : "";
    c->kind = kind_of(c->type_text);
    c->length = v[3] ? atoi(v[3]) : 0;
    c->precision = v[4] ? atoi(v[4]) : 0;
    c->scale = v[5] ? atoi(v[5]) : 0;
    c->nullable = v[6] && strcasecmp(v[6], "YES") == 0;
    apr_hash_set(t->columns, c->name, APR_HASH_KEY_STRING, c);
}

static void add_object(apr_pool_t *p, oro_db_schema_t *schema, const char **v)
{
    if (v[0] != NULL) {
        apr_hash_set(schema->objects, v[0], APR_HASH_KEY_STRING, "");
    }
}

oro_db_schema_t *oro_schema_introspect(oro_db_t *db, apr_pool_t *p, const char **error)
{
    int my = db->dialect == ORO_DIALECT_MYSQL;
    const char *schema_expr = my ? "DATABASE()" : "current_schema()";
    oro_db_schema_t *schema = apr_pcalloc(p, sizeof *schema);
    schema->tables = apr_hash_make(p);
    schema->objects = apr_hash_make(p);

    const char *columns_sql = apr_psprintf(
        p,
        "SELECT table_name, column_name, data_type, character_maximum_length, "
        "numeric_precision, numeric_scale, is_nullable FROM information_schema.columns "
        "WHERE table_schema = %s ORDER BY table_name, ordinal_position",
        schema_expr);
    const char *constraints_sql =
        apr_psprintf(p,
                     "SELECT constraint_name FROM information_schema.table_constraints "
                     "WHERE table_schema = %s",
                     schema_expr);
    const char *indexes_sql =
        my ? "SELECT DISTINCT index_name FROM information_schema.statistics "
             "WHERE table_schema = DATABASE()"
           : "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()";
    const char *triggers_sql = apr_psprintf(p,
                                            "SELECT trigger_name FROM information_schema.triggers "
                                            "WHERE trigger_schema = %s",
                                            schema_expr);
    const char *routines_sql = apr_psprintf(p,
                                            "SELECT routine_name FROM information_schema.routines "
                                            "WHERE routine_schema = %s",
                                            schema_expr);
    if (for_each_row(db, p, columns_sql, 7, schema, add_column, error) != 0 ||
        for_each_row(db, p, routines_sql, 1, schema, add_object, error) != 0 ||
        for_each_row(db, p, constraints_sql, 1, schema, add_object, error) != 0 ||
        for_each_row(db, p, indexes_sql, 1, schema, add_object, error) != 0 ||
        for_each_row(db, p, triggers_sql, 1, schema, add_object, error) != 0) {
        *error = apr_psprintf(p, "could not read the database schema: %s", *error);
        return NULL;
    }
    /* Whether a table holds rows decides if a NOT NULL column without a default can
     * be added; one indexed probe per table. */
    for (apr_hash_index_t *hi = apr_hash_first(p, schema->tables); hi; hi = apr_hash_next(hi)) {
        oro_db_table_t *t = apr_hash_this_val(hi);
        const char *any = oro_db_scalar(
            db, p, error,
            apr_psprintf(p, "SELECT COUNT(*) FROM (SELECT 1 FROM %s LIMIT 1) AS probe",
                         oro_schema_quote(p, db->dialect, t->name)),
            NULL);
        t->has_rows = any != NULL && atoi(any) > 0;
    }
    *error = NULL;
    return schema;
}
