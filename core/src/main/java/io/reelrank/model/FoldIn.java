package io.reelrank.model;

import io.reelrank.db.Changes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The real-time collaborative user tower: when a user's ratings change, their vector is solved
 * again against the active model's fixed item vectors (one k×k system, {@link FactorModel#foldIn},
 * the user step of {@link ImplicitAls}), stored in {@code user_factors} and announced, with no
 * retraining. A user who appeared after training is folded in from all their ratings the same way.
 *
 * <p>{@link #update} is the one call the rating path makes, inside the transaction that wrote the
 * rating (so it sees it, and the new vector commits with it). It locks the active version's row
 * ({@code FOR SHARE}) for the rest of that transaction, so an activation waits for it and then folds
 * the user in again against the new version; the caller's in-memory model is used when it is that
 * version, else the active one is read from the database (a rare, slower path).
 */
public final class FoldIn {

    /** What {@link #update} did: the version written to, the new vector (null: no signal) and the model used. */
    public record Result(long version, float[] vector, FactorModel model) {}

    private FoldIn() {}

    /**
     * Folds {@code userId} in against the active model and stores the vector; null when no model
     * is active (nothing to do). {@code model} is the caller's copy of the active model, or null.
     */
    public static Result update(Connection c, int userId, FactorModel model) throws SQLException {
        Long v = lockActive(c);
        if (v == null) v = lockActive(c); // an activation may have just committed: look once more
        if (v == null) return null;
        FactorModel m = model != null && model.version() == v ? model : load(c, v);
        float[] u = write(c, userId, m);
        try (Statement st = c.createStatement()) {
            Changes.userChanged(st, userId);
        }
        return new Result(v, u, m);
    }

    /** A batch folded in: the version, the model used and each user's new vector (null: no signal). */
    public record Batch(long version, FactorModel model, java.util.Map<Integer, float[]> vectors) {}

    /**
     * The SQL of a subquery that takes the active version's row {@code FOR SHARE} (as {@link #update}
     * does) and yields its number, or nothing when no model is active: for a writer that reads it in a
     * statement of its own (one round trip), then calls {@link #model} and {@link #foldInAll}.
     */
    public static final String LOCK_ACTIVE = "SELECT version FROM model_versions WHERE status = 'active' FOR SHARE";

    /** The model of version {@code v}: {@code given} when it is that version, else read from the database. */
    public static FactorModel model(Connection c, long v, FactorModel given) throws SQLException {
        return given != null && given.version() == v ? given : load(c, v);
    }

    /** Each user's vector folded into {@code m} from their history (null: no signal); reads nothing. */
    public static java.util.Map<Integer, float[]> foldInAll(FactorModel m, java.util.Map<Integer,
            RatingHistory> histories) {
        java.util.Map<Integer, float[]> out = new java.util.HashMap<>();
        for (java.util.Map.Entry<Integer, RatingHistory> e : histories.entrySet()) {
            RatingHistory h = e.getValue();
            out.put(e.getKey(), m.foldIn(h.movies(), h.ratings(), h.size()));
        }
        return out;
    }

    /**
     * Folds every user with ratings in again against the active model, in one transaction, and drops
     * the vectors of users who no longer exist: after a reload replaced ratings, the stored vectors no
     * longer match them (the item vectors stay until the next training). Returns the users folded in,
     * or -1 when no model is active.
     */
    public static int refoldAll(io.reelrank.db.Database db) throws SQLException {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                Long v = lockActive(c);
                if (v == null) {
                    c.rollback();
                    return -1;
                }
                FactorModel m = load(c, v);
                st.executeUpdate("DELETE FROM user_factors f WHERE f.version = " + v
                        + " AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.user_id = f.user_id)");
                java.util.List<Integer> users = new java.util.ArrayList<>();
                try (ResultSet rs = st.executeQuery("SELECT user_id FROM users u WHERE EXISTS "
                        + "(SELECT 1 FROM ratings r WHERE r.user_id = u.user_id) ORDER BY user_id")) {
                    while (rs.next()) users.add(rs.getInt(1));
                }
                for (int user : users) write(c, user, m);
                Changes.allUsersChanged(st);
                c.commit();
                return users.size();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** The user's ratings folded in against {@code m}, upserted into {@code user_factors} of its version. */
    static float[] write(Connection c, int userId, FactorModel m) throws SQLException {
        RatingHistory h = RatingHistory.read(c, userId);
        float[] u = m.foldIn(h.movies(), h.ratings(), h.size());
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO user_factors (version, user_id, factors, updated_at) "
                + "VALUES (?, ?, ?::vector, now()) ON CONFLICT (version, user_id) DO UPDATE "
                + "SET factors = EXCLUDED.factors, updated_at = now()")) {
            ps.setLong(1, m.version());
            ps.setInt(2, userId);
            ps.setString(3, u == null ? null : io.reelrank.embed.VectorLiteral.format(u));
            ps.executeUpdate();
        }
        return u;
    }

    private static Long lockActive(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version FROM model_versions WHERE status = 'active' FOR SHARE")) {
            return rs.next() ? rs.getLong(1) : null;
        }
    }

    private static FactorModel load(Connection c, long v) throws SQLException {
        for (ModelStore.Version version : ModelStore.versions(c)) {
            if (version.version() == v) return ModelStore.load(c, version);
        }
        throw new IllegalStateException("model version " + v + " vanished while folding in");
    }
}
