-- 0001: oro-consumer worker heartbeats, read by /api/system/status and oroctl.
-- One row per live worker process (host, pid); the worker deletes it on a clean exit,
-- and the worker that replaces a dead one deletes the dead one's row.
CREATE TABLE oro_consumer_heartbeat (
    host         varchar(255) NOT NULL,
    pid          integer      NOT NULL,
    role         varchar(32)  NOT NULL,
    started_at   timestamptz  NOT NULL,
    last_seen_at timestamptz  NOT NULL,
    processed    bigint       NOT NULL DEFAULT 0,
    failed       bigint       NOT NULL DEFAULT 0,
    PRIMARY KEY (host, pid)
);
CREATE INDEX oro_consumer_heartbeat_last_seen ON oro_consumer_heartbeat (last_seen_at);
