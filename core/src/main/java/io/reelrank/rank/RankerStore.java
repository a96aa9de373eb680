package io.reelrank.rank;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelrank.db.Changes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Learned ranker versions in PostgreSQL ({@code ranker_versions}, migration V8), beside the
 * collaborative model's versions and numbered from the same sequence: the trees (XGBoost's JSON
 * model), the feature names in column order, the hyperparameters, the validation figures and the
 * factor version the judgments' features came from. A version is stored and made active in one
 * transaction ({@link #store}); {@link #activate} and {@link #rollback} switch versions in one
 * transaction; each sends {@link Changes#RANKER} so every server loads the new one without a
 * restart. The caller passes a connection in a transaction (not auto-commit) for the writes and
 * commits it.
 */
public final class RankerStore {

    /** The search ranker (re-ranks BM25 candidates). */
    public static final String SEARCH = "search";
    /** The recommendation ranker (re-ranks the collaborative retrieval). */
    public static final String RECOMMEND = "recommend";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One row of {@code ranker_versions}, without its trees. */
    public record Version(long version, String task, String status, List<String> features, JsonNode params,
                          Long modelVersion, int judgments, Double trainingSeconds, JsonNode validation,
                          Instant createdAt, Instant activatedAt) {}

    /** An active ranker: its row and the ranker itself. */
    public record Active(Version version, Ranker ranker) {}

    private RankerStore() {}

    /**
     * Inserts a ranker and makes it the task's active one, in the caller's transaction: the active
     * one becomes {@code previous}, the previous one {@code retired}; then {@code NOTIFY}.
     * Returns the new version.
     */
    public static long store(Connection c, String task, Ranker r, JsonNode params, Long modelVersion, int judgments,
                             double seconds, JsonNode validation) throws SQLException {
        checkTask(task);
        requireTransaction(c);
        demote(c, task);
        long v;
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO ranker_versions (task, status, booster, features, params, "
                + "model_version, judgments, training_seconds, validation, activated_at) VALUES (?, 'active', ?, ?, "
                + "?::jsonb, ?, ?, "
                + "?, ?::jsonb, now()) RETURNING version")) {
            ps.setString(1, task);
            ps.setBytes(2, r.model());
            ps.setArray(3, c.createArrayOf("text", r.features().stream().map(Feature::key).toArray()));
            ps.setString(4, params.toString());
            if (modelVersion == null) ps.setNull(5, java.sql.Types.INTEGER);
            else ps.setLong(5, modelVersion);
            ps.setInt(6, judgments);
            ps.setDouble(7, seconds);
            ps.setString(8, validation == null ? null : validation.toString());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                v = rs.getLong(1);
            }
        }
        try (Statement st = c.createStatement()) {
            Changes.rankerChanged(st, task);
        }
        return v;
    }

    /**
     * Makes a stored version its task's active one, in the caller's transaction: the active one
     * becomes {@code previous}, the previous one {@code retired}. Returns the task.
     */
    public static String activate(Connection c, long version) throws SQLException {
        requireTransaction(c);
        String task;
        String status;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT task, status FROM ranker_versions WHERE version = ? FOR UPDATE")) {
            ps.setLong(1, version);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new IllegalArgumentException("no ranker version " + version);
                task = rs.getString(1);
                status = rs.getString(2);
            }
        }
        if ("active".equals(status)) throw new IllegalArgumentException("ranker version " + version
                + " is already active");
        try (PreparedStatement ps = c.prepareStatement("UPDATE ranker_versions SET status = 'retired' WHERE task = ? "
                + "AND status = 'previous' AND version <> ?")) {
            ps.setString(1, task);
            ps.setLong(2, version);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE ranker_versions SET status = 'previous' WHERE task = ? "
                + "AND status = 'active'")) {
            ps.setString(1, task);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE ranker_versions SET status = 'active', activated_at = now() "
                + "WHERE version = ?")) {
            ps.setLong(1, version);
            ps.executeUpdate();
        }
        try (Statement st = c.createStatement()) {
            Changes.rankerChanged(st, task);
        }
        return task;
    }

    /** Makes the task's previous version active again and the active one previous (a swap). Returns the version now
     * active. */
    public static long rollback(Connection c, String task) throws SQLException {
        checkTask(task);
        requireTransaction(c);
        Long previous = null;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT version FROM ranker_versions WHERE task = ? AND status IN "
                + "('active', 'previous') ORDER BY status FOR UPDATE")) {
            ps.setString(1, task);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) previous = rs.getLong(1); // 'active' sorts before 'previous'
            }
        }
        Version prev = previous == null ? null : version(c, previous);
        if (prev == null || !"previous".equals(prev.status())) {
            throw new IllegalStateException("no previous " + task + " ranker to roll back to");
        }
        // In three steps, not one swapping UPDATE: the one-active index is checked row by row.
        Long current = null;
        try (PreparedStatement ps = c.prepareStatement("UPDATE ranker_versions SET status = 'retired' "
                + "WHERE task = ? AND status = 'active' RETURNING version")) {
            ps.setString(1, task);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) current = rs.getLong(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE ranker_versions SET status = 'active', activated_at = now() WHERE version = ?")) {
            ps.setLong(1, prev.version());
            ps.executeUpdate();
        }
        if (current != null) {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE ranker_versions SET status = 'previous' WHERE version = ?")) {
                ps.setLong(1, current);
                ps.executeUpdate();
            }
        }
        try (Statement st = c.createStatement()) {
            Changes.rankerChanged(st, task);
        }
        return prev.version();
    }

    /**
     * Serves no ranker for the task any more: the active one becomes {@code previous} (a rollback
     * brings it back), the previous one {@code retired}; searches fall back to the weighted fusion,
     * recommendations to the retrieval alone. Returns the version deactivated.
     */
    public static long deactivate(Connection c, String task) throws SQLException {
        checkTask(task);
        requireTransaction(c);
        Long active = null;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT version FROM ranker_versions WHERE task = ? AND status = "
                + "'active' FOR UPDATE")) {
            ps.setString(1, task);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) active = rs.getLong(1);
            }
        }
        if (active == null) throw new IllegalStateException("no " + task + " ranker is active");
        demote(c, task);
        try (Statement st = c.createStatement()) {
            Changes.rankerChanged(st, task);
        }
        return active;
    }

    /** Deletes a stored version that is not active. */
    public static void delete(Connection c, long version) throws SQLException {
        Version v = version(c, version);
        if (v == null) throw new IllegalArgumentException("no ranker version " + version);
        if ("active".equals(v.status())) {
            throw new IllegalArgumentException("ranker version " + version
                    + " is active: deactivate it or activate another "
                    + "first");
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM ranker_versions WHERE version = ?")) {
            ps.setLong(1, version);
            ps.executeUpdate();
        }
    }

    /** The task's active ranker, or null when none has been trained (or none is active). */
    public static Active active(Connection c, String task) throws SQLException {
        checkTask(task);
        try (PreparedStatement ps = c.prepareStatement("SELECT version, booster FROM ranker_versions WHERE task = ? "
                + "AND status = 'active'")) {
            ps.setString(1, task);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                Version v = version(c, rs.getLong(1));
                List<Feature> fs = new ArrayList<>();
                for (String name : v.features()) fs.add(Feature.of(name));
                return new Active(v, Ranker.of(rs.getBytes(2), fs));
            }
        }
    }

    /**
     * Any stored version with its booster, active or not (an experiment's candidate arm), or null when
     * there is no such version.
     */
    public static Active load(Connection c, long version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT booster FROM ranker_versions WHERE version = ?")) {
            ps.setLong(1, version);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                Version v = version(c, version);
                List<Feature> fs = new ArrayList<>();
                for (String name : v.features()) fs.add(Feature.of(name));
                return new Active(v, Ranker.of(rs.getBytes(1), fs));
            }
        }
    }

    /** One version's row, or null. */
    public static Version version(Connection c, long version) throws SQLException {
        List<Version> vs = versions(c, "WHERE version = " + version);
        return vs.isEmpty() ? null : vs.get(0);
    }

    /** Every stored ranker version, newest first. */
    public static List<Version> versions(Connection c) throws SQLException {
        return versions(c, "");
    }

    private static List<Version> versions(Connection c, String where) throws SQLException {
        List<Version> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT version, task, status, features, "
                + "params::text, model_version, judgments, training_seconds, validation::text, created_at, "
                + "activated_at "
                + "FROM ranker_versions " + where + " ORDER BY version DESC")) {
            while (rs.next()) {
                Array a = rs.getArray(4);
                long mv = rs.getLong(6);
                Long modelVersion = rs.wasNull() ? null : mv;
                try {
                    out.add(new Version(rs.getLong(1), rs.getString(2), rs.getString(3),
                            List.of((String[]) a.getArray()),
                            JSON.readTree(rs.getString(5)), modelVersion, rs.getInt(7), (Double) rs.getObject(8),
                            rs.getString(9) == null ? null : JSON.readTree(rs.getString(9)),
                            rs.getTimestamp(10).toInstant(),
                            rs.getTimestamp(11) == null ? null : rs.getTimestamp(11).toInstant()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return out;
    }

    private static void demote(Connection c, String task) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE ranker_versions SET status = 'retired' WHERE task = ? "
                + "AND status = 'previous'")) {
            ps.setString(1, task);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE ranker_versions SET status = 'previous' WHERE task = ? "
                + "AND status = 'active'")) {
            ps.setString(1, task);
            ps.executeUpdate();
        }
    }

    private static void checkTask(String task) {
        if (!SEARCH.equals(task) && !RECOMMEND.equals(task)) {
            throw new IllegalArgumentException("ranker task must be " + SEARCH + " or " + RECOMMEND + ", got '" + task
                    + "'");
        }
    }

    private static void requireTransaction(Connection c) throws SQLException {
        if (c.getAutoCommit()) throw new IllegalStateException(
                "ranker versions change in a transaction: auto-commit is on");
    }
}
