/* lib/mq/heartbeat.c — SQL of the consumer heartbeat rows; see heartbeat.h. */
#include "mq/heartbeat.h"

#include <apr_strings.h>

const char *oro_heartbeat_upsert_sql(oro_dialect_t dialect)
{
    if (dialect == ORO_DIALECT_MYSQL) {
        return "INSERT INTO oro_consumer_heartbeat "
               "(host, pid, role, started_at, last_seen_at, processed, failed) "
               "VALUES (%s, %s, %s, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), %s, %s) "
               "ON DUPLICATE KEY UPDATE role = VALUES(role), "
               "last_seen_at = UTC_TIMESTAMP(6), processed = VALUES(processed), "
               "failed = VALUES(failed)";
    }
    return "INSERT INTO oro_consumer_heartbeat "
           "(host, pid, role, started_at, last_seen_at, processed, failed) "
           "VALUES (%s, CAST(%s AS integer), %s, now(), now(), CAST(%s AS bigint), "
           "CAST(%s AS bigint)) "
           "ON CONFLICT (host, pid) DO UPDATE SET role = EXCLUDED.role, "
           "last_seen_at = now(), processed = EXCLUDED.processed, failed = EXCLUDED.failed";
}

const char *oro_heartbeat_delete_sql(oro_dialect_t dialect)
{
    if (dialect == ORO_DIALECT_MYSQL) {
        return "DELETE FROM oro_consumer_heartbeat WHERE host = %s AND pid = %s";
    }
    return "DELETE FROM oro_consumer_heartbeat WHERE host = %s AND pid = CAST(%s AS integer)";
}

const char *oro_heartbeat_alive_count_sql(apr_pool_t *p, oro_dialect_t dialect, int timeout_seconds)
{
    if (dialect == ORO_DIALECT_MYSQL) {
        return apr_psprintf(p,
                            "SELECT COUNT(*) FROM oro_consumer_heartbeat WHERE last_seen_at > "
                            "UTC_TIMESTAMP(6) - INTERVAL %d SECOND",
                            timeout_seconds);
    }
    return apr_psprintf(p,
                        "SELECT COUNT(*) FROM oro_consumer_heartbeat WHERE last_seen_at > "
                        "now() - interval '%d seconds'",
                        timeout_seconds);
}
