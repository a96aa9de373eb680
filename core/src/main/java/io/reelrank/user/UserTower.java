package io.reelrank.user;

import io.reelrank.db.BinaryCopy;
import io.reelrank.db.Database;
import io.reelrank.embed.VectorLiteral;
import io.reelrank.model.ItemVectors;
import io.reelrank.model.RatingBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;

/**
 * The user tower: a user's vector from their ratings, in the item tower's space.
 * <pre>u = normalize(Σ_i (r_ui − b_u) · e_i),   b_u = (Σ_i r_ui + k·μ) / (n_u + k)</pre>
 * over the movies i the user rated, e_i the (centered, unit) item vector, μ the global mean rating
 * and k the shrinkage (default {@link UserVectors#DEFAULT_SHRINKAGE}). Shrinking b_u toward μ is what
 * lets a user who rates everything 1.0 point AWAY from what they rated: their own mean alone would
 * make every weight zero. A user whose sum is the zero vector (no rated movie has a vector, or every
 * rating equals b_u) is cold: NULL in {@code users.embedding}. {@link #computeAll} streams the
 * ratings ordered by user, so memory is bounded by the item vectors and one user's ratings, not by
 * the number of ratings.
 */
public final class UserTower {

    public static final double DEFAULT_SHRINKAGE = UserVectors.DEFAULT_SHRINKAGE;

    private UserTower() {}

    /** What a full computation did. */
    public record Stats(int users, int cold, long ratings, double seconds) {}

    /**
     * The formula above for one user ({@link UserVectors#userVector}); {@code movies[0..n)} and
     * {@code ratings[0..n)} are the user's ratings. Returns null for a cold user.
     */
    public static float[] vector(int[] movies, float[] ratings, int n, ItemVectors items, double mu, double k) {
        return UserVectors.userVector(movies, ratings, n, items::vector, mu, k);
    }

    /**
     * The global mean rating μ, from {@link io.reelrank.db.RatingTotals} (one row kept by triggers)
     * rather than an average over every rating, which took seconds per new rating at 32M ratings.
     */
    public static double globalMean(Connection c) throws SQLException {
        return io.reelrank.db.RatingTotals.read(c).mean();
    }

    /** Recomputes every user's vector into {@code users.embedding}, in one transaction. */
    public static Stats computeAll(Database db, ItemVectors items, double k) throws SQLException {
        long t0 = System.nanoTime();
        if (items.size() == 0) {
            throw new IllegalStateException("no movie has an embedding yet: run `reelrank embed --load` first");
        }
        try (Connection read = db.connect(); Connection write = db.connect()) {
            write.setAutoCommit(false);
            try (Statement ws = write.createStatement()) {
                // First, before the read connection touches ratings: a reload waits for us or we for it,
                // never each for the other across our two connections.
                io.reelrank.db.Locks.batch(ws);
            }
            double mu = globalMean(read);
            read.setAutoCommit(false); // a cursor, so ratings stream instead of arriving all at once
            try (Statement ws = write.createStatement()) {
                ws.execute("CREATE TEMP TABLE stage_users (user_id int, embedding vector) ON COMMIT DROP");
                ws.execute("INSERT INTO users (user_id) SELECT DISTINCT user_id FROM ratings ON CONFLICT DO NOTHING");
            }
            BinaryCopy rows = new BinaryCopy(write.unwrap(PGConnection.class).getCopyAPI(),
                    "COPY stage_users FROM STDIN (FORMAT binary)", 1_000);
            int users = 0;
            int cold = 0;
            long ratings = 0;
            try (PreparedStatement ps = read.prepareStatement(
                    "SELECT user_id, movie_id, rating FROM ratings ORDER BY user_id")) {
                ps.setFetchSize(50_000);
                try (ResultSet rs = ps.executeQuery()) {
                    RatingBuffer b = new RatingBuffer(256);
                    int current = Integer.MIN_VALUE;
                    while (true) {
                        boolean more = rs.next();
                        int user = more ? rs.getInt(1) : Integer.MAX_VALUE;
                        if (user != current && current != Integer.MIN_VALUE) {
                            float[] u = vector(b.movies(), b.stars(), b.size(), items, mu, k);
                            rows.startRow(2);
                            rows.int4(current);
                            rows.vector(u);
                            rows.endRow();
                            users++;
                            if (u == null) cold++;
                            b.clear();
                        }
                        if (!more) break;
                        current = user;
                        b.add(rs.getInt(2), rs.getFloat(3));
                        ratings++;
                    }
                }
            }
            rows.finish();
            try (Statement ws = write.createStatement()) {
                ws.execute("UPDATE users u SET embedding = s.embedding, updated_at = now() "
                        + "FROM stage_users s WHERE s.user_id = u.user_id");
                io.reelrank.db.Changes.allUsersChanged(ws);
            }
            write.commit();
            read.commit();
            return new Stats(users, cold, ratings, (System.nanoTime() - t0) / 1e9);
        }
    }

    /** Recomputes one user's vector from their ratings and stores it; returns it (null if cold). */
    public static float[] recompute(Connection c, int userId, ItemVectors items, double k) throws SQLException {
        double mu = globalMean(c);
        io.reelrank.model.RatingHistory h = io.reelrank.model.RatingHistory.read(c, userId);
        float[] u = vector(h.movies(), h.ratings(), h.size(), items, mu, k);
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO users (user_id, embedding) VALUES (?, ?::vector) "
                        + "ON CONFLICT (user_id) DO UPDATE SET embedding = EXCLUDED.embedding, updated_at = now()")) {
            ps.setInt(1, userId);
            ps.setString(2, u == null ? null : VectorLiteral.format(u));
            ps.executeUpdate();
        }
        return u;
    }

    /** A user's stored vector: {@code exists} false for an unknown user, {@code vector} null for a cold one. */
    public record Stored(boolean exists, float[] vector) {}

    public static Stored load(Connection c, int userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT embedding::text FROM users WHERE user_id = ?")) {
            ps.setInt(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return new Stored(false, null);
                String v = rs.getString(1);
                return new Stored(true, v == null ? null : VectorLiteral.parse(v));
            }
        }
    }
}
