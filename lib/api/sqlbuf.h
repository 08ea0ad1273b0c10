/* lib/api/sqlbuf.h — builds an SQL statement and its bound parameters together, for
 * the API's SELECT and write statements (lib/api/select.c, lib/api/write_sql.c). */
#ifndef ORO_API_SQLBUF_H
#define ORO_API_SQLBUF_H

#include "api/select.h"

typedef struct oro_sqlbuf {
    apr_pool_t *pool;
    oro_dialect_t dialect;
    char *text; /* NUL-terminated */
    apr_size_t len, cap;
    apr_array_header_t *params; /* of const char *, in parameter marker order */
} oro_sqlbuf_t;

void oro_sqlbuf_init(oro_sqlbuf_t *b, apr_pool_t *p, oro_dialect_t dialect);
/* Appends SQL text (never user input). */
void oro_sqlbuf_add(oro_sqlbuf_t *b, const char *s);
/* Appends a quoted identifier (from the metadata). */
void oro_sqlbuf_name(oro_sqlbuf_t *b, const char *name);
/* Appends a %s parameter marker bound to value, or the literal NULL for a NULL value. */
void oro_sqlbuf_param(oro_sqlbuf_t *b, const char *value);
/* Appends "(%s, %s, …)" bound to values (of const char *). */
void oro_sqlbuf_param_list(oro_sqlbuf_t *b, const apr_array_header_t *values);
/* The statement built so far (b's text and parameters, not copied). */
oro_sql_t *oro_sqlbuf_finish(oro_sqlbuf_t *b);

/* Appends entity's result columns in oro_select_columns' order, each qualified by alias
 * unless it is NULL (a SELECT list, or an INSERT's RETURNING). */
void oro_select_add_columns(oro_sqlbuf_t *b, const oro_entity_t *entity, const char *alias);

/* The id column of an entity ("id" unless its definition maps it elsewhere). */
const char *oro_sql_id_column(const oro_entity_t *entity);

#endif
