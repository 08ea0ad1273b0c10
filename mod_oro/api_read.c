/* mod_oro/api_read.c — GET /api/{type} and GET /api/{type}/{id}, with include. */
#include "api.h"

#include <apr_strings.h>
#include <http_protocol.h>

APLOG_USE_MODULE(oro);

/* Records of one type being rendered: rows in select-column order and, per record id,
 * the ids of its to-many relations that were loaded (relation name -> array). */
typedef struct {
    const oro_entity_t *entity;
    apr_array_header_t *columns;
    apr_array_header_t *rows; /* const char ** */
    apr_hash_t *to_many;      /* id -> apr_hash_t (relation name -> ids) */
} record_set_t;

typedef struct {
    oro_api_request_t *req;
    const oro_api_query_t *query;
    oro_jbuf_t included; /* the included resources, comma-separated */
    int nincluded;
    apr_hash_t *seen; /* "type/id" of primary and included resources */
    oro_doc_options_t options;
} render_t;

static record_set_t *record_set(apr_pool_t *p, const oro_entity_t *e, apr_array_header_t *rows)
{
    record_set_t *set = apr_pcalloc(p, sizeof *set);
    set->entity = e;
    set->columns = oro_select_columns(p, e);
    set->rows = rows;
    set->to_many = apr_hash_make(p);
    return set;
}

static int column_of(const apr_array_header_t *columns, const oro_relation_t *r)
{
    for (int c = 0; c < columns->nelts; c++) {
        if (APR_ARRAY_IDX(columns, c, oro_select_column_t).relation == r) {
            return c;
        }
    }
    return -1;
}

/* Follows one include path from set: loads the related records (not yet rendered)
 * and recurses into the rest of the path. Returns 0, or -1 after answering. */
static int include_path(render_t *rd, record_set_t *set, char *path, int depth)
{
    apr_pool_t *p = rd->req->r->pool;
    if (set->rows->nelts == 0) {
        return 0;
    }
    char *rest = strchr(path, '.');
    if (rest != NULL) {
        *rest++ = '\0';
    }
    const oro_relation_t *r = oro_meta_relation(set->entity, path);
    if (r == NULL) {
        return 0; /* the parser checked the path */
    }
    apr_array_header_t *ids = apr_array_make(p, set->rows->nelts, sizeof(const char *));
    apr_hash_t *unique = apr_hash_make(p);
    const char *error;
    if (r->kind == ORO_RELATION_MANY_TO_ONE) {
        int c = column_of(set->columns, r);
        for (int i = 0; c >= 0 && i < set->rows->nelts; i++) {
            const char *id = APR_ARRAY_IDX(set->rows, i, const char **)[c];
            if (id && !apr_hash_get(unique, id, APR_HASH_KEY_STRING)) {
                apr_hash_set(unique, id, APR_HASH_KEY_STRING, "");
                APR_ARRAY_PUSH(ids, const char *) = id;
            }
        }
    }
    else {
        apr_array_header_t *owners = apr_array_make(p, set->rows->nelts, sizeof(const char *));
        for (int i = 0; i < set->rows->nelts; i++) {
            const char *id = APR_ARRAY_IDX(set->rows, i, const char **)[0];
            APR_ARRAY_PUSH(owners, const char *) = id;
            apr_hash_t *map = apr_hash_get(set->to_many, id, APR_HASH_KEY_STRING);
            if (map == NULL) {
                map = apr_hash_make(p);
                apr_hash_set(set->to_many, id, APR_HASH_KEY_STRING, map);
            }
            apr_hash_set(map, r->name, APR_HASH_KEY_STRING,
                         apr_array_make(p, 4, sizeof(const char *)));
        }
        /* the ACL: only the related records the caller may view are linked */
        apr_array_header_t *pairs =
            oro_api_rows(rd->req,
                         oro_select_to_many_ids_filtered(p, rd->req->dialect, r, owners,
                                                         oro_api_acl_filter(rd->req, ORO_ACL_VIEW)),
                         2, &error);
        if (pairs == NULL) {
            return oro_api_database_error(rd->req, "could not read a to-many relation", error), -1;
        }
        for (int i = 0; i < pairs->nelts; i++) {
            const char **pair = APR_ARRAY_IDX(pairs, i, const char **);
            apr_hash_t *map = apr_hash_get(set->to_many, pair[0], APR_HASH_KEY_STRING);
            if (map != NULL) {
                APR_ARRAY_PUSH(
                    (apr_array_header_t *)apr_hash_get(map, r->name, APR_HASH_KEY_STRING),
                    const char *) = pair[1];
            }
            if (!apr_hash_get(unique, pair[1], APR_HASH_KEY_STRING)) {
                apr_hash_set(unique, pair[1], APR_HASH_KEY_STRING, "");
                APR_ARRAY_PUSH(ids, const char *) = pair[1];
            }
        }
    }
    if (ids->nelts == 0) {
        return 0;
    }
    apr_array_header_t *rows =
        oro_api_rows(rd->req,
                     oro_select_by_ids_filtered(p, rd->req->dialect, r->target, ids,
                                                oro_api_acl_filter(rd->req, ORO_ACL_VIEW)),
                     oro_select_columns(p, r->target)->nelts, &error);
    if (rows == NULL) {
        return oro_api_database_error(rd->req, "could not read included records", error), -1;
    }
    record_set_t *related = record_set(p, r->target, rows);
    if (rest != NULL && depth < 3 && include_path(rd, related, rest, depth + 1) != 0) {
        return -1;
    }
    for (int i = 0; i < rows->nelts; i++) {
        const char **values = APR_ARRAY_IDX(rows, i, const char **);
        const char *key = apr_pstrcat(p, r->target->type, "/", values[0], NULL);
        if (apr_hash_get(rd->seen, key, APR_HASH_KEY_STRING)) {
            continue;
        }
        apr_hash_set(rd->seen, key, APR_HASH_KEY_STRING, "");
        if (rd->nincluded++ > 0) {
            oro_jbuf_lit(&rd->included, ",");
        }
        oro_doc_write_resource(&rd->included, p, r->target, related->columns, values,
                               apr_hash_get(related->to_many, values[0], APR_HASH_KEY_STRING),
                               &rd->options);
    }
    return 0;
}

