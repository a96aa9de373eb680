package io.reelrank.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ModelAgreementTest {

    private static float[] unit(double angle) {
        return new float[] {(float) Math.cos(angle), (float) Math.sin(angle)};
    }

    @Test
    void cosinesArePairedRowByRow() {
        float[][] a = {unit(0), unit(0), unit(Math.PI / 2)};
        float[][] b = {unit(0), unit(Math.PI / 3), unit(Math.PI / 2)};
        ModelAgreement.Cosines c = ModelAgreement.cosines(a, b);
        assertEquals(3, c.n());
        assertEquals((1 + 0.5 + 1) / 3, c.mean(), 1e-6);
        assertEquals(0.5, c.min(), 1e-6);
    }

    @Test
    void topKLeavesTheQueryOutAndBreaksTiesByRow() {
        float[][] v = {unit(0), unit(0.1), unit(-0.1), unit(1), unit(0.1)};
        assertArrayEquals(new int[] {1, 2, 4}, ModelAgreement.topK(v, 0, 3));
        assertArrayEquals(new int[] {1, 2}, ModelAgreement.topK(v, 0, 2));
    }

    @Test
    void neighbourOverlapCountsSharedNeighbours() {
        float[][] a = {unit(0), unit(0.1), unit(0.2), unit(2), unit(3)};
        // in b, row 3 moves next to row 0 and row 2 away from it
        float[][] b = {unit(0), unit(0.1), unit(2.5), unit(0.2), unit(3)};
        assertEquals(1.0, ModelAgreement.neighbourOverlap(a, a, new int[] {0, 1}, 2), 1e-9);
        // row 0: {1, 2} vs {1, 3} share one
        assertEquals(0.5, ModelAgreement.neighbourOverlap(a, b, new int[] {0}, 2), 1e-9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelAgreement.neighbourOverlap(a, b, new int[] {0}, 5));
        assertEquals("k must be in 1-4, got 5", e.getMessage());
    }
}
