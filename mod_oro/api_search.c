/* mod_oro/api_search.c — GET /api/search (simple search), GET /api/search/advanced
 * (Oro's query language) and GET /api/searchentities, answered from the Xapian index
 * (lib/search/, docs/search.md).
 *
 * Readers: Xapian handles are not thread-safe, so each request borrows a reader of
 * its own from a per-process free list and gives it back when the request ends; a
 * reader checks for the indexer's commits and a rebuild's switch at most every
 * ORO_SEARCH_REFRESH_MS milliseconds. */
#include "api.h"

#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <http_core.h>
#include <http_protocol.h>
#include <math.h>
#include <pthread.h>

#include "acl/acl.h"
#include "api/jsonbuf.h"
#include "search/indexer.h"
#include "search/query.h"
#include "search/search.h"

#define ORO_SEARCH_REFRESH_MS 100
#define DEFAULT_PAGE_SIZE 10
#define MAX_OFFSET 100000

/* ------------------------------------------------------------ readers */

typedef struct reader_slot {
    struct reader_slot *next;
    apr_pool_t *pool;
    const char *dir;
    oro_search_reader_t *reader;
} reader_slot_t;

static pthread_mutex_t readers_lock = PTHREAD_MUTEX_INITIALIZER;
static reader_slot_t *free_readers;

static apr_status_t give_back(void *data)
{
    reader_slot_t *slot = data;
    pthread_mutex_lock(&readers_lock);
    slot->next = free_readers;
    free_readers = slot;
    pthread_mutex_unlock(&readers_lock);
    return APR_SUCCESS;
}

/* A reader of dir for this request only (returned to the free list by a cleanup on
 * r->pool), refreshed. NULL with *error. */
static oro_search_reader_t *borrow_reader(request_rec *r, const char *dir, const char **error)
{
    reader_slot_t *slot = NULL, **link;
    pthread_mutex_lock(&readers_lock);
    for (link = &free_readers; *link != NULL; link = &(*link)->next) {
        if (strcmp((*link)->dir, dir) == 0) {
            slot = *link;
            *link = slot->next;
            break;
        }
    }
    pthread_mutex_unlock(&readers_lock);
    if (slot == NULL) {
        /* NB: a root pool, not the request's or the child's: the reader outlives the
         * request and is reused by whichever thread borrows it next */
        apr_pool_t *pool;
        if (apr_pool_create(&pool, NULL) != APR_SUCCESS) {
            *error = "could not allocate a search reader";
            return NULL;
        }
        slot = apr_pcalloc(pool, sizeof *slot);
        slot->pool = pool;
        slot->dir = apr_pstrdup(pool, dir);
        slot->reader = oro_search_reader_create(pool, dir);
    }
    apr_pool_cleanup_register(r->pool, slot, give_back, apr_pool_cleanup_null);
    if (oro_search_reader_refresh(slot->reader, r->pool, ORO_SEARCH_REFRESH_MS, error) != 0) {
        return NULL;
    }
    return slot->reader;
}

/* ------------------------------------------------------------ parameters and ACL */

/* The decoded query parameters (last one wins); NULL after answering 400. */
static apr_table_t *read_params(request_rec *r)
{
    apr_table_t *params = apr_table_make(r->pool, 8);
    if (r->args == NULL) {
        return params;
    }
    char *state, *args = apr_pstrdup(r->pool, r->args);
    for (char *pair = apr_strtok(args, "&", &state); pair; pair = apr_strtok(NULL, "&", &state)) {
        char *eq = strchr(pair, '=');
        size_t klen = eq ? (size_t)(eq - pair) : strlen(pair);
        char *key = oro_api_url_decode(r->pool, pair, klen);
        char *value = eq ? oro_api_url_decode(r->pool, eq + 1, strlen(eq + 1)) : "";
        if (key == NULL || value == NULL) {
            oro_api_send_error(r, HTTP_BAD_REQUEST, "request parameter",
                               apr_psprintf(r->pool,
                                            "the query parameter \"%s\" is not valid "
                                            "percent-encoded UTF-8",
                                            oro_printable(r->pool, pair, 80)),
                               NULL);
            return NULL;
        }
        apr_table_set(params, key, value);
    }
    return params;
}

static int send_parameter_error(request_rec *r, const char *title, const char *parameter,
                                const char *detail)
{
    apr_array_header_t *errors = apr_array_make(r->pool, 1, sizeof(oro_api_error_t));
    oro_api_error_t *e = apr_array_push(errors);
    memset(e, 0, sizeof *e);
    e->status = HTTP_BAD_REQUEST;
    e->title = title;
    e->detail = detail;
    e->parameter = parameter;
    return oro_api_send_errors(r, errors);
}

