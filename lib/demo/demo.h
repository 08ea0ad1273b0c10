/* lib/demo/demo.h — deterministic, realistic demo data for the entity tables
 * (oroctl demo:load; docs/demo.md).
 *
 * Three layers, each usable alone:
 *   - a plan (oro_demo_plan): how many rows of each entity, which organization,
 *     owner and account every record belongs to, computed from the options;
 *   - a generator (oro_demo_generate) that produces the rows of every table, in
 *     dependency order, into a sink: the column lists come from the metadata, the
 *     values from per-entity generators keyed by entity type and field name;
 *   - writers (oro_demo_load) that are sinks streaming the rows into PostgreSQL
 *     (COPY FROM STDIN) or MariaDB (multi-row INSERT).
 * The same options (seed included) give byte-identical rows. */
#ifndef ORO_DEMO_DEMO_H
#define ORO_DEMO_DEMO_H

#include <apr_pools.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "meta/meta.h"

/* ---- options ---- */

typedef struct {
    uint64_t seed; /* default 1 */
    /* rows per entity; -1 derives the count from contacts (see oro_demo_options_scale) */
    long contacts, accounts, opportunities, products, orders;
    /* the hash stored as every demo user's password, or NULL for no password */
    const char *password_hash;
    /* the "now" of the data set (created_at spreads over the 3 years before it); a
     * constant by default so that a seed always gives the same data */
    int64_t reference_time; /* seconds since the epoch, UTC */
} oro_demo_options_t;

/* The default reference time: 2026-01-01T00:00:00Z. */
#define ORO_DEMO_REFERENCE_TIME INT64_C(1767225600)

/* Defaults: seed 1, size small, no password. */
void oro_demo_options_init(oro_demo_options_t *options);

/* Sets contacts for a size name ("small" 1,000, "medium" 100,000, "large" 1,000,000);
 * returns 0, or -1 for an unknown name (options unchanged). */
int oro_demo_options_size(oro_demo_options_t *options, const char *size);

/* Fills every count still -1 from contacts: accounts contacts/5, opportunities
 * contacts/4, products contacts/10 (at most 100,000), orders contacts/2, each at
 * least 1 when contacts > 0. */
void oro_demo_options_scale(oro_demo_options_t *options);

/* ---- rows and sinks ---- */

typedef enum {
    ORO_DEMO_NULL = 0,
    ORO_DEMO_TEXT,    /* string, text, enum, email, phone, url, password */
    ORO_DEMO_NUMBER,  /* integer, bigint, decimal, money: digits, '-', '.' only */
    ORO_DEMO_BOOLEAN, /* "1" or "0" (both dialects accept these) */
    ORO_DEMO_DATE,    /* "YYYY-MM-DD" */
    ORO_DEMO_DATETIME /* "YYYY-MM-DD HH:MM:SS.ffffff", UTC */
} oro_demo_kind_t;

typedef struct {
    const char *text; /* NULL for ORO_DEMO_NULL */
    oro_demo_kind_t kind;
} oro_demo_value_t;

/* Where generated rows go. begin announces a table and its columns (valid until end);
 * row receives one value per column (valid during the call only); end closes the
 * table with its row count. Each returns 0, or -1 with *error set, which stops the
 * generation. */
typedef struct {
    void *baton;
    int (*begin)(void *baton, const char *table, int ncolumns, const char *const *columns,
                 const char **error);
    int (*row)(void *baton, const oro_demo_value_t *values, const char **error);
    int (*end)(void *baton, long rows, const char **error);
} oro_demo_sink_t;

/* ---- plan and generator ---- */

typedef struct oro_demo_plan oro_demo_plan_t;

/* Lays out the data set for meta and options (counts scaled as by
 * oro_demo_options_scale). Allocates in p (about 12 bytes per contact). Returns NULL
 * with *error set when a table cannot be filled, e.g. a required relation the
 * generator does not know ("cannot fill orocrm_contact.region_id: …"). */
oro_demo_plan_t *oro_demo_plan(apr_pool_t *p, const oro_meta_t *meta,
                               const oro_demo_options_t *options, const char **error);

/* The tables oro_demo_generate writes, in its order (entity tables and join tables):
 * const char * in the plan's pool. */
const apr_array_header_t *oro_demo_plan_tables(const oro_demo_plan_t *plan);

/* The table of an entity type whose ids restart after the load (entity tables only),
 * in the same order; NULL-free array of const char *. */
const apr_array_header_t *oro_demo_plan_id_tables(const oro_demo_plan_t *plan);

/* Produces every row into sink: organizations, business units, roles, users and their
 * join rows, accounts, contacts, opportunities, categories, products and their
 * category links, orders, order line items. Ids are explicit, 1..N per table.
 * Returns the total number of rows, or -1 with *error from the sink. */
long oro_demo_generate(oro_demo_plan_t *plan, const oro_demo_sink_t *sink, const char **error);

/* ---- loading into a database ---- */

typedef struct {
    long rows;
    double seconds;
} oro_demo_stats_t;

/* Called after each table with its row count (may be NULL). */
typedef void (*oro_demo_progress_fn)(void *baton, const char *table, long rows);

/* Loads the plan's rows into db, whose entity tables must exist and be empty.
 * PostgreSQL: one transaction, COPY per table, sequences set past the ids; a failure
 * leaves nothing behind. MariaDB: one transaction per table with unique and foreign key
 * checks off for the session; on failure every table written so far is emptied again
 * (they were empty before). Returns 0, 1 when a table already holds rows (*error says
 * which), -1 on failure (*error names the table). */
int oro_demo_load(oro_db_t *db, apr_pool_t *p, oro_demo_plan_t *plan, oro_demo_progress_fn progress,
                  void *baton, oro_demo_stats_t *stats, const char **error);

/* The bcrypt hash (cost 10, random salt) of password, in p; NULL with *error. */
const char *oro_demo_hash_password(apr_pool_t *p, const char *password, const char **error);

/* ---- text buffers and literals (exposed for the unit tests) ---- */

typedef struct {
    char *data;
    size_t len, cap;
} oro_demo_buf_t;

void oro_demo_buf_init(oro_demo_buf_t *b, size_t cap);
void oro_demo_buf_free(oro_demo_buf_t *b);
void oro_demo_buf_append(oro_demo_buf_t *b, const char *s, size_t n);

/* Appends v as a field of PostgreSQL's COPY text format: \N for NULL, backslash,
 * tab, newline and carriage return escaped. */
void oro_demo_copy_field(oro_demo_buf_t *b, const oro_demo_value_t *v);

/* Escapes s for a single-quoted SQL literal; the result lives at least until the next
 * call (apr_dbd_escape with a connection). */
typedef const char *(*oro_demo_escape_fn)(void *baton, const char *s);

/* Appends v as a MariaDB literal: NULL, a bare number or 1/0, else '…' with the text
 * escaped by escape. */
void oro_demo_sql_literal(oro_demo_buf_t *b, const oro_demo_value_t *v, oro_demo_escape_fn escape,
                          void *baton);

#endif
