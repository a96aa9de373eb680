package io.reelrank.db;

import java.sql.SQLException;
import java.sql.Statement;

/**
 * The per-movie rating figures: the materialized view {@code movie_stats} and its copy in
 * {@code movies.avg_rating}/{@code rating_count}/{@code rating_sum}. Anything that writes ratings in
 * bulk (a load, the test users) calls {@link #refresh} in its transaction so both stay in step with
 * {@code ratings}; single ratings and deletions move the movies' columns by deltas ({@link #APPLY_DELTAS}).
 */
public final class MovieStats {

    private MovieStats() {}

    /**
     * Refreshes {@code movie_stats} alone, {@code CONCURRENTLY}: readers of the view and writers of
     * ratings go on meanwhile. For after a deletion of ratings, whose movies' columns were already moved.
     */
    public static void refreshView(Statement st) throws SQLException {
        st.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY movie_stats");
    }

    /**
     * The SQL that moves the movies' figures by the deltas of a CTE named {@code d} (columns
     * {@code movie_id, n, s}: a rating added: +1 and its stars; changed: 0 and the difference; deleted:
     * -1 and minus its stars): {@code rating_count += n}, {@code rating_sum += s} and
     * {@code avg_rating = round(rating_sum / rating_count, 2)} (NULL without ratings), what a recount
     * gives, without reading the movies' ratings. The rows are locked in movie_id order, so two writers
     * never wait on each other in a cycle. For a writer's own statement (one round trip): the caller
     * puts it after its {@code WITH d AS (…)}, as further CTEs.
     */
    public static final String APPLY_DELTAS = "locked AS (SELECT m.movie_id FROM movies m "
            + "WHERE m.movie_id IN (SELECT movie_id FROM d) ORDER BY m.movie_id FOR NO KEY UPDATE), "
            + "moved AS (UPDATE movies m SET rating_count = m.rating_count + d.n, rating_sum = m.rating_sum + d.s, "
            + "avg_rating = CASE WHEN m.rating_count + d.n > 0 THEN round((m.rating_sum + d.s) / (m.rating_count + "
                    + "d.n), 2) END "
            + "FROM d WHERE m.movie_id = d.movie_id AND m.movie_id IN (SELECT movie_id FROM locked) RETURNING "
                    + "m.movie_id)";

    /** Refreshes {@code movie_stats} and copies its figures into {@code movies} where they changed. */
    public static void refresh(Statement st) throws SQLException {
        st.execute("REFRESH MATERIALIZED VIEW movie_stats");
        st.execute("UPDATE movies m SET avg_rating = s.avg_rating, rating_count = s.rating_count, rating_sum = "
                + "s.rating_sum "
                + "FROM movie_stats s WHERE s.movie_id = m.movie_id "
                + "AND (m.avg_rating, m.rating_count, m.rating_sum) IS DISTINCT FROM (s.avg_rating, s.rating_count, "
                        + "s.rating_sum)");
    }
}
