package io.reelrank.embed;

/**
 * Vector arithmetic shared by the encoders and the re-ranker: L2 normalisation as
 * sentence-transformers' {@code Normalize} module does it ({@code x / max(‖x‖, 1e-12)}), and dot
 * products. Stateless.
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
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    /** The L2 norm. */
    public static double norm(float[] v) {
        return Math.sqrt(dot(v, v));
    }
}
