package io.reelrank.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.index.Candidate;
import io.reelrank.model.FactorModel;
import io.reelrank.model.ImplicitAls;
import io.reelrank.model.ItemVectors;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every feature's formula on inputs small enough to compute by hand: three movies, two raters
 * besides the user, two-dimensional content and factor vectors.
 */
@Tag("unit")
class FeatureSetTest {

    private static final double EPS = 1e-5;

    /** Epoch second of the first day of a month. */
    private static long day(int year, int month) {
        return LocalDate.of(year, month, 1).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
    }

    // Movies: 1 (2000, Drama), 2 (1990, Comedy|Drama), 3 (no year, Horror), 4 (2010, Comedy; nobody rated it)
    private final MovieStats stats = new MovieStats.Builder()
            .movie(1, 2000, new String[] {"Drama"}).movie(2, 1990, new String[] {"Comedy", "Drama"})
            .movie(3, null, new String[] {"Horror"}).movie(4, 2010, new String[] {"Comedy"})
            .rating(7, 1, 5.0f, day(2010, 1)).rating(7, 2, 3.0f, day(2010, 6))
            .rating(8, 1, 4.0f, day(2009, 1)).rating(8, 3, 1.0f, day(2011, 3))
            .rating(9, 1, 2.0f, day(2011, 2)).rating(9, 3, 2.0f, day(2011, 3))
            .build();
    // Content vectors (unit after normalisation, not centred) and factors.
    private final ItemVectors items = ItemVectors.of(new int[] {1, 2, 3}, new float[][] {{1, 0}, {0, 1}, {-1, 0}}, false);
    private final FactorModel model = new FactorModel(0, new ImplicitAls.Params(2, 1, 0.1, 1, 3, 1), new int[] {1, 2, 3, 4},
            new float[] {1, 0, 0, 2, 1, 1, -1, 0}, new float[] {1, 1, 1, 0});

    private float[] features(List<Candidate> cs, UserProfile user, float[] u, float[] cf, String query) {
        return FeatureSet.compute(new FeatureSet.Inputs(cs, FeatureSet.genreQuery(query), user, u, cf, stats, items, model));
    }

    private static double f(float[] x, int row, Feature f) {
        return x[row * FeatureSet.WIDTH + f.ordinal()];
    }

    @Test
    void movieStatisticsFollowTheirFormulas() {
        double mu = (5 + 3 + 4 + 1 + 2 + 2) / 6.0;
        assertEquals(mu, stats.globalMean(), EPS);
        assertEquals(3, stats.count(1));
        assertEquals((5 + 4 + 2 + 10 * mu) / 13, stats.shrunkMean(1), EPS);
        assertEquals(mu, stats.shrunkMean(4), EPS, "nobody rated it: μ");
        // b_u = (Σ r + 5μ)/(n + 5); b_i = Σ (r − b_u)/(n_i + 10)
        double b7 = (8 + 5 * mu) / 7;
        double b8 = (5 + 5 * mu) / 7;
        double b9 = (4 + 5 * mu) / 7;
        assertEquals(((5 - b7) + (4 - b8) + (2 - b9)) / 13, stats.bias(1), EPS);
        assertEquals(0, stats.bias(4), EPS);
        assertEquals(2, stats.recentCount(3, MovieStats.month(day(2011, 3))), "both 2011-03 ratings");
        assertEquals(1, stats.recentCount(1, MovieStats.month(day(2010, 12))), "2010-01 is within 12 months of 2010-12");
        assertEquals(0, stats.recentCount(1, MovieStats.month(day(2012, 3))), "nothing in the 12 months up to 2012-03");
        assertEquals(MovieStats.month(day(2011, 3)), stats.lastMonth());
        assertTrue(Double.isNaN(stats.year(3)));
        assertEquals(List.of("Comedy", "Drama", "Horror"), stats.genreNames());
    }

