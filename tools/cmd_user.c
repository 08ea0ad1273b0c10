/* tools/cmd_user.c — oroctl user:create, user:disable, user:password and
 * apikey:generate: users and their credentials (docs/oroctl.md, docs/security.md). */
#include <apr_file_io.h>
#include <apr_strings.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "db/db.h"
#include "oroctl.h"

/* The first line of path ("-" or NULL: standard input) without its line break; NULL
 * after printing why. */
static const char *read_password(apr_pool_t *p, const char *command, const char *path)
{
    apr_file_t *f;
    char buf[1024], err[256];
    apr_status_t rv = path != NULL && strcmp(path, "-") != 0
                          ? apr_file_open(&f, path, APR_FOPEN_READ, APR_FPROT_OS_DEFAULT, p)
                          : apr_file_open_stdin(&f, p);
    const char *shown = path != NULL && strcmp(path, "-") != 0 ? path : "standard input";
    if (rv != APR_SUCCESS) {
        oroctl_fail(OROCTL_FAILED, "%s: could not read the password from \"%s\": %s", command,
                    shown, apr_strerror(rv, err, sizeof err));
        return NULL;
    }
    buf[0] = '\0';
    rv = apr_file_gets(buf, sizeof buf, f);
    if (path != NULL && strcmp(path, "-") != 0) {
        apr_file_close(f);
    }
    size_t n = rv == APR_SUCCESS ? strlen(buf) : 0;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
        buf[--n] = '\0';
    }
    if (n == 0) {
        oroctl_fail(OROCTL_FAILED, "%s: no password in \"%s\" (its first line is the password)",
                    command, shown);
        return NULL;
    }
    const char *password = apr_pstrdup(p, buf);
    memset(buf, 0, sizeof buf);
    return password;
}

/* A positive whole number, or NULL. */
static const char *id_argument(const char *text)
{
    if (text == NULL || *text < '1' || *text > '9' || strlen(text) > 18 ||
        strspn(text, "0123456789") != strlen(text)) {
        return NULL;
    }
    return text;
}

static int open_db(oroctl_context_t *ctx, oro_db_t **db)
{
    const char *error;
    *db = oro_db_open(ctx->pool, ctx->settings.db_driver, ctx->settings.db_params, &error);
    return *db == NULL ? oroctl_fail(OROCTL_UNAVAILABLE, "%s", error) : OROCTL_OK;
}

/* The id of user username, or NULL after printing why (exit code in *rc). */
static const char *user_id(oro_db_t *db, apr_pool_t *p, const char *command, const char *username,
                           int *rc)
{
    const char *error = NULL;
    const char *id =
        oro_db_scalar(db, p, &error, "SELECT id FROM oro_user WHERE username = %s", username, NULL);
    if (id == NULL) {
        *rc = error ? oroctl_fail(OROCTL_FAILED, "%s: could not look up user \"%s\": %s", command,
                                  username, error)
                    : oroctl_fail(OROCTL_FAILED, "%s: there is no user \"%s\"", command, username);
    }
    return id;
}

/* Options of the form --name VALUE or --name=VALUE; a role may be given several times. */
typedef struct {
    const char *username, *email, *password_file, *organization, *business_unit;
    const char *first_name, *last_name;
    apr_array_header_t *roles;
} user_options_t;

