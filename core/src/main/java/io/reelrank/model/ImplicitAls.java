package io.reelrank.model;

import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Implicit-feedback alternating least squares on signed preferences: the one place where reelrank's
 * collaborative maths lives, so that the in-process trainer, fold-in and a Spark job compute the
 * same thing. Hu, Koren and Volinsky, "Collaborative Filtering for Implicit Feedback Datasets",
 * ICDM 2008, with Spark MLlib's extension to non-positive values (confidence from |r'|, preference
 * 0) and the ALS-WR weighting of λ by the row's positive count (Zhou et al., AAIM 2008):
 * <pre>
 *   r' = r − midpoint,   p = 1 if r' &gt; 0 else 0,   c = 1 + α·|r'|,   n⁺_u = #{i : r'_ui &gt; 0}
 *   x_u = (YᵀY + Σ_i α·|r'_ui|·y_i y_iᵀ + λ·n⁺_u·I)⁻¹ · Σ_{i: r'_ui &gt; 0} (1 + α·r'_ui)·y_i
 * </pre>
 * which is {@code x_u = (YᵀC_uY + λ·n⁺_u·I)⁻¹ YᵀC_u p_u}; the item step is the same with users and
 * items swapped. A row with no positive rating solves to the zero vector (its right-hand side is
 * zero): negatives only re-weight positives. This is exactly Spark's
 * {@code ALS(implicitPrefs = true, rank, alpha, regParam = λ, maxIter = iterations)} fitted on
 * {@code rating − midpoint} (org/apache/spark/ml/recommendation/ALS.scala, {@code computeFactors}:
 * {@code ls.add(srcFactor, if (rating > 0) 1 + c1 else 0, c1)}, {@code solve(ls, numExplicits·regParam)}).
 *
 * <p>Each iteration solves every item against the users, then every user against the new items, as
 * Spark does; so after training each user's vector is exactly {@link #solveRow} against the final
 * item vectors, which is what fold-in computes. Initial user vectors are Gaussian, scaled to unit
 * length, drawn from a generator seeded by {@code (seed, user_id)}: a user's start does not depend on
 * which other users are present. Rows are solved in parallel, each independently into its own slot
 * (sums over one row run in column order), so results are bitwise the same for any thread count.
 * The k×k systems are solved by EJML's Cholesky decomposition. Callers pass validated
 * {@link Params}.
 */
public final class ImplicitAls {

    /** Hyperparameters; every check names the value and the allowed range. */
    public record Params(int rank, double alpha, double lambda, int iterations, double midpoint, long seed) {
        public static final int MAX_RANK = 1024;
        public static final int MAX_ITERATIONS = 1000;

        public Params {
            if (rank < 1 || rank > MAX_RANK) {
                throw new IllegalArgumentException("rank must be in 1-" + MAX_RANK + ", got " + rank);
            }
            if (!(alpha >= 0) || Double.isInfinite(alpha)) {
                throw new IllegalArgumentException("alpha must be a finite number >= 0, got " + alpha);
            }
            if (!(lambda > 0) || Double.isInfinite(lambda)) {
                throw new IllegalArgumentException("lambda must be a finite number > 0, got " + lambda);
            }
            if (iterations < 1 || iterations > MAX_ITERATIONS) {
                throw new IllegalArgumentException("iterations must be in 1-" + MAX_ITERATIONS + ", got " + iterations);
            }
            if (!(midpoint >= 0 && midpoint <= 5)) {
                throw new IllegalArgumentException("midpoint must be in 0-5 (MovieLens stars), got " + midpoint);
            }
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "rank=%d α=%s λ=%s iterations=%d midpoint=%s seed=%d", rank,
                    Numbers.plain(alpha), Numbers.plain(lambda), iterations, Numbers.plain(midpoint), seed);
        }
    }

    /** The trained factors, row-major {@code rows × rank}, rows in the matrix's dense index order. */
    public record Factors(int rank, float[] users, float[] items) {}

    /** Told after each half-step; may print progress. */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = (iteration, iterations, side, seconds) -> {};

        void halfStep(int iteration, int iterations, String side, double seconds);
    }

    /** Rows per parallel task: large enough to amortize the task, small enough to balance 2-64 cores. */
    private static final int CHUNK = 32;

    private ImplicitAls() {}

    /** Trains on {@code m} with {@code threads} worker threads (≥ 1). */
    public static Factors train(RatingMatrix m, Params p, int threads, Listener listener) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        int k = p.rank();
        float[] users = initialUsers(m, k, p.seed());
        float[] items = new float[m.items() * k];
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            for (int it = 1; it <= p.iterations(); it++) {
                long t = System.nanoTime();
                double[] xtx = gram(users, m.users(), k);
                float[] u = users;
                float[] next = new float[m.items() * k];
                run(pool, m.items(), (eq, i) -> {
                    eq.reset(xtx);
                    for (int j = m.itemStart(i); j < m.itemEnd(i); j++) {
                        eq.add(u, m.itemUser(j) * k, m.itemRating(j) - p.midpoint(), p.alpha());
                    }
                    eq.solve(p.lambda(), next, i * k);
                }, k);
                items = next;
                listener.halfStep(it, p.iterations(), "items", (System.nanoTime() - t) / 1e9);
                t = System.nanoTime();
                double[] yty = gram(items, m.items(), k);
                float[] y = items;
                float[] nextUsers = new float[m.users() * k];
                run(pool, m.users(), (eq, r) -> {
                    eq.reset(yty);
                    for (int j = m.userStart(r); j < m.userEnd(r); j++) {
                        eq.add(y, m.userItem(j) * k, m.userRating(j) - p.midpoint(), p.alpha());
                    }
                    eq.solve(p.lambda(), nextUsers, r * k);
                }, k);
                users = nextUsers;
                listener.halfStep(it, p.iterations(), "users", (System.nanoTime() - t) / 1e9);
            }
        } finally {
            pool.shutdownNow();
        }
        return new Factors(k, users, items);
    }

    /**
     * One row of the normal equations above, against fixed column vectors: the user step of
     * training and fold-in alike. {@code columns} holds the column vectors row-major ({@code rank}
     * floats each), {@code gram} their Gram matrix YᵀY ({@link #gram}); {@code rows[0..n)} are the
     * rated columns' indices (−1: no vector, skipped) and {@code ratings[0..n)} the stars. Writes the
     * solution into {@code out[off..off+rank)}; zeros when no rating is above the midpoint.
     */
    public static void solveRow(float[] columns, double[] gram, int[] rows, float[] ratings, int n, Params p,
                                float[] out, int off) {
        NormalEquation eq = SCRATCH.get();
        if (eq == null || eq.k != p.rank()) {
            eq = new NormalEquation(p.rank());
            SCRATCH.set(eq);
        }
        eq.reset(gram);
        for (int j = 0; j < n; j++) {
            if (rows[j] >= 0) eq.add(columns, rows[j] * p.rank(), ratings[j] - p.midpoint(), p.alpha());
        }
        eq.solve(p.lambda(), out, off);
    }

    /**
     * Each thread's normal equation for {@link #solveRow}, kept between calls: its k×k matrices and solver
     * were most of what a rating's fold-in allocated (the rating writer folds in thousands a second).
     */
    private static final ThreadLocal<NormalEquation> SCRATCH = new ThreadLocal<>();

    /** {@code YᵀY} of {@code n} row vectors of length {@code k} (row-major), as a k×k row-major array. */
    public static double[] gram(float[] rows, int n, int k) {
        double[] g = new double[k * k];
        for (int r = 0; r < n; r++) {
            int off = r * k;
            for (int a = 0; a < k; a++) {
                double va = rows[off + a];
                if (va == 0) continue;
                int ga = a * k;
                for (int b = a; b < k; b++) g[ga + b] += va * rows[off + b];
            }
        }
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < a; b++) g[a * k + b] = g[b * k + a];
        }
        return g;
    }

    /** Gaussian, unit-length start vectors (as Spark's {@code initialize}), seeded per user. */
    static float[] initialUsers(RatingMatrix m, int k, long seed) {
        float[] users = new float[m.users() * k];
        for (int r = 0; r < m.users(); r++) {
            SplittableRandom rng = new SplittableRandom(seed ^ (m.userId(r) * 0x9E3779B97F4A7C15L));
            double norm = 0;
            for (int d = 0; d < k; d++) {
                double g = rng.nextGaussian();
                users[r * k + d] = (float) g;
                norm += g * g;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int d = 0; d < k; d++) users[r * k + d] *= inv;
        }
        return users;
    }

    @FunctionalInterface
    private interface RowSolver {
        void solve(NormalEquation eq, int row);
    }

    private static void run(ForkJoinPool pool, int rows, RowSolver f, int k) {
        int chunks = (rows + CHUNK - 1) / CHUNK;
        try {
            pool.submit(() -> IntStream.range(0, chunks).parallel().forEach(c -> {
                NormalEquation eq = new NormalEquation(k);
                int end = Math.min(rows, (c + 1) * CHUNK);
                for (int r = c * CHUNK; r < end; r++) f.solve(eq, r);
            })).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("training interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) throw re;
            throw new IllegalStateException(cause);
        }
    }

    /**
     * One row's normal equation {@code A x = b}, accumulated in doubles (as Spark's
     * {@code NormalEquation}) and solved by Cholesky; one per worker thread, reused across rows.
     */
    static final class NormalEquation {
        private final int k;
        private final DMatrixRMaj a;
        private final DMatrixRMaj b;
        private final DMatrixRMaj x;
        private final LinearSolverDense<DMatrixRMaj> solver;
        /** The column being added, widened to doubles once: the inner loop is then of one type (vectorized). */
        private final double[] y;
        private int positives;

        NormalEquation(int k) {
            this.k = k;
            this.a = new DMatrixRMaj(k, k);
            this.b = new DMatrixRMaj(k, 1);
            this.x = new DMatrixRMaj(k, 1);
            this.solver = LinearSolverFactory_DDRM.chol(k);
            this.y = new double[k];
        }

        void reset(double[] gram) {
            System.arraycopy(gram, 0, a.data, 0, k * k);
            java.util.Arrays.fill(b.data, 0);
            positives = 0;
        }

        /** Adds one rated column y (at {@code rows[off..off+k)}) with preference value r' = r − midpoint. */
        void add(float[] rows, int off, double rPrime, double alpha) {
            double c1 = alpha * Math.abs(rPrime); // c − 1
            double[] ad = a.data;
            double[] yd = y;
            for (int i = 0; i < k; i++) yd[i] = rows[off + i]; // exact: the same products as with the floats
            if (c1 != 0) {
                for (int i = 0; i < k; i++) {
                    double vi = c1 * yd[i];
                    int ai = i * k;
                    for (int j = i; j < k; j++) ad[ai + j] += vi * yd[j]; // upper triangle; mirrored in solve
                }
            }
            if (rPrime > 0) {
                double w = 1 + c1; // c·p with p = 1
                for (int i = 0; i < k; i++) b.data[i] += w * yd[i];
                positives++;
            }
        }

        void solve(double lambda, float[] out, int off) {
            if (positives == 0) {
                java.util.Arrays.fill(out, off, off + k, 0f);
                return;
            }
            double[] ad = a.data;
            double reg = lambda * positives;
            for (int i = 0; i < k; i++) {
                ad[i * k + i] += reg;
                for (int j = 0; j < i; j++) ad[i * k + j] = ad[j * k + i];
            }
            if (!solver.setA(a)) {
                throw new IllegalStateException("normal equation not positive definite (rank " + k + ", λ·n⁺ = "
                        + reg + ")");
            }
            solver.solve(b, x);
            for (int i = 0; i < k; i++) out[off + i] = (float) x.data[i];
        }
    }
}
