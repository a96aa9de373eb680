package io.reelrank.db;

import java.sql.SQLException;
import java.sql.Statement;

/**
 * The per-movie rating figures: the materialized view {@code movie_stats} and its copy in
 * {@code movies.avg_rating}/{@code rating_count}. Anything that writes ratings in bulk (a load, the
 * test users) calls {@link #refresh} in its transaction so both stay in step with {@code ratings}.
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

    /** Refreshes {@code movie_stats} and copies its figures into {@code movies} where they changed. */
    public static void refresh(Statement st) throws SQLException {
        st.execute("REFRESH MATERIALIZED VIEW movie_stats");
        st.execute("UPDATE movies m SET avg_rating = s.avg_rating, rating_count = s.rating_count "
                + "FROM movie_stats s WHERE s.movie_id = m.movie_id "
                + "AND (m.avg_rating, m.rating_count) IS DISTINCT FROM (s.avg_rating, s.rating_count)");
    }
}
