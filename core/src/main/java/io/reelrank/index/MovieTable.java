package io.reelrank.index;

import io.reelrank.db.Database;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Reads what the index needs from PostgreSQL: every movie with its tags, in one REPEATABLE READ
 * snapshot (tags added while the movies stream are not half seen), a few movies by id, and the
 * figures {@code index --check} compares. The caller closes the {@link Snapshot}, which holds a
 * connection and an open cursor.
 */
final class MovieTable {

    private MovieTable() {}

    // Tags in a fixed order so two builds of the same data produce the same index.
    private static final String MOVIES_SQL = """
            SELECT m.movie_id, m.title, m.year, m.imdb_id, m.tmdb_id, m.genres, m.avg_rating, m.rating_count,
                   t.tags
            FROM movies m
            LEFT JOIN (SELECT movie_id, array_agg(tag ORDER BY tagged_at, user_id, tag) AS tags
                       FROM tags GROUP BY movie_id) t USING (movie_id)
            ORDER BY m.movie_id""";

    // The tags of the movies asked for only (a join with the aggregate above would group every tag of
    // every movie for each update: 2M tags at ml-32m's size).
    private static final String SOME_MOVIES_SQL = """
            SELECT m.movie_id, m.title, m.year, m.imdb_id, m.tmdb_id, m.genres, m.avg_rating, m.rating_count,
                   (SELECT array_agg(t.tag ORDER BY t.tagged_at, t.user_id, t.tag) FROM tags t
                    WHERE t.movie_id = m.movie_id) AS tags
            FROM movies m
            WHERE m.movie_id = ANY (?)
            ORDER BY m.movie_id""";

    private static final String SUMMARY_SQL = """
            SELECT (SELECT count(*) FROM movies),
                   (SELECT md5(coalesce(string_agg(movie_id::text, ',' ORDER BY movie_id), '')) FROM movies),
                   (SELECT count(*) FROM tags),
                   (SELECT coalesce(sum(rating_count), 0) FROM movies),
                   (SELECT coalesce(sum(movie_id::bigint * round(avg_rating * 100)::bigint), 0) FROM movies)""";

    /**
     * {@code averages}: Σ movie_id · round(100 · avg_rating) over the movies with an average (see
     * {@link MovieIndex#check}).
     */
    record Summary(int movies, String idChecksum, long tagRows, long ratingSum, long averages) {}

    static Summary summary(Database db) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(SUMMARY_SQL)) {
            rs.next();
            return new Summary(rs.getInt(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
        }
    }

    /** The movies among {@code ids} that are in the table, with their tags, in movie_id order. */
    static List<MovieRecord> read(Database db, int[] ids) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(SOME_MOVIES_SQL)) {
            ps.setArray(1, c.createArrayOf("int4", java.util.Arrays.stream(ids).boxed().toArray()));
            List<MovieRecord> out = new java.util.ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(read(rs));
            }
            return out;
        }
    }

    static Snapshot open(Database db) throws SQLException {
        Connection c = db.connect();
        try {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            PreparedStatement ps = c.prepareStatement(MOVIES_SQL);
            ps.setFetchSize(2000);
            return new Snapshot(c, ps, ps.executeQuery());
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** The movies of one snapshot, as an iterator over an open cursor. */
    static final class Snapshot implements AutoCloseable {
        private final Connection connection;
        private final PreparedStatement statement;
        private final ResultSet rows;

        Snapshot(Connection connection, PreparedStatement statement, ResultSet rows) {
            this.connection = connection;
            this.statement = statement;
            this.rows = rows;
        }

        Iterator<MovieRecord> movies() {
            return new Iterator<>() {
                Boolean ready;

                @Override
                public boolean hasNext() {
                    if (ready == null) {
                        try {
                            ready = rows.next();
                        } catch (SQLException e) {
                            throw new IllegalStateException("reading movies: " + e.getMessage(), e);
                        }
                    }
                    return ready;
                }

                @Override
                public MovieRecord next() {
                    if (!hasNext()) throw new NoSuchElementException();
                    ready = null;
                    try {
                        return read(rows);
                    } catch (SQLException e) {
                        throw new IllegalStateException("reading movies: " + e.getMessage(), e);
                    }
                }
            };
        }

        @Override
        public void close() throws SQLException {
            try (connection; statement; rows) {
                connection.rollback();
            }
        }
    }

    private static MovieRecord read(ResultSet rs) throws SQLException {
        BigDecimal avg = rs.getBigDecimal("avg_rating");
        return new MovieRecord(rs.getInt("movie_id"), rs.getString("title"), (Integer) rs.getObject("year"),
                rs.getString("imdb_id"), (Integer) rs.getObject("tmdb_id"), strings(rs.getArray("genres")),
                strings(rs.getArray("tags")), avg == null ? null : avg.doubleValue(), rs.getInt("rating_count"));
    }

    private static List<String> strings(Array a) throws SQLException {
        if (a == null) return List.of();
        return Arrays.asList((String[]) a.getArray());
    }
}