/* The caller's view on every indexed entity. Until the ACL is wired in (the lead
 * merges lib/acl), every caller sees every entity at the global level.
 * NB for that merge: user_id, organization_id, business_unit_ids and division_ids come
 * from the principal (oro_auth_principal(r)), and each entity's level from
 * oro_acl_level(principal, e, ORO_ACL_VIEW); the query builder does the rest. */
static oro_search_acl_t *caller_acl(request_rec *r, const oro_meta_t *meta)
{
    oro_search_acl_t *acl = apr_pcalloc(r->pool, sizeof *acl);
    oro_search_acl_entity_t *entities =
        apr_pcalloc(r->pool, sizeof *entities * (size_t)(meta->entities->nelts + 1));
    for (int i = 0; i < meta->entities->nelts; i++) {
        const oro_entity_t *e = APR_ARRAY_IDX(meta->entities, i, const oro_entity_t *);
        if (!oro_search_entity_indexed(e)) {
            continue;
        }
        oro_search_acl_entity_t *ae = &entities[acl->nentities++];
        ae->entity = e->type;
        ae->level = ORO_ACL_GLOBAL;
        ae->ownership = (int)e->ownership;
    }
    acl->entities = entities;
    return acl;
}

static int acl_level(const oro_search_acl_t *acl, const char *type)
{
    for (int i = 0; i < acl->nentities; i++) {
        if (strcmp(acl->entities[i].entity, type) == 0) {
            return acl->entities[i].level;
        }
    }
    return ORO_ACL_NONE;
}

/* Checks a list of entity types against the metadata: known and searchable. NULL when
 * they are, else the message. */
static const char *check_entities(apr_pool_t *p, const oro_meta_t *meta,
                                  const apr_array_header_t *types)
{
    for (int i = 0; i < types->nelts; i++) {
        const char *t = APR_ARRAY_IDX(types, i, const char *);
        const oro_entity_t *e = oro_meta_entity(meta, t);
        if (e == NULL) {
            return apr_psprintf(p, "unknown entity type \"%s\"", oro_printable(p, t, 60));
        }
        if (!oro_search_entity_indexed(e)) {
            return apr_psprintf(p, "the entity type \"%s\" is not searchable", t);
        }
    }
    return NULL;
}

/* Reads a page parameter into *out; returns 1, or 0 after answering 400. */
static int page_param(request_rec *r, apr_table_t *params, const char *name, long min, long max,
                      long fallback, long *out)
{
    const char *v = apr_table_get(params, name);
    if (v == NULL) {
        *out = fallback;
        return 1;
    }
    size_t n = strlen(v);
    if (n == 0 || n > 9 || strspn(v, "0123456789") != n || atol(v) < min || atol(v) > max) {
        send_parameter_error(
            r, "page constraint", name,
            apr_psprintf(r->pool, "the value \"%s\" of %s is not a whole number from %ld to %ld",
                         oro_printable(r->pool, v, 40), name, min, max));
        return 0;
    }
    *out = atol(v);
    return 1;
}

/* ------------------------------------------------------------ answers */

static void write_number(oro_jbuf_t *b, double x)
{
    const char *s = isfinite(x) ? apr_psprintf(b->pool, "%.6g", x) : "0";
    oro_jbuf_raw(b, s, strlen(s));
}

/* One hit as a resource of type "search". */
static void write_hit(oro_jbuf_t *b, const char *base_url, const oro_search_hit_t *hit,
                      const oro_search_query_t *query)
{
    oro_jbuf_lit(b, "{\"type\":\"search\",\"id\":");
    oro_jbuf_str(b, apr_pstrcat(b->pool, hit->entity, "-", hit->id, NULL));
    oro_jbuf_lit(b, ",\"attributes\":{\"entity\":");
    oro_jbuf_str(b, hit->entity);
    oro_jbuf_lit(b, ",\"entityId\":");
    oro_jbuf_str(b, hit->id);
    oro_jbuf_lit(b, ",\"title\":");
    oro_jbuf_str(b, hit->title);
    oro_jbuf_lit(b, ",\"score\":");
    write_number(b, hit->score);
    if (query != NULL && query->select->nelts > 0) {
        oro_jbuf_lit(b, ",\"selectedData\":{");
        for (int i = 0; i < query->select->nelts; i++) {
            const oro_search_field_ref_t *f =
                &APR_ARRAY_IDX(query->select, i, oro_search_field_ref_t);
            if (i > 0) {
                oro_jbuf_lit(b, ",");
            }
            oro_jbuf_key(b, f->name);
            oro_jbuf_str(b, apr_hash_get(hit->values, f->name, APR_HASH_KEY_STRING));
        }
        oro_jbuf_lit(b, "}");
    }
    oro_jbuf_lit(b, "},\"relationships\":{\"entity\":{\"data\":{\"type\":");
    oro_jbuf_str(b, hit->entity);
    oro_jbuf_lit(b, ",\"id\":");
    oro_jbuf_str(b, hit->id);
    oro_jbuf_lit(b, "}}},\"links\":{\"entity\":");
    oro_jbuf_str(b, apr_pstrcat(b->pool, base_url, "/", hit->entity, "/", hit->id, NULL));
    oro_jbuf_lit(b, "}}");
}

