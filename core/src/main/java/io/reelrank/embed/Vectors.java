package io.reelrank.embed;

import org.apache.lucene.util.VectorUtil;

/**
 * Vector arithmetic shared by the encoders, both towers and the re-ranker, in one place: L2
 * normalisation as sentence-transformers' {@code Normalize} module does it ({@code x / max(‖x‖, 1e-12)}),
 * dot products and cosines, the latter two by Lucene's {@link VectorUtil} (float accumulation, as
 * Lucene scores its own vectors). Stateless.
 *
 * <p>{@link #normalize} keeps its own loop: {@code VectorUtil.l2normalize} leaves a vector whose squared
 * norm is within 1e-4 of 1 as it is (a norm up to 5e-5 from 1), which unit-length checks at 1e-6 and the
 * stored embeddings (bit for bit the same as before) do not allow.
 */
public final class Vectors {

    private Vectors() {}

    /** Scales {@code v} in place to unit L2 norm; a zero vector stays zero. Returns {@code v}. */
    public static float[] normalize(float[] v) {
        double sum = 0;
        for (float x : v) sum += (double) x * x;
        double norm = Math.max(Math.sqrt(sum), 1e-12);
        for (int i = 0; i < v.length; i++) v[i] = (float) (v[i] / norm);
        return v;
    }

    /** The dot product; the cosine similarity when both vectors have unit length. */
    public static double dot(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vector dimensions differ: " + a.length + " vs " + b.length);
        }
        return VectorUtil.dotProduct(a, b);
    }

    /** {@code cos(a, b) = a·b / (|a|·|b|)}; 0 when either is the zero vector. */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vectors must share one dimension, got " + a.length + " and "
                    + b.length);
        }
        // VectorUtil.cosine is NaN (and fails its assertion) for a zero vector.
        return isZero(a) || isZero(b) ? 0 : VectorUtil.cosine(a, b);
    }

    /** The L2 norm. */
    public static double norm(float[] v) {
        return Math.sqrt(dot(v, v));
    }

    private static boolean isZero(float[] v) {
        for (float x : v) if (x != 0) return false;
        return true;
    }
}
