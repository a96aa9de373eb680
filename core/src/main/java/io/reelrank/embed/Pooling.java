package io.reelrank.embed;

import java.nio.FloatBuffer;

/**
 * Mean pooling over the attention mask followed by L2 normalisation, as sentence-transformers'
 * {@code Pooling(mean)} and {@code Normalize} modules compute it:
 * {@code e = Σ_t m_t·h_t / max(Σ_t m_t, 1e-9)}, then {@code e / max(‖e‖, 1e-12)}.
 */
final class Pooling {

    private Pooling() {}

    /**
     * Pools row {@code row} of a {@code [batch, len, dim]} hidden-state buffer whose mask is
     * {@code mask[row*len .. row*len+len)}. Sums in double so long texts lose no precision.
     */
    static float[] meanNormalized(FloatBuffer hidden, int row, int len, int dim, long[] mask) {
        double[] sum = new double[dim];
        long count = 0;
        int base = row * len * dim;
        for (int t = 0; t < len; t++) {
            if (mask[row * len + t] == 0) continue;
            count++;
            int off = base + t * dim;
            for (int k = 0; k < dim; k++) sum[k] += hidden.get(off + k);
        }
        double denom = Math.max(count, 1e-9);
        float[] e = new float[dim];
        for (int k = 0; k < dim; k++) e[k] = (float) (sum[k] / denom);
        return Vectors.normalize(e);
    }
}
