-- Where each rating came from, so that a reload of the MovieLens files replaces only what came from
-- them: 'movielens' (ingest), 'api' (POST /api/users/{id}/ratings), 'cli' (reelrank rate),
-- 'test-users' (reelrank test-users). Ratings stored before this migration count as MovieLens ones,
-- except the test users'.
ALTER TABLE ratings ADD COLUMN IF NOT EXISTS source text NOT NULL DEFAULT 'movielens';
ALTER TABLE ratings DROP CONSTRAINT IF EXISTS ratings_source_check;
ALTER TABLE ratings ADD CONSTRAINT ratings_source_check CHECK (source IN ('movielens', 'api', 'cli', 'test-users'));
UPDATE ratings SET source = 'test-users' WHERE user_id IN (SELECT user_id FROM test_users) AND source <> 'test-users';
-- The surviving (non-MovieLens) ratings are few; a reload finds them without reading the others.
CREATE INDEX IF NOT EXISTS ratings_live_idx ON ratings (user_id, movie_id) WHERE source <> 'movielens';