    @Test
    void queryAndPopularityFeaturesForASearch() {
        List<Candidate> cs = List.of(new Candidate(1, 4f, 1), new Candidate(4, 2f, 2), new Candidate(3, 1f, 3));
        float[] x = features(cs, UserProfile.EMPTY, null, null, "king");
        assertEquals(4, f(x, 0, Feature.BM25), EPS);
        assertEquals(0.5, f(x, 1, Feature.BM25_NORM), EPS);
        assertEquals(3, f(x, 2, Feature.BM25_RANK), EPS);
        assertEquals(0, f(x, 0, Feature.QUERY_GENRE), EPS);
        assertEquals(3, f(x, 0, Feature.CANDIDATES), EPS);
        assertEquals(Math.log1p(3), f(x, 0, Feature.LOG_POP), EPS);
        assertEquals(1, f(x, 0, Feature.POP_MM), EPS, "the most rated of the candidates");
        assertEquals(0, f(x, 1, Feature.POP_MM), EPS, "never rated: the least");
        assertEquals(Math.log1p(2) / Math.log1p(3), f(x, 2, Feature.POP_MM), EPS);
        // Without a user the reference month is the data's last, 2011-03: of movie 1's ratings (2009-01, 2010-01,
        // 2011-02) only the last is within the 12 months up to it.
        assertEquals(Math.log1p(1), f(x, 0, Feature.RECENT_POP), EPS);
        assertEquals(2011 - 2000, f(x, 0, Feature.MOVIE_AGE), EPS);
        assertTrue(Double.isNaN(f(x, 2, Feature.MOVIE_AGE)), "no year: missing, not made up");
        assertTrue(Double.isNaN(f(x, 0, Feature.COS)), "no user vector");
        assertTrue(Double.isNaN(f(x, 0, Feature.USER_N)), "no ratings");
        assertEquals(0, f(x, 0, Feature.HAS_CF), EPS);
    }

    @Test
    void genreQueriesAreRecognised() {
        assertTrue(FeatureSet.genreQuery("genres:Fantasy"));
        assertTrue(FeatureSet.genreQuery("genres:Drama AND genres:War"));
        assertTrue(FeatureSet.genreQuery("(genres:Action OR genres:\"Film-Noir\")"));
        assertFalse(FeatureSet.genreQuery("lord"));
        assertFalse(FeatureSet.genreQuery("genres:Fantasy AND title:lord"));
        assertFalse(FeatureSet.genreQuery(null));
    }

