package io.reelrank.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Building the index from the real test database, checking it against the tables, and rebuilding it under load. */
@Tag("integration")
class MovieIndexTest {

    @TempDir
    Path tmp;

    @Test
    void aRebuildIndexesEveryMovieAndTagOfTheTables() throws Exception {
        // A fresh build: the shared sample index was built earlier in the run, before other tests' ratings.
        MovieIndex.Result r = MovieIndex.rebuild(TestDatabase.sample(), tmp.resolve("index"));
        assertEquals(9_742, r.movies());
        assertEquals(3_683, r.tags());
        // Every rating in the table: the sample's 100,836 plus the live ones other tests left (test users).
        try (Connection c = TestDatabase.sample().connect(); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT count(*) FROM ratings")) {
            rs.next();
            assertEquals(rs.getLong(1), r.ratings());
        }
        assertEquals(9_742, SampleIndex.searcher().size());
    }

    /**
     * Every movie record of a fresh build: the tables as they are now. The shared sample index was
     * built at the run's first use, before other classes added or removed the test users' ratings.
     */
    private List<MovieRecord> moviesAsTheTablesAreNow() throws Exception {
        Path fresh = tmp.resolve("fresh");
        MovieIndex.rebuild(TestDatabase.sample(), fresh);
        try (MovieSearcher s = MovieSearcher.open(fresh)) {
            return new ArrayList<>(s.allMovies());
        }
    }

    @Test
    void checkFindsAFreshIndexUpToDate() throws Exception {
        Path dir = tmp.resolve("index");
        MovieIndex.rebuild(TestDatabase.sample(), dir);
        MovieIndex.Check c = MovieIndex.check(TestDatabase.sample(), dir);
        assertFalse(c.stale(), c.describe());
        assertEquals(c.tableIdChecksum(), c.indexIdChecksum());
        assertTrue(c.describe().endsWith("up to date"), c.describe());
    }

    @Test
    void checkFindsAnIndexMissingOneMovieStale() throws Exception {
        List<MovieRecord> all = moviesAsTheTablesAreNow();
        all.removeIf(m -> m.movieId() == 58559);
        Path dir = tmp.resolve("index");
        MovieIndex.write(dir, all.iterator(), null);
        MovieIndex.Check c = MovieIndex.check(TestDatabase.sample(), dir);
        assertTrue(c.stale());
        assertEquals(9_741, c.indexMovies());
        assertEquals(9_742, c.tableMovies());
        assertNotEquals(c.tableIdChecksum(), c.indexIdChecksum());
        assertTrue(c.describe().contains("differs"), c.describe());
        assertTrue(c.describe().endsWith("stale: run `reelrank index` to rebuild"), c.describe());
    }

    @Test
    void checkFindsAnIndexWithOneChangedAverageStaleThoughEveryCountMatches() throws Exception {
        // What a changed rating leaves behind in an index that missed it: same count, another average.
        List<MovieRecord> all = moviesAsTheTablesAreNow();
        all.replaceAll(m -> m.movieId() != 4993 ? m : new MovieRecord(m.movieId(), m.title(), m.year(), m.imdbId(),
                m.tmdbId(), m.genres(), m.tags(), m.avgRating() - 0.01, m.ratingCount()));
        Path dir = tmp.resolve("index");
        MovieIndex.write(dir, all.iterator(), null);
        MovieIndex.Check c = MovieIndex.check(TestDatabase.sample(), dir);
        assertTrue(c.stale(), c.describe());
        assertEquals(c.tableRatings(), c.indexRatings());
        assertEquals(c.tableIdChecksum(), c.indexIdChecksum());
        assertEquals(4993 * -1, c.indexAverages() - c.tableAverages(), c.describe());
        assertTrue(c.describe().contains("differs"), c.describe());
    }

    @Test
    void checkFindsAnIndexWithTheSameMoviesInAnotherOrderUpToDate() throws Exception {
        List<MovieRecord> all = moviesAsTheTablesAreNow();
        Collections.reverse(all);
        Path dir = tmp.resolve("index");
        MovieIndex.write(dir, all.iterator(), null);
        assertFalse(MovieIndex.check(TestDatabase.sample(), dir).stale());
    }

