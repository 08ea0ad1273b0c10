/* mod_oro/api_jobs.c — GET /api/jobs: the job runner's jobs (lib/mq/jobs.h) as a
 * JSON:API list with status and progress, newest first.
 *
 *   filter[status]=running,failed   jobs in any of these statuses
 *   filter[root]=true|false         root jobs only / child jobs only
 *   filter[rootJob]=ID              the children of root job ID
 *   filter[name]=NAME               jobs called NAME
 *   page[number], page[size]        as every list of the API (size ≤ OroApiMaxPageSize)
 *   X-Include: totalCount           the X-Include-Total-Count header
 *
 * NB: admin only once authentication is merged (the lead wires the check). */
#include "api.h"

#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>

#include "api/jsonbuf.h"
#include "mq/jobs.h"

APLOG_USE_MODULE(oro);

#define MAX_PAGE_NUMBER 10000000

typedef struct {
    apr_array_header_t *statuses; /* of const char * (status names) */
    int root;                     /* -1 any, 1 roots, 0 children */
    const char *root_job;         /* id, or NULL */
    const char *name;
    int page_number, page_size;
} jobs_query_t;

static void add_error(apr_array_header_t *errors, const char *title, const char *parameter,
                      const char *detail)
{
    oro_api_error_t *e = apr_array_push(errors);
    memset(e, 0, sizeof *e);
    e->status = HTTP_BAD_REQUEST;
    e->title = title;
    e->detail = detail;
    e->parameter = parameter;
}

static int whole_number(const char *text, int min, int max, int *out)
{
    apr_int64_t n = oro_job_id_parse(text);
    if (n < min || n > max) {
        return 0;
    }
    *out = (int)n;
    return 1;
}

/* Parses the query string; unknown parameters outside filter[…] and page[…] are
 * ignored, as in the rest of the API. */
static jobs_query_t *parse_query(request_rec *r, int max_page_size, apr_array_header_t *errors)
{
    apr_pool_t *p = r->pool;
    jobs_query_t *q = apr_pcalloc(p, sizeof *q);
    q->root = -1;
    q->page_number = 1;
    q->page_size = 10;
    if (r->args == NULL) {
        return q;
    }
    char *state, *copy = apr_pstrdup(p, r->args);
    for (char *item = apr_strtok(copy, "&", &state); item; item = apr_strtok(NULL, "&", &state)) {
        char *eq = strchr(item, '=');
        const char *key = oro_api_url_decode(p, item, eq ? (size_t)(eq - item) : strlen(item));
        const char *value = eq ? oro_api_url_decode(p, eq + 1, strlen(eq + 1)) : "";
        if (key == NULL || value == NULL) {
            add_error(errors, "invalid parameter", NULL,
                      "a query parameter is not valid percent-encoded UTF-8");
            continue;
        }
        const char *shown = oro_printable(p, value, 60);
        if (strcmp(key, "filter[status]") == 0) {
            q->statuses = apr_array_make(p, 4, sizeof(const char *));
            char *s2, *list = apr_pstrdup(p, value);
            for (char *s = apr_strtok(list, ",", &s2); s; s = apr_strtok(NULL, ",", &s2)) {
                if (oro_job_status_parse(s) < 0) {
                    add_error(errors, "filter constraint", key,
                              apr_psprintf(p,
                                           "\"%s\" is not a job status (new, running, success, "
                                           "failed, failed_redelivered, cancelled, stale)",
                                           oro_printable(p, s, 40)));
                }
                APR_ARRAY_PUSH(q->statuses, const char *) = s;
            }
            if (q->statuses->nelts == 0) {
                add_error(errors, "filter constraint", key, "filter[status] needs a status");
            }
        }
        else if (strcmp(key, "filter[root]") == 0) {
            if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0) {
                q->root = 1;
            }
            else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0) {
                q->root = 0;
            }
            else {
                add_error(errors, "filter constraint", key,
                          apr_psprintf(p, "\"%s\" is not a boolean (true or false)", shown));
            }
        }
        else if (strcmp(key, "filter[rootJob]") == 0) {
            if (oro_job_id_parse(value) == 0) {
                add_error(errors, "filter constraint", key,
                          apr_psprintf(p, "\"%s\" is not a job id", shown));
            }
            q->root_job = value;
        }
        else if (strcmp(key, "filter[name]") == 0) {
            if (*value == '\0' || strlen(value) > ORO_JOB_NAME_MAX) {
                add_error(errors, "filter constraint", key,
                          "filter[name] needs a name of 1 to 255 bytes");
            }
            q->name = value;
        }
        else if (strncmp(key, "filter[", 7) == 0) {
            add_error(errors, "filter constraint", key,
                      apr_psprintf(p,
                                   "jobs cannot be filtered by \"%s\" (status, root, rootJob, "
                                   "name)",
                                   oro_printable(p, key, 60)));
        }
        else if (strcmp(key, "page[number]") == 0) {
            if (!whole_number(value, 1, MAX_PAGE_NUMBER, &q->page_number)) {
                add_error(errors, "page constraint", key,
                          apr_psprintf(p,
                                       "the value \"%s\" of page[number] is not a whole "
                                       "number from 1 to %d",
                                       shown, MAX_PAGE_NUMBER));
            }
        }
        else if (strcmp(key, "page[size]") == 0) {
            if (!whole_number(value, 1, max_page_size, &q->page_size)) {
                add_error(errors, "page constraint", key,
                          apr_psprintf(p,
                                       "the value \"%s\" of page[size] is not a whole "
                                       "number from 1 to %d",
                                       shown, max_page_size));
            }
        }
        else if (strncmp(key, "page[", 5) == 0) {
            add_error(errors, "page constraint", key,
                      apr_psprintf(p,
                                   "the parameter \"%s\" is not supported (page[number], "
                                   "page[size])",
                                   oro_printable(p, key, 60)));
        }
    }
    return q;
}

