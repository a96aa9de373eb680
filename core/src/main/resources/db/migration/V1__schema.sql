-- reelrank schema, version 1. Names follow the original ParadeDB design so its SQL keeps working.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE IF NOT EXISTS movies (
    movie_id     int PRIMARY KEY,
    title        text NOT NULL,
    year         int,
    imdb_id      text,
    tmdb_id      int,
    -- text[] rather than a '|'-joined string: `'Fantasy' = ANY(genres)` and GIN indexes work,
    -- and "(no genres listed)" becomes the empty array instead of a fake genre.
    genres       text[] NOT NULL DEFAULT '{}',
    embedding    vector(384),
    avg_rating   numeric(3,2),
    rating_count int NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS movies_genres_idx ON movies USING gin (genres);
CREATE INDEX IF NOT EXISTS movies_year_idx ON movies (year);

CREATE TABLE IF NOT EXISTS users (
    user_id    int PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    embedding  vector(384),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ratings (
    user_id  int NOT NULL,
    movie_id int NOT NULL REFERENCES movies (movie_id) ON DELETE CASCADE,
    rating   numeric(2,1) NOT NULL CHECK (rating >= 0.5 AND rating <= 5.0),
    rated_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, movie_id)
);
-- The primary key serves "ratings by user"; this one serves "ratings by movie".
CREATE INDEX IF NOT EXISTS ratings_movie_idx ON ratings (movie_id);

CREATE TABLE IF NOT EXISTS tags (
    user_id   int NOT NULL,
    movie_id  int NOT NULL REFERENCES movies (movie_id) ON DELETE CASCADE,
    tag       text NOT NULL,
    tagged_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS tags_movie_idx ON tags (movie_id);
CREATE INDEX IF NOT EXISTS tags_user_idx ON tags (user_id);

-- One row per movie, unrated movies included with count 0.
CREATE MATERIALIZED VIEW IF NOT EXISTS movie_stats AS
SELECT m.movie_id,
       count(r.rating)::int               AS rating_count,
       round(avg(r.rating), 2)::numeric(3,2) AS avg_rating,
       min(r.rating)                      AS min_rating,
       max(r.rating)                      AS max_rating
FROM movies m
LEFT JOIN ratings r ON r.movie_id = m.movie_id
GROUP BY m.movie_id;
CREATE UNIQUE INDEX IF NOT EXISTS movie_stats_movie_id_idx ON movie_stats (movie_id);
CREATE INDEX IF NOT EXISTS movie_stats_avg_rating_idx ON movie_stats (avg_rating);
CREATE INDEX IF NOT EXISTS movie_stats_rating_count_idx ON movie_stats (rating_count);

-- What each ingest loaded, so a second run over unchanged files can skip the work.
CREATE TABLE IF NOT EXISTS ingest_runs (
    run_id      bigserial PRIMARY KEY,
    data_dir    text NOT NULL,
    fingerprint text NOT NULL,
    movies      int NOT NULL,
    ratings     bigint NOT NULL,
    tags        bigint NOT NULL,
    links       int NOT NULL,
    skipped     int NOT NULL DEFAULT 0,
    finished_at timestamptz NOT NULL DEFAULT now()
);