    @Test
    void anUpdateReplacesChangedMoviesAddsNewOnesAndRemovesDeletedOnesInOneCommit() throws Exception {
        Database db = TestDatabase.sample();
        Path dir = tmp.resolve("index");
        MovieIndex.rebuild(db, dir);
        try (MovieSearcher searcher = MovieSearcher.open(dir)) {
            try {
                exec(db, "UPDATE movies SET rating_count = rating_count + 1000 WHERE movie_id = 1");
                exec(db, "INSERT INTO movies (movie_id, title, year, genres) VALUES (999999, 'Zyzzyva Expedition', "
                        + "2031, '{Documentary}')");
                assertTrue(MovieIndex.check(db, dir).stale());
                assertEquals(new MovieIndex.Update(2, 0, 0),
                        zeroMillis(MovieIndex.update(db, dir, List.of(1, 999999))));
                MovieIndex.Check c = MovieIndex.check(db, dir);
                assertFalse(c.stale(), c.describe());
                searcher.refresh();
                assertEquals(List.of(999999), ids(searcher.search("zyzzyva AND year:[2031 TO 2031]", SearchFilters.NONE,
                        SearchSort.SCORE, 10)));
                assertEquals(List.of(1), ids(searcher.search("title:toy AND rating_count:[1000 TO *]",
                        SearchFilters.NONE, SearchSort.SCORE, 10)));
                assertEquals(9_743, searcher.size());
                // The page's records come from the live documents: the replaced movie 1 and the new one.
                var page = searcher.movies(1, 999999);
                assertEquals(Set.of(1, 999999), page.keySet());
                assertEquals("Zyzzyva Expedition", page.get(999999).title());
                assertEquals(searcher.search("title:toy AND rating_count:[1000 TO *]", SearchFilters.NONE,
                        SearchSort.SCORE, 1).hits().get(0).ratingCount(), page.get(1).ratingCount());
            } finally {
                exec(db, "UPDATE movies SET rating_count = rating_count - 1000 WHERE movie_id = 1");
                exec(db, "DELETE FROM movies WHERE movie_id = 999999");
            }
            assertEquals(new MovieIndex.Update(1, 1, 0), zeroMillis(MovieIndex.update(db, dir, List.of(1, 999999))));
            assertFalse(MovieIndex.check(db, dir).stale());
            searcher.refresh();
            assertEquals(9_742, searcher.size());
            assertEquals(List.of(), ids(searcher.search("zyzzyva", SearchFilters.NONE, SearchSort.SCORE, 10)));
            assertEquals(Set.of(1), searcher.movies(1, 999999).keySet(), "a removed movie has no record any more");
            assertTrue(searcher.movies(1).get(1).ratingCount() < 1000);
        }
    }

