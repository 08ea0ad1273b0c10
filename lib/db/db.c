/* lib/db/db.c — apr_dbd connections for the daemons and oroctl; see db.h. */
#include "db/db.h"

#include <apr_strings.h>
#include <stdarg.h>
#include <string.h>

#define MAX_ARGS 32

int oro_db_dialect_of(const char *driver_name)
{
    if (driver_name == NULL) {
        return -1;
    }
    if (strcasecmp(driver_name, "pgsql") == 0) {
        return ORO_DIALECT_PGSQL;
    }
    if (strcasecmp(driver_name, "mysql") == 0) {
        return ORO_DIALECT_MYSQL;
    }
    return -1;
}

static apr_status_t close_connection(void *data)
{
    oro_db_t *db = data;
    if (db->handle != NULL) {
        apr_dbd_close(db->driver, db->handle);
        db->handle = NULL;
    }
    return APR_SUCCESS;
}

oro_db_t *oro_db_open(apr_pool_t *p, const char *driver_name, const char *params,
                      const char **error)
{
    char buf[256];
    int dialect = oro_db_dialect_of(driver_name);
    if (dialect < 0) {
        *error = apr_psprintf(p, "database driver \"%s\" is not supported (use pgsql or mysql)",
                              driver_name ? driver_name : "");
        return NULL;
    }
    apr_status_t rv = apr_dbd_init(p);
    if (rv != APR_SUCCESS) {
        *error =
            apr_psprintf(p, "could not initialise apr_dbd: %s", apr_strerror(rv, buf, sizeof buf));
        return NULL;
    }
    apr_pool_t *pool;
    apr_pool_create(&pool, p);
    oro_db_t *db = apr_pcalloc(pool, sizeof *db);
    db->pool = pool;
    db->dialect = (oro_dialect_t)dialect;
    db->driver_name = apr_pstrdup(pool, driver_name);
    rv = apr_dbd_get_driver(pool, driver_name, &db->driver);
    if (rv != APR_SUCCESS) {
        *error = apr_psprintf(p,
                              "could not load the apr_dbd driver \"%s\" (is "
                              "libaprutil1-dbd-%s installed?): %s",
                              driver_name, driver_name, apr_strerror(rv, buf, sizeof buf));
        apr_pool_destroy(pool);
        return NULL;
    }
    const char *dbd_error = NULL;
    rv = apr_dbd_open_ex(db->driver, pool, params, &db->handle, &dbd_error);
    if (rv != APR_SUCCESS || db->handle == NULL) {
        *error = apr_psprintf(p, "could not connect to the %s database: %s", driver_name,
                              dbd_error ? oro_db_one_line(p, dbd_error)
                                        : apr_strerror(rv, buf, sizeof buf));
        apr_pool_destroy(pool);
        return NULL;
    }
    apr_pool_cleanup_register(pool, db, close_connection, apr_pool_cleanup_null);
    *error = NULL;
    return db;
}

void oro_db_close(oro_db_t *db)
{
    if (db != NULL) {
        apr_pool_destroy(db->pool);
    }
}

const char *oro_db_one_line(apr_pool_t *p, const char *message)
{
    if (message == NULL || *message == '\0') {
        return "unknown database error";
    }
    char *out = apr_palloc(p, strlen(message) + 1), *o = out;
    int blank = 0;
    for (const char *c = message; *c; c++) {
        if (*c == '\n' || *c == '\r' || *c == '\t' || *c == ' ') {
            blank = 1;
            continue;
        }
        if (blank && o != out) {
            *o++ = ' ';
        }
        blank = 0;
        *o++ = *c;
    }
    *o = '\0';
    return out;
}

static const char *db_error(oro_db_t *db, apr_pool_t *p, int rc)
{
    return oro_db_one_line(p, apr_dbd_error(db->driver, db->handle, rc));
}

/* Collects the NULL-terminated variadic arguments; -1 if there are too many. */
static int collect_args(va_list ap, const char **args)
{
    int n = 0;
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL) {
        if (n == MAX_ARGS) {
            return -1;
        }
        args[n++] = a;
    }
    return n;
}

