/* lib/mq/heartbeat.h — the consumer heartbeat rows (table oro_consumer_heartbeat):
 * written by each oro-consumer worker, read by /api/system/status and oroctl. */
#ifndef ORO_MQ_HEARTBEAT_H
#define ORO_MQ_HEARTBEAT_H

#include "db/db.h"

/* Insert-or-update of one worker's row. apr_dbd parameter markers, in order:
 * host, pid, role, processed, failed. Sets last_seen_at to the database's now;
 * started_at is set on insert only. */
const char *oro_heartbeat_upsert_sql(oro_dialect_t dialect);

/* Deletes one worker's row. Placeholders: host, pid. */
const char *oro_heartbeat_delete_sql(oro_dialect_t dialect);

/* A query returning one row, one column: the number of workers seen within the last
 * timeout_seconds, by the database's clock. Allocated in p. */
const char *oro_heartbeat_alive_count_sql(apr_pool_t *p, oro_dialect_t dialect,
                                          int timeout_seconds);

#endif
