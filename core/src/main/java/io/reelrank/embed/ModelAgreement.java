package io.reelrank.embed;

import java.util.Arrays;

/**
 * How far two item towers agree on the same movies: the cosine between the two vectors each gives a
 * text, and the overlap of the exact top-k cosine neighbours each gives a movie (what
 * {@code reelrank similar} lists, without HNSW's approximation). Both arrays hold unit vectors, row i
 * of {@code a} and of {@code b} for the same text. Ties among neighbours are broken by row index, so
 * the figures are deterministic.
 */
public final class ModelAgreement {

    private ModelAgreement() {}

    /** Summary of the pairwise cosines cos(a_i, b_i): mean, minimum and the 1st percentile. */
    public record Cosines(int n, double mean, double min, double p01) {}

    /** cos(a_i, b_i) for every row; vectors are unit length, so a dot product. */
    public static Cosines cosines(float[][] a, float[][] b) {
        check(a, b);
        double[] c = new double[a.length];
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            c[i] = Vectors.dot(a[i], b[i]);
            sum += c[i];
        }
        double[] sorted = c.clone();
        Arrays.sort(sorted);
        return new Cosines(a.length, sum / a.length, sorted[0], sorted[(int) Math.floor(0.01 * (sorted.length - 1))]);
    }

    /**
     * Mean over {@code queries} of |top-k by a ∩ top-k by b| / k, where top-k are the k rows with the
     * highest cosine to the query row, the query itself left out.
     */
    public static double neighbourOverlap(float[][] a, float[][] b, int[] queries, int k) {
        check(a, b);
        if (k < 1 || k >= a.length) {
            throw new IllegalArgumentException("k must be in 1-" + (a.length - 1) + ", got " + k);
        }
        double sum = 0;
        for (int q : queries) {
            int[] na = topK(a, q, k);
            int[] nb = topK(b, q, k);
            Arrays.sort(nb);
            int common = 0;
            for (int x : na) if (Arrays.binarySearch(nb, x) >= 0) common++;
            sum += (double) common / k;
        }
        return sum / queries.length;
    }

    /** The k rows most similar to row q (q excluded), best first; ties by row index. */
    public static int[] topK(float[][] v, int q, int k) {
        int[] best = new int[k];
        double[] score = new double[k];
        int n = 0;
        for (int i = 0; i < v.length; i++) {
            if (i == q) continue;
            double s = Vectors.dot(v[q], v[i]);
            if (n == k && s <= score[k - 1]) continue;
            int at = n < k ? n++ : k - 1;
            // insertion keeps best[] sorted by score descending, earlier rows first among equals
            while (at > 0 && score[at - 1] < s) {
                score[at] = score[at - 1];
                best[at] = best[at - 1];
                at--;
            }
            score[at] = s;
            best[at] = i;
        }
        return Arrays.copyOf(best, n);
    }

    private static void check(float[][] a, float[][] b) {
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException("need the same, non-zero number of vectors from both models, got "
                    + a.length + " and " + b.length);
        }
    }
}
