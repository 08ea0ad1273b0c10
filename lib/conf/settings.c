/* lib/conf/settings.c — the Oro* directives: one table, one validator per kind. */
#include "conf/settings.h"
#include "db/db.h"
#include "meta/meta.h"
#include "search/search.h"

#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_strings.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum { KIND_PATH, KIND_STRING, KIND_INT, KIND_TRANSPORT, KIND_URL, KIND_FLAG } kind_t;

typedef struct {
    const char *name;
    kind_t kind;
    size_t offset;
    int min, max; /* KIND_INT */
} directive_t;

#define FIELD(f) offsetof(oro_settings_t, f)

static const directive_t directives[] = {
    {"DBDriver", KIND_STRING, FIELD(db_driver), 0, 0},
    {"DBDParams", KIND_STRING, FIELD(db_params), 0, 0},
    {"OroEntityConfig", KIND_PATH, FIELD(entity_config), 0, 0},
    {"OroSchemaDir", KIND_PATH, FIELD(schema_dir), 0, 0},
    {"OroSearchIndex", KIND_PATH, FIELD(search_index), 0, 0},
    {"OroSecretFile", KIND_PATH, FIELD(secret_file), 0, 0},
    {"OroQueueTransport", KIND_TRANSPORT, FIELD(transport), 0, 0},
    {"OroAmqpUrl", KIND_URL, FIELD(amqp_url), 0, 0},
    {"OroHeartbeatInterval", KIND_INT, FIELD(heartbeat_interval), 1, 3600},
    {"OroConsumerTimeout", KIND_INT, FIELD(consumer_timeout), 2, 86400},
    {"OroConsumerWorkers", KIND_INT, FIELD(consumer_workers), 1, 256},
    {"OroConsumerPidFile", KIND_PATH, FIELD(consumer_pidfile), 0, 0},
    {"OroConsumerLog", KIND_PATH, FIELD(consumer_log), 0, 0},
    {"OroApiMaxPageSize", KIND_INT, FIELD(api_max_page_size), 1, 10000},
    {"OroApiBulkDeleteLimit", KIND_INT, FIELD(api_bulk_delete_limit), 1, 100000},
    {"OroAuthentication", KIND_FLAG, FIELD(authentication), 0, 1},
    {"OroWsseLifetime", KIND_INT, FIELD(wsse_lifetime), 10, 86400},
    {"OroWsseClockSkew", KIND_INT, FIELD(wsse_clock_skew), 0, 3600},
    {"OroAuthCacheSeconds", KIND_INT, FIELD(auth_cache_seconds), 0, 3600},
    {"OroPasswordMinLength", KIND_INT, FIELD(password_min_length), 6, 72},
    {"OroOAuthTokenLifetime", KIND_INT, FIELD(oauth_token_lifetime), 60, 86400},
    {"OroOAuthRefreshLifetime", KIND_INT, FIELD(oauth_refresh_lifetime), 60, 31536000},
    {"OroSessionIdleTimeout", KIND_INT, FIELD(session_idle_timeout), 60, 86400},
    {"OroSessionLifetime", KIND_INT, FIELD(session_lifetime), 60, 2592000},
    {"OroLoginMaxAttempts", KIND_INT, FIELD(login_max_attempts), 1, 1000},
    {"OroLoginMaxAttemptsPerAddress", KIND_INT, FIELD(login_max_per_address), 1, 100000},
    {"OroLoginLockSeconds", KIND_INT, FIELD(login_lock_seconds), 1, 86400},
    {"OroConsumerIndexerWorkers", KIND_INT, FIELD(consumer_indexer_workers), 0, 1},
    {"OroConsumerRelayWorkers", KIND_INT, FIELD(consumer_relay_workers), 0, 16},
    {"OroQueueBatchSize", KIND_INT, FIELD(queue_batch_size), 1, 10000},
    {"OroQueueMaxAttempts", KIND_INT, FIELD(queue_max_attempts), 1, 1000},
    {"OroQueueRetryDelay", KIND_INT, FIELD(queue_retry_delay), 0, 86400000},
    {"OroQueueRetryMaxDelay", KIND_INT, FIELD(queue_retry_max_delay), 0, 86400000},
    {"OroQueueVisibilityTimeout", KIND_INT, FIELD(queue_visibility_timeout), 1, 86400},
    {"OroQueuePollInterval", KIND_INT, FIELD(queue_poll_interval), 1, 60000},
    {"OroJobStaleTimeout", KIND_INT, FIELD(job_stale_timeout), 10, 30 * 86400},
    {"OroDeadLetterMaxAge", KIND_INT, FIELD(dead_letter_max_age), 1, 3650},
    {"OroAuthCacheSize", KIND_INT, FIELD(auth_cache_size), 1, 1024},
    {"OroQueueIndexerBatchSize", KIND_INT, FIELD(queue_indexer_batch_size), 1, 100000},
    {"OroSearchShards", KIND_INT, FIELD(search_shards), 1, 16},
    {"OroAmqpBatchSize", KIND_INT, FIELD(amqp_batch_size), 1, 10000},
};

