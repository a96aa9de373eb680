package io.reelrank.user;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.embed.Vectors;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class UserVectorsTest {

    private static final Map<Integer, float[]> AXES = Map.of(1, new float[] {1, 0}, 2, new float[] {0, 1});

    @Test
    void weighsEachMovieByTheRatingMinusTheShrunkMean() {
        // b_u = (5 + 4 + 2 × 2.5) / (2 + 2) = 3.5; weights 5 − 3.5 = 1.5 and 4 − 3.5 = 0.5;
        // u = (1.5, 0.5) / sqrt(1.5² + 0.5²) = (0.94868, 0.31623).
        float[] u = UserVectors.userVector(new int[] {1, 2}, new float[] {5, 4}, 2, AXES::get, 2.5, 2);
        assertArrayEquals(new float[] {0.9486833f, 0.31622776f}, u, 1e-6f);
    }

    @Test
    void aUserWhoRatesEverythingOneGetsAVectorPointingAwayFromWhatTheyRated() {
        // Sentence vectors of movie texts share a large common component; model that, plus noise.
        SplittableRandom rng = new SplittableRandom(5);
        Map<Integer, float[]> items = new HashMap<>();
        int[] movies = new int[50];
        float[] ones = new float[50];
        for (int m = 0; m < 50; m++) {
            float[] e = new float[16];
            for (int d = 0; d < e.length; d++) {
                e[d] = (float) (0.5 + 0.3 * rng.nextGaussian());
            }
            items.put(m + 1, e);
            movies[m] = m + 1;
            ones[m] = 1.0f;
        }
        // b_u = (50 × 1 + 10 × 3.5) / 60 = 1.417 > 1: every weight is −0.417, u = −normalize(Σ e_i).
        float[] u = UserVectors.userVector(movies, ones, 50, items::get, 3.5, UserVectors.DEFAULT_SHRINKAGE);
        assertNotNull(u, "with shrinkage a user who rates everything 1.0 is not cold");
        for (int m : movies) {
            double cos = Vectors.cosine(u, items.get(m));
            assertTrue(cos < 0, "cosine to rated movie " + m + " is " + cos);
        }
        // Without shrinkage b_u = 1 and every weight is 0: the same user would be cold.
        assertNull(UserVectors.userVector(movies, ones, 50, items::get, 3.5, 0));
    }

    @Test
    void aMovieWithoutAVectorCountsInTheMeanButNotInTheSum() {
        // Movie 3 has no vector. b_u = (5 + 1) / 2 = 3 (k = 0): movie 1 weighs +2, u = e1. Were movie 3
        // left out of the mean too, b_u would be 5, the weight 0 and the user cold.
        float[] u = UserVectors.userVector(new int[] {1, 3}, new float[] {5, 1}, 2, AXES::get, 3.0, 0);
        assertArrayEquals(new float[] {1, 0}, u, 1e-7f);
    }

    @Test
    void aUserWithoutRatingsOrWithoutVectorsIsCold() {
        assertNull(UserVectors.userVector(new int[0], new float[0], 0, AXES::get, 3.0, 10));
        assertNull(UserVectors.userVector(new int[] {7}, new float[] {5}, 1, AXES::get, 3.0, 10));
    }

    @Test
    void readsOnlyTheFirstNRatings() {
        float[] u = UserVectors.userVector(new int[] {1, 2}, new float[] {5, 0.5f}, 1, AXES::get, 3.0, 0);
        // n = 1: only movie 1 at 5 with b_u = 5 → zero sum → cold, although movie 2 would give a direction.
        assertNull(u);
    }

    @Test
    void rejectsNegativeShrinkageAMeanOffTheScaleAndMixedDimensions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UserVectors.userVector(new int[] {1}, new float[] {5}, 1, AXES::get, 3.0, -1));
        assertEquals("shrinkage k must be a finite number >= 0, got -1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> UserVectors.userVector(new int[] {1}, new float[] {5}, 1, AXES::get, 7.0, 10));
        assertEquals("global mean must be in [0.5, 5.0], got 7.0", e.getMessage());
        Map<Integer, float[]> mixed = Map.of(1, new float[] {1, 0}, 2, new float[] {1, 0, 0});
        e = assertThrows(IllegalArgumentException.class,
                () -> UserVectors.userVector(new int[] {1, 2}, new float[] {5, 1}, 2, mixed::get, 3.0, 0));
        assertEquals("item vectors must share one dimension: movie 2 has 3, expected 2", e.getMessage());
    }
}
