package io.reelrank.rerank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import io.reelrank.db.RatingSource;
import io.reelrank.eval.SearchRankerTraining;
import io.reelrank.http.SearchJson;
import io.reelrank.index.SearchFilters;
import io.reelrank.model.FoldIn;
import io.reelrank.model.ItemVectors;
import io.reelrank.rank.RankerStore;
import io.reelrank.service.RankerTraining;
import io.reelrank.service.RatingService;
import io.reelrank.service.Training;
import io.reelrank.user.TestUsers;
import io.reelrank.user.UserTower;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance story against the real database, the real MiniLM vectors, the real Lucene index,
 * a collaborative model trained on the sample and the shipped fusion (learned): a learned ranker
 * trained here by the product's own stage ({@code train --ranker-only}, the shipped setting on a
 * sample of the judgments) and deleted afterwards, so other classes see the database as before.
 */
@Tag("integration")
class PersonalizedSearchTest {

    private static final Set<Integer> LORD_OF_THE_RINGS = Set.of(2116, 4993, 5952, 7153);
    /** A MovieLens user of the sample, inside every learned ranker's domain (b_u about 3.4). */
    private static final int MOVIELENS_USER = 414;

    @TempDir
    static Path tmp;

    /** Judgments the test's ranker is trained on: a seeded sample, so the class trains in seconds. */
    private static final int JUDGMENTS = 4_000;

    private static Database db;
    private static PersonalizedSearch search;
    private static long ranker;

    @BeforeAll
    static void open() throws Exception {
        db = TestDatabase.personalized();
        Path dir = tmp.resolve("index");
        search = TestDatabase.personalizedSearch(dir);
        RankerTraining.Options o = new RankerTraining.Options(List.of(SearchRankerTraining.DEFAULT), List.of(), JUDGMENTS,
                SearchRankerTraining.DEFAULT.params().seed(), Runtime.getRuntime().availableProcessors(), dir);
        ranker = Training.rankerOnly(db, new Training.Options(List.of(TestDatabase.MODEL), o.threads(),
                UserTower.DEFAULT_SHRINKAGE).withRanker(o), Training.Listener.NONE).version();
        search.reloadLearned();
    }

