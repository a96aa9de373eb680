package io.reelrank.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.cli.Run;
import io.reelrank.db.Database;
import io.reelrank.db.ScratchDatabase;
import io.reelrank.generate.MovieLensGenerator;
import io.reelrank.http.ApiServer;
import io.reelrank.index.MovieIndex;
import io.reelrank.index.MovieSearcher;
import io.reelrank.ingest.MovieLensLoader;
import io.reelrank.model.ItemVectors;
import io.reelrank.rerank.PersonalizedSearch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulated audience end to end: a set of 10,000 ratings written by the generator (seed 5), loaded
 * into a database of its own (so the shared sample is never touched), indexed and served by a real
 * {@link ApiServer} on a free loopback port; the audience searches, clicks and rates over HTTP. Checks
 * that a seed replays the same sessions, that the audience behaves as its truth says (clicks fall with
 * the position and go to movies it likes), that ordering by the latent truth beats a random order in
 * latent NDCG, and that the ratings it posts land in the database.
 */
@Tag("integration")
class SimulateCommandTest {

    @TempDir
    static Path tmp;

    private static Path set;
    private static ScratchDatabase scratch;
    private static Database db;
    private static ApiServer server;
    private static PersonalizedSearch search;
    private static LatentTruth truth;

    @BeforeAll
    static void serveAGeneratedSet() throws Exception {
        set = tmp.resolve("set");
        MovieLensGenerator.write(new MovieLensGenerator.Options(10_000, null, null, null, 5, TestDatabase.SAMPLE,
                false), set, false, MovieLensGenerator.Listener.NONE);
        scratch = new ScratchDatabase(TestDatabase.get(), "simulate");
        db = scratch.database();
        MovieLensLoader.load(db, set, MovieLensLoader.Options.defaults(), MovieLensLoader.Listener.NONE);
        Path index = tmp.resolve("index");
        MovieIndex.rebuild(db, index);
        search = new PersonalizedSearch(db, MovieSearcher.open(index), ItemVectors.load(db, true));
        server = ApiServer.start(ApiServer.Options.loopback(), db, search);
        truth = LatentTruth.read(set);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (search != null) search.close();
        if (scratch != null) scratch.close();
    }

    private static SimulatedAudience.Options options(int sessions, long seed, double rate) {
        return new SimulatedAudience.Options(20, sessions, seed, SimulatedAudience.ClickModel.PBM, 1.0, 10, rate, 0.5,
                null);
    }

    private static List<SimulatedSession> run(SimulatedAudience.Options o) throws Exception {
        List<SimulatedSession> out = new ArrayList<>();
        new SimulatedAudience(truth, o).run(SimulatedAudience.http(server.uri(), null, null), out::add);
        return out;
    }

    @Test
    void theSameSeedShowsAndClicksTheSameAndAnotherSeedDiffers() throws Exception {
        // no ratings, so the server is in the same state for both runs
        List<SimulatedSession> first = run(options(60, 11, 0));
        List<SimulatedSession> second = run(options(60, 11, 0));
        assertEquals(first, second);
        assertTrue(first.stream().mapToInt(SimulatedSession::clicks).sum() > 0, "no clicks at all");
        assertTrue(first.stream().allMatch(s -> s.shown().length > 0), "a query the server found nothing for");
        assertFalse(first.equals(run(options(60, 12, 0))));
    }