static int run(oro_db_t *db, apr_pool_t *p, const char **error, int *nrows, apr_dbd_results_t **res,
               const char *sql, int nargs, const char **args)
{
    int rc, rows = 0;
    if (nargs == 0) {
        rc = res ? apr_dbd_select(db->driver, p, db->handle, res, sql, ORO_DB_RANDOM(db))
                 : apr_dbd_query(db->driver, db->handle, &rows, sql);
    }
    else {
        apr_dbd_prepared_t *stmt = NULL;
        rc = apr_dbd_prepare(db->driver, p, db->handle, sql, NULL, &stmt);
        if (rc == 0) {
            rc = res ? apr_dbd_pselect(db->driver, p, db->handle, res, stmt, ORO_DB_RANDOM(db),
                                       nargs, args)
                     : apr_dbd_pquery(db->driver, p, db->handle, &rows, stmt, nargs, args);
        }
    }
    if (rc != 0) {
        *error = db_error(db, p, rc);
        return -1;
    }
    if (nrows != NULL) {
        *nrows = rows;
    }
    *error = NULL;
    return 0;
}

int oro_db_exec(oro_db_t *db, apr_pool_t *p, const char **error, int *nrows, const char *sql, ...)
{
    const char *args[MAX_ARGS];
    va_list ap;
    va_start(ap, sql);
    int nargs = collect_args(ap, args);
    va_end(ap);
    if (nargs < 0) {
        *error = "too many statement arguments";
        return -1;
    }
    return run(db, p, error, nrows, NULL, sql, nargs, args);
}

const char *oro_db_scalar(oro_db_t *db, apr_pool_t *p, const char **error, const char *sql, ...)
{
    const char *args[MAX_ARGS];
    va_list ap;
    va_start(ap, sql);
    int nargs = collect_args(ap, args);
    va_end(ap);
    if (nargs < 0) {
        *error = "too many statement arguments";
        return NULL;
    }
    apr_dbd_results_t *res = NULL;
    if (run(db, p, error, NULL, &res, sql, nargs, args) != 0) {
        return NULL;
    }
    const char *value = NULL;
    apr_dbd_row_t *row = NULL;
    /* NB: sequential results must be read to the end before the next statement
     * (mysql), so the loop drains them. */
    while (apr_dbd_get_row(db->driver, p, res, &row, -1) == 0) {
        if (value == NULL) {
            const char *v = apr_dbd_get_entry(db->driver, row, 0);
            value = apr_pstrdup(p, v ? v : "");
        }
    }
    return value;
}

int oro_db_begin(oro_db_t *db, apr_pool_t *p, apr_dbd_transaction_t **txn, const char **error)
{
    /* NB: the driver registers the transaction's cleanup on the pool it is given; a
     * subpool of the connection's pool runs it before the connection closes, whatever
     * the caller's pool outlives. */
    apr_pool_create(&db->txn_pool, db->pool);
    int rc = apr_dbd_transaction_start(db->driver, db->txn_pool, db->handle, txn);
    if (rc != 0) {
        *error = db_error(db, p, rc);
        apr_pool_destroy(db->txn_pool);
        db->txn_pool = NULL;
        return -1;
    }
    *error = NULL;
    return 0;
}

int oro_db_end(oro_db_t *db, apr_pool_t *p, apr_dbd_transaction_t *txn, int rollback,
               const char **error)
{
    if (rollback) {
        apr_dbd_transaction_mode_set(db->driver, txn, APR_DBD_TRANSACTION_ROLLBACK);
    }
    int rc = apr_dbd_transaction_end(db->driver, db->txn_pool ? db->txn_pool : p, txn);
    if (rc != 0) {
        *error = db_error(db, p, rc);
    }
    if (db->txn_pool != NULL) {
        apr_pool_destroy(db->txn_pool);
        db->txn_pool = NULL;
    }
    if (rc != 0) {
        return -1;
    }
    *error = NULL;
    return 0;
}
