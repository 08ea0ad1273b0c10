/* lib/db/sqlsplit.h — splits an SQL script into statements. */
#ifndef ORO_DB_SQLSPLIT_H
#define ORO_DB_SQLSPLIT_H

#include <apr_pools.h>
#include <apr_tables.h>

/* Splits script at ";" outside quotes ('…', "…", `…`), comments (-- …, / * … * /) and
 * PostgreSQL dollar quotes ($$…$$, $tag$…$tag$). Returns an array of statements
 * (const char *, trimmed, without the ";", empty ones and comment-only ones dropped),
 * or NULL with *error naming the unterminated construct and its line. */
apr_array_header_t *oro_sql_split(apr_pool_t *p, const char *script, const char **error);

#endif