    @AfterAll
    static void close() throws Exception {
        search.close();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DELETE FROM ratings WHERE user_id IN (30001, 30002, 30003, 30004)");
            st.execute("DELETE FROM users WHERE user_id IN (30001, 30002, 30003, 30004)");
            // The ratings went without RatingService: put the movies' figures back.
            io.reelrank.db.MovieStats.refresh(st);
        }
        try (Connection c = db.connectDirect()) {
            c.setAutoCommit(false);
            RankerStore.deactivate(c, RankerStore.SEARCH);
            RankerStore.delete(c, ranker);
            c.commit();
        }
    }

    private static PersonalizedSearch.Response lord(int user) throws Exception {
        return search.search(PersonalizedSearch.Request.of("lord", user).withLimit(20));
    }

    /** The plain BM25 order of {@code lord} (a search without a user, fusion bm25). */
    private static PersonalizedSearch.Response bm25Order() throws Exception {
        return search.search(new PersonalizedSearch.Request("lord", null, 20, 100, (Weights) null, Fusion.BM25,
                SearchFilters.NONE));
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
        double bm25 = meanRingsRank(bm25Order());
        assertTrue(meanRingsRank(lord(20001)) <= meanRingsRank(lord(10001)));
        assertTrue(meanRingsRank(lord(20002)) >= meanRingsRank(lord(10002)));
        assertTrue(meanRingsRank(lord(10001)) < bm25, "the lover must lift them above their BM25 ranks");
        assertTrue(meanRingsRank(lord(10002)) > bm25, "the hater must sink them below their BM25 ranks");
    }

    @Test
    void theLoversHaveACollaborativeVectorAndTheHatersOnlyTheContentTower() throws Exception {
        for (int lover : new int[] {10001, 20001}) {
            assertNotNull(search.collaborativeVector(lover), "user " + lover);
            assertTrue(lord(lover).hasCollaborative());
        }
        for (int hater : new int[] {10002, 20002}) {
            assertNull(search.collaborativeVector(hater), "only 1.0 ratings: no positive, no collaborative vector");
            assertNotNull(search.userVector(hater));
            assertTrue(lord(hater).personalized(), "the content tower carries the hater");
        }
    }

    /** A genre, a title word its most-rated movies share with other genres' films, and two users built for it. */
    private record GenreStory(String genre, String word, int lover, int hater) {}

    /** The acceptance story's users built the same way for other genres (the word found in the sample's titles). */
    private static final List<GenreStory> OTHER_GENRES = List.of(new GenreStory("Sci-Fi", "star", 30011, 30012),
            new GenreStory("Horror", "dead", 30013, 30014), new GenreStory("Animation", "story", 30015, 30016),
            new GenreStory("Western", "west", 30017, 30018));

    @Test
    void loversAndHatersOfOtherGenresSeeTheirRatedFilmsAboveAndBelowEveryFilmOfAnotherGenreInTheirTop20() throws Exception {
        ItemVectors items = search.items();
        try (Connection c = db.connectDirect(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            for (GenreStory g : OTHER_GENRES) {
                for (int u : new int[] {g.lover(), g.hater()}) {
                    st.execute("INSERT INTO users (user_id) VALUES (" + u + ")");
                    assertEquals(50, TestUsers.rateGenre(c, u, g.genre(), 50, u == g.lover() ? 5.0 : 1.0));
                }
            }
            io.reelrank.db.MovieStats.refresh(st);
            for (GenreStory g : OTHER_GENRES) {
                for (int u : new int[] {g.lover(), g.hater()}) {
                    UserTower.recompute(c, u, items, UserTower.DEFAULT_SHRINKAGE);
                    FoldIn.update(c, u, null);
                }
            }
            c.commit();
        }
        try {
            for (GenreStory g : OTHER_GENRES) {
                List<List<Integer>> ratedOf = Arrays.asList(null, null);
                for (int u : new int[] {g.lover(), g.hater()}) {
                    PersonalizedSearch.Response r = search.search(PersonalizedSearch.Request.of(g.word(), u)
                            .withLimit(20));
                    assertEquals(Fusion.WEIGHTED, r.fusion(), "outside the ranker's domain: " + r.note());
                    assertTrue(r.note().contains("knows no user like this one (a mean rating of"), r.note());
                    Set<Integer> rated = ratedBy(u);
                    List<Integer> ratedRanks = r.results().stream().filter(x -> rated.contains(x.movieId()))
                            .map(PersonalizedSearch.Result::rank).toList();
                    List<Integer> otherRanks = r.results().stream().filter(x -> !x.genres().contains(g.genre()))
                            .map(PersonalizedSearch.Result::rank).toList();
                    assertFalse(otherRanks.isEmpty(), g + ": no film of another genre in the top 20");
                    String story = g.genre() + " " + (u == g.lover() ? "lover" : "hater") + " " + u + " searching '"
                            + g.word() + "': rated films at " + ratedRanks + ", other genres' films at " + otherRanks;
                    ratedOf.set(u == g.lover() ? 0 : 1, ratedRanks);
                    if (u == g.lover()) {
                        assertFalse(ratedRanks.isEmpty(), story);
                        // Outside the domain the own ratings decide: the 5.0 takes u·v's place too.
                        assertTrue(r.note().endsWith("your own ratings decide where the films you rated stand"),
                                r.note());
                        String why = r.results().get(ratedRanks.get(0) - 1).explanation();
                        assertTrue(why.contains("own rating (r-0.5)/4.5 = 1.000 in place of mm(log(1+n)), mm(cos) "
                                + "and mm(u·v)"), why);
                        assertTrue(ratedRanks.get(ratedRanks.size() - 1) < otherRanks.get(0), story);
                    } else if (!ratedRanks.isEmpty()) {
                        assertTrue(ratedRanks.get(0) > otherRanks.get(otherRanks.size() - 1), story);
                    }
                }
                // The same films: every one the lover sees ranks above every one the hater sees (a word with
                // few matches leaves the hater's rated films in the top 20, at its bottom).
                List<Integer> lover = ratedOf.get(0), hater = ratedOf.get(1);
                assertTrue(lover.size() >= hater.size() && (hater.isEmpty() || lover.get(lover.size() - 1) < hater.get(0)),
                        g + ": rated films at " + lover + " for the lover, " + hater + " for the hater");
            }
        } finally {
            RatingService ratings = new RatingService(db, () -> items, () -> null, UserTower.DEFAULT_SHRINKAGE, null);
            for (GenreStory g : OTHER_GENRES) {
                ratings.forget(g.lover());
                ratings.forget(g.hater());
            }
        }
    }

    private static Set<Integer> ratedBy(int user) throws Exception {
        Set<Integer> out = new java.util.TreeSet<>();
        try (Connection c = db.connect(); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT movie_id FROM ratings WHERE user_id = " + user)) {
            while (rs.next()) out.add(rs.getInt(1));
        }
        return out;
    }

    @Test
    void kingShowsTheLoverMoreFantasyThanTheHater() throws Exception {
        long lover = topFantasy("king", 10001);
        long hater = topFantasy("king", 10002);
        assertTrue(lover > hater, "Fantasy in the top 5 for 'king': lover " + lover + ", hater " + hater);
    }

    private static long topFantasy(String q, int user) throws Exception {
        return search.search(PersonalizedSearch.Request.of(q, user).withLimit(5)).results().stream()
                .filter(PersonalizedSearchTest::fantasy).count();
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
        return new RatingService(db, () -> items, () -> null, UserTower.DEFAULT_SHRINKAGE, null)
                .rate(user, movie, rating, RatingSource.CLI);
    }

    private static int rankOf(PersonalizedSearch.Response r, int movie) {
        return r.results().stream().filter(x -> x.movieId() == movie).findFirst().orElseThrow().rank();
    }

    @Test
    void anUnknownUserIsAnErrorAndAColdUserGetsBm25AndThePopularityPrior() throws Exception {
        var e = assertThrows(PersonalizedSearch.UnknownUserException.class, () -> lord(999_999));
        assertTrue(e.getMessage().startsWith("unknown user 999999"), e.getMessage());
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO users (user_id) VALUES (30002) ON CONFLICT DO NOTHING");
        }
        PersonalizedSearch.Response cold = lord(30002);
        assertFalse(cold.personalized());
        assertTrue(cold.coldUser());
        assertNull(cold.results().get(0).similarity());
        // α = 0 for a user with vectors is the same non-personalized ranking: BM25 and the prior.
        Weights shipped = Weights.DEFAULT;
        PersonalizedSearch.Response baseline = search.search(new PersonalizedSearch.Request("lord", 10001, 20, 100,
                new Weights(0, shipped.popularity(), shipped.collaborative()), Fusion.WEIGHTED, SearchFilters.NONE));
        assertEquals(baseline.results().stream().map(PersonalizedSearch.Result::movieId).toList(),
                cold.results().stream().map(PersonalizedSearch.Result::movieId).toList());
        PersonalizedSearch.Response plain = bm25Order();
        assertFalse(plain.results().stream().map(PersonalizedSearch.Result::movieId).toList()
                .equals(cold.results().stream().map(PersonalizedSearch.Result::movieId).toList()),
                "the prior must reorder 'lord', or this test proves nothing");
        // Linear fusion has no prior: the cold user gets the BM25 order there.
        PersonalizedSearch.Response linear = search.search(new PersonalizedSearch.Request("lord", 30002, 20, 100,
                Reranker.DEFAULT_ALPHA, Fusion.LINEAR, SearchFilters.NONE));
        assertEquals(plain.results().stream().map(PersonalizedSearch.Result::movieId).toList(),
                linear.results().stream().map(PersonalizedSearch.Result::movieId).toList());
    }

    @Test
    void aNewUserIsPersonalizedFromTheFirstRating() throws Exception {
        RatingService.Stored r = new RatingService(db, search::items, search::model, UserTower.DEFAULT_SHRINKAGE, null)
                .rate(30004, 4993, 5.0, RatingSource.CLI);
        assertNotNull(r.foldIn(), "a model is active: the rating folds the user in");
        assertNotNull(r.foldIn().vector(), "one rating above the midpoint gives a collaborative vector");
        search.invalidateUser(30004);
        PersonalizedSearch.Response first = lord(30004);
        assertTrue(first.personalized());
        assertTrue(first.hasCollaborative());
        assertTrue(rankOf(first, 5952) < rankOf(bm25Order(), 5952),
                "one Fellowship rating lifts The Two Towers");
    }

    @Test
    void aLearnedAnswerCarriesTheFeatureRowsTheRankerScoredItsResultsWith() throws Exception {
        PersonalizedSearch.Response r = search.search(PersonalizedSearch.Request.of("lord", MOVIELENS_USER)
                .withLimit(8).withFusion(Fusion.LEARNED));
        assertEquals(Fusion.LEARNED, r.fusion());
        float[] x = r.servedFeatures();
        int n = r.results().size();
        assertEquals(n * io.reelrank.rank.FeatureSet.WIDTH, x.length);
        io.reelrank.rank.Ranker learned;
        try (Connection c = db.connect()) {
            learned = RankerStore.active(c, RankerStore.SEARCH).ranker();
        }
        double[] scores = learned.score(x, n);
        for (int i = 0; i < n; i++) {
            PersonalizedSearch.Result res = r.results().get(i);
            if (!res.explanation().contains("you rated it")) {
                assertEquals(res.score(), scores[i], 1e-6, "row " + i + " is what the ranker scored " + res.title());
            }
            float cos = x[i * io.reelrank.rank.FeatureSet.WIDTH + io.reelrank.rank.Feature.COS.ordinal()];
            assertEquals(res.similarity() == null ? Double.NaN : res.similarity(), cos, 1e-6, res.title());
        }
        io.reelrank.service.RequestLog.Entry e = io.reelrank.service.RequestLog.search("0".repeat(32), 0, r);
        assertTrue(e.features() == x, "the request log stores the served rows, not a recomputation");
        assertEquals("cos", e.featureNames()[io.reelrank.rank.Feature.COS.ordinal()]);
        assertEquals(ranker, (long) e.rankerVersion());
        assertNull(search.search(PersonalizedSearch.Request.of("lord", MOVIELENS_USER).withFusion(Fusion.WEIGHTED))
                .servedFeatures(), "a fusion with a formula has no feature rows");
    }

    @Test
    void theLearnedRankerExplainsItsScoresByTheirReasons() throws Exception {
        PersonalizedSearch.Response r = search.search(PersonalizedSearch.Request.of("lord", MOVIELENS_USER)
                .withExplain(true).withFusion(Fusion.LEARNED));
        assertEquals(Fusion.LEARNED, r.fusion());
        assertEquals(ranker, r.rankerVersion());
        assertNull(r.note());
        double previous = Double.POSITIVE_INFINITY;
        for (PersonalizedSearch.Result x : r.results()) {
            assertEquals(PersonalizedSearch.REASONS, x.reasons().size(), x.title());
            assertTrue(x.explanation().startsWith("learned ranker version " + ranker + ": score "), x.explanation());
            assertTrue(x.explanation().contains("; " + x.reasons().get(0)), x.explanation());
            for (int i = 1; i < x.reasons().size(); i++) {
                assertTrue(Math.abs(x.reasons().get(i - 1).contribution()) >= Math.abs(x.reasons().get(i).contribution()),
                        "reasons come largest first: " + x.reasons());
            }
            if (!x.explanation().contains("you rated it")) { // unrated: ordered by the score
                assertTrue(x.score() <= previous, x.title());
                previous = x.score();
            }
        }
        com.fasterxml.jackson.databind.JsonNode json = io.reelrank.http.SearchJson.toJson(r);
        assertEquals("learned", json.get("fusion").asText(), "the JSON says which fusion served");
        assertEquals(ranker, json.get("ranker_version").asLong());
        assertTrue(json.get("note").isNull());
        com.fasterxml.jackson.databind.JsonNode reasons = json.get("results").get(0).get("reasons");
        assertEquals(PersonalizedSearch.REASONS, reasons.size(), json.toString());
        assertEquals(r.results().get(0).reasons().get(0).text(), reasons.get(0).get("text").asText());
        assertTrue(reasons.get(0).get("contribution").isNumber());
        for (PersonalizedSearch.Result x : r.results()) {
            for (io.reelrank.rank.Reasons.Reason reason : x.reasons()) {
                assertTrue(reason.toString().matches(".+: [+-]\\d+\\.\\d\\d"), "a reason in words, then its share: " + reason);
            }
        }
    }

    @Test
    void theAcceptanceUsersAreOutsideTheRankersDomainAndGetTheWeightedFusionWithTheReason() throws Exception {
        for (int user : new int[] {10001, 10002, 20001, 20002}) {
            PersonalizedSearch.Response r = lord(user); // the shipped default: learned
            assertEquals(Fusion.WEIGHTED, r.fusion(), "user " + user);
            assertTrue(r.note().startsWith("weighted fusion: the learned ranker knows no user like this one (a mean "
                    + "rating of "), r.note());
            assertTrue(r.note().contains(user % 2 == 1 ? "above every user it learned from" : "below every user"),
                    r.note());
        }
        PersonalizedSearch.Response inside = lord(MOVIELENS_USER);
        assertEquals(Fusion.LEARNED, inside.fusion(), "the default for a MovieLens user: " + inside.note());
        assertNull(inside.note());
    }

    @Test
    void theLearnedRankerReRanksTheRetrievalsCandidatesAndSaysWhoFoundEach() throws Exception {
        // A description no title holds: auto retrieval is hybrid, so some candidates only the semantic
        // branch found; the learned ranking keeps them, with their BM25 features missing.
        PersonalizedSearch.Response r = search.search(PersonalizedSearch.Request.of("space adventure robots",
                MOVIELENS_USER).withLimit(100).withFusion(Fusion.LEARNED));
        assertEquals(Fusion.LEARNED, r.fusion());
        assertEquals(ranker, r.rankerVersion());
        assertEquals(Retrieval.HYBRID, r.retrieval());
        Set<String> labels = new java.util.HashSet<>();
        for (PersonalizedSearch.Result x : r.results()) {
            labels.add(x.retriever());
            assertEquals(x.bm25Rank() > 0 && x.semanticRank() != null ? "both" : x.bm25Rank() > 0 ? "bm25" : "semantic",
                    x.retriever(), x.toString());
            if (x.bm25Rank() == 0) assertEquals(0.0, x.bm25(), x.toString());
            assertTrue(x.explanation().contains("; rrf "), x.explanation());
        }
        assertTrue(labels.contains("semantic"), "the semantic branch's own finds are ranked too: " + labels);
        Retriever.Result got = search.retriever().retrieve("space adventure robots", SearchFilters.NONE,
                PersonalizedSearch.DEFAULT_CANDIDATES, search.retrievalSettings(), false);
        Set<Integer> candidates = got.found().stream().map(Retriever.Found::movieId).collect(
                java.util.stream.Collectors.toSet());
        for (PersonalizedSearch.Result x : r.results()) {
            assertTrue(candidates.contains(x.movieId()), "every result is one of the retrieval's candidates: " + x);
        }
        assertEquals(Math.min(100, candidates.size()), r.results().size());
    }

    @Test
    void eachResultExplainsItsScoreWithTheFormula() throws Exception {
        PersonalizedSearch.Response r = search.search(PersonalizedSearch.Request.of("lord", 10001).withLimit(20)
                .withFusion(Fusion.WEIGHTED));
        Weights w = r.weights();
        assertEquals(13, r.totalMatches(), "every candidate is on the page, so the min-max can be redone here");
        double[] bm25 = r.results().stream().mapToDouble(PersonalizedSearch.Result::bm25).toArray();
        double[] pop = r.results().stream().mapToDouble(x -> Math.log1p(x.ratingCount())).toArray();
        double[] cos = r.results().stream().mapToDouble(x -> x.similarity() == null ? Double.NaN : x.similarity())
                .toArray();
        double[] uv = r.results().stream().mapToDouble(x -> x.collaborative() == null ? Double.NaN : x.collaborative())
                .toArray();
        double[] b = Reranker.minMax(bm25), p = Reranker.minMax(pop), c = Reranker.minMax(cos), f = Reranker.minMax(uv);
        java.util.Map<Integer, Double> stars = new java.util.HashMap<>();
        try (Connection conn = db.connect(); Statement st = conn.createStatement();
             var rs = st.executeQuery("SELECT movie_id, rating FROM ratings WHERE user_id = 10001")) {
            while (rs.next()) stars.put(rs.getInt(1), rs.getDouble(2));
        }
        for (int i = 0; i < bm25.length; i++) {
            Double own = stars.get(r.results().get(i).movieId());
            if (own != null) { // the user's own rating replaces the prior and the cosine
                p[i] = (own - 0.5) / 4.5;
                c[i] = (own - 0.5) / 4.5;
            }
        }
        for (int i = 0; i < bm25.length; i++) {
            PersonalizedSearch.Result x = r.results().get(i);
            double expected = (1 - w.alpha()) * ((1 - w.popularity()) * b[i] + w.popularity() * p[i])
                    + w.alpha() * ((1 - w.collaborative()) * c[i] + w.collaborative() * f[i]);
            assertEquals(expected, x.score(), 1e-9, x.title());
            assertTrue(x.explanation().startsWith(
                    "(1-α)·((1-π)·mm(bm25) + π·mm(log(1+n))) + α·((1-γ)·mm(cos) + γ·mm(u·v)) = "),
                    x.explanation());
            assertTrue(x.explanation().contains(String.format(java.util.Locale.ROOT, "= %.4f;", x.score())),
                    x.explanation());
        }
        // The lover rated the Rings 5.0: the own rating takes the prior's and the cosine's place, u·v is
        // neutral, and the explanation says so.
        PersonalizedSearch.Result rings = r.results().stream().filter(x -> x.movieId() == 4993).findFirst()
                .orElseThrow();
        assertTrue(rings.explanation().contains("you rated it: own rating (r-0.5)/4.5 = 1.000 in place of mm(log(1+n)) "
                + "and mm(cos)"), rings.explanation());
        assertTrue(rings.explanation().contains("u·v not used for a movie you rated (neutral 0.5)"),
                rings.explanation());
        List<String> fields = List.of("rank", "movie_id", "title", "year", "genres", "bm25", "bm25_rank",
                "rating_count", "similarity", "collaborative", "score", "explanation");
        var json = SearchJson.toJson(r);
        assertTrue(json.get("personalized").asBoolean());
        assertEquals(10001, json.get("user").asInt());
        assertEquals(w.popularity(), json.get("popularity_weight").asDouble(), 0.0);
        assertTrue(json.get("model_version").asLong() > 0);
        for (String field : fields) assertTrue(json.get("results").get(0).has(field), "missing " + field);
    }
}
