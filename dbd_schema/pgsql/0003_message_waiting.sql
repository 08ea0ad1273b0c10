-- 0003: the workers that wait for a NOTIFY (NOTIFY coalescing, docs/decisions.md
-- "Queue performance (session 3)"). A worker that found its queue empty for
-- ORO_MQ_POLL_WINDOW_MS inserts its row (queue, or 'outbox' for the relay) and then
-- waits on LISTEN on its own channel; it deletes the row when it finds work again.
-- Producers NOTIFY only when a row for their queue exists, and only the channel of the
-- worker registered last (one worker wakes, not all), so under load (workers busy or
-- polling) no
-- transaction takes the NOTIFY lock that serialises commits, and a message after a
-- quiet spell still wakes a worker at once. UNLOGGED: the rows are soft state (a
-- crash empties the table, and the workers register again), and changing them needs
-- no WAL flush.
CREATE UNLOGGED TABLE oro_message_waiting (
    worker  varchar(300) PRIMARY KEY,
    queue   varchar(64)  NOT NULL,
    channel varchar(63)  NOT NULL,
    since   timestamptz  NOT NULL
);
