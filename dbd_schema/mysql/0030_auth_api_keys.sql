-- 0030: per-user API keys for WSSE (oroctl apikey:generate). WSSE needs the key
-- itself to recompute the digest, so it is stored as issued (Oro does the same in
-- oro_user_api); one key per user. No foreign key to oro_user: migrations run before
-- the entity tables exist; lookups join oro_user, so a deleted user's key is inert.
CREATE TABLE IF NOT EXISTS oro_user_api_key (
    user_id    bigint       NOT NULL PRIMARY KEY,
    api_key    varchar(64)  NOT NULL,
    created_at datetime(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY oro_user_api_key_api_key (api_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
