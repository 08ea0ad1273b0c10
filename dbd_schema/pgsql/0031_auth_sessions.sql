-- 0031: browser sessions (POST /login). id_hash is the SHA-256 (hex) of the cookie's
-- random 256-bit id, never the id itself; csrf_token is the token bound to the
-- session. expires_at is the absolute timeout (oroctl cron deletes expired rows);
-- last_seen_at drives the idle timeout.
CREATE TABLE oro_session (
    id_hash      char(64)     NOT NULL PRIMARY KEY,
    user_id      bigint       NOT NULL,
    csrf_token   char(64)     NOT NULL,
    created_at   timestamptz  NOT NULL DEFAULT now(),
    last_seen_at timestamptz  NOT NULL DEFAULT now(),
    expires_at   timestamptz  NOT NULL
);
CREATE INDEX oro_session_user ON oro_session (user_id);
CREATE INDEX oro_session_expires ON oro_session (expires_at);