/* " WHERE …" with its parameters. */
static const char *where_of(apr_pool_t *p, const jobs_query_t *q, apr_array_header_t *params)
{
    const char *where = " WHERE 1 = 1";
    if (q->statuses != NULL) {
        where = apr_pstrcat(p, where, " AND status IN (", NULL);
        for (int i = 0; i < q->statuses->nelts; i++) {
            where = apr_pstrcat(p, where, i ? ", %s" : "%s", NULL);
            APR_ARRAY_PUSH(params, const char *) = APR_ARRAY_IDX(q->statuses, i, const char *);
        }
        where = apr_pstrcat(p, where, ")", NULL);
    }
    if (q->root >= 0) {
        where = apr_pstrcat(
            p, where, q->root ? " AND root_job_id IS NULL" : " AND root_job_id IS NOT NULL", NULL);
    }
    if (q->root_job != NULL) {
        where = apr_pstrcat(p, where, " AND root_job_id = %s", NULL);
        APR_ARRAY_PUSH(params, const char *) = q->root_job;
    }
    if (q->name != NULL) {
        where = apr_pstrcat(p, where, " AND name = %s", NULL);
        APR_ARRAY_PUSH(params, const char *) = q->name;
    }
    return where;
}

static const char *page_link(request_rec *r, const char *base_url, int number)
{
    apr_pool_t *p = r->pool;
    const char *args = "";
    if (r->args != NULL) {
        char *state, *copy = apr_pstrdup(p, r->args);
        for (char *item = apr_strtok(copy, "&", &state); item;
             item = apr_strtok(NULL, "&", &state)) {
            const char *eq = strchr(item, '=');
            const char *key = oro_api_url_decode(p, item, eq ? (size_t)(eq - item) : strlen(item));
            if (key != NULL && strcmp(key, "page[number]") == 0) {
                continue;
            }
            args = apr_pstrcat(p, args, *args ? "&" : "", item, NULL);
        }
    }
    return apr_psprintf(p, "%s/jobs?%s%spage[number]=%d", base_url, args, *args ? "&" : "", number);
}

static void write_job(oro_jbuf_t *b, apr_pool_t *p, const oro_job_t *job)
{
    oro_jbuf_lit(b, "{\"type\":\"jobs\",\"id\":");
    oro_jbuf_str(b, apr_psprintf(p, "%" APR_INT64_T_FMT, job->id));
    oro_jbuf_lit(b, ",\"attributes\":{");
    oro_jbuf_key(b, "name");
    oro_jbuf_str(b, job->name);
    oro_jbuf_lit(b, ",");
    oro_jbuf_key(b, "status");
    oro_jbuf_str(b, oro_job_status_name(job->status));
    const char *progress = apr_psprintf(p, ",\"progress\":%.4f", job->progress);
    oro_jbuf_raw(b, progress, strlen(progress));
    if (job->interrupted) {
        oro_jbuf_lit(b, ",\"interrupted\":true");
    }
    else {
        oro_jbuf_lit(b, ",\"interrupted\":false");
    }
    if (job->unique) {
        oro_jbuf_lit(b, ",\"unique\":true");
    }
    else {
        oro_jbuf_lit(b, ",\"unique\":false");
    }
    const char *names[] = {"createdAt", "startedAt", "stoppedAt", "lastActiveAt"};
    const char *values[] = {job->created_at, job->started_at, job->stopped_at, job->last_active_at};
    for (int i = 0; i < 4; i++) {
        oro_jbuf_lit(b, ",");
        oro_jbuf_key(b, names[i]);
        oro_jbuf_str(b, values[i]);
    }
    oro_jbuf_lit(b, "},\"relationships\":{\"rootJob\":{\"data\":");
    if (job->root_id) {
        oro_jbuf_lit(b, "{\"type\":\"jobs\",\"id\":");
        oro_jbuf_str(b, apr_psprintf(p, "%" APR_INT64_T_FMT, job->root_id));
        oro_jbuf_lit(b, "}");
    }
    else {
        oro_jbuf_lit(b, "null");
    }
    oro_jbuf_lit(b, "}}}");
}

