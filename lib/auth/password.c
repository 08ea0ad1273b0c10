/* lib/auth/password.c — the password policy and bcrypt through apr-util. */
#include "auth/auth.h"

#include <apr_general.h>
#include <apr_md5.h>
#include <apr_strings.h>
#include <string.h>

#define BCRYPT_COST 10

const char *oro_password_check(apr_pool_t *p, const char *password, const char *username,
                               int min_length)
{
    size_t n = strlen(password);
    if (n < (size_t)min_length) {
        return apr_psprintf(p, "the password is shorter than %d characters", min_length);
    }
    if (n > ORO_PASSWORD_MAX_BYTES) {
        return apr_psprintf(p, "the password is longer than %d bytes (bcrypt reads no more)",
                            ORO_PASSWORD_MAX_BYTES);
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)password[i];
        if (c < 0x20 || c == 0x7f) {
            return "the password contains a control character";
        }
    }
    if (username != NULL && strcasecmp(password, username) == 0) {
        return "the password must not be the username";
    }
    return NULL;
}

const char *oro_password_hash(apr_pool_t *p, const char *password, const char **error)
{
    unsigned char salt[16];
    char hash[128];
    apr_status_t rv = apr_generate_random_bytes(salt, sizeof salt);
    if (rv == APR_SUCCESS) {
        rv = apr_bcrypt_encode(password, BCRYPT_COST, salt, sizeof salt, hash, sizeof hash);
    }
    if (rv != APR_SUCCESS) {
        char buf[256];
        *error =
            apr_psprintf(p, "could not hash the password: %s", apr_strerror(rv, buf, sizeof buf));
        return NULL;
    }
    return apr_pstrdup(p, hash);
}

int oro_password_verify(const char *password, const char *hash)
{
    if (password == NULL || hash == NULL || strncmp(hash, "$2", 2) != 0) {
        /* only bcrypt: apr_password_validate would also take plain text and crypt(3) */
        return 0;
    }
    return apr_password_validate(password, hash) == APR_SUCCESS;
}
