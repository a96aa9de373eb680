package io.reelrank.bench;

import io.reelrank.cli.CliException;
import io.reelrank.cli.DbOptions;
import io.reelrank.cli.Home;
import io.reelrank.cli.ModelOptions;
import io.reelrank.cli.Models;
import io.reelrank.db.Database;
import io.reelrank.db.ScratchDatabase;
import io.reelrank.eval.EvalData;
import io.reelrank.eval.ModelSelection;
import io.reelrank.eval.Ratings;
import io.reelrank.ingest.MovieLensLoader;
import io.reelrank.model.ImplicitAls;
import io.reelrank.model.ItemContent;
import io.reelrank.model.ItemVectors;
import io.reelrank.model.ModelTrainer;
import io.reelrank.model.RatingMatrix;
import io.reelrank.service.Training;
import io.reelrank.user.TestUsers;
import io.reelrank.user.UserTower;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank bench train}: how long training takes. On the sample's ratings, in memory: the
 * three training stages on one thread (the baseline) and on all cores, same seed, same result. Then
 * {@code reelrank train}'s whole path (load, train, write with the HNSW index, activate) on a
 * generated ratings set of {@code --rows} ratings in a scratch database that is dropped afterwards.
 * One setting (no validation grid), so the figure is the cost of one training.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Training time on the sample (1 thread against all cores) and on a generated ratings set.")
public final class BenchTrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--rows", defaultValue = "5000000", paramLabel = "N",
            description = "Ratings in the generated set, 0 to skip, up to 100000000 (default: ${DEFAULT-VALUE})")
    long rows;

    @Option(names = "--rank", defaultValue = "64", paramLabel = "K",
            description = "Factor dimensions, 1-1024 (default: ${DEFAULT-VALUE})")
    int rank;

    @Option(names = "--iterations", defaultValue = "10", paramLabel = "N",
            description = "ALS iterations, 1-1000 (default: ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--seed", defaultValue = "42",
            description = "Seed of the generated set and of the factors (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (rows < 0 || rows > 100_000_000) throw CliException.badInput("--rows must be in 0-100000000, got " + rows);
        ModelTrainer.Settings settings;
        try {
            settings = new ModelTrainer.Settings(new ImplicitAls.Params(rank, 1, 0.1, iterations, 3, seed), 0,
                    ModelOptions.DEFAULT_RIDGE, ModelOptions.DEFAULT_MIN_FIT);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput("--" + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        Database db = dbOptions.open();
        ItemVectors items = Models.items(db);
        int cores = Runtime.getRuntime().availableProcessors();
        out.printf(Locale.ROOT, "bench train: %s, %d cores%n", settings, cores);

        Ratings ratings;
        EvalData.Catalog catalog;
        try (Connection c = db.connect()) {
            ratings = EvalData.loadRatings(c).without(TestUsers.ids(c));
            catalog = EvalData.loadCatalog(c);
        }
        ItemContent content = new ItemContent(catalog.movieIds(), items::vector, catalog.genres(), catalog.years());
        RatingMatrix m = ModelSelection.matrix(ratings);
        out.printf(Locale.ROOT,
                "sample: %,d ratings, %,d users, %,d movies (in memory; stages: ALS, content mapping, users)%n",
                m.ratings(), m.users(), m.items());
        out.flush();
        // Alternating, so both see the same machine state; the median of three each.
        double[][] seconds = new double[2][3];
        int[] threads = {1, cores};
        for (int round = 0; round < 3; round++) {
            for (int t = 0; t < 2; t++) {
                ModelTrainer.Trained tr = ModelTrainer.train(m, content, settings, threads[t],
                        ModelTrainer.Listener.NONE);
                seconds[t][round] = tr.seconds();
            }
        }
        double base = median(seconds[0]);
        double all = median(seconds[1]);
        out.printf(Locale.ROOT, "  1 thread (baseline)   %7.2f s   (%,.0f ratings/s; runs %s)%n", base,
                m.ratings() / base, runs(seconds[0]));
        out.printf(Locale.ROOT,
                "  %d threads            %7.2f s   (%,.0f ratings/s; runs %s)   %.2f× the baseline's speed%n",
                cores, all, m.ratings() / all, runs(seconds[1]), base / all);
        out.flush();

        if (rows > 0) generated(db, items, settings, cores, out);
        return 0;
    }

    /** {@code reelrank train}'s whole path on a generated ratings set in a scratch database. */
    private void generated(Database main, ItemVectors items, ModelTrainer.Settings settings, int cores, PrintWriter out)
            throws Exception {
        try (ScratchDatabase scratch = new ScratchDatabase(main, "bench")) {
            Database bench = scratch.database();
            Path big = Home.var().resolve("bench").resolve("ratings-" + rows);
            out.printf(Locale.ROOT, "generated: generating and loading %,d ratings into %s…%n", rows, scratch.name());
            out.flush();
            BenchIngestCommand.generate(Home.path().resolve("sample_data/ml-latest-small"), big, rows, seed);
            MovieLensLoader.load(bench, big, new MovieLensLoader.Options(MovieLensLoader.Options.DEFAULT_BATCH_SIZE,
                    false, true), MovieLensLoader.Listener.NONE);
            BenchRerankCommand.copyVectors(bench, items);
            Map<String, Double> stages = new LinkedHashMap<>();
            long t0 = System.nanoTime();
            Training.Outcome o = Training.run(bench, new Training.Options(List.of(settings), cores,
                    UserTower.DEFAULT_SHRINKAGE), new Training.Listener() {
                @Override
                public void stageStarted(String stage, String what) {}

                @Override
                public void stageDone(String stage, String result, double s) {
                    stages.put(stage, s);
                }

                @Override
                public void detail(String line) {}
            });
            double total = (System.nanoTime() - t0) / 1e9;
            out.printf(Locale.ROOT, "  %,d ratings, %,d users, %,d movies: %.1f s in all, %,.0f ratings/s%n",
                    o.ratings(), o.users(), o.items(), total, o.ratings() / total);
            stages.forEach((stage, s) -> out.printf(Locale.ROOT, "    %-9s %7.1f s%n", stage, s));
            out.flush();
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }

    private static String runs(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (double x : v) sb.append(sb.length() == 0 ? "" : " / ").append(String.format(Locale.ROOT, "%.2f", x));
        return sb.toString();
    }
}
