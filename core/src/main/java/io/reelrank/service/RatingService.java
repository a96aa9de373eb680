package io.reelrank.service;

import io.reelrank.db.Changes;
import io.reelrank.db.Database;
import io.reelrank.db.Locks;
import io.reelrank.db.MovieStats;
import io.reelrank.db.RatingSource;
import io.reelrank.db.RatingTotals;
import io.reelrank.index.IndexFollower;
import io.reelrank.index.MovieIndex;
import io.reelrank.model.FactorModel;
import io.reelrank.model.FoldIn;
import io.reelrank.model.ItemVectors;
import io.reelrank.model.RatingBuffer;
import io.reelrank.model.RatingHistory;
import io.reelrank.user.TestUsers;
import io.reelrank.user.UserTower;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that writes ratings: {@code reelrank rate}, {@code POST /api/users/{id}/ratings},
 * {@code reelrank test-users}, and deletes them: {@code reelrank users delete}, {@code DELETE
 * /api/users/{id}} ({@link #forget}).
 *
 * <p><b>Group commit.</b> {@link #rateAsync} validates a rating (0.5-5.0 in half steps, a positive user
 * id) and queues it; one writer thread per service takes everything queued (up to {@link #maxBatch},
 * at most one rating per user and movie) into one transaction, so concurrent ratings share its round
 * trips and its one WAL flush: while a transaction commits, the next batch gathers. A transaction is
 * two round trips to PostgreSQL (statements sent together, each with its own snapshot):
 * <ol>
 *   <li>the table locks in {@link Locks}' order (waiting at most {@link #lockTimeoutMs}, e.g. behind a
 *       reload) and {@code synchronous_commit = on}, so a rating is durable when it is answered
 *       whatever the server's default; in one statement, the rating rows of movies that exist (a rating
 *       of an unknown movie fails alone), in (user, movie) order, and the movies' {@code rating_count},
 *       {@code rating_sum} and {@code avg_rating} moved by what each row added or changed
 *       ({@link MovieStats#APPLY_DELTAS}; {@code rating_totals} follows through its triggers); then the
 *       totals μ comes from and the users' histories, this batch's rows included;</li>
 *   <li>here, their content vectors ({@link UserTower}) and collaborative vectors folded into the active
 *       model ({@link FoldIn#updateAll}); then, in one statement, both stored and the notifications
 *       (each user; the batch's movies) sent, and the {@code COMMIT}.</li>
 * </ol>
 * The rows a batch locks are taken in the same order by every writer (ratings by (user, movie); then
 * the one {@code rating_totals} row, which queues concurrent writers until commit; then movies, users,
 * user factors by id), so batches of two servers never deadlock. After the commit the movies' index
 * entries follow: by the process's {@link IndexFollower} when one follows this index directory (a
 * server: the notification reaches it, and one pass, seen through a near-real-time reader without a
 * commit, covers every change that arrived meanwhile), else here before the ratings are answered (the
 * CLI). Where the time goes is recorded in {@link WriteSteps#PROCESS}.
 *
 * <p>Failures are typed: {@link BadRatingException}, {@link UnknownMovieException} (that rating was
 * not written), {@link BusyException} (the locks were not free in time: a reload is running; nothing
 * of the batch was written; retry). The caller supplies the item vectors and its copy of the active
 * model (suppliers, so a server that reloads them is followed; a null model means "read the active
 * one"), may share one instance between threads, and may {@link #close} it (an idle writer thread
 * also ends by itself after {@link #IDLE_MS}).
 */
public final class RatingService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RatingService.class);

    /** How long a rating waits for a batch job (a reload, the test users) to release the tables. */
    public static final long DEFAULT_LOCK_TIMEOUT_MS = 5_000;
    /** Ratings per transaction at most: bounds a transaction's time when thousands are queued. */
    public static final int DEFAULT_MAX_BATCH = 256;
    /** An idle writer thread ends after this long; the next rating starts one again. */
    static final long IDLE_MS = 30_000;

    /** The rating is outside 0.5-5.0 or not a half step, or the user id is not positive. */
    public static final class BadRatingException extends IllegalArgumentException {
        BadRatingException(String message) {
            super(message);
        }
    }

    /** The movie is not in the catalog. */
    public static final class UnknownMovieException extends IllegalArgumentException {
        UnknownMovieException(int movieId) {
            super("unknown movie " + movieId + ": no such movie_id in the movies table");
        }
    }

    /** The tables stayed locked (a reload or another batch job is running) longer than the lock timeout. */
    public static final class BusyException extends RuntimeException {
        BusyException(long ms, Throwable cause) {
            super("a reload or another batch job is running (the tables stayed locked for " + ms
                    + " ms); nothing was written, retry in a few seconds", cause);
        }
    }

    /** No table holds anything of this user: nothing to delete. */
    public static final class UnknownUserException extends IllegalArgumentException {
        UnknownUserException(int userId) {
            super("unknown user " + userId + ": no ratings, tags, vectors or keys of this user_id");
        }
    }

    /**
     * What {@link #rate} stored: the movie's title, whether a rating was replaced, the user's new content
     * vector and the fold-in (null when no model is active; its model is the version folded into).
     */
    public record Stored(int userId, int movieId, double rating, String title, boolean replaced, float[] vector,
                         FoldIn.Result foldIn) {}

    /**
     * What {@link #forget} removed: the user's ratings, tags, collaborative vectors (one per model
     * version), keys, whether there was a users row with a content vector, whether the user was a test
     * user, whether their rows came from the MovieLens files ({@code fromFiles}: then recorded in
     * {@code forgotten_users}, so a reload leaves them out) and the movies whose statistics and index
     * entries changed.
     */
    public record Forgotten(int userId, int ratings, int tags, int factors, int keys, boolean hadVector,
                            boolean testUser, boolean fromFiles, Set<Integer> movies) {}

    private final Database db;
    private final Supplier<ItemVectors> items;
    private final Supplier<FactorModel> model;
    private final double shrinkage;
    private final Path indexDir;
    private final long lockTimeoutMs;
    private volatile int maxBatch = DEFAULT_MAX_BATCH;

    private final Object lock = new Object();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private Thread writer;
    private boolean closed;

    /**
     * @param items     the item vectors the user tower uses (centered, as the searches use them)
     * @param shrinkage k of the user tower, ≥ 0
     * @param indexDir  the Lucene index this process searches, brought in step after each commit; null for none
     */
    public RatingService(Database db, Supplier<ItemVectors> items, Supplier<FactorModel> model, double shrinkage,
                         Path indexDir) {
        this(db, items, model, shrinkage, indexDir, DEFAULT_LOCK_TIMEOUT_MS);
    }

    /** @param model the caller's copy of the active collaborative model (its value may be null: read the active one) */
    public RatingService(Database db, Supplier<ItemVectors> items, Supplier<FactorModel> model, double shrinkage,
                         Path indexDir, long lockTimeoutMs) {
        if (!(shrinkage >= 0 && Double.isFinite(shrinkage))) {
            throw new IllegalArgumentException("shrinkage must be a finite number >= 0, got " + shrinkage);
        }
        if (lockTimeoutMs < 1 || lockTimeoutMs > 600_000) {
            throw new IllegalArgumentException("lock timeout must be in 1-600000 ms, got " + lockTimeoutMs);
        }
        this.db = db;
        this.items = items;
        this.model = model;
        this.shrinkage = shrinkage;
        this.indexDir = indexDir == null ? null : indexDir.toAbsolutePath().normalize();
        this.lockTimeoutMs = lockTimeoutMs;
    }

    /**
     * Sets the most ratings one transaction takes, 1-10000 (1: a transaction per rating, the design
     * before group commit, which {@code bench rate} measures beside it); applies to the next batch.
     */
    public RatingService maxBatch(int n) {
        if (n < 1 || n > 10_000) throw new IllegalArgumentException("max batch must be in 1-10000, got " + n);
        maxBatch = n;
        return this;
    }

    /** Stores (or replaces) one rating and waits until it is committed: the steps in the class comment. */
    public Stored rate(int userId, int movieId, double rating, RatingSource source) throws SQLException, IOException {
        CompletableFuture<Stored> f = rateAsync(userId, movieId, rating, source);
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the rating was being stored (it may still be)", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException s) throw s;
            if (cause instanceof IOException io) throw io;
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            throw new IllegalStateException(cause);
        }
    }

    /**
     * Queues one rating for the next transaction and returns at once; the future completes when the
     * rating is committed (and, without an index follower in this process, its index entry updated),
     * or with the failure. Invalid input is refused here, before anything is queued.
     */
    public CompletableFuture<Stored> rateAsync(int userId, int movieId, double rating, RatingSource source) {
        validate(userId, rating);
        if (source == RatingSource.MOVIELENS) {
            throw new IllegalArgumentException("MovieLens ratings come from reelrank ingest, not from a single rating");
        }
        Pending p = new Pending(userId, movieId, rating, source);
        synchronized (lock) {
            if (closed) throw new IllegalStateException("the rating service is closed");
            queue.add(p);
            if (writer == null) {
                writer = new Thread(this::writeLoop, "reelrank-ratings");
                writer.setDaemon(true);
                writer.start();
            } else {
                lock.notifyAll();
            }
        }
        return p.done;
    }

    /** The checks a rating passes before it is queued. */
    static void validate(int userId, double rating) {
        if (userId < 1) throw new BadRatingException("user id must be a positive integer, got " + userId);
        double h = rating * 2;
        if (!(rating >= 0.5 && rating <= 5.0) || h != Math.rint(h)) {
            throw new BadRatingException("rating must be 0.5-5.0 in steps of 0.5, got " + rating);
        }
    }

    /** Writes everything queued, then waits for more; ends when idle for {@link #IDLE_MS} or closed and drained. */
    private void writeLoop() {
        while (true) {
            List<Pending> batch;
            synchronized (lock) {
                long idleUntil = System.nanoTime() + IDLE_MS * 1_000_000;
                while (queue.isEmpty()) {
                    long left = (idleUntil - System.nanoTime()) / 1_000_000;
                    if (closed || left <= 0) {
                        writer = null;
                        lock.notifyAll();
                        return;
                    }
                    try {
                        lock.wait(left);
                    } catch (InterruptedException e) {
                        // only close() interrupts nobody; keep serving what is queued
                    }
                }
                batch = take();
            }
            write(batch);
        }
    }

    /** Up to {@link #maxBatch} queued ratings in arrival order, at most one per (user, movie): a later one waits. */
    private List<Pending> take() {
        List<Pending> batch = new ArrayList<>();
        Set<Long> keys = new HashSet<>();
        for (Iterator<Pending> it = queue.iterator(); it.hasNext() && batch.size() < maxBatch; ) {
            Pending p = it.next();
            if (keys.add(((long) p.userId << 32) | (p.movieId & 0xffffffffL))) {
                batch.add(p);
                it.remove();
            }
        }
        return batch;
    }

    /** One transaction for the batch (retried once after a deadlock), then the index, then the answers. */
    private void write(List<Pending> batch) {
        WriteSteps steps = WriteSteps.PROCESS;
        long start = System.nanoTime();
        for (Pending p : batch) steps.add("waiting for a transaction (per rating)", start - p.queuedAt);
        Map<Pending, Stored> stored = null;
        Exception failure = null;
        for (int attempt = 0; attempt < 2 && stored == null; attempt++) {
            try {
                stored = writeBatch(batch, steps.timer());
            } catch (SQLException | RuntimeException e) {
                // A deadlock with a writer outside this order (a hand-written transaction) is tried once more.
                failure = Locks.timedOut(e) ? new BusyException(lockTimeoutMs, e) : e;
                if (!isDeadlock(e)) break;
            }
        }
        if (stored == null) {
            for (Pending p : batch) p.done.completeExceptionally(failure);
            return;
        }
        Set<Integer> movies = new TreeSet<>();
        for (Stored s : stored.values()) movies.add(s.movieId());
        // A follower of this index in this process takes the movies at once; without one (the CLI) they are
        // updated here before the ratings are answered.
        if (!movies.isEmpty() && !IndexFollower.apply(indexDir, movies)) {
            WriteSteps.Timer t = steps.timer();
            try {
                updateIndex(movies);
            } catch (IOException | SQLException | RuntimeException e) {
                // The ratings are stored; only this process's copy of the movies' entries is behind. Say so
                // without naming a directory, so any follower of this index brings it in step.
                LOG.warn("ratings stored, but the index entries of movies {} were not updated here ({}); the index "
                        + "follower will", movies, e.getMessage());
                announceIndexBehind(movies);
            }
            t.lap("index entries (this process, no follower)");
        }
        for (Pending p : batch) {
            Stored s = stored.get(p);
            if (s != null) p.done.complete(s);
            else p.done.completeExceptionally(new UnknownMovieException(p.movieId));
        }
    }

    private static boolean isDeadlock(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && ("40P01".equals(s.getSQLState())
                    || "40001".equals(s.getSQLState()))) return true;
            if (t.getCause() == t) break;
        }
        return false;
    }

    /** One transaction for the batch; the ratings of unknown movies are left out of the result. */
    private Map<Pending, Stored> writeBatch(List<Pending> batch, WriteSteps.Timer t) throws SQLException {
        try (Connection c = db.connect()) {
            t.lap("connection");
            c.setAutoCommit(false);
            try {
                Map<Pending, Stored> out = writeInTransaction(c, batch, t);
                // The last statement carried the COMMIT (an empty batch's nothing): no round trip when done.
                c.commit();
                WriteSteps.PROCESS.batch(out.size());
                return out;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is broken; closing it discards the transaction anyway
                }
                throw e;
            }
        }
    }

    private Map<Pending, Stored> writeInTransaction(Connection c, List<Pending> batch,
            WriteSteps.Timer t) throws SQLException {
        // (user, movie) order: two batches that share rows lock them in the same order.
        List<Pending> rows = new ArrayList<>(batch);
        rows.sort((a, b) -> a.userId != b.userId ? Integer.compare(a.userId, b.userId) : Integer.compare(a.movieId,
                b.movieId));
        FirstTrip first = storeAndRead(c, rows, lockTimeoutMs);
        Map<Long, Written> written = first.written();
        List<Pending> known = new ArrayList<>();
        for (Pending p : rows) if (written.containsKey(key(p.userId, p.movieId))) known.add(p);
        t.lap("locks, rating rows, movie statistics, histories, μ (one round trip)");
        if (known.isEmpty()) return Map.of();
        int[] users = known.stream().mapToInt(p -> p.userId).distinct().sorted().toArray();
        Read read = first.read();
        ItemVectors iv = items.get();
        float[][] vectors = new float[users.length][];
        Map<Integer, RatingHistory> histories = new HashMap<>();
        for (int i = 0; i < users.length; i++) {
            RatingHistory h = read.histories().get(users[i]);
            histories.put(users[i], h);
            vectors[i] = UserTower.vector(h.movies(), h.ratings(), h.size(), iv, read.mu(), shrinkage);
        }
        FactorModel m = read.version() == null ? null : FoldIn.model(c, read.version(), model.get());
        Map<Integer, float[]> factors = m == null ? Map.of() : FoldIn.foldInAll(m, histories);
        t.lap("content vectors and fold-in (computed)");
        Set<Integer> movies = new TreeSet<>();
        for (Pending p : known) movies.add(p.movieId);
        storeVectorsAndCommit(c, users, vectors, m, factors, Changes.ratingsChanged(users, movies,
                IndexFollower.follows(indexDir) ? null : indexDir));
        t.lap("vectors, notifications, commit (WAL flushed; one round trip)");
        FoldIn.Batch folded = m == null ? null : new FoldIn.Batch(m.version(), m, factors);
        Map<Integer, float[]> vectorOf = new HashMap<>();
        for (int i = 0; i < users.length; i++) vectorOf.put(users[i], vectors[i]);
        Map<Pending, Stored> out = new HashMap<>();
        for (Pending p : known) {
            Written w = written.get(key(p.userId, p.movieId));
            FoldIn.Result f = folded == null ? null : new FoldIn.Result(folded.version(),
                    folded.vectors().get(p.userId),
                    folded.model());
            out.put(p, new Stored(p.userId, p.movieId, p.rating, w.title(), w.replaced(), vectorOf.get(p.userId), f));
        }
        return out;
    }

    /** The first round trip's outcome: the rating rows as written and what the batch read after them. */
    private record FirstTrip(Map<Long, Written> written, Read read) {}

    /** What a batch reads after its rows are in: histories of its users, μ, and the active model version (locked). */
    private record Read(Map<Integer, RatingHistory> histories, double mu, Long version) {}

    /**
     * The batch's reads, two statements after the rating rows' (so they see them, and whatever a writer the
     * rows waited for committed). {@link #TOTALS}: the totals μ comes from, and the active model version,
     * locked {@code FOR SHARE} for the rest of the transaction so that an activation waits for it and then
     * folds these users in again ({@link FoldIn}). {@link #HISTORIES}: the users' ratings (parameter: the
     * users), the stars as {@code real}, which they are exactly (halves of 0.5-5.0).
     */
    private static final String TOTALS = "SELECT t.ratings, t.rating_sum, v.version FROM rating_totals t "
            + "LEFT JOIN (" + FoldIn.LOCK_ACTIVE + ") v ON true";

    /** See {@link #TOTALS}. */
    private static final String HISTORIES = "SELECT user_id, movie_id, rating::real FROM ratings "
            + "WHERE user_id = ANY (?)";

    /** {@link #TOTALS}' row: μ and the active model version (null: none), histories to come. */
    private static Read totals(ResultSet rs) throws SQLException {
        if (!rs.next()) throw new IllegalStateException("rating_totals has no row (its migration, V5, inserts it)");
        BigDecimal sum = rs.getBigDecimal(2);
        long v = rs.getLong(3);
        Long version = rs.wasNull() ? null : v;
        return new Read(null, new RatingTotals(rs.getLong(1), sum).mean(), version);
    }

    /** {@link #HISTORIES}' rows: the rating history of each of {@code users}. */
    private static Map<Integer, RatingHistory> histories(ResultSet rs, int[] users) throws SQLException {
        Map<Integer, RatingBuffer> buffers = new HashMap<>();
        for (int u : users) buffers.put(u, new RatingBuffer(64));
        while (rs.next()) buffers.get(rs.getInt(1)).add(rs.getInt(2), rs.getFloat(3));
        Map<Integer, RatingHistory> histories = new HashMap<>();
        for (Map.Entry<Integer, RatingBuffer> e : buffers.entrySet()) histories.put(e.getKey(), e.getValue().history());
        return histories;
    }

    /**
     * When {@link #TOTALS} found no active version, an activation may have just committed: the locked row is
     * no longer active and the new one was not in that statement's snapshot. Look once more, as
     * {@link FoldIn#update} does.
     */
    private static Read withVersion(Connection c, Read read) throws SQLException {
        if (read.version() != null) return read;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(FoldIn.LOCK_ACTIVE)) {
            return rs.next() ? new Read(read.histories(), read.mu(), rs.getLong(1)) : read;
        }
    }

    /**
     * The transaction's second round trip, the batch's writes in one statement: each user's content
     * vector ({@code users.embedding}, the row made when new, as {@link UserTower#recompute} stores it),
     * their collaborative vector in model
     * {@code m}'s version (as {@link FoldIn#update} stores it; none without a model), rows in user_id
     * order, and the notifications; then the transaction's {@code COMMIT}, in the same round trip (the
     * answer comes when the WAL is flushed). The vectors travel as one binary {@code real[]} each (all
     * users' components end to end, sliced per user in SQL and cast to {@code vector}, exactly): no
     * decimal text to write and parse, which was most of a batch's CPU in this process.
     */
    private static void storeVectorsAndCommit(Connection c, int[] users, float[][] vectors, FactorModel m,
            Map<Integer, float[]> factors, Changes.Notices notices) throws SQLException {
        Object[] ids = new Object[users.length];
        float[][] cf = new float[m == null ? 0 : users.length][];
        for (int i = 0; i < users.length; i++) {
            ids[i] = users[i];
            if (m != null) cf[i] = factors.get(users[i]);
        }
        Flat content = Flat.of(vectors);
        Flat collaborative = Flat.of(cf);
        try (PreparedStatement ps = c.prepareStatement("WITH u AS (INSERT INTO users (user_id, embedding) "
                + "SELECT u, CASE WHEN d > 0 THEN (x.a[(o - 1) * d + 1 : o * d])::vector END "
                + "FROM unnest(?::int[], ?::int[]) WITH ORDINALITY AS a(u, d, o), (SELECT ?::real[] AS a) x ORDER BY o "
                + "ON CONFLICT (user_id) DO UPDATE SET embedding = EXCLUDED.embedding, updated_at = now() RETURNING "
                        + "1), "
                + "f AS (INSERT INTO user_factors (version, user_id, factors, updated_at) "
                + "SELECT ?::int, u, CASE WHEN d > 0 THEN (y.a[(o - 1) * d + 1 : o * d])::vector END, now() "
                + "FROM unnest(?::int[], ?::int[]) WITH ORDINALITY AS b(u, d, o), (SELECT ?::real[] AS a) y ORDER BY o "
                + "ON CONFLICT (version, user_id) DO UPDATE SET factors = EXCLUDED.factors, updated_at = now() "
                        + "RETURNING 1), "
                + "n AS (SELECT pg_notify(ch, p) FROM unnest(?::text[], ?::text[]) AS n(ch, p)) "
                + "SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM f), (SELECT count(*) FROM n); COMMIT")) {
            ps.setArray(1, c.createArrayOf("int4", ids));
            ps.setObject(2, content.dims());
            ps.setObject(3, content.components());
            if (m == null) ps.setNull(4, java.sql.Types.INTEGER);
            else ps.setLong(4, m.version());
            ps.setArray(5, c.createArrayOf("int4", m == null ? new Object[0] : ids));
            ps.setObject(6, collaborative.dims());
            ps.setObject(7, collaborative.components());
            ps.setArray(8, c.createArrayOf("text", notices.channels()));
            ps.setArray(9, c.createArrayOf("text", notices.payloads()));
            // Both statements in one round trip; an error in the first skips the COMMIT (the caller rolls back).
            ps.execute();
        }
    }

    /**
     * Vectors of one dimension end to end, with each one's dimension (0 for none): sent as binary arrays,
     * where user i's vector is {@code components[i·d, (i+1)·d)} (d the one dimension of them all).
     */
    record Flat(int[] dims, float[] components) {
        static Flat of(float[][] vectors) {
            int d = 0;
            for (float[] v : vectors) {
                if (v == null) continue;
                if (d != 0 && v.length != d) {
                    throw new IllegalArgumentException("vectors of " + d + " and " + v.length + " dimensions in one "
                            + "batch");
                }
                d = v.length;
            }
            int[] dims = new int[vectors.length];
            float[] all = new float[vectors.length * d];
            for (int i = 0; i < vectors.length; i++) {
                if (vectors[i] == null) continue;
                dims[i] = d;
                System.arraycopy(vectors[i], 0, all, i * d, d);
            }
            return new Flat(dims, all);
        }
    }

    private static long key(int userId, int movieId) {
        return ((long) userId << 32) | (movieId & 0xffffffffL);
    }

    /** A rating row as written: whether it replaced one, and its movie's title. */
    private record Written(boolean replaced, String title) {}

    /**
     * The rows and the movies' figures in one statement: the rows (already in (user, movie) order) of
     * movies that exist are upserted, and their movies' figures moved by what each row added or changed
     * ({@link MovieStats#APPLY_DELTAS}). A rating of a movie not in the table is left out of the result.
     * A replaced rating that was not visible at the statement's start (a concurrent writer inserted it)
     * has no known old value: its movie is counted again instead. Parameters: users, movies, ratings,
     * sources.
     */
    private static final String STORE_RATINGS = "WITH i AS (SELECT * FROM unnest(?::int[], ?::int[], ?::numeric[], "
            + "?::text[]) WITH ORDINALITY AS i(user_id, movie_id, rating, source, o)), "
            + "k AS (SELECT i.* FROM i WHERE EXISTS (SELECT 1 FROM movies m WHERE m.movie_id = i.movie_id)), "
            + "old AS (SELECT r.user_id, r.movie_id, r.rating FROM ratings r JOIN k USING (user_id, movie_id)), "
            + "ins AS (INSERT INTO ratings AS r (user_id, movie_id, rating, rated_at, source) "
            + "SELECT user_id, movie_id, rating, now(), source FROM k ORDER BY o "
            + "ON CONFLICT (user_id, movie_id) DO UPDATE SET rating = EXCLUDED.rating, rated_at = now(), "
            + "source = EXCLUDED.source "
            + "RETURNING r.user_id, r.movie_id, r.rating, (r.xmax <> 0) AS replaced), "
            + "w AS (SELECT ins.*, old.rating AS old_rating, (ins.replaced AND old.rating IS NULL) AS unseen "
            + "FROM ins LEFT JOIN old USING (user_id, movie_id)), "
            + "d AS (SELECT movie_id, sum(CASE WHEN replaced THEN 0 ELSE 1 END)::int AS n, "
            + "sum(rating - coalesce(old_rating, 0)) AS s FROM w GROUP BY movie_id HAVING NOT bool_or(unseen)), "
            + MovieStats.APPLY_DELTAS + " "
            + "SELECT w.user_id, w.movie_id, w.replaced, w.unseen, m.title FROM w JOIN movies m USING (movie_id)";

    /**
     * The transaction's first round trip, as statements sent together: the locks
     * ({@link Locks#forRating(long)}), {@link #STORE_RATINGS}, {@link #TOTALS} and {@link #HISTORIES} of the
     * batch's users (a
     * user whose every rating was of an unknown movie is read too and left out by the caller). Each
     * statement still takes its own snapshot, so the read sees the rows and what the rows waited for.
     */
    private static FirstTrip storeAndRead(Connection c, List<Pending> rows, long lockTimeoutMs) throws SQLException {
        Object[] users = new Object[rows.size()];
        Object[] movies = new Object[rows.size()];
        Object[] stars = new Object[rows.size()];
        Object[] sources = new Object[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            Pending p = rows.get(i);
            users[i] = p.userId;
            movies[i] = p.movieId;
            stars[i] = BigDecimal.valueOf(p.rating);
            sources[i] = p.source.value();
        }
        int[] distinct = rows.stream().mapToInt(p -> p.userId).distinct().toArray();
        Map<Long, Written> out = new HashMap<>();
        Set<Integer> recount = new TreeSet<>();
        Read read = null;
        Map<Integer, RatingHistory> histories = null;
        try (PreparedStatement ps = c.prepareStatement(Locks.forRating(lockTimeoutMs) + "; " + STORE_RATINGS + "; "
                + TOTALS + "; " + HISTORIES)) {
            ps.setArray(1, c.createArrayOf("int4", users));
            ps.setArray(2, c.createArrayOf("int4", movies));
            ps.setArray(3, c.createArrayOf("numeric", stars));
            ps.setArray(4, c.createArrayOf("text", sources));
            ps.setArray(5, c.createArrayOf("int4", java.util.Arrays.stream(distinct).boxed().toArray()));
            // The locks' statements give counts, then three row sets: the rows written, the totals, the histories.
            boolean rows1 = ps.execute();
            int sets = 0;
            while (rows1 || ps.getUpdateCount() != -1) {
                if (rows1) {
                    try (ResultSet rs = ps.getResultSet()) {
                        switch (sets++) {
                            case 0 -> {
                                while (rs.next()) {
                                    out.put(key(rs.getInt(1), rs.getInt(2)), new Written(rs.getBoolean(3),
                                            rs.getString(5)));
                                    if (rs.getBoolean(4)) recount.add(rs.getInt(2));
                                }
                            }
                            case 1 -> read = totals(rs);
                            default -> histories = histories(rs, distinct);
                        }
                    }
                }
                rows1 = ps.getMoreResults();
            }
        }
        if (read == null || histories == null) throw new IllegalStateException("the batch's reads returned nothing");
        if (!recount.isEmpty()) recount(c, recount);
        return new FirstTrip(out, withVersion(c, new Read(histories, read.mu(), read.version())));
    }

    /** The movies' figures counted again from their ratings (a rating another writer inserted meanwhile). */
    private static void recount(Connection c, Collection<Integer> movies) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE movies m SET (rating_count, rating_sum, avg_rating) = "
                + "(SELECT count(*), coalesce(sum(r.rating), 0), round(avg(r.rating), 2) FROM ratings r WHERE "
                        + "r.movie_id = m.movie_id) "
                + "WHERE m.movie_id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("int4", movies.toArray()));
            ps.executeUpdate();
        }
    }

    /**
     * Deletes everything of one user, in one transaction: their ratings (the movies' {@code avg_rating},
     * {@code rating_count} and {@code rating_sum} move by deltas, {@code rating_totals} follows), tags,
     * content and collaborative vectors, API keys, test-user row and users row, with notifications (the
     * user; each key; the movies, whose index entries every server updates). A user whose rows came from
     * the MovieLens files is recorded in {@code forgotten_users}, so a reload of the files does not bring
     * them back. After the commit: {@code movie_stats} is refreshed (concurrently) and this process's index
     * entries follow. Throws {@link UnknownUserException} when there is nothing of the user,
     * {@link BusyException} behind a reload. A rating of the user queued here meanwhile may land after it.
     */
    public Forgotten forget(int userId) throws SQLException, IOException {
        return forget(List.of(userId)).get(0);
    }

    /**
     * {@link #forget} for several users, one transaction each (a failure leaves the ones before it
     * deleted), with one refresh of {@code movie_stats} and one index update at the end.
     */
    public List<Forgotten> forget(Collection<Integer> userIds) throws SQLException, IOException {
        for (int id : userIds) {
            if (id < 1) throw new BadRatingException("user id must be a positive integer, got " + id);
        }
        List<Forgotten> out = new ArrayList<>();
        Set<Integer> movies = new TreeSet<>();
        try {
            for (int id : userIds) {
                Forgotten f = transaction(c -> forgetInTransaction(c, id), Locks::forUserDeletion);
                out.add(f);
                movies.addAll(f.movies());
            }
        } finally {
            if (out.stream().anyMatch(f -> f.ratings() > 0)) {
                try (Connection c = db.connect(); Statement st = c.createStatement()) {
                    MovieStats.refreshView(st);
                }
            }
            if (!movies.isEmpty() && !IndexFollower.apply(indexDir, movies)) updateIndex(movies);
        }
        return out;
    }

    private Forgotten forgetInTransaction(Connection c, int userId) throws SQLException {
        boolean exists;
        boolean testUser;
        boolean fromFiles;
        try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM users WHERE user_id = ?), "
                + "EXISTS (SELECT 1 FROM test_users WHERE user_id = ?), "
                + "EXISTS (SELECT 1 FROM ratings WHERE user_id = ? AND source = '" + RatingSource.MOVIELENS.value()
                        + "') "
                + "OR EXISTS (SELECT 1 FROM tags WHERE user_id = ?), "
                + "EXISTS (SELECT 1 FROM ratings WHERE user_id = ?) OR EXISTS (SELECT 1 FROM user_factors WHERE "
                        + "user_id = ?) "
                + "OR EXISTS (SELECT 1 FROM api_keys WHERE user_id = ?)")) {
            for (int i = 1; i <= 7; i++) ps.setInt(i, userId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                exists = rs.getBoolean(1) || rs.getBoolean(2) || rs.getBoolean(3) || rs.getBoolean(4);
                testUser = rs.getBoolean(2);
                fromFiles = rs.getBoolean(3);
            }
        }
        if (!exists) throw new UnknownUserException(userId);
        Set<Integer> movies = new TreeSet<>();
        int ratings = 0;
        // The rows, then their movies' figures moved back (in movie_id order), in one statement.
        try (PreparedStatement ps = c.prepareStatement("WITH gone AS (DELETE FROM ratings WHERE user_id = ? "
                + "RETURNING movie_id, rating), d AS (SELECT movie_id, -count(*)::int AS n, -sum(rating) AS s FROM "
                        + "gone "
                + "GROUP BY movie_id), " + MovieStats.APPLY_DELTAS + " SELECT movie_id FROM gone")) {
            ps.setInt(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    movies.add(rs.getInt(1));
                    ratings++;
                }
            }
        }
        int tags = 0;
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM tags WHERE user_id = ? RETURNING movie_id")) {
            ps.setInt(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    movies.add(rs.getInt(1));
                    tags++;
                }
            }
        }
        int factors = update(c, "DELETE FROM user_factors WHERE user_id = ?", userId);
        List<String> keys = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM api_keys WHERE user_id = ? RETURNING key_id")) {
            ps.setInt(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) keys.add(rs.getString(1));
            }
        }
        deleteEvents(c, userId);
        update(c, "DELETE FROM test_users WHERE user_id = ?", userId);
        boolean hadVector = false;
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM users WHERE user_id = ? RETURNING embedding IS "
                + "NOT NULL")) {
            ps.setInt(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) hadVector = rs.getBoolean(1);
            }
        }
        if (fromFiles) update(c, "INSERT INTO forgotten_users (user_id) VALUES (?) ON CONFLICT DO NOTHING", userId);
        try (Statement st = c.createStatement()) {
            for (String k : keys) Changes.keyChanged(st, k);
        }
        Changes.send(c, Changes.ratingsChanged(new int[] {userId}, movies, IndexFollower.follows(indexDir) ? null
                : indexDir));
        return new Forgotten(userId, ratings, tags, factors, keys.size(), hadVector, testUser, fromFiles,
                Collections.unmodifiableSet(movies));
    }

    /**
     * The user's events (impressions, clicks, ratings posted to {@code /api/events}) and the request log's
     * rows of what they were served, deleted in the deletion's transaction, so forgetting a user leaves
     * none of them behind (docs/events.md).
     */
    private static void deleteEvents(Connection c, int userId) throws SQLException {
        update(c, "DELETE FROM events WHERE user_id = ?", userId);
        update(c, "DELETE FROM request_log WHERE user_id = ?", userId);
    }

    private static int update(Connection c, String sql, int userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, userId);
            return ps.executeUpdate();
        }
    }

    /** Creates (or re-creates) the test users as one batch; returns the ratings written per user. */
    public List<Integer> createTestUsers() throws SQLException, IOException {
        TestUsers.Created created = transaction(c -> TestUsers.create(c, items.get(), model.get(), shrinkage),
                Locks::forRatingBatch);
        updateIndex(created.movies());
        return created.counts();
    }

    /** Deletes the test users, their ratings and rows as one batch; returns how many users were removed. */
    public int removeTestUsers() throws SQLException, IOException {
        TestUsers.Created removed = transaction(TestUsers::remove, Locks::forRatingBatch);
        updateIndex(removed.movies());
        return removed.counts().get(0);
    }

    private void announceIndexBehind(Collection<Integer> movies) {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            Changes.moviesChanged(st, movies, null);
        } catch (SQLException e) {
            // The database is gone too: the follower checks the index when its listener reconnects.
        }
    }

    /** This process's index follows the committed tables (other processes hear the notification). */
    private void updateIndex(Collection<Integer> movies) throws IOException, SQLException {
        if (indexDir != null && !movies.isEmpty() && MovieIndex.exists(indexDir)) MovieIndex.update(db, indexDir,
                movies);
    }

    /** Lets the writer finish what is queued, then ends it; later ratings are refused. */
    @Override
    public void close() {
        Thread w;
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
            w = writer;
        }
        if (w != null && w != Thread.currentThread()) {
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Takes a transaction's table locks, in {@link Locks}' order, waiting at most the given ms. */
    @FunctionalInterface
    private interface TableLocks {
        void take(Statement st, long timeoutMs) throws SQLException;
    }

    private <T> T transaction(Work<T> work, TableLocks locks) throws SQLException {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    locks.take(st, lockTimeoutMs);
                }
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is broken; closing it discards the transaction anyway
                }
                if (Locks.timedOut(e)) throw new BusyException(lockTimeoutMs, e);
                throw e;
            }
        }
    }

    /** A rating waiting for its transaction, and how its caller learns the outcome. */
    private static final class Pending {
        final int userId;
        final int movieId;
        final double rating;
        final RatingSource source;
        final long queuedAt = System.nanoTime();
        final CompletableFuture<Stored> done = new CompletableFuture<>();

        Pending(int userId, int movieId, double rating, RatingSource source) {
            this.userId = userId;
            this.movieId = movieId;
            this.rating = rating;
            this.source = source;
        }
    }
}
