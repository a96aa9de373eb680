package io.reelrank.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who holds an index directory's one writer, and when the follower writes: a server's follower keeps its
 * writer open under a stream of changes and lets go when another process asks
 * ({@link MovieIndex#WRITER_WANTED}); its passes keep their interval. Another process's
 * writer is played by a plain Lucene writer on the directory (its lock refuses a second writer in this
 * process as it would in another).
 */
@Tag("integration")
class IndexWriterTurnTest {

    @TempDir
    Path tmp;

    @Test
    void aWriterWaitingForTheLockSaysSoUntilItHasIt() throws Exception {
        Database db = TestDatabase.sample();
        Path dir = tmp.resolve("index");
        MovieIndex.rebuild(db, dir);
        CompletableFuture<MovieIndex.Update> update;
        try (Directory d = FSDirectory.open(dir); IndexWriter other = new IndexWriter(d, new IndexWriterConfig())) {
            assertFalse(MovieIndex.writerWanted(dir));
            update = CompletableFuture.supplyAsync(() -> {
                try {
                    return MovieIndex.update(db, dir, List.of(1));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!MovieIndex.writerWanted(dir) && System.nanoTime() < deadline) Thread.sleep(20);
            assertTrue(MovieIndex.writerWanted(dir), "the waiting update asks for the directory");
            assertFalse(update.isDone(), "it waits while the other writer holds the directory");
        }
        assertEquals(1, update.get(60, TimeUnit.SECONDS).replaced());
        assertFalse(Files.exists(dir.resolve(MovieIndex.WRITER_WANTED)), "the request is removed once served");
        assertFalse(MovieIndex.check(db, dir).stale());
    }

    @Test
    void aFollowerKeepsItsWriterUnderChangesAndLetsGoWhenAnotherProcessAsks() throws Exception {
        Database db = TestDatabase.sample();
        Path dir = tmp.resolve("index");
        MovieIndex.rebuild(db, dir);
        Path wanted = dir.resolve(MovieIndex.WRITER_WANTED);
        try (MovieSearcher searcher = MovieSearcher.open(dir)) {
            IndexFollower follower = new IndexFollower(db, searcher);
            try {
                pass(follower, dir);
                assertThrows(LockObtainFailedException.class, () -> tryWriter(dir), "the follower holds its writer");

                // A request left behind by a waiter that died long ago changes nothing.
                Files.createFile(wanted);
                Files.setLastModifiedTime(wanted, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
                assertFalse(MovieIndex.writerWanted(dir));
                pass(follower, dir);
                assertThrows(LockObtainFailedException.class, () -> tryWriter(dir));

                // A current one: the writer is committed and closed after the pass, and the other gets it.
                Files.setLastModifiedTime(wanted, FileTime.fromMillis(System.currentTimeMillis()));
                pass(follower, dir);
                tryWriter(dir);
                Files.delete(wanted);
                assertFalse(MovieIndex.check(db, dir).stale(), "what the follower had was committed");

                // Later changes open the writer again and are followed as before.
                pass(follower, dir);
                assertThrows(LockObtainFailedException.class, () -> tryWriter(dir));
                assertNull(follower.lastError());
            } finally {
                follower.close();
            }
        }
    }

    /**
     * A change that arrives while a pass runs waits for the next pass, which starts no sooner than
     * {@link IndexFollower#MIN_PASS_INTERVAL_MS} after this one ends (not right after it: under a steady
     * stream of changes that made every other pass an extra one). The first pass is held in its read of
     * the movies by a lock on the table, and the second change arrives meanwhile.
     */
    @Test
    void aChangeArrivingDuringAPassWaitsTheIntervalAfterIt() throws Exception {
        Database db = TestDatabase.sample();
        Path dir = tmp.resolve("index");
        MovieIndex.rebuild(db, dir);
        try (MovieSearcher searcher = MovieSearcher.open(dir)) {
            IndexFollower follower = new IndexFollower(db, searcher);
            try {
                long before = follower.work().passes();
                try (java.sql.Connection hold = db.connect(); java.sql.Statement st = hold.createStatement()) {
                    hold.setAutoCommit(false);
                    st.execute("LOCK TABLE movies IN ACCESS EXCLUSIVE MODE");
                    assertTrue(IndexFollower.apply(dir, List.of(1)));
                    // The pass is under way once it waits for the lock.
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (!waitsForLock(db) && System.nanoTime() < deadline) Thread.sleep(10);
                    assertTrue(waitsForLock(db), "the first pass reads the movies");
                    assertTrue(IndexFollower.apply(dir, List.of(2)));
                    hold.rollback();
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while ((follower.busy() || follower.work().passes() < before + 2) && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertEquals(before + 2, follower.work().passes(), "the second change had a pass of its own");
                long[] gap = follower.lastGap();
                assertTrue(gap[0] > 0, "the second pass followed the first");
                long ms = (gap[1] - gap[0]) / 1_000_000;
                assertTrue(ms >= IndexFollower.MIN_PASS_INTERVAL_MS, "the second pass started " + ms
                        + " ms after the first ended");
                assertNull(follower.lastError());
            } finally {
                follower.close();
            }
        }
    }

    private static boolean waitsForLock(Database db) throws Exception {
        try (java.sql.Connection c = db.connect(); java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
                        + "'Lock' AND query LIKE '%FROM movies%'")) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }

    /** A change to movie 1 (its rows as they are), and the wait until the follower's pass has ended. */
    private static void pass(IndexFollower follower, Path dir) throws InterruptedException {
        long before = follower.work().passes();
        assertTrue(IndexFollower.apply(dir, List.of(1)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((follower.busy() || follower.work().passes() == before) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertFalse(follower.busy(), "the follower's pass ended");
        assertEquals(before + 1, follower.work().passes());
    }

    /** Opens and closes a writer of the directory, as another process would; throws when it is held. */
    private static void tryWriter(Path dir) throws Exception {
        try (Directory d = FSDirectory.open(dir); IndexWriter w = new IndexWriter(d, new IndexWriterConfig())) {
            assertTrue(w.isOpen());
        }
    }
}
