-- 0002: the message queue (DESIGN.md §5, lib/mq/mq.h); timestamps are UTC.
-- See the pgsql migration for the meaning of the columns.
CREATE TABLE oro_message_queue (
    id            bigint       NOT NULL AUTO_INCREMENT,
    queue         varchar(64)  NOT NULL,
    topic         varchar(255) NOT NULL,
    body          longtext     NOT NULL,
    priority      smallint     NOT NULL DEFAULT 2,
    delayed_until datetime(6)  NOT NULL,
    expires_at    datetime(6)  NULL,
    attempts      integer      NOT NULL DEFAULT 0,
    created_at    datetime(6)  NOT NULL,
    claimed_by    varchar(300) NULL,
    claimed_until datetime(6)  NULL,
    last_error    text         NULL,
    PRIMARY KEY (id),
    KEY oro_message_queue_claim (queue, priority DESC, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE oro_message_outbox (
    id         bigint       NOT NULL AUTO_INCREMENT,
    queue      varchar(64)  NOT NULL,
    topic      varchar(255) NOT NULL,
    body       longtext     NOT NULL,
    priority   smallint     NOT NULL DEFAULT 2,
    delay_ms   bigint       NOT NULL DEFAULT 0,
    expire_ms  bigint       NOT NULL DEFAULT 0,
    created_at datetime(6)  NOT NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE oro_message_dead (
    id         bigint       NOT NULL,
    queue      varchar(64)  NOT NULL,
    topic      varchar(255) NOT NULL,
    body       longtext     NOT NULL,
    priority   smallint     NOT NULL DEFAULT 2,
    attempts   integer      NOT NULL DEFAULT 0,
    last_error text         NOT NULL,
    created_at datetime(6)  NOT NULL,
    failed_at  datetime(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY oro_message_dead_failed_at (failed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
