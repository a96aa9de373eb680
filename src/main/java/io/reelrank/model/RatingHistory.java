package io.reelrank.model;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * One user's ratings, read in one query: what both user towers are computed from (the content
 * tower's weighted sum, the collaborative fold-in) and what the re-ranker knows the user said. The
 * caller passes a connection, so the read sees its transaction's own writes (a rating just stored).
 */
public record RatingHistory(int[] movies, float[] ratings) {

    public int size() {
        return movies.length;
    }

    /** Every rating of {@code userId} visible to {@code c}, in the table's order. */
    public static RatingHistory read(Connection c, int userId) throws SQLException {
        int[] movies = new int[64];
        float[] ratings = new float[64];
        int n = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT movie_id, rating FROM ratings WHERE user_id = ?")) {
            ps.setInt(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (n == movies.length) {
                        movies = Arrays.copyOf(movies, n * 2);
                        ratings = Arrays.copyOf(ratings, n * 2);
                    }
                    movies[n] = rs.getInt(1);
                    ratings[n] = rs.getFloat(2);
                    n++;
                }
            }
        }
        return new RatingHistory(Arrays.copyOf(movies, n), Arrays.copyOf(ratings, n));
    }
}
