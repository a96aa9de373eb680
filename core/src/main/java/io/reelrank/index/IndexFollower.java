package io.reelrank.index;

import io.reelrank.db.Changes;
import io.reelrank.db.Database;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one process's own index directory in step with the tables, from the {@link Changes#MOVIES}
 * notifications of every writer: the entries of the movies named are re-read and replaced
 * ({@link MovieIndex#update}), "every movie" (a reload) rebuilds the index, and after a lost
 * notification connection the index is checked and rebuilt if stale. The work runs on one background
 * thread, changes that arrive meanwhile are merged, and the searcher is refreshed after each commit,
 * so two servers with two index directories both stay current. A change whose writer updated this
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
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "reelrank-index-follower");
        t.setDaemon(true);
        return t;
    });
    private final Set<Integer> pending = new TreeSet<>();
    private boolean pendingAll;
    private boolean pendingCheck;
    private boolean scheduled;
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
        scheduled = true;
        worker.execute(this::drain);
    }

    /**
     * The least time between two passes over movie changes: under a stream of ratings each pass costs a
     * Lucene commit whatever the number of movies (most of it fixed: opening the writer, the commit's
     * fsyncs), so changes that arrive meanwhile wait to share the next one. A change shows within this
     * plus one pass (well under the servers' one second).
     */
    static final long MIN_PASS_INTERVAL_MS = 200;

    private long lastPassEnd;

    private void drain() {
        long wait = lastPassEnd + MIN_PASS_INTERVAL_MS * 1_000_000 - System.nanoTime();
        if (lastPassEnd != 0 && wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
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
        long t0 = System.nanoTime();
        try {
            boolean rebuild = all || (check && MovieIndex.check(db, dir).stale());
            if (rebuild) {
                MovieIndex.rebuild(db, dir);
            } else if (ids.length > 0) {
                MovieIndex.update(db, dir, java.util.Arrays.stream(ids).boxed().toList());
            }
            searcher.refresh();
            passes.increment();
            moviesApplied.add(ids.length);
            busyNanos.add(System.nanoTime() - t0);
            lastError = null;
            synchronized (this) {
                if (all || check) checks++;
                if (rebuild) rebuilds++;
            }
        } catch (IOException | SQLException | RuntimeException e) {
            lastError = e.getMessage();
            // Retried on the next change or reconnect; the index stays as it was meanwhile.
            synchronized (this) {
                if (all || check) pendingCheck = true;
                for (int id : ids) pending.add(id);
            }
        } finally {
            lastPassEnd = System.nanoTime();
            synchronized (this) {
                running--;
            }
        }
    }

    @Override
    public void close() {
        FOLLOWED.computeIfPresent(dir, (k, l) -> {
            java.util.List<IndexFollower> n = new java.util.ArrayList<>(l);
            n.remove(this);
            return n.isEmpty() ? null : java.util.List.copyOf(n);
        });
        worker.shutdownNow();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
