/* mod_oro/api_pg.c — the API's statements on PostgreSQL through libpq directly.
 *
 * apr_dbd_pgsql runs unnamed statements (parsed and planned on every execution) or
 * named ones whose parameters it declares varchar (which PostgreSQL will not compare
 * with a bigint). Profiles of GET /api/{type}/{id} showed the parse and plan as the
 * largest single cost, so statements are prepared once per connection with types left
 * to the server (PQprepare with no paramTypes) and executed with PQexecPrepared.
 * The connection is mod_dbd's (apr_dbd_native_handle); transactions opened through
 * apr_dbd span these statements too. */
#include "api.h"

#include <apr_strings.h>
#include <postgresql/libpq-fe.h>

#define STATEMENT_CACHE_MAX 512

typedef struct {
    apr_hash_t *names; /* SQL text (apr_dbd syntax) -> statement name */
    int count;
    int serial;      /* names are never reused: a session may still hold an old one */
    int backend_pid; /* the session the statements were prepared in */
} pg_cache_t;

static pg_cache_t *cache_of(ap_dbd_t *dbd)
{
    void *data = NULL;
    apr_pool_userdata_get(&data, "oro.pg-statements", dbd->pool);
    if (data == NULL) {
        pg_cache_t *cache = apr_pcalloc(dbd->pool, sizeof *cache);
        cache->names = apr_hash_make(dbd->pool);
        apr_pool_userdata_set(cache, "oro.pg-statements", apr_pool_cleanup_null, dbd->pool);
        data = cache;
    }
    return data;
}

/* apr_dbd's %s parameter markers as $1, $2, … (the builders write no other '%'). */
static char *numbered(apr_pool_t *p, const char *sql)
{
    char *out = apr_palloc(p, strlen(sql) * 2 + 1), *o = out;
    int n = 0;
    for (const char *s = sql; *s; s++) {
        if (s[0] == '%' && s[1] == 's') {
            o += sprintf(o, "$%d", ++n);
            s++;
        }
        else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

static const char *pg_message(apr_pool_t *p, PGconn *conn, PGresult *res)
{
    const char *msg = res ? PQresultErrorMessage(res) : NULL;
    return oro_db_one_line(p, msg && *msg ? msg : PQerrorMessage(conn));
}

/* Runs q; on success returns the result (the caller PQclears it). */
static PGresult *run(oro_api_request_t *req, const oro_sql_t *q, const char **error)
{
    ap_dbd_t *dbd = oro_api_dbd(req);
    apr_pool_t *p = req->r->pool;
    if (dbd == NULL) {
        *error = "no database connection";
        return NULL;
    }
    PGconn *conn = apr_dbd_native_handle(dbd->driver, dbd->handle);
    pg_cache_t *cache = cache_of(dbd);
    /* NB: apr_dbd_check_conn (mod_dbd at acquire, and authentication after a failed
     * statement) PQresets a broken connection: a new session without our prepared
     * statements, on the same handle and pool. The backend pid tells it. */
    if (cache->backend_pid != PQbackendPID(conn)) {
        apr_hash_clear(cache->names);
        cache->count = 0;
        cache->backend_pid = PQbackendPID(conn);
    }
    const char *name = apr_hash_get(cache->names, q->sql, APR_HASH_KEY_STRING);
    int nparams = q->params->nelts;
    const char *const *params = (const char *const *)q->params->elts;
    PGresult *res;
    if (name == NULL && cache->count < STATEMENT_CACHE_MAX) {
        const char *label = apr_psprintf(dbd->pool, "oro_%d", cache->serial++);
        res = PQprepare(conn, label, numbered(p, q->sql), nparams, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            *error = pg_message(p, conn, res);
            PQclear(res);
            return NULL;
        }
        PQclear(res);
        apr_hash_set(cache->names, apr_pstrdup(dbd->pool, q->sql), APR_HASH_KEY_STRING, label);
        cache->count++;
        name = label;
    }
    if (name != NULL) {
        res = PQexecPrepared(conn, name, nparams, params, NULL, NULL, 0);
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        if (state != NULL && strcmp(state, "26000") == 0) {
            /* the session lost the statement (a new one behind the same backend pid):
             * forget them all and run this one unnamed */
            apr_hash_clear(cache->names);
            cache->count = 0;
            PQclear(res);
            res = PQexecParams(conn, numbered(p, q->sql), nparams, NULL, params, NULL, NULL, 0);
        }
    }
    else {
        res = PQexecParams(conn, numbered(p, q->sql), nparams, NULL, params, NULL, NULL, 0);
    }
    ExecStatusType status = PQresultStatus(res);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        *error = pg_message(p, conn, res);
        PQclear(res);
        return NULL;
    }
    *error = NULL;
    return res;
}

apr_array_header_t *oro_api_pg_rows(oro_api_request_t *req, const oro_sql_t *q, int ncols,
                                    const char **error)
{
    PGresult *res = run(req, q, error);
    if (res == NULL) {
        return NULL;
    }
    apr_pool_t *p = req->r->pool;
    int ntuples = PQntuples(res);
    int nfields = PQnfields(res) < ncols ? PQnfields(res) : ncols;
    apr_array_header_t *rows = apr_array_make(p, ntuples > 0 ? ntuples : 1, sizeof(const char **));
    for (int i = 0; i < ntuples; i++) {
        const char **values = apr_pcalloc(p, sizeof(char *) * (size_t)ncols);
        for (int c = 0; c < nfields; c++) {
            values[c] = PQgetisnull(res, i, c) ? NULL
                                               : apr_pstrmemdup(p, PQgetvalue(res, i, c),
                                                                (apr_size_t)PQgetlength(res, i, c));
        }
        APR_ARRAY_PUSH(rows, const char **) = values;
    }
    PQclear(res);
    return rows;
}

int oro_api_pg_exec(oro_api_request_t *req, const oro_sql_t *q, int *nrows, const char **error)
{
    PGresult *res = run(req, q, error);
    if (res == NULL) {
        return -1;
    }
    if (nrows != NULL) {
        *nrows = atoi(PQcmdTuples(res));
    }
    PQclear(res);
    return 0;
}