    @Test
    void theCommandPrintsItsFiguresAndWritesTheSessionsItPlayed() throws Exception {
        Path out = tmp.resolve("sessions.jsonl");
        Run r = Run.of(List.of("simulate"), "--url", server.uri().toString(), "--data-dir", set.toString(),
                "--users", "20", "--sessions", "40", "--seed", "11", "--rate-probability", "0", "--sessions-out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("simulate: 40 sessions of 20 users on " + server.uri()), r.out());
        assertTrue(r.out().contains("sessions/s"), r.out());
        assertTrue(r.out().contains("latent NDCG@10 of what was shown"), r.out());
        assertTrue(r.out().contains("position-based click model fitted on these sessions"), r.out());
        // the file holds what the in-process run of the same seed plays
        List<SimulatedSession> read = SessionLog.read(out);
        assertEquals(run(options(40, 11, 0)), read);
    }

    @Test
    void theAudienceClicksMoreOnTopAndOnWhatItLikesAndTruthOrderBeatsRandomOrder() throws Exception {
        List<SimulatedSession> sessions = run(options(300, 21, 0));
        long[] shownAt = new long[10];
        long[] clickedAt = new long[10];
        double likedClicked = 0, likedSkipped = 0;
        long nClicked = 0, nSkipped = 0;
        double truthOrder = 0, randomOrder = 0;
        SplittableRandom r = new SplittableRandom(1);
        for (SimulatedSession s : sessions) {
            LatentTruth.User u = truth.user(s.user());
            for (int p = 0; p < s.shown().length; p++) {
                shownAt[p]++;
                double like = truth.attraction(u, s.shown()[p]);
                if (s.clicked()[p]) {
                    clickedAt[p]++;
                    likedClicked += like;
                    nClicked++;
                } else {
                    likedSkipped += like;
                    nSkipped++;
                }
            }
            Integer[] byTruth = new Integer[s.shown().length];
            for (int i = 0; i < byTruth.length; i++) byTruth[i] = s.shown()[i];
            java.util.Arrays.sort(byTruth, (a, b) -> Double.compare(truth.attraction(u, b), truth.attraction(u, a)));
            int[] sorted = java.util.Arrays.stream(byTruth).mapToInt(Integer::intValue).toArray();
            int[] shuffled = s.shown().clone();
            for (int i = shuffled.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int x = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = x;
            }
            truthOrder += truth.ndcg(u, sorted, s.shown(), 10);
            randomOrder += truth.ndcg(u, shuffled, s.shown(), 10);
            assertEquals(truth.ndcg(u, s.shown(), s.shown(), 10), s.ndcgShown(), 1e-12);
            assertTrue(s.ndcgCatalogue() >= 0 && s.ndcgCatalogue() <= s.ndcgShown() + 1e-12, s.toString());
        }
        assertEquals(sessions.size(), truthOrder, 1e-9); // the shown list in its best order is its own ideal
        assertTrue(truthOrder > randomOrder, truthOrder + " vs random " + randomOrder);
        double ctr1 = (double) clickedAt[0] / shownAt[0];
        double ctr5 = (double) clickedAt[4] / shownAt[4];
        assertTrue(ctr1 > ctr5, "click-through at 1: " + ctr1 + ", at 5: " + ctr5);
        assertTrue(likedClicked / nClicked > likedSkipped / nSkipped, "liking of clicked " + likedClicked / nClicked
                + " vs skipped " + likedSkipped / nSkipped);
    }

    @Test
    void theRatingsItPostsLandInTheDatabaseWithTheStarsItDrew() throws Exception {
        List<SimulatedSession> sessions = run(new SimulatedAudience.Options(5, 30, 31,
                SimulatedAudience.ClickModel.CASCADE, 1.0, 10, 1.0, 0.5, null));
        int checked = 0;
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT rating FROM ratings WHERE user_id = ? AND movie_id = ?")) {
            for (SimulatedSession s : sessions) {
                assertTrue(s.clicks() <= 1, "a cascade session with two clicks: " + s);
                for (SimulatedSession.Rated rated : s.ratings()) {
                    ps.setInt(1, s.user());
                    ps.setInt(2, rated.movie());
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next(), "rating of " + rated + " by " + s.user() + " not stored");
                        checked++;
                        // a later session may have rated the same movie again: the last one stands
                        double last = rated.stars();
                        for (SimulatedSession t : sessions) {
                            if (t.index() > s.index() && t.user() == s.user()) {
                                for (SimulatedSession.Rated x : t.ratings()) if (x.movie() == rated.movie()) last = x.stars();
                            }
                        }
                        assertEquals(last, rs.getDouble(1), 1e-9, "stars of " + rated);
                    }
                }
            }
        }
        assertTrue(checked > 0, "no rating was posted in 30 sessions that rate every click");
    }

    @Test
    void normalCdfMatchesScipy() {
        // scipy.stats.norm.cdf (SciPy 1.17.1)
        assertEquals(0.022750131948179195, LatentTruth.normalCdf(-2), 2e-7);
        assertEquals(0.3085375387259869, LatentTruth.normalCdf(-0.5), 2e-7);
        assertEquals(0.5, LatentTruth.normalCdf(0), 2e-7);
        assertEquals(0.6179114221889526, LatentTruth.normalCdf(0.3), 2e-7);
        assertEquals(0.955434537241457, LatentTruth.normalCdf(1.7), 2e-7);
    }

    @Test
    void aDirectoryWithoutTheLatentFilesOrTooLargeAnAudienceIsRefusedWithTheReason() throws Exception {
        Path bare = Files.createDirectories(tmp.resolve("bare"));
        Files.copy(set.resolve("movies.csv"), bare.resolve("movies.csv"));
        Run r = Run.of(List.of("simulate"), "--url", server.uri().toString(), "--data-dir", bare.toString());
        assertEquals(2, r.code());
        assertEquals("reelrank: error: " + bare.resolve("movies_latent.csv") + " does not exist: --data-dir must be a "
                + "set written by `reelrank generate`", r.err().strip());
        int users = truth.userIds().length;
        Run big = Run.of(List.of("simulate"), "--url", server.uri().toString(), "--data-dir", set.toString(),
                "--users", String.valueOf(users + 1));
        assertEquals(2, big.code());
        assertEquals("reelrank: error: --users must be in 1-" + users + " (the users of users_latent.csv), got "
                + (users + 1), big.err().strip());
        Run model = Run.of(List.of("simulate"), "--url", server.uri().toString(), "--data-dir", set.toString(),
                "--click-model", "dbn");
        assertEquals("reelrank: error: --click-model must be pbm or cascade, got 'dbn'", model.err().strip());
    }
}