    @Test
    void aLiveWriterShowsItsUpdatesToAFollowingSearcherBeforeAnyCommitAndCommitsWhenClosed() throws Exception {
        Database db = TestDatabase.sample();
        Path dir = tmp.resolve("index");
        MovieIndex.rebuild(db, dir);
        AtomicLong closedByOthers = new AtomicLong();
        try (MovieSearcher searcher = MovieSearcher.open(dir)) {
            try {
                exec(db, "UPDATE movies SET rating_count = rating_count + 1000 WHERE movie_id = 1");
                MovieIndex.Live live = MovieIndex.openLive(dir, () -> {
                    searcher.follow(null);
                    closedByOthers.incrementAndGet();
                });
                searcher.follow(live.writer());
                assertEquals(new MovieIndex.Update(1, 0, 0), zeroMillis(live.update(db, List.of(1))));
                searcher.refresh();
                assertEquals(List.of(1), ids(searcher.search("title:toy AND rating_count:[1000 TO *]",
                        SearchFilters.NONE, SearchSort.SCORE, 10)), "the follower sees the update at once");
                assertTrue(MovieIndex.check(db, dir).stale(), "nothing is committed yet");
                // Another writer of the directory in this process: the live one commits and closes first.
                MovieIndex.update(db, dir, List.of(2));
                assertFalse(live.isOpen());
                assertEquals(1, closedByOthers.get());
                assertFalse(MovieIndex.check(db, dir).stale(), "the live writer's update was committed");
                searcher.refresh();
                assertEquals(List.of(1), ids(searcher.search("title:toy AND rating_count:[1000 TO *]",
                        SearchFilters.NONE, SearchSort.SCORE, 10)), "read from the commit now");
            } finally {
                exec(db, "UPDATE movies SET rating_count = rating_count - 1000 WHERE movie_id = 1");
            }
            MovieIndex.Live again = MovieIndex.openLive(dir, () -> searcher.follow(null));
            searcher.follow(again.writer());
            again.update(db, List.of(1));
            searcher.refresh();
            assertEquals(List.of(), ids(searcher.search("title:toy AND rating_count:[1000 TO *]", SearchFilters.NONE,
                    SearchSort.SCORE, 10)));
            again.close();
            assertFalse(MovieIndex.check(db, dir).stale());
            searcher.refresh();
            assertEquals(9_742, searcher.size());
        }
    }

    private static MovieIndex.Update zeroMillis(MovieIndex.Update u) {
        return new MovieIndex.Update(u.replaced(), u.removed(), 0);
    }

    private static List<Integer> ids(SearchResult r) {
        return r.hits().stream().map(SearchHit::movieId).toList();
    }

    private static void exec(Database db, String sql) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void checkFindsNoIndexStale() throws Exception {
        MovieIndex.Check c = MovieIndex.check(TestDatabase.sample(), tmp.resolve("none"));
        assertTrue(c.stale());
        assertFalse(c.indexExists());
        assertFalse(MovieIndex.exists(tmp.resolve("none")));
    }

    @Test
    void aRebuildReportsProgressEndingWithTheMovieCount() throws Exception {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        MovieIndex.Result r = MovieIndex.rebuild(TestDatabase.sample(), tmp.resolve("index"), seen::add);
        assertEquals(List.of(1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 9742), seen);
        assertEquals(9_742, r.movies());
    }

    @Test
    void searchesDuringRebuildsNeverFailNorSeeAPartialIndex() throws Exception {
        Database db = TestDatabase.sample();
        Path dir = tmp.resolve("index");
        MovieIndex.rebuild(db, dir);
        Set<Long> versions = ConcurrentHashMap.newKeySet();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong searches = new AtomicLong();
        try (MovieSearcher searcher = MovieSearcher.open(dir)) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                Thread th = new Thread(() -> {
                    try {
                        while (!done.get()) {
                            SearchResult r = searcher.search("title:lord", SearchFilters.NONE, SearchSort.SCORE, 20);
                            if (r.hits().size() != 13 || r.totalMatches() != 13) {
                                throw new AssertionError("title:lord gave " + r.hits().size() + " hits");
                            }
                            if (searcher.size() != 9_742) throw new AssertionError("index of " + searcher.size());
                            versions.add(searcher.version());
                            searches.incrementAndGet();
                            // A searcher opened in the middle of a rebuild must see a whole index too.
                            if (searches.get() % 50 == 0) {
                                try (MovieSearcher fresh = MovieSearcher.open(dir)) {
                                    if (fresh.size() != 9_742) {
                                        throw new AssertionError("fresh index of " + fresh.size());
                                    }
                                }
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "searcher-" + t);
                threads.add(th);
                th.start();
            }
            for (int i = 0; i < 3; i++) {
                MovieIndex.rebuild(db, dir);
                searcher.refresh();
            }
            done.set(true);
            for (Thread th : threads) th.join();
        }
        assertEquals(List.of(), failures);
        assertTrue(searches.get() > 0);
        // The searcher moved on to the rebuilt indexes while it was being used.
        assertTrue(versions.size() >= 2, "index versions seen: " + versions);
    }
}
