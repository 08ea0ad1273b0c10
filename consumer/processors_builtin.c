/* consumer/processors_builtin.c — processors of the queue's own topics:
 *   oro.noop  any JSON body: acked at once (benchmarks).
 *   oro.test  body {"sleepMs": N (0-60000), "fail": "requeue"|"reject",
 *             "record": true, "tag": "…"}: sleeps, then logs "oro.test processed
 *             message ID tag TAG" when record is set (the tests count these lines),
 *             then acks or fails as asked. A body that is not such an object is
 *             rejected. With "sentUs": T (epoch microseconds, set by the producer
 *             before its commit) it logs "oro.test latency N us" (bench/mq). */
#include "processors.h"

#include <apr_strings.h>
#include <json-c/json.h>
#include <string.h>
#include <time.h>

#include "util/log.h"

static oro_mq_result_t process_noop(oro_mq_context_t *ctx, const oro_mq_delivery_t *message,
                                    const char **reason)
{
    (void)ctx;
    (void)message;
    (void)reason;
    return ORO_MQ_ACK;
}

const oro_mq_processor_t oro_processor_noop = {"oro.noop", process_noop, NULL};

/* The body's "tag" (letters, digits, '-' and '_' only, so that it cannot forge log
 * lines), or "-". */
static const char *tag_of(json_object *doc)
{
    json_object *v;
    if (!json_object_object_get_ex(doc, "tag", &v) || !json_object_is_type(v, json_type_string)) {
        return "-";
    }
    const char *tag = json_object_get_string(v);
    size_t n = strlen(tag);
    if (n == 0 || n > 64 ||
        strspn(tag, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != n) {
        return "-";
    }
    return tag;
}

static oro_mq_result_t process_test(oro_mq_context_t *ctx, const oro_mq_delivery_t *message,
                                    const char **reason)
{
    json_object *doc = json_tokener_parse(message->body);
    oro_mq_result_t result = ORO_MQ_ACK;
    if (doc == NULL || !json_object_is_type(doc, json_type_object)) {
        *reason = "oro.test: the body is not a JSON object";
        json_object_put(doc);
        return ORO_MQ_REJECT;
    }
    json_object *v;
    if (json_object_object_get_ex(doc, "sentUs", &v)) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        long long us = (long long)now.tv_sec * 1000000 + now.tv_nsec / 1000;
        ORO_INFO("oro.test latency %lld us", us - (long long)json_object_get_int64(v));
    }
    if (json_object_object_get_ex(doc, "sleepMs", &v)) {
        apr_int64_t ms = json_object_get_int64(v);
        if (!json_object_is_type(v, json_type_int) || ms < 0 || ms > 60000) {
            *reason = "oro.test: sleepMs is not a whole number from 0 to 60000";
            json_object_put(doc);
            return ORO_MQ_REJECT;
        }
        ORO_INFO("oro.test started message %s tag %s", message->id, tag_of(doc));
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
        while (nanosleep(&ts, &ts) != 0) {
        }
    }
    if (json_object_object_get_ex(doc, "record", &v) && json_object_get_boolean(v)) {
        ORO_INFO("oro.test processed message %s tag %s", message->id, tag_of(doc));
    }
    if (json_object_object_get_ex(doc, "fail", &v)) {
        const char *how = json_object_get_string(v);
        if (how != NULL && strcmp(how, "requeue") == 0) {
            *reason = apr_psprintf(ctx->pool, "oro.test: failed on request (attempt %d)",
                                   message->attempts);
            result = ORO_MQ_REQUEUE;
        }
        else if (how != NULL && strcmp(how, "reject") == 0) {
            *reason = "oro.test: rejected on request";
            result = ORO_MQ_REJECT;
        }
        else {
            *reason = "oro.test: fail is neither \"requeue\" nor \"reject\"";
            result = ORO_MQ_REJECT;
        }
    }
    json_object_put(doc);
    return result;
}

const oro_mq_processor_t oro_processor_test = {"oro.test", process_test, NULL};
