package io.reelrank.rerank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import io.reelrank.index.MovieIndex;
import io.reelrank.index.MovieSearcher;
import io.reelrank.index.SearchFilters;
import io.reelrank.db.RatingSource;
import io.reelrank.service.RatingService;
import io.reelrank.user.UserTower;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The acceptance story against the real database, the real MiniLM vectors and the real Lucene index. */
class PersonalizedSearchTest {

    private static final Set<Integer> LORD_OF_THE_RINGS = Set.of(2116, 4993, 5952, 7153);

    @TempDir
    static Path tmp;

    private static Database db;
    private static PersonalizedSearch search;

    @BeforeAll
    static void open() throws Exception {
        db = TestDatabase.personalized();
        Path dir = tmp.resolve("index");
        MovieIndex.rebuild(db, dir);
        search = new PersonalizedSearch(db, MovieSearcher.open(dir), ItemVectors.load(db, true));
    }

    @AfterAll
    static void close() throws Exception {
        search.close();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DELETE FROM ratings WHERE user_id IN (30001, 30002, 30003)");
            st.execute("DELETE FROM users WHERE user_id IN (30001, 30002, 30003)");
        }
    }

    private static PersonalizedSearch.Response lord(int user) throws Exception {
        return search.search(new PersonalizedSearch.Request("lord", user, 20, 100, Reranker.DEFAULT_ALPHA,
                Fusion.LINEAR, SearchFilters.NONE));
    }

    private static boolean fantasy(PersonalizedSearch.Result r) {
        return r.genres().contains("Fantasy");
    }

    private static double meanRingsRank(PersonalizedSearch.Response r) {
        return r.results().stream().filter(x -> LORD_OF_THE_RINGS.contains(x.movieId()))
                .mapToInt(PersonalizedSearch.Result::rank).average().orElseThrow();
    }

    @Test
    void fantasyLoversSeeTheRingsAboveEveryNonFantasyFilm() throws Exception {
        for (int user : new int[] {10001, 20001}) {
            PersonalizedSearch.Response r = lord(user);
            assertTrue(r.personalized());
            int worstRings = r.results().stream().filter(x -> LORD_OF_THE_RINGS.contains(x.movieId()))
                    .mapToInt(PersonalizedSearch.Result::rank).max().orElseThrow();
            int bestOther = r.results().stream().filter(x -> !fantasy(x))
                    .mapToInt(PersonalizedSearch.Result::rank).min().orElseThrow();
            assertEquals(4, r.results().stream().filter(x -> LORD_OF_THE_RINGS.contains(x.movieId())).count());
            assertTrue(worstRings < bestOther, "user " + user + ": rings down to rank " + worstRings
                    + ", first non-Fantasy film at " + bestOther);
        }
    }

    @Test
    void fantasyHatersSeeTheRingsBelowEveryNonFantasyFilm() throws Exception {
        for (int user : new int[] {10002, 20002}) {
            PersonalizedSearch.Response r = lord(user);
            int bestRings = r.results().stream().filter(x -> LORD_OF_THE_RINGS.contains(x.movieId()))
                    .mapToInt(PersonalizedSearch.Result::rank).min().orElseThrow();
            int worstOther = r.results().stream().filter(x -> !fantasy(x))
                    .mapToInt(PersonalizedSearch.Result::rank).max().orElseThrow();
            assertTrue(bestRings > worstOther, "user " + user + ": rings from rank " + bestRings
                    + ", last non-Fantasy film at " + worstOther);
        }
    }

    @Test
    void extremeUsersMoveTheRingsAtLeastAsFar() throws Exception {
        assertTrue(meanRingsRank(lord(20001)) <= meanRingsRank(lord(10001)));
        assertTrue(meanRingsRank(lord(20002)) >= meanRingsRank(lord(10002)));
        assertTrue(meanRingsRank(lord(10001)) < meanRingsRank(search.search(PersonalizedSearch.Request.of("lord", null)
                .withLimit(20))), "the lover must lift them above their BM25 ranks");
    }

    @Test
    void kingShowsTheLoverMoreFantasyThanTheHater() throws Exception {
        long lover = topFantasy("king", 10001);
        long hater = topFantasy("king", 10002);
        assertTrue(lover > hater, "Fantasy in the top 5 for 'king': lover " + lover + ", hater " + hater);
    }

    private static long topFantasy(String q, int user) throws Exception {
        return search.search(new PersonalizedSearch.Request(q, user, 5, 100, Reranker.DEFAULT_ALPHA, Fusion.LINEAR,
                SearchFilters.NONE)).results().stream().filter(PersonalizedSearchTest::fantasy).count();
    }

    @Test
    void rrfFusionAlsoSeparatesLoverAndHater() throws Exception {
        PersonalizedSearch.Request lover = new PersonalizedSearch.Request("lord", 10001, 20, 100, 0, Fusion.RRF,
                SearchFilters.NONE);
        PersonalizedSearch.Request hater = new PersonalizedSearch.Request("lord", 10002, 20, 100, 0, Fusion.RRF,
                SearchFilters.NONE);
        assertTrue(meanRingsRank(search.search(lover)) < meanRingsRank(search.search(hater)));
    }

    @Test
    void aUserWhoRatedOnlyOnesGetsAVectorPointingAwayFromThoseMovies() throws Exception {
        ItemVectors items = search.items();
        int[] rated = {4993, 5952, 7153};
        for (int m : rated) rate(items, 30003, m, 1.0);
        float[] u;
        try (Connection c = db.connect()) {
            u = UserTower.load(c, 30003).vector();
        }
        assertNotNull(u, "shrinkage must keep an all-1.0 user from a zero vector");
        for (int m : rated) assertTrue(items.cosine(m, u) < 0, "movie " + m + " cos " + items.cosine(m, u));
    }

    @Test
    void theFantasyHaterPointsAwayFromTheFiftyOnAverage() throws Exception {
        ItemVectors items = search.items();
        double sum = 0;
        int n = 0;
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            float[] u = UserTower.load(c, 10002).vector();
            assertNotNull(u);
            var rs = st.executeQuery("SELECT movie_id FROM ratings WHERE user_id = 10002");
            while (rs.next()) {
                sum += items.cosine(rs.getInt(1), u);
                n++;
            }
        }
        assertEquals(50, n);
        assertTrue(sum / n < -0.2, "mean cosine to the 50 rated 1.0: " + sum / n);
    }

    @Test
    void aRatingChangesTheUsersVectorAndTheRanking() throws Exception {
        ItemVectors items = search.items();
        rate(items, 30001, 4993, 5.0);
        rate(items, 30001, 36529, 1.0); // Lord of War
        search.invalidateUser(30001);
        float[] before = search.userVector(30001);
        int ringsBefore = rankOf(lord(30001), 4993);
        RatingService.Stored r = rate(items, 30001, 4993, 0.5);
        assertTrue(r.replaced());
        search.invalidateUser(30001);
        float[] after = search.userVector(30001);
        assertFalse(Arrays.equals(before, after));
        int ringsAfter = rankOf(lord(30001), 4993);
        assertTrue(ringsAfter > ringsBefore, "Fellowship went from " + ringsBefore + " to " + ringsAfter);
    }

    /** One rating through the service every writer uses (no index directory: the test's index is its own). */
    private static RatingService.Stored rate(ItemVectors items, int user, int movie, double rating) throws Exception {
        return new RatingService(db, () -> items, UserTower.DEFAULT_SHRINKAGE, null).rate(user, movie, rating, RatingSource.CLI);
    }

    private static int rankOf(PersonalizedSearch.Response r, int movie) {
        return r.results().stream().filter(x -> x.movieId() == movie).findFirst().orElseThrow().rank();
    }

    @Test
    void anUnknownUserIsAnErrorAndAColdUserGetsTheBm25Order() throws Exception {
        var e = assertThrows(PersonalizedSearch.UnknownUserException.class, () -> lord(999_999));
        assertTrue(e.getMessage().startsWith("unknown user 999999"), e.getMessage());
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO users (user_id) VALUES (30002) ON CONFLICT DO NOTHING");
        }
        PersonalizedSearch.Response cold = lord(30002);
        assertFalse(cold.personalized());
        assertTrue(cold.coldUser());
        PersonalizedSearch.Response plain = search.search(PersonalizedSearch.Request.of("lord", null).withLimit(20));
        assertEquals(plain.results().stream().map(PersonalizedSearch.Result::movieId).toList(),
                cold.results().stream().map(PersonalizedSearch.Result::movieId).toList());
        assertNull(cold.results().get(0).similarity());
    }

    @Test
    void eachResultExplainsItsScoreWithTheFormula() throws Exception {
        PersonalizedSearch.Result top = lord(10001).results().get(0);
        double a = Reranker.DEFAULT_ALPHA;
        String shown = String.format(java.util.Locale.ROOT, "%.2f", a);
        assertTrue(top.explanation().startsWith("(1-" + shown + ")·bm25/max_bm25 + " + shown + "·(cos+1)/2 = "),
                top.explanation());
        double expected = (1 - a) * top.bm25() / lord(10001).results().stream()
                .mapToDouble(PersonalizedSearch.Result::bm25).max().orElseThrow() + a * (top.similarity() + 1) / 2;
        assertEquals(expected, top.score(), 1e-4);
        List<String> fields = List.of("rank", "movie_id", "title", "year", "genres", "bm25", "bm25_rank",
                "similarity", "score");
        var json = SearchJson.toJson(lord(10001));
        assertTrue(json.get("personalized").asBoolean());
        assertEquals(10001, json.get("user").asInt());
        for (String f : fields) assertTrue(json.get("results").get(0).has(f), "missing " + f);
    }
}
