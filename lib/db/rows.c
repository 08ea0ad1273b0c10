/* lib/db/rows.c — reading every row of a query; see rows.h. */
#include "db/rows.h"

#include <apr_strings.h>

apr_array_header_t *oro_db_rows(oro_db_t *db, apr_pool_t *p, const char *sql,
                                const apr_array_header_t *args, int ncols, const char **error)
{
    apr_dbd_results_t *res = NULL;
    int rc;
    if (args == NULL || args->nelts == 0) {
        rc = apr_dbd_select(db->driver, p, db->handle, &res, sql, ORO_DB_RANDOM(db));
    }
    else {
        apr_dbd_prepared_t *stmt = NULL;
        rc = apr_dbd_prepare(db->driver, p, db->handle, sql, NULL, &stmt);
        if (rc == 0) {
            rc = apr_dbd_pselect(db->driver, p, db->handle, &res, stmt, ORO_DB_RANDOM(db),
                                 args->nelts, (const char **)args->elts);
        }
    }
    if (rc != 0) {
        *error = oro_db_one_line(p, apr_dbd_error(db->driver, db->handle, rc));
        return NULL;
    }
    apr_array_header_t *rows = apr_array_make(p, 8, sizeof(const char **));
    apr_dbd_row_t *row = NULL;
    /* NB: sequential results (mysql) must be read to the end before the next statement */
    while (apr_dbd_get_row(db->driver, p, res, &row, -1) == 0) {
        const char **values = apr_palloc(p, sizeof(char *) * (size_t)ncols);
        for (int i = 0; i < ncols; i++) {
            /* NB: apr_dbd_get_entry gives "" for NULL on pgsql; datum_get says ENOENT */
            char *v = NULL;
            apr_status_t st = apr_dbd_datum_get(db->driver, row, i, APR_DBD_TYPE_STRING, &v);
            values[i] = st == APR_SUCCESS && v != NULL ? apr_pstrdup(p, v) : NULL;
        }
        APR_ARRAY_PUSH(rows, const char **) = values;
    }
    *error = NULL;
    return rows;
}