static void write_aggregates(oro_jbuf_t *b, const oro_search_result_t *res)
{
    oro_jbuf_lit(b, ",\"meta\":{\"aggregatedData\":{");
    for (int i = 0; i < res->aggregates->nelts; i++) {
        const oro_search_aggregate_result_t *a =
            &APR_ARRAY_IDX(res->aggregates, i, oro_search_aggregate_result_t);
        if (i > 0) {
            oro_jbuf_lit(b, ",");
        }
        oro_jbuf_key(b, a->alias);
        if (strcmp(a->function, "count") == 0) {
            oro_jbuf_lit(b, "{");
            for (int j = 0; j < a->values->nelts; j++) {
                if (j > 0) {
                    oro_jbuf_lit(b, ",");
                }
                oro_jbuf_key(b, APR_ARRAY_IDX(a->values, j, const char *));
                const char *n = apr_psprintf(b->pool, "%" APR_INT64_T_FMT,
                                             APR_ARRAY_IDX(a->counts, j, apr_int64_t));
                oro_jbuf_raw(b, n, strlen(n));
            }
            oro_jbuf_lit(b, "}");
        }
        else if (a->has_number) {
            write_number(b, a->number);
        }
        else {
            oro_jbuf_lit(b, "null");
        }
    }
    oro_jbuf_lit(b, "}}");
}

/* The URL of this request with page[number] replaced by number. */
static const char *page_link(request_rec *r, apr_table_t *params, long number)
{
    const char *url = ap_construct_url(r->pool, r->uri, r);
    const char *sep = "?";
    const apr_array_header_t *arr = apr_table_elts(params);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    for (int i = 0; i < arr->nelts; i++) {
        if (strcmp(e[i].key, "page[number]") == 0) {
            continue;
        }
        url = apr_pstrcat(r->pool, url, sep, ap_escape_urlencoded(r->pool, e[i].key), "=",
                          ap_escape_urlencoded(r->pool, e[i].val), NULL);
        sep = "&";
    }
    return apr_psprintf(r->pool, "%s%spage%%5Bnumber%%5D=%ld", url, sep, number);
}

static int send_result(request_rec *r, apr_table_t *params, const oro_search_result_t *res,
                       const oro_search_query_t *query, long page, int paged)
{
    oro_jbuf_t b;
    oro_jbuf_init(&b, r->pool, 4096);
    const char *base_url = ap_construct_url(r->pool, "/api", r);
    oro_jbuf_lit(&b, "{\"data\":[");
    for (int i = 0; i < res->hits->nelts; i++) {
        if (i > 0) {
            oro_jbuf_lit(&b, ",");
        }
        write_hit(&b, base_url, &APR_ARRAY_IDX(res->hits, i, oro_search_hit_t), query);
    }
    oro_jbuf_lit(&b, "]");
    if (paged) {
        oro_jbuf_lit(&b, ",\"links\":{\"self\":");
        oro_jbuf_str(&b, page_link(r, params, page));
        if (page > 1) {
            oro_jbuf_lit(&b, ",\"prev\":");
            oro_jbuf_str(&b, page_link(r, params, page - 1));
        }
        if (res->more) {
            oro_jbuf_lit(&b, ",\"next\":");
            oro_jbuf_str(&b, page_link(r, params, page + 1));
        }
        oro_jbuf_lit(&b, "}");
    }
    if (query != NULL && query->aggregates->nelts > 0) {
        write_aggregates(&b, res);
    }
    oro_jbuf_lit(&b, "}");
    return oro_send_json(r, HTTP_OK, ORO_JSONAPI, b.data);
}

