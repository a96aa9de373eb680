package io.reelrank.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class VectorsTest {

    @Test
    void normalizeScalesToUnitLengthAndLeavesZeroAlone() {
        assertArrayEquals(new float[] {0.6f, 0.8f}, Vectors.normalize(new float[] {3, 4}));
        assertArrayEquals(new float[] {0, 0, 0}, Vectors.normalize(new float[] {0, 0, 0}));
        // A vector just off unit length (squared norm 1.00005) is still rescaled, to 1e-6.
        float[] near = {(float) Math.sqrt(1.00005), 0};
        assertEquals(1.0, Vectors.norm(Vectors.normalize(near)), 1e-6);
    }

    @Test
    void dotAndCosineAgreeWithDoubleArithmeticOnModelSizedVectors() {
        SplittableRandom rng = new SplittableRandom(12);
        float[] a = new float[384];
        float[] b = new float[384];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rng.nextGaussian();
            b[i] = (float) rng.nextGaussian();
        }
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        assertEquals(dot, Vectors.dot(a, b), 1e-4 * Math.sqrt(na * nb));
        assertEquals(dot / Math.sqrt(na * nb), Vectors.cosine(a, b), 1e-6);
        assertEquals(1.0, Vectors.cosine(a, a.clone()), 1e-6);
    }

    @Test
    void cosineWithAZeroVectorIsZero() {
        assertEquals(0.0, Vectors.cosine(new float[] {0, 0}, new float[] {1, 2}));
        assertEquals(0.0, Vectors.cosine(new float[] {1, 2}, new float[] {0, 0}));
    }

    @Test
    void rejectsVectorsOfDifferentDimensions() {
        var e = assertThrows(IllegalArgumentException.class, () -> Vectors.dot(new float[2], new float[3]));
        assertEquals("vector dimensions differ: 2 vs 3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Vectors.cosine(new float[2], new float[3]));
        assertEquals("vectors must share one dimension, got 2 and 3", e.getMessage());
    }
}
