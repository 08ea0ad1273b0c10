-- 0002: the message queue (DESIGN.md §5, lib/mq/mq.h).
-- oro_message_queue: the dbal transport's messages. A message is deliverable when
-- delayed_until has passed and no live claim holds it (claimed_until NULL or past:
-- the claim of a dead consumer expires, which is the visibility timeout). attempts
-- counts deliveries; a worker deletes the row on ack.
CREATE TABLE oro_message_queue (
    id            bigserial    PRIMARY KEY,
    queue         varchar(64)  NOT NULL,
    topic         varchar(255) NOT NULL,
    body          text         NOT NULL,
    priority      smallint     NOT NULL DEFAULT 2,
    delayed_until timestamptz  NOT NULL,
    expires_at    timestamptz,
    attempts      integer      NOT NULL DEFAULT 0,
    created_at    timestamptz  NOT NULL,
    claimed_by    varchar(300),
    claimed_until timestamptz,
    last_error    text
) WITH (fillfactor = 70);
-- NB: fillfactor leaves room on each page so that a claim (an UPDATE of columns no
-- index covers) is a HOT update, which writes no index entries.
-- Serves the claim: WHERE queue = ? … ORDER BY priority DESC, id.
CREATE INDEX oro_message_queue_claim ON oro_message_queue (queue, priority DESC, id);

-- oro_message_outbox: the amqp transport's outbox, written in the producer's
-- transaction and published by the relay worker, which deletes each row once the
-- broker confirmed it.
CREATE TABLE oro_message_outbox (
    id         bigserial    PRIMARY KEY,
    queue      varchar(64)  NOT NULL,
    topic      varchar(255) NOT NULL,
    body       text         NOT NULL,
    priority   smallint     NOT NULL DEFAULT 2,
    delay_ms   bigint       NOT NULL DEFAULT 0,
    expire_ms  bigint       NOT NULL DEFAULT 0,
    created_at timestamptz  NOT NULL
);

-- oro_message_dead: messages that failed max attempts, were rejected, have an
-- unknown topic or a malformed body, or expired; last_error says why.
CREATE TABLE oro_message_dead (
    id         bigint       PRIMARY KEY,
    queue      varchar(64)  NOT NULL,
    topic      varchar(255) NOT NULL,
    body       text         NOT NULL,
    priority   smallint     NOT NULL DEFAULT 2,
    attempts   integer      NOT NULL DEFAULT 0,
    last_error text         NOT NULL,
    created_at timestamptz  NOT NULL,
    failed_at  timestamptz  NOT NULL
);
CREATE INDEX oro_message_dead_failed_at ON oro_message_dead (failed_at);
