/* mod_oro/mod_oro.c — the module: directives, configuration, hooks, routing. */
#include "mod_oro.h"
#include "auth.h"

#include <apr_optional.h>
#include <apr_strings.h>
#include <http_protocol.h>
#include <http_request.h>

oro_dbd_fns_t oro_dbd;

static void *create_server_conf(apr_pool_t *p, server_rec *s)
{
    oro_server_conf_t *conf = apr_pcalloc(p, sizeof *conf);
    oro_settings_init(&conf->settings);
    return conf;
}

static void *merge_server_conf(apr_pool_t *p, void *base, void *add)
{
    oro_server_conf_t *conf = apr_pcalloc(p, sizeof *conf);
    oro_settings_merge(&conf->settings, &((oro_server_conf_t *)base)->settings,
                       &((oro_server_conf_t *)add)->settings);
    return conf;
}

/* Every Oro* directive goes through the validator the daemons use too, so httpd and
 * oro-consumer accept and refuse exactly the same configuration. */
static const char *set_setting(cmd_parms *cmd, void *dconf, const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);
    if (err != NULL) {
        return err;
    }
    oro_server_conf_t *conf = ap_get_module_config(cmd->server->module_config, &oro_module);
    const char *argv[1] = {arg};
    return oro_settings_set(cmd->pool, &conf->settings, cmd->cmd->name, 1, argv, NULL);
}

#define ORO_DIRECTIVE(name, help) AP_INIT_TAKE1(name, set_setting, NULL, RSRC_CONF, help)

static const command_rec oro_commands[] = {
    ORO_DIRECTIVE("OroEntityConfig", "directory of entity definitions (*.json)"),
    ORO_DIRECTIVE("OroSchemaDir", "directory of the numbered SQL migrations"),
    ORO_DIRECTIVE("OroSearchIndex", "directory of the Xapian search index"),
    ORO_DIRECTIVE("OroSecretFile", "file holding the application secret"),
    ORO_DIRECTIVE("OroQueueTransport", "message queue transport: dbal or amqp"),
    ORO_DIRECTIVE("OroAmqpUrl", "RabbitMQ URL: amqp://user:password@host:port/vhost"),
    ORO_DIRECTIVE("OroHeartbeatInterval", "seconds between consumer heartbeats"),
    ORO_DIRECTIVE("OroConsumerTimeout", "seconds after which a silent consumer is dead"),
    ORO_DIRECTIVE("OroConsumerWorkers", "worker processes of oro-consumer"),
    ORO_DIRECTIVE("OroConsumerPidFile", "pid file of oro-consumer"),
    ORO_DIRECTIVE("OroConsumerLog", "log file of oro-consumer"),
    ORO_DIRECTIVE("OroApiMaxPageSize", "largest page[size] the API accepts"),
    ORO_DIRECTIVE("OroApiBulkDeleteLimit", "most records one bulk DELETE may remove"),
    ORO_DIRECTIVE("OroAuthentication", "on (default) or off: off serves the API unauthenticated"),
    ORO_DIRECTIVE("OroWsseLifetime", "seconds a WSSE token is valid after its Created time"),
    ORO_DIRECTIVE("OroWsseClockSkew", "seconds a WSSE Created time may lie in the future"),
    ORO_DIRECTIVE("OroAuthCacheSeconds", "seconds a user's credentials stay cached"),
    ORO_DIRECTIVE("OroPasswordMinLength", "shortest password accepted"),
    ORO_DIRECTIVE("OroOAuthTokenLifetime", "seconds an OAuth2 access token is valid"),
    ORO_DIRECTIVE("OroOAuthRefreshLifetime", "seconds an OAuth2 refresh token is valid"),
    ORO_DIRECTIVE("OroSessionIdleTimeout", "seconds of inactivity that end a browser session"),
    ORO_DIRECTIVE("OroSessionLifetime", "seconds after login that end a browser session"),
    ORO_DIRECTIVE("OroLoginMaxAttempts", "failed logins of one user before it is throttled"),
    ORO_DIRECTIVE("OroLoginMaxAttemptsPerAddress",
                  "failed logins from one address before throttling"),
    ORO_DIRECTIVE("OroLoginLockSeconds", "seconds failed logins are counted and a throttle lasts"),
    ORO_DIRECTIVE("OroConsumerIndexerWorkers", "indexer workers of oro-consumer: 0 or 1"),
    ORO_DIRECTIVE("OroConsumerRelayWorkers", "outbox relay workers of oro-consumer (amqp)"),
    ORO_DIRECTIVE("OroQueueBatchSize", "messages a worker claims at once"),
    ORO_DIRECTIVE("OroQueueMaxAttempts", "deliveries before a message is dead-lettered"),
    ORO_DIRECTIVE("OroQueueRetryDelay", "milliseconds before the first retry"),
    ORO_DIRECTIVE("OroQueueRetryMaxDelay", "longest retry backoff in milliseconds"),
    ORO_DIRECTIVE("OroQueueVisibilityTimeout", "seconds before a claimed message is released"),
    ORO_DIRECTIVE("OroQueuePollInterval", "longest idle poll in milliseconds"),
    ORO_DIRECTIVE("OroJobStaleTimeout", "seconds after which a silent job is stale"),
    ORO_DIRECTIVE("OroDeadLetterMaxAge", "days dead letters are kept"),
    ORO_DIRECTIVE("OroAuthCacheSize", "megabytes of shared memory for nonces, users and sessions"),
    ORO_DIRECTIVE("OroQueueIndexerBatchSize", "messages the indexer worker claims at once"),
    ORO_DIRECTIVE("OroSearchShards", "shards (Xapian databases) of a new search index version"),
    ORO_DIRECTIVE("OroAmqpBatchSize", "messages the amqp relay packs into one AMQP message"),
    {NULL}};

