package io.reelrank.user;

import io.reelrank.db.Changes;
import io.reelrank.db.Database;
import io.reelrank.model.FactorModel;
import io.reelrank.model.FoldIn;
import io.reelrank.rerank.ItemVectors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Writes one rating and brings everything that depends on it up to date in the same transaction:
 * the user's row and content vector ({@link UserTower#recompute}), the user's collaborative vector
 * in the active model ({@link FoldIn#update}, when a model has been trained) and the movie's
 * {@code avg_rating} / {@code rating_count}. The {@code movie_stats} view is refreshed by the batch
 * jobs (ingest, users, test-users), not on every rating. The caller passes the active model it
 * holds (or null: fold-in then reads it from the database, a slower path).
 */
public final class UserRatings {

    private UserRatings() {}

    /**
     * What {@link #rate} did: the movie's title, whether a rating was replaced, the new content vector
     * and the fold-in (null when no model is active).
     */
    public record Result(String title, boolean replaced, float[] vector, FoldIn.Result foldIn) {}

    /** {@link #rate(Database, ItemVectors, FactorModel, int, int, double, double)} reading the active model itself. */
    public static Result rate(Database db, ItemVectors items, int userId, int movieId, double rating, double k)
            throws SQLException {
        return rate(db, items, null, userId, movieId, rating, k);
    }

    public static Result rate(Database db, ItemVectors items, FactorModel model, int userId, int movieId, double rating,
                              double k) throws SQLException {
        if (userId < 1) throw new IllegalArgumentException("user id must be a positive integer, got " + userId);
        double h = rating * 2;
        if (!(rating >= 0.5 && rating <= 5.0) || h != Math.rint(h)) {
            throw new IllegalArgumentException("rating must be 0.5-5.0 in steps of 0.5, got " + rating);
        }
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try {
                String title;
                try (PreparedStatement ps = c.prepareStatement("SELECT title FROM movies WHERE movie_id = ?")) {
                    ps.setInt(1, movieId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) throw new IllegalArgumentException("unknown movie " + movieId);
                        title = rs.getString(1);
                    }
                }
                c.createStatement().execute("INSERT INTO users (user_id) VALUES (" + userId + ") ON CONFLICT DO NOTHING");
                boolean replaced;
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO ratings (user_id, movie_id, rating, rated_at) VALUES (?, ?, ?, now()) "
                                + "ON CONFLICT (user_id, movie_id) DO UPDATE SET rating = EXCLUDED.rating, rated_at = now() "
                                + "RETURNING (xmax <> 0)")) {
                    ps.setInt(1, userId);
                    ps.setInt(2, movieId);
                    ps.setBigDecimal(3, java.math.BigDecimal.valueOf(rating));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        replaced = rs.getBoolean(1);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE movies SET (avg_rating, rating_count) = (SELECT round(avg(rating), 2), count(*) "
                                + "FROM ratings WHERE movie_id = ?) WHERE movie_id = ?")) {
                    ps.setInt(1, movieId);
                    ps.setInt(2, movieId);
                    ps.executeUpdate();
                }
                float[] u = UserTower.recompute(c, userId, items, k);
                FoldIn.Result folded = FoldIn.update(c, userId, model);
                try (var st = c.createStatement()) {
                    Changes.userChanged(st, userId);
                }
                c.commit();
                return new Result(title, replaced, u, folded);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
