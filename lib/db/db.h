/* lib/db/db.h — database connections outside httpd (oro-consumer, oroctl), over
 * apr_dbd with the same DBDriver / DBDParams as mod_dbd, and dialect helpers shared
 * with mod_oro. */
#ifndef ORO_DB_DB_H
#define ORO_DB_DB_H

#include <apr_pools.h>
#include <apr_dbd.h>

typedef enum { ORO_DIALECT_PGSQL = 0, ORO_DIALECT_MYSQL = 1 } oro_dialect_t;

typedef struct {
    apr_pool_t *pool; /* the connection's lifetime */
    const apr_dbd_driver_t *driver;
    apr_dbd_t *handle;
    oro_dialect_t dialect;
    const char *driver_name;
    apr_pool_t *txn_pool; /* the open transaction's, see oro_db_begin */
} oro_db_t;

/* The `random` argument of apr_dbd_select / apr_dbd_pselect for db: 1 on PostgreSQL,
 * where apr_dbd_pgsql's sequential mode sends the query asynchronously and sleeps 100 ms
 * whenever the answer is not there at once (random mode is one PQexec that reads the whole
 * result; apr_dbd_get_row with -1 still walks it); 0 on MariaDB, whose random mode wants
 * explicit row numbers. */
#define ORO_DB_RANDOM(db) ((db)->dialect == ORO_DIALECT_PGSQL)

/* Maps an apr_dbd driver name to a dialect; returns -1 for drivers we do not support. */
int oro_db_dialect_of(const char *driver_name);

/* Opens a connection in a subpool of p; a cleanup on that subpool closes it.
 * Returns NULL with *error set ("could not connect to pgsql database: …"). */
oro_db_t *oro_db_open(apr_pool_t *p, const char *driver_name, const char *params,
                      const char **error);
/* Closes the connection now (destroys its pool). */
void oro_db_close(oro_db_t *db);

/* Runs one statement without results. args are NULL-terminated strings bound to the
 * %s parameter markers of sql (apr_dbd syntax). Returns 0 or -1 with *error set; *nrows
 * (if not NULL) receives the affected row count. */
int oro_db_exec(oro_db_t *db, apr_pool_t *p, const char **error, int *nrows, const char *sql, ...)
    __attribute__((sentinel));

/* Runs a query and returns the first column of the first row as a string in p
 * ("" for SQL NULL), or NULL with *error set; no row gives NULL with *error NULL. */
const char *oro_db_scalar(oro_db_t *db, apr_pool_t *p, const char **error, const char *sql, ...)
    __attribute__((sentinel));

/* Starts a transaction (one at a time per connection); oro_db_end must follow. */
int oro_db_begin(oro_db_t *db, apr_pool_t *p, apr_dbd_transaction_t **txn, const char **error);
/* Commits unless rollback is set or a statement of the transaction failed. */
int oro_db_end(oro_db_t *db, apr_pool_t *p, apr_dbd_transaction_t *txn, int rollback,
               const char **error);

/* message with every run of blanks and line breaks collapsed to one space, trimmed
 * (drivers return multi-line texts; logs and JSON want one line). */
const char *oro_db_one_line(apr_pool_t *p, const char *message);

#endif
