/* lib/mq/batch.c — the amqp batch envelope; see batch.h. */
#include "mq/batch.h"

#include <apr_strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "oro-batch/1 "
#define MAX_DIGITS 19     /* int64 */
#define MAX_LEN_DIGITS 8  /* ORO_MQ_MAX_BODY has 8 */
#define MIN_RECORD_SIZE 9 /* "1 a 0 0\n\n" */

static const char topic_chars[] =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

static int all_digits(const char *s, apr_size_t n)
{
    for (apr_size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    return 1;
}

/* Whether the n digits at s make a number of at most INT64_MAX (ids and times). */
static int fits_int64(const char *s, apr_size_t n)
{
    static const char max[] = "9223372036854775807";
    return all_digits(s, n) &&
           (n < sizeof max - 1 || (n == sizeof max - 1 && memcmp(s, max, n) <= 0));
}

int oro_mq_batch_encodable(const char *id, const char *topic, apr_size_t body_len)
{
    apr_size_t idn = id != NULL ? strlen(id) : 0;
    apr_size_t tn = topic != NULL ? strlen(topic) : 0;
    return idn >= 1 && idn <= MAX_DIGITS && fits_int64(id, idn) && tn >= 1 &&
           tn <= ORO_MQ_MAX_TOPIC && strspn(topic, topic_chars) == tn &&
           body_len <= ORO_MQ_MAX_BODY;
}

/* "ID TOPIC EXPIRES LEN\n" into buf (NULL: only counted); its length. */
static int record_head(char *buf, apr_size_t size, const oro_mq_batch_item_t *item)
{
    return snprintf(buf, size, "%s %s %" APR_INT64_T_FMT " %" APR_SIZE_T_FMT "\n", item->id,
                    item->topic, item->expires_at > 0 ? item->expires_at : 0, item->body_len);
}

apr_size_t oro_mq_batch_record_size(const oro_mq_batch_item_t *item)
{
    return (apr_size_t)record_head(NULL, 0, item) + item->body_len + 1;
}

char *oro_mq_batch_encode(apr_pool_t *p, const oro_mq_batch_item_t *items, int n, apr_size_t *len)
{
    char head[64];
    int hn = snprintf(head, sizeof head, MAGIC "%d\n", n);
    apr_size_t total = (apr_size_t)hn;
    for (int i = 0; i < n; i++) {
        total += oro_mq_batch_record_size(&items[i]);
    }
    char *out = apr_palloc(p, total + 1);
    memcpy(out, head, (apr_size_t)hn);
    apr_size_t at = (apr_size_t)hn;
    for (int i = 0; i < n; i++) {
        /* NB: snprintf writes the NUL after the head; total + 1 leaves room for it */
        at += (apr_size_t)record_head(out + at, total + 1 - at, &items[i]);
        memcpy(out + at, items[i].body, items[i].body_len);
        at += items[i].body_len;
        out[at++] = '\n';
    }
    out[at] = '\0';
    *len = at;
    return out;
}

/* Reads a field of 1–max characters ending with stop at buf[*at] (buf has len bytes);
 * ends it with a NUL, moves *at past stop and says its length in *flen (a NUL byte
 * inside it makes strlen shorter: the checks use *flen). NULL when there is none. */
static char *field(char *buf, apr_size_t len, apr_size_t *at, apr_size_t max, char stop,
                   apr_size_t *flen)
{
    apr_size_t start = *at;
    apr_size_t end = start;
    while (end < len && end - start <= max && buf[end] != stop && buf[end] != ' ' &&
           buf[end] != '\n') {
        end++;
    }
    if (end == start || end >= len || end - start > max || buf[end] != stop) {
        return NULL;
    }
    buf[end] = '\0';
    *at = end + 1;
    *flen = end - start;
    return buf + start;
}

int oro_mq_batch_decode(apr_pool_t *p, const void *data, apr_size_t len,
                        oro_mq_batch_item_t **items, int *n, apr_size_t *bad_at, const char **error)
{
    *items = NULL;
    *n = 0;
    *bad_at = 0;
    *error = NULL;
    apr_size_t mlen = sizeof MAGIC - 1;
    if (data == NULL || len < mlen || memcmp(data, MAGIC, mlen) != 0) {
        *error = "it does not start with \"" MAGIC "\"";
        return -1;
    }
    char *buf = apr_palloc(p, len + 1);
    memcpy(buf, data, len);
    buf[len] = '\0';
    apr_size_t at = mlen;
    apr_size_t cn = 0;
    const char *count_text = field(buf, len, &at, 5, '\n', &cn);
    if (count_text == NULL || !all_digits(count_text, cn)) {
        *error = "its count of messages is not a number of at most 5 digits";
        return -1;
    }
    long count = strtol(count_text, NULL, 10);
    if (count < 1 || count > ORO_MQ_BATCH_MAX_COUNT) {
        *error = apr_psprintf(p, "it declares %ld messages (1 to %d allowed)", count,
                              ORO_MQ_BATCH_MAX_COUNT);
        return -1;
    }
    if ((apr_size_t)count > (len - at) / MIN_RECORD_SIZE) {
        *error = apr_psprintf(p, "it declares %ld messages in %" APR_SIZE_T_FMT " bytes", count,
                              len - at);
        *bad_at = at;
        return -1;
    }
    oro_mq_batch_item_t *out = apr_pcalloc(p, sizeof *out * (apr_size_t)count);
    *items = out;
    int k = 0;
    while (k < count) {
        apr_size_t start = at;
        oro_mq_batch_item_t *it = &out[k];
        apr_size_t idn = 0, tn = 0, en = 0, ln = 0;
        char *id = field(buf, len, &at, MAX_DIGITS, ' ', &idn);
        char *topic = id != NULL ? field(buf, len, &at, ORO_MQ_MAX_TOPIC, ' ', &tn) : NULL;
        char *expires = topic != NULL ? field(buf, len, &at, MAX_DIGITS, ' ', &en) : NULL;
        char *blen = expires != NULL ? field(buf, len, &at, MAX_LEN_DIGITS, '\n', &ln) : NULL;
        const char *bad = NULL;
        if (blen == NULL) {
            bad = start >= len ? "it ends early" : "a message's header line is malformed";
        }
        else if (!fits_int64(id, idn) || !fits_int64(expires, en) || !all_digits(blen, ln)) {
            bad = "a message's id, expiry or length is not a number";
        }
        else if (strspn(topic, topic_chars) != tn) {
            bad = "a message's topic has characters other than letters, digits, '.', '_' and '-'";
        }
        if (bad == NULL) {
            apr_size_t body_len = (apr_size_t)apr_atoi64(blen);
            if (body_len > ORO_MQ_MAX_BODY) {
                bad = "a message's body is longer than the largest allowed";
            }
            else if (body_len >= len - at || buf[at + body_len] != '\n') {
                bad = body_len >= len - at ? "it ends inside a message's body"
                                           : "a message's body is not followed by a line end";
            }
            else {
                it->id = id;
                it->topic = topic;
                it->expires_at = apr_atoi64(expires);
                it->body = buf + at;
                it->body_len = body_len;
                buf[at + body_len] = '\0';
                if (memchr(it->body, '\0', body_len) != NULL) {
                    it->error = "malformed body: it contains a NUL byte";
                }
                at += body_len + 1;
            }
        }
        if (bad != NULL) {
            *error = apr_psprintf(p, "%s (message %d of %ld, byte %" APR_SIZE_T_FMT ")", bad, k + 1,
                                  count, start);
            memset(it, 0, sizeof *it);
            *n = k;
            *bad_at = start;
            return -1;
        }
        k++;
    }
    *n = k;
    if (at != len) {
        *error = apr_psprintf(p, "%" APR_SIZE_T_FMT " bytes follow its last message", len - at);
        *bad_at = at;
        return -1;
    }
    return 0;
}

char *oro_mq_batch_printable(apr_pool_t *p, const void *data, apr_size_t len)
{
    const unsigned char *s = data;
    char *out = apr_palloc(p, len * 4 + 1);
    apr_size_t o = 0;
    for (apr_size_t i = 0; i < len; i++) {
        if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\') {
            out[o++] = (char)s[i];
        }
        else {
            o += (apr_size_t)snprintf(out + o, 5, "\\x%02x", s[i]);
        }
    }
    out[o] = '\0';
    return out;
}