#define N_DIRECTIVES (sizeof(directives) / sizeof(directives[0]))

void oro_settings_init(oro_settings_t *s)
{
    memset(s, 0, sizeof *s);
    s->transport = ORO_UNSET_INT;
    s->heartbeat_interval = ORO_UNSET_INT;
    s->consumer_timeout = ORO_UNSET_INT;
    s->consumer_workers = ORO_UNSET_INT;
    s->api_max_page_size = ORO_UNSET_INT;
    s->api_bulk_delete_limit = ORO_UNSET_INT;
    s->authentication = ORO_UNSET_INT;
    s->wsse_lifetime = ORO_UNSET_INT;
    s->wsse_clock_skew = ORO_UNSET_INT;
    s->auth_cache_seconds = ORO_UNSET_INT;
    s->password_min_length = ORO_UNSET_INT;
    s->oauth_token_lifetime = ORO_UNSET_INT;
    s->oauth_refresh_lifetime = ORO_UNSET_INT;
    s->session_idle_timeout = ORO_UNSET_INT;
    s->session_lifetime = ORO_UNSET_INT;
    s->login_max_attempts = ORO_UNSET_INT;
    s->login_max_per_address = ORO_UNSET_INT;
    s->login_lock_seconds = ORO_UNSET_INT;
    s->consumer_indexer_workers = ORO_UNSET_INT;
    s->consumer_relay_workers = ORO_UNSET_INT;
    s->queue_batch_size = ORO_UNSET_INT;
    s->queue_max_attempts = ORO_UNSET_INT;
    s->queue_retry_delay = ORO_UNSET_INT;
    s->queue_retry_max_delay = ORO_UNSET_INT;
    s->queue_visibility_timeout = ORO_UNSET_INT;
    s->queue_poll_interval = ORO_UNSET_INT;
    s->job_stale_timeout = ORO_UNSET_INT;
    s->dead_letter_max_age = ORO_UNSET_INT;
    s->auth_cache_size = ORO_UNSET_INT;
    s->queue_indexer_batch_size = ORO_UNSET_INT;
    s->search_shards = ORO_UNSET_INT;
    s->amqp_batch_size = ORO_UNSET_INT;
}

void oro_settings_merge(oro_settings_t *out, const oro_settings_t *parent,
                        const oro_settings_t *child)
{
    for (size_t i = 0; i < N_DIRECTIVES; i++) {
        const directive_t *d = &directives[i];
        char *o = (char *)out + d->offset;
        const char *pa = (const char *)parent + d->offset;
        const char *ch = (const char *)child + d->offset;
        if (d->kind == KIND_INT || d->kind == KIND_TRANSPORT || d->kind == KIND_FLAG) {
            int cv = *(const int *)ch;
            *(int *)o = cv != ORO_UNSET_INT ? cv : *(const int *)pa;
        }
        else {
            const char *cv = *(const char *const *)ch;
            *(const char **)o = cv != NULL ? cv : *(const char *const *)pa;
        }
    }
}

