package io.reelrank.user;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.model.ItemVectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class UserTowerTest {

    // Three orthogonal unit items, not centered, so the arithmetic below is easy to follow.
    private final ItemVectors items = ItemVectors.of(new int[] {1, 2, 3},
            new float[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, false);

    @Test
    void followsTheFormulaWithAShrunkMean() {
        // ratings 5 on movie 1, 1 on movie 2; μ = 3, k = 2 → b_u = (6 + 2·3) / (2 + 2) = 3
        // Σ (r − b)·e = 2·e1 − 2·e2 → normalized (0.7071, −0.7071, 0)
        float[] u = UserTower.vector(new int[] {1, 2}, new float[] {5, 1}, 2, items, 3, 2);
        assertArrayEquals(new float[] {(float) Math.sqrt(0.5), (float) -Math.sqrt(0.5), 0}, u, 1e-6f);
    }

    @Test
    void aUserWhoRatesEverythingOnePointsAwayFromWhatTheyRated() {
        // μ = 3.5, k = 10: b_u = (1 + 1 + 35) / 12 ≈ 3.08 > 1, so both weights are negative
        float[] u = UserTower.vector(new int[] {1, 2}, new float[] {1, 1}, 2, items, 3.5, 10);
        assertNotNull(u);
        assertTrue(items.cosine(1, u) < 0, "similarity to a movie rated 1.0 must be negative");
        assertTrue(items.cosine(2, u) < 0);
        assertEquals(0, items.cosine(3, u), 1e-9);
    }

    @Test
    void withoutShrinkageSuchAUserIsCold() {
        // k = 0: b_u = 1 equals every rating, every weight is zero, the sum is the zero vector
        assertNull(UserTower.vector(new int[] {1, 2}, new float[] {1, 1}, 2, items, 3.5, 0));
    }

    @Test
    void moviesWithoutAVectorAreSkippedButCountInTheMean() {
        // movie 99 has no vector: b_u = (5 + 1 + 0·μ) / 2 = 3 with k = 0; only movie 1 contributes (+2·e1)
        float[] u = UserTower.vector(new int[] {1, 99}, new float[] {5, 1}, 2, items, 3, 0);
        assertArrayEquals(new float[] {1, 0, 0}, u, 1e-6f);
    }

    @Test
    void rejectsANegativeShrinkage() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> UserTower.vector(new int[] {1}, new float[] {5}, 1, items, 3, -1));
        assertEquals("shrinkage k must be a finite number >= 0, got -1.0", e.getMessage());
    }
}