/* Validates every server's merged settings once the whole configuration is read;
 * a failure stops httpd with a message naming the directive and the path. */
static int oro_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    oro_dbd.acquire = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire);
    oro_dbd.open = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_open);
    oro_dbd.close = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_close);
    if (oro_dbd.acquire == NULL || oro_dbd.open == NULL || oro_dbd.close == NULL) {
        ap_log_error(APLOG_MARK, APLOG_CRIT | APLOG_STARTUP, 0, s,
                     "mod_oro: you must load mod_dbd (LoadModule dbd_module …) before mod_oro");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    oro_server_conf_t *main_conf = ap_get_module_config(s->module_config, &oro_module);
    for (server_rec *srv = s; srv != NULL; srv = srv->next) {
        oro_server_conf_t *conf = ap_get_module_config(srv->module_config, &oro_module);
        oro_settings_apply_defaults(&conf->settings);
        const char *err = oro_settings_check(ptemp, &conf->settings);
        if (err != NULL) {
            ap_log_error(APLOG_MARK, APLOG_CRIT | APLOG_STARTUP, 0, srv,
                         "mod_oro: invalid configuration for %s:%d: %s",
                         srv->server_hostname ? srv->server_hostname : "(main server)", srv->port,
                         err);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        /* virtual hosts usually inherit the main server's definitions: load once */
        if (srv != s && conf->settings.entity_config != NULL && main_conf->settings.meta != NULL &&
            strcmp(conf->settings.entity_config, main_conf->settings.entity_config) == 0) {
            conf->settings.meta = main_conf->settings.meta;
            continue;
        }
        err = oro_settings_load_entities(pconf, &conf->settings);
        if (err != NULL) {
            /* one log line per error: the log escapes embedded line breaks */
            char *state, *line = apr_strtok(apr_pstrdup(ptemp, err), "\n", &state);
            for (; line != NULL; line = apr_strtok(NULL, "\n", &state)) {
                ap_log_error(APLOG_MARK, APLOG_CRIT | APLOG_STARTUP, 0, srv, "mod_oro: %s", line);
            }
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    int rc = oro_auth_post_config(pconf, ptemp, s);
    if (rc != OK) {
        return rc;
    }
    ap_add_version_component(pconf, "mod_oro/" ORO_VERSION);
    return OK;
}

typedef struct {
    const char *path; /* relative to /api */
    int (*handler)(request_rec *r);
} route_t;

static const route_t routes[] = {
    {"/system/status", oro_handle_system_status},
    {"/metadata", oro_handle_metadata},
    {"/entities", oro_handle_metadata},
    {"/doc/openapi.json", oro_handle_openapi},
    {"/doc", oro_handle_api_doc_page},
    {"/jobs", oro_handle_jobs},
    {"/search", oro_handle_search},
    {"/search/advanced", oro_handle_search_advanced},
    {"/searchentities", oro_handle_search_entities},
    {"/session", oro_auth_handle_session},
};

/* Routes requests of "SetHandler oro" by the path below the last "/api" prefix. */
static int oro_handler(request_rec *r)
{
    if (r->handler == NULL || strcmp(r->handler, "oro") != 0) {
        return DECLINED;
    }
    int rc = oro_auth_endpoint(r);
    if (rc != DECLINED) {
        return OK; /* /oauth2-token, /login, /logout: answered */
    }
    const char *path = r->uri;
    if (strncmp(path, "/api", 4) == 0) {
        path += 4;
    }
    else {
        /* outside /api only the endpoints above are ours (/login/x is no login) */
        return oro_send_error(
            r, HTTP_NOT_FOUND, "resource not found",
            apr_psprintf(r->pool, "no resource at \"%s\"", oro_printable(r->pool, r->uri, 200)));
    }
    /* every route needs a caller but the status, whose details need an administrator */
    if (oro_auth_request(r, strcmp(path, "/system/status") != 0) != OK) {
        return OK;
    }
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (strcmp(path, routes[i].path) == 0) {
            return routes[i].handler(r);
        }
    }
    if (path[0] == '/' && path[1] != '\0') {
        return oro_api_dispatch(r, path);
    }
    return oro_send_error(
        r, HTTP_NOT_FOUND, "resource not found",
        apr_psprintf(r->pool, "no API resource at \"%s\"", oro_printable(r->pool, r->uri, 200)));
}

/* Requests under /api are not files: claiming them at translate_name and
 * map_to_storage saves the file-system mapping and its directory walk, and keeps a
 * long path from becoming httpd's own 403 ("File name too long", AH00127) instead of
 * the API's JSON answer. */
static int is_api_uri(const request_rec *r)
{
    return r->uri &&
           ((strncmp(r->uri, "/api", 4) == 0 && (r->uri[4] == '/' || r->uri[4] == '\0')) ||
            oro_auth_is_endpoint(r->uri));
}

static int oro_translate_name(request_rec *r)
{
    if (!is_api_uri(r)) {
        return DECLINED;
    }
    r->filename = apr_pstrcat(r->pool, "oro:", r->uri, NULL);
    return OK;
}

static int oro_map_to_storage(request_rec *r)
{
    return is_api_uri(r) ? OK : DECLINED;
}

static int oro_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    return oro_auth_pre_config(pconf, plog, ptemp);
}

static void oro_child_init(apr_pool_t *p, server_rec *s)
{
    oro_auth_child_init(p, s);
}

static void oro_register_hooks(apr_pool_t *p)
{
    ap_hook_pre_config(oro_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(oro_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_translate_name(oro_translate_name, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_map_to_storage(oro_map_to_storage, NULL, NULL, APR_HOOK_FIRST);
    static const char *const after_dbd[] = {"mod_dbd.c", NULL};
    ap_hook_post_config(oro_post_config, after_dbd, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(oro_handler, NULL, NULL, APR_HOOK_MIDDLE);
    oro_api_acl_register_hooks(p);
}

AP_DECLARE_MODULE(oro) = {
    STANDARD20_MODULE_STUFF,
    NULL, /* per-directory config: none yet */
    NULL,
    create_server_conf,
    merge_server_conf,
    oro_commands,
    oro_register_hooks,
#if defined(AP_MODULE_FLAG_ALWAYS_MERGE)
    AP_MODULE_FLAG_ALWAYS_MERGE,
#endif
};