void oro_settings_apply_defaults(oro_settings_t *s)
{
    if (s->transport == ORO_UNSET_INT) {
        s->transport = ORO_MQ_DBAL;
    }
    if (s->heartbeat_interval == ORO_UNSET_INT) {
        s->heartbeat_interval = ORO_DEFAULT_HEARTBEAT_INTERVAL;
    }
    if (s->consumer_timeout == ORO_UNSET_INT) {
        s->consumer_timeout = ORO_DEFAULT_CONSUMER_TIMEOUT;
    }
    if (s->consumer_workers == ORO_UNSET_INT) {
        s->consumer_workers = ORO_DEFAULT_CONSUMER_WORKERS;
    }
    if (s->api_max_page_size == ORO_UNSET_INT) {
        s->api_max_page_size = ORO_DEFAULT_API_MAX_PAGE_SIZE;
    }
    if (s->api_bulk_delete_limit == ORO_UNSET_INT) {
        s->api_bulk_delete_limit = ORO_DEFAULT_API_BULK_DELETE_LIMIT;
    }
    if (s->authentication == ORO_UNSET_INT) {
        s->authentication = 1;
    }
    if (s->wsse_lifetime == ORO_UNSET_INT) {
        s->wsse_lifetime = ORO_DEFAULT_WSSE_LIFETIME;
    }
    if (s->wsse_clock_skew == ORO_UNSET_INT) {
        s->wsse_clock_skew = ORO_DEFAULT_WSSE_CLOCK_SKEW;
    }
    if (s->auth_cache_seconds == ORO_UNSET_INT) {
        s->auth_cache_seconds = ORO_DEFAULT_AUTH_CACHE_SECONDS;
    }
    if (s->password_min_length == ORO_UNSET_INT) {
        s->password_min_length = ORO_DEFAULT_PASSWORD_MIN_LENGTH;
    }
    static const struct {
        size_t offset;
        int value;
    } auth_defaults[] = {
        {FIELD(oauth_token_lifetime), ORO_DEFAULT_OAUTH_TOKEN_LIFETIME},
        {FIELD(oauth_refresh_lifetime), ORO_DEFAULT_OAUTH_REFRESH_LIFETIME},
        {FIELD(session_idle_timeout), ORO_DEFAULT_SESSION_IDLE_TIMEOUT},
        {FIELD(session_lifetime), ORO_DEFAULT_SESSION_LIFETIME},
        {FIELD(login_max_attempts), ORO_DEFAULT_LOGIN_MAX_ATTEMPTS},
        {FIELD(login_max_per_address), ORO_DEFAULT_LOGIN_MAX_PER_ADDRESS},
        {FIELD(login_lock_seconds), ORO_DEFAULT_LOGIN_LOCK_SECONDS},
        {FIELD(auth_cache_size), ORO_DEFAULT_AUTH_CACHE_SIZE},
    };
    for (size_t i = 0; i < sizeof auth_defaults / sizeof auth_defaults[0]; i++) {
        int *field = (int *)((char *)s + auth_defaults[i].offset);
        if (*field == ORO_UNSET_INT) {
            *field = auth_defaults[i].value;
        }
    }
#define DEFAULT_IF_UNSET(field, value)                                                             \
    if (s->field == ORO_UNSET_INT) {                                                               \
        s->field = value;                                                                          \
    }
    DEFAULT_IF_UNSET(consumer_indexer_workers, ORO_DEFAULT_CONSUMER_INDEXER_WORKERS)
    DEFAULT_IF_UNSET(consumer_relay_workers, ORO_DEFAULT_CONSUMER_RELAY_WORKERS)
    DEFAULT_IF_UNSET(queue_batch_size, ORO_DEFAULT_QUEUE_BATCH_SIZE)
    DEFAULT_IF_UNSET(queue_max_attempts, ORO_DEFAULT_QUEUE_MAX_ATTEMPTS)
    DEFAULT_IF_UNSET(queue_retry_delay, ORO_DEFAULT_QUEUE_RETRY_DELAY)
    DEFAULT_IF_UNSET(queue_retry_max_delay, ORO_DEFAULT_QUEUE_RETRY_MAX_DELAY)
    DEFAULT_IF_UNSET(queue_visibility_timeout, ORO_DEFAULT_QUEUE_VISIBILITY_TIMEOUT)
    DEFAULT_IF_UNSET(queue_poll_interval, ORO_DEFAULT_QUEUE_POLL_INTERVAL)
#undef DEFAULT_IF_UNSET
    if (s->job_stale_timeout == ORO_UNSET_INT) {
        s->job_stale_timeout = ORO_DEFAULT_JOB_STALE_TIMEOUT;
    }
    if (s->dead_letter_max_age == ORO_UNSET_INT) {
        s->dead_letter_max_age = ORO_DEFAULT_DEAD_LETTER_MAX_AGE;
    }
    if (s->queue_indexer_batch_size == ORO_UNSET_INT) {
        s->queue_indexer_batch_size = ORO_DEFAULT_QUEUE_INDEXER_BATCH_SIZE;
    }
    if (s->search_shards == ORO_UNSET_INT) {
        s->search_shards = ORO_SEARCH_DEFAULT_SHARDS;
    }
    if (s->amqp_batch_size == ORO_UNSET_INT) {
        s->amqp_batch_size = ORO_DEFAULT_AMQP_BATCH_SIZE;
    }
}

