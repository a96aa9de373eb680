-- Learned rankers (reelrank train): one row per trained ranker, beside the collaborative model's
-- versions and numbered from the same sequence, so a version number names one model of either kind
-- (reelrank model activate VERSION). task: 'search' (re-ranks BM25 candidates) or 'recommend'
-- (re-ranks the HNSW retrieval). status per task: 'active' (at most one), 'previous' (the one
-- before, for a rollback), 'retired' (kept, can be activated again).
CREATE TABLE IF NOT EXISTS ranker_versions (
    version          int PRIMARY KEY DEFAULT nextval(pg_get_serial_sequence('model_versions', 'version')),
    task             text NOT NULL CHECK (task IN ('search', 'recommend')),
    status           text NOT NULL CHECK (status IN ('active', 'previous', 'retired')),
    -- XGBoost's JSON model (the trees) and the names of its features, in its column order
    booster          bytea NOT NULL,
    features         text[] NOT NULL,
    params           jsonb NOT NULL,
    -- the collaborative model version whose factors the training judgments' features came from
    model_version    int,
    judgments        int NOT NULL,
    training_seconds double precision,
    validation       jsonb,
    created_at       timestamptz NOT NULL DEFAULT now(),
    activated_at     timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS ranker_versions_one_active ON ranker_versions (task) WHERE status = 'active';
