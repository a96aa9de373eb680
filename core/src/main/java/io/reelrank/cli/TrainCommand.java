package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.model.FactorEngine;
import io.reelrank.model.ModelStore;
import io.reelrank.service.Training;
import io.reelrank.user.UserVectors;
import java.io.PrintWriter;
import java.sql.Connection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank train}: learns the collaborative user and item vectors from the ratings table
 * ({@link Training}), choosing among the settings given on a validation split, and makes the new
 * model version active; {@code --list} shows the stored versions instead.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train the collaborative towers (implicit ALS on signed preferences) on every rating and "
                + "activate",
                "the new model version (docs/models.md, \"The collaborative model\"). Several values of an option "
                        + "are a grid",
                "searched on a validation split; one value of each trains directly. --engine spark computes the ALS",
                "factors with Spark MLlib on --spark-master, the rest here (docs/models.md, "
                        + "\"Training on a cluster\")."})
public final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Mixin
    ModelOptions model;

    @Mixin
    EngineOptions engine;

    @Option(names = "--shrinkage", paramLabel = "K", defaultValue = "" + UserVectors.DEFAULT_SHRINKAGE,
            description = "Content user tower's shrinkage k, used by the validation's two-tower fallback, "
                    + ">= 0 (default: ${DEFAULT-VALUE})")
    double shrinkage;

    @Option(names = "--list", description = "List the stored model versions and exit")
    boolean list;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (list) {
            return list(out);
        }
        if (!(shrinkage >= 0) || Double.isInfinite(shrinkage)) {
            throw CliException.badInput("--shrinkage must be a finite number >= 0, got " + shrinkage);
        }
        List<io.reelrank.model.ModelTrainer.Settings> grid = model.grid();
        int threads = model.threads();
        EngineOptions.EngineChoice plan = engine.check();
        Database db = dbOptions.open();
        Models.items(db); // fails with the command to run when nothing is embedded yet
        try (FactorEngine factors = EngineOptions.open(plan, threads, line -> {
            out.println("      " + line);
            out.flush();
        })) {
            train(db, grid, threads, shrinkage, factors, out);
        }
        return 0;
    }

    /** Runs {@link Training} in-process with one progress line per stage and its details; the demo calls it. */
    static Training.Outcome train(Database db, List<io.reelrank.model.ModelTrainer.Settings> grid, int threads,
                                  double shrinkage, PrintWriter out) throws Exception {
        return train(db, grid, threads, shrinkage, FactorEngine.inProcess(threads), out);
    }

    /** Runs {@link Training} with the factors on {@code engine}. */
    static Training.Outcome train(Database db, List<io.reelrank.model.ModelTrainer.Settings> grid, int threads,
                                  double shrinkage, FactorEngine engine, PrintWriter out) throws Exception {
        Training.Options options = new Training.Options(grid, threads, shrinkage, engine);
        String[] stages = {"lock", "load", "validate", "train", "write", "activate"};
        Training.Outcome o;
        try {
            o = Training.run(db, options, new Training.Listener() {
                @Override
                public void stageStarted(String stage, String what) {
                    out.printf(Locale.ROOT, "[%d/%d] %s: %s%n", List.of(stages).indexOf(stage) + 1, stages.length,
                            stage, what);
                    out.flush();
                }

                @Override
                public void stageDone(String stage, String result, double seconds) {
                    out.printf(Locale.ROOT, "      %s (%.1f s)%n", result, seconds);
                    out.flush();
                }

                @Override
                public void detail(String line) {
                    out.println("      " + line);
                    out.flush();
                }
            });
        } catch (IllegalStateException e) {
            throw new CliException(1, e.getMessage());
        }
        out.printf(Locale.ROOT, "train: version %d active: %s; %,d ratings, %,d users, %,d movies in %.1f s%n",
                o.version(), o.settings(), o.ratings(), o.users(), o.items(), o.seconds());
        out.flush();
        return o;
    }

    private int list(PrintWriter out) throws Exception {
        Database db = dbOptions.open();
        try (Connection c = db.connect()) {
            List<ModelStore.Version> vs = ModelStore.versions(c);
            if (vs.isEmpty()) {
                out.println("no model trained yet: run `reelrank train`");
                return 0;
            }
            out.printf(Locale.ROOT, "%7s  %-8s  %4s  %-16s  %9s  %6s  %6s  %8s  %-20s  %s%n", "version", "status",
                    "rank", "fingerprint", "ratings", "users", "movies", "seconds", "activated", "params");
            for (ModelStore.Version v : vs) {
                out.printf(Locale.ROOT, "%7d  %-8s  %4d  %-16s  %,9d  %,6d  %,6d  %8s  %-20s  %s%n", v.version(),
                        v.status(), v.rank(), v.fingerprint(), v.ratings(), v.users(), v.items(),
                        v.trainingSeconds() == null ? "-" : String.format(Locale.ROOT, "%.1f", v.trainingSeconds()),
                        v.activatedAt() == null ? "-" : v.activatedAt().toString().substring(0, 19), compact(v));
            }
        }
        return 0;
    }

    private static String compact(ModelStore.Version v) {
        var p = v.params();
        return String.format(Locale.ROOT, "α=%s λ=%s iterations=%s midpoint=%s blend=%s seed=%s engine=%s",
                p.get("alpha").asText(), p.get("lambda").asText(), p.get("iterations").asText(),
                p.get("midpoint").asText(), p.get("blend").asText(), p.get("seed").asText(),
                p.has("engine") ? p.get("engine").asText() : FactorEngine.IN_PROCESS);
    }
}
