/* mod_oro/api_enqueue.c — the write paths' messages: every create, update, delete,
 * bulk delete and relationship change enqueues oro.search.reindex for the records it
 * touched, inside the write's transaction, so a rolled-back write sends nothing and
 * a committed one is never without its message. */
#include "api.h"

#include <apr_strings.h>

#include "mq/mq.h"

/* {"entity":"contacts","ids":["1","2"]}: ids as JSON strings, as JSON:API spells them. */
static const char *reindex_body(apr_pool_t *p, const char *type, const char *const *ids, int n)
{
    json_object *doc = json_object_new_object();
    json_object_object_add(doc, "entity", json_object_new_string(type));
    json_object *list = json_object_new_array();
    for (int i = 0; i < n; i++) {
        json_object_array_add(list, json_object_new_string(ids[i]));
    }
    json_object_object_add(doc, "ids", list);
    const char *body = apr_pstrdup(p, json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
    json_object_put(doc);
    return body;
}

int oro_api_enqueue_reindex(oro_api_request_t *req, oro_api_txn_t *t, const oro_entity_t *entity,
                            const char *const *ids, int n)
{
    if (n <= 0) {
        return 0;
    }
    apr_pool_t *p = req->r->pool;
    oro_mq_message_t m = {ORO_MQ_QUEUE_SEARCH,
                          ORO_MQ_TOPIC_SEARCH_REINDEX,
                          reindex_body(p, entity->type, ids, n),
                          ORO_MQ_PRIORITY_NORMAL,
                          0,
                          0};
    const char *error, *notify;
    if (oro_mq_send_deferred(req->dbd->driver, req->dbd->handle, p, req->dialect,
                             (oro_mq_transport_t)req->settings->transport, &m, &notify,
                             &error) != 0) {
        oro_api_statement_failed(t, "could not enqueue the search update", error);
        return -1;
    }
    /* the NOTIFY follows the commit (oro_api_notify_committed) */
    for (int i = 0; notify != NULL && i < 2; i++) {
        if (req->mq_notify[i] == NULL || strcmp(req->mq_notify[i], notify) == 0) {
            req->mq_notify[i] = notify;
            notify = NULL;
        }
    }
    return 0;
}

void oro_api_notify_committed(oro_api_request_t *req)
{
    for (int i = 0; i < 2 && req->mq_notify[i] != NULL; i++) {
        const char *error;
        if (oro_mq_notify_committed(req->dbd->driver, req->dbd->handle, req->r->pool,
                                    req->mq_notify[i], &error) != 0) {
            /* the message is committed: the consumers find it when they next poll */
            ORO_RLOG(req->r, APLOG_WARNING, 0, "%s", error);
        }
        req->mq_notify[i] = NULL;
    }
}