/* Common checks: GET only, the index configured. Returns OK to go on, else the status
 * of the answer sent (as a handler return value, DONE-like: the caller returns OK). */
static int preflight(request_rec *r, const oro_settings_t **settings)
{
    if (r->method_number != M_GET) {
        apr_table_setn(r->headers_out, "Allow", "GET, HEAD");
        oro_api_send_error(
            r, HTTP_METHOD_NOT_ALLOWED, "method not allowed",
            apr_psprintf(r->pool, "%s is not allowed here (allowed: GET, HEAD)", r->method), NULL);
        return DONE;
    }
    *settings = &oro_server_conf(r->server)->settings;
    if ((*settings)->meta == NULL || (*settings)->search_index == NULL) {
        oro_api_send_error(r, HTTP_NOT_FOUND, "resource not found",
                           "search is not configured (OroSearchIndex, OroEntityConfig)", NULL);
        return DONE;
    }
    return OK;
}

static int run_and_send(request_rec *r, const oro_settings_t *settings, apr_table_t *params,
                        const oro_search_query_t *query, const char *text,
                        const oro_search_acl_t *acl, long offset, long limit, long page, int paged)
{
    const char *error = NULL;
    oro_search_reader_t *reader = borrow_reader(r, settings->search_index, &error);
    oro_search_result_t *res;
    int bad_request = 0;
    int rc = reader == NULL ? -1
                            : oro_search_run(reader, r->pool, query, text, acl, offset, limit, &res,
                                             &bad_request, &error);
    if (rc != 0 && reader != NULL && !bad_request &&
        oro_search_reader_refresh(reader, r->pool, 0, &error) == 0) {
        /* a rebuild may have removed the version this reader had open: follow the
         * switch at once and try again */
        rc = oro_search_run(reader, r->pool, query, text, acl, offset, limit, &res, &bad_request,
                            &error);
    }
    if (rc != 0) {
        if (bad_request) {
            return send_parameter_error(r, "filter constraint", "filter[searchText]", error);
        }
        ORO_RLOG(r, APLOG_ERR, 0, "%s", error);
        apr_table_setn(r->headers_out, "Retry-After", "5");
        return oro_api_send_error(r, HTTP_SERVICE_UNAVAILABLE, "search unavailable",
                                  "the search index could not be read; try again shortly", NULL);
    }
    return send_result(r, params, res, query, page, paged);
}

/* ------------------------------------------------------------ handlers */

/* GET /api/search?filter[searchText]=…&filter[entities]=contacts,accounts&page[…] */
int oro_handle_search(request_rec *r)
{
    const oro_settings_t *settings;
    if (preflight(r, &settings) != OK) {
        return OK;
    }
    apr_table_t *params = read_params(r);
    if (params == NULL) {
        return OK;
    }
    const char *text = apr_table_get(params, "filter[searchText]");
    if (text == NULL || text[strspn(text, " \t\r\n")] == '\0') {
        return send_parameter_error(r, "filter constraint", "filter[searchText]",
                                    "filter[searchText] is required and must not be blank");
    }
    if (strlen(text) > 1000) {
        return send_parameter_error(r, "filter constraint", "filter[searchText]",
                                    "filter[searchText] is longer than 1000 bytes");
    }
    oro_search_query_t *query = oro_search_query_new(r->pool);
    const char *entities = apr_table_get(params, "filter[entities]");
    if (entities != NULL) {
        char *state, *list = apr_pstrdup(r->pool, entities);
        for (char *t = apr_strtok(list, ",", &state); t; t = apr_strtok(NULL, ",", &state)) {
            APR_ARRAY_PUSH(query->from, const char *) = t;
        }
        const char *why = check_entities(r->pool, settings->meta, query->from);
        if (why != NULL || query->from->nelts == 0) {
            return send_parameter_error(r, "filter constraint", "filter[entities]",
                                        why ? why : "filter[entities] names no entity type");
        }
    }
    long page, size;
    int max_size = settings->api_max_page_size > 0 ? settings->api_max_page_size : 100;
    if (!page_param(r, params, "page[number]", 1, MAX_OFFSET, 1, &page) ||
        !page_param(r, params, "page[size]", 1, max_size, DEFAULT_PAGE_SIZE, &size)) {
        return OK;
    }
    if ((page - 1) * size > MAX_OFFSET) {
        return send_parameter_error(r, "page constraint", "page[number]",
                                    apr_psprintf(r->pool,
                                                 "pages beyond the first %d results "
                                                 "are not served",
                                                 MAX_OFFSET));
    }
    return run_and_send(r, settings, params, query, text, caller_acl(r, settings->meta),
                        (page - 1) * size, size, page, 1);
}

