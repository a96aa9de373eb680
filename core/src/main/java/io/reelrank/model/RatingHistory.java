package io.reelrank.model;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

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
        RatingBuffer b = new RatingBuffer(64);
        try (PreparedStatement ps = c.prepareStatement("SELECT movie_id, rating FROM ratings WHERE user_id = ?")) {
            ps.setInt(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) b.add(rs.getInt(1), rs.getFloat(2));
            }
        }
        return b.history();
    }
}
