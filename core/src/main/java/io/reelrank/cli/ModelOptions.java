package io.reelrank.cli;

import io.reelrank.model.ImplicitAls;
import io.reelrank.model.ModelTrainer;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The collaborative model's hyperparameters as options shared by {@code train} and {@code eval}:
 * each takes one value or a list/range (as {@code eval --alpha}), checked by picocli as it parses
 * ({@link Grid}, {@link Bounds}: an error names the option, the range and the value), and the grid is
 * every combination. The defaults are the grid that {@code reelrank train} searches on its validation
 * split (docs/models.md, "The collaborative model"); a {@code new ModelOptions()} outside picocli holds
 * them too.
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

    @Option(names = "--rank", paramLabel = "K", defaultValue = DEFAULT_RANK, converter = Grid.Rank.class,
            description = "Factor dimensions, 1-" + ImplicitAls.Params.MAX_RANK
                    + "; a list or range to search (default: ${DEFAULT-VALUE})")
    Grid rank = new Grid.Rank().convert(DEFAULT_RANK);

    @Option(names = "--als-alpha", paramLabel = "A", defaultValue = DEFAULT_ALPHA, converter = Grid.NonNegative.class,
            description = "Confidence scale α of c = 1 + α·|r − midpoint|, >= 0; list or range "
                    + "(default: ${DEFAULT-VALUE})")
    Grid alpha = new Grid.NonNegative().convert(DEFAULT_ALPHA);

    @Option(names = "--lambda", paramLabel = "L", defaultValue = DEFAULT_LAMBDA, converter = Grid.Positive.class,
            description = "Regularization λ (times the row's positive count), > 0; list or range "
                    + "(default: ${DEFAULT-VALUE})")
    Grid lambda = new Grid.Positive().convert(DEFAULT_LAMBDA);

    @Option(names = "--iterations", paramLabel = "N", defaultValue = DEFAULT_ITERATIONS,
            converter = Grid.Iterations.class, description = "ALS iterations, 1-" + ImplicitAls.Params.MAX_ITERATIONS
                    + "; list or range (default: ${DEFAULT-VALUE})")
    Grid iterations = new Grid.Iterations().convert(DEFAULT_ITERATIONS);

    @Option(names = "--midpoint", paramLabel = "M", defaultValue = DEFAULT_MIDPOINT, converter = Grid.Stars.class,
            description = "Stars above it are positive, 0-5; list or range (default: ${DEFAULT-VALUE})")
    Grid midpoint = new Grid.Stars().convert(DEFAULT_MIDPOINT);

    @Option(names = "--blend", paramLabel = "M", defaultValue = DEFAULT_BLEND, converter = Grid.NonNegative.class,
            description = "m of the cold-item blend n⁺/(n⁺ + m), >= 0 (0: learned factors wherever a movie was rated); "
                    + "list or range (default: ${DEFAULT-VALUE})")
    Grid blend = new Grid.NonNegative().convert(DEFAULT_BLEND);

    @Option(names = "--ridge", paramLabel = "MU", defaultValue = "" + DEFAULT_RIDGE, converter = Bounds.Positive.class,
            description = "Ridge μ of the content-to-factor mapping, > 0 (default: ${DEFAULT-VALUE})")
    double ridge = DEFAULT_RIDGE;

    @Option(names = "--min-fit", paramLabel = "N", defaultValue = "" + DEFAULT_MIN_FIT,
            converter = Bounds.AtLeastOne.class,
            description = "Positive ratings a movie needs to train the content mapping, >= 1 "
                    + "(default: ${DEFAULT-VALUE})")
    int minFit = DEFAULT_MIN_FIT;

    @Option(names = "--model-seed", paramLabel = "SEED", defaultValue = "" + DEFAULT_SEED,
            description = "Seed of the initial user factors (default: ${DEFAULT-VALUE})")
    long seed = DEFAULT_SEED;

    @Option(names = "--threads", paramLabel = "N", converter = Bounds.Threads.class,
            description = "Worker threads for training, 1-256 (default: the number of cores)")
    Integer threads;

    /**
     * Every combination of the options' values, in a fixed order (rank, α, λ, iterations, midpoint,
     * blend); at most 1,000.
     */
    List<ModelTrainer.Settings> grid() {
        List<ModelTrainer.Settings> out = new ArrayList<>();
        for (double r : rank.values()) for (double a : alpha.values()) for (double l : lambda.values())
            for (double i : iterations.values()) for (double m : midpoint.values()) for (double b : blend.values()) {
                out.add(new ModelTrainer.Settings(new ImplicitAls.Params((int) r, a, l, (int) i, m, seed), b, ridge,
                        minFit));
            }
        if (out.size() > 1000) {
            throw CliException.badInput("the model grid must have at most 1000 settings, got " + out.size());
        }
        return out;
    }

    int threads() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }
}
