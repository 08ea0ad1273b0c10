/* mod_oro/handler_status.c — GET /api/system/status: is this node able to serve?
 *
 * 200 when the database answers (and the schema is installed); 503 with a reason
 * when it does not. Consumers that are not alive make the status "degraded" but
 * keep 200: a load balancer must not take healthy web nodes out of rotation because
 * the queue daemons are down (docs/decisions.md). */
#include "mod_oro.h"
#include "auth.h"

#include <apr_strings.h>
#include <apr_version.h>
#include <apu_version.h>
#include <http_protocol.h>
#include <json.h>

#include "db/db.h"
#include "mq/heartbeat.h"

APLOG_USE_MODULE(oro);

/* A stale pooled connection is only noticed (and invalidated by mod_dbd) when it
 * is next acquired, so a few attempts let one request see a restarted database. */
#define DB_ATTEMPTS 4

typedef struct {
    int reachable;
    int schema_ok;
    const char *driver;
    const char *version;
    long alive;
    double latency_ms;
    const char *error;
} db_probe_t;

/* Runs sql and returns the first column of the first row (copied into p), reading
 * the results to the end as sequential mysql results require. */
static const char *select_scalar(request_rec *r, ap_dbd_t *dbd, const char *sql, const char **error)
{
    apr_dbd_results_t *res = NULL;
    /* NB: random mode on PostgreSQL, see ORO_DB_RANDOM in lib/db/db.h */
    int random = strcmp(apr_dbd_name(dbd->driver), "pgsql") == 0;
    int rc = apr_dbd_select(dbd->driver, r->pool, dbd->handle, &res, sql, random);
    if (rc != 0) {
        *error = oro_db_one_line(r->pool, apr_dbd_error(dbd->driver, dbd->handle, rc));
        return NULL;
    }
    const char *value = NULL;
    apr_dbd_row_t *row = NULL;
    while (apr_dbd_get_row(dbd->driver, r->pool, res, &row, -1) == 0) {
        if (value == NULL) {
            const char *v = apr_dbd_get_entry(dbd->driver, row, 0);
            value = apr_pstrdup(r->pool, v ? v : "");
        }
    }
    if (value == NULL) {
        *error = "query returned no row";
    }
    return value;
}

static void probe_database(request_rec *r, const oro_settings_t *settings, db_probe_t *probe)
{
    probe->error = "could not connect to the database (details in the error log)";
    for (int attempt = 0; attempt < DB_ATTEMPTS; attempt++) {
        apr_time_t start = apr_time_now();
        ap_dbd_t *dbd = oro_dbd.open(r->pool, r->server);
        if (dbd == NULL) {
            continue;
        }
        const char *error = NULL;
        const char *version = select_scalar(r, dbd, "SELECT version()", &error);
        if (version == NULL) {
            probe->error = apr_psprintf(r->pool, "database query failed: %s", error);
            oro_dbd.close(r->server, dbd);
            continue;
        }
        probe->latency_ms = (double)(apr_time_now() - start) / 1000.0;
        probe->reachable = 1;
        probe->version = version;
        probe->driver = apr_dbd_name(dbd->driver);
        probe->error = NULL;
        int dialect = oro_db_dialect_of(probe->driver);
        const char *sql = oro_heartbeat_alive_count_sql(
            r->pool, dialect < 0 ? ORO_DIALECT_PGSQL : (oro_dialect_t)dialect,
            settings->consumer_timeout);
        const char *alive = select_scalar(r, dbd, sql, &error);
        if (alive == NULL) {
            probe->error =
                apr_psprintf(r->pool,
                             "the database schema is not installed or outdated (run oroctl "
                             "schema:update): %s",
                             error);
        }
        else {
            probe->schema_ok = 1;
            probe->alive = apr_atoi64(alive);
        }
        oro_dbd.close(r->server, dbd);
        return;
    }
}

int oro_handle_system_status(request_rec *r)
{
    if (r->method_number != M_GET) {
        apr_table_setn(r->headers_out, "Allow", "GET, HEAD");
        return oro_send_error(r, HTTP_METHOD_NOT_ALLOWED, "method not allowed",
                              "/api/system/status answers GET and HEAD only");
    }
    const oro_settings_t *settings = &oro_server_conf(r->server)->settings;
    db_probe_t probe = {0};
    probe_database(r, settings, &probe);

    int healthy = probe.reachable && probe.schema_ok;
    const char *state = !healthy ? "unavailable" : probe.alive > 0 ? "ok" : "degraded";
    const char *reason = !healthy ? probe.error
                         : probe.alive > 0
                             ? NULL
                             : "no message queue consumer is alive: background work (indexing, "
                               "imports, audit) waits until oro-consumer runs";

    json_object *doc = json_object_new_object();
    json_object_object_add(doc, "status", json_object_new_string(state));
    if (reason != NULL) {
        json_object_object_add(doc, "reason", json_object_new_string(reason));
    }
    json_object *db = json_object_new_object();
    json_object_object_add(db, "reachable", json_object_new_boolean(probe.reachable));
    json_object_object_add(db, "schemaInstalled", json_object_new_boolean(probe.schema_ok));
    if (probe.reachable) {
        json_object_object_add(db, "driver", json_object_new_string(probe.driver));
        json_object_object_add(db, "version", json_object_new_string(probe.version));
        json_object_object_add(
            db, "latencyMs",
            json_object_new_double_s(probe.latency_ms,
                                     apr_psprintf(r->pool, "%.3f", probe.latency_ms)));
    }
    json_object_object_add(doc, "database", db);
    json_object *consumers = json_object_new_object();
    if (probe.schema_ok) {
        json_object_object_add(consumers, "alive", json_object_new_int64(probe.alive));
    }
    else {
        json_object_object_add(consumers, "alive", NULL);
    }
    json_object_object_add(consumers, "timeoutSeconds",
                           json_object_new_int(settings->consumer_timeout));
    json_object_object_add(doc, "consumers", consumers);
    json_object *queue = json_object_new_object();
    json_object_object_add(queue, "transport",
                           json_object_new_string(oro_mq_transport_name(settings->transport)));
    json_object_object_add(doc, "queue", queue);
    json_object *versions = json_object_new_object();
    json_object_object_add(versions, "modOro", json_object_new_string(ORO_VERSION));
    json_object_object_add(versions, "httpd", json_object_new_string(ap_get_server_description()));
    json_object_object_add(versions, "apr", json_object_new_string(apr_version_string()));
    json_object_object_add(versions, "aprUtil", json_object_new_string(apu_version_string()));
    json_object_object_add(versions, "jsonC", json_object_new_string(json_c_version()));
    json_object_object_add(doc, "versions", versions);

    const oro_principal_t *caller = oro_auth_principal(r);
    if (settings->authentication && (caller == NULL || !caller->is_administrator)) {
        /* load balancers see the state; the details (versions, database) are for
         * administrators */
        json_object_put(doc);
        doc = json_object_new_object();
        json_object_object_add(doc, "status", json_object_new_string(state));
    }
    const char *body = apr_pstrdup(r->pool, oro_json_text(doc));
    json_object_put(doc);
    if (!healthy) {
        ORO_RLOG(r, APLOG_WARNING, 0, "system status unavailable: %s", reason);
        apr_table_setn(r->headers_out, "Retry-After", "5");
    }
    return oro_send_json(r, healthy ? HTTP_OK : HTTP_SERVICE_UNAVAILABLE, "application/json", body);
}