/* GET /api/search/advanced?query=… (Oro's search query language). */
int oro_handle_search_advanced(request_rec *r)
{
    const oro_settings_t *settings;
    if (preflight(r, &settings) != OK) {
        return OK;
    }
    apr_table_t *params = read_params(r);
    if (params == NULL) {
        return OK;
    }
    const char *text = apr_table_get(params, "query");
    if (text == NULL) {
        return send_parameter_error(r, "query constraint", "query",
                                    "the parameter query is "
                                    "required");
    }
    oro_search_parse_error_t perr;
    oro_search_query_t *query = oro_search_query_parse(r->pool, text, strlen(text), &perr);
    if (query == NULL) {
        apr_array_header_t *errors = apr_array_make(r->pool, 1, sizeof(oro_api_error_t));
        oro_api_error_t *e = apr_array_push(errors);
        memset(e, 0, sizeof *e);
        e->status = HTTP_BAD_REQUEST;
        e->title = "query syntax error";
        e->detail = perr.message;
        e->parameter = "query";
        return oro_api_send_errors(r, errors);
    }
    const char *why = check_entities(r->pool, settings->meta, query->from);
    if (why != NULL) {
        return send_parameter_error(r, "query constraint", "query", why);
    }
    int max_size = settings->api_max_page_size > 0 ? settings->api_max_page_size : 100;
    long limit = query->max_results >= 0 ? query->max_results : DEFAULT_PAGE_SIZE;
    long offset = query->offset >= 0 ? query->offset : 0;
    if (limit > max_size || offset > MAX_OFFSET) {
        return send_parameter_error(
            r, "query constraint", "query",
            apr_psprintf(r->pool, "max_results must be at most %d and offset at most %d", max_size,
                         MAX_OFFSET));
    }
    return run_and_send(r, settings, params, query, NULL, caller_acl(r, settings->meta), offset,
                        limit, 1, 0);
}

/* GET /api/searchentities: the searchable entity types the caller may see. */
int oro_handle_search_entities(request_rec *r)
{
    const oro_settings_t *settings;
    if (preflight(r, &settings) != OK) {
        return OK;
    }
    const oro_search_acl_t *acl = caller_acl(r, settings->meta);
    oro_jbuf_t b;
    oro_jbuf_init(&b, r->pool, 2048);
    oro_jbuf_lit(&b, "{\"data\":[");
    int n = 0;
    for (int i = 0; i < settings->meta->entities->nelts; i++) {
        const oro_entity_t *e = APR_ARRAY_IDX(settings->meta->entities, i, const oro_entity_t *);
        if (!oro_search_entity_indexed(e) || acl_level(acl, e->type) == ORO_ACL_NONE) {
            continue;
        }
        if (n++ > 0) {
            oro_jbuf_lit(&b, ",");
        }
        oro_jbuf_lit(&b, "{\"type\":\"searchentities\",\"id\":");
        oro_jbuf_str(&b, e->type);
        oro_jbuf_lit(&b, ",\"attributes\":{\"entityType\":");
        oro_jbuf_str(&b, e->type);
        oro_jbuf_lit(&b, ",\"label\":");
        oro_jbuf_str(&b, e->plural_label ? e->plural_label : e->label);
        oro_jbuf_lit(&b, ",\"fields\":[");
        int m = 0;
        for (int j = 0; j < e->fields->nelts; j++) {
            const oro_field_t *f = APR_ARRAY_IDX(e->fields, j, const oro_field_t *);
            if (!(f->flags & ORO_FLAG_SEARCHABLE) || oro_search_field_type(f) < 0) {
                continue;
            }
            if (m++ > 0) {
                oro_jbuf_lit(&b, ",");
            }
            oro_jbuf_lit(&b, "{\"name\":");
            oro_jbuf_str(&b, f->name);
            oro_jbuf_lit(&b, ",\"type\":");
            oro_jbuf_str(&b, oro_search_type_name((oro_search_type_t)oro_search_field_type(f)));
            oro_jbuf_lit(&b, "}");
        }
        oro_jbuf_lit(&b, "]}}");
    }
    oro_jbuf_lit(&b, "]}");
    return oro_send_json(r, HTTP_OK, ORO_JSONAPI, b.data);
}
