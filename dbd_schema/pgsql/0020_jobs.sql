-- 0020: Oro's job runner (lib/mq/jobs.c). A root job groups child jobs; a child is the
-- unit a processor runs. unique_name holds the name of a unique root job while it has
-- not ended, so the unique index refuses a second run; it is set back to NULL when the
-- job ends (or is marked stale), which frees the name. Times are the database's clock.
CREATE TABLE oro_job (
    id             bigserial    PRIMARY KEY,
    root_job_id    bigint       REFERENCES oro_job (id) ON DELETE CASCADE,
    owner_id       varchar(255),
    name           varchar(255) NOT NULL,
    unique_name    varchar(255),
    status         varchar(32)  NOT NULL,
    interrupted    smallint     NOT NULL DEFAULT 0,
    is_unique      smallint     NOT NULL DEFAULT 0,
    progress       double precision NOT NULL DEFAULT 0,
    created_at     timestamptz  NOT NULL,
    started_at     timestamptz,
    stopped_at     timestamptz,
    last_active_at timestamptz  NOT NULL
);
CREATE UNIQUE INDEX oro_job_unique_name ON oro_job (unique_name);
CREATE INDEX oro_job_root ON oro_job (root_job_id, status);
CREATE INDEX oro_job_owner ON oro_job (owner_id, name);
-- the cleanup (stopped roots by age) and the stale check (active roots by activity)
CREATE INDEX oro_job_status_stopped ON oro_job (status, stopped_at);
CREATE INDEX oro_job_status_active ON oro_job (status, last_active_at);

-- Messages sent (oro_mq_send) when a root job and all its children have ended.
CREATE TABLE oro_job_dependent (
    id          bigserial    PRIMARY KEY,
    root_job_id bigint       NOT NULL REFERENCES oro_job (id) ON DELETE CASCADE,
    queue       varchar(255) NOT NULL,
    topic       varchar(255) NOT NULL,
    body        text         NOT NULL,
    priority    smallint     NOT NULL DEFAULT 2
);
CREATE INDEX oro_job_dependent_root ON oro_job_dependent (root_job_id);
