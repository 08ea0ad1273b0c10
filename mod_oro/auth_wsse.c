/* mod_oro/auth_wsse.c — WSSE authentication as Oro does it: Authorization: WSSE
 * profile="UsernameToken" and X-WSSE: UsernameToken Username, PasswordDigest, Nonce,
 * Created; digest = base64(sha1(base64_decode(nonce) . created . apiKey)); a token
 * lives OroWsseLifetime seconds; each nonce is accepted once (kept in the shared
 * cache until the token could no longer be valid). */
#include "auth.h"

#include <apr_strings.h>
#include <http_protocol.h>

APLOG_USE_MODULE(oro);

/* One answer for an unknown user, a user without API key, a disabled user and a
 * wrong digest: nothing tells which usernames exist. */
#define BAD_CREDENTIALS "the WSSE credentials are not valid"

int oro_auth_wsse(request_rec *r)
{
    const oro_settings_t *settings = &oro_server_conf(r->server)->settings;
    const char *header = apr_table_get(r->headers_in, "X-WSSE");
    oro_wsse_token_t token;
    const char *why = oro_wsse_parse(r->pool, header, &token);
    if (why != NULL) {
        return oro_auth_unauthorized(r, why);
    }
    apr_time_t created, now = apr_time_now();
    why = oro_wsse_check_time(&token, now, settings->wsse_lifetime, settings->wsse_clock_skew,
                              &created);
    if (why != NULL) {
        return oro_auth_unauthorized(r, why);
    }
    oro_auth_user_t user;
    int matched = 0;
    for (int fresh = 0; fresh <= 1 && !matched; fresh++) {
        oro_auth_lookup_t found = oro_auth_user_by_username(r, token.username, fresh, &user);
        if (found == ORO_AUTH_DB_ERROR) {
            apr_table_setn(r->err_headers_out, "Retry-After", "5");
            oro_send_error(r, HTTP_SERVICE_UNAVAILABLE, "database unavailable",
                           "could not check the credentials; try again shortly");
            return HTTP_SERVICE_UNAVAILABLE;
        }
        if (found == ORO_AUTH_NOT_FOUND) {
            break;
        }
        /* a cached key may be outdated (apikey:generate): a mismatch reads it afresh */
        matched = oro_wsse_digest_matches(r->pool, &token, user.secret);
    }
    if (!matched) {
        ORO_RLOG(r, APLOG_INFO, 0, "WSSE authentication of \"%s\" failed",
                 oro_printable(r->pool, token.username, 64));
        return oro_auth_unauthorized(r, BAD_CREDENTIALS);
    }
    /* the nonce is remembered until the token expires; a token from the future (within
     * the skew) is remembered until it expires too */
    apr_time_t expiry = created + apr_time_from_sec(settings->wsse_lifetime) + apr_time_from_sec(1);
    int added = oro_auth_nonce_add(r->server, token.nonce, expiry);
    if (added < 0) {
        apr_table_setn(r->err_headers_out, "Retry-After", "5");
        oro_send_error(r, HTTP_SERVICE_UNAVAILABLE, "service unavailable",
                       "could not record the nonce; try again shortly");
        return HTTP_SERVICE_UNAVAILABLE;
    }
    if (added == 0) {
        return oro_auth_unauthorized(r, "the nonce was already used");
    }
    oro_auth_set_principal(r, &user, "wsse");
    return OK;
}
