/* lib/demo/writer.c — sinks that write generated rows into a database: COPY FROM STDIN
 * through libpq on PostgreSQL, multi-row INSERT statements on MariaDB; and the text
 * encodings both need. See demo.h. */
#include <apr_dbd.h>
#include <apr_strings.h>
#include <mariadb/errmsg.h>
#include <mariadb/mysql.h>
#include <postgresql/libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "demo/writer.h"

#define COPY_CHUNK (64 * 1024)
#define INSERT_ROWS 1000
#define INSERT_BYTES (1024 * 1024)
#define LOAD_CHUNK (8 * 1024 * 1024)

/* ---- buffers and encodings ---- */

void oro_demo_buf_init(oro_demo_buf_t *b, size_t cap)
{
    b->cap = cap < 64 ? 64 : cap;
    b->len = 0;
    b->data = malloc(b->cap);
    if (b->data == NULL) {
        abort(); /* NB: an allocation of a few hundred KiB; apr pools abort likewise */
    }
    b->data[0] = '\0';
}

void oro_demo_buf_free(oro_demo_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static void reserve(oro_demo_buf_t *b, size_t more)
{
    if (b->len + more + 1 <= b->cap) {
        return;
    }
    while (b->len + more + 1 > b->cap) {
        b->cap *= 2;
    }
    b->data = realloc(b->data, b->cap);
    if (b->data == NULL) {
        abort();
    }
}

void oro_demo_buf_append(oro_demo_buf_t *b, const char *s, size_t n)
{
    reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void append_char(oro_demo_buf_t *b, char c)
{
    reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void oro_demo_copy_field(oro_demo_buf_t *b, const oro_demo_value_t *v)
{
    if (v->kind == ORO_DEMO_NULL || v->text == NULL) {
        oro_demo_buf_append(b, "\\N", 2);
        return;
    }
    size_t n = strlen(v->text);
    reserve(b, 2 * n);
    char *o = b->data + b->len;
    for (const char *c = v->text; *c; c++) {
        switch (*c) {
        case '\\':
            *o++ = '\\';
            *o++ = '\\';
            break;
        case '\t':
            *o++ = '\\';
            *o++ = 't';
            break;
        case '\n':
            *o++ = '\\';
            *o++ = 'n';
            break;
        case '\r':
            *o++ = '\\';
            *o++ = 'r';
            break;
        default:
            *o++ = *c;
            break;
        }
    }
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
}

void oro_demo_sql_literal(oro_demo_buf_t *b, const oro_demo_value_t *v, oro_demo_escape_fn escape,
                          void *baton)
{
    switch (v->kind) {
    case ORO_DEMO_NULL:
        oro_demo_buf_append(b, "NULL", 4);
        return;
    case ORO_DEMO_NUMBER:
    case ORO_DEMO_BOOLEAN:
        /* generated digits, '-' and '.' only (see demo.h): safe bare */
        oro_demo_buf_append(b, v->text, strlen(v->text));
        return;
    default: {
        const char *e = escape(baton, v->text);
        append_char(b, '\'');
        oro_demo_buf_append(b, e, strlen(e));
        append_char(b, '\'');
        return;
    }
    }
}

static const char *quote(apr_pool_t *p, oro_dialect_t dialect, const char *name)
{
    /* names are identifiers checked by the metadata loader: no quotes inside */
    return dialect == ORO_DIALECT_MYSQL ? apr_pstrcat(p, "`", name, "`", NULL)
                                        : apr_pstrcat(p, "\"", name, "\"", NULL);
}

const char *oro_demo_quoted_columns(apr_pool_t *p, oro_dialect_t dialect, int ncolumns,
                                    const char *const *columns)
{
    const char *out = "";
    for (int i = 0; i < ncolumns; i++) {
        out = apr_pstrcat(p, out, i ? ", " : "", quote(p, dialect, columns[i]), NULL);
    }
    return out;
}

/* ---- the writer: one sink over both dialects ---- */

struct oro_demo_writer {
    oro_db_t *db;
    apr_pool_t *pool;      /* the load's */
    apr_pool_t *statement; /* cleared after each INSERT (escaped values) */
    oro_demo_buf_t buf;
    const char *table;
    int ncolumns;
    long rows, pending;         /* rows of the table; rows in buf not yet sent */
    size_t prefix_len;          /* MariaDB: "INSERT INTO t (…) VALUES " */
    PGconn *conn;               /* PostgreSQL */
    apr_dbd_transaction_t *txn; /* MariaDB: the table's transaction */
    oro_demo_progress_fn progress;
    void *progress_baton;
    apr_hash_t *counts;               /* table -> long *: rows written */
    apr_array_header_t *started;      /* tables begun, in order (MariaDB clean-up) */
    apr_array_header_t *dropped_keys; /* PostgreSQL: ADD CONSTRAINT statements to re-run */
    MYSQL *mysql;                     /* MariaDB, when LOAD DATA LOCAL is allowed; else NULL */
    const char *load_sql;             /* MariaDB: LOAD DATA statement of the table */
    size_t load_pos;                  /* MariaDB: bytes of buf handed to the server */
};

static const char *pg_error(oro_demo_writer_t *w, const char *what)
{
    return apr_psprintf(w->pool, "could not %s %s: %s", what, w->table,
                        oro_db_one_line(w->pool, PQerrorMessage(w->conn)));
}

static int pg_flush(oro_demo_writer_t *w, const char **error)
{
    if (w->buf.len > 0 && PQputCopyData(w->conn, w->buf.data, (int)w->buf.len) != 1) {
        *error = pg_error(w, "copy rows into");
        return -1;
    }
    w->buf.len = 0;
    return 0;
}

static const char *escape_dbd(void *baton, const char *s)
{
    oro_demo_writer_t *w = baton;
    return apr_dbd_escape(w->db->driver, w->statement, s, w->db->handle);
}

/* LOAD DATA LOCAL reads "the file" through these callbacks: the rows in buf. */
static int infile_init(void **ptr, const char *filename, void *userdata)
{
    oro_demo_writer_t *w = userdata;
    w->load_pos = 0;
    *ptr = w;
    return 0;
}

static int infile_read(void *ptr, char *out, unsigned int len)
{
    oro_demo_writer_t *w = ptr;
    size_t n = w->buf.len - w->load_pos;
    if (n > len) {
        n = len;
    }
    memcpy(out, w->buf.data + w->load_pos, n);
    w->load_pos += n;
    return (int)n;
}

static void infile_end(void *ptr)
{
}

static int infile_error(void *ptr, char *message, unsigned int len)
{
    snprintf(message, len, "demo rows could not be streamed");
    return CR_UNKNOWN_ERROR;
}

/* MariaDB's fast path: the buffered rows (in the tab-separated format COPY uses, which
 * is LOAD DATA's default too) as one LOAD DATA LOCAL statement, without SQL parsing. */
static int load_flush(oro_demo_writer_t *w, const char **error)
{
    if (w->buf.len == 0) {
        return 0;
    }
    mysql_set_local_infile_handler(w->mysql, infile_init, infile_read, infile_end, infile_error, w);
    int rc = mysql_real_query(w->mysql, w->load_sql, (unsigned long)strlen(w->load_sql));
    if (rc != 0 || mysql_warning_count(w->mysql) > 0) {
        *error = apr_psprintf(w->pool, "could not load rows into %s: %s", w->table,
                              rc != 0 ? mysql_error(w->mysql)
                                      : "the server reported warnings (a value was changed)");
        return -1;
    }
    w->buf.len = 0;
    w->pending = 0;
    return 0;
}

static int my_flush(oro_demo_writer_t *w, const char **error)
{
    if (w->mysql != NULL) {
        return load_flush(w, error);
    }
    if (w->pending == 0) {
        return 0;
    }
    const char *dbd_error;
    int rc = oro_db_exec(w->db, w->statement, &dbd_error, NULL, w->buf.data, NULL);
    if (rc != 0) {
        *error = apr_psprintf(w->pool, "could not insert into %s: %s", w->table, dbd_error);
    }
    apr_pool_clear(w->statement);
    w->buf.len = w->prefix_len;
    w->buf.data[w->buf.len] = '\0';
    w->pending = 0;
    return rc;
}

static int writer_begin(void *baton, const char *table, int ncolumns, const char *const *columns,
                        const char **error)
{
    oro_demo_writer_t *w = baton;
    w->table = table;
    w->ncolumns = ncolumns;
    w->rows = w->pending = 0;
    w->buf.len = 0;
    APR_ARRAY_PUSH(w->started, const char *) = table;
    const char *cols = oro_demo_quoted_columns(w->pool, w->db->dialect, ncolumns, columns);
    if (w->db->dialect == ORO_DIALECT_PGSQL) {
        const char *sql = apr_psprintf(w->pool, "COPY %s (%s) FROM STDIN",
                                       quote(w->pool, w->db->dialect, table), cols);
        PGresult *res = PQexec(w->conn, sql);
        int ok = PQresultStatus(res) == PGRES_COPY_IN;
        PQclear(res);
        if (!ok) {
            *error = pg_error(w, "start copying into");
            return -1;
        }
        return 0;
    }
    if (oro_db_begin(w->db, w->pool, &w->txn, error) != 0) {
        *error = apr_psprintf(w->pool, "could not start a transaction for %s: %s", table, *error);
        return -1;
    }
    if (w->mysql != NULL) {
        w->load_sql = apr_psprintf(w->pool,
                                   "LOAD DATA LOCAL INFILE 'oro-demo' INTO TABLE %s CHARACTER SET "
                                   "utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' "
                                   "LINES TERMINATED BY '\\n' (%s)",
                                   quote(w->pool, w->db->dialect, table), cols);
        w->prefix_len = 0;
        return 0;
    }
    const char *prefix = apr_psprintf(w->pool, "INSERT INTO %s (%s) VALUES ",
                                      quote(w->pool, w->db->dialect, table), cols);
    oro_demo_buf_append(&w->buf, prefix, strlen(prefix));
    w->prefix_len = w->buf.len;
    return 0;
}

static int writer_row(void *baton, const oro_demo_value_t *values, const char **error)
{
    oro_demo_writer_t *w = baton;
    w->rows++;
    if (w->db->dialect == ORO_DIALECT_PGSQL || w->mysql != NULL) {
        for (int i = 0; i < w->ncolumns; i++) {
            if (i > 0) {
                append_char(&w->buf, '\t');
            }
            oro_demo_copy_field(&w->buf, &values[i]);
        }
        append_char(&w->buf, '\n');
        if (w->mysql != NULL) {
            return w->buf.len >= LOAD_CHUNK ? load_flush(w, error) : 0;
        }
        return w->buf.len >= COPY_CHUNK ? pg_flush(w, error) : 0;
    }
    oro_demo_buf_append(&w->buf, w->pending ? ",(" : "(", w->pending ? 2 : 1);
    for (int i = 0; i < w->ncolumns; i++) {
        if (i > 0) {
            append_char(&w->buf, ',');
        }
        oro_demo_sql_literal(&w->buf, &values[i], escape_dbd, w);
    }
    append_char(&w->buf, ')');
    w->pending++;
    return w->pending >= INSERT_ROWS || w->buf.len >= INSERT_BYTES ? my_flush(w, error) : 0;
}

static int writer_end(void *baton, long rows, const char **error)
{
    oro_demo_writer_t *w = baton;
    if (w->db->dialect == ORO_DIALECT_PGSQL) {
        if (pg_flush(w, error) != 0) {
            return -1;
        }
        if (PQputCopyEnd(w->conn, NULL) != 1) {
            *error = pg_error(w, "finish copying into");
            return -1;
        }
        PGresult *res;
        int ok = 1;
        const char *message = NULL;
        while ((res = PQgetResult(w->conn)) != NULL) {
            if (PQresultStatus(res) != PGRES_COMMAND_OK && ok) {
                ok = 0;
                message = oro_db_one_line(w->pool, PQresultErrorMessage(res));
            }
            PQclear(res);
        }
        if (!ok) {
            *error = apr_psprintf(w->pool, "could not copy rows into %s: %s", w->table, message);
            return -1;
        }
    }
    else {
        int rc = my_flush(w, error);
        const char *end_error;
        if (oro_db_end(w->db, w->pool, w->txn, rc != 0, &end_error) != 0 && rc == 0) {
            *error = apr_psprintf(w->pool, "could not commit %s: %s", w->table, end_error);
            rc = -1;
        }
        w->txn = NULL;
        if (rc != 0) {
            return -1;
        }
    }
    long *count = apr_palloc(w->pool, sizeof *count);
    *count = rows;
    apr_hash_set(w->counts, w->table, APR_HASH_KEY_STRING, count);
    if (w->progress != NULL) {
        w->progress(w->progress_baton, w->table, rows);
    }
    return 0;
}

static apr_status_t free_buf(void *data)
{
    oro_demo_buf_free(data);
    return APR_SUCCESS;
}

/* PostgreSQL: runs sql through libpq inside the load's transaction. */
static int pg_exec(oro_demo_writer_t *w, const char *sql, const char *what, const char **error)
{
    PGresult *res = PQexec(w->conn, sql);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
    PQclear(res);
    if (!ok) {
        *error = apr_psprintf(w->pool, "%s: %s", what,
                              oro_db_one_line(w->pool, PQerrorMessage(w->conn)));
        return -1;
    }
    return 0;
}

int oro_demo_writer_relax(oro_demo_writer_t *w, const char **error)
{
    if (w->db->dialect == ORO_DIALECT_MYSQL) {
        if (oro_db_exec(w->db, w->pool, error, NULL,
                        "SET SESSION foreign_key_checks = 0, unique_checks = 0", NULL) != 0) {
            return -1;
        }
        return 1;
    }
    /* NB: dropping and re-adding the foreign keys inside the load's transaction checks
     * every reference once per key (a join) instead of once per row, needs only table
     * ownership (not a superuser), and leaves nothing changed if anything fails. */
    PGresult *res = PQexec(w->conn, "SELECT c.conrelid::regclass::text, c.conname, "
                                    "pg_get_constraintdef(c.oid) FROM pg_constraint c "
                                    "JOIN pg_namespace n ON n.oid = c.connamespace "
                                    "WHERE c.contype = 'f' AND n.nspname = current_schema() "
                                    "ORDER BY 1, 2");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        *error = apr_psprintf(w->pool, "could not list the foreign keys: %s",
                              oro_db_one_line(w->pool, PQerrorMessage(w->conn)));
        PQclear(res);
        return -1;
    }
    w->dropped_keys = apr_array_make(w->pool, PQntuples(res), sizeof(const char *));
    apr_array_header_t *drops = apr_array_make(w->pool, PQntuples(res), sizeof(const char *));
    for (int i = 0; i < PQntuples(res); i++) {
        const char *table = PQgetvalue(res, i, 0);
        const char *name = quote(w->pool, ORO_DIALECT_PGSQL, PQgetvalue(res, i, 1));
        APR_ARRAY_PUSH(drops, const char *) =
            apr_psprintf(w->pool, "ALTER TABLE %s DROP CONSTRAINT %s", table, name);
        APR_ARRAY_PUSH(w->dropped_keys, const char *) = apr_psprintf(
            w->pool, "ALTER TABLE %s ADD CONSTRAINT %s %s", table, name, PQgetvalue(res, i, 2));
    }
    PQclear(res);
    for (int i = 0; i < drops->nelts; i++) {
        if (pg_exec(w, APR_ARRAY_IDX(drops, i, const char *), "could not drop a foreign key",
                    error) != 0) {
            return -1;
        }
    }
    return 2;
}

int oro_demo_writer_restore(oro_demo_writer_t *w, const char **error)
{
    if (w->db->dialect == ORO_DIALECT_MYSQL) {
        const char *ignored;
        oro_db_exec(w->db, w->pool, &ignored, NULL,
                    "SET SESSION foreign_key_checks = 1, unique_checks = 1", NULL);
        return 0;
    }
    for (int i = 0; w->dropped_keys != NULL && i < w->dropped_keys->nelts; i++) {
        const char *sql = APR_ARRAY_IDX(w->dropped_keys, i, const char *);
        if (pg_exec(w, sql, apr_psprintf(w->pool, "a demo row breaks a foreign key (%s)", sql),
                    error) != 0) {
            return -1;
        }
    }
    return 0;
}

oro_demo_writer_t *oro_demo_writer_make(oro_db_t *db, apr_pool_t *p, oro_demo_progress_fn progress,
                                        void *baton, oro_demo_sink_t *sink)
{
    oro_demo_writer_t *w = apr_pcalloc(p, sizeof *w);
    w->db = db;
    w->pool = p;
    apr_pool_create(&w->statement, p);
    oro_demo_buf_init(&w->buf,
                      db->dialect == ORO_DIALECT_PGSQL ? COPY_CHUNK + 4096 : LOAD_CHUNK + 65536);
    apr_pool_cleanup_register(p, &w->buf, free_buf, apr_pool_cleanup_null);
    if (db->dialect == ORO_DIALECT_PGSQL) {
        w->conn = apr_dbd_native_handle(db->driver, db->handle);
    }
    else {
        /* LOAD DATA LOCAL when the server allows it (local_infile, on by default),
         * else multi-row INSERT */
        const char *ignored;
        const char *allowed = oro_db_scalar(db, p, &ignored, "SELECT @@GLOBAL.local_infile", NULL);
        if (allowed != NULL && strcmp(allowed, "1") == 0) {
            unsigned int on = 1;
            w->mysql = apr_dbd_native_handle(db->driver, db->handle);
            if (mysql_options(w->mysql, MYSQL_OPT_LOCAL_INFILE, &on) != 0) {
                w->mysql = NULL;
            }
        }
    }
    w->progress = progress;
    w->progress_baton = baton;
    w->counts = apr_hash_make(p);
    w->started = apr_array_make(p, 16, sizeof(const char *));
    sink->baton = w;
    sink->begin = writer_begin;
    sink->row = writer_row;
    sink->end = writer_end;
    return w;
}

long oro_demo_writer_count(const oro_demo_writer_t *w, const char *table)
{
    const long *n = apr_hash_get(w->counts, table, APR_HASH_KEY_STRING);
    return n ? *n : 0;
}

const apr_array_header_t *oro_demo_writer_started(const oro_demo_writer_t *w)
{
    return w->started;
}

void oro_demo_writer_abort(oro_demo_writer_t *w)
{
    if (w->db->dialect == ORO_DIALECT_PGSQL) {
        /* a COPY still in progress: end it so the connection can roll back */
        PGresult *res;
        if (PQputCopyEnd(w->conn, "demo:load failed") == 1) {
            while ((res = PQgetResult(w->conn)) != NULL) {
                PQclear(res);
            }
        }
    }
    else if (w->txn != NULL) {
        const char *ignored;
        oro_db_end(w->db, w->pool, w->txn, 1, &ignored);
        w->txn = NULL;
    }
}
