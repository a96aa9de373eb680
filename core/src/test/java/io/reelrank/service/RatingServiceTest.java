package io.reelrank.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.db.Changes;
import io.reelrank.db.Database;
import io.reelrank.db.MovieStats;
import io.reelrank.db.RatingSource;
import io.reelrank.db.ScratchDatabase;
import io.reelrank.db.TableSnapshot;
import io.reelrank.index.MovieIndex;
import io.reelrank.ingest.MovieLensLoader;
import io.reelrank.model.ItemVectors;
import io.reelrank.user.UserTower;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one place that stores a rating, against the real database and a real index: validation first,
 * then the row with its source, the movie's statistics, the user's vector and the index entry, all or
 * nothing; a reload holding the tables makes it fail "busy" in bounded time, having written nothing.
 * Forgetting a user puts every table back as it was before their first rating, tells every server
 * (notifications), and keeps a MovieLens user out of later loads of the files.
 */
@Tag("integration")
class RatingServiceTest {

    static final int USER = 39601;
    static Database db;
    static ItemVectors items;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.personalized();
        items = ItemVectors.load(db, true);
    }

    @AfterAll
    static void removeTheUser() throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("UPDATE movies m SET (avg_rating, rating_count) = (SELECT round(avg(r.rating), 2), count(*) "
                    + "FROM ratings r WHERE r.movie_id = m.movie_id AND r.user_id <> " + USER + ") "
                    + "WHERE m.movie_id IN (SELECT movie_id FROM ratings WHERE user_id = " + USER + ")");
            st.execute("DELETE FROM ratings WHERE user_id = " + USER);
            st.execute("DELETE FROM users WHERE user_id = " + USER);
            // The ratings went without RatingService: put the movies' figures back.
            io.reelrank.db.MovieStats.refresh(st);
        }
    }

    static RatingService service(Path index, long lockTimeoutMs) {
        return new RatingService(db, () -> items, () -> null, UserTower.DEFAULT_SHRINKAGE, index, lockTimeoutMs);
    }

    static int count(String sql) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void rejectsRatingAboveFiveAndOffHalfSteps() {
        assertEquals("rating must be 0.5-5.0 in steps of 0.5, got 5.5",
                assertThrows(RatingService.BadRatingException.class,
                        () -> service(null, 1000).rate(USER, 1, 5.5, RatingSource.CLI)).getMessage());
        assertEquals("rating must be 0.5-5.0 in steps of 0.5, got 3.3",
                assertThrows(RatingService.BadRatingException.class,
                        () -> service(null, 1000).rate(USER, 1, 3.3, RatingSource.CLI)).getMessage());
        assertEquals("user id must be a positive integer, got 0", assertThrows(RatingService.BadRatingException.class,
                () -> service(null, 1000).rate(0, 1, 3, RatingSource.CLI)).getMessage());
    }

    @Test
    void anUnknownMovieIsTypedAndWritesNothing() throws Exception {
        RatingService.UnknownMovieException e = assertThrows(RatingService.UnknownMovieException.class,
                () -> service(null, 1000).rate(USER + 1, 999_999_999, 4, RatingSource.API));
        assertTrue(e.getMessage().startsWith("unknown movie 999999999"), e.getMessage());
        assertEquals(0, count("SELECT count(*) FROM users WHERE user_id = " + (USER + 1)));
    }

    @Test
    void aRatingMovesTheMoviesStatisticsAndItsIndexEntryWithIt() throws Exception {
        Path index = tmp.resolve("index");
        MovieIndex.rebuild(db, index);
        int before = count("SELECT rating_count FROM movies WHERE movie_id = 318");
        RatingService.Stored s = service(index, 5_000).rate(USER, 318, 4.5, RatingSource.CLI);
        assertFalse(s.replaced());
        assertTrue(s.vector() != null, "a rating of an embedded movie gives the user a vector");
        assertEquals(before + 1, count("SELECT rating_count FROM movies WHERE movie_id = 318"));
        assertEquals(1, count("SELECT count(*) FROM ratings WHERE user_id = " + USER
                + " AND movie_id = 318 AND source = 'cli'"));
        MovieIndex.Check c = MovieIndex.check(db, index);
        assertFalse(c.stale(), c.describe());
    }

    /**
     * Ratings queued while a transaction is held up share the next one (group commit): 60 ratings by 6
     * users on 5 movies, some changing an earlier one, one of a movie that does not exist, queued while
     * another connection holds the movies table; once it lets go they are written in as many transactions
     * as the most repeated (user, movie) has ratings, plus at most the one held up, and every figure they
     * move is what a recount gives.
     */
    @Test
    void ratingsQueuedMeanwhileShareATransactionAndEveryFigureIsWhatARecountGives() throws Exception {
        int first = USER + 20;
        int[] movies = {1, 318, 2571, 4993, 296};
        java.util.Random rnd = new java.util.Random(7);
        List<java.util.concurrent.CompletableFuture<RatingService.Stored>> done = new ArrayList<>();
        java.util.concurrent.CompletableFuture<RatingService.Stored> unknown;
        WriteSteps.Snapshot before;
        java.util.Map<String, Integer> repeats = new java.util.HashMap<>();
        try (RatingService s = service(null, 60_000); Connection hold = db.connect(); Statement st = hold.createStatement()) {
            hold.setAutoCommit(false);
            st.execute("LOCK TABLE movies IN SHARE ROW EXCLUSIVE MODE"); // what a reload takes first
            before = WriteSteps.PROCESS.snapshot();
            for (int i = 0; i < 60; i++) {
                int movie = movies[rnd.nextInt(movies.length)];
                repeats.merge((first + i % 6) + "/" + movie, 1, Integer::sum);
                done.add(s.rateAsync(first + i % 6, movie, (1 + rnd.nextInt(10)) / 2.0, RatingSource.API));
            }
            unknown = s.rateAsync(first, 999_999_999, 3.0, RatingSource.API);
            hold.rollback();
            for (var f : done) f.get();
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class, unknown::get);
            assertTrue(e.getCause() instanceof RatingService.UnknownMovieException, e.getCause().toString());
        }
        WriteSteps.Snapshot after = WriteSteps.PROCESS.snapshot();
        long batches = after.batches() - before.batches();
        // A transaction takes at most one rating of a (user, movie): the most repeated pair needs that many; the
        // first transaction, held up by the lock, may have taken any part of the queue before the rest arrived.
        int most = java.util.Collections.max(repeats.values());
        assertTrue(batches >= most && batches <= most + 1, "transactions: " + batches + ", most ratings of one (user, "
                + "movie): " + most);
        try {
            String users = "user_id BETWEEN " + first + " AND " + (first + 5);
            assertEquals(0, count("SELECT count(*) FROM movies m LEFT JOIN LATERAL (SELECT count(*)::int AS n, "
                    + "coalesce(sum(r.rating), 0) AS s, round(avg(r.rating), 2) AS a FROM ratings r WHERE r.movie_id = m.movie_id) x "
                    + "ON true WHERE (m.rating_count, m.rating_sum, m.avg_rating) IS DISTINCT FROM (x.n, x.s, x.a)"));
            assertEquals(1, count("SELECT count(*) FROM rating_totals t, (SELECT count(*) AS n, sum(rating) AS s FROM ratings) x "
                    + "WHERE (t.ratings, t.rating_sum) = (x.n, x.s)"));
            // The last rating of each (user, movie) is the one stored.
            java.util.Map<String, Double> last = new java.util.HashMap<>();
            for (var f : done) last.put(f.get().userId() + "/" + f.get().movieId(), f.get().rating());
            assertEquals(last.size(), count("SELECT count(*) FROM ratings WHERE " + users));
            for (java.util.Map.Entry<String, Double> e : last.entrySet()) {
                String[] um = e.getKey().split("/");
                assertEquals(1, count("SELECT count(*) FROM ratings WHERE user_id = " + um[0] + " AND movie_id = " + um[1]
                        + " AND rating = " + e.getValue()), e.getKey());
            }
            // Each user's stored content vector is what the user tower computes from their ratings now, up to
            // the move of μ since their last rating (other users' later ratings: ~1e-4 of 100,000).
            try (Connection c = db.connect()) {
                c.setAutoCommit(false);
                for (int u = first; u < first + 6; u++) {
                    float[] stored = UserTower.load(c, u).vector();
                    float[] fresh = UserTower.recompute(c, u, items, UserTower.DEFAULT_SHRINKAGE);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(fresh, stored, 1e-4f, "user " + u);
                }
                c.rollback();
            }
        } finally {
            try (RatingService s = service(null, 60_000)) {
                s.forget(java.util.stream.IntStream.range(first, first + 6).boxed().toList());
            }
        }
    }

    /**
     * The vectors a batch stores (sent as binary arrays, sliced per user in SQL) are, bit for bit, the ones
     * it computed and answered with: the content vectors and the collaborative vectors of three users
     * written in one transaction.
     */
    @Test
    void theVectorsABatchStoresAreBitForBitTheOnesItComputed() throws Exception {
        int first = USER + 40;
        List<java.util.concurrent.CompletableFuture<RatingService.Stored>> done = new ArrayList<>();
        try (RatingService s = service(null, 60_000); Connection hold = db.connect();
                Statement st = hold.createStatement()) {
            hold.setAutoCommit(false);
            st.execute("LOCK TABLE movies IN SHARE ROW EXCLUSIVE MODE");
            done.add(s.rateAsync(first, 318, 5.0, RatingSource.API));
            done.add(s.rateAsync(first + 1, 2571, 4.5, RatingSource.API));
            done.add(s.rateAsync(first + 2, 4993, 4.0, RatingSource.API));
            hold.rollback();
            try (Connection c = db.connect()) {
                for (var f : done) {
                    RatingService.Stored r = f.get();
                    assertTrue(r.vector() != null, "user " + r.userId());
                    org.junit.jupiter.api.Assertions.assertArrayEquals(r.vector(), UserTower.load(c, r.userId())
                            .vector(), 0f, "content vector of user " + r.userId());
                    // The sample's model is active (TestDatabase.personalized trains one): every user is folded in.
                    assertTrue(r.foldIn() != null && r.foldIn().vector() != null, "fold-in of user " + r.userId());
                    try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT factors::text FROM user_factors "
                            + "WHERE version = ? AND user_id = ?")) {
                        ps.setLong(1, r.foldIn().version());
                        ps.setInt(2, r.userId());
                        try (ResultSet rs = ps.executeQuery()) {
                            assertTrue(rs.next(), "collaborative vector of user " + r.userId());
                            org.junit.jupiter.api.Assertions.assertArrayEquals(r.foldIn().vector(),
                                    io.reelrank.embed.VectorLiteral.parse(rs.getString(1)), 0f,
                                    "collaborative vector of user " + r.userId());
                        }
                    }
                }
            }
        } finally {
            try (RatingService s = service(null, 60_000)) {
                s.forget(List.of(first, first + 1, first + 2));
            }
        }
    }

    @Test
    void whileAReloadHoldsTheTablesARatingFailsBusyAndWritesNothing() throws Exception {
        try (Connection hold = db.connect(); Statement st = hold.createStatement()) {
            hold.setAutoCommit(false);
            st.execute("LOCK TABLE movies IN SHARE ROW EXCLUSIVE MODE"); // what a reload takes first
            RatingService.BusyException e = assertThrows(RatingService.BusyException.class,
                    () -> service(null, 300).rate(USER + 2, 1, 4, RatingSource.API));
            assertTrue(e.getMessage().startsWith(
                    "a reload or another batch job is running (the tables stayed locked for 300 ms)"),
                    e.getMessage());
            hold.rollback();
        }
        assertEquals(0, count("SELECT count(*) FROM ratings WHERE user_id = " + (USER + 2)));
    }

    /**
     * The rows, the movie's figures and the totals go in the transaction's first round trip, the vectors
     * and the COMMIT in its second: a failure there (here a content vector of 3 dimensions, which
     * {@code users.embedding} refuses) must leave every table as it was.
     */
    @Test
    void aFailureInTheLastStatementLeavesNothingOfTheBatch() throws Exception {
        ItemVectors threeDims = ItemVectors.of(new int[] {318}, new float[][] {{1, 0, 0}}, false);
        Map<String, String> before = everyTable(db);
        RatingService s = new RatingService(db, () -> threeDims, () -> null, UserTower.DEFAULT_SHRINKAGE, null, 5_000);
        try {
            SQLException e = assertThrows(SQLException.class, () -> s.rate(USER + 3, 318, 5, RatingSource.API));
            assertTrue(e.getMessage().contains("dimensions"), e.getMessage());
        } finally {
            s.close();
        }
        assertEquals(before, everyTable(db));
    }

    static Map<String, String> everyTable(Database d) throws SQLException {
        return TableSnapshot.of(d);
    }

    @Test
    void forgettingAUserPutsEveryTableBackAsItWasBeforeTheirFirstRating() throws Exception {
        int user = USER + 10;
        Path index = tmp.resolve("forget-index");
        MovieIndex.rebuild(db, index);
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            MovieStats.refresh(st); // the snapshot compares movie_stats too: start from it in step with the ratings
        }
        Map<String, String> before = everyTable(db);
        ConcurrentLinkedQueue<String> heard = new ConcurrentLinkedQueue<>();
        try (Changes.Listener l = new Changes.Listener(db, List.of(Changes.USERS, Changes.MOVIES),
                (channel, payload) -> heard.add(channel + " " + payload))) {
            while (l.catchUps() == 0) Thread.sleep(10);
            RatingService s = service(index, 5_000);
            for (int movie : new int[] {318, 2571, 4993, 1}) s.rate(user, movie, movie == 1 ? 1.5 : 4.5, RatingSource.API);
            s.rate(user, 318, 2.0, RatingSource.API); // a changed rating, not a second one
            String key;
            try (Keys keys = new Keys(db, null)) {
                key = keys.create(Access.Role.USER, user, null).key();
            }
            assertTrue(count("SELECT rating_count FROM movies WHERE movie_id = 318") > 0);
            assertFalse(before.equals(everyTable(db)));

            RatingService.Forgotten f = s.forget(user);
            assertEquals(new RatingService.Forgotten(user, 4, 0, 1, 1, true, false, false, Set.of(1, 318, 2571, 4993)), f);
            try (Keys keys = new Keys(db, null)) {
                assertThrows(Keys.InvalidKeyException.class, () -> keys.authenticate(key));
            }
            assertEquals(before, everyTable(db));
            MovieIndex.Check check = MovieIndex.check(db, index);
            assertFalse(check.stale(), check.describe());
            // What other servers act on: the user's cached vectors go, the movies' index entries are re-read.
            // awaitSeen returns once every notification committed before it has been applied, in order.
            l.awaitSeen(10_000);
            String movies = Changes.MOVIES + " 1,318,2571,4993|" + Changes.indexIdentity(index);
            assertTrue(heard.contains(Changes.USERS + " " + user) && heard.contains(movies), "heard: " + heard);
        }
        RatingService.UnknownUserException e = assertThrows(RatingService.UnknownUserException.class,
                () -> service(null, 1000).forget(user));
        assertEquals("unknown user " + user + ": no ratings, tags, vectors or keys of this user_id", e.getMessage());
        assertEquals(before, everyTable(db));
    }

    @Test
    void aUserFromTheMovieLensFilesStaysForgottenWhenTheFilesAreLoadedAgain() throws Exception {
        // On a database of its own: the shared sample keeps its MovieLens users.
        try (ScratchDatabase scratch = new ScratchDatabase(TestDatabase.get(), "forget")) {
            Database d = scratch.database();
            MovieLensLoader.load(d, TestDatabase.SAMPLE, MovieLensLoader.Options.defaults(), MovieLensLoader.Listener.NONE);
            int user = 2; // rated 29 movies and tagged 9 times in ml-latest-small
            List<Integer> counts = List.of(countIn(d, "SELECT count(*) FROM ratings WHERE user_id = 2"),
                    countIn(d, "SELECT count(*) FROM tags WHERE user_id = 2"));
            assertEquals(List.of(29, 9), counts);
            RatingService s = new RatingService(d, () -> items, () -> null, UserTower.DEFAULT_SHRINKAGE, null, 5_000);
            RatingService.Forgotten f = s.forget(user);
            assertEquals(29, f.ratings());
            assertEquals(9, f.tags());
            assertTrue(f.fromFiles());
            assertEquals(0, countIn(d, "SELECT count(*) FROM ratings WHERE user_id = 2")
                    + countIn(d, "SELECT count(*) FROM tags WHERE user_id = 2") + countIn(d, "SELECT count(*) FROM users WHERE user_id = 2"));
            // The movies' figures and the totals are those of the remaining ratings, as a recount gives them.
            String recount = " LEFT JOIN LATERAL (SELECT round(avg(r.rating), 2) AS a, count(*)::int AS n FROM ratings r "
                    + "WHERE r.movie_id = m.movie_id) x ON true WHERE (m.avg_rating, m.rating_count) IS DISTINCT FROM (x.a, x.n)";
            assertEquals(0, countIn(d, "SELECT count(*) FROM movies m" + recount));
            assertEquals(0, countIn(d, "SELECT count(*) FROM movie_stats m" + recount));
            assertEquals(1, countIn(d, "SELECT count(*) FROM rating_totals t, (SELECT count(*) AS n, sum(rating) AS s FROM ratings) x "
                    + "WHERE (t.ratings, t.rating_sum) = (x.n, x.s)"));

            MovieLensLoader.Report r = MovieLensLoader.load(d, TestDatabase.SAMPLE, new MovieLensLoader.Options(10_000, false, true),
                    MovieLensLoader.Listener.NONE);
            assertEquals(29 + 9, r.forgottenRows());
            assertEquals(100_836 - 29, r.ratings());
            assertEquals(0, countIn(d, "SELECT count(*) FROM ratings WHERE user_id = 2")
                    + countIn(d, "SELECT count(*) FROM tags WHERE user_id = 2") + countIn(d, "SELECT count(*) FROM users WHERE user_id = 2"));
        }
    }

    static int countIn(Database d, String sql) throws SQLException {
        try (Connection c = d.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
