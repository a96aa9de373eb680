package io.reelrank.embed;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The movies nearest to one movie by cosine distance between their embeddings, computed by pgvector
 * ({@code ORDER BY embedding <=> q}, served by the HNSW index when present); similarity is
 * {@code 1 − cosine distance}. Ties are broken by movie_id. Uses the caller's connection, on which it raises
 * {@code hnsw.ef_search} to at least twice the limit.
 */
public final class SimilarMovies {

    public static final int MAX_LIMIT = 1000;

    /** No movie has the id asked for. */
    public static final class UnknownMovieException extends IllegalArgumentException {
        UnknownMovieException(int movieId) {
            super("no movie with movie_id " + movieId);
        }
    }

    /** The movie exists but has no vector to compare with. */
    public static final class NoEmbeddingException extends IllegalStateException {
        NoEmbeddingException(int movieId) {
            super("movie " + movieId + " has no embedding; run reelrank embed --load first");
        }
    }

    private SimilarMovies() {}

    /** A neighbour and its cosine similarity to the query movie. */
    public record Neighbor(int movieId, String title, Integer year, double similarity) {}

    /**
     * The ids of the {@code limit} movies nearest to {@code vector} by cosine distance, through
     * pgvector's HNSW index when present ({@code ORDER BY embedding <=> q}; the stored vectors, not
     * centered), nearest first, ties by movie_id. For measuring pgvector against the in-memory scan of
     * semantic retrieval ({@code reelrank bench search}).
     */
    public static int[] nearestTo(Connection c, float[] vector, int limit) throws SQLException {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be in 1-" + MAX_LIMIT + ", got " + limit);
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('hnsw.ef_search', ?, false)")) {
            ps.setString(1, Integer.toString(Math.min(1000, Math.max(40, 2 * limit))));
            ps.execute();
        }
        String q = VectorLiteral.format(vector);
        List<Integer> out = new ArrayList<>(limit);
        try (PreparedStatement ps = c.prepareStatement("SELECT movie_id FROM movies WHERE embedding IS NOT NULL "
                + "ORDER BY embedding <=> ?::vector, movie_id LIMIT ?")) {
            ps.setString(1, q);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getInt(1));
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The {@code limit} movies most similar to {@code movieId}, itself excluded. Throws
     * IllegalArgumentException when the movie does not exist and IllegalStateException when it has
     * no embedding yet.
     */
    public static List<Neighbor> find(Connection c, int movieId, int limit) throws SQLException {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be in 1-" + MAX_LIMIT + ", got " + limit);
        }
        String query;
        try (PreparedStatement ps = c.prepareStatement("SELECT embedding::text FROM movies WHERE movie_id = ?")) {
            ps.setInt(1, movieId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new UnknownMovieException(movieId);
                query = rs.getString(1);
                if (query == null) {
                    throw new NoEmbeddingException(movieId);
                }
            }
        }
        // HNSW returns at most ef_search rows (default 40): raise it for long lists.
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('hnsw.ef_search', ?, false)")) {
            ps.setString(1, Integer.toString(Math.min(1000, Math.max(40, 2 * limit + 1))));
            ps.execute();
        }
        // The query vector is a parameter, not a subquery, so the planner can serve the ORDER BY from the index.
        String sql = "SELECT movie_id, title, year, 1 - (embedding <=> ?::vector) AS similarity "
                + "FROM movies WHERE movie_id <> ? AND embedding IS NOT NULL "
                + "ORDER BY embedding <=> ?::vector, movie_id LIMIT ?";
        List<Neighbor> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, query);
            ps.setInt(2, movieId);
            ps.setString(3, query);
            ps.setInt(4, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int y = rs.getInt(3);
                    out.add(new Neighbor(rs.getInt(1), rs.getString(2), rs.wasNull() ? null : y, rs.getDouble(4)));
                }
            }
        }
        return out;
    }
}