const char *oro_mq_transport_name(int transport)
{
    return transport == ORO_MQ_AMQP ? "amqp" : "dbal";
}

/* amqp://[user[:password]@]host[:port][/vhost] — checked for shape only; the consumer
 * reports connection errors. */
static const char *check_amqp_url(apr_pool_t *p, const char *url)
{
    const char *rest;
    if (strncmp(url, "amqp://", 7) == 0) {
        rest = url + 7;
    }
    else if (strncmp(url, "amqps://", 8) == 0) {
        rest = url + 8;
    }
    else {
        return "must start with amqp:// or amqps://";
    }
    const char *at = strchr(rest, '@');
    const char *host = at ? at + 1 : rest;
    size_t host_len = strcspn(host, ":/");
    if (host_len == 0) {
        return "has no host";
    }
    if (host[host_len] == ':') {
        char *end;
        errno = 0;
        long port = strtol(host + host_len + 1, &end, 10);
        if (errno != 0 || end == host + host_len + 1 || (*end != '\0' && *end != '/') || port < 1 ||
            port > 65535) {
            return apr_psprintf(p, "has an invalid port");
        }
    }
    return NULL;
}

const char *oro_settings_set(apr_pool_t *p, oro_settings_t *s, const char *name, int argc,
                             const char *const *argv, int *known)
{
    const directive_t *d = NULL;
    for (size_t i = 0; i < N_DIRECTIVES; i++) {
        if (strcasecmp(directives[i].name, name) == 0) {
            d = &directives[i];
            break;
        }
    }
    if (known != NULL) {
        *known = d != NULL;
    }
    if (d == NULL) {
        return NULL;
    }
    if (argc != 1) {
        return apr_psprintf(p, "%s takes one argument, not %d", d->name, argc);
    }
    const char *arg = argv[0];
    void *field = (char *)s + d->offset;
    switch (d->kind) {
    case KIND_PATH:
        if (arg[0] == '\0') {
            return apr_psprintf(p, "%s: the path is empty", d->name);
        }
        *(const char **)field = apr_pstrdup(p, arg);
        return NULL;
    case KIND_STRING:
        *(const char **)field = apr_pstrdup(p, arg);
        return NULL;
    case KIND_INT: {
        char *end;
        errno = 0;
        long v = strtol(arg, &end, 10);
        if (errno != 0 || end == arg || *end != '\0' || v < d->min || v > d->max) {
            return apr_psprintf(p, "%s: \"%s\" is not a whole number from %d to %d", d->name, arg,
                                d->min, d->max);
        }
        *(int *)field = (int)v;
        return NULL;
    }
    case KIND_TRANSPORT:
        if (strcasecmp(arg, "dbal") == 0) {
            *(int *)field = ORO_MQ_DBAL;
        }
        else if (strcasecmp(arg, "amqp") == 0) {
            *(int *)field = ORO_MQ_AMQP;
        }
        else {
            return apr_psprintf(p, "%s: unknown transport \"%s\" (use dbal or amqp)", d->name, arg);
        }
        return NULL;
    case KIND_FLAG:
        if (strcasecmp(arg, "on") == 0) {
            *(int *)field = 1;
        }
        else if (strcasecmp(arg, "off") == 0) {
            *(int *)field = 0;
        }
        else {
            return apr_psprintf(p, "%s: \"%s\" is neither on nor off", d->name, arg);
        }
        return NULL;
    case KIND_URL: {
        const char *why = check_amqp_url(p, arg);
        if (why != NULL) {
            return apr_psprintf(p, "%s: \"%s\" %s", d->name, arg, why);
        }
        *(const char **)field = apr_pstrdup(p, arg);
        return NULL;
    }
    }
    return NULL;
}

static const char *check_dir(apr_pool_t *p, const char *directive, const char *path)
{
    apr_finfo_t finfo;
    char buf[256];
    apr_status_t rv = apr_stat(&finfo, path, APR_FINFO_TYPE, p);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(p, "%s: cannot use directory \"%s\": %s", directive, path,
                            apr_strerror(rv, buf, sizeof buf));
    }
    if (finfo.filetype != APR_DIR) {
        return apr_psprintf(p, "%s: \"%s\" is not a directory", directive, path);
    }
    if (access(path, R_OK | X_OK) != 0) {
        return apr_psprintf(p, "%s: cannot read directory \"%s\": %s", directive, path,
                            strerror(errno));
    }
    return NULL;
}

