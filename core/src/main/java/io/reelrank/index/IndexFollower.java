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
 * very directory itself is applied again (see {@link #onMoviesChanged}). The caller {@link #close}s it.
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

    public IndexFollower(Database db, MovieSearcher searcher) {
        this.db = db;
        this.searcher = searcher;
        this.dir = searcher.dir().toAbsolutePath().normalize();
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
        try {
            boolean rebuild = all || (check && MovieIndex.check(db, dir).stale());
            if (rebuild) {
                MovieIndex.rebuild(db, dir);
            } else if (ids.length > 0) {
                MovieIndex.update(db, dir, java.util.Arrays.stream(ids).boxed().toList());
            }
            searcher.refresh();
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
            synchronized (this) {
                running--;
            }
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
