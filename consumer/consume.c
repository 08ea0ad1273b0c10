/* consumer/consume.c — dispatch of a claimed batch; see consume.h. */
#include "consume.h"
#include "processors.h"

#include <apr_strings.h>
#include <string.h>

#include "mq/transport.h"

/* The outcome of a processor's answer. */
static oro_outcome_t outcome_of(oro_mq_context_t *ctx, const oro_mq_delivery_t *m,
                                oro_mq_result_t result, const char *reason)
{
    const oro_settings_t *s = ctx->settings;
    oro_outcome_t o = {ORO_OUTCOME_ACK, NULL, 0};
    if (result == ORO_MQ_ACK) {
        return o;
    }
    if (reason == NULL || reason[0] == '\0') {
        reason = result == ORO_MQ_REJECT ? "rejected by its processor (no reason given)"
                                         : "requeued by its processor (no reason given)";
    }
    if (result == ORO_MQ_REQUEUE && m->attempts < s->queue_max_attempts) {
        o.kind = ORO_OUTCOME_RETRY;
        o.reason = reason;
        o.delay_ms = oro_mq_backoff_ms(m->attempts, s->queue_retry_delay, s->queue_retry_max_delay);
        return o;
    }
    o.kind = ORO_OUTCOME_DEAD;
    o.reason =
        result == ORO_MQ_REQUEUE
            ? apr_psprintf(ctx->pool, "failed %d times, the maximum: %s", m->attempts, reason)
            : reason;
    return o;
}

void oro_consumer_dispatch(oro_mq_context_t *ctx, const oro_mq_delivery_t *messages,
                           const int *expired, int n, oro_outcome_t *outcomes, int (*stop)(void))
{
    const oro_settings_t *s = ctx->settings;
    /* 0: to do, 1: decided */
    char *done = apr_pcalloc(ctx->pool, (apr_size_t)n + 1);
    for (int i = 0; i < n; i++) {
        const oro_mq_delivery_t *m = &messages[i];
        oro_outcome_t *o = &outcomes[i];
        if (done[i]) {
            continue;
        }
        if (stop != NULL && stop()) {
            for (int j = i; j < n; j++) {
                if (!done[j]) {
                    outcomes[j] = (oro_outcome_t){ORO_OUTCOME_SKIP, NULL, 0};
                    done[j] = 1;
                }
            }
            return;
        }
        done[i] = 1;
        if (expired != NULL && expired[i]) {
            *o = (oro_outcome_t){ORO_OUTCOME_DEAD, "expired before it was processed", 0};
            continue;
        }
        const char *why = oro_mq_check_body(ctx->pool, m->body);
        if (why != NULL) {
            *o = (oro_outcome_t){ORO_OUTCOME_DEAD,
                                 apr_psprintf(ctx->pool, "malformed body: %s", why), 0};
            continue;
        }
        const oro_mq_processor_t *proc = oro_consumer_processor_find(m->topic);
        if (proc == NULL || (proc->process == NULL && proc->process_batch == NULL)) {
            *o = (oro_outcome_t){
                ORO_OUTCOME_DEAD,
                apr_psprintf(ctx->pool, "unknown topic \"%s\": no processor", m->topic), 0};
            continue;
        }
        if (proc->process_batch == NULL) {
            /* the contract: the processor's pool is cleared after each message; its
             * reason is copied out first */
            oro_mq_context_t one = *ctx;
            apr_pool_create(&one.pool, ctx->pool);
            const char *reason = NULL;
            oro_mq_result_t r = proc->process(&one, m, &reason);
            *o = outcome_of(ctx, m, r, reason != NULL ? apr_pstrdup(ctx->pool, reason) : NULL);
            apr_pool_destroy(one.pool);
            continue;
        }
        /* A batch processor gets every remaining message of its topic whose body is
         * well-formed and that has not expired. */
        int *idx = apr_palloc(ctx->pool, sizeof *idx * (apr_size_t)n);
        oro_mq_delivery_t *batch = apr_palloc(ctx->pool, sizeof *batch * (apr_size_t)n);
        int k = 0;
        for (int j = i; j < n; j++) {
            if (j > i && (done[j] || strcmp(messages[j].topic, m->topic) != 0 ||
                          (expired != NULL && expired[j]) ||
                          oro_mq_check_body(ctx->pool, messages[j].body) != NULL)) {
                continue;
            }
            done[j] = 1;
            idx[k] = j;
            batch[k++] = messages[j];
        }
        oro_mq_result_t *results = apr_pcalloc(ctx->pool, sizeof *results * (apr_size_t)k);
        const char **reasons = apr_pcalloc(ctx->pool, sizeof *reasons * (apr_size_t)k);
        proc->process_batch(ctx, batch, k, results, reasons);
        for (int j = 0; j < k; j++) {
            outcomes[idx[j]] = outcome_of(ctx, &batch[j], results[j], reasons[j]);
        }
    }
    (void)s;
}
