-- The number and sum of all ratings, so the global mean rating μ = rating_sum / ratings of the user
-- tower is one row read instead of a scan of every rating (32M rows: seconds) on each new rating.
-- Kept by statement-level triggers in the same transaction as the change to ratings, whoever makes it
-- (ingest, rate, the API, test-users, a cascade from a deleted movie, psql). One row; writers of
-- ratings update it after their change to ratings, always in that order, so they queue on it for the
-- rest of their transaction but never deadlock over it.
CREATE TABLE IF NOT EXISTS rating_totals (
    only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    ratings    bigint  NOT NULL CHECK (ratings >= 0),
    rating_sum numeric NOT NULL
);
INSERT INTO rating_totals (ratings, rating_sum)
SELECT count(*), coalesce(sum(rating), 0) FROM ratings
ON CONFLICT (only_row) DO UPDATE SET ratings = EXCLUDED.ratings, rating_sum = EXCLUDED.rating_sum;

CREATE OR REPLACE FUNCTION rating_totals_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rating_totals t SET ratings = t.ratings + a.n, rating_sum = t.rating_sum + a.s
    FROM (SELECT count(*) AS n, coalesce(sum(rating), 0) AS s FROM added) a WHERE a.n > 0;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION rating_totals_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rating_totals t SET ratings = t.ratings - r.n, rating_sum = t.rating_sum - r.s
    FROM (SELECT count(*) AS n, coalesce(sum(rating), 0) AS s FROM removed) r WHERE r.n > 0;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION rating_totals_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rating_totals t SET rating_sum = t.rating_sum + d.s
    FROM (SELECT (SELECT coalesce(sum(rating), 0) FROM added) - (SELECT coalesce(sum(rating), 0) FROM removed) AS s) d
    WHERE d.s <> 0;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION rating_totals_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rating_totals SET ratings = 0, rating_sum = 0;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS rating_totals_insert ON ratings;
CREATE TRIGGER rating_totals_insert AFTER INSERT ON ratings REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION rating_totals_add();
DROP TRIGGER IF EXISTS rating_totals_delete ON ratings;
CREATE TRIGGER rating_totals_delete AFTER DELETE ON ratings REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION rating_totals_remove();
DROP TRIGGER IF EXISTS rating_totals_update ON ratings;
CREATE TRIGGER rating_totals_update AFTER UPDATE ON ratings REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION rating_totals_change();
DROP TRIGGER IF EXISTS rating_totals_truncate ON ratings;
CREATE TRIGGER rating_totals_truncate AFTER TRUNCATE ON ratings
    FOR EACH STATEMENT EXECUTE FUNCTION rating_totals_clear();
