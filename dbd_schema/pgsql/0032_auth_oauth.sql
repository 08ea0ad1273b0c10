-- 0032: OAuth2 clients (oroctl oauth:client:create) and their tokens (POST
-- /oauth2-token). Secrets and tokens are stored as SHA-256 (hex) only. grants is a
-- space-separated list (client_credentials, password). A client_credentials client
-- acts as its user_id. kind is 'access' or 'refresh'; revoked tokens keep their row
-- until expires_at (oroctl cron deletes expired rows).
CREATE TABLE oro_oauth_client (
    id           bigserial    PRIMARY KEY,
    name         varchar(255) NOT NULL,
    client_id    varchar(64)  NOT NULL UNIQUE,
    secret_hash  char(64)     NOT NULL,
    grants       varchar(255) NOT NULL,
    user_id      bigint,
    active       boolean      NOT NULL DEFAULT TRUE,
    created_at   timestamptz  NOT NULL DEFAULT now()
);
CREATE TABLE oro_oauth_token (
    token_hash   char(64)     NOT NULL PRIMARY KEY,
    kind         varchar(16)  NOT NULL,
    client_id    bigint       NOT NULL,
    user_id      bigint       NOT NULL,
    grant_type   varchar(32)  NOT NULL,
    revoked      boolean      NOT NULL DEFAULT FALSE,
    created_at   timestamptz  NOT NULL DEFAULT now(),
    expires_at   timestamptz  NOT NULL
);
CREATE INDEX oro_oauth_token_user ON oro_oauth_token (user_id);
CREATE INDEX oro_oauth_token_expires ON oro_oauth_token (expires_at);
