package io.reelrank.eval;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what an evaluation needs from PostgreSQL into memory, read-only: every rating (into the
 * primitive columns of {@link Ratings}) and the catalog of titles, genres and years (for
 * {@link QueryGenerator} and the cold-item tower's features). It never reads or writes
 * {@code users}: user vectors in an evaluation come from the training ratings alone. The caller
 * owns the connection and closes it.
 */
public final class EvalData {

    /** Every movie's id, title, genres and year (null when unknown), parallel arrays ordered by movie_id. */
    public record Catalog(int[] movieIds, String[] titles, String[][] genres, Integer[] years) {
        public int size() {
            return movieIds.length;
        }
    }

    private static final int FETCH_SIZE = 10_000;

    private EvalData() {}

    /**
     * All ratings ordered by (user_id, rated_at, movie_id), rated_at in epoch microseconds. Streams
     * them with a cursor, so memory holds the columns, never the whole result set as objects.
     */
    public static Ratings loadRatings(Connection c) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        // The PostgreSQL driver only streams with a fetch size inside a transaction.
        c.setAutoCommit(false);
        try (PreparedStatement st = c.prepareStatement(
                "SELECT user_id, movie_id, rating, (extract(epoch FROM rated_at) * 1000000)::bigint "
                        + "FROM ratings ORDER BY user_id, rated_at, movie_id")) {
            st.setFetchSize(FETCH_SIZE);
            Ratings.Builder b = Ratings.builder();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    b.add(rs.getInt(1), rs.getInt(2), rs.getDouble(3), rs.getLong(4));
                }
            }
            c.commit();
            return b.build();
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    /** The catalog: every movie, with its genres (an empty array for none), ordered by movie_id. */
    public static Catalog loadCatalog(Connection c) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        List<String[]> genres = new ArrayList<>();
        List<Integer> years = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(
                "SELECT movie_id, title, genres, year FROM movies ORDER BY movie_id");
             ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getInt(1));
                titles.add(rs.getString(2));
                Array a = rs.getArray(3);
                genres.add(a == null ? new String[0] : (String[]) a.getArray());
                years.add((Integer) rs.getObject(4));
            }
        }
        return new Catalog(ids.stream().mapToInt(Integer::intValue).toArray(), titles.toArray(new String[0]),
                genres.toArray(new String[0][]), years.toArray(new Integer[0]));
    }
}
