/* lib/auth/auth.h — the pure logic of authentication, without httpd: WSSE tokens
 * (Oro-compatible), random tokens and their SHA-256 hashes, the password policy and
 * bcrypt. Used by mod_oro (mod_oro/auth*.c), oroctl (tools/cmd_user.c, cmd_oauth.c)
 * and the unit tests (t/unit/test_auth.c). */
#ifndef ORO_AUTH_AUTH_H
#define ORO_AUTH_AUTH_H

#include <apr_pools.h>
#include <apr_time.h>

/* ---- WSSE (Oro's WsseAuthenticationBundle) ---- */

/* The four fields of X-WSSE: UsernameToken Username="…", PasswordDigest="…",
 * Nonce="…", Created="…". Values as sent (quotes removed). */
typedef struct {
    const char *username;
    const char *digest;
    const char *nonce;
    const char *created;
} oro_wsse_token_t;

/* Longest X-WSSE header and field accepted: longer ones are refused unread. */
#define ORO_WSSE_MAX_HEADER 1024
#define ORO_WSSE_MAX_FIELD 255

/* Whether an Authorization header asks for WSSE: `WSSE profile="UsernameToken"`
 * (scheme and profile case-insensitive). */
int oro_wsse_is_authorization(const char *authorization);

/* Parses an X-WSSE header into *token. Returns NULL, or why it is malformed (a
 * constant string: never echoes the header). Every field must be present once. */
const char *oro_wsse_parse(apr_pool_t *p, const char *header, oro_wsse_token_t *token);

/* The digest Oro expects: base64(sha1(base64_decode(nonce) . created . secret)). */
const char *oro_wsse_digest(apr_pool_t *p, const char *nonce, const char *created,
                            const char *secret);

/* Whether token's digest matches secret (constant time in the digest's length). */
int oro_wsse_digest_matches(apr_pool_t *p, const oro_wsse_token_t *token, const char *secret);

/* Checks token->created against now: at most lifetime seconds old and at most skew
 * seconds in the future. Returns NULL, or why not ("expired", …). *created gets the
 * parsed time (for the nonce's expiry). */
const char *oro_wsse_check_time(const oro_wsse_token_t *token, apr_time_t now, int lifetime,
                                int skew, apr_time_t *created);

/* Parses an ISO 8601 date-time as clients send it (2026-11-27T05:00:00Z,
 * …+01:00, …+0100, optional fraction). Returns 0 and *t, or -1. */
int oro_iso8601_parse(const char *text, apr_time_t *t);

/* ---- tokens and hashes ---- */

/* n random bytes as lower-case hex (2n characters); NULL when the system's random
 * source fails. */
const char *oro_auth_random_hex(apr_pool_t *p, apr_size_t n);

/* SHA-256 of data as lower-case hex (64 characters). */
const char *oro_sha256_hex(apr_pool_t *p, const void *data, apr_size_t len);
/* The raw 32-byte SHA-256 of data into out. */
void oro_sha256(const void *data, apr_size_t len, unsigned char out[32]);

/* Whether a and b are equal, in time that depends on their lengths only. */
int oro_auth_equal(const char *a, const char *b);

/* ---- passwords ---- */

/* bcrypt reads at most 72 bytes: longer passwords are refused rather than cut. */
#define ORO_PASSWORD_MAX_BYTES 72
#define ORO_DEFAULT_PASSWORD_MIN_LENGTH 8

/* Checks password against the policy: min_length to ORO_PASSWORD_MAX_BYTES bytes, no
 * control characters, not the username (case-insensitively). Returns NULL, or the
 * reason (never containing the password). */
const char *oro_password_check(apr_pool_t *p, const char *password, const char *username,
                               int min_length);

/* A bcrypt hash of password (cost 10), or NULL with *error. */
const char *oro_password_hash(apr_pool_t *p, const char *password, const char **error);

/* Whether password matches hash (bcrypt or any form apr_password_validate knows);
 * an empty or NULL hash never matches. */
int oro_password_verify(const char *password, const char *hash);

#endif
