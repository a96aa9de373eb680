package io.reelrank.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reelrank.db.BinaryCopy;
import io.reelrank.db.Changes;
import io.reelrank.db.Database;
import io.reelrank.embed.VectorLiteral;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * Model versions in PostgreSQL ({@code model_versions}, {@code item_factors}, {@code user_factors},
 * migration V4): how a trained model is written beside the one in service and swapped in
 * atomically, and how servers read the active one.
 *
 * <p>The life of a version: {@link #begin} inserts its row as {@code training} (never served), the
 * factors are copied in and its HNSW index built ({@link #writeItems}, {@link #writeUsers},
 * {@link #createIndex}), then {@link #activate} makes it {@code active} in one transaction: the
 * active one becomes {@code previous} (kept for a rollback), the previous one {@code retired}, users
 * whose ratings arrived after the training snapshot are folded in, and a {@code NOTIFY} on
 * {@link Changes#MODEL} tells every server. A run that fails or is killed before that commit
 * leaves its {@code training} rows behind and the active model untouched; the next training,
 * holding the {@link TrainingLock}, deletes them ({@link #cleanup}). Each version's HNSW index is a
 * partial expression index ({@code (factors::vector(rank)) vector_ip_ops WHERE version = N}, as the
 * pgvector README shows for per-category indexes), since the rank is a hyperparameter and pgvector
 * indexes need a fixed dimension; queries use the same expression and condition.
 */
public final class ModelStore {

    /** Advisory lock key of a running training ("rrtrain"). */
    static final long TRAINING_LOCK_KEY = 0x7272747261696eL;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One row of {@code model_versions}. */
    public record Version(long version, String status, int rank, JsonNode params, String fingerprint, long ratings,
                         int users, int items, Instant snapshotAt, Double trainingSeconds, JsonNode validation,
                         Instant createdAt, Instant activatedAt) {}

    /** A user's stored vector: whether the user has a row in this version, and the vector (null: no signal). */
    public record UserFactors(boolean exists, float[] vector) {}

    private ModelStore() {}

    /**
     * Held by a training from start to activation, on its own connection, so two trainings never
     * interleave; taking it also proves that no training is writing, so leftovers of a killed one can
     * be deleted. The caller closes it (which releases the lock with the connection).
     */
    public static final class TrainingLock implements AutoCloseable {
        private final Connection connection;

        private TrainingLock(Connection connection) {
            this.connection = connection;
        }

        /** Takes the lock or fails at once, naming the other training's process. */
        public static TrainingLock acquire(Database db) throws SQLException {
            Connection c = db.connectDirect();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_try_advisory_lock(" + TRAINING_LOCK_KEY + ")")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    c.close();
                    throw new IllegalStateException("another training is running on this database (advisory lock "
                            + TRAINING_LOCK_KEY + " held); wait for it to finish");
                }
            } catch (SQLException | RuntimeException e) {
                if (!c.isClosed()) c.close();
                throw e;
            }
            return new TrainingLock(c);
        }

        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }

    /**
     * Deletes versions a killed or failed training left ({@code training}) and those already
     * replaced twice ({@code retired}), and the HNSW indexes of versions that no longer exist.
     * Only while holding the {@link TrainingLock}. Returns how many versions were deleted.
     */
    public static int cleanup(Connection c) throws SQLException {
        int deleted;
        try (Statement st = c.createStatement()) {
            List<Long> gone = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(
                    "SELECT version FROM model_versions WHERE status IN ('training', 'retired')")) {
                while (rs.next()) gone.add(rs.getLong(1));
            }
            deleted = gone.size();
            for (long v : gone) {
                st.execute("DROP INDEX IF EXISTS " + indexName(v));
                st.execute("DELETE FROM model_versions WHERE version = " + v);
            }
            List<String> orphans = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT indexname FROM pg_indexes WHERE tablename = 'item_factors' "
                    + "AND indexname LIKE 'item_factors_hnsw_v%' AND NOT EXISTS (SELECT 1 FROM model_versions m "
                    + "WHERE 'item_factors_hnsw_v' || m.version = indexname)")) {
                while (rs.next()) orphans.add(rs.getString(1));
            }
            for (String name : orphans) st.execute("DROP INDEX IF EXISTS " + name);
        }
        return deleted;
    }

    /**
     * Inserts a new version as {@code training}; returns its number. {@code params} is the
     * settings as JSON ({@link #paramsJson}); {@code snapshotAt}: ratings before it are in the model.
     */
    public static long begin(Connection c, ModelTrainer.Settings s, String fingerprint, long ratings, int users,
                             int items, Instant snapshotAt) throws SQLException {
        return begin(c, s, null, fingerprint, ratings, users, items, snapshotAt);
    }

    /** The same, recording where the factors were computed ({@link FactorEngine#describe}) as {@code params.engine}. */
    public static long begin(Connection c, ModelTrainer.Settings s, String engine, String fingerprint, long ratings,
                             int users, int items, Instant snapshotAt) throws SQLException {
        ObjectNode params = paramsJson(s);
        if (engine != null) params.put("engine", engine);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO model_versions (status, rank, params, "
                + "data_fingerprint, ratings, users, items, snapshot_at) "
                + "VALUES ('training', ?, ?::jsonb, ?, ?, ?, ?, ?) RETURNING version")) {
            ps.setInt(1, s.als().rank());
            ps.setString(2, params.toString());
            ps.setString(3, fingerprint);
            ps.setLong(4, ratings);
            ps.setInt(5, users);
            ps.setInt(6, items);
            ps.setTimestamp(7, Timestamp.from(snapshotAt));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The settings as stored in {@code model_versions.params}, with the formula they parameterize. */
    public static ObjectNode paramsJson(ModelTrainer.Settings s) {
        ObjectNode n = JSON.createObjectNode();
        ImplicitAls.Params p = s.als();
        n.put("rank", p.rank());
        n.put("alpha", p.alpha());
        n.put("lambda", p.lambda());
        n.put("iterations", p.iterations());
        n.put("midpoint", p.midpoint());
        n.put("seed", p.seed());
        n.put("blend", s.blend());
        n.put("ridge", s.ridge());
        n.put("min_fit", s.minFit());
        n.put("formula",
                "x_u = (YᵀY + Σ_i α·|r−midpoint|·y_i y_iᵀ + λ·n⁺_u·I)⁻¹ Σ_{r>midpoint} (1 + α·(r−midpoint))·y_i");
        return n;
    }

    /** The settings stored in {@code model_versions.params}. */
    public static ModelTrainer.Settings settings(JsonNode n) {
        return new ModelTrainer.Settings(new ImplicitAls.Params(n.get("rank").asInt(), n.get("alpha").asDouble(),
                n.get("lambda").asDouble(), n.get("iterations").asInt(), n.get("midpoint").asDouble(),
                n.get("seed").asLong()), n.get("blend").asDouble(), n.get("ridge").asDouble(),
                n.get("min_fit").asInt());
    }

    /** Copies the served item vectors of {@code m} into {@code item_factors} under version {@code v}. */
    public static void writeItems(Connection c, long v, FactorModel m) throws SQLException {
        BinaryCopy rows = new BinaryCopy(c.unwrap(PGConnection.class).getCopyAPI(),
                "COPY item_factors (version, movie_id, factors, learned) FROM STDIN (FORMAT binary)", 10_000);
        try {
            int k = m.rank();
            int[] ids = m.movieIds();
            float[] vec = m.vectors();
            float[] learned = m.learnedWeights();
            for (int i = 0; i < ids.length; i++) {
                rows.startRow(4);
                rows.int4((int) v);
                rows.int4(ids[i]);
                rows.vector(Arrays.copyOfRange(vec, i * k, (i + 1) * k));
                rows.float4(learned[i]);
                rows.endRow();
            }
            rows.finish();
        } catch (SQLException | RuntimeException e) {
            rows.cancel();
            throw e;
        }
    }

    /** Copies user vectors (null: no collaborative signal) into {@code user_factors} under version {@code v}. */
    public static void writeUsers(Connection c, long v, int[] userIds, float[][] users) throws SQLException {
        BinaryCopy rows = new BinaryCopy(c.unwrap(PGConnection.class).getCopyAPI(),
                "COPY user_factors (version, user_id, factors) FROM STDIN (FORMAT binary)", 10_000);
        try {
            for (int i = 0; i < userIds.length; i++) {
                rows.startRow(3);
                rows.int4((int) v);
                rows.int4(userIds[i]);
                rows.vector(users[i]);
                rows.endRow();
            }
            rows.finish();
        } catch (SQLException | RuntimeException e) {
            rows.cancel();
            throw e;
        }
    }

    /** The HNSW index of version {@code v}: inner product over {@code factors::vector(rank)}. */
    public static void createIndex(Connection c, long v, int rank) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE INDEX " + indexName(v) + " ON item_factors USING hnsw ((factors::vector(" + rank + ")) "
                    + "vector_ip_ops) WHERE version = " + v);
            st.execute("ANALYZE item_factors");
        }
    }

    static String indexName(long v) {
        return "item_factors_hnsw_v" + v;
    }

    /** Records the training time and validation figures of a version still being written. */
    public static void finish(Connection c, long v, double seconds, JsonNode validation) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE model_versions SET training_seconds = ?, validation = ?::jsonb "
                + "WHERE version = ? AND status = 'training'")) {
            ps.setDouble(1, seconds);
            ps.setString(2, validation == null ? null : validation.toString());
            ps.setLong(3, v);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("model version " + v + " is not being trained any more");
            }
        }
    }

    /** What {@link #activate} did: the version it replaced (0: none) and how many users it folded in. */
    public record Activation(long version, long replaced, int foldedIn) {}

    /**
     * Makes version {@code v} (status {@code training}, fully written) the active one, in one
     * transaction on {@code c} (which must not be in auto-commit): the active version becomes
     * {@code previous}, the previous one {@code retired}; every user with a rating at or after the
     * snapshot, or with ratings but no row in {@code v} (users who appeared since, the synthetic test
     * users), is folded in against {@code model}; then {@code NOTIFY}. Rolls back on any failure.
     */
    public static Activation activate(Connection c, long v, FactorModel model) throws SQLException {
        return activate(c, v, model, List.of("training"));
    }

    /**
     * Makes a stored version that was replaced ({@code previous} or {@code retired}) the active one
     * again, as {@link #activate} does for a new one: in one transaction on {@code c}, the active
     * version becomes {@code previous}, users who rated since the version's snapshot are folded in
     * against it, then {@code NOTIFY}. {@code model rollback} and {@code model activate} call it.
     */
    public static Activation reactivate(Connection c, long v) throws SQLException {
        List<Version> vs = versions(c, "WHERE version = " + v);
        if (vs.isEmpty()) throw new IllegalArgumentException("no model version " + v);
        if ("active".equals(vs.get(0).status())) throw new IllegalArgumentException("model version " + v
                + " is already active");
        return activate(c, v, load(c, vs.get(0)), List.of("previous", "retired"));
    }

    /** The version that was active before the active one ({@code previous}), or null. */
    public static Version previous(Connection c) throws SQLException {
        List<Version> vs = versions(c, "WHERE status = 'previous'");
        return vs.isEmpty() ? null : vs.get(0);
    }

    private static Activation activate(Connection c, long v, FactorModel model, List<String> from) throws SQLException {
        if (c.getAutoCommit()) throw new IllegalStateException("activate needs a connection in a transaction");
        try (Statement st = c.createStatement()) {
            Instant snapshot;
            try (ResultSet rs = st.executeQuery("SELECT status, snapshot_at FROM model_versions WHERE version = " + v
                    + " FOR UPDATE")) {
                if (!rs.next()) throw new IllegalStateException("no model version " + v);
                if (!from.contains(rs.getString(1))) {
                    throw new IllegalStateException("model version " + v + " is " + rs.getString(1) + ", not "
                            + String.join(" or ", from));
                }
                snapshot = rs.getTimestamp(2).toInstant();
            }
            long replaced = 0;
            try (ResultSet rs = st.executeQuery(
                    "SELECT version FROM model_versions WHERE status = 'active' FOR UPDATE")) {
                if (rs.next()) replaced = rs.getLong(1);
            }
            st.executeUpdate("UPDATE model_versions SET status = 'retired' WHERE status = 'previous' AND version <> "
                    + v);
            st.executeUpdate("UPDATE model_versions SET status = 'previous' WHERE status = 'active'");
            st.executeUpdate("UPDATE model_versions SET status = 'active', activated_at = now() WHERE version = " + v);
            List<Integer> late = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT DISTINCT r.user_id FROM ratings r WHERE r.rated_at >= ? "
                    + "OR NOT EXISTS (SELECT 1 FROM user_factors f WHERE f.version = ? AND f.user_id = r.user_id) "
                    + "ORDER BY r.user_id")) {
                ps.setTimestamp(1, Timestamp.from(snapshot));
                ps.setLong(2, v);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) late.add(rs.getInt(1));
                }
            }
            FactorModel m = model.withVersion(v);
            for (int user : late) FoldIn.write(c, user, m);
            Changes.modelChanged(st, v);
            Changes.allUsersChanged(st);
            return new Activation(v, replaced, late.size());
        }
    }

    /** The active version's row, or null when no model has been trained. */
    public static Version active(Connection c) throws SQLException {
        List<Version> vs = versions(c, "WHERE status = 'active'");
        return vs.isEmpty() ? null : vs.get(0);
    }

    /** Every stored version, newest first. */
    public static List<Version> versions(Connection c) throws SQLException {
        return versions(c, "");
    }

    private static List<Version> versions(Connection c, String where) throws SQLException {
        List<Version> out = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version, status, rank, params::text, data_fingerprint, ratings, "
                     + "users, items, snapshot_at, training_seconds, validation::text, created_at, activated_at "
                     + "FROM model_versions " + where + " ORDER BY version DESC")) {
            while (rs.next()) {
                try {
                    out.add(new Version(rs.getLong(1), rs.getString(2), rs.getInt(3), JSON.readTree(rs.getString(4)),
                            rs.getString(5), rs.getLong(6), rs.getInt(7), rs.getInt(8), rs.getTimestamp(9).toInstant(),
                            (Double) rs.getObject(10),
                            rs.getString(11) == null ? null : JSON.readTree(rs.getString(11)),
                            rs.getTimestamp(12).toInstant(),
                            rs.getTimestamp(13) == null ? null : rs.getTimestamp(13).toInstant()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return out;
    }

    /** The active model's item side, or null when none is active. */
    public static FactorModel loadActive(Database db) throws SQLException {
        try (Connection c = db.connect()) {
            Version v = active(c);
            return v == null ? null : load(c, v);
        }
    }

    /** The item side of a stored version: its settings and every served vector (one binary COPY). */
    public static FactorModel load(Connection c, Version v) throws SQLException {
        ImplicitAls.Params p = settings(v.params()).als();
        ByteArrayOutputStream buf = new ByteArrayOutputStream(1 << 20);
        try {
            c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (SELECT movie_id, factors, learned "
                    + "FROM item_factors WHERE version = " + v.version() + " ORDER BY movie_id) "
                    + "TO STDOUT (FORMAT binary)", buf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int k = p.rank();
        int[] ids = new int[1024];
        float[] vec = new float[1024 * k];
        float[] learned = new float[1024];
        int n = 0;
        // Binary COPY: signature, flags, extension; per row int16 fields, then (int32 length, bytes) per field.
        try (DataInputStream d = new DataInputStream(new ByteArrayInputStream(buf.toByteArray()))) {
            d.skipNBytes(11 + 4 + 4);
            while (d.readShort() != -1) {
                if (n == ids.length) {
                    ids = Arrays.copyOf(ids, n * 2);
                    vec = Arrays.copyOf(vec, n * 2 * k);
                    learned = Arrays.copyOf(learned, n * 2);
                }
                d.readInt();
                ids[n] = d.readInt();
                d.readInt();
                int dim = d.readShort();
                d.readShort();
                if (dim != k) {
                    throw new IllegalStateException("model version " + v.version() + ": movie " + ids[n] + " has a "
                            + dim + "-dim vector, the rank is " + k);
                }
                for (int j = 0; j < k; j++) vec[n * k + j] = d.readFloat();
                d.readInt();
                learned[n] = d.readFloat();
                n++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the factors of model version " + v.version(), e);
        }
        return new FactorModel(v.version(), p, Arrays.copyOf(ids, n), Arrays.copyOf(vec, n * k),
                Arrays.copyOf(learned, n));
    }

    /** One user's stored vector in {@code version}. */
    public static UserFactors user(Connection c, long version, int userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT factors::text FROM user_factors WHERE version = ? AND user_id = ?")) {
            ps.setLong(1, version);
            ps.setInt(2, userId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return new UserFactors(false, null);
                String t = rs.getString(1);
                return new UserFactors(true, t == null ? null : VectorLiteral.parse(t));
            }
        }
    }
}
