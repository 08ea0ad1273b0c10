/* lib/db/schema.h — entity tables from the metadata: what the database should look
 * like, what it looks like now, and the DDL between the two (oroctl schema:update).
 *
 * Additive changes (new tables, columns, indexes, constraints, widened columns) are
 * planned and applied; destructive ones (dropping or narrowing a column, making a
 * column NOT NULL) are refused with an explanation unless forced. */
#ifndef ORO_DB_SCHEMA_H
#define ORO_DB_SCHEMA_H

#include <stdio.h>

#include "db/db.h"
#include "meta/meta.h"

/* A column as the database reports it. kind is one of the ORO_SQL_* below. */
typedef enum {
    ORO_SQL_OTHER = 0,
    ORO_SQL_VARCHAR,
    ORO_SQL_TEXT,
    ORO_SQL_INT,
    ORO_SQL_BIGINT,
    ORO_SQL_DECIMAL,
    ORO_SQL_BOOL,
    ORO_SQL_DATE,
    ORO_SQL_DATETIME
} oro_sql_kind_t;

typedef struct {
    const char *name;
    oro_sql_kind_t kind;
    const char *type_text; /* as reported, for messages */
    int length;            /* varchar */
    int precision, scale;  /* decimal */
    int nullable;
} oro_db_column_t;

typedef struct {
    const char *name;
    apr_hash_t *columns; /* name -> oro_db_column_t * */
    int has_rows;
} oro_db_table_t;

/* The current state of the database's schema, as far as the entities care. */
typedef struct {
    apr_hash_t *tables;  /* name -> oro_db_table_t * */
    apr_hash_t *objects; /* index, constraint and trigger names -> "" */
} oro_db_schema_t;

typedef struct {
    const char *sql;
    int in_transaction_ok; /* 0 for e.g. CREATE INDEX CONCURRENTLY */
    const char *summary;   /* "add column orocrm_contact.nickname" */
    const char *undo_sql;  /* run if sql fails (e.g. drop an invalid index), or NULL */
} oro_ddl_t;

typedef struct {
    apr_array_header_t *statements; /* of oro_ddl_t */
    apr_array_header_t *refusals;   /* of const char *: destructive changes not planned */
    apr_array_header_t *notices;    /* of const char *: things noticed and left alone */
} oro_schema_plan_t;

/* Reads tables, columns, indexes, constraints and triggers of the current schema. */
oro_db_schema_t *oro_schema_introspect(oro_db_t *db, apr_pool_t *p, const char **error);

/* The DDL that brings current (NULL: an empty database) to what meta declares.
 * With force, destructive changes are planned instead of refused. */
oro_schema_plan_t *oro_schema_plan(apr_pool_t *p, const oro_meta_t *meta, oro_dialect_t dialect,
                                   const oro_db_schema_t *current, int force);

/* Runs the plan's statements in order, each committed on its own (the plan is
 * recomputed from the database on every run, so a run that stops half-way is
 * finished by the next). progress (may be NULL) receives one line per statement.
 * Returns the number of statements run, or -1 with *error naming the statement. */
int oro_schema_apply(oro_db_t *db, apr_pool_t *p, const oro_schema_plan_t *plan, FILE *progress,
                     const char **error);

/* The SQL type of a field in a dialect ("varchar(255)", "numeric(19,4)", …). */
const char *oro_schema_field_type(apr_pool_t *p, const oro_field_t *field, oro_dialect_t dialect);

/* A constraint or index name of at most 63 characters: prefix_table_column, shortened
 * with a hash when too long. */
const char *oro_schema_object_name(apr_pool_t *p, const char *prefix, const char *table,
                                   const char *column);

/* name as a quoted identifier of the dialect ("name" or `name`), quotes doubled. */
const char *oro_schema_quote(apr_pool_t *p, oro_dialect_t dialect, const char *name);

#endif