static int parse_options(oroctl_context_t *ctx, const char *command, int argc,
                         const char *const *argv, user_options_t *o, int with_profile)
{
    memset(o, 0, sizeof *o);
    o->roles = apr_array_make(ctx->pool, 2, sizeof(const char *));
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (o->username != NULL) {
                return oroctl_fail(OROCTL_USAGE, "%s: unexpected argument \"%s\"", command, arg);
            }
            o->username = arg;
            continue;
        }
        const char *eq = strchr(arg, '=');
        const char *name = eq ? apr_pstrmemdup(ctx->pool, arg, (apr_size_t)(eq - arg)) : arg;
        const char *value = eq ? eq + 1 : NULL;
        const char **slot = NULL;
        if (strcmp(name, "--password-file") == 0) {
            slot = &o->password_file;
        }
        else if (with_profile && strcmp(name, "--email") == 0) {
            slot = &o->email;
        }
        else if (with_profile && strcmp(name, "--organization") == 0) {
            slot = &o->organization;
        }
        else if (with_profile && strcmp(name, "--business-unit") == 0) {
            slot = &o->business_unit;
        }
        else if (with_profile && strcmp(name, "--first-name") == 0) {
            slot = &o->first_name;
        }
        else if (with_profile && strcmp(name, "--last-name") == 0) {
            slot = &o->last_name;
        }
        else if (with_profile && strcmp(name, "--role") == 0) {
            slot = apr_array_push(o->roles);
        }
        else {
            return oroctl_fail(OROCTL_USAGE, "%s: unknown option \"%s\" (see oroctl help %s)",
                               command, name, command);
        }
        if (value == NULL) {
            if (i + 1 >= argc) {
                return oroctl_fail(OROCTL_USAGE, "%s: %s needs a value", command, name);
            }
            value = argv[++i];
        }
        *slot = value;
    }
    if (o->username == NULL || *o->username == '\0') {
        return oroctl_fail(OROCTL_USAGE, "%s: which user? (oroctl %s USERNAME)", command, command);
    }
    if (strlen(o->username) > 255) {
        return oroctl_fail(OROCTL_USAGE, "%s: the username is longer than 255 characters", command);
    }
    return OROCTL_OK;
}

/* Reads and checks the password of o, and returns its hash; NULL after printing why. */
static const char *new_password_hash(oroctl_context_t *ctx, const char *command,
                                     const user_options_t *o)
{
    const char *password = read_password(ctx->pool, command, o->password_file);
    if (password == NULL) {
        return NULL;
    }
    const char *why =
        oro_password_check(ctx->pool, password, o->username, ctx->settings.password_min_length);
    if (why != NULL) {
        oroctl_fail(OROCTL_FAILED, "%s: %s", command, why);
        return NULL;
    }
    const char *error = NULL;
    const char *hash = oro_password_hash(ctx->pool, password, &error);
    if (hash == NULL) {
        oroctl_fail(OROCTL_FAILED, "%s: %s", command, error);
    }
    return hash;
}