/* Loads every include path of the query for the primary records. */
static int load_includes(render_t *rd, record_set_t *primary)
{
    apr_pool_t *p = rd->req->r->pool;
    for (int i = 0; rd->query && rd->query->include && i < rd->query->include->nelts; i++) {
        char *path = apr_pstrdup(p, APR_ARRAY_IDX(rd->query->include, i, const char *));
        if (include_path(rd, primary, path, 1) != 0) {
            return -1;
        }
    }
    return 0;
}

static render_t *renderer(oro_api_request_t *req, const oro_api_query_t *query)
{
    render_t *rd = apr_pcalloc(req->r->pool, sizeof *rd);
    rd->req = req;
    rd->query = query;
    oro_jbuf_init(&rd->included, req->r->pool, 4096);
    rd->seen = apr_hash_make(req->r->pool);
    rd->options.base_url = req->hateoas ? req->base_url : NULL;
    rd->options.query = query;
    rd->options.dialect = req->dialect;
    return rd;
}

static void add_included(render_t *rd, oro_jbuf_t *doc)
{
    if (rd->nincluded > 0) {
        oro_jbuf_lit(doc, ",\"included\":[");
        oro_jbuf_raw(doc, rd->included.data, rd->included.len);
        oro_jbuf_lit(doc, "]");
    }
}

static void add_link(oro_jbuf_t *doc, int *first, const char *name, const char *url)
{
    oro_jbuf_raw(doc, *first ? "" : ",", *first ? 0 : 1);
    *first = 0;
    oro_jbuf_key(doc, name);
    oro_jbuf_str(doc, url);
}

