package io.reelrank.index;

import io.reelrank.db.Changes;
import io.reelrank.db.Database;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one process's own index directory in step with the tables, from the {@link Changes#MOVIES}
 * notifications of every writer: the entries of the movies named are re-read and replaced in a
 * writer kept open ({@link MovieIndex#openLive}), "every movie" (a reload) rebuilds the index, and
 * after a lost notification connection the index is checked and rebuilt if stale. The work runs on
 * one background thread in passes at least {@link #MIN_PASS_INTERVAL_MS} apart, changes that arrive
 * meanwhile are merged, and the searcher sees each pass at once through a near-real-time reader of
 * the writer ({@link MovieSearcher#follow}); the writer commits when changes stop for
 * {@link #IDLE_COMMIT_MS}, at least every {@link #COMMIT_INTERVAL_MS}, and on {@link #close}, and is
 * closed (letting another process write the directory) after {@link #IDLE_CLOSE_MS} without changes, or
 * when another process asks for it ({@link MovieIndex#writerWanted}). So two servers with two index
 * directories both stay current. A change whose writer updated this
 * very directory itself is applied again (see {@link #onMoviesChanged}). While it runs, the process
 * knows its directory is followed ({@link #follows}), so writers in this process hand their movies to it
 * directly ({@link #apply}) rather than commit the same entries a second time: a writer's own change
 * never depends on its notification coming back (the listening connection may be down just then).
 * The caller {@link #close}s it.
 */
public final class IndexFollower implements AutoCloseable {

    private final Database db;
    private final MovieSearcher searcher;
    private final Path dir;
    private final ScheduledThreadPoolExecutor worker = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "reelrank-index-follower");
        t.setDaemon(true);
        return t;
    });
    private final Set<Integer> pending = new TreeSet<>();
    private boolean pendingAll;
    private boolean pendingCheck;
    private boolean scheduled;
    /** A change arrived during a pass: the pass schedules the next one when it ends. */
    private boolean nextAfterPass;
    private int running;
    private int checks;
    private int rebuilds;
    private volatile String lastError;
    private final java.util.concurrent.atomic.LongAdder passes = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder moviesApplied = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder busyNanos = new java.util.concurrent.atomic.LongAdder();

    /** What the follower has done: passes over pending changes, movie entries re-read, wall time in them (ms). */
    public record Work(long passes, long movies, double millis) {}

    public Work work() {
        return new Work(passes.sum(), moviesApplied.sum(), busyNanos.sum() / 1e6);
    }

    /** The followers of each directory followed in this process. */
    private static final java.util.Map<Path, java.util.List<IndexFollower>> FOLLOWED =
            new java.util.concurrent.ConcurrentHashMap<>();

    public IndexFollower(Database db, MovieSearcher searcher) {
        worker.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.db = db;
        this.searcher = searcher;
        this.dir = searcher.dir().toAbsolutePath().normalize();
        FOLLOWED.compute(dir, (k, l) -> {
            java.util.List<IndexFollower> n = l == null ? new java.util.ArrayList<>() : new java.util.ArrayList<>(l);
            n.add(this);
            return java.util.List.copyOf(n);
        });
    }

    /**
     * A writer in this process committed changes to these movies: the followers of {@code dir} here
     * re-read them on their next pass, as if the notification had arrived (it still will, and is applied
     * again: a re-read changes nothing). Returns false when nobody in this process follows {@code dir}.
     */
    public static boolean apply(Path dir, java.util.Collection<Integer> movieIds) {
        java.util.List<IndexFollower> fs = dir == null ? null : FOLLOWED.get(dir.toAbsolutePath().normalize());
        if (fs == null || fs.isEmpty()) return false;
        for (IndexFollower f : fs) {
            synchronized (f) {
                f.pending.addAll(movieIds);
                f.schedule();
            }
        }
        return true;
    }

    /**
     * Whether a follower in this process keeps {@code dir} in step with the {@link Changes#MOVIES}
     * notifications: a writer that notifies needs no update of its own there.
     */
    public static boolean follows(Path dir) {
        return dir != null && FOLLOWED.containsKey(dir.toAbsolutePath().normalize());
    }

    /** A {@link Changes#MOVIES} notification's payload arrived. */
    public void onMoviesChanged(String payload) {
        Changes.MovieChange ch = Changes.MovieChange.parse(payload);
        // Applied even when the writer already updated this very directory: a rebuild running at the
        // same time (a reload) may have replaced that update with its older snapshot of the tables.
        // Re-reading a movie's rows and replacing its entry again is cheap and changes nothing otherwise.
        synchronized (this) {
            if (ch.all()) pendingAll = true;
            else for (int id : ch.ids()) pending.add(id);
            schedule();
        }
    }

    /** The notification connection (re)connected: changes may have been missed, so compare and rebuild if stale. */
    public void onReconnect() {
        synchronized (this) {
            pendingCheck = true;
            schedule();
        }
    }

    /** True while changes wait to be applied or are being applied. */
    public synchronized boolean busy() {
        return scheduled || running > 0;
    }

    /**
     * How many comparisons with the tables (after a (re)connection) or full rebuilds (after a reload)
     * have completed; once one has and nothing is {@link #busy}, the index was in step at that moment.
     */
    public synchronized int checksDone() {
        return checks;
    }

    /** How many times the index was rebuilt whole (a reload, or found stale by a check). */
    public synchronized int rebuilds() {
        return rebuilds;
    }

    /** The last failure to bring the index in step (null when the last attempt succeeded). */
    public String lastError() {
        return lastError;
    }

    private void schedule() {
        if (scheduled) return;
        if (running > 0) {
            // Measured from this pass's end, not the last one's: else the next pass would start right after it.
            nextAfterPass = true;
            return;
        }
        scheduled = true;
        long wait = lastPassEnd == 0 ? 0 : lastPassEnd + MIN_PASS_INTERVAL_MS * 1_000_000 - System.nanoTime();
        worker.schedule(this::drain, Math.max(0, wait), TimeUnit.NANOSECONDS);
    }

    /**
     * The least time between two passes over movie changes, so that changes arriving meanwhile share a
     * pass (its reading of the rows and its reader refresh). A pass commits nothing: the entries are
     * replaced in a writer kept open ({@link MovieIndex#openLive}) and searches see them through a
     * near-real-time reader of it, so a change shows within this plus one pass.
     */
    static final long MIN_PASS_INTERVAL_MS = 100;

    /**
     * The index is committed when no change arrived for this long, and at least every
     * {@link #COMMIT_INTERVAL_MS} under a steady stream of them, the writer staying open (its readers
     * follow on incrementally). A commit is what another process (and {@code reelrank index --check})
     * sees; a crash loses only what was not committed, which the check on the next start finds and
     * rebuilds (see {@link #onReconnect}).
     */
    static final long IDLE_COMMIT_MS = 1_000;

    /** See {@link #IDLE_COMMIT_MS}. */
    static final long COMMIT_INTERVAL_MS = 5_000;

    /**
     * The writer is closed (after a commit) when no change arrived for this long, and at once (after the
     * pass under way) when another process asks for the directory ({@link MovieIndex#writerWanted}: a
     * {@code reelrank index}, or a {@code reelrank rate} updating the index itself, which wait up to
     * {@link MovieIndex#LOCK_WAIT_MS}). Under a steady stream of changes the writer otherwise stays open:
     * closing and opening it again costs the searches a full reader reopen and the disk a sync.
     */
    static final long IDLE_CLOSE_MS = 5_000;

    /**
     * After a close asked for by another process, the writer is opened again no sooner than this: the
     * waiter (it looks every 200 ms) gets its turn.
     */
    static final long YIELD_MS = 250;

    /** Time of the end of the last pass (System.nanoTime), guarded by this. */
    private long lastPassEnd;
    /** The end of the pass before the last one and the last one's start (System.nanoTime), guarded by this. */
    private long lastGapFrom;
    private long lastPassStart;

    /**
     * The end of the pass before the last one that ended, and that last pass's start (System.nanoTime):
     * the pause between them. Zeros before the first pass.
     */
    synchronized long[] lastGap() {
        return new long[] {lastGapFrom, lastPassStart};
    }

    // The live writer and its timing: used by the worker thread only (and by close, after the worker ended).
    private MovieIndex.Live live;
    private long lastCommit;
    private long reopenNotBefore;
    private long passNumber;
    /** Time this pass waited for {@link #YIELD_MS}, not counted as work. */
    private long yieldedNanos;

    private void drain() {
        boolean all;
        boolean check;
        int[] ids;
        synchronized (this) {
            scheduled = false;
            running++;
            all = pendingAll;
            check = pendingCheck;
            ids = pending.stream().mapToInt(Integer::intValue).toArray();
            pendingAll = false;
            pendingCheck = false;
            pending.clear();
        }
        long gapFrom;
        synchronized (this) {
            gapFrom = lastPassEnd;
        }
        long t0 = System.nanoTime();
        passNumber++;
        try {
            boolean rebuild = false;
            if (all || check) {
                // A check compares the committed index, and a rebuild writes it whole: commit what is live first.
                closeLive();
                rebuild = all || MovieIndex.check(db, dir).stale();
                if (rebuild) MovieIndex.rebuild(db, dir);
                searcher.refresh();
            }
            if (!rebuild && ids.length > 0) {
                if (!MovieIndex.exists(dir)) {
                    MovieIndex.rebuild(db, dir);
                } else {
                    if (live == null || !live.isOpen()) openLive();
                    live.update(db, java.util.Arrays.stream(ids).boxed().toList());
                }
                searcher.refresh();
            }
            passes.increment();
            moviesApplied.add(ids.length);
            lastError = null;
            synchronized (this) {
                if (all || check) checks++;
                if (rebuild) rebuilds++;
            }
        } catch (IOException | SQLException | RuntimeException e) {
            lastError = e.getMessage();
            if (live != null && !live.writer().isOpen()) {
                // The writer failed for good (a disk error): the next pass opens a new one on the last commit.
                MovieIndex.Live l = live;
                live = null;
                try {
                    l.close();
                } catch (IOException | RuntimeException ignored) {
                    // its changes since the last commit are lost: the check below finds them
                }
                synchronized (this) {
                    pendingCheck = true;
                }
            }
            // Retried a second later (or sooner, on the next change or reconnect); the index stays as it was.
            synchronized (this) {
                if (all || check) pendingCheck = true;
                for (int id : ids) pending.add(id);
            }
            try {
                worker.schedule(this::retry, RETRY_MS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // closed meanwhile: the next start checks the index against the tables
            }
        } finally {
            commitIfDue();
            busyNanos.add(System.nanoTime() - t0 - yieldedNanos);
            yieldedNanos = 0;
            synchronized (this) {
                lastGapFrom = gapFrom;
                lastPassStart = t0;
                lastPassEnd = System.nanoTime();
                running--;
                if (nextAfterPass) {
                    nextAfterPass = false;
                    try {
                        schedule();
                    } catch (java.util.concurrent.RejectedExecutionException closing) {
                        // closed meanwhile: the next start checks the index against the tables
                    }
                }
            }
        }
    }

    /** After a failed pass, the next attempt waits this long unless a change comes first. */
    static final long RETRY_MS = 1_000;

    private synchronized void retry() {
        if (!pending.isEmpty() || pendingAll || pendingCheck) schedule();
    }

    private void openLive() throws IOException {
        long wait = reopenNotBefore - System.nanoTime();
        if (wait > 0) {
            yieldedNanos += wait;
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while opening the index writer of " + dir, e);
            }
        }
        // Closed by another writer of this directory in this process: searches go back to the commits.
        live = MovieIndex.openLive(dir, () -> searcher.follow(null));
        lastCommit = System.nanoTime();
        searcher.follow(live.writer());
    }

    /** Commits and closes the live writer, if open; searches then see the commit. */
    private void closeLive() throws IOException {
        MovieIndex.Live l = live;
        live = null;
        if (l != null) {
            l.close();
            searcher.refresh();
        }
    }

    /**
     * After a pass: the close another process asked for ({@link #yieldIfWanted}), or the commit forced by
     * {@link #COMMIT_INTERVAL_MS}; then the commit after {@link #IDLE_COMMIT_MS} and the close after
     * {@link #IDLE_CLOSE_MS} are scheduled, and happen if no pass ran meanwhile.
     */
    private void commitIfDue() {
        if (live == null) return;
        try {
            if (yieldIfWanted()) return;
            long now = System.nanoTime();
            if (now - lastCommit >= COMMIT_INTERVAL_MS * 1_000_000) commit();
            long pass = passNumber;
            worker.schedule(() -> whenIdle(pass, false), IDLE_COMMIT_MS, TimeUnit.MILLISECONDS);
            worker.schedule(() -> whenIdle(pass, true), IDLE_CLOSE_MS, TimeUnit.MILLISECONDS);
        } catch (IOException | RuntimeException e) {
            lastError = e.getMessage();
        }
    }

    private void commit() throws IOException {
        live.commit();
        lastCommit = System.nanoTime();
    }

    /**
     * Another process waits for the directory: commit and close the writer, and open it again no sooner
     * than {@link #YIELD_MS} from now. Returns whether it did.
     */
    private boolean yieldIfWanted() throws IOException {
        if (live == null || !MovieIndex.writerWanted(dir)) return false;
        closeLive();
        reopenNotBefore = System.nanoTime() + YIELD_MS * 1_000_000;
        return true;
    }

    private void whenIdle(long pass, boolean close) {
        if (pass != passNumber || live == null) return;
        try {
            if (yieldIfWanted()) return;
            if (close) closeLive();
            else commit();
        } catch (IOException | RuntimeException e) {
            lastError = e.getMessage();
        }
    }

    @Override
    public void close() {
        FOLLOWED.computeIfPresent(dir, (k, l) -> {
            java.util.List<IndexFollower> n = new java.util.ArrayList<>(l);
            n.remove(this);
            return n.isEmpty() ? null : java.util.List.copyOf(n);
        });
        // The pass under way finishes (an interrupt could break the writer's files mid-write); waiting ones don't.
        worker.shutdown();
        try {
            if (!worker.awaitTermination(10, TimeUnit.SECONDS)) worker.shutdownNow();
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
        try {
            closeLive();
        } catch (IOException | RuntimeException e) {
            // Not committed: the next start finds the index behind the tables and rebuilds it.
            lastError = e.getMessage();
        }
    }
}
