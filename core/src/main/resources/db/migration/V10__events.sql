-- Learning from use (docs/events.md). Two tables, each partitioned by UTC day on its time column so
-- that retention (serve --event-retention-days) drops whole partitions; the day partitions themselves
-- are made and dropped by the server (EventPartitions), not here. Neither table has a foreign key: a
-- reload (ingest --force) replaces movies, ratings and users, and what was shown and done stays.

-- One row per answered search or recommendation: what was shown, by which ranker, and the feature
-- values the ranker used for each shown movie (row-major: position 1's values, then position 2's, ...;
-- NaN kept), so training learns from what was served. request_id is the id the answer carried: its
-- first 4 bytes are served_at's Unix second, which finds the one partition to read.
CREATE TABLE IF NOT EXISTS request_log (
    request_id     uuid NOT NULL,
    served_at      timestamptz NOT NULL,
    user_id        int,
    kind           text NOT NULL CHECK (kind IN ('search', 'recommend')),
    query          text,
    -- the fusion that served a search (weighted, linear, rrf, bm25, learned), or a recommendation's source
    ranker         text NOT NULL,
    ranker_version int,
    model_version  int,
    experiment_id  int,
    -- per shown position, the experiment arm that placed the movie (interleaving); null outside experiments
    arms           smallint[],
    movie_ids      int[] NOT NULL,
    feature_names  text[],
    features       real[],
    PRIMARY KEY (request_id, served_at)
) PARTITION BY RANGE (served_at);

-- Impressions, clicks and ratings posted to POST /api/events. event_id is the client's idempotency
-- key; one type's fields are null for the others. movie_ids/positions: an impression's shown movies
-- and their 1-based positions; movie_id/position: a click's or a rating's movie (position when known).
CREATE TABLE IF NOT EXISTS events (
    event_id       text NOT NULL,
    received_at    timestamptz NOT NULL,
    type           text NOT NULL CHECK (type IN ('impression', 'click', 'rating')),
    request_id     uuid,
    user_id        int,
    movie_id       int,
    position       smallint,
    movie_ids      int[],
    positions      smallint[],
    ranker         text,
    ranker_version int,
    experiment_id  int,
    arms           smallint[],
    rating         real,
    PRIMARY KEY (event_id, received_at)
) PARTITION BY RANGE (received_at);
CREATE INDEX IF NOT EXISTS events_request_idx ON events (request_id);
