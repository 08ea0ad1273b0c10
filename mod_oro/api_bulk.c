/* mod_oro/api_bulk.c — DELETE /api/{type}?filter[…]: the records that match the filters,
 * at most OroApiBulkDeleteLimit of them (100 by default), in one transaction.
 *
 * Oro deletes at most its limit and leaves the rest; here a request that matches more
 * is refused (400, saying how many matched) so that a client never deletes an arbitrary
 * subset of what it asked for (docs/decisions.md). */
#include "api.h"

#include <apr_strings.h>
#include <http_protocol.h>

APLOG_USE_MODULE(oro);

int oro_api_bulk_delete(oro_api_request_t *req)
{
    request_rec *r = req->r;
    apr_pool_t *p = r->pool;
    oro_api_limits_t limits = {10, req->settings->api_max_page_size, 0};
    apr_array_header_t *errors = NULL;
    oro_api_query_t *q = oro_api_query_parse(p, req->meta, req->entity, r->args, &limits, &errors);
    if (q == NULL) {
        return oro_api_send_errors(r, errors);
    }
    if (q->filters == NULL || q->filters->nelts == 0) {
        oro_api_error_t e = {HTTP_BAD_REQUEST, "filter constraint",
                             "a bulk delete needs at least one filter[…] parameter", "filter",
                             NULL};
        errors = apr_array_make(p, 1, sizeof e);
        APR_ARRAY_PUSH(errors, oro_api_error_t) = e;
        return oro_api_send_errors(r, errors);
    }

    /* the matching records, locked, in id order: one more than the limit tells that
     * there are too many */
    oro_api_query_t matching = *q;
    matching.sort = NULL;
    matching.page_number = 1;
    matching.page_size = req->settings->api_bulk_delete_limit;
    oro_sql_t *select = oro_select_list(p, req->dialect, &matching);
    oro_sql_t locked = {apr_pstrcat(p, select->sql, " FOR UPDATE", NULL), select->params};

    const char *error;
    oro_api_txn_t t;
    if (oro_api_begin(req, &t, &error) != 0) {
        return oro_api_database_error(req, "could not start a transaction", error);
    }
    apr_array_header_t *rows =
        oro_api_rows(req, &locked, oro_select_columns(p, req->entity)->nelts, &error);
    if (rows == NULL) {
        return oro_api_statement_failed(&t, "could not select the records to delete", error);
    }
    if (rows->nelts > req->settings->api_bulk_delete_limit) {
        apr_array_header_t *count =
            oro_api_rows(req, oro_select_count(p, req->dialect, q), 1, &error);
        if (count == NULL || count->nelts != 1) {
            return oro_api_statement_failed(&t, "could not count the records to delete",
                                            error ? error : "no row");
        }
        oro_api_end(&t, 1, &error);
        oro_api_error_t e = {
            HTTP_BAD_REQUEST, "filter constraint",
            apr_psprintf(p,
                         "%s records match the filters; a bulk delete removes at most %d: "
                         "narrow the filters (nothing was deleted)",
                         APR_ARRAY_IDX(count, 0, const char **)[0],
                         req->settings->api_bulk_delete_limit),
            "filter", NULL};
        errors = apr_array_make(p, 1, sizeof e);
        APR_ARRAY_PUSH(errors, oro_api_error_t) = e;
        return oro_api_send_errors(r, errors);
    }
    int deleted = 0;
    const char **deleted_ids = apr_palloc(p, sizeof *deleted_ids * (apr_size_t)(rows->nelts + 1));
    for (int i = 0; i < rows->nelts; i++) {
        const char *id = APR_ARRAY_IDX(rows, i, const char **)[0];
        deleted_ids[i] = id;
        int n = 0;
        /* NB: a record still referenced fails here (409) and rolls back every deletion */
        if (oro_api_exec(req, oro_write_delete(p, req->dialect, req->entity, id), &n, &error) !=
            0) {
            return oro_api_statement_failed(&t, "could not delete a record", error);
        }
        deleted += n;
    }
    if (oro_api_enqueue_reindex(req, &t, req->entity, deleted_ids, rows->nelts) != 0) {
        return OK;
    }
    if (oro_api_end(&t, 0, &error) != 0) {
        return oro_api_statement_failed(&t, "could not commit the deletion", error);
    }
    if (oro_api_x_include(r, "deletedCount")) {
        apr_table_setn(r->headers_out, "X-Include-Deleted-Count", apr_itoa(p, deleted));
    }
    r->status = HTTP_NO_CONTENT;
    return OK;
}
