-- 0020: Oro's job runner (lib/mq/jobs.c). A root job groups child jobs; a child is the
-- unit a processor runs. unique_name holds the name of a unique root job while it has
-- not ended, so the unique index refuses a second run; it is set back to NULL when the
-- job ends (or is marked stale), which frees the name. Times are UTC, the database's clock.
CREATE TABLE oro_job (
    id             bigint       NOT NULL AUTO_INCREMENT,
    root_job_id    bigint,
    owner_id       varchar(255),
    name           varchar(255) NOT NULL,
    unique_name    varchar(255),
    status         varchar(32)  NOT NULL,
    interrupted    smallint     NOT NULL DEFAULT 0,
    is_unique      smallint     NOT NULL DEFAULT 0,
    progress       double       NOT NULL DEFAULT 0,
    created_at     datetime(6)  NOT NULL,
    started_at     datetime(6),
    stopped_at     datetime(6),
    last_active_at datetime(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY oro_job_unique_name (unique_name),
    KEY oro_job_root (root_job_id, status),
    KEY oro_job_owner (owner_id, name),
    KEY oro_job_status_stopped (status, stopped_at),
    KEY oro_job_status_active (status, last_active_at),
    CONSTRAINT oro_job_root_fk FOREIGN KEY (root_job_id) REFERENCES oro_job (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Messages sent (oro_mq_send) when a root job and all its children have ended.
CREATE TABLE oro_job_dependent (
    id          bigint       NOT NULL AUTO_INCREMENT,
    root_job_id bigint       NOT NULL,
    queue       varchar(255) NOT NULL,
    topic       varchar(255) NOT NULL,
    body        longtext     NOT NULL,
    priority    smallint     NOT NULL DEFAULT 2,
    PRIMARY KEY (id),
    KEY oro_job_dependent_root (root_job_id),
    CONSTRAINT oro_job_dependent_root_fk FOREIGN KEY (root_job_id) REFERENCES oro_job (id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