    @Test
    void userFeaturesFollowTheirFormulas() {
        // The user rated movie 1 at 5.0 (2011-01) and movie 3 at 1.0 (2011-02).
        UserProfile p = UserProfile.of(new int[] {1, 3}, new float[] {5, 1}, new long[] {day(2011, 1), day(2011, 2)}, stats,
                items::vector, model);
        double mu = stats.globalMean();
        double bu = (6 + 5 * mu) / 7;
        assertEquals(bu, p.mean(), EPS);
        assertEquals(MovieStats.month(day(2011, 2)), p.referenceMonth());
        float[] u = {0.6f, 0.8f};
        float[] cf = {1, 1};
        List<Candidate> cs = List.of(new Candidate(2, 3f, 1), new Candidate(1, 2f, 2), new Candidate(4, 1f, 3));
        float[] x = features(cs, p, u, cf, "genres:Drama");
        assertEquals(1, f(x, 0, Feature.QUERY_GENRE), EPS);
        assertEquals(Math.log1p(2), f(x, 0, Feature.USER_N), EPS);
        assertEquals(bu, f(x, 0, Feature.USER_MEAN), EPS);
        assertEquals(0.8, f(x, 0, Feature.COS), EPS, "cos(u, e_2) = 0.8");
        assertEquals(0.6, f(x, 1, Feature.COS), EPS);
        assertTrue(Double.isNaN(f(x, 2, Feature.COS)), "movie 4 has no content vector");
        assertEquals(1, f(x, 0, Feature.COS_MM), EPS);
        assertEquals(0, f(x, 1, Feature.COS_MM), EPS);
        assertEquals(2, f(x, 0, Feature.UV), EPS, "x_u·y_2 = (1,1)·(0,2)");
        assertEquals(1, f(x, 1, Feature.UV), EPS);
        assertEquals(-1, f(x, 2, Feature.UV), EPS);
        assertEquals(1, f(x, 2, Feature.HAS_CF), EPS);
        // Genres of movie 2: Comedy (none rated) and Drama (movie 1 at 5.0): shares 0 and 1/2, centred sum 5 − b_u over 1 + 1.
        assertEquals((0 + 0.5) / 2, f(x, 0, Feature.GENRE_SHARE), EPS);
        assertEquals((5 - bu) / 2, f(x, 0, Feature.GENRE_CENTRED), EPS);
        // genre_lift of movie 2: p_Comedy = 1/6, p_Drama = 4/6 of the six ratings; the user rated one Drama of two.
        double comedy = Math.log((0 + 5 * (1 / 6.0)) / (2 + 5) / (1 / 6.0));
        double drama = Math.log((1 + 5 * (4 / 6.0)) / (2 + 5) / (4 / 6.0));
        assertEquals(Math.max(comedy, drama), f(x, 0, Feature.GENRE_LIFT), EPS);
        // Mean year of the rated movies with a year: 2000 (movie 3 has none).
        assertEquals(10, f(x, 0, Feature.YEAR_DIST), EPS);
        // Liked centroid: e_1 = (1, 0); disliked: e_3 = (−1, 0).
        assertEquals(0, f(x, 0, Feature.COS_LIKED), EPS);
        assertEquals(1, f(x, 1, Feature.COS_LIKED), EPS);
        assertEquals(-1, f(x, 1, Feature.COS_DISLIKED), EPS);
        // Factors: y_1 = (1, 0), y_2 = (0, 2), y_3 = (1, 1), y_4 = (−1, 0). Signed: (5 − b_u)·y_1 + (1 − b_u)·y_3.
        double sx = (5 - bu) + (1 - bu);
        double sy = 1 - bu;
        double sn = Math.hypot(sx, sy);
        assertEquals(sy / sn, f(x, 0, Feature.SIGNED_CF), EPS, "cos(y_2, signed)");
        assertEquals(sx / sn, f(x, 1, Feature.SIGNED_CF), EPS, "cos(y_1, signed)");
        // kNN for movie 2: s_21 = 0, s_23 = cos((0,2),(1,1)) = 1/√2 > 0: (1/√2)·(1 − b_u)/(1/√2 + 1).
        double s23 = 1 / Math.sqrt(2);
        assertEquals(s23 * (1 - bu) / (s23 + 1), f(x, 0, Feature.KNN), EPS);
        // The latest rated (both, movie 3 last): y_1/|y_1| + y_3/|y_3| = (1 + 1/√2, 1/√2); cos with y_2 = (0, 2).
        double lx = 1 + 1 / Math.sqrt(2);
        double ly = 1 / Math.sqrt(2);
        assertEquals(ly / Math.hypot(lx, ly), f(x, 0, Feature.LATEST_SIM), EPS);
        // kNN for movie 4 (−1, 0): no rated movie is positively similar: 0.
        assertEquals(0, f(x, 2, Feature.KNN), EPS);
        assertEquals(5, f(x, 1, Feature.STARS), EPS, "the user's own rating of movie 1");
        assertTrue(Double.isNaN(f(x, 0, Feature.STARS)));
        // The reference month is the user's last, 2011-02: movie 1's 2010-01 rating is 13 months before it.
        assertEquals(Math.log1p(1), f(x, 1, Feature.RECENT_POP), EPS, "only 9's 2011-02 rating");
    }

    @Test
    void recommendationsHaveNoQueryFeatures() {
        List<Candidate> cs = List.of(new Candidate(2, Float.NaN, 1), new Candidate(1, Float.NaN, 2));
        float[] x = FeatureSet.compute(new FeatureSet.Inputs(cs, false, false, UserProfile.EMPTY, null, null, stats, items,
                model));
        assertTrue(Double.isNaN(f(x, 0, Feature.BM25)));
        assertTrue(Double.isNaN(f(x, 0, Feature.BM25_NORM)));
        assertTrue(Double.isNaN(f(x, 0, Feature.QUERY_GENRE)));
        assertEquals(2, f(x, 1, Feature.BM25_RANK), EPS, "the retrieval's rank");
    }

    @Test
    void everyFeatureHasAStableNameAndAFormula() {
        for (Feature f : Feature.values()) {
            assertEquals(f, Feature.of(f.key()));
            assertFalse(f.formula().isBlank(), f.key());
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Feature.of("nope"));
        assertTrue(e.getMessage().startsWith("unknown feature 'nope'; the features are [bm25,"), e.getMessage());
    }
}
