-- 0001: oro-consumer worker heartbeats, read by /api/system/status and oroctl.
-- One row per live worker process (host, pid); timestamps are UTC.
CREATE TABLE oro_consumer_heartbeat (
    host         varchar(255) NOT NULL,
    pid          integer      NOT NULL,
    role         varchar(32)  NOT NULL,
    started_at   datetime(6)  NOT NULL,
    last_seen_at datetime(6)  NOT NULL,
    processed    bigint       NOT NULL DEFAULT 0,
    failed       bigint       NOT NULL DEFAULT 0,
    PRIMARY KEY (host, pid),
    KEY oro_consumer_heartbeat_last_seen (last_seen_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
