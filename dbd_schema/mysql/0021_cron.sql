-- 0021: `oroctl cron`'s claim rows, one per maintenance task (lib/cron/cron.c). A run
-- claims a due task by moving next_due_at forward in one UPDATE … WHERE next_due_at <=
-- now: the row lock lets exactly one of several concurrent runs (hosts) win. Times are
-- Unix seconds by the database's clock.
CREATE TABLE oro_cron_run (
    task             varchar(64)  NOT NULL,
    next_due_at      bigint       NOT NULL,
    last_started_at  bigint,
    last_finished_at bigint,
    last_status      varchar(16),
    last_message     text,
    last_host        varchar(255),
    PRIMARY KEY (task)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
