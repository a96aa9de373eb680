package io.reelrank.service;

import io.reelrank.db.BinaryCopy;
import io.reelrank.db.Database;
import io.reelrank.db.RatingSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;

/**
 * Stores what users do with what they were shown: impressions, clicks and ratings posted as a batch
 * ({@code POST /api/events}), each with a client-chosen {@link Event#id} that makes a retry harmless.
 *
 * <p>{@link #post} checks the whole batch before anything is written ({@link BadEventException} names the
 * event's index and field): ids unique in the batch; the request an event names was served (by this
 * process a moment ago, or by any server as {@code request_log} has it, {@link RequestLog#find}), to this
 * event's user; an impression's and a click's positions within what was shown and each movie the one
 * shown there; the ranker and its version, when given, the ones that served. Then it reserves room in
 * the writer's queue, bounded at {@link #capacity} events: a batch that does not fit is refused with
 * {@link QueueFullException} (answered 503 with Retry-After) before anything is written, never lost.
 * Ratings go through {@link RatingService#rateAsync}, the path of every rating (statistics, user
 * vectors, fold-in, index), unless their event id is already stored. Then the batch waits for the
 * writer.
 *
 * <p><b>Group commit.</b> One writer thread takes every queued batch (up to {@link #MAX_TRANSACTION}
 * events) into one transaction: {@code synchronous_commit = on}, an advisory lock that serializes the
 * writers of every server (so one id is stored once even when two servers receive it at once), the
 * ids already stored since the start of yesterday (UTC), then the new events by binary COPY, then the
 * commit. {@link #post} returns only after that commit: an event answered as stored is on disk. An id
 * is recognised as a repeat for at least 24 hours (up to 48): a retry later than that is stored again.
 * The caller {@link #close}s it (the writer finishes what is queued).
 */
public final class EventService implements AutoCloseable {

    public static final int DEFAULT_CAPACITY = 20_000;
    public static final int MAX_CAPACITY = 10_000_000;
    /** Events per batch a client may post. */
    public static final int MAX_BATCH = 1_000;
    /** Events per transaction at most. */
    static final int MAX_TRANSACTION = 20_000;
    public static final int MAX_ID_CHARS = 128;
    /** Key of the advisory lock every event writer holds for its transaction ("reelevnt"). */
    public static final long WRITER_LOCK = 0x7265656c65766e74L;

    /** The kinds of event. */
    public enum Type {
        IMPRESSION, CLICK, RATING;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One event as posted. {@code user} null only for an event of an anonymous search; an impression has
     * {@code movieIds} and their 1-based {@code positions}; a click {@code movieId} and {@code position};
     * a rating {@code movieId}, {@code rating} and optionally {@code requestId} and {@code position};
     * {@code ranker} and {@code rankerVersion}, when given, must name what served the request.
     */
    public record Event(String id, Type type, String requestId, Integer user, Integer movieId, Integer position,
                        int[] movieIds, int[] positions, String ranker, Integer rankerVersion, Double rating) {}

    /** A refused event: its index in the batch (0-based), the field and why. */
    public static final class BadEventException extends IllegalArgumentException {
        public final int index;
        public final String field;
        public final int status;

        BadEventException(int index, String field, String detail) {
            this(400, index, field, detail);
        }

        BadEventException(int status, int index, String field, String detail) {
            super("event " + index + ": field '" + field + "': " + detail);
            this.index = index;
            this.field = field;
            this.status = status;
        }
    }

    /** The writer's queue has no room for the batch: nothing of it was written; retry after a moment. */
    public static final class QueueFullException extends RuntimeException {
        QueueFullException(int events, int queued, int capacity) {
            super("the event queue is full (" + queued + " of " + capacity + " events waiting, this batch has "
                    + events + "); nothing of the batch was stored: retry it in a moment");
        }
    }

    /** The answer: events newly stored, events whose id was already stored, and the ratings written. */
    public record Result(int stored, int duplicates, List<RatingService.Stored> ratings) {}

