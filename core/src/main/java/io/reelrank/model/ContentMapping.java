package io.reelrank.model;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * The cold-item tower: a linear map from a movie's content features ({@link ItemContent}: MiniLM
 * vector, genres, year) into the collaborative factor space, fit by ridge regression on the movies
 * whose factors the ratings determine well, so that a movie with few or no ratings still gets a
 * factor vector (Gantner et al., "Learning Attribute-to-Feature Mappings for Cold-Start
 * Recommendations", ICDM 2010):
 * <pre>
 *   W = (XᵀX + μ·I)⁻¹ XᵀY          (X: features of the fit movies, Y: their ALS factors)
 *   v_i = w_i·y_i + (1 − w_i)·x_i W,   w_i = n⁺_i / (n⁺_i + m)
 * </pre>
 * n⁺_i the movie's ratings above the midpoint (those that give its ALS vector its direction), m the
 * blend strength: the more positive ratings, the more the learned factors count. A movie with no
 * ALS row (no rating) gets {@code x_i W} alone; one without a content vector keeps {@code y_i}.
 * The caller fits once per trained model ({@link #fit}) and calls {@link #map}.
 */
public final class ContentMapping {

    private final DMatrixRMaj w; // features × rank
    private final int fitted;

    private ContentMapping(DMatrixRMaj w, int fitted) {
        this.w = w;
        this.fitted = fitted;
    }

    /**
     * Fits W on the catalog movies (positions {@code fit} in {@code content}) whose factor rows are
     * {@code factors[rows[j]·rank …]}; {@code ridge} is μ (> 0). Null when none of them has a content
     * vector: then there is nothing to learn the map from, and movies keep their learned factors only.
     */
    public static ContentMapping fit(ItemContent content, int[] fit, float[] factors, int[] rows, int rank,
                                     double ridge) {
        if (!(ridge > 0) || Double.isInfinite(ridge)) {
            throw new IllegalArgumentException("ridge must be a finite number > 0, got " + ridge);
        }
        int d = content.featureCount();
        double[] row = new double[d];
        int n = 0;
        DMatrixRMaj x = new DMatrixRMaj(fit.length, d);
        DMatrixRMaj y = new DMatrixRMaj(fit.length, rank);
        for (int j = 0; j < fit.length; j++) {
            if (!content.features(fit[j], row)) continue;
            System.arraycopy(row, 0, x.data, n * d, d);
            for (int c = 0; c < rank; c++) y.data[n * rank + c] = factors[rows[j] * rank + c];
            n++;
        }
        if (n == 0) {
            return null;
        }
        x.reshape(n, d, true);
        y.reshape(n, rank, true);
        DMatrixRMaj xtx = new DMatrixRMaj(d, d);
        CommonOps_DDRM.multTransA(x, x, xtx);
        for (int i = 0; i < d; i++) xtx.data[i * d + i] += ridge;
        DMatrixRMaj xty = new DMatrixRMaj(d, rank);
        CommonOps_DDRM.multTransA(x, y, xty);
        LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.symmPosDef(d);
        if (!solver.setA(xtx)) {
            throw new IllegalStateException("content mapping: XᵀX + μI is not positive definite (μ = " + ridge + ")");
        }
        DMatrixRMaj wOut = new DMatrixRMaj(d, rank);
        solver.solve(xty, wOut);
        return new ContentMapping(wOut, n);
    }

    /** Movies the map was fit on. */
    public int fitted() {
        return fitted;
    }

    /** {@code x_i W} for catalog position {@code i} into {@code out[off..off+rank)}; false when it has no features. */
    public boolean map(ItemContent content, int i, double[] scratch, float[] out, int off) {
        if (!content.features(i, scratch)) return false;
        int d = w.numRows;
        int k = w.numCols;
        for (int c = 0; c < k; c++) {
            double s = 0;
            for (int f = 0; f < d; f++) s += scratch[f] * w.data[f * k + c];
            out[off + c] = (float) s;
        }
        return true;
    }

    /** The blend weight {@code w = n⁺/(n⁺ + m)} of the learned factors; 1 when m = 0. */
    public static double blendWeight(int positives, double m) {
        return m == 0 ? 1 : positives / (positives + m);
    }
}
