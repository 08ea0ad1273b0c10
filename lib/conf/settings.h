/* lib/conf/settings.h — the Oro* directives, parsed and validated in one place for
 * mod_oro (directive handlers + post_config) and for the daemons and oroctl (which
 * read the same file through lib/conf/conf.h). */
#ifndef ORO_CONF_SETTINGS_H
#define ORO_CONF_SETTINGS_H

#include <apr_pools.h>
#include "conf/conf.h"

typedef enum { ORO_MQ_DBAL = 0, ORO_MQ_AMQP = 1 } oro_mq_transport_t;

#define ORO_UNSET_INT (-1)

typedef struct {
    const char *db_driver;        /* DBDriver (mod_dbd): "pgsql" or "mysql" */
    const char *db_params;        /* DBDParams (mod_dbd) */
    const char *entity_config;    /* OroEntityConfig DIR */
    const char *search_index;     /* OroSearchIndex DIR */
    int transport;                /* OroQueueTransport dbal|amqp (oro_mq_transport_t) */
    const char *amqp_url;         /* OroAmqpUrl amqp://user:pass@host:port/vhost */
    const char *secret_file;      /* OroSecretFile FILE */
    const char *schema_dir;       /* OroSchemaDir DIR (dbd_schema) */
    int heartbeat_interval;       /* OroHeartbeatInterval SECONDS */
    int consumer_timeout;         /* OroConsumerTimeout SECONDS */
    int consumer_workers;         /* OroConsumerWorkers N */
    const char *consumer_pidfile; /* OroConsumerPidFile FILE */
    const char *consumer_log;     /* OroConsumerLog FILE */
    int api_max_page_size;        /* OroApiMaxPageSize N */
    int api_bulk_delete_limit;    /* OroApiBulkDeleteLimit N */
    /* Authentication (mod_oro/auth*.c, docs/security.md) */
    int authentication;           /* OroAuthentication on|off (1|0) */
    int wsse_lifetime;            /* OroWsseLifetime SECONDS */
    int wsse_clock_skew;          /* OroWsseClockSkew SECONDS */
    int auth_cache_seconds;       /* OroAuthCacheSeconds SECONDS */
    int password_min_length;      /* OroPasswordMinLength N */
    int oauth_token_lifetime;     /* OroOAuthTokenLifetime SECONDS */
    int oauth_refresh_lifetime;   /* OroOAuthRefreshLifetime SECONDS */
    int session_idle_timeout;     /* OroSessionIdleTimeout SECONDS */
    int session_lifetime;         /* OroSessionLifetime SECONDS */
    int login_max_attempts;       /* OroLoginMaxAttempts N (per user) */
    int login_max_per_address;    /* OroLoginMaxAttemptsPerAddress N */
    int login_lock_seconds;       /* OroLoginLockSeconds SECONDS */
    int consumer_indexer_workers; /* OroConsumerIndexerWorkers 0|1 */
    int consumer_relay_workers;   /* OroConsumerRelayWorkers N (amqp only) */
    int queue_batch_size;         /* OroQueueBatchSize N: messages per claim */
    int queue_max_attempts;       /* OroQueueMaxAttempts N: then dead-lettered */
    int queue_retry_delay;        /* OroQueueRetryDelay MS: first retry's backoff */
    int queue_retry_max_delay;    /* OroQueueRetryMaxDelay MS: backoff ceiling */
    int queue_visibility_timeout; /* OroQueueVisibilityTimeout SECONDS */
    int queue_poll_interval;      /* OroQueuePollInterval MS: longest idle poll */
    int job_stale_timeout;        /* OroJobStaleTimeout SECONDS */
    int dead_letter_max_age;      /* OroDeadLetterMaxAge DAYS */
    int auth_cache_size;          /* OroAuthCacheSize MEGABYTES */
    int queue_indexer_batch_size; /* OroQueueIndexerBatchSize N: the indexer's claim */
    int search_shards;            /* OroSearchShards N: shards of a new index version */
    int amqp_batch_size;          /* OroAmqpBatchSize N: messages per AMQP message (relay) */
    /* The entity definitions of OroEntityConfig: loaded by oro_settings_load (daemons,
     * oroctl) and by mod_oro's post_config; NULL without OroEntityConfig. */
    const struct oro_meta *meta;
} oro_settings_t;

