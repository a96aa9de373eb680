package io.reelrank.model;

import java.util.Arrays;

/**
 * The item side of a trained collaborative model, in memory: every served movie's factor vector
 * (learned, content-mapped or blended, see {@link ContentMapping}), their Gram matrix YᵀY and the
 * hyperparameters, which is all that scoring and fold-in need. Immutable and thread-safe; one
 * instance serves a whole process until a newer model version is activated. The collaborative
 * score of a user for a movie is the inner product {@code u·v_i} (the user vector is never
 * normalized: its length carries the confidence of the fit).
 */
public final class FactorModel {

    private final long version;
    private final ImplicitAls.Params params;
    private final int[] movieIds;
    private final float[] vectors;
    private final int[] index; // movie_id -> row, -1 when the movie has no vector
    private final double[] gram;
    private final float[] learned;

    /**
     * @param version  the stored model version (0 for a model that lives only in memory, as in eval)
     * @param movieIds ascending, distinct
     * @param vectors  row-major {@code movieIds.length × rank}
     * @param learned  per movie, the share of its vector learned from ratings, {@code n⁺/(n⁺ + m)}
     *                 in [0, 1] (0: content-mapped only)
     */
    public FactorModel(long version, ImplicitAls.Params params, int[] movieIds, float[] vectors, float[] learned) {
        int k = params.rank();
        if (vectors.length != movieIds.length * k) {
            throw new IllegalArgumentException("vectors must hold " + movieIds.length + " × " + k + " floats, got "
                    + vectors.length);
        }
        if (learned.length != movieIds.length) {
            throw new IllegalArgumentException("learned must be parallel to movie ids, got " + learned.length + " for "
                    + movieIds.length);
        }
        int max = 0;
        for (int i = 0; i < movieIds.length; i++) {
            if (i > 0 && movieIds[i] <= movieIds[i - 1]) {
                throw new IllegalArgumentException("movie ids must be ascending and distinct, got " + movieIds[i - 1]
                        + " before " + movieIds[i]);
            }
            max = Math.max(max, movieIds[i]);
        }
        this.version = version;
        this.params = params;
        this.movieIds = movieIds.clone();
        this.vectors = vectors.clone();
        this.learned = learned.clone();
        this.index = new int[max + 1];
        Arrays.fill(index, -1);
        for (int i = 0; i < movieIds.length; i++) index[movieIds[i]] = i;
        this.gram = ImplicitAls.gram(this.vectors, movieIds.length, k);
    }

    public long version() {
        return version;
    }

    public ImplicitAls.Params params() {
        return params;
    }

    public int rank() {
        return params.rank();
    }

    /** Movies with a factor vector. */
    public int size() {
        return movieIds.length;
    }

    public int[] movieIds() {
        return movieIds.clone();
    }

    public boolean has(int movieId) {
        return row(movieId) >= 0;
    }

    /** A copy of the movie's factor vector, or null. */
    public float[] vector(int movieId) {
        int r = row(movieId);
        return r < 0 ? null : Arrays.copyOfRange(vectors, r * rank(), (r + 1) * rank());
    }

    /** The share of the movie's vector learned from ratings (0: content-mapped), NaN when it has no vector. */
    public double learned(int movieId) {
        int r = row(movieId);
        return r < 0 ? Double.NaN : learned[r];
    }

    /** The same model under a stored version number. */
    public FactorModel withVersion(long v) {
        return new FactorModel(v, params, movieIds, vectors, learned);
    }

    /** The row-major vectors, shared: the caller must not modify them (the store writes them out). */
    float[] vectors() {
        return vectors;
    }

    float[] learnedWeights() {
        return learned;
    }

    /** {@code u·v_i}, NaN when the movie has no vector; {@code u} must have the model's rank. */
    public double score(float[] user, int movieId) {
        int r = row(movieId);
        if (r < 0) return Double.NaN;
        int off = r * rank();
        double s = 0;
        for (int d = 0; d < user.length; d++) s += user[d] * vectors[off + d];
        return s;
    }

    /** {@code u·v} for every movie in {@link #movieIds} order, into {@code out}. */
    public void scoreAll(float[] user, double[] out) {
        int k = rank();
        for (int r = 0; r < movieIds.length; r++) {
            int off = r * k;
            double s = 0;
            for (int d = 0; d < k; d++) s += user[d] * vectors[off + d];
            out[r] = s;
        }
    }

    /**
     * Fold-in: the user's vector from their ratings against these fixed item vectors, the user step
     * of {@link ImplicitAls} (one k×k solve). Movies without a vector are skipped. Null when no rated
     * movie with a vector lies above the midpoint (the solution is then the zero vector: no
     * collaborative signal, the content tower must carry the user).
     */
    public float[] foldIn(int[] movies, float[] ratings, int n) {
        int[] rows = new int[n];
        for (int j = 0; j < n; j++) rows[j] = row(movies[j]);
        float[] u = new float[rank()];
        ImplicitAls.solveRow(vectors, gram, rows, ratings, n, params, u, 0);
        for (float x : u) {
            if (x != 0) return u;
        }
        return null;
    }

    private int row(int movieId) {
        return movieId >= 0 && movieId < index.length ? index[movieId] : -1;
    }
}
