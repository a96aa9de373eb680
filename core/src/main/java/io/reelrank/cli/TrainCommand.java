package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.eval.RecommendRankerTraining;
import io.reelrank.eval.SearchJudgments;
import io.reelrank.eval.SearchRankerTraining;
import io.reelrank.feedback.ClickJudgments;
import io.reelrank.model.FactorEngine;
import io.reelrank.model.ModelStore;
import io.reelrank.rank.RankerTrainer;
import io.reelrank.service.ClickTraining;
import io.reelrank.service.IndexService;
import io.reelrank.service.RankerTraining;
import io.reelrank.service.Training;
import io.reelrank.user.UserVectors;
import java.io.PrintWriter;
import java.sql.Connection;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
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

    @Option(names = "--ranker-only",
            description = "Train only the learned rankers (search, recommendations), against the active "
                    + "collaborative model version")
    boolean rankerOnly;

    @Option(names = "--order-study", description = "Also measure, on validation, the other ways of ordering the "
            + "learned search ranker's candidates (rated movies lifted or sunk, the content towers' cosine added; "
            + "docs/learned-ranker.md); about 4 s each")
    boolean orderStudy;

    @Option(names = "--no-ranker", description = "Train the collaborative model only, not the learned rankers")
    boolean noRanker;

    @Option(names = "--judgments", paramLabel = "N", defaultValue = "" + SearchJudgments.DEFAULT_CAP,
            description = "Most (rating, query) judgments the ranker is trained on; above it a seeded sample, >= 100 "
                    + "(default: ${DEFAULT-VALUE})")
    int judgments;

    @Option(names = "--ranker-trees", paramLabel = "N", split = ",",
            description = "The search ranker's boosting rounds, 1-5000; a list is a grid chosen on validation "
                    + "(default: the shipped setting's, 200)")
    List<Integer> rankerTrees;

    @Option(names = "--ranker-depth", paramLabel = "D", split = ",",
            description = "The search ranker's tree depth, 1-16; a list is a grid (default: the shipped "
                    + "setting's, 6)")
    List<Integer> rankerDepth;

    @Option(names = "--ranker-eta", paramLabel = "E", split = ",",
            description = "The search ranker's learning rate, in (0, 1]; a list is a grid (default: the "
                    + "shipped setting's, 0.1)")
    List<Double> rankerEta;

    @Option(names = "--ranker-objective", paramLabel = "O", split = ",", description = "rank:ndcg (LambdaMART) or "
            + "rank:pairwise; a list is a grid (default: the shipped setting's)")
    List<String> rankerObjective;

    @Option(names = "--judgments-from", paramLabel = "SOURCE", defaultValue = "ratings",
            description = "What the search ranker learns from: ratings (the evaluation's protocol), clicks (the "
                    + "logged sessions, position-debiased; trains only the search ranker) or both (default: "
                    + "${DEFAULT-VALUE}; docs/feedback.md, \"Training from clicks\")")
    String judgmentsFrom;

    @Option(names = "--no-debias", description = "With clicks: label by the raw click rates instead of the "
            + "inverse-propensity-weighted ones")
    boolean noDebias;

    @Option(names = "--min-propensity", paramLabel = "TAU", defaultValue = "" + ClickJudgments.DEFAULT_MIN_PROPENSITY,
            description = "With clicks: the propensity floor τ, in (0, 1]; a click weighs at most 1/τ (default: "
                    + "${DEFAULT-VALUE})")
    double minPropensity;

    @Option(names = "--clicks-since", paramLabel = "TIME", description = "With clicks: only sessions served at or "
            + "after this time, an ISO-8601 instant (2026-12-01T00:00:00Z) or date (2026-12-01, UTC) (default: all "
            + "logged)")
    String clicksSince;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (list) {
            return list(out);
        }
        String source = judgmentsFrom.toLowerCase(Locale.ROOT);
        if (!List.of("ratings", "clicks", "both").contains(source)) {
            throw CliException.badInput("--judgments-from must be ratings, clicks or both, got '" + judgmentsFrom
                    + "'");
        }
        if (!(minPropensity > 0 && minPropensity <= 1)) {
            throw CliException.badInput("--min-propensity must be in (0, 1], got " + minPropensity);
        }
        Instant since = since(clicksSince);
        if (source.equals("ratings") && (noDebias || since != null
                || minPropensity != ClickJudgments.DEFAULT_MIN_PROPENSITY)) {
            throw CliException.badInput("--no-debias, --min-propensity and --clicks-since apply to "
                    + "--judgments-from clicks or both");
        }
        if (!source.equals("ratings")) {
            if (noRanker) throw CliException.badInput("--judgments-from " + source + " trains the search ranker: "
                    + "--no-ranker excludes it");
            return fromClicks(source, new ClickTraining.Options(!noDebias, minPropensity, since,
                    SearchRankerTraining.DEFAULT.params().seed()), out);
        }
        if (!(shrinkage >= 0) || Double.isInfinite(shrinkage)) {
            throw CliException.badInput("--shrinkage must be a finite number >= 0, got " + shrinkage);
        }
        if (rankerOnly && noRanker) throw CliException.badInput("--ranker-only and --no-ranker exclude each other");
        if (judgments < 100) throw CliException.badInput("--judgments must be >= 100, got " + judgments);
        List<io.reelrank.model.ModelTrainer.Settings> grid = model.grid();
        int threads = model.threads();
        EngineOptions.EngineChoice plan = engine.check();
        List<SearchRankerTraining.Setting> rankerGrid = rankerGrid();
        Database db = dbOptions.open();
        Models.items(db); // fails with the command to run when nothing is embedded yet
        RankerTraining.Options ranker = noRanker ? null : new RankerTraining.Options(rankerGrid,
                List.of(RecommendRankerTraining.DEFAULT), judgments, SearchRankerTraining.DEFAULT.params().seed(),
                threads, IndexService.ensure(Home.indexDir(), () -> db, out)).withOrderStudy(orderStudy);
        try (FactorEngine factors = EngineOptions.open(plan, threads, line -> {
            out.println("      " + line);
            out.flush();
        })) {
            if (rankerOnly) {
                rankerOnly(db, new Training.Options(grid, threads, shrinkage, factors, ranker), out);
            } else {
                train(db, grid, threads, shrinkage, factors, ranker, out);
            }
        }
        return 0;
    }

    /**
     * {@code --judgments-from clicks|both}: the click judgments ({@link ClickTraining}), then the search
     * ranker trained on them alone or beside the rating judgments, against the active collaborative model.
     */
    private int fromClicks(String source, ClickTraining.Options o, PrintWriter out) throws Exception {
        if (!(shrinkage >= 0) || Double.isInfinite(shrinkage)) {
            throw CliException.badInput("--shrinkage must be a finite number >= 0, got " + shrinkage);
        }
        if (judgments < 100) throw CliException.badInput("--judgments must be >= 100, got " + judgments);
        List<SearchRankerTraining.Setting> rankerGrid = rankerGrid();
        if (source.equals("clicks") && rankerGrid.size() > 1) {
            throw CliException.badInput("--judgments-from clicks trains one setting (the click judgments hold no "
                    + "validation of their own to choose by): give one value of each --ranker- option");
        }
        int threads = model.threads();
        Database db = dbOptions.open();
        Training.Listener l = listener(source.equals("clicks") ? new String[] {"clicks", "ranker"}
                : new String[] {"clicks", "load", "ranker"}, out);
        ClickTraining.Outcome outcome;
        try {
            long t = System.nanoTime();
            l.stageStarted("clicks", "logged search sessions, the position-based click model and judgments from "
                    + "clicks");
            ClickTraining.Prepared p = ClickTraining.prepare(db, o, l::detail);
            l.stageDone("clicks", String.format(Locale.ROOT, "%,d training groups, %,d held-out groups",
                    p.fit().groups(), p.held().size()), (System.nanoTime() - t) / 1e9);
            if (source.equals("clicks")) {
                t = System.nanoTime();
                l.stageStarted("ranker", "search ranker on the click judgments, stored and activated in one "
                        + "transaction");
                outcome = ClickTraining.train(db, o, p, rankerGrid.get(0).params(), threads, l::detail);
                l.stageDone("ranker", "search ranker version " + outcome.version() + " active",
                        (System.nanoTime() - t) / 1e9);
            } else {
                Models.items(db); // fails with the command to run when nothing is embedded yet
                RankerTraining.Options ranker = new RankerTraining.Options(rankerGrid, List.of(), judgments,
                        SearchRankerTraining.DEFAULT.params().seed(), threads,
                        IndexService.ensure(Home.indexDir(), () -> db, out)).withOrderStudy(orderStudy);
                try (FactorEngine factors = FactorEngine.inProcess(threads)) {
                    outcome = ClickTraining.both(db, o, p, new Training.Options(model.grid(), threads, shrinkage,
                            factors, ranker), l);
                }
            }
        } catch (IllegalStateException e) {
            throw new CliException(1, e.getMessage());
        }
        out.printf(Locale.ROOT, "held-out clicks: NDCG@%d on %,d (user, query) groups of a quarter of the users, "
                + "gain: the debiased click rate%n", ClickTraining.K, outcome.measured());
        for (ClickTraining.Figure f : outcome.figures()) {
            out.printf(Locale.ROOT, "  %-40s %.4f%n", f.name(), f.ndcg());
        }
        out.printf(Locale.ROOT, "train: search ranker version %d active, from %s%s, in %.1f s%n", outcome.version(),
                source.equals("clicks") ? "clicks" : "ratings and clicks", o.debias() ? "" : " (not debiased)",
                outcome.seconds());
        out.flush();
        return 0;
    }

    /** {@code --clicks-since}: an instant or a UTC date; null when not given. */
    static Instant since(String s) {
        if (s == null) return null;
        try {
            return s.contains("T") ? Instant.parse(s) : LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            throw CliException.badInput("--clicks-since must be an ISO-8601 instant (2026-12-01T00:00:00Z) or date "
                    + "(2026-12-01), got '" + s + "'");
        }
    }

    /** The ranker settings the options give: every combination, the shipped setting's value where none is given. */
    private List<SearchRankerTraining.Setting> rankerGrid() {
        RankerTrainer.Params d = SearchRankerTraining.DEFAULT.params();
        List<SearchRankerTraining.Setting> out = new java.util.ArrayList<>();
        try {
            for (String o : rankerObjective == null ? List.of(d.objective()) : rankerObjective) {
                for (int depth : rankerDepth == null ? List.of(d.depth()) : rankerDepth) {
                    for (double eta : rankerEta == null ? List.of(d.eta()) : rankerEta) {
                        for (int trees : rankerTrees == null ? List.of(d.trees()) : rankerTrees) {
                            out.add(new SearchRankerTraining.Setting(SearchRankerTraining.DEFAULT.grades(),
                                    new RankerTrainer.Params(o, trees, depth, eta, d.minChildWeight(), d.seed())));
                        }
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            throw CliException.badInput("--ranker-" + e.getMessage());
        }
        if (out.size() > 100) throw CliException.badInput("the ranker grid has " + out.size()
                + " settings, at most 100");
        return out;
    }

    static void rankerOnly(Database db, Training.Options options, PrintWriter out) throws Exception {
        RankerTraining.Outcome o;
        try {
            o = Training.rankerOnly(db, options, listener(new String[] {"load", "ranker"}, out));
        } catch (IllegalStateException e) {
            throw new CliException(1, e.getMessage());
        }
        out.printf(Locale.ROOT, "train: ranker version %d active in %.1f s%n", o.version(), o.seconds());
        out.flush();
    }

    /** Runs {@link Training} in-process with one progress line per stage and its details; the demo calls it. */
    static Training.Outcome train(Database db, List<io.reelrank.model.ModelTrainer.Settings> grid, int threads,
                                  double shrinkage, RankerTraining.Options ranker, PrintWriter out) throws Exception {
        return train(db, grid, threads, shrinkage, FactorEngine.inProcess(threads), ranker, out);
    }

    /** Runs {@link Training} with the factors on {@code engine}, and the ranker's stage unless {@code ranker} is null.
     */
    static Training.Outcome train(Database db, List<io.reelrank.model.ModelTrainer.Settings> grid, int threads,
                                  double shrinkage, FactorEngine engine, RankerTraining.Options ranker, PrintWriter out)
            throws Exception {
        Training.Options options = new Training.Options(grid, threads, shrinkage, engine, ranker);
        String[] stages = ranker == null ? new String[] {"lock", "load", "validate", "train", "write", "activate"}
                : new String[] {"lock", "load", "validate", "train", "write", "activate", "ranker"};
        Training.Outcome o;
        try {
            o = Training.run(db, options, listener(stages, out));
        } catch (IllegalStateException e) {
            throw new CliException(1, e.getMessage());
        }
        out.printf(Locale.ROOT, "train: version %d active: %s; %,d ratings, %,d users, %,d movies%s in %.1f s%n",
                o.version(),
                o.settings(), o.ratings(), o.users(), o.items(), o.ranker() == null ? ""
                        : "; search ranker version " + o.ranker().version(), o.seconds());
        out.flush();
        return o;
    }

    private static Training.Listener listener(String[] stages, PrintWriter out) {
        return new Training.Listener() {
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
            };
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