static int run_user_create(oroctl_context_t *ctx, int argc, const char *const *argv)
{
    static const char *const command = "user:create";
    user_options_t o;
    int rc = parse_options(ctx, command, argc, argv, &o, 1);
    if (rc != OROCTL_OK) {
        return rc;
    }
    if (o.email == NULL || strchr(o.email, '@') == NULL || strlen(o.email) > 255) {
        return oroctl_fail(OROCTL_USAGE, "%s: --email needs an e-mail address", command);
    }
    if ((o.organization && !id_argument(o.organization)) ||
        (o.business_unit && !id_argument(o.business_unit))) {
        return oroctl_fail(OROCTL_USAGE, "%s: --organization and --business-unit take an id",
                           command);
    }
    const char *hash = new_password_hash(ctx, command, &o);
    if (hash == NULL) {
        return OROCTL_FAILED;
    }
    oro_db_t *db;
    if ((rc = open_db(ctx, &db)) != OROCTL_OK) {
        return rc;
    }
    apr_pool_t *p = ctx->pool;
    const char *error = NULL, *org = o.organization, *unit = o.business_unit;
    /* defaults: the unit's organization, else the first organization and its first unit */
    if (org == NULL && unit != NULL) {
        org = oro_db_scalar(db, p, &error,
                            "SELECT organization_id FROM oro_business_unit WHERE id = %s", unit,
                            NULL);
    }
    else if (org == NULL) {
        org = oro_db_scalar(db, p, &error, "SELECT MIN(id) FROM oro_organization", NULL);
    }
    if (org == NULL || *org == '\0') {
        return oroctl_fail(OROCTL_FAILED, "%s: %s", command,
                           error ? error : "no such business unit, or no organization exists");
    }
    if (unit == NULL) {
        unit = oro_db_scalar(db, p, &error,
                             "SELECT MIN(id) FROM oro_business_unit WHERE organization_id = %s",
                             org, NULL);
        if (unit == NULL || *unit == '\0') {
            return oroctl_fail(OROCTL_FAILED, "%s: %s", command,
                               error ? error : "the organization has no business unit");
        }
    }
    else {
        const char *unit_org = oro_db_scalar(
            db, p, &error, "SELECT organization_id FROM oro_business_unit WHERE id = %s", unit,
            NULL);
        if (unit_org == NULL || strcmp(unit_org, org) != 0) {
            return oroctl_fail(OROCTL_FAILED,
                               "%s: business unit %s does not exist in organization %s", command,
                               unit, org);
        }
    }
    const char *exists = oro_db_scalar(
        db, p, &error, "SELECT COUNT(*) FROM oro_user WHERE username = %s OR email = %s",
        o.username, o.email, NULL);
    if (exists == NULL) {
        return oroctl_fail(OROCTL_FAILED, "%s: %s", command, error ? error : "no answer");
    }
    if (strcmp(exists, "0") != 0) {
        return oroctl_fail(OROCTL_FAILED, "%s: a user \"%s\" or with e-mail \"%s\" already exists",
                           command, o.username, o.email);
    }
    apr_dbd_transaction_t *txn = NULL;
    if (oro_db_begin(db, p, &txn, &error) != 0) {
        return oroctl_fail(OROCTL_FAILED, "%s: %s", command, error);
    }
    int failed =
        oro_db_exec(db, p, &error, NULL,
                    "INSERT INTO oro_user (username, email, first_name, last_name, enabled, "
                    "login_count, business_unit_owner_id, organization_id, password) "
                    "VALUES (%s, %s, %s, %s, TRUE, 0, %s, %s, %s)",
                    o.username, o.email, o.first_name ? o.first_name : "",
                    o.last_name ? o.last_name : "", unit, org, hash, NULL) != 0;
    const char *id = NULL;
    if (!failed) {
        id = oro_db_scalar(db, p, &error, "SELECT id FROM oro_user WHERE username = %s", o.username,
                           NULL);
        failed = id == NULL;
    }
    if (!failed) {
        failed = oro_db_exec(db, p, &error, NULL,
                             "INSERT INTO oro_user_organization (user_id, organization_id) "
                             "VALUES (%s, %s)",
                             id, org, NULL) != 0;
    }
    for (int i = 0; !failed && i < o.roles->nelts; i++) {
        const char *role = APR_ARRAY_IDX(o.roles, i, const char *);
        int n = 0;
        failed = oro_db_exec(db, p, &error, &n,
                             "INSERT INTO oro_user_access_role (user_id, role_id) "
                             "SELECT %s, id FROM oro_access_role WHERE role = %s",
                             id, role, NULL) != 0;
        if (!failed && n != 1) {
            error = apr_psprintf(p, "there is no role \"%s\"", role);
            failed = 1;
        }
    }
    const char *end_error = NULL;
    if (oro_db_end(db, p, txn, failed, &end_error) != 0 && !failed) {
        failed = 1;
        error = end_error;
    }
    if (failed) {
        return oroctl_fail(OROCTL_FAILED, "%s: could not create user \"%s\": %s", command,
                           o.username, error ? error : "unknown error");
    }
    printf("created user \"%s\" (id %s)\n", o.username, id);
    return OROCTL_OK;
}

/* Ends every session and OAuth2 token of user id (after a password change or when
 * the user is disabled). */