    private final Database db;
    private final RequestLog log;
    private final RatingService ratings;
    private final int capacity;
    private final Object lock = new Object();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private int queuedEvents;
    private final Set<LocalDate> days = new HashSet<>();
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong transactions = new AtomicLong();
    private final Thread writer;
    private boolean closed;

    /** {@code ratings} stores rating events; {@code capacity}: events that may wait for the writer. */
    public EventService(Database db, RequestLog log, RatingService ratings, int capacity) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("event queue must be in 1-" + MAX_CAPACITY + " events, got " + capacity);
        }
        this.db = db;
        this.log = log;
        this.ratings = ratings;
        this.capacity = capacity;
        this.writer = new Thread(this::writeLoop, "reelrank-events");
        writer.setDaemon(true);
        writer.start();
    }

    public int capacity() {
        return capacity;
    }

    /** Events waiting for the writer now (reserved included). */
    public int queued() {
        synchronized (lock) {
            return queuedEvents;
        }
    }

    public long storedTotal() {
        return stored.get();
    }

    public long duplicateTotal() {
        return duplicates.get();
    }

    /** Events refused because the queue was full. */
    public long refusedTotal() {
        return refused.get();
    }

    public long transactionTotal() {
        return transactions.get();
    }

    /**
     * Checks, stores and waits until the batch is committed: the steps in the class comment. Throws
     * {@link BadEventException} (nothing written), {@link QueueFullException} (nothing written),
     * {@link RatingService.BusyException} or a database failure (part of the batch may be stored: retry
     * it whole, the ids make that safe).
     */
    public Result post(List<Event> events) throws SQLException, IOException {
        if (events.isEmpty()) return new Result(0, 0, List.of());
        Map<String, RequestLog.Served> served = validate(events);
        synchronized (lock) {
            if (closed) throw new IllegalStateException("the event service is closed");
            if (queuedEvents + events.size() > capacity) {
                refused.addAndGet(events.size());
                throw new QueueFullException(events.size(), queuedEvents, capacity);
            }
            queuedEvents += events.size();
        }
        Pending p = new Pending(events, served);
        boolean queued = false;
        try {
            List<RatingService.Stored> rated = rate(events);
            p.ratings = rated;
            synchronized (lock) {
                queue.add(p);
                queued = true;
                lock.notifyAll();
            }
            return p.done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the events were being stored (they may still be)", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException s) throw s;
            if (cause instanceof RuntimeException r) throw r;
            throw new IOException(cause.getMessage(), cause);
        } finally {
            if (!queued) {
                synchronized (lock) {
                    queuedEvents -= events.size();
                }
            }
        }
    }

    /** Every check of the class comment, in batch order; the first failure is thrown. */
    Map<String, RequestLog.Served> validate(List<Event> events) throws SQLException {
        Map<String, Integer> ids = new HashMap<>();
        Set<String> requests = new HashSet<>();
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            if (e.id() == null || e.id().isEmpty() || e.id().length() > MAX_ID_CHARS) {
                throw new BadEventException(i, "id", "must be a string of 1-" + MAX_ID_CHARS + " characters, got "
                        + (e.id() == null ? "none" : e.id().length() + " characters"));
            }
            Integer before = ids.putIfAbsent(e.id(), i);
            if (before != null) {
                throw new BadEventException(i, "id", "'" + e.id() + "' is also the id of event " + before
                        + " of this batch; each event needs its own id");
            }
            if (e.requestId() != null) {
                if (!RequestLog.wellFormed(e.requestId())) {
                    throw new BadEventException(i, "request_id", "must be the 32 hex digits of a search or "
                            + "recommendation answer's request_id, got '" + e.requestId() + "'");
                }
                requests.add(e.requestId());
            } else if (e.type() != Type.RATING) {
                throw new BadEventException(i, "request_id", "is required for " + (e.type() == Type.CLICK ? "a click"
                        : "an impression") + " (the request_id of the answer that showed the movies)");
            }
        }
        Map<String, RequestLog.Served> served = requests.isEmpty() ? Map.of() : log.find(requests);
        for (int i = 0; i < events.size(); i++) check(i, events.get(i), served);
        return served;
    }

    private static void check(int i, Event e, Map<String, RequestLog.Served> served) {
        RequestLog.Served s = e.requestId() == null ? null : served.get(e.requestId());
        if (e.requestId() != null && s == null) {
            throw new BadEventException(i, "request_id", "no request " + e.requestId() + " was served (or it is "
                    + "older than the event retention); use the request_id of a search or recommendation answer");
        }
        if (e.type() == Type.RATING) {
            if (e.user() == null) throw new BadEventException(i, "user_id", "a rating needs its user_id");
            if (e.movieId() == null || e.movieId() < 1) {
                throw new BadEventException(i, "movie_id", "must be a positive integer, got " + e.movieId());
            }
            if (e.rating() == null) {
                throw new BadEventException(i, "rating", "must be a number in 0.5-5.0 in steps of 0.5, got none");
            }
            try {
                RatingService.validate(e.user(), e.rating());
            } catch (RatingService.BadRatingException x) {
                throw new BadEventException(i, x.getMessage().startsWith("user") ? "user_id" : "rating",
                        x.getMessage().replaceFirst("^(user id|rating) ", ""));
            }
        }
        if (s != null && !java.util.Objects.equals(s.user(), e.user())) {
            throw new BadEventException(i, "user_id", "request " + e.requestId() + " was served to "
                    + (s.user() == null ? "no user (an anonymous search)" : "user " + s.user()) + ", not to "
                    + (e.user() == null ? "no user" : "user " + e.user()));
        }
        if (s == null) return;
        if (e.ranker() != null && !e.ranker().equals(s.ranker())) {
            throw new BadEventException(i, "ranker", "request " + e.requestId() + " was served by " + s.ranker()
                    + ", not " + e.ranker());
        }
        if (e.rankerVersion() != null && !e.rankerVersion().equals(s.rankerVersion())) {
            throw new BadEventException(i, "ranker_version", "request " + e.requestId() + " was served by "
                    + (s.rankerVersion() == null ? "no learned ranker version" : "ranker version " + s.rankerVersion())
                    + ", not " + e.rankerVersion());
        }
        int shown = s.movieIds().length;
        switch (e.type()) {
            case IMPRESSION -> {
                if (e.movieIds() == null || e.movieIds().length == 0) {
                    throw new BadEventException(i, "movie_ids", "an impression needs the shown movie ids");
                }
                if (e.positions() == null || e.positions().length != e.movieIds().length) {
                    throw new BadEventException(i, "positions", "needs one position per movie id ("
                            + e.movieIds().length + "), got " + (e.positions() == null ? "none"
                            : e.positions().length));
                }
                Set<Integer> seen = new HashSet<>();
                for (int k = 0; k < e.positions().length; k++) {
                    int pos = e.positions()[k];
                    checkPosition(i, "positions[" + k + "]", pos, shown, e.requestId());
                    if (!seen.add(pos)) {
                        throw new BadEventException(i, "positions[" + k + "]", "position " + pos + " appears twice");
                    }
                    if (s.movieIds()[pos - 1] != e.movieIds()[k]) {
                        throw new BadEventException(i, "movie_ids[" + k + "]", "movie " + e.movieIds()[k]
                                + " was not shown at position " + pos + " of request " + e.requestId() + " (movie "
                                + s.movieIds()[pos - 1] + " was)");
                    }
                }
            }
            case CLICK, RATING -> {
                if (e.type() == Type.CLICK) {
                    if (e.movieId() == null) throw new BadEventException(i, "movie_id", "a click needs its movie_id");
                    if (e.position() == null) throw new BadEventException(i, "position", "a click needs its position");
                }
                if (e.position() != null) {
                    checkPosition(i, "position", e.position(), shown, e.requestId());
                    if (s.movieIds()[e.position() - 1] != e.movieId()) {
                        throw new BadEventException(i, "movie_id", "movie " + e.movieId() + " was not shown at "
                                + "position " + e.position() + " of request " + e.requestId() + " (movie "
                                + s.movieIds()[e.position() - 1] + " was)");
                    }
                } else if (Arrays.stream(s.movieIds()).noneMatch(m -> m == e.movieId())) {
                    throw new BadEventException(i, "movie_id", "movie " + e.movieId() + " was not shown by request "
                            + e.requestId());
                }
            }
            default -> throw new IllegalStateException("unknown type " + e.type());
        }
    }

    private static void checkPosition(int i, String field, int pos, int shown, String request) {
        if (pos < 1 || pos > shown) {
            throw new BadEventException(i, field, "position " + pos + " is outside what request " + request
                    + " showed (1-" + shown + ")");
        }
    }

    /** The batch's ratings whose event id is not stored yet, through the one rating path; waits for them. */
    private List<RatingService.Stored> rate(List<Event> events) throws SQLException, IOException {
        List<Event> rs = events.stream().filter(e -> e.type() == Type.RATING).toList();
        if (rs.isEmpty()) return List.of();
        Set<String> known = storedIds(rs.stream().map(Event::id).toList());
        List<CompletableFuture<RatingService.Stored>> futures = new ArrayList<>();
        for (Event e : rs) {
            if (!known.contains(e.id())) {
                futures.add(ratings.rateAsync(e.user(), e.movieId(), e.rating(), RatingSource.API));
            }
        }
        List<RatingService.Stored> out = new ArrayList<>();
        for (int k = 0; k < futures.size(); k++) {
            try {
                out.add(futures.get(k).get());
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the ratings were being stored (they may still be)", x);
            } catch (ExecutionException x) {
                Throwable c = x.getCause();
                if (c instanceof RatingService.UnknownMovieException u) {
                    int index = events.indexOf(rs.stream().filter(e -> !known.contains(e.id())).toList().get(k));
                    throw new BadEventException(404, index, "movie_id", u.getMessage());
                }
                if (c instanceof SQLException s) throw s;
                if (c instanceof RuntimeException r) throw r;
                throw new IOException(c.getMessage(), c);
            }
        }
        return out;
    }

    /** Of {@code ids}, those stored since the start of yesterday (UTC): the window a repeat is known in. */
    private Set<String> storedIds(List<String> ids) throws SQLException {
        try (Connection c = db.connect()) {
            return storedIds(c, ids);
        }
    }

    private static Set<String> storedIds(Connection c, List<String> ids) throws SQLException {
        Set<String> out = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT event_id FROM events WHERE event_id = ANY (?) "
                + "AND received_at >= ?")) {
            ps.setArray(1, c.createArrayOf("text", ids.toArray()));
            ps.setObject(2, java.time.OffsetDateTime.of(LocalDate.now(ZoneOffset.UTC).minusDays(1).atStartOfDay(),
                    ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }

    private void writeLoop() {
        while (true) {
            List<Pending> batch = new ArrayList<>();
            synchronized (lock) {
                while (queue.isEmpty()) {
                    if (closed) return;
                    try {
                        lock.wait(1_000);
                    } catch (InterruptedException e) {
                        // only close() wakes it early; the queue is drained first
                    }
                }
                int n = 0;
                while (!queue.isEmpty() && (batch.isEmpty() || n + queue.peek().events.size() <= MAX_TRANSACTION)) {
                    Pending p = queue.poll();
                    n += p.events.size();
                    batch.add(p);
                }
            }
            try {
                write(batch);
            } catch (SQLException | RuntimeException e) {
                synchronized (days) {
                    days.clear(); // a missing partition is made on the retry
                }
                for (Pending p : batch) p.done.completeExceptionally(e);
            } finally {
                int n = batch.stream().mapToInt(p -> p.events.size()).sum();
                synchronized (lock) {
                    queuedEvents -= n;
                }
            }
        }
    }

    /** One transaction for every batch taken: the steps of the class comment; then each batch's answer. */
    private void write(List<Pending> batch) throws SQLException {
        long now = RequestLog.nowMicros();
        LocalDate day = EventPartitions.utcDay(now / 1000);
        boolean known;
        synchronized (days) {
            known = days.contains(day);
        }
        if (!known) {
            EventPartitions.ensure(db, day);
            synchronized (days) {
                days.add(day);
            }
        }
        List<String> ids = new ArrayList<>();
        for (Pending p : batch) for (Event e : p.events) ids.add(e.id());
        int[][] counts = new int[batch.size()][2];
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    st.execute("SET LOCAL synchronous_commit = on");
                    // Other servers' writers are the only holders; a minute covers any of their transactions.
                    st.execute("SET LOCAL lock_timeout = '60s'");
                    st.execute("SELECT pg_advisory_xact_lock(" + WRITER_LOCK + ")");
                }
                Set<String> known2 = storedIds(c, ids);
                BinaryCopy copy = new BinaryCopy(c.unwrap(PGConnection.class).getCopyAPI(),
                        "COPY events (event_id, received_at, type, request_id, user_id, movie_id, position, movie_ids, "
                                + "positions, ranker, ranker_version, experiment_id, arms, rating) FROM STDIN "
                                + "(FORMAT binary)", 5_000);
                try {
                    for (int b = 0; b < batch.size(); b++) {
                        for (Event e : batch.get(b).events) {
                            if (!known2.add(e.id())) {
                                counts[b][1]++;
                                continue;
                            }
                            counts[b][0]++;
                            row(copy, e, now, batch.get(b).served);
                        }
                    }
                    copy.finish();
                } catch (SQLException | RuntimeException x) {
                    copy.cancel();
                    throw x;
                }
                c.commit();
            } catch (SQLException | RuntimeException x) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is broken; closing it discards the transaction
                }
                throw x;
            }
        }
        transactions.incrementAndGet();
        for (int b = 0; b < batch.size(); b++) {
            stored.addAndGet(counts[b][0]);
            duplicates.addAndGet(counts[b][1]);
            batch.get(b).done.complete(new Result(counts[b][0], counts[b][1], batch.get(b).ratings));
        }
    }

    private static void row(BinaryCopy copy, Event e, long now, Map<String, RequestLog.Served> served)
            throws SQLException {
        RequestLog.Served s = e.requestId() == null ? null : served.get(e.requestId());
        copy.startRow(14);
        copy.text(e.id());
        copy.timestampFromEpochMicros(now);
        copy.text(e.type().key());
        if (e.requestId() == null) {
            copy.nul();
        } else {
            copy.uuid(Long.parseUnsignedLong(e.requestId().substring(0, 16), 16),
                    Long.parseUnsignedLong(e.requestId().substring(16), 16));
        }
        copy.int4OrNull(e.user());
        copy.int4OrNull(e.movieId());
        if (e.position() == null) copy.nul();
        else copy.raw(int2(e.position()));
        copy.int4Array(e.movieIds());
        copy.int2Array(shorts(e.positions()));
        copy.text(s == null ? e.ranker() : s.ranker());
        copy.int4OrNull(s == null ? e.rankerVersion() : s.rankerVersion());
        copy.int4OrNull(s == null ? null : s.experimentId());
        copy.int2Array(arms(e, s));
        copy.float4OrNull(e.rating() == null ? null : e.rating().floatValue());
        copy.endRow();
    }

    /** The arm of each position the event names, from the request's log (null outside an experiment). */
    private static short[] arms(Event e, RequestLog.Served s) {
        if (s == null || s.arms() == null) return null;
        if (e.type() == Type.IMPRESSION) {
            short[] out = new short[e.positions().length];
            for (int k = 0; k < out.length; k++) out[k] = s.arms()[e.positions()[k] - 1];
            return out;
        }
        return e.position() == null ? null : new short[] {s.arms()[e.position() - 1]};
    }

    private static byte[] int2(int v) {
        return java.nio.ByteBuffer.allocate(6).putInt(2).putShort((short) v).array();
    }

    private static short[] shorts(int[] v) {
        if (v == null) return null;
        short[] out = new short[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (short) v[i];
        return out;
    }

    /** Lets the writer store what is queued, then ends it; later batches are refused. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        try {
            writer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A batch waiting for its transaction. */
    private static final class Pending {
        final List<Event> events;
        final Map<String, RequestLog.Served> served;
        volatile List<RatingService.Stored> ratings = List.of();
        final CompletableFuture<Result> done = new CompletableFuture<>();

        Pending(List<Event> events, Map<String, RequestLog.Served> served) {
            this.events = events;
            this.served = served;
        }
    }
}
