-- 0003: the workers that wait for a NOTIFY (see the PostgreSQL version). MariaDB has
-- no NOTIFY: its workers poll and never register here; the table exists so that both
-- schemas have the same tables.
CREATE TABLE oro_message_waiting (
    worker  varchar(300) NOT NULL PRIMARY KEY,
    queue   varchar(64)  NOT NULL,
    channel varchar(63)  NOT NULL,
    since   datetime(6)  NOT NULL
) ENGINE=InnoDB;
