package io.reelrank.embed;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a few movies' embeddings back from {@code movies.embedding} as stored (not centered, unlike
 * the re-ranker's {@code ItemVectors}), and counts the movies still without one. Movies without an
 * embedding are absent from the result. Uses the caller's connection and leaves it open.
 */
public final class MovieVectors {

    private MovieVectors() {}

    /** The embeddings of the given movies, keyed by movie_id. */
    public static Map<Integer, float[]> read(Connection c, Collection<Integer> movieIds) throws SQLException {
        Map<Integer, float[]> out = new HashMap<>(movieIds.size() * 2);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT movie_id, embedding::text FROM movies WHERE movie_id = ANY(?) AND embedding IS NOT NULL")) {
            ps.setArray(1, c.createArrayOf("int4", movieIds.toArray()));
            collect(ps, out);
        }
        return out;
    }

    /** One movie's embedding, or null when it has none or does not exist. */
    public static float[] read(Connection c, int movieId) throws SQLException {
        return read(c, java.util.List.of(movieId)).get(movieId);
    }

    /** How many movies lack an embedding. */
    public static int missing(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM movies WHERE embedding IS NULL");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void collect(PreparedStatement ps, Map<Integer, float[]> out) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.put(rs.getInt(1), VectorLiteral.parse(rs.getString(2)));
        }
    }
}