static const char *end_sessions(oro_db_t *db, apr_pool_t *p, const char *id)
{
    const char *error = NULL;
    if (oro_db_exec(db, p, &error, NULL, "DELETE FROM oro_session WHERE user_id = %s", id, NULL) !=
            0 ||
        oro_db_exec(db, p, &error, NULL,
                    "UPDATE oro_oauth_token SET revoked = TRUE WHERE user_id = %s", id,
                    NULL) != 0) {
        return error;
    }
    return NULL;
}

/* The common start of the commands on an existing user: the options (--password-file
 * only when takes_password), the database and the user's id. Returns OROCTL_OK or the
 * exit code after printing why. */
static int existing_user(oroctl_context_t *ctx, const char *command, int argc,
                         const char *const *argv, int takes_password, user_options_t *o,
                         oro_db_t **db, const char **id)
{
    int rc = parse_options(ctx, command, argc, argv, o, 0);
    if (rc != OROCTL_OK) {
        return rc;
    }
    if (!takes_password && o->password_file != NULL) {
        return oroctl_fail(OROCTL_USAGE, "%s: unknown option \"--password-file\"", command);
    }
    if ((rc = open_db(ctx, db)) != OROCTL_OK) {
        return rc;
    }
    *id = user_id(*db, ctx->pool, command, o->username, &rc);
    return *id != NULL ? OROCTL_OK : rc;
}

static int run_user_disable(oroctl_context_t *ctx, int argc, const char *const *argv)
{
    static const char *const command = "user:disable";
    user_options_t o;
    oro_db_t *db;
    const char *id;
    int rc = existing_user(ctx, command, argc, argv, 0, &o, &db, &id);
    if (rc != OROCTL_OK) {
        return rc;
    }
    const char *error = NULL;
    if (oro_db_exec(db, ctx->pool, &error, NULL,
                    "UPDATE oro_user SET enabled = FALSE WHERE id = %s", id, NULL) != 0 ||
        (error = end_sessions(db, ctx->pool, id)) != NULL) {
        return oroctl_fail(OROCTL_FAILED, "%s: could not disable user \"%s\": %s", command,
                           o.username, error);
    }
    printf("disabled user \"%s\"; its sessions and tokens are ended\n", o.username);
    return OROCTL_OK;
}

static int run_user_password(oroctl_context_t *ctx, int argc, const char *const *argv)
{
    static const char *const command = "user:password";
    user_options_t o;
    oro_db_t *db;
    const char *id;
    int rc = existing_user(ctx, command, argc, argv, 1, &o, &db, &id);
    if (rc != OROCTL_OK) {
        return rc;
    }
    const char *hash = new_password_hash(ctx, command, &o);
    if (hash == NULL) {
        return OROCTL_FAILED;
    }
    const char *error = NULL;
    if (oro_db_exec(db, ctx->pool, &error, NULL, "UPDATE oro_user SET password = %s WHERE id = %s",
                    hash, id, NULL) != 0 ||
        (error = end_sessions(db, ctx->pool, id)) != NULL) {
        return oroctl_fail(OROCTL_FAILED, "%s: could not change the password of \"%s\": %s",
                           command, o.username, error);
    }
    printf("changed the password of \"%s\"; its sessions and tokens are ended\n", o.username);
    return OROCTL_OK;
}

