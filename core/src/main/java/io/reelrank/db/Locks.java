package io.reelrank.db;

import java.sql.SQLException;
import java.sql.Statement;

/**
 * The one order in which reelrank's writers lock tables, so that two writers never wait on each other
 * in a cycle (PostgreSQL would break the cycle with a "deadlock detected" error): first the batch
 * lock (an advisory lock every batch job takes: ingest, users, test-users), then
 * {@code movies → ratings → tags → users}, each taken up front with {@code LOCK TABLE} before any
 * row is touched, under a {@code lock_timeout} so that a writer that cannot get them in time fails
 * with {@link #timedOut} instead of waiting for good. Call these first thing in a transaction.
 */
public final class Locks {

    /**
     * Key of the advisory lock that serializes batch jobs (an arbitrary constant: "reelbtch"). Not the
     * migrations' key: a process starting during a long reload must not wait for it to migrate.
     */
    static final long BATCH_KEY = 0x7265656c62746368L;

    private Locks() {}

    /**
     * Ratings: rows of movies (their statistics), ratings and users change. Also makes the transaction's
     * commit wait for its WAL flush ({@code synchronous_commit = on}, whatever the server's default), so
     * a rating is on disk when it is answered. The statements, separated by {@code ;} and without
     * parameters, so that a batch of ratings sends them ahead of its own in one round trip.
     */
    public static String forRating(long timeoutMs) {
        if (timeoutMs < 0) throw new IllegalArgumentException("lock timeout must be >= 0 ms (0 waits for good), got "
                + timeoutMs);
        return "SET LOCAL lock_timeout = " + timeoutMs + "; SET LOCAL synchronous_commit = on; "
                + "LOCK TABLE movies IN ROW EXCLUSIVE MODE; LOCK TABLE ratings IN ROW EXCLUSIVE MODE; "
                + "LOCK TABLE users IN ROW EXCLUSIVE MODE";
    }

    /**
     * Deleting one user: rows of movies (statistics), ratings, tags (and their movies' index entries) and
     * users go; the commit waits for its WAL flush, as a rating's does.
     */
    public static void forUserDeletion(Statement st, long timeoutMs) throws SQLException {
        timeout(st, timeoutMs);
        st.execute("SET LOCAL synchronous_commit = on");
        st.execute("LOCK TABLE movies IN ROW EXCLUSIVE MODE");
        st.execute("LOCK TABLE ratings IN ROW EXCLUSIVE MODE");
        st.execute("LOCK TABLE tags IN ROW EXCLUSIVE MODE");
        st.execute("LOCK TABLE users IN ROW EXCLUSIVE MODE");
    }

    /** A batch of ratings (the test users): no other writer of movies, ratings or users meanwhile; readers go on. */
    public static void forRatingBatch(Statement st, long timeoutMs) throws SQLException {
        timeout(st, timeoutMs);
        batch(st);
        st.execute("LOCK TABLE movies IN SHARE ROW EXCLUSIVE MODE");
        st.execute("LOCK TABLE ratings IN EXCLUSIVE MODE");
        st.execute("LOCK TABLE users IN EXCLUSIVE MODE");
    }

    /**
     * A reload: movies change or go, ratings and tags are replaced, users are rewritten; nobody reads
     * them until it commits. Movies are taken in ACCESS EXCLUSIVE mode at once, although most of the
     * reload needs less, because dropping the foreign keys of ratings and tags (for the bulk load)
     * needs it on the table they reference: asking for it later, while holding tags, would invert the
     * order against a reader of movies and tags and deadlock with it.
     */
    public static void forReload(Statement st, long timeoutMs) throws SQLException {
        timeout(st, timeoutMs);
        batch(st);
        st.execute("LOCK TABLE movies IN ACCESS EXCLUSIVE MODE");
        st.execute("LOCK TABLE ratings IN ACCESS EXCLUSIVE MODE");
        st.execute("LOCK TABLE tags IN ACCESS EXCLUSIVE MODE");
        st.execute("LOCK TABLE users IN EXCLUSIVE MODE");
    }

    /** Only the batch lock: for a batch job whose table locks come from its own statements (users). */
    public static void batch(Statement st) throws SQLException {
        st.execute("SELECT pg_advisory_xact_lock(" + BATCH_KEY + ")");
    }

    private static void timeout(Statement st, long ms) throws SQLException {
        if (ms < 0) throw new IllegalArgumentException("lock timeout must be >= 0 ms (0 waits for good), got " + ms);
        st.execute("SET LOCAL lock_timeout = " + ms);
    }

    /** True when {@code e} (or a cause) is a lock wait that ran out (55P03) or a broken deadlock (40P01). */
    public static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && ("55P03".equals(s.getSQLState()) || "40P01".equals(s.getSQLState()))) {
                return true;
            }
            if (t.getCause() == t) break;
        }
        return false;
    }
}
