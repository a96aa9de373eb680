-- Online experiments between two rankers (docs/experiments.md). A row is started by
-- `reelrank experiment start` and stopped by `reelrank experiment stop`; every server follows both through
-- the reelrank_experiments notification. Stopping keeps the row, and the request log rows and events that
-- name it (request_log.experiment_id, events.experiment_id), so a stopped experiment still reports. No foreign
-- key: request_log and events are partitioned by day and outlive a reload, as this table does.
CREATE TABLE IF NOT EXISTS experiments (
    experiment_id serial PRIMARY KEY,
    name          text NOT NULL,
    -- interleave: team-draft interleaving of the two arms in every answer; ab: each user sees one arm,
    -- chosen by a hash of the user id
    kind          text NOT NULL CHECK (kind IN ('interleave', 'ab')),
    -- an arm: a fusion (weighted, linear, rrf, bm25), popularity, random, or learned:VERSION (a search ranker version)
    arm_a         text NOT NULL,
    arm_b         text NOT NULL,
    started_at    timestamptz NOT NULL DEFAULT now(),
    stopped_at    timestamptz,
    status        text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'stopped')),
    CHECK ((status = 'running') = (stopped_at IS NULL)),
    CHECK (arm_a <> arm_b)
);
-- At most one experiment runs at a time: every search with a user joins the running one.
CREATE UNIQUE INDEX IF NOT EXISTS experiments_one_running ON experiments ((true)) WHERE status = 'running';
CREATE INDEX IF NOT EXISTS request_log_experiment_idx ON request_log (experiment_id) WHERE experiment_id IS NOT NULL;
