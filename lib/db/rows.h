/* lib/db/rows.h — every row of a query on an oro_db_t connection (oroctl, the
 * consumer's job runner and cron), as arrays of strings. */
#ifndef ORO_DB_ROWS_H
#define ORO_DB_ROWS_H

#include <apr_tables.h>

#include "db/db.h"

/* Runs sql with args (an array of const char *, NULL for none, bound to the %s
 * parameter markers) and returns its rows: an array of const char ** holding ncols
 * values each (NULL for SQL NULL), copied into p. NULL with *error on failure. */
apr_array_header_t *oro_db_rows(oro_db_t *db, apr_pool_t *p, const char *sql,
                                const apr_array_header_t *args, int ncols, const char **error);

#endif
