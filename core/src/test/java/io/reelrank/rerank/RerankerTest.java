package io.reelrank.rerank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.index.Candidate;
import io.reelrank.model.ItemVectors;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class RerankerTest {

    // Movie 10 points along the user, 20 against, 30 orthogonal; 40 has no vector.
    private final ItemVectors items = ItemVectors.of(new int[] {10, 20, 30},
            new float[][] {{1, 0}, {-1, 0}, {0, 1}}, false);
    private final float[] user = {1, 0};
    private final List<Candidate> bm25 = List.of(
            new Candidate(20, 10.0f, 1),
            new Candidate(30, 8.0f, 2),
            new Candidate(40, 6.0f, 3),
            new Candidate(10, 5.0f, 4));

    private static List<Integer> ids(List<Reranker.Ranked> r) {
        return r.stream().map(x -> x.candidate().movieId()).toList();
    }

    @Test
    void alphaZeroKeepsTheBm25Order() {
        assertEquals(List.of(20, 30, 40, 10), ids(Reranker.rerank(bm25, user, items, Fusion.LINEAR, 0)));
    }

    @Test
    void alphaOneOrdersBySimilarityWithTheMissingVectorNeutral() {
        // cos: 10 → 1, 30 → 0, 40 → none (neutral 0), 20 → −1; 30 and 40 tie at 0.5, movie_id breaks it
        List<Reranker.Ranked> r = Reranker.rerank(bm25, user, items, Fusion.LINEAR, 1);
        assertEquals(List.of(10, 30, 40, 20), ids(r));
        Reranker.Ranked missing = r.get(2);
        assertFalse(missing.hasVector());
        assertTrue(Double.isNaN(missing.similarity()));
        assertEquals(3, r.get(0).movement(), "movie 10 went from BM25 rank 4 to 1");
    }

    @Test
    void linearScoreIsTheDocumentedFormula() {
        // movie 10 at α = 0.5: 0.5·5/10 + 0.5·(1+1)/2 = 0.75
        Reranker.Ranked top = Reranker.rerank(bm25, user, items, Fusion.LINEAR, 0.5).get(0);
        assertEquals(10, top.candidate().movieId());
        assertEquals(0.75, top.score(), 1e-12);
        assertEquals(1.0, top.similarity(), 1e-6);
    }

    @Test
    void rrfAddsReciprocalRanksOfBothLists() {
        // similarity ranks among candidates with vectors: 10 → 1, 30 → 2, 20 → 3; 40 has none
        // 10: 1/64 + 1/61 = 0.03202; 30: 1/62 + 1/62 = 0.03226; 20: 1/61 + 1/63 = 0.03227; 40: 1/63
        List<Reranker.Ranked> r = Reranker.rerank(bm25, user, items, Fusion.RRF, 0.85);
        assertEquals(List.of(20, 30, 10, 40), ids(r));
        assertEquals(1.0 / 61 + 1.0 / 63, r.get(0).score(), 1e-12);
        assertEquals(1.0 / 63, r.get(3).score(), 1e-12);
    }

    @Test
    void aColdUserGetsTheBm25Order() {
        List<Reranker.Ranked> r = Reranker.rerank(bm25, null, items, Fusion.LINEAR, 0.9);
        assertEquals(List.of(20, 30, 40, 10), ids(r));
        assertTrue(Double.isNaN(r.get(0).similarity()));
    }

    @Test
    void tiesAreBrokenByMovieId() {
        List<Candidate> tied = List.of(new Candidate(30, 1.0f, 1), new Candidate(10, 1.0f, 2));
        assertEquals(List.of(10, 30), ids(Reranker.rerank(tied, null, items, Fusion.LINEAR, 0.5)));
    }

    @Test
    void rejectsAlphaOutsideZeroToOne() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Reranker.rerank(bm25, user, items, Fusion.LINEAR, 1.5));
        assertEquals("alpha must be in 0-1, got 1.5", e.getMessage());
    }

    @Test
    void centeringRemovesTheCommonComponent() {
        // Two vectors sharing a large common part: cos 0.98 raw; after centering they are opposite.
        ItemVectors raw = ItemVectors.of(new int[] {1, 2}, new float[][] {{5, 1}, {5, -1}}, false);
        ItemVectors centered = ItemVectors.of(new int[] {1, 2}, new float[][] {{5, 1}, {5, -1}}, true);
        assertEquals(24.0 / 26.0, raw.cosine(1, raw.get(2)), 1e-6);
        assertEquals(-1.0, centered.cosine(1, centered.get(2)), 1e-6);
    }

    // The weighted fusion: counts (popularity) 10 → 1, 20 → 100, 30 → 10, 40 → 0; a collaborative model
    // with rank 2 whose u·v is the first coordinate for the user (1, 0).
    private final List<Candidate> counted = List.of(
            new Candidate(20, 10.0f, 1, 100),
            new Candidate(30, 8.0f, 2, 10),
            new Candidate(40, 6.0f, 3, 0),
            new Candidate(10, 5.0f, 4, 1));
    private final io.reelrank.model.FactorModel model = new io.reelrank.model.FactorModel(1,
            new io.reelrank.model.ImplicitAls.Params(2, 1, 0.1, 1, 3, 1), new int[] {10, 20, 30, 40},
            new float[] {0.2f, 0, 0.9f, 0, 0.5f, 0, 0.1f, 0}, new float[] {1, 1, 1, 1});
    private final float[] cf = {1, 0};

    @Test
    void weightedScoreIsTheDocumentedFormula() {
        Weights w = new Weights(0.6, 0.3, 0.5);
        List<Reranker.Ranked> r = Reranker.rerank(counted, user, cf, RatedMovies.NONE, items, model,
                Fusion.WEIGHTED, w);
        Reranker.Ranked top = r.stream().filter(x -> x.candidate().movieId() == 10).findFirst().orElseThrow();
        // movie 10: mm(bm25) = (5−5)/(10−5) = 0; mm(log(1+n)) = log 2 / log 101; mm(cos) = (1−(−1))/2 = 1;
        // mm(u·v) = (0.2−0.1)/(0.9−0.1) = 0.125.
        double expected = 0.4 * (0.7 * 0 + 0.3 * Math.log(2) / Math.log(101)) + 0.6 * (0.5 * 1 + 0.5 * 0.125);
        assertEquals(expected, top.score(), 1e-6); // cos is computed from float vectors
        assertEquals(0.125, top.terms()[3], 1e-6);
        assertEquals(0.2, top.collaborative(), 1e-6);
    }

    @Test
    void aMovieTheUserRatedGetsTheNeutralCollaborativeTerm() {
        Weights w = new Weights(1, 0, 1); // the collaborative term alone
        List<Reranker.Ranked> unrated = Reranker.rerank(counted, user, cf, RatedMovies.NONE, items, model,
                Fusion.WEIGHTED, w);
        assertEquals(List.of(20, 30, 10, 40), ids(unrated));
        // Movie 20 has the best u·v, but the user rated it: its fitted score is no prediction, 0.5 instead.
        List<Reranker.Ranked> rated = Reranker.rerank(counted, user, cf,
                RatedMovies.of(new int[] {20}, new float[] {4.5f}), items, model, Fusion.WEIGHTED, w);
        Reranker.Ranked twenty = rated.stream().filter(x -> x.candidate().movieId() == 20).findFirst().orElseThrow();
        assertTrue(twenty.rated());
        assertEquals(0.5, twenty.terms()[3], 0.0);
        assertEquals(List.of(30, 20, 10, 40), ids(rated));
    }

    @Test
    void decisiveRatingsTakeTheCollaborativeTermsPlaceToo() {
        Weights w = new Weights(1, 0, 1); // the collaborative term alone
        // Rated 1.0, decisive: the own rating (1.0 − 0.5)/4.5 in place of u·v sinks movie 20 below 30 and
        // 10 (0.5 and above after min-max over the unrated); rated 5.0 keeps it on top with 1.0.
        RatedMovies low = RatedMovies.of(new int[] {20}, new float[] {1.0f});
        assertFalse(low.isDecisive());
        List<Reranker.Ranked> sunk = Reranker.rerank(counted, user, cf, low.decisive(), items, model,
                Fusion.WEIGHTED, w);
        Reranker.Ranked twenty = sunk.stream().filter(x -> x.candidate().movieId() == 20).findFirst().orElseThrow();
        assertEquals(0.5 / 4.5, twenty.terms()[3], 1e-12);
        assertEquals(0.5 / 4.5, twenty.score(), 1e-12);
        assertTrue(twenty.rank() > 1, "rated 1.0 and decisive, still on top: " + ids(sunk));
        List<Reranker.Ranked> kept = Reranker.rerank(counted, user, cf,
                RatedMovies.of(new int[] {20}, new float[] {5.0f}).decisive(), items, model, Fusion.WEIGHTED, w);
        assertEquals(20, kept.get(0).candidate().movieId());
        assertEquals(1.0, kept.get(0).terms()[3], 0.0);
    }

    @Test
    void aUserWithoutVectorsGetsBm25AndThePriorUnderWeightedFusion() {
        Weights w = new Weights(0.9, 0.5, 0.5);
        List<Reranker.Ranked> r = Reranker.rerank(counted, null, null, RatedMovies.NONE, items, model,
                Fusion.WEIGHTED, w);
        // (1−π)·mm(bm25) + π·mm(log(1+n)): 20 → 0.5 + 0.5 = 1; 30 → 0.3 + 0.5·log 11/log 101 = 0.56;
        // 40 → 0.5·0.2 + 0 = 0.1; 10 → 0 + 0.5·log 2/log 101 = 0.075. The user's vectors play no part.
        assertEquals(List.of(20, 30, 40, 10), ids(r));
        assertEquals(1.0, r.get(0).score(), 1e-12);
    }

    @Test
    void aUserWithoutACollaborativeVectorHasTheContentTermAlone() {
        Weights w = new Weights(1, 0, 0.9);
        // γ would give u·v nine tenths; with no collaborative vector the personal part is the content cosine.
        assertEquals(List.of(10, 30, 40, 20),
                ids(Reranker.rerank(counted, user, null, RatedMovies.NONE, items, model, Fusion.WEIGHTED, w)));
    }

    @Test
    void minMaxMapsAMissingValueToTheNeutralMiddleAndAConstantToZero() {
        assertArrayEquals(new double[] {0, 0.5, 1}, Reranker.minMax(new double[] {2, Double.NaN, 4}), 0.0);
        assertArrayEquals(new double[] {0, 0}, Reranker.minMax(new double[] {3, 3}), 0.0);
    }

    @Test
    void rejectsWeightsOutsideZeroToOne() {
        assertEquals("popularity must be in 0-1, got 1.2",
                assertThrows(IllegalArgumentException.class, () -> new Weights(0.5, 1.2, 0.5)).getMessage());
        assertEquals("collaborative must be in 0-1, got -0.1",
                assertThrows(IllegalArgumentException.class, () -> new Weights(0.5, 0.5, -0.1)).getMessage());
    }
}