const char *oro_settings_check(apr_pool_t *p, const oro_settings_t *s)
{
    const char *err;
    if (s->entity_config && (err = check_dir(p, "OroEntityConfig", s->entity_config))) {
        return err;
    }
    if (s->schema_dir && (err = check_dir(p, "OroSchemaDir", s->schema_dir))) {
        return err;
    }
    if (s->search_index && (err = check_dir(p, "OroSearchIndex", s->search_index))) {
        return err;
    }
    if (s->secret_file) {
        apr_finfo_t finfo;
        char buf[256];
        apr_file_t *f;
        apr_status_t rv = apr_file_open(&f, s->secret_file, APR_FOPEN_READ, 0, p);
        if (rv != APR_SUCCESS) {
            return apr_psprintf(p, "OroSecretFile: cannot read \"%s\": %s", s->secret_file,
                                apr_strerror(rv, buf, sizeof buf));
        }
        rv = apr_file_info_get(&finfo, APR_FINFO_SIZE | APR_FINFO_TYPE, f);
        apr_file_close(f);
        if (rv == APR_SUCCESS && finfo.filetype != APR_REG) {
            return apr_psprintf(p, "OroSecretFile: \"%s\" is not a regular file", s->secret_file);
        }
        if (rv != APR_SUCCESS || finfo.size < 32) {
            return apr_psprintf(p, "OroSecretFile: \"%s\" holds fewer than 32 bytes",
                                s->secret_file);
        }
    }
    if (s->transport == ORO_MQ_AMQP && s->amqp_url == NULL) {
        return "OroQueueTransport amqp needs OroAmqpUrl (amqp://user:password@host:port/vhost)";
    }
    if (s->heartbeat_interval != ORO_UNSET_INT && s->consumer_timeout != ORO_UNSET_INT &&
        s->consumer_timeout <= s->heartbeat_interval) {
        return apr_psprintf(p,
                            "OroConsumerTimeout (%d s) must be longer than "
                            "OroHeartbeatInterval (%d s), or live consumers look dead",
                            s->consumer_timeout, s->heartbeat_interval);
    }
    return NULL;
}

const char *oro_settings_load(apr_pool_t *p, const char *path, oro_settings_t *s)
{
    const char *error;
    oro_conf_t *conf = oro_conf_read(p, path, &error);
    if (conf == NULL) {
        return error;
    }
    oro_settings_init(s);
    for (int i = 0; i < conf->directives->nelts; i++) {
        const oro_conf_directive_t *d = &APR_ARRAY_IDX(conf->directives, i, oro_conf_directive_t);
        if (d->section[0] != '\0') {
            continue; /* <VirtualHost> and <Location> settings are httpd's alone */
        }
        const char *err = oro_settings_set(p, s, d->name, d->argc, d->argv, NULL);
        if (err != NULL) {
            return apr_psprintf(p, "%s:%d: %s", d->file, d->line, err);
        }
    }
    oro_settings_apply_defaults(s);
    if (s->db_driver == NULL) {
        return apr_psprintf(p, "%s: no DBDriver directive (mod_dbd's database driver)", path);
    }
    if (oro_db_dialect_of(s->db_driver) < 0) {
        return apr_psprintf(p, "%s: DBDriver \"%s\" is not supported (use pgsql or mysql)", path,
                            s->db_driver);
    }
    if (s->db_params == NULL) {
        return apr_psprintf(p, "%s: no DBDParams directive (mod_dbd's connection parameters)",
                            path);
    }
    error = oro_settings_check(p, s);
    if (error != NULL) {
        return apr_psprintf(p, "%s: %s", path, error);
    }
    return oro_settings_load_entities(p, s);
}

const char *oro_settings_load_entities(apr_pool_t *p, oro_settings_t *s)
{
    if (s->entity_config == NULL) {
        return NULL;
    }
    apr_array_header_t *errors;
    s->meta = oro_meta_load(p, s->entity_config, &errors);
    if (s->meta != NULL) {
        return NULL;
    }
    return apr_psprintf(p, "%d error(s) in the entity definitions of OroEntityConfig \"%s\":\n%s",
                        errors->nelts, s->entity_config, oro_meta_errors_text(p, errors));
}
