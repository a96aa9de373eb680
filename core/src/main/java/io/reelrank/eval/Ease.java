package io.reelrank.eval;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * EASE, the recommendation task's strong non-neural baseline: a closed-form item-item model
 * (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019):
 * <pre>
 *   P = (XᵀX + λI)⁻¹,   B_ij = −P_ij / P_jj (i ≠ j),   B_jj = 0,   score(u, j) = Σ_i x_ui B_ij
 * </pre>
 * X the binary user × movie matrix of the training ratings (every rating counts as an interaction,
 * whatever its value: measured better than positives only, docs/evaluation.md), over the movies
 * with at least one training rating; movies outside it cannot be scored (NaN). The inverse of the
 * k×k Gram matrix is EJML's (Cholesky); memory is 8·n² bytes twice for n movies, so the caller keeps
 * n in the tens of thousands at most. λ is chosen on the validation split.
 */
public final class Ease {

    private final int[] movieIds; // ascending: the columns of X
    private final float[] b; // n × n row-major
    private final double lambda;

    private Ease(int[] movieIds, float[] b, double lambda) {
        this.movieIds = movieIds;
        this.b = b;
        this.lambda = lambda;
    }

    /**
     * Fits B on {@code train} with regularization λ > 0, over the movies with at least
     * {@code minRatings} (≥ 1) training ratings.
     */
    public static Ease fit(Ratings train, double lambda, int minRatings) {
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("EASE λ must be a finite number > 0, got " + lambda);
        }
        if (minRatings < 1) {
            throw new IllegalArgumentException("EASE minimum ratings per movie must be >= 1, got " + minRatings);
        }
        Ratings byUser = train.isSortedByUser() ? train : train.sortedByUserThenTime();
        int[] ids = new int[byUser.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = byUser.movieId(i);
        Arrays.sort(ids);
        int n = 0;
        for (int i = 0; i < ids.length; ) {
            int j = i;
            while (j < ids.length && ids[j] == ids[i]) j++;
            if (j - i >= minRatings) ids[n++] = ids[i];
            i = j;
        }
        int[] movies = Arrays.copyOf(ids, n);
        int size = n;
        DMatrixRMaj gram = new DMatrixRMaj(size, size);
        double[] gd = gram.data;
        byUser.forEachUser((user, from, to) -> {
            int[] cols = new int[to - from];
            int c0 = 0;
            for (int i = from; i < to; i++) {
                int col = Arrays.binarySearch(movies, byUser.movieId(i));
                if (col >= 0) cols[c0++] = col;
            }
            cols = Arrays.copyOf(cols, c0);
            Arrays.sort(cols);
            for (int a = 0; a < cols.length; a++) {
                int row = cols[a] * size;
                for (int c = a; c < cols.length; c++) gd[row + cols[c]] += 1;
            }
        });
        for (int i = 0; i < size; i++) {
            gd[i * size + i] += lambda;
            for (int j = 0; j < i; j++) gd[i * size + j] = gd[j * size + i];
        }
        DMatrixRMaj p = new DMatrixRMaj(size, size);
        if (!CommonOps_DDRM.invertSPD(gram, p)) {
            throw new IllegalStateException("EASE: XᵀX + λI is not positive definite (λ = " + lambda + ")");
        }
        float[] b = new float[size * size];
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                b[i * size + j] = i == j ? 0f : (float) (-p.data[i * size + j] / p.data[j * size + j]);
            }
        }
        return new Ease(movies, b, lambda);
    }

    public double lambda() {
        return lambda;
    }

    /** Movies the model can score. */
    public int size() {
        return movieIds.length;
    }

    /**
     * A scorer over {@code catalog} (ascending ids) for the users of {@code train}: each score is the
     * sum of B's rows of the user's training movies; NaN for a catalog movie outside X.
     */
    public RecommendationTask.Scorer scorer(Ratings train, int[] catalog) {
        Ratings byUser = train.isSortedByUser() ? train : train.sortedByUserThenTime();
        java.util.Map<Integer, int[]> rows = new java.util.HashMap<>();
        byUser.forEachUser((user, from, to) -> {
            int[] r = new int[to - from];
            for (int i = from; i < to; i++) r[i - from] = Arrays.binarySearch(movieIds, byUser.movieId(i));
            Arrays.sort(r);
            rows.put(user, r);
        });
        int n = movieIds.length;
        int[] column = new int[catalog.length];
        for (int c = 0; c < catalog.length; c++) column[c] = Arrays.binarySearch(movieIds, catalog[c]);
        return (user, scores) -> {
            int[] r = rows.get(user);
            if (r == null) return false;
            double[] sum = new double[n];
            for (int i : r) {
                if (i < 0) continue;
                int off = i * n;
                for (int j = 0; j < n; j++) sum[j] += b[off + j];
            }
            for (int c = 0; c < catalog.length; c++) scores[c] = column[c] < 0 ? Double.NaN : sum[column[c]];
            return true;
        };
    }
}
