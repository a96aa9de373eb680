package io.reelrank.cli;

import io.reelrank.eval.SweepGrid;
import io.reelrank.model.ImplicitAls;
import io.reelrank.model.ModelTrainer;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The collaborative model's hyperparameters as options shared by {@code train} and {@code eval}:
 * each takes one value or a list/range (as {@code eval --alpha}), and the grid is every
 * combination; {@link #grid} checks them all and names the option, the range and the value in any
 * error. The defaults are the grid that {@code reelrank train} searches on its validation split
 * (docs/models.md, "The collaborative model"); a {@code new ModelOptions()} outside picocli holds them
 * too.
 */
public final class ModelOptions {

    /** The default grid: three confidence scales α at rank 64, λ 0.1, 10 iterations, midpoint 3. */
    static final String DEFAULT_RANK = "64";
    static final String DEFAULT_ALPHA = "0.5,1,2";
    static final String DEFAULT_LAMBDA = "0.1";
    static final String DEFAULT_ITERATIONS = "10";
    static final String DEFAULT_MIDPOINT = "3";
    static final String DEFAULT_BLEND = "0";
    public static final double DEFAULT_RIDGE = 10;
    public static final int DEFAULT_MIN_FIT = 5;
    static final long DEFAULT_SEED = 42;

    @Option(names = "--rank", paramLabel = "K", defaultValue = DEFAULT_RANK,
            description = "Factor dimensions, 1-" + ImplicitAls.Params.MAX_RANK
                    + "; a list or range to search (default: ${DEFAULT-VALUE})")
    String rank = DEFAULT_RANK;

    @Option(names = "--als-alpha", paramLabel = "A", defaultValue = DEFAULT_ALPHA,
            description = "Confidence scale α of c = 1 + α·|r − midpoint|, >= 0; "
                    + "list or range (default: ${DEFAULT-VALUE})")
    String alpha = DEFAULT_ALPHA;

    @Option(names = "--lambda", paramLabel = "L", defaultValue = DEFAULT_LAMBDA,
            description = "Regularization λ (times the row's positive count), > 0; "
                    + "list or range (default: ${DEFAULT-VALUE})")
    String lambda = DEFAULT_LAMBDA;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = DEFAULT_ITERATIONS,
            description = "ALS iterations, 1-" + ImplicitAls.Params.MAX_ITERATIONS
                    + "; list or range (default: ${DEFAULT-VALUE})")
    String iterations = DEFAULT_ITERATIONS;

    @Option(names = "--midpoint", paramLabel = "M", defaultValue = DEFAULT_MIDPOINT,
            description = "Stars above it are positive, 0-5; list or range (default: ${DEFAULT-VALUE})")
    String midpoint = DEFAULT_MIDPOINT;

    @Option(names = "--blend", paramLabel = "M", defaultValue = DEFAULT_BLEND,
            description = "m of the cold-item blend n⁺/(n⁺ + m), >= 0 (0: learned factors wherever a movie was rated); "
                    + "list or range (default: ${DEFAULT-VALUE})")
    String blend = DEFAULT_BLEND;

    @Option(names = "--ridge", paramLabel = "MU", defaultValue = "" + DEFAULT_RIDGE,
            description = "Ridge μ of the content-to-factor mapping, > 0 (default: ${DEFAULT-VALUE})")
    double ridge = DEFAULT_RIDGE;

    @Option(names = "--min-fit", paramLabel = "N", defaultValue = "" + DEFAULT_MIN_FIT,
            description = "Positive ratings a movie needs to train the content mapping, "
                    + ">= 1 (default: ${DEFAULT-VALUE})")
    int minFit = DEFAULT_MIN_FIT;

    @Option(names = "--model-seed", paramLabel = "SEED", defaultValue = "" + DEFAULT_SEED,
            description = "Seed of the initial user factors (default: ${DEFAULT-VALUE})")
    long seed = DEFAULT_SEED;

    @Option(names = "--threads", paramLabel = "N",
            description = "Worker threads for training, 1-256 (default: the number of cores)")
    Integer threads;

    /** Every combination of the options' values, in a fixed order (rank, α, λ, iterations, midpoint, blend). */
    List<ModelTrainer.Settings> grid() {
        try {
            double[] ranks = SweepGrid.values("--rank", rank, 1, ImplicitAls.Params.MAX_RANK);
            double[] alphas = SweepGrid.values("--als-alpha", alpha, 0, Double.POSITIVE_INFINITY);
            double[] lambdas = SweepGrid.values("--lambda", lambda, 0, Double.POSITIVE_INFINITY);
            for (double l : lambdas) {
                if (!(l > 0)) throw new IllegalArgumentException("--lambda values must be > 0, got " + l);
            }
            double[] iters = SweepGrid.values("--iterations", iterations, 1, ImplicitAls.Params.MAX_ITERATIONS);
            double[] mids = SweepGrid.values("--midpoint", midpoint, 0, 5);
            double[] blends = SweepGrid.values("--blend", blend, 0, Double.POSITIVE_INFINITY);
            for (double r : ranks) whole("--rank", r);
            for (double i : iters) whole("--iterations", i);
            if (!(ridge > 0) || Double.isInfinite(ridge)) {
                throw new IllegalArgumentException("--ridge must be a finite number > 0, got " + ridge);
            }
            if (minFit < 1) throw new IllegalArgumentException("--min-fit must be >= 1, got " + minFit);
            List<ModelTrainer.Settings> out = new ArrayList<>();
            for (double r : ranks) for (double a : alphas) for (double l : lambdas) for (double i : iters)
                for (double m : mids) for (double b : blends) {
                    out.add(new ModelTrainer.Settings(new ImplicitAls.Params((int) r, a, l, (int) i, m, seed), b, ridge,
                            minFit));
                }
            if (out.size() > 1000) {
                throw new IllegalArgumentException("the model grid must have at most 1000 settings, got " + out.size());
            }
            return out;
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage());
        }
    }

    int threads() {
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (t < 1 || t > 256) throw CliException.badInput("--threads must be in 1-256, got " + t);
        return t;
    }

    private static void whole(String option, double v) {
        if (v != Math.rint(v)) throw new IllegalArgumentException(option + " values must be whole numbers, got " + v);
    }
}
