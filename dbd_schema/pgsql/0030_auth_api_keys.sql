-- 0030: per-user API keys for WSSE (oroctl apikey:generate). WSSE needs the key
-- itself to recompute the digest, so it is stored as issued (Oro does the same in
-- oro_user_api); one key per user. No foreign key to oro_user: migrations run before
-- the entity tables exist; lookups join oro_user, so a deleted user's key is inert.
CREATE TABLE oro_user_api_key (
    user_id    bigint       NOT NULL PRIMARY KEY,
    api_key    varchar(64)  NOT NULL UNIQUE,
    created_at timestamptz  NOT NULL DEFAULT now()
);