static int run_apikey_generate(oroctl_context_t *ctx, int argc, const char *const *argv)
{
    static const char *const command = "apikey:generate";
    user_options_t o;
    oro_db_t *db;
    const char *id;
    int rc = existing_user(ctx, command, argc, argv, 0, &o, &db, &id);
    if (rc != OROCTL_OK) {
        return rc;
    }
    const char *key = oro_auth_random_hex(ctx->pool, 20); /* 40 hex digits, as Oro's keys */
    if (key == NULL) {
        return oroctl_fail(OROCTL_FAILED, "%s: the system's random source failed", command);
    }
    const char *error = NULL;
    apr_dbd_transaction_t *txn = NULL;
    if (oro_db_begin(db, ctx->pool, &txn, &error) != 0) {
        return oroctl_fail(OROCTL_FAILED, "%s: %s", command, error);
    }
    int failed = oro_db_exec(db, ctx->pool, &error, NULL,
                             "DELETE FROM oro_user_api_key WHERE user_id = %s", id, NULL) != 0 ||
                 oro_db_exec(db, ctx->pool, &error, NULL,
                             "INSERT INTO oro_user_api_key (user_id, api_key) VALUES (%s, %s)", id,
                             key, NULL) != 0;
    const char *end_error = NULL;
    if (oro_db_end(db, ctx->pool, txn, failed, &end_error) != 0 && !failed) {
        failed = 1;
        error = end_error;
    }
    if (failed) {
        return oroctl_fail(OROCTL_FAILED, "%s: could not store the API key of \"%s\": %s", command,
                           o.username, error);
    }
    printf("%s\n", key);
    return OROCTL_OK;
}

const oroctl_command_t oroctl_user_create_command = {
    "user:create", "create a user with a password (from a file or standard input)",
    "usage: oroctl [--config FILE] user:create USERNAME --email ADDRESS\n"
    "           [--password-file FILE] [--organization ID] [--business-unit ID]\n"
    "           [--role ROLE]... [--first-name NAME] [--last-name NAME]\n"
    "\n"
    "Creates an enabled user. The password is the first line of FILE, or of standard\n"
    "input without --password-file (or with \"-\"); it must have OroPasswordMinLength\n"
    "characters (default 8) and must not be the username. The user belongs to the\n"
    "business unit (default: the first of the organization) and the organization\n"
    "(default: the unit's, else the first); each --role (e.g. ROLE_ADMINISTRATOR,\n"
    "ROLE_MANAGER, ROLE_USER) is granted.\n"
    "\n"
    "exit codes: 0 created, 1 failed (exists, bad password, unknown role or unit),\n"
    "2 usage, 3 configuration, 4 database unreachable\n",
    run_user_create};

const oroctl_command_t oroctl_user_disable_command = {
    "user:disable", "disable a user and end its sessions and tokens",
    "usage: oroctl [--config FILE] user:disable USERNAME\n"
    "\n"
    "The user can no longer log in or call the API; its sessions are deleted and its\n"
    "OAuth2 tokens revoked. WSSE answers of mod_oro may take OroAuthCacheSeconds to see\n"
    "the change.\n"
    "\n"
    "exit codes: 0 disabled, 1 no such user or failed, 2 usage, 3 configuration,\n"
    "4 database unreachable\n",
    run_user_disable};

const oroctl_command_t oroctl_user_password_command = {
    "user:password", "set a user's password (from a file or standard input)",
    "usage: oroctl [--config FILE] user:password USERNAME [--password-file FILE]\n"
    "\n"
    "The new password is the first line of FILE or of standard input, checked as by\n"
    "user:create. The user's sessions and OAuth2 tokens are ended.\n"
    "\n"
    "exit codes: 0 changed, 1 no such user, bad password or failed, 2 usage,\n"
    "3 configuration, 4 database unreachable\n",
    run_user_password};

const oroctl_command_t oroctl_apikey_generate_command = {
    "apikey:generate", "issue a new WSSE API key for a user (printed alone)",
    "usage: oroctl [--config FILE] apikey:generate USERNAME\n"
    "\n"
    "Replaces the user's API key with a new random one and prints it alone on\n"
    "standard output, for scripts: KEY=$(oroctl apikey:generate admin). The key is\n"
    "the secret of WSSE authentication (docs/security.md).\n"
    "\n"
    "exit codes: 0 issued, 1 no such user or failed, 2 usage, 3 configuration,\n"
    "4 database unreachable\n",
    run_apikey_generate};
