package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class RankingTest {

    @Test
    void ordersByScoreDescendingThenMovieIdAscending() {
        assertArrayEquals(new int[] {4, 2, 9, 1},
                Ranking.order(new int[] {9, 2, 4, 1}, new double[] {0.5, 0.5, 0.8, -1}));
    }

    @Test
    void topKIsThePrefixOfTheFullOrderEvenWithManyTies() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int trial = 0; trial < 50; trial++) {
            int n = 1 + rng.nextInt(200);
            int[] ids = new int[n];
            double[] scores = new double[n];
            for (int i = 0; i < n; i++) {
                ids[i] = i * 3 + 1;
                scores[i] = rng.nextInt(5); // few distinct values: ties everywhere
            }
            shuffle(ids, scores, rng);
            int[] full = Ranking.order(ids, scores);
            int k = rng.nextInt(n + 5);
            assertArrayEquals(Arrays.copyOf(full, Math.min(k, n)), Ranking.topK(ids, scores, k), "n=" + n + " k=" + k);
        }
    }

    @Test
    void rejectsANonFiniteScore() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ranking.topK(new int[] {1, 2}, new double[] {0, Double.NaN}, 1));
        assertEquals("score of movie 2 must be finite, got NaN", e.getMessage());
    }

    private static void shuffle(int[] ids, double[] scores, SplittableRandom rng) {
        for (int i = ids.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = ids[i];
            ids[i] = ids[j];
            ids[j] = t;
            double s = scores[i];
            scores[i] = scores[j];
            scores[j] = s;
        }
    }
}
