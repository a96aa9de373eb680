package io.reelrank.recommend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import io.reelrank.index.SearchFilters;
import io.reelrank.model.FactorModel;
import io.reelrank.model.ItemVectors;
import io.reelrank.model.ModelStore;
import io.reelrank.rank.Domain;
import io.reelrank.rank.Feature;
import io.reelrank.rank.FeatureSet;
import io.reelrank.rank.Judgments;
import io.reelrank.rank.MovieStats;
import io.reelrank.rank.Ranker;
import io.reelrank.rank.RankerTrainer;
import io.reelrank.rerank.PersonalizedSearch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Recommendations through the model's HNSW index on the real database, against the exact scan. */
@Tag("integration")
class RecommenderTest {

    private static final int EMPTY_USER = 31002;
    private static Database db;
    private static ItemVectors items;

    @BeforeAll
    static void open() throws Exception {
        db = TestDatabase.personalized();
        items = ItemVectors.load(db, true);
    }

    @AfterAll
    static void removeTheEmptyUser() throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DELETE FROM users WHERE user_id = " + EMPTY_USER);
        }
    }

    private static Recommender.Response recommend(int user, int limit, SearchFilters f, boolean exact)
            throws Exception {
        try (Connection c = db.connect()) {
            return Recommender.recommend(c, items, new Recommender.Request(user, limit, f, exact));
        }
    }

    private static Set<Integer> rated(int user) throws Exception {
        Set<Integer> ids = new HashSet<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT movie_id FROM ratings WHERE user_id = ?")) {
            ps.setInt(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) ids.add(rs.getInt(1));
            }
        }
        return ids;
    }

    @Test
    void aUserGetsUnratedMoviesByTheirCollaborativeScoreBestFirst() throws Exception {
        Recommender.Response r = recommend(414, 20, SearchFilters.NONE, false);
        assertEquals(Recommender.COLLABORATIVE, r.source());
        assertTrue(r.modelVersion() > 0);
        assertEquals(20, r.items().size());
        Set<Integer> seen = rated(414);
        for (int i = 0; i < r.items().size(); i++) {
            Recommender.Item it = r.items().get(i);
            assertEquals(i + 1, it.rank());
            assertFalse(seen.contains(it.movieId()), "user 414 already rated " + it.title());
            if (i > 0) {
                Recommender.Item prev = r.items().get(i - 1);
                assertTrue(prev.score() > it.score() || prev.score() == it.score() && prev.movieId() < it.movieId());
            }
        }
    }

    @Test
    void theIndexFindsNearlyAllOfTheExactScansTop20() throws Exception {
        double sum = 0;
        int[] users = {1, 68, 274, 414, 448, 474, 599, 606};
        for (int u : users) {
            sum += Recommender.overlap(recommend(u, 20, SearchFilters.NONE, false).items(),
                    recommend(u, 20, SearchFilters.NONE, true).items());
        }
        assertTrue(sum / users.length >= 0.9, "HNSW recall@20 against the exact scan: " + sum / users.length);
    }

    @Test
    void filtersApplyAndTheIterativeScanStillFillsThePage() throws Exception {
        SearchFilters f = new SearchFilters(null, 10, 1990, 1999, List.of("comedy"));
        Recommender.Response r = recommend(414, 15, f, false);
        assertEquals(15, r.items().size(), "a filtered page must not come back short");
        for (Recommender.Item it : r.items()) {
            assertTrue(it.genres().contains("Comedy"), it.title() + " " + it.genres());
            assertTrue(it.year() >= 1990 && it.year() <= 1999, it.title() + " " + it.year());
            assertTrue(it.ratingCount() >= 10, it.title() + " " + it.ratingCount());
        }
    }

    @Test
    void aHaterWithoutACollaborativeVectorGetsTheContentTowerAndNoFantasy() throws Exception {
        Recommender.Response r = recommend(10002, 10, SearchFilters.NONE, false);
        assertEquals(Recommender.CONTENT, r.source());
        long fantasy = r.items().stream().filter(i -> i.genres().contains("Fantasy")).count();
        assertEquals(0, fantasy, "the Fantasy Hater's content vector points away from Fantasy: " + r.items());
    }

    @Test
    void aUserWithoutAnyVectorGetsTheMostRatedMoviesAndAnUnknownUserIsAnError() throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO users (user_id) VALUES (" + EMPTY_USER + ") ON CONFLICT DO NOTHING");
        }
        Recommender.Response r = recommend(EMPTY_USER, 3, SearchFilters.NONE, false);
        assertEquals(Recommender.POPULARITY, r.source());
        assertTrue(r.items().get(0).ratingCount() >= r.items().get(1).ratingCount());
        var e = assertThrows(PersonalizedSearch.UnknownUserException.class,
                () -> recommend(999_999, 10, SearchFilters.NONE, false));
        assertTrue(e.getMessage().startsWith("unknown user 999999"), e.getMessage());
        assertEquals("limit must be in 1-1000, got 0", assertThrows(IllegalArgumentException.class,
                () -> new Recommender.Request(1, 0, SearchFilters.NONE, false)).getMessage());
    }

    @Test
    void aMovieTheCatalogNoLongerHasIsNeverRecommended() throws Exception {
        // A reload may drop movies the active model still has vectors for: one scoring higher than
        // anything else for user 414 must not come back.
        int gone = 999_999;
        long version;
        float[] u;
        try (Connection c = db.connect()) {
            version = io.reelrank.model.ModelStore.active(c).version();
            u = io.reelrank.model.ModelStore.user(c, version, 414).vector();
        }
        float[] best = u.clone();
        for (int i = 0; i < best.length; i++) best[i] *= 100;
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO item_factors (version, movie_id, factors, learned) VALUES (?, ?, ?::vector, 1)")) {
            ps.setLong(1, version);
            ps.setInt(2, gone);
            ps.setString(3, io.reelrank.embed.VectorLiteral.format(best));
            ps.executeUpdate();
        }
        try {
            for (boolean exact : new boolean[] {false, true}) {
                List<Recommender.Item> got = recommend(414, 20, SearchFilters.NONE, exact).items();
                assertEquals(20, got.size());
                assertTrue(got.stream().noneMatch(i -> i.movieId() == gone), "exact=" + exact + ": " + got);
            }
        } finally {
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute("DELETE FROM item_factors WHERE movie_id = " + gone);
            }
        }
    }

    /** A real XGBoost ranker fitted on two small groups: what it ranks does not matter here, only who it serves. */
    private static Ranker smallRanker() {
        Judgments.Builder b = new Judgments.Builder();
        for (int g = 0; g < 2; g++) {
            float[] x = new float[3 * FeatureSet.WIDTH];
            for (int i = 0; i < x.length; i++) x[i] = (i * 7 + g * 3) % 11;
            b.group(g + 1, x, new float[] {1, 0, 0});
        }
        return RankerTrainer.train(b.build(), FeatureSet.ALL.stream().filter(f -> f != Feature.STARS).toList(),
                new RankerTrainer.Params("rank:ndcg", 3, 2, 0.3, 1, 42), 1);
    }

    @Test
    void aUserOutsideTheRankersDomainGetsTheContentTowerWhichFollowsTheTasteTheirRatingsState() throws Exception {
        try (Connection c = db.connect()) {
            FactorModel m = ModelStore.load(c, ModelStore.active(c));
            Ranker ranker = smallRanker();
            MovieStats stats = MovieStats.load(c);
            Recommender.Learned everyone = new Recommender.Learned(ranker, 1, stats, m, 200, Domain.ALL);
            // The MovieLens users' range of b_u on the sample; the Fantasy Lover (50 films, all 5.0) is at 4.86.
            Recommender.Learned movieLens = new Recommender.Learned(ranker, 1, stats, m, 200, new Domain(1.72, 4.70));
            Recommender.Request lover = new Recommender.Request(10001, 10, SearchFilters.NONE, false);
            Recommender.Response twoStage = Recommender.recommend(c, items, lover, everyone);
            assertEquals(Recommender.LEARNED, twoStage.source());
            Recommender.Response served = Recommender.recommend(c, items, lover, movieLens);
            assertEquals(Recommender.CONTENT, served.source(), "outside the domain");
            long fantasy = served.items().stream().filter(x -> x.genres().contains("Fantasy")).count();
            long before = Recommender.recommend(c, items, lover, null).items().stream()
                    .filter(x -> x.genres().contains("Fantasy")).count();
            assertTrue(fantasy >= 5 && fantasy > before, "Fantasy films in the lover's ten: " + fantasy
                    + " (the collaborative retrieval: " + before + ")");
            Set<Integer> seen = rated(10001);
            assertFalse(served.items().stream().anyMatch(x -> seen.contains(x.movieId())), "nothing already rated");
            assertEquals(Recommender.LEARNED, Recommender.recommend(c, items,
                    new Recommender.Request(414, 10, SearchFilters.NONE, false), movieLens).source(), "inside");
        }
    }
}