static const char *page_link(oro_api_request_t *req, const oro_api_query_t *q, int number)
{
    apr_pool_t *p = req->r->pool;
    /* the request's own parameters, with page[number] replaced */
    const char *args = "";
    if (req->r->args != NULL) {
        char *state, *copy = apr_pstrdup(p, req->r->args);
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
    const char *path = req->relation == NULL ? q->entity->type
                                             : apr_pstrcat(p, req->entity->type, "/", req->id, "/",
                                                           req->relation->name, NULL);
    return apr_psprintf(p, "%s/%s?%s%spage[number]=%d", req->base_url, path, args, *args ? "&" : "",
                        number);
}

int oro_api_list(oro_api_request_t *req)
{
    request_rec *r = req->r;
    apr_pool_t *p = r->pool;
    /* the records listed: of the URL's type, or the related records of req->id */
    const oro_entity_t *entity = req->relation ? req->relation->target : req->entity;
    oro_api_limits_t limits = {10, req->settings->api_max_page_size, entity->unlimited_pages};
    apr_array_header_t *errors = NULL;
    oro_api_query_t *q = oro_api_query_parse(p, req->meta, entity, r->args, &limits, &errors);
    if (q == NULL) {
        return oro_api_send_errors(r, errors);
    }
    q->filter = oro_api_acl_filter(req, ORO_ACL_VIEW); /* the caller's records only */
    const char *error;
    apr_array_header_t *columns = oro_select_columns(p, entity);
    oro_sql_t *list = req->relation ? oro_select_related(p, req->dialect, q, req->relation, req->id)
                                    : oro_select_list(p, req->dialect, q);
    apr_array_header_t *rows = oro_api_rows(req, list, columns->nelts, &error);
    if (rows == NULL) {
        return oro_api_database_error(req, "could not list records", error);
    }
    int has_next = q->page_size > 0 && rows->nelts > q->page_size;
    if (has_next) {
        rows->nelts = q->page_size;
    }
    long total = -1;
    if (oro_api_x_include(r, "totalCount")) {
        oro_sql_t *count_sql =
            req->relation ? oro_select_related_count(p, req->dialect, q, req->relation, req->id)
                          : oro_select_count(p, req->dialect, q);
        apr_array_header_t *count = oro_api_rows(req, count_sql, 1, &error);
        if (count == NULL || count->nelts != 1) {
            return oro_api_database_error(req, "could not count records", error ? error : "no row");
        }
        total = atol(APR_ARRAY_IDX(count, 0, const char **)[0]);
        apr_table_setn(r->headers_out, "X-Include-Total-Count", apr_ltoa(p, total));
    }
    render_t *rd = renderer(req, q);
    record_set_t *primary = record_set(p, entity, rows);
    for (int i = 0; i < rows->nelts; i++) {
        apr_hash_set(
            rd->seen,
            apr_pstrcat(p, entity->type, "/", APR_ARRAY_IDX(rows, i, const char **)[0], NULL),
            APR_HASH_KEY_STRING, "");
    }
    if (load_includes(rd, primary) != 0) {
        return OK;
    }
    oro_jbuf_t doc;
    oro_jbuf_init(&doc, p, 2048 + (apr_size_t)rows->nelts * 1536);
    oro_jbuf_lit(&doc, "{\"data\":[");
    for (int i = 0; i < rows->nelts; i++) {
        const char **values = APR_ARRAY_IDX(rows, i, const char **);
        if (i > 0) {
            oro_jbuf_lit(&doc, ",");
        }
        oro_doc_write_resource(&doc, p, entity, columns, values,
                               apr_hash_get(primary->to_many, values[0], APR_HASH_KEY_STRING),
                               &rd->options);
    }
    oro_jbuf_lit(&doc, "]");
    add_included(rd, &doc);
    if (req->hateoas && q->page_size > 0) {
        int first = 1;
        oro_jbuf_lit(&doc, ",\"links\":{");
        add_link(&doc, &first, "self", page_link(req, q, q->page_number));
        add_link(&doc, &first, "first", page_link(req, q, 1));
        if (q->page_number > 1) {
            add_link(&doc, &first, "prev", page_link(req, q, q->page_number - 1));
        }
        if (has_next) {
            add_link(&doc, &first, "next", page_link(req, q, q->page_number + 1));
        }
        if (total >= 0) {
            long last = total == 0 ? 1 : (total + q->page_size - 1) / q->page_size;
            add_link(&doc, &first, "last", page_link(req, q, (int)last));
        }
        oro_jbuf_lit(&doc, "}");
    }
    oro_jbuf_lit(&doc, "}");
    return oro_send_json(r, HTTP_OK, ORO_JSONAPI, doc.data);
}

int oro_api_fetch(oro_api_request_t *req, const char *id, const char *const **values,
                  apr_array_header_t **columns)
{
    apr_pool_t *p = req->r->pool;
    const char *error;
    *columns = oro_select_columns(p, req->entity);
    /* a record the caller may not view reads as missing (404, docs/security.md) */
    const oro_select_filter_t *acl = req->acl_bypass ? NULL : oro_api_acl_filter(req, ORO_ACL_VIEW);
    apr_array_header_t *rows =
        oro_api_rows(req, oro_select_by_id_filtered(p, req->dialect, req->entity, id, acl),
                     (*columns)->nelts, &error);
    if (rows == NULL) {
        oro_api_database_error(req, "could not read a record", error);
        return -1;
    }
    *values = rows->nelts > 0 ? APR_ARRAY_IDX(rows, 0, const char *const *) : NULL;
    return 0;
}

/* The updatedAt value of a row, for the ETag. */
static const char *updated_at(const apr_array_header_t *columns, const char *const *values)
{
    for (int c = 0; c < columns->nelts; c++) {
        const oro_field_t *f = APR_ARRAY_IDX(columns, c, oro_select_column_t).field;
        if (f && strcmp(f->name, "updatedAt") == 0) {
            return values[c] ? values[c] : "";
        }
    }
    return "";
}

const char *oro_api_etag(oro_api_request_t *req, const apr_array_header_t *columns,
                         const char *const *values)
{
    return oro_doc_etag(req->r->pool, req->entity, values[0], updated_at(columns, values));
}

int oro_api_send_record(oro_api_request_t *req, int status, const char *const *values,
                        const apr_array_header_t *columns)
{
    request_rec *r = req->r;
    apr_pool_t *p = r->pool;
    oro_api_limits_t limits = {10, req->settings->api_max_page_size, 0};
    apr_array_header_t *errors = NULL;
    /* include, fields and meta apply to single resources too; filters and pages do not */
    const oro_api_query_t *q =
        oro_api_query_parse(p, req->meta, req->entity, r->args, &limits, &errors);
    if (q == NULL) {
        return oro_api_send_errors(r, errors);
    }
    render_t *rd = renderer(req, q);
    apr_array_header_t *rows = apr_array_make(p, 1, sizeof(const char **));
    APR_ARRAY_PUSH(rows, const char *const *) = values;
    record_set_t *primary = record_set(p, req->entity, rows);
    apr_hash_set(rd->seen, apr_pstrcat(p, req->entity->type, "/", values[0], NULL),
                 APR_HASH_KEY_STRING, "");
    if (load_includes(rd, primary) != 0) {
        return OK;
    }
    oro_jbuf_t doc;
    oro_jbuf_init(&doc, p, 4096);
    oro_jbuf_lit(&doc, "{\"data\":");
    oro_doc_write_resource(&doc, p, req->entity, columns, values,
                           apr_hash_get(primary->to_many, values[0], APR_HASH_KEY_STRING),
                           &rd->options);
    add_included(rd, &doc);
    oro_jbuf_lit(&doc, "}");
    const char *body = doc.data;
    apr_table_setn(r->headers_out, "ETag", oro_api_etag(req, columns, values));
    return oro_send_json(r, status, ORO_JSONAPI, body);
}

int oro_api_get(oro_api_request_t *req)
{
    const char *const *values;
    apr_array_header_t *columns;
    if (oro_api_fetch(req, req->id, &values, &columns) != 0) {
        return OK;
    }
    if (values == NULL) {
        return oro_api_send_error(
            req->r, HTTP_NOT_FOUND, "not found",
            apr_psprintf(req->r->pool, "%s \"%s\" does not exist", req->entity->type, req->id),
            NULL);
    }
    const char *etag = oro_api_etag(req, columns, values);
    const char *none_match = apr_table_get(req->r->headers_in, "If-None-Match");
    if (none_match != NULL && strcmp(none_match, etag) == 0) {
        apr_table_setn(req->r->headers_out, "ETag", etag);
        return HTTP_NOT_MODIFIED;
    }
    return oro_api_send_record(req, HTTP_OK, values, columns);
}
