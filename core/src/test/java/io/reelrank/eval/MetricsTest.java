package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class MetricsTest {

    private static final double EPS = 1e-12;

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    @Test
    void binaryNdcgDiscountsEachHitByLogOfItsPosition() {
        // Hits at positions 2 and 4: DCG = 1/log2(3) + 1/log2(5) = 0.63093 + 0.43068 = 1.06161.
        // Ideal: both at 1 and 2: IDCG = 1/log2(2) + 1/log2(3) = 1 + 0.63093 = 1.63093.
        // NDCG@4 = 1.06161 / 1.63093 = 0.65092.
        double ndcg = Metrics.ndcgAtK(new int[] {10, 20, 30, 40}, new int[] {20, 40}, 4);
        assertEquals(0.6509209298071326, ndcg, EPS);
        assertEquals((1 / log2(3) + 1 / log2(5)) / (1 + 1 / log2(3)), ndcg, EPS);
    }

    @Test
    void ndcgCutsTheListAndTheIdealAtK() {
        // k = 2: only the hit at position 2 counts, DCG = 1/log2(3) = 0.63093;
        // the ideal still holds two hits in two slots, IDCG = 1 + 0.63093. NDCG@2 = 0.38685.
        assertEquals(0.38685280723454163, Metrics.ndcgAtK(new int[] {10, 20, 30, 40}, new int[] {20, 40}, 2), EPS);
        // k = 1 with the hit at position 2: nothing in the top 1.
        assertEquals(0.0, Metrics.ndcgAtK(new int[] {10, 20}, new int[] {20}, 1), EPS);
    }

    @Test
    void gradedNdcgUsesTheGainsAsGiven() {
        // Gains 1 (movie 1) and 3 (movie 3); ranked 1, 2, 3.
        // DCG = 1/log2(2) + 3/log2(4) = 1 + 1.5 = 2.5. IDCG = 3/log2(2) + 1/log2(3) = 3.63093.
        // NDCG@3 = 2.5 / 3.63093 = 0.68853.
        double ndcg = Metrics.ndcgAtK(new int[] {1, 2, 3}, new int[] {1, 3}, new double[] {1, 3}, 3);
        assertEquals(0.6885288809404666, ndcg, EPS);
    }

    @Test
    void aPerfectRankingScoresOne() {
        assertEquals(1.0, Metrics.ndcgAtK(new int[] {4, 2, 9}, new int[] {2, 4}, 3), EPS);
        assertEquals(1.0, Metrics.ndcgAtK(new int[] {3, 1}, new int[] {1, 3}, new double[] {1, 2}, 2), EPS);
    }

    @Test
    void tiedScoresRankTheSmallerMovieIdFirstAndTheMetricsFollow() {
        // Movies 3 and 5 tie at 0.5; 3 goes first, so relevant movie 5 is at position 3.
        int[] ranked = Ranking.order(new int[] {5, 7, 3}, new double[] {0.5, 0.9, 0.5});
        assertArrayEquals(new int[] {7, 3, 5}, ranked);
        // NDCG@3 = (1/log2(4)) / (1/log2(2)) = 0.5; were the tie broken the other way, 1/log2(3) = 0.63.
        assertEquals(0.5, Metrics.ndcgAtK(ranked, new int[] {5}, 3), EPS);
        assertEquals(0.0, Metrics.recallAtK(ranked, new int[] {5}, 2), EPS);
        assertEquals(1.0 / 3, Metrics.reciprocalRank(ranked, new int[] {5}), EPS);
    }

    @Test
    void aQueryWithNoRelevantItemIsRejectedSoThatItIsExcludedNotScoredZero() {
        int[] ranked = {1, 2, 3};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Metrics.ndcgAtK(ranked, new int[0], 3));
        assertTrue(e.getMessage().contains("no relevant item"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Metrics.recallAtK(ranked, new int[0], 3));
        assertThrows(IllegalArgumentException.class, () -> Metrics.reciprocalRank(ranked, new int[0]));
    }

    @Test
    void recallIsTheShareOfRelevantItemsInTheTopK() {
        int[] ranked = {5, 6, 7, 8};
        int[] relevant = {6, 8, 9};
        assertEquals(1.0 / 3, Metrics.recallAtK(ranked, relevant, 3), EPS); // 6 found, of 3
        assertEquals(2.0 / 3, Metrics.recallAtK(ranked, relevant, 4), EPS); // 6 and 8
        assertEquals(2.0 / 3, Metrics.recallAtK(ranked, relevant, 100), EPS); // a short list is not padded
    }

    @Test
    void reciprocalRankIsOneOverThePositionOfTheFirstRelevantItem() {
        assertEquals(1.0 / 3, Metrics.reciprocalRank(new int[] {5, 6, 7, 8}, new int[] {8, 7}), EPS);
        assertEquals(1.0, Metrics.reciprocalRank(new int[] {7}, new int[] {7}), EPS);
        assertEquals(0.0, Metrics.reciprocalRank(new int[] {5, 6}, new int[] {7}), EPS);
    }

    @Test
    void rejectsARankedListWithAMovieTwice() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Metrics.ndcgAtK(new int[] {1, 2, 1}, new int[] {2}, 3));
        assertTrue(e.getMessage().contains("movie 1 appears twice"), e.getMessage());
    }

    @Test
    void rejectsKBelowOneAndNonPositiveGains() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Metrics.recallAtK(new int[] {1}, new int[] {1}, 0));
        assertEquals("k must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Metrics.ndcgAtK(new int[] {1}, new int[] {1}, new double[] {0}, 1));
        assertEquals("gain of relevant movie 1 must be finite and > 0, got 0.0", e.getMessage());
    }
}
