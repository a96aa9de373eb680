-- The acceptance story's synthetic users (10001 Fantasy Lover, …). Listed here so that
-- `reelrank test-users --remove` deletes exactly them and never a real user with the same id.
CREATE TABLE IF NOT EXISTS test_users (
    user_id int PRIMARY KEY,
    name    text NOT NULL
);
