-- 0031: browser sessions (POST /login). id_hash is the SHA-256 (hex) of the cookie's
-- random 256-bit id, never the id itself; csrf_token is the token bound to the
-- session. expires_at is the absolute timeout (oroctl cron deletes expired rows);
-- last_seen_at drives the idle timeout. Timestamps are UTC.
CREATE TABLE IF NOT EXISTS oro_session (
    id_hash      char(64)     NOT NULL PRIMARY KEY,
    user_id      bigint       NOT NULL,
    csrf_token   char(64)     NOT NULL,
    created_at   datetime(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    last_seen_at datetime(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    expires_at   datetime(6)  NOT NULL,
    KEY oro_session_user (user_id),
    KEY oro_session_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;
