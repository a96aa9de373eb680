-- Users deleted (reelrank users delete, DELETE /api/users/{id}) whose ratings or tags came from the
-- MovieLens files: a reload of the files skips their rows, so a deletion lasts. Only the id is kept.
-- Users whose data was all live (API, rate) are not listed: nothing would bring them back.
CREATE TABLE IF NOT EXISTS forgotten_users (
    user_id      int PRIMARY KEY,
    forgotten_at timestamptz NOT NULL DEFAULT now()
);
