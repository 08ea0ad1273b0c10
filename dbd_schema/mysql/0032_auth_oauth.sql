-- 0032: OAuth2 clients (oroctl oauth:client:create) and their tokens (POST
-- /oauth2-token). Secrets and tokens are stored as SHA-256 (hex) only. grants is a
-- space-separated list (client_credentials, password). A client_credentials client
-- acts as its user_id. kind is 'access' or 'refresh'; revoked tokens keep their row
-- until expires_at (oroctl cron deletes expired rows). Timestamps are UTC.
CREATE TABLE IF NOT EXISTS oro_oauth_client (
    id           bigint       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name         varchar(255) NOT NULL,
    client_id    varchar(64)  NOT NULL,
    secret_hash  char(64)     NOT NULL,
    grants       varchar(255) NOT NULL,
    user_id      bigint,
    active       boolean      NOT NULL DEFAULT TRUE,
    created_at   datetime(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY oro_oauth_client_client_id (client_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS oro_oauth_token (
    token_hash   char(64)     NOT NULL PRIMARY KEY,
    kind         varchar(16)  NOT NULL,
    client_id    bigint       NOT NULL,
    user_id      bigint       NOT NULL,
    grant_type   varchar(32)  NOT NULL,
    revoked      boolean      NOT NULL DEFAULT FALSE,
    created_at   datetime(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    expires_at   datetime(6)  NOT NULL,
    KEY oro_oauth_token_user (user_id),
    KEY oro_oauth_token_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
