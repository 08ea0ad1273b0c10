/* mod_oro/auth_throttle.c — login throttling (POST /login and the OAuth2 password
 * grant): failed attempts are counted per username and per client address in the
 * shared cache for OroLoginLockSeconds from the first failure; at
 * OroLoginMaxAttempts (user) or OroLoginMaxAttemptsPerAddress (address) further
 * attempts are refused with 429 and Retry-After until the window ends, whether the
 * password is right or not. A success clears the user's count. */
#include "auth.h"

#include <apr_strings.h>
#include <http_protocol.h>

APLOG_USE_MODULE(oro);

static const char *user_key(request_rec *r, const char *username)
{
    /* hashed: usernames may be long and hold any byte */
    return apr_pstrcat(r->pool, "f:u:", oro_sha256_hex(r->pool, username, strlen(username)), NULL);
}

static const char *address_key(request_rec *r)
{
    return apr_pstrcat(r->pool, "f:a:", r->useragent_ip ? r->useragent_ip : "-", NULL);
}

/* Seconds until the counter of key may be tried again, or 0. */
static int locked_for(request_rec *r, const char *key, int max)
{
    apr_time_t expiry = 0;
    int count = oro_auth_cache_counter(r->server, r->pool, key, &expiry);
    if (count < max) {
        return 0;
    }
    apr_time_t left = expiry - apr_time_now();
    int seconds = (int)((left + APR_USEC_PER_SEC - 1) / APR_USEC_PER_SEC);
    return seconds > 0 ? seconds : 1;
}

int oro_auth_throttled(request_rec *r, const char *username)
{
    const oro_settings_t *settings = &oro_server_conf(r->server)->settings;
    int by_address = locked_for(r, address_key(r), settings->login_max_per_address);
    int by_user = username ? locked_for(r, user_key(r, username), settings->login_max_attempts) : 0;
    return by_address > by_user ? by_address : by_user;
}

void oro_auth_login_failed(request_rec *r, const char *username)
{
    const oro_settings_t *settings = &oro_server_conf(r->server)->settings;
    apr_time_t until = apr_time_now() + apr_time_from_sec(settings->login_lock_seconds);
    oro_auth_cache_increment(r->server, r->pool, address_key(r), until);
    if (username != NULL) {
        oro_auth_cache_increment(r->server, r->pool, user_key(r, username), until);
    }
    ORO_RLOG(r, APLOG_INFO, 0, "failed login as \"%s\"",
             oro_printable(r->pool, username ? username : "", 64));
}

void oro_auth_login_succeeded(request_rec *r, const char *username)
{
    oro_auth_cache_remove(r->server, r->pool, user_key(r, username));
}

int oro_auth_too_many(request_rec *r, int retry_after)
{
    apr_table_setn(r->err_headers_out, "Retry-After", apr_itoa(r->pool, retry_after));
    oro_send_error(
        r, HTTP_TOO_MANY_REQUESTS, "too many failed logins",
        apr_psprintf(r->pool, "too many failed logins; try again in %d seconds", retry_after));
    return HTTP_TOO_MANY_REQUESTS;
}
