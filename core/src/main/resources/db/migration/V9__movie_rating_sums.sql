-- The exact sum of each movie's ratings beside rating_count, so that a rating written, changed or
-- deleted moves avg_rating = round(rating_sum / rating_count, 2) by a delta, one statement per batch
-- of ratings, instead of counting every rating of the movie again (a popular movie of ml-32m has
-- about 100,000). movie_stats gains the same column, so a refresh (MovieStats) copies it with the rest.
ALTER TABLE movies ADD COLUMN IF NOT EXISTS rating_sum numeric NOT NULL DEFAULT 0;
-- Half of each page left free, so a rating's update of a movie's figures stays on its page (a HOT
-- update: no new entry in the movies' indexes, the embeddings' HNSW index above all). A row carries its
-- 384-float embedding (about 1.6 kB), so a full page had no room for a second version and every update
-- of a popular movie inserted into every index: `bench rate` measured 2.2-2.7 ms of the write per rating
-- in that step, 0.3 ms with this setting (docs/benchmarks.md).
ALTER TABLE movies SET (fillfactor = 50);
UPDATE movies m SET rating_sum = s.total
FROM (SELECT movie_id, sum(rating) AS total FROM ratings GROUP BY movie_id) s
WHERE s.movie_id = m.movie_id AND m.rating_sum IS DISTINCT FROM s.total;

DROP MATERIALIZED VIEW IF EXISTS movie_stats;
-- One row per movie, unrated movies included with count 0 and sum 0.
CREATE MATERIALIZED VIEW movie_stats AS
SELECT m.movie_id,
       count(r.rating)::int                  AS rating_count,
       round(avg(r.rating), 2)::numeric(3,2) AS avg_rating,
       min(r.rating)                         AS min_rating,
       max(r.rating)                         AS max_rating,
       coalesce(sum(r.rating), 0)            AS rating_sum
FROM movies m
LEFT JOIN ratings r ON r.movie_id = m.movie_id
GROUP BY m.movie_id;
CREATE UNIQUE INDEX IF NOT EXISTS movie_stats_movie_id_idx ON movie_stats (movie_id);
CREATE INDEX IF NOT EXISTS movie_stats_avg_rating_idx ON movie_stats (avg_rating);
CREATE INDEX IF NOT EXISTS movie_stats_rating_count_idx ON movie_stats (rating_count);

-- Rewrites the table (and its indexes), so the rows already there get the free space too.
CLUSTER movies USING movies_pkey;
