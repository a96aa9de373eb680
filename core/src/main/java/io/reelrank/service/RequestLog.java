package io.reelrank.service;

import io.reelrank.db.BinaryCopy;
import io.reelrank.db.Database;
import io.reelrank.rank.Feature;
import io.reelrank.rank.FeatureSet;
import io.reelrank.recommend.Recommender;
import io.reelrank.rerank.PersonalizedSearch;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request log: one row per answered search or recommendation in {@code request_log}, with what was
 * shown, which ranker served it and the feature values it used ({@link Entry}). A route calls
 * {@link #newRequestId} for its answer's {@code request_id} and {@link #log} once it has answered; the
 * row is written later, in batches, by one background thread with binary COPY, so logging never makes a
 * search wait for the database. The queue is bounded ({@link #capacity}): when it is full the entry is
 * dropped and counted ({@link #dropped}, exported in {@code /metrics}) rather than slowing searches or
 * growing without end, because a logged request is not an answered event: no client was told it is
 * stored. The entries this process served recently stay in memory ({@link #CACHED}), so an event that
 * names a request answered a moment ago validates before its row is written; {@link #find} reads the
 * others from the table. The caller {@link #close}s it, which writes what is queued.
 */
public final class RequestLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RequestLog.class);

    public static final int DEFAULT_CAPACITY = 50_000;
    public static final int MAX_CAPACITY = 10_000_000;
    /** Recent requests kept in memory for validating events. */
    static final int CACHED = 100_000;
    /** Rows per COPY at most. */
    static final int BATCH = 2_000;
    static final String SEARCH = "search";
    static final String RECOMMEND = "recommend";

    /**
     * One served answer. {@code requestId}: {@link #newRequestId}'s 32 hex digits; {@code servedAtMicros}:
     * Unix epoch microseconds; {@code user} null for an anonymous search; {@code kind} search or
     * recommend; {@code ranker}: the fusion that served a search, or a recommendation's source;
     * {@code rankerVersion} the learned ranker's version (null: none); {@code experimentId} and
     * {@code arms} (one per shown position) null outside an experiment; {@code movieIds} in the order
     * shown; {@code features} row-major, {@code featureNames.length} values per shown movie (both null
     * when nothing was captured).
     */
    public record Entry(String requestId, long servedAtMicros, Integer user, String kind, String query, String ranker,
                        Integer rankerVersion, Integer modelVersion, Integer experimentId, short[] arms, int[] movieIds,
                        String[] featureNames, float[] features) {
        public Entry {
            if (!kind.equals(SEARCH) && !kind.equals(RECOMMEND)) {
                throw new IllegalArgumentException("kind must be search or recommend, got " + kind);
            }
            if (arms != null && arms.length != movieIds.length) {
                throw new IllegalArgumentException("one arm per shown movie: " + arms.length + " arms, "
                        + movieIds.length + " movies");
            }
            if ((featureNames == null) != (features == null) || features != null
                    && features.length != featureNames.length * movieIds.length) {
                throw new IllegalArgumentException("features must hold " + (featureNames == null ? 0
                        : featureNames.length) + " values per shown movie (" + movieIds.length + "), got "
                        + (features == null ? "none" : features.length));
            }
        }

        /** This entry served in experiment {@code id}; {@code arms[i]}: the arm that placed position i + 1's movie. */
        public Entry withExperiment(int id, short[] arms) {
            return new Entry(requestId, servedAtMicros, user, kind, query, ranker, rankerVersion, modelVersion, id,
                    arms, movieIds, featureNames, features);
        }
    }

    /** What an event is checked against: who was shown what, by which ranker. */
    public record Served(String requestId, Integer user, String ranker, Integer rankerVersion, Integer experimentId,
                         short[] arms, int[] movieIds) {
        static Served of(Entry e) {
            return new Served(e.requestId(), e.user(), e.ranker(), e.rankerVersion(), e.experimentId(), e.arms(),
                    e.movieIds());
        }
    }

    /** The values a fusion with a formula combined, per shown movie (NaN where a tower had no vector). */
    static final String[] FORMULA_FEATURES = {"bm25", "bm25_rank", "similarity", "collaborative", "rating_count",
        "score"};
    /** A recommendation's one value per movie: its score under the source that served it. */
    static final String[] RECOMMEND_FEATURES = {"score"};

    /**
     * The entry of a search answer: a learned ranking's {@link FeatureSet} rows as the ranker scored them
     * ({@link PersonalizedSearch.Response#servedFeatures}, not recomputed); for a fusion with a formula the
     * inputs it combined, which the answer already holds ({@link #FORMULA_FEATURES}).
     */
    public static Entry search(String requestId, long servedAtMicros, PersonalizedSearch.Response r) {
        List<PersonalizedSearch.Result> res = r.results();
        int[] movies = new int[res.size()];
        for (int i = 0; i < movies.length; i++) movies[i] = res.get(i).movieId();
        String[] names;
        float[] values;
        if (r.servedFeatures() != null) {
            names = new String[FeatureSet.WIDTH];
            for (Feature f : FeatureSet.ALL) names[f.ordinal()] = f.key();
            values = r.servedFeatures();
        } else {
            names = FORMULA_FEATURES;
            values = new float[movies.length * names.length];
            for (int i = 0; i < movies.length; i++) {
                PersonalizedSearch.Result x = res.get(i);
                int o = i * names.length;
                values[o] = (float) x.bm25();
                values[o + 1] = x.bm25Rank() > 0 ? x.bm25Rank() : Float.NaN;
                values[o + 2] = x.similarity() == null ? Float.NaN : x.similarity().floatValue();
                values[o + 3] = x.collaborative() == null ? Float.NaN : x.collaborative().floatValue();
                values[o + 4] = x.ratingCount();
                values[o + 5] = (float) x.score();
            }
        }
        return new Entry(requestId, servedAtMicros, r.user(), SEARCH, r.query(), r.fusion().toString(),
                r.rankerVersion() > 0 ? (int) r.rankerVersion() : null, r.modelVersion() > 0 ? (int) r.modelVersion()
                : null, null, null, movies, names, values);
    }

    /** The entry of a recommendation answer: its source as the ranker, each movie's score as its one value. */
    public static Entry recommendation(String requestId, long servedAtMicros, Recommender.Response r) {
        int[] movies = new int[r.items().size()];
        float[] values = new float[movies.length];
        for (int i = 0; i < movies.length; i++) {
            movies[i] = r.items().get(i).movieId();
            values[i] = (float) r.items().get(i).score();
        }
        return new Entry(requestId, servedAtMicros, r.user(), RECOMMEND, null, r.source(),
                r.rankerVersion() > 0 ? (int) r.rankerVersion() : null, r.modelVersion() > 0 ? (int) r.modelVersion()
                : null, null, null, movies, RECOMMEND_FEATURES, values);
    }

    /** Now, in Unix epoch microseconds (the request log's clock). */
    public static long nowMicros() {
        java.time.Instant t = java.time.Instant.now();
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    /** When set ({@link #seedRequestIds}), the source of the ids' random part instead of {@link #RANDOM}. */
    private static java.util.SplittableRandom seeded;

    /**
     * Makes this process's request ids' random part a seeded sequence: the same requests in the same
     * order get the same ids, so an interleaving experiment's coin flips (seeded by the id) replay with a
     * simulated audience. Ids can then be predicted: for simulations only ({@code serve --request-id-seed}).
     */
    public static synchronized void seedRequestIds(long seed) {
        seeded = new java.util.SplittableRandom(seed);
    }

    /** Back to unpredictable ids from the secure generator (the default). */
    public static synchronized void secureRequestIds() {
        seeded = null;
    }

    private final Database db;
    private final ArrayBlockingQueue<Entry> queue;
    private final Map<String, Served> recent = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Served> eldest) {
            return size() > CACHED;
        }
    };
    private final AtomicLong logged = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Set<LocalDate> days = new HashSet<>();
    private final Thread writer;
    private volatile boolean closed;

    /** A log writing to {@code db}, queueing at most {@code capacity} entries. */
    public RequestLog(Database db, int capacity) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("request log queue must be in 1-" + MAX_CAPACITY + " entries, got "
                    + capacity);
        }
        this.db = db;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = new Thread(this::writeLoop, "reelrank-request-log");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * A new request id: 32 hex digits, the first 8 the Unix second {@code epochMillis} falls in (so a
     * lookup reads one day's partition), the other 24 random (96 bits, from a secure generator, so an id
     * cannot be guessed from another).
     */
    public static String newRequestId(long epochMillis) {
        byte[] r = new byte[12];
        java.util.SplittableRandom s;
        synchronized (RequestLog.class) {
            s = seeded;
            if (s != null) s.nextBytes(r);
        }
        if (s == null) RANDOM.nextBytes(r);
        StringBuilder b = new StringBuilder(32).append(String.format(Locale.ROOT, "%08x", epochMillis / 1000));
        for (byte x : r) b.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        return b.toString();
    }

    /** Whether {@code id} has the form of a request id (32 lower-case hex digits). */
    public static boolean wellFormed(String id) {
        if (id == null || id.length() != 32) return false;
        for (int i = 0; i < 32; i++) {
            char c = id.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) return false;
        }
        return true;
    }

    /** Queues an entry; false when the queue is full and it was dropped (counted in {@link #dropped}). */
    public boolean log(Entry e) {
        synchronized (recent) {
            recent.put(e.requestId(), Served.of(e));
        }
        logged.incrementAndGet();
        if (closed || !queue.offer(e)) {
            dropped.incrementAndGet();
            return false;
        }
        return true;
    }

    /** The served requests among {@code ids} (well-formed ones), from memory or the table; absent ones are missing. */
    public Map<String, Served> find(Collection<String> ids) throws SQLException {
        Map<String, Served> out = new HashMap<>();
        List<String> missing = new ArrayList<>();
        synchronized (recent) {
            for (String id : ids) {
                Served s = recent.get(id);
                if (s != null) out.put(id, s);
                else if (wellFormed(id) && !out.containsKey(id)) missing.add(id);
            }
        }
        if (missing.isEmpty()) return out;
        // The id's first 8 hex digits are the second it was served in: the bound finds one partition.
        String sql = "SELECT user_id, ranker, ranker_version, experiment_id, arms, movie_ids FROM request_log "
                + "WHERE request_id = ?::uuid AND served_at >= to_timestamp(?) AND served_at < to_timestamp(?)";
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (String id : new HashSet<>(missing)) {
                long second = Long.parseLong(id.substring(0, 8), 16);
                ps.setString(1, id);
                ps.setLong(2, second);
                ps.setLong(3, second + 1);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) continue;
                    int u = rs.getInt(1);
                    Integer user = rs.wasNull() ? null : u;
                    int v = rs.getInt(3);
                    Integer version = rs.wasNull() ? null : v;
                    int x = rs.getInt(4);
                    Integer experiment = rs.wasNull() ? null : x;
                    java.sql.Array a = rs.getArray(5);
                    short[] arms = null;
                    if (a != null) {
                        Object[] o = (Object[]) a.getArray();
                        arms = new short[o.length];
                        for (int i = 0; i < o.length; i++) arms[i] = ((Number) o[i]).shortValue();
                    }
                    Object[] m = (Object[]) rs.getArray(6).getArray();
                    int[] movies = new int[m.length];
                    for (int i = 0; i < m.length; i++) movies[i] = ((Number) m[i]).intValue();
                    out.put(id, new Served(id, user, rs.getString(2), version, experiment, arms, movies));
                }
            }
        }
        return out;
    }

    public long logged() {
        return logged.get();
    }

    /** Entries dropped because the queue was full (or the log closed): served, never written. */
    public long dropped() {
        return dropped.get();
    }

    public long written() {
        return written.get();
    }

    /** Entries whose write failed (the database was unreachable): served, never written. */
    public long failed() {
        return failed.get();
    }

    public int queued() {
        return queue.size();
    }

    public int capacity() {
        return queue.size() + queue.remainingCapacity();
    }

    /** Waits until every entry queued before the call is written (or failed); for tests and benchmarks. */
    public void flush(long timeoutMs) throws InterruptedException {
        long target = logged.get() - dropped.get();
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (written.get() + failed.get() < target && System.nanoTime() < deadline) Thread.sleep(2);
    }

    private void writeLoop() {
        List<Entry> batch = new ArrayList<>(BATCH);
        while (true) {
            try {
                Entry first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closed) return;
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                write(batch);
            } catch (InterruptedException e) {
                if (closed && queue.isEmpty()) return;
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Entry> batch) {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                ensureDays(batch);
                copy(batch);
                written.addAndGet(batch.size());
                return;
            } catch (SQLException | RuntimeException e) {
                if (attempt == 1) {
                    failed.addAndGet(batch.size());
                    LOG.warn("request log: {} entries not written ({})", batch.size(), e.getMessage());
                } else {
                    synchronized (days) {
                        days.clear(); // a partition may have been dropped or never made: check again
                    }
                }
            }
        }
    }

    private void ensureDays(List<Entry> batch) throws SQLException {
        Set<LocalDate> need = new HashSet<>();
        for (Entry e : batch) need.add(EventPartitions.utcDay(e.servedAtMicros() / 1000));
        synchronized (days) {
            need.removeAll(days);
        }
        for (LocalDate d : need) {
            EventPartitions.ensure(db, d);
            synchronized (days) {
                days.add(d);
            }
        }
    }

    private void copy(List<Entry> batch) throws SQLException {
        try (Connection c = db.connect()) {
            try (Statement st = c.createStatement()) {
                // Not an answered event: a lost tail on a crash is acceptable, a WAL flush per batch is not needed.
                st.execute("SET synchronous_commit = off");
            }
            try {
                BinaryCopy copy = new BinaryCopy(c.unwrap(PGConnection.class).getCopyAPI(),
                        "COPY request_log (request_id, served_at, user_id, kind, query, ranker, ranker_version, "
                                + "model_version, experiment_id, arms, movie_ids, feature_names, features) "
                                + "FROM STDIN (FORMAT binary)", BATCH);
                try {
                    for (Entry e : batch) {
                        copy.startRow(13);
                        copy.uuid(Long.parseUnsignedLong(e.requestId().substring(0, 16), 16),
                                Long.parseUnsignedLong(e.requestId().substring(16), 16));
                        copy.timestampFromEpochMicros(e.servedAtMicros());
                        copy.int4OrNull(e.user());
                        copy.text(e.kind());
                        copy.text(e.query());
                        copy.text(e.ranker());
                        copy.int4OrNull(e.rankerVersion());
                        copy.int4OrNull(e.modelVersion());
                        copy.int4OrNull(e.experimentId());
                        copy.int2Array(e.arms());
                        copy.int4Array(e.movieIds());
                        copy.textArray(e.featureNames());
                        copy.float4Array(e.features());
                        copy.endRow();
                    }
                    copy.finish();
                } catch (SQLException | RuntimeException ex) {
                    copy.cancel();
                    throw ex;
                }
            } finally {
                try (Statement st = c.createStatement()) {
                    st.execute("RESET synchronous_commit");
                }
            }
        }
    }

    /** Stops taking entries, writes what is queued (waiting at most 10 s), then ends the writer. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
