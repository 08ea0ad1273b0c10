/* lib/auth/wsse.c — Oro-compatible WSSE UsernameToken: parsing X-WSSE, the digest,
 * the time window. Oro's rule (WsseAuthenticationProvider::validateDigest):
 * digest = base64(sha1(base64_decode(nonce) . created . apiKey)). */
#include "auth/auth.h"

#include <apr_base64.h>
#include <apr_sha1.h>
#include <apr_strings.h>
#include <ctype.h>
#include <string.h>

int oro_wsse_is_authorization(const char *authorization)
{
    if (authorization == NULL || strncasecmp(authorization, "WSSE", 4) != 0 ||
        !isspace((unsigned char)authorization[4])) {
        return 0;
    }
    const char *s = authorization + 4;
    while (isspace((unsigned char)*s)) {
        s++;
    }
    if (strncasecmp(s, "profile=", 8) != 0) {
        return 0;
    }
    s += 8;
    const char *value = s[0] == '"' ? s + 1 : s;
    if (strncasecmp(value, "UsernameToken", 13) != 0) {
        return 0;
    }
    value += 13;
    if (s[0] == '"' && *value++ != '"') {
        return 0;
    }
    while (isspace((unsigned char)*value)) {
        value++;
    }
    return *value == '\0';
}

const char *oro_wsse_parse(apr_pool_t *p, const char *header, oro_wsse_token_t *token)
{
    memset(token, 0, sizeof *token);
    if (header == NULL) {
        return "the X-WSSE header is missing";
    }
    if (strlen(header) > ORO_WSSE_MAX_HEADER) {
        return "the X-WSSE header is too long";
    }
    const char *s = header;
    while (isspace((unsigned char)*s)) {
        s++;
    }
    if (strncasecmp(s, "UsernameToken", 13) != 0 || !isspace((unsigned char)s[13])) {
        return "the X-WSSE header is not a UsernameToken";
    }
    s += 13;
    for (;;) {
        while (isspace((unsigned char)*s) || *s == ',') {
            s++;
        }
        if (*s == '\0') {
            break;
        }
        const char *name = s;
        while (isalpha((unsigned char)*s)) {
            s++;
        }
        size_t name_len = (size_t)(s - name);
        if (name_len == 0 || *s != '=' || s[1] != '"') {
            return "the X-WSSE header is malformed (expected Name=\"value\")";
        }
        s += 2;
        const char *value = s;
        const char *end = strchr(value, '"');
        if (end == NULL) {
            return "the X-WSSE header has an unterminated value";
        }
        if ((size_t)(end - value) > ORO_WSSE_MAX_FIELD) {
            return "a field of the X-WSSE header is too long";
        }
        s = end + 1;
        const char **slot = NULL;
        if (name_len == 8 && strncasecmp(name, "Username", 8) == 0) {
            slot = &token->username;
        }
        else if (name_len == 14 && strncasecmp(name, "PasswordDigest", 14) == 0) {
            slot = &token->digest;
        }
        else if (name_len == 5 && strncasecmp(name, "Nonce", 5) == 0) {
            slot = &token->nonce;
        }
        else if (name_len == 7 && strncasecmp(name, "Created", 7) == 0) {
            slot = &token->created;
        }
        if (slot == NULL) {
            continue; /* unknown fields are ignored, as Oro does */
        }
        if (*slot != NULL) {
            return "a field of the X-WSSE header appears twice";
        }
        *slot = apr_pstrmemdup(p, value, (apr_size_t)(end - value));
        if (**slot == '\0') {
            return "a field of the X-WSSE header is empty";
        }
    }
    if (token->username == NULL || token->digest == NULL || token->nonce == NULL ||
        token->created == NULL) {
        return "the X-WSSE header needs Username, PasswordDigest, Nonce and Created";
    }
    return NULL;
}

const char *oro_wsse_digest(apr_pool_t *p, const char *nonce, const char *created,
                            const char *secret)
{
    /* NB: apr_base64_decode_binary stops at the first character outside the
     * alphabet, like PHP's lenient base64_decode for the nonces clients send */
    unsigned char *raw = apr_palloc(p, (apr_size_t)apr_base64_decode_len(nonce) + 1);
    int raw_len = apr_base64_decode_binary(raw, nonce);
    apr_sha1_ctx_t ctx;
    unsigned char sum[APR_SHA1_DIGESTSIZE];
    apr_sha1_init(&ctx);
    apr_sha1_update_binary(&ctx, raw, (unsigned int)raw_len);
    apr_sha1_update_binary(&ctx, (const unsigned char *)created, (unsigned int)strlen(created));
    apr_sha1_update_binary(&ctx, (const unsigned char *)secret, (unsigned int)strlen(secret));
    apr_sha1_final(sum, &ctx);
    char *out = apr_palloc(p, (apr_size_t)apr_base64_encode_len(sizeof sum));
    apr_base64_encode_binary(out, sum, sizeof sum);
    return out;
}

int oro_wsse_digest_matches(apr_pool_t *p, const oro_wsse_token_t *token, const char *secret)
{
    if (secret == NULL || *secret == '\0') {
        return 0;
    }
    return oro_auth_equal(oro_wsse_digest(p, token->nonce, token->created, secret), token->digest);
}

static int digits(const char **s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*s)[i])) {
            return -1;
        }
        v = v * 10 + ((*s)[i] - '0');
    }
    *s += n;
    *out = v;
    return 0;
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar. */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int oro_iso8601_parse(const char *text, apr_time_t *t)
{
    const char *s = text;
    int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
    if (digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) || *s++ != '-' ||
        digits(&s, 2, &d) || (*s != 'T' && *s != 't' && *s != ' ') || (s++, 0) ||
        digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi) || *s++ != ':' ||
        digits(&s, 2, &sec)) {
        return -1;
    }
    if (*s == '.' || *s == ',') {
        s++;
        if (!isdigit((unsigned char)*s)) {
            return -1;
        }
        while (isdigit((unsigned char)*s)) {
            s++;
        }
    }
    if (*s == 'Z' || *s == 'z') {
        s++;
    }
    else if (*s == '+' || *s == '-') {
        sign = *s++ == '-' ? -1 : 1;
        if (digits(&s, 2, &oh)) {
            return -1;
        }
        if (*s == ':') {
            s++;
        }
        if (digits(&s, 2, &om)) {
            return -1;
        }
    }
    else {
        return -1; /* a time without zone is ambiguous */
    }
    if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 ||
        oh > 23 || om > 59) {
        return -1;
    }
    long long seconds = (long long)days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
                        sign * (oh * 3600 + om * 60);
    *t = apr_time_from_sec(seconds);
    return 0;
}

const char *oro_wsse_check_time(const oro_wsse_token_t *token, apr_time_t now, int lifetime,
                                int skew, apr_time_t *created)
{
    if (oro_iso8601_parse(token->created, created) != 0) {
        return "Created is not an ISO 8601 date-time with a time zone";
    }
    if (*created > now + apr_time_from_sec(skew)) {
        return "Created is in the future";
    }
    if (*created + apr_time_from_sec(lifetime) < now) {
        return "the token has expired";
    }
    return NULL;
}
