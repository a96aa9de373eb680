-- API keys (reelrank keys create | list | revoke). A key is presented as rk_<key_id>_<secret>: key_id
-- (12 hex digits) is public, finds the row and names the key in listings and logs; of the secret only
-- its SHA-256 is stored, so reading this table does not let anyone act as a user. A user key acts for
-- one user, an admin key for anyone. One live key per user; a revoked key stays listed (revoked_at)
-- until its user is deleted.
CREATE TABLE IF NOT EXISTS api_keys (
    key_id        text PRIMARY KEY CHECK (key_id ~ '^[0-9a-f]{12}$'),
    role          text NOT NULL CHECK (role IN ('user', 'admin')),
    user_id       int CHECK (user_id > 0),
    label         text,
    secret_sha256 bytea NOT NULL CHECK (length(secret_sha256) = 32),
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz,
    CHECK ((role = 'user') = (user_id IS NOT NULL))
);
CREATE UNIQUE INDEX IF NOT EXISTS api_keys_one_live_per_user ON api_keys (user_id) WHERE revoked_at IS NULL;
