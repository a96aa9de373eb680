-- Forgetting a user (users delete, DELETE /api/users/{id}) deletes their rows of the request log and the
-- events; without an index on user_id each deletion read every partition whole (47 ms per user with a
-- few hundred thousand logged searches, growing with the log until retention drops a day). Rows
-- without a user (anonymous searches, most of the log) are left out of the indexes.
CREATE INDEX IF NOT EXISTS request_log_user_idx ON request_log (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_user_idx ON events (user_id) WHERE user_id IS NOT NULL;
