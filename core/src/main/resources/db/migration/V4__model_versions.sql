-- The collaborative model (reelrank train): one row per training with its parameters, data
-- fingerprint, time and validation figures, and its factors beside it, keyed by version.
-- status: 'training' while it is written (never served), 'active' (exactly one or none),
-- 'previous' (the one before, kept for a rollback), 'retired' (to be deleted by the next cleanup).
CREATE TABLE IF NOT EXISTS model_versions (
    version          int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- never reused: index names carry it
    status           text NOT NULL CHECK (status IN ('training', 'active', 'previous', 'retired')),
    rank             int NOT NULL CHECK (rank BETWEEN 1 AND 1024),
    params           jsonb NOT NULL,
    data_fingerprint text NOT NULL,
    ratings          bigint NOT NULL,
    users            int NOT NULL,
    items            int NOT NULL,
    -- ratings rated before this instant are in the model; later ones are folded in at activation
    snapshot_at      timestamptz NOT NULL,
    training_seconds double precision,
    validation       jsonb,
    created_at       timestamptz NOT NULL DEFAULT now(),
    activated_at     timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS model_versions_one_active ON model_versions ((true)) WHERE status = 'active';

-- Served item vectors. The rank is a hyperparameter, so the column has no fixed dimension; each
-- version gets its own HNSW index on factors::vector(rank) WHERE version = N (created by training).
CREATE TABLE IF NOT EXISTS item_factors (
    version  int NOT NULL REFERENCES model_versions (version) ON DELETE CASCADE,
    movie_id int NOT NULL,
    factors  vector NOT NULL,
    -- how much of the vector is learned from ratings: n⁺/(n⁺ + m); 0 for a content-mapped movie
    learned  real NOT NULL,
    PRIMARY KEY (version, movie_id)
);

-- User vectors; NULL factors: the user has no rating above the midpoint (no collaborative signal).
CREATE TABLE IF NOT EXISTS user_factors (
    version    int NOT NULL REFERENCES model_versions (version) ON DELETE CASCADE,
    user_id    int NOT NULL,
    factors    vector,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (version, user_id)
);