/* Defaults used when a directive is absent. */
#define ORO_DEFAULT_HEARTBEAT_INTERVAL 5
#define ORO_DEFAULT_CONSUMER_TIMEOUT 30
#define ORO_DEFAULT_CONSUMER_WORKERS 2
#define ORO_DEFAULT_API_MAX_PAGE_SIZE 100
#define ORO_DEFAULT_API_BULK_DELETE_LIMIT 100
#define ORO_DEFAULT_WSSE_LIFETIME 3600
#define ORO_DEFAULT_WSSE_CLOCK_SKEW 300
#define ORO_DEFAULT_AUTH_CACHE_SECONDS 10
#define ORO_DEFAULT_PASSWORD_MIN_LENGTH 8
#define ORO_DEFAULT_OAUTH_TOKEN_LIFETIME 3600
#define ORO_DEFAULT_OAUTH_REFRESH_LIFETIME 1209600
#define ORO_DEFAULT_SESSION_IDLE_TIMEOUT 1800
#define ORO_DEFAULT_SESSION_LIFETIME 43200
#define ORO_DEFAULT_LOGIN_MAX_ATTEMPTS 5
#define ORO_DEFAULT_LOGIN_MAX_PER_ADDRESS 50
#define ORO_DEFAULT_LOGIN_LOCK_SECONDS 60
#define ORO_DEFAULT_CONSUMER_INDEXER_WORKERS 1
#define ORO_DEFAULT_CONSUMER_RELAY_WORKERS 1
#define ORO_DEFAULT_QUEUE_BATCH_SIZE 2000
#define ORO_DEFAULT_QUEUE_MAX_ATTEMPTS 5
#define ORO_DEFAULT_QUEUE_RETRY_DELAY 1000
#define ORO_DEFAULT_QUEUE_RETRY_MAX_DELAY 300000
#define ORO_DEFAULT_QUEUE_VISIBILITY_TIMEOUT 300
#define ORO_DEFAULT_QUEUE_POLL_INTERVAL 50
#define ORO_DEFAULT_JOB_STALE_TIMEOUT 3600
#define ORO_DEFAULT_DEAD_LETTER_MAX_AGE 30
#define ORO_DEFAULT_AUTH_CACHE_SIZE 8
#define ORO_DEFAULT_QUEUE_INDEXER_BATCH_SIZE 10000
#define ORO_DEFAULT_AMQP_BATCH_SIZE 100

/* Sets every field to unset (NULL / ORO_UNSET_INT). */
void oro_settings_init(oro_settings_t *s);
/* Child's value where set, else the parent's (httpd's merge rule). */
void oro_settings_merge(oro_settings_t *out, const oro_settings_t *parent,
                        const oro_settings_t *child);
/* Fills the remaining unset fields with defaults. */
void oro_settings_apply_defaults(oro_settings_t *s);

/* One directive. Returns NULL on success, or an error message allocated in p that
 * names the directive ("OroQueueTransport: unknown transport \"kafka\" (use dbal or
 * amqp)"). Directives that are not Oro's nor DBDriver/DBDParams return NULL and
 * leave s unchanged; *known (if not NULL) tells whether the name was one of ours. */
const char *oro_settings_set(apr_pool_t *p, oro_settings_t *s, const char *name, int argc,
                             const char *const *argv, int *known);

/* Checks what can only be checked once the whole configuration is read: paths exist
 * and are readable, an amqp transport has a URL. Returns NULL or a message naming
 * the directive and the path. */
const char *oro_settings_check(apr_pool_t *p, const oro_settings_t *s);

/* Reads the Apache configuration file at path, applies every top-level Oro*,
 * DBDriver and DBDParams directive, the defaults, and oro_settings_check, and loads
 * the entity definitions into s->meta. Returns NULL on success or a message naming
 * file, line and directive (for entity definitions: every error, one per line). */
const char *oro_settings_load(apr_pool_t *p, const char *path, oro_settings_t *s);

const char *oro_mq_transport_name(int transport);

/* Loads the entity definitions of s->entity_config into s->meta (nothing without
 * OroEntityConfig). Returns NULL, or every definition error, one per line. */
const char *oro_settings_load_entities(apr_pool_t *p, oro_settings_t *s);

#endif