int oro_handle_jobs(request_rec *r)
{
    if (r->method_number != M_GET) {
        apr_table_setn(r->headers_out, "Allow", "GET, HEAD");
        return oro_api_send_error(
            r, HTTP_METHOD_NOT_ALLOWED, "method not allowed",
            apr_psprintf(r->pool, "%s is not allowed here (allowed: GET, HEAD)", r->method), NULL);
    }
    apr_pool_t *p = r->pool;
    const oro_settings_t *settings = &oro_server_conf(r->server)->settings;
    apr_array_header_t *errors = apr_array_make(p, 2, sizeof(oro_api_error_t));
    jobs_query_t *q = parse_query(r, settings->api_max_page_size, errors);
    if (errors->nelts > 0) {
        return oro_api_send_errors(r, errors);
    }
    oro_api_request_t req = {0};
    req.r = r;
    req.settings = settings;
    req.meta = settings->meta;
    req.hateoas = !oro_api_x_include(r, "noHateoas");
    req.base_url = ap_construct_url(p, "/api", r);
    if (oro_api_dbd(&req) == NULL) {
        apr_table_setn(r->headers_out, "Retry-After", "5");
        return oro_api_send_error(r, HTTP_SERVICE_UNAVAILABLE, "database unavailable",
                                  "could not connect to the database; try again shortly", NULL);
    }
    int dialect = oro_db_dialect_of(apr_dbd_name(req.dbd->driver));
    req.dialect = dialect < 0 ? ORO_DIALECT_PGSQL : (oro_dialect_t)dialect;

    oro_sql_t list = {NULL, apr_array_make(p, 4, sizeof(const char *))};
    const char *where = where_of(p, q, list.params);
    /* one row more than the page tells whether a next page exists */
    list.sql = apr_psprintf(p, "%s%s ORDER BY id DESC LIMIT %d OFFSET %" APR_INT64_T_FMT,
                            oro_job_columns_sql(p, req.dialect), where, q->page_size + 1,
                            (apr_int64_t)(q->page_number - 1) * q->page_size);
    const char *error;
    apr_array_header_t *rows = oro_api_rows(&req, &list, ORO_JOB_COLUMNS, &error);
    if (rows == NULL) {
        return oro_api_database_error(&req, "could not list jobs (is the schema up to date?)",
                                      error);
    }
    int has_next = rows->nelts > q->page_size;
    if (has_next) {
        rows->nelts = q->page_size;
    }
    long total = -1;
    if (oro_api_x_include(r, "totalCount")) {
        oro_sql_t count = {apr_pstrcat(p, "SELECT COUNT(*) FROM oro_job", where, NULL),
                           list.params};
        apr_array_header_t *n = oro_api_rows(&req, &count, 1, &error);
        if (n == NULL || n->nelts != 1) {
            return oro_api_database_error(&req, "could not count jobs", error ? error : "no row");
        }
        total = atol(APR_ARRAY_IDX(n, 0, const char **)[0]);
        apr_table_setn(r->headers_out, "X-Include-Total-Count", apr_ltoa(p, total));
    }
    oro_jbuf_t doc;
    oro_jbuf_init(&doc, p, 1024 + (apr_size_t)rows->nelts * 512);
    oro_jbuf_lit(&doc, "{\"data\":[");
    for (int i = 0; i < rows->nelts; i++) {
        if (i > 0) {
            oro_jbuf_lit(&doc, ",");
        }
        write_job(&doc, p, oro_job_from_row(p, APR_ARRAY_IDX(rows, i, const char *const *)));
    }
    oro_jbuf_lit(&doc, "]");
    if (req.hateoas) {
        oro_jbuf_lit(&doc, ",\"links\":{\"self\":");
        oro_jbuf_str(&doc, page_link(r, req.base_url, q->page_number));
        oro_jbuf_lit(&doc, ",\"first\":");
        oro_jbuf_str(&doc, page_link(r, req.base_url, 1));
        if (q->page_number > 1) {
            oro_jbuf_lit(&doc, ",\"prev\":");
            oro_jbuf_str(&doc, page_link(r, req.base_url, q->page_number - 1));
        }
        if (has_next) {
            oro_jbuf_lit(&doc, ",\"next\":");
            oro_jbuf_str(&doc, page_link(r, req.base_url, q->page_number + 1));
        }
        if (total >= 0) {
            long last = total == 0 ? 1 : (total + q->page_size - 1) / q->page_size;
            oro_jbuf_lit(&doc, ",\"last\":");
            oro_jbuf_str(&doc, page_link(r, req.base_url, (int)last));
        }
        oro_jbuf_lit(&doc, "}");
    }
    oro_jbuf_lit(&doc, "}");
    return oro_send_json(r, HTTP_OK, ORO_JSONAPI, doc.data);
}
