/* tools/cmd_oauth.c — oroctl oauth:client:create and oauth:token:revoke: OAuth2
 * clients and their tokens (docs/security.md). */
#include <apr_strings.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "db/db.h"
#include "oroctl.h"

static int run_client_create(oroctl_context_t *ctx, int argc, const char *const *argv)
{
    static const char *const command = "oauth:client:create";
    const char *name = NULL, *user = NULL, *grants = NULL;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        const char *eq = strchr(arg, '=');
        const char *option = eq ? apr_pstrmemdup(ctx->pool, arg, (apr_size_t)(eq - arg)) : arg;
        if (arg[0] != '-') {
            if (name != NULL) {
                return oroctl_fail(OROCTL_USAGE, "%s: unexpected argument \"%s\"", command, arg);
            }
            name = arg;
            continue;
        }
        if (strcmp(option, "--grant") != 0 && strcmp(option, "--user") != 0) {
            return oroctl_fail(OROCTL_USAGE, "%s: unknown option \"%s\" (see oroctl help %s)",
                               command, option, command);
        }
        const char *value = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
        if (value == NULL) {
            return oroctl_fail(OROCTL_USAGE, "%s: %s needs a value", command, option);
        }
        if (strcmp(option, "--user") == 0) {
            user = value;
            continue;
        }
        if (strcmp(value, "client_credentials") != 0 && strcmp(value, "password") != 0) {
            return oroctl_fail(OROCTL_USAGE,
                               "%s: unknown grant \"%s\" (use client_credentials or password)",
                               command, value);
        }
        if (grants == NULL || strstr(grants, value) == NULL) {
            grants = grants ? apr_pstrcat(ctx->pool, grants, " ", value, NULL) : value;
        }
    }
    if (name == NULL || *name == '\0' || strlen(name) > 255) {
        return oroctl_fail(OROCTL_USAGE, "%s: the client needs a NAME of 1 to 255 characters",
                           command);
    }
    if (grants == NULL) {
        grants = user != NULL ? "client_credentials" : "password";
    }
    if (strstr(grants, "client_credentials") != NULL && user == NULL) {
        return oroctl_fail(OROCTL_USAGE,
                           "%s: the client_credentials grant needs --user (the user the client "
                           "acts as)",
                           command);
    }
    const char *error = NULL;
    oro_db_t *db = oro_db_open(ctx->pool, ctx->settings.db_driver, ctx->settings.db_params, &error);
    if (db == NULL) {
        return oroctl_fail(OROCTL_UNAVAILABLE, "%s", error);
    }
    const char *user_id = NULL;
    if (user != NULL) {
        user_id = oro_db_scalar(db, ctx->pool, &error,
                                "SELECT id FROM oro_user WHERE username = %s AND enabled = TRUE",
                                user, NULL);
        if (user_id == NULL) {
            return oroctl_fail(
                OROCTL_FAILED, "%s: %s", command,
                error ? error : apr_psprintf(ctx->pool, "there is no enabled user \"%s\"", user));
        }
    }
    const char *client_id = oro_auth_random_hex(ctx->pool, 16);
    const char *secret = oro_auth_random_hex(ctx->pool, 32);
    if (client_id == NULL || secret == NULL) {
        return oroctl_fail(OROCTL_FAILED, "%s: the system's random source failed", command);
    }
    const char *hash = oro_sha256_hex(ctx->pool, secret, strlen(secret));
    int rc = user_id ? oro_db_exec(db, ctx->pool, &error, NULL,
                                   "INSERT INTO oro_oauth_client (name, client_id, secret_hash, "
                                   "grants, user_id) VALUES (%s, %s, %s, %s, %s)",
                                   name, client_id, hash, grants, user_id, NULL)
                     : oro_db_exec(db, ctx->pool, &error, NULL,
                                   "INSERT INTO oro_oauth_client (name, client_id, secret_hash, "
                                   "grants) VALUES (%s, %s, %s, %s)",
                                   name, client_id, hash, grants, NULL);
    if (rc != 0) {
        return oroctl_fail(OROCTL_FAILED, "%s: could not store the client \"%s\": %s", command,
                           name, error);
    }
    printf("{\"client_id\":\"%s\",\"client_secret\":\"%s\"}\n", client_id, secret);
    return OROCTL_OK;
}

static int run_token_revoke(oroctl_context_t *ctx, int argc, const char *const *argv)
{
    static const char *const command = "oauth:token:revoke";
    const char *user = NULL, *client = NULL;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        const char **slot = strcmp(arg, "--user") == 0     ? &user
                            : strcmp(arg, "--client") == 0 ? &client
                                                           : NULL;
        if (slot == NULL || i + 1 >= argc) {
            return oroctl_fail(OROCTL_USAGE, "%s: expected --user USERNAME or --client CLIENT_ID",
                               command);
        }
        *slot = argv[++i];
    }
    if ((user == NULL) == (client == NULL)) {
        return oroctl_fail(OROCTL_USAGE, "%s: give either --user USERNAME or --client CLIENT_ID",
                           command);
    }
    const char *error = NULL;
    oro_db_t *db = oro_db_open(ctx->pool, ctx->settings.db_driver, ctx->settings.db_params, &error);
    if (db == NULL) {
        return oroctl_fail(OROCTL_UNAVAILABLE, "%s", error);
    }
    int n = 0;
    int rc = user ? oro_db_exec(db, ctx->pool, &error, &n,
                                "UPDATE oro_oauth_token SET revoked = TRUE WHERE revoked = FALSE "
                                "AND user_id IN (SELECT id FROM oro_user WHERE username = %s)",
                                user, NULL)
                  : oro_db_exec(db, ctx->pool, &error, &n,
                                "UPDATE oro_oauth_token SET revoked = TRUE WHERE revoked = FALSE "
                                "AND client_id IN (SELECT id FROM oro_oauth_client WHERE "
                                "client_id = %s)",
                                client, NULL);
    if (rc != 0) {
        return oroctl_fail(OROCTL_FAILED, "%s: could not revoke tokens: %s", command, error);
    }
    printf("revoked %d token(s)\n", n);
    return OROCTL_OK;
}

const oroctl_command_t oroctl_oauth_client_create_command = {
    "oauth:client:create", "register an OAuth2 client (prints its id and secret once)",
    "usage: oroctl [--config FILE] oauth:client:create NAME [--grant GRANT]... [--user USERNAME]\n"
    "\n"
    "Registers a client of POST /oauth2-token and prints\n"
    "{\"client_id\":\"…\",\"client_secret\":\"…\"}. The secret is stored hashed and shown only\n"
    "this once. GRANT is password (users log in with their password; refresh tokens\n"
    "come with it) or client_credentials (the client acts as --user). Default:\n"
    "client_credentials with --user, else password.\n"
    "\n"
    "exit codes: 0 registered, 1 no such user or failed, 2 usage, 3 configuration,\n"
    "4 database unreachable\n",
    run_client_create};

const oroctl_command_t oroctl_oauth_token_revoke_command = {
    "oauth:token:revoke", "revoke the OAuth2 tokens of a user or a client",
    "usage: oroctl [--config FILE] oauth:token:revoke --user USERNAME | --client CLIENT_ID\n"
    "\n"
    "Revokes every access and refresh token of the user or the client. mod_oro refuses\n"
    "them within OroAuthCacheSeconds.\n"
    "\n"
    "exit codes: 0 done (prints how many), 1 failed, 2 usage, 3 configuration,\n"
    "4 database unreachable\n",
    run_token_revoke};
