package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.eval.Bootstrap;
import io.reelrank.eval.Ease;
import io.reelrank.eval.EvalData;
import io.reelrank.eval.EvalSummary;
import io.reelrank.eval.MetricKey;
import io.reelrank.eval.ModelSelection;
import io.reelrank.eval.QueryGenerator;
import io.reelrank.eval.Ratings;
import io.reelrank.eval.RecommendationTask;
import io.reelrank.eval.Scorers;
import io.reelrank.eval.SearchTask;
import io.reelrank.eval.Splits;
import io.reelrank.eval.SweepGrid;
import io.reelrank.eval.SweepRankers;
import io.reelrank.eval.SweepReport;
import io.reelrank.eval.TrainingUsers;
import io.reelrank.index.Candidate;
import io.reelrank.index.MovieSearcher;
import io.reelrank.index.QuerySyntaxException;
import io.reelrank.index.SearchFilters;
import io.reelrank.model.FactorEngine;
import io.reelrank.model.ItemContent;
import io.reelrank.model.ItemVectors;
import io.reelrank.model.ModelTrainer;
import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.rerank.Reranker;
import io.reelrank.rerank.Weights;
import io.reelrank.service.IndexService;
import io.reelrank.user.TestUsers;
import io.reelrank.user.UserVectors;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank eval}: offline evaluation on the ratings in the database. It splits every real
 * user's ratings (the {@code test_users} are left out) into training and test, and carves a
 * validation split out of the training part (each user's latest 20%). Every choice is made on the
 * validation split: the collaborative model's hyperparameters (two-tower Recall@20), EASE's λ, the
 * fusion weights of personalized search and the popularity weight of the BM25 + popularity
 * baseline. Then everything is trained again on the whole training part with those choices, and
 * measured once on the test split: the recommendation task (popularity, content tower, EASE,
 * two-tower) and the search task (BM25, BM25 + popularity, personalized), each figure with its 95%
 * bootstrap interval. The ALS factors are computed where {@code --engine} says (in-process, or Spark
 * MLlib on {@code --spark-master}); everything else runs here. Given several fusion settings it writes the validation sweep as
 * {@code sweep.csv} and {@code sweep.png} into {@code --out-dir}. Nothing is written to the
 * database; standard output depends only on the data and the options (seeds included); progress
 * and timing go to standard error.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Offline evaluation: does personalization help real users, and by how much "
                + "(docs/evaluation.md).",
                "Every choice is made on a validation split carved from the training ratings; the tables are the test split's.",
                "The sweep behind the defaults: reelrank eval --alpha 0.3:0.8:0.1 --popularity 0.5,0.6,0.7,0.8 --collaborative 0.3,0.5,0.7 --ease-lambda 100,200,500,1000"})
public final class EvalCommand implements Callable<Integer> {

    static final int MAX_K = MovieSearcher.MAX_LIMIT;
    /** EASE's λ, chosen on the validation split: {@code reelrank eval --ease-lambda 50,100,200,500,1000}. */
    static final String DEFAULT_EASE_LAMBDA = "500";
    /**
     * EASE models the movies with at least this many training ratings (docs/evaluation.md, "EASE": no loss
     * against all, 25× faster).
     */
    static final int DEFAULT_EASE_MIN_RATINGS = 10;
    /** π values of the BM25 + popularity baseline, the best by liked NDCG@10 on validation is its π. */
    static final String DEFAULT_BASELINE_POPULARITY = "0:1:0.1";

    static final String BM25 = "bm25";
    static final String BASELINE = "bm25+popularity";
    static final String PERSONALIZED = "personalized";

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Mixin
    ModelOptions model;

    @Mixin
    EngineOptions engine;

    /** How the ratings are split into training and held-out ones. */
    enum Split { temporal, random }

    @Option(names = "--split", paramLabel = "KIND", defaultValue = "temporal",
            description = "temporal: each user's latest ratings held out; random: a seeded random share (default: ${DEFAULT-VALUE})")
    Split split;

    @Option(names = "--test-fraction", paramLabel = "F", defaultValue = "0.2",
            description = "Share of each user's ratings held out, in (0,1) (default: ${DEFAULT-VALUE})")
    double testFraction;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
            description = "Seed of the random split and of the bootstrap (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--k", paramLabel = "K", defaultValue = "10",
            description = "Cutoff of NDCG@k and Recall@k in the search task, 1 to --candidates (default: ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--fusion", paramLabel = "F", defaultValue = "weighted",
            description = "Fusions to try, a list of weighted, linear, rrf (default: ${DEFAULT-VALUE})")
    String fusions;

    @Option(names = "--alpha", paramLabel = "A", description = "α, the personal terms' weight: a list 0,0.5,1 or a range "
            + "0:1:0.1, each in [0,1] (default: the shipped " + "weighted α, and " + Reranker.DEFAULT_ALPHA + " for linear)")
    String alphas;

    @Option(names = "--popularity", paramLabel = "P", description = "π of weighted fusion, a list or range in [0,1] "
            + "(default: the shipped value)")
    String popularity;

    @Option(names = "--collaborative", paramLabel = "G", description = "γ of weighted fusion, a list or range in [0,1] "
            + "(default: the shipped value)")
    String collaborative;

    @Option(names = "--baseline-popularity", paramLabel = "P", defaultValue = DEFAULT_BASELINE_POPULARITY,
            description = "π of the BM25 + popularity baseline, a list or range in [0,1], best by liked NDCG@k on "
                    + "validation (default: ${DEFAULT-VALUE})")
    String baselinePopularity;

    @Option(names = "--shrinkage", paramLabel = "K", defaultValue = "" + UserVectors.DEFAULT_SHRINKAGE,
            description = "Content user tower's shrinkage k, >= 0 (default: ${DEFAULT-VALUE})")
    double shrinkage;

    @Option(names = "--ease-lambda", paramLabel = "L", defaultValue = DEFAULT_EASE_LAMBDA,
            description = "EASE's λ, a list or range, each > 0, best by Recall@20 on validation (default: ${DEFAULT-VALUE})")
    String easeLambda;

    @Option(names = "--ease-min-ratings", paramLabel = "N", defaultValue = "" + DEFAULT_EASE_MIN_RATINGS,
            description = "EASE models the movies with at least N training ratings, >= 1 (default: ${DEFAULT-VALUE})")
    int easeMinRatings;

    @Option(names = "--candidates", paramLabel = "N", defaultValue = "" + PersonalizedSearch.DEFAULT_CANDIDATES,
            description = "BM25 candidates per query that the re-ranker reorders, 1-" + PersonalizedSearch.MAX_CANDIDATES
                    + " (default: ${DEFAULT-VALUE})")
    int candidates;

    @Option(names = "--center", paramLabel = "BOOL", defaultValue = "true", arity = "1",
            description = "Center the item vectors on the catalog mean, as production does: true or false (default: ${DEFAULT-VALUE})")
    boolean center;

    @Option(names = "--resamples", paramLabel = "B", defaultValue = "" + Bootstrap.DEFAULT_RESAMPLES,
            description = "Bootstrap resamples per interval, 100-100000 (default: ${DEFAULT-VALUE})")
    int resamples;

    @Option(names = "--out-dir", paramLabel = "DIR",
            description = "Where a sweep writes sweep.csv and sweep.png (default: var/eval under REELRANK_HOME)")
    Path outDir;

    /** The options, checked; every message names the option, the allowed range and the value given. */
    record Plan(boolean temporal, List<SweepGrid.Setting> settings, double[] baselinePi, List<ModelTrainer.Settings> grid,
                double[] easeLambdas, boolean center, int threads, EngineOptions.EngineChoice engine) {}

    Plan plan() {
        boolean temporal = split == Split.temporal;
        if (!(testFraction > 0 && testFraction < 1)) {
            throw CliException.badInput("--test-fraction must be in (0,1), got " + testFraction);
        }
        if (candidates < 1 || candidates > PersonalizedSearch.MAX_CANDIDATES) {
            throw CliException.badInput("--candidates must be in 1-" + PersonalizedSearch.MAX_CANDIDATES + ", got " + candidates);
        }
        if (k < 1 || k > candidates) {
            throw CliException.badInput("--k must be in 1-" + candidates + " (--candidates), got " + k);
        }
        if (resamples < 100 || resamples > 100_000) {
            throw CliException.badInput("--resamples must be in 100-100000, got " + resamples);
        }
        if (!(shrinkage >= 0) || Double.isInfinite(shrinkage)) {
            throw CliException.badInput("--shrinkage must be a finite number >= 0, got " + shrinkage);
        }
        if (easeMinRatings < 1) {
            throw CliException.badInput("--ease-min-ratings must be >= 1, got " + easeMinRatings);
        }
        boolean centered = center;
        Set<Fusion> fs = new LinkedHashSet<>();
        for (String f : fusions.split(",", -1)) {
            try {
                fs.add(Fusion.parse(f));
            } catch (IllegalArgumentException e) {
                throw CliException.badInput("--fusion must be a list of weighted, linear, rrf, got '" + fusions + "'");
            }
        }
        try {
            double[] as = alphas != null ? SweepGrid.alphas(alphas) : null;
            double[] ps = SweepGrid.values("--popularity", popularity != null ? popularity
                    : Double.toString(Weights.DEFAULT.popularity()), 0, 1);
            double[] gs = SweepGrid.values("--collaborative", collaborative != null ? collaborative
                    : Double.toString(Weights.DEFAULT.collaborative()), 0, 1);
            double[] base = SweepGrid.values("--baseline-popularity", baselinePopularity, 0, 1);
            double[] ease = SweepGrid.values("--ease-lambda", easeLambda, 0, Double.POSITIVE_INFINITY);
            for (double l : ease) {
                if (!(l > 0)) throw new IllegalArgumentException("--ease-lambda values must be > 0, got " + l);
            }
            List<SweepGrid.Setting> settings = new ArrayList<>();
            if (fs.contains(Fusion.WEIGHTED)) {
                settings.addAll(SweepGrid.settings(as != null ? as : new double[] {Weights.DEFAULT.alpha()}, ps, gs,
                        true, false, false));
            }
            if (fs.contains(Fusion.LINEAR)) {
                settings.addAll(SweepGrid.settings(as != null ? as : new double[] {Reranker.DEFAULT_ALPHA}, ps, gs,
                        false, true, false));
            }
            if (fs.contains(Fusion.RRF)) {
                settings.addAll(SweepGrid.settings(new double[0], ps, gs, false, false, true));
            }
            return new Plan(temporal, settings, base, model.grid(), ease, centered, model.threads(), engine.check());
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        Plan plan = plan();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long t0 = System.nanoTime();
        Database db = dbOptions.open();

        Ratings all;
        EvalData.Catalog catalog;
        Set<Integer> testUsers;
        try (Connection c = db.connect()) {
            testUsers = TestUsers.ids(c);
            all = EvalData.loadRatings(c);
            catalog = EvalData.loadCatalog(c);
        }
        Ratings real = all.without(testUsers);
        if (real.size() == 0) {
            throw new CliException(1, "no ratings to evaluate on: run `reelrank ingest` first");
        }
        Splits.Split parts = plan.temporal() ? Splits.temporal(real, testFraction) : Splits.random(real, testFraction, seed);
        Splits.Split validation = ModelSelection.validation(parts.train());
        ItemVectors items = ItemVectors.load(db, plan.center());
        if (items.size() == 0) {
            throw new CliException(1, "no movie has an embedding yet: run `reelrank embed --load` first");
        }
        IndexService.refreshIfStale(db, Home.indexDir(), err);
        err.printf(Locale.ROOT, "loaded %,d ratings, %,d movies, %,d item vectors in %.1f s%n", all.size(),
                catalog.size(), items.size(), seconds(t0));
        err.flush();
        int[] catalogIds = catalog.movieIds();
        ItemContent content = new ItemContent(catalogIds, items::vector, catalog.genres(), catalog.years());

        Bootstrap bootstrap = new Bootstrap(seed, resamples);
        out.printf(Locale.ROOT, "eval: %s split, test fraction %s, seed %d (%s), bootstrap seed %d with %d resamples%n",
                plan.temporal() ? "temporal" : "random", testFraction, seed,
                plan.temporal() ? "the temporal split uses none" : "random split", bootstrap.seed(), bootstrap.resamples());
        out.printf(Locale.ROOT, "data: %,d ratings of %,d users (test users left out: %d with %,d ratings); "
                        + "training %,d, held out %,d%n", real.size(), users(real), testUsers.size(), all.size() - real.size(),
                parts.train().size(), parts.test().size());
        out.printf(Locale.ROOT, "validation: each user's latest %.0f%% of their training ratings held out: training %,d, "
                        + "held out %,d; every choice below is made on it%n", 100 * ModelSelection.VALIDATION_FRACTION,
                validation.train().size(), validation.test().size());
        out.printf(Locale.ROOT, "items: %,d movie vectors, %s; content tower shrinkage k=%s; search: %d BM25 candidates "
                        + "per query, NDCG@%d, Recall@%d, MRR%n", items.size(),
                plan.center() ? "centered on the catalog mean" : "not centered", trim(shrinkage), candidates, k, k);
        out.flush();

        try (FactorEngine factors = EngineOptions.open(plan.engine(), plan.threads(), line -> {
            err.println(line);
            err.flush();
        })) {
            evaluate(plan, out, err, catalog, parts, validation, items, content, bootstrap, factors);
        }
        out.flush();
        err.printf(Locale.ROOT, "eval: done in %.1f s%n", seconds(t0));
        err.flush();
        return 0;
    }

    /** Everything after loading: the choices on validation, then the test split's tables. */
    private void evaluate(Plan plan, PrintWriter out, PrintWriter err, EvalData.Catalog catalog,
                          Splits.Split parts, Splits.Split validation, ItemVectors items, ItemContent content,
                          Bootstrap bootstrap, FactorEngine factors) throws Exception {
        int[] catalogIds = catalog.movieIds();
        // 1. The collaborative model's hyperparameters, on validation.
        out.printf(Locale.ROOT, "%nmodel selection on validation (two-tower recommender, Recall@%d; best first by recall; "
                + "ALS factors %s):%n", RecommendationTask.DEFAULT_K, plan.engine().spark() ? "on Spark, "
                + plan.engine().master() : "in-process");
        err.println("model grid on the validation split:");
        ModelSelection.Choice choice = ModelSelection.choose(validation, content, catalogIds, items::vector, shrinkage,
                plan.grid(), factors, plan.threads(), line -> {
                    err.println("  " + line);
                    err.flush();
                });
        for (ModelSelection.Trial t : choice.trials()) {
            out.printf(Locale.ROOT, "  %s %-72s recall@20 %.4f  ndcg@20 %.4f  rare-movie recall@20 %.4f%n",
                    t == choice.best() ? "*" : " ", t.settings(), t.recall(), t.ndcg(), t.rareRecall());
        }

        // 2. EASE's λ, on validation.
        int[] ids = RecommendationTask.catalogOrder(catalogIds);
        double easeBest = plan.easeLambdas()[0];
        if (plan.easeLambdas().length > 1) {
            double bestRecall = -1;
            out.printf(Locale.ROOT, "%nEASE λ on validation (movies with >= %d training ratings):%n", easeMinRatings);
            for (double l : plan.easeLambdas()) {
                long t = System.nanoTime();
                Ease e = Ease.fit(validation.train(), l, easeMinRatings);
                RecommendationTask.Result r = RecommendationTask.run(validation, ids,
                        Map.of("ease", e.scorer(validation.train(), ids)), RecommendationTask.DEFAULT_K);
                double recall = mean(r.recall()[r.system("ease")]);
                out.printf(Locale.ROOT, "  λ=%-8s recall@20 %.4f  (%d movies)%n", trim(l), recall, e.size());
                err.printf(Locale.ROOT, "EASE λ=%s on validation in %.1f s%n", trim(l), seconds(t));
                if (recall > bestRecall) {
                    bestRecall = recall;
                    easeBest = l;
                }
            }
        }

        // 3. Fusion weights and the baseline's π, on validation.
        QueryGenerator queries = new QueryGenerator(catalogIds, catalog.titles(), catalog.genres(),
                QueryGenerator.DEFAULT_MAX_TITLE_DF);
        int[] unparsable = {0};
        SweepGrid.Setting chosen;
        double chosenPi;
        double[] baselineLiked = {Double.NaN};
        SearchTask.Result test;
        try (MovieSearcher searcher = MovieSearcher.open(Home.indexDir())) {
            SweepRankers rankers = new SweepRankers(q -> bm25Candidates(searcher, q, unparsable), items);
            TrainingUsers valUsers = TrainingUsers.compute(validation.train(), items::vector, shrinkage);
            SweepRankers.Context valContext = SweepRankers.Context.of(validation.train(), valUsers,
                    choice.bestModel().model(), choice.bestModel()::user);
            ExecutorService pool = Executors.newFixedThreadPool(plan.threads());
            List<SweepReport.Point> points;
            try {
                chosenPi = chooseBaseline(out, err, rankers, valContext, validation.test(), queries, plan.baselinePi(),
                        baselineLiked);
                points = sweep(err, rankers, valContext, validation.test(), queries, plan.settings(), bootstrap, pool);
            } finally {
                pool.shutdownNow();
            }
            chosen = select(points, baselineLiked[0]);
            printSweep(out, points, chosen, baselineLiked[0]);
            if (points.size() > 1) {
                Path dir = outDir != null ? outDir : Home.var().resolve("eval");
                Files.createDirectories(dir);
                SweepReport.writeCsv(points, dir.resolve("sweep.csv"));
                SweepReport.writePng(points, likedMetric(), dir.resolve("sweep.png"));
                out.printf(Locale.ROOT, "wrote %s (%d settings) and %s%n", dir.resolve("sweep.csv"), points.size(),
                        dir.resolve("sweep.png"));
            }
            rankers.forget(valContext);

            // 4. Everything again on the whole training split, with the choices; measured once on test.
            long t = System.nanoTime();
            ModelTrainer.Trained trained = ModelTrainer.train(ModelSelection.matrix(parts.train()), content,
                    choice.best().settings(), factors, plan.threads(), ModelTrainer.Listener.NONE);
            err.printf(Locale.ROOT, "trained the chosen model on the training split in %.1f s%n", seconds(t));
            TrainingUsers testUsersContent = TrainingUsers.compute(parts.train(), items::vector, shrinkage);
            SweepRankers.Context testContext = SweepRankers.Context.of(parts.train(), testUsersContent, trained.model(),
                    trained::user);
            Map<String, SearchTask.Ranker> testRankers = new LinkedHashMap<>();
            testRankers.put(BM25, rankers.bm25());
            testRankers.put(BASELINE, rankers.ranker(testContext, Fusion.WEIGHTED, new Weights(0, chosenPi, 0), false));
            testRankers.put(PERSONALIZED, rankers.ranker(testContext, fusion(chosen), weights(chosen), true));
            test = SearchTask.run(parts.test(), queries, testRankers, k);
            err.printf(Locale.ROOT, "%,d distinct queries, %d that did not parse%n", rankers.queries(), unparsable[0]);

            out.printf(Locale.ROOT, "%nsearch task on test: %s (chosen on validation) against %s π=%.2f and %s; "
                            + "%,d liked and %,d disliked (held-out rating, query) pairs, %,d pairs of movies without a "
                            + "query left out%n", chosen, BASELINE, chosenPi, BM25, test.liked().size(),
                    test.disliked().size(), test.pairsWithoutQuery());
            out.printf(Locale.ROOT, "(liked: rating >= %.1f, higher is better; disliked: rating <= %.1f, lower is better)%n",
                    RecommendationTask.LIKED, SearchTask.DISLIKED);
            out.print(EvalSummary.table(EvalSummary.search(test, bootstrap,
                    List.of(new String[] {PERSONALIZED, BASELINE}, new String[] {PERSONALIZED, BM25}))));
            out.flush();

            // The recommendation task on test: popularity, content tower, EASE, two-tower.
            t = System.nanoTime();
            Ease ease = Ease.fit(parts.train(), easeBest, easeMinRatings);
            err.printf(Locale.ROOT, "EASE λ=%s on the training split (%d movies) in %.1f s%n", trim(easeBest), ease.size(),
                    seconds(t));
            RecommendationTask.Scorer contentScorer = Scorers.content(ids, items::vector, testUsersContent);
            Map<String, RecommendationTask.Scorer> systems = new LinkedHashMap<>();
            systems.put("content", contentScorer);
            systems.put("ease", ease.scorer(parts.train(), ids));
            systems.put("two-tower", Scorers.firstOf(Scorers.collaborative(ids, trained.model(), trained::user),
                    contentScorer));
            RecommendationTask.Result rec = RecommendationTask.run(parts, ids, systems, RecommendationTask.DEFAULT_K);
            out.printf(Locale.ROOT, "%nrecommendation task on test: every unrated movie ranked; relevant: held-out rating "
                            + ">= %.1f; %,d users (%,d without a liked held-out movie left out); model %s; EASE λ=%s%n",
                    RecommendationTask.LIKED, rec.userIds().length, rec.usersWithoutLiked(), choice.best().settings(),
                    trim(easeBest));
            out.printf(Locale.ROOT, "two-tower: collaborative score, or the content tower for %d users without a "
                    + "collaborative vector, or popularity for %d without either%n",
                    rec.fallbacks()[rec.system("two-tower")] - rec.fallbacks()[rec.system("content")],
                    rec.fallbacks()[rec.system("content")]);
            Map<String, Bootstrap.Interval> table = EvalSummary.recommendation(rec, bootstrap);
            table.putAll(EvalSummary.differences(rec, bootstrap, "two-tower", "ease"));
            table.putAll(EvalSummary.rare(rec, bootstrap));
            out.print(EvalSummary.table(table));
        }
    }

    /** The baseline's π with the highest liked NDCG@k on validation (ties: the smaller π). */
    private double chooseBaseline(PrintWriter out, PrintWriter err, SweepRankers rankers, SweepRankers.Context ctx,
                                  Ratings heldOut, QueryGenerator queries, double[] pis, double[] bestLiked) {
        Map<String, SearchTask.Ranker> rs = new LinkedHashMap<>();
        rs.put(BM25, rankers.bm25());
        for (double p : pis) {
            rs.put(String.format(Locale.ROOT, "%s π=%.2f", BASELINE, p), rankers.ranker(ctx, Fusion.WEIGHTED,
                    new Weights(0, p, 0), false));
        }
        long t = System.nanoTime();
        SearchTask.Result r = SearchTask.run(heldOut, queries, rs, k);
        err.printf(Locale.ROOT, "baseline on validation: %d value(s) of π in %.1f s%n", pis.length, seconds(t));
        out.printf(Locale.ROOT, "%nbaseline %s on validation (NDCG@%d; chosen by liked):%n", BASELINE, k);
        double best = pis[0];
        double bestNdcg = -1;
        for (int i = 0; i < rs.size(); i++) {
            double liked = mean(r.liked().ndcg()[i]);
            double disliked = r.disliked().size() == 0 ? Double.NaN : mean(r.disliked().ndcg()[i]);
            out.printf(Locale.ROOT, "  %-26s liked %.4f  disliked %.4f%n", r.rankers().get(i), liked, disliked);
            if (i > 0 && liked > bestNdcg) {
                bestNdcg = liked;
                best = pis[i - 1];
            }
        }
        bestLiked[0] = bestNdcg;
        return best;
    }

    /**
     * Measures every fusion setting on validation: the first on this thread (it fills the tower
     * values' cache), the rest in parallel; results in the settings' order.
     */
    private List<SweepReport.Point> sweep(PrintWriter err, SweepRankers rankers, SweepRankers.Context ctx, Ratings heldOut,
                                          QueryGenerator queries, List<SweepGrid.Setting> settings, Bootstrap bootstrap,
                                          ExecutorService pool) throws Exception {
        Map<SweepGrid.Setting, Future<Map<String, Bootstrap.Interval>>> pending = new LinkedHashMap<>();
        boolean[] first = {true};
        return SweepGrid.run(settings, s -> {
            try {
                if (first[0]) {
                    first[0] = false;
                    Map<String, Bootstrap.Interval> m = measure(rankers, ctx, heldOut, queries, s, bootstrap);
                    for (SweepGrid.Setting other : settings) {
                        if (other != s) pending.put(other, pool.submit(() -> measure(rankers, ctx, heldOut, queries, other,
                                bootstrap)));
                    }
                    return m;
                }
                return pending.remove(s).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            }
        }, likedMetric(), err);
    }

    private Map<String, Bootstrap.Interval> measure(SweepRankers rankers, SweepRankers.Context ctx, Ratings heldOut,
                                                    QueryGenerator queries, SweepGrid.Setting s, Bootstrap bootstrap) {
        Map<String, SearchTask.Ranker> rs = new LinkedHashMap<>();
        rs.put(BM25, rankers.bm25());
        rs.put(PERSONALIZED, rankers.ranker(ctx, fusion(s), weights(s), true));
        SearchTask.Result r = SearchTask.run(heldOut, queries, rs, k);
        return EvalSummary.search(r, bootstrap, List.<String[]>of(new String[] {PERSONALIZED, BM25}));
    }

    /**
     * The search setting the product ships, chosen on validation, mirroring what personalization is
     * for: among the settings whose liked NDCG@k is no lower than the BM25 + popularity baseline's,
     * the one that sinks disliked movies furthest (lowest disliked NDCG@k); when none qualifies, the
     * best liked NDCG@k. Ties: the earlier setting.
     */
    SweepGrid.Setting select(List<SweepReport.Point> points, double baselineLiked) {
        SweepReport.Point best = null;
        for (SweepReport.Point p : points) {
            if (p.metrics().get(likedMetric()).mean() < baselineLiked) continue;
            if (best == null || dislikedOf(p) < dislikedOf(best)) best = p;
        }
        if (best == null) best = SweepReport.best(points, likedMetric());
        return new SweepGrid.Setting(best.fusion(), best.alpha(), best.popularity(), best.collaborative());
    }

    private double dislikedOf(SweepReport.Point p) {
        Bootstrap.Interval d = p.metrics().get(dislikedMetric());
        return d == null ? 0 : d.mean();
    }

    private String likedMetric() {
        return ndcg(MetricKey.Group.LIKED, PERSONALIZED);
    }

    private String dislikedMetric() {
        return ndcg(MetricKey.Group.DISLIKED, PERSONALIZED);
    }

    private String ndcg(MetricKey.Group group, String system) {
        return MetricKey.of(MetricKey.Measure.NDCG, k, group, system).name();
    }

    private static Fusion fusion(SweepGrid.Setting s) {
        return Fusion.parse(s.fusion());
    }

    private static Weights weights(SweepGrid.Setting s) {
        return new Weights(Double.isNaN(s.alpha()) ? 0 : s.alpha(), Double.isNaN(s.popularity()) ? 0 : s.popularity(),
                Double.isNaN(s.collaborative()) ? 0 : s.collaborative());
    }

    private List<Candidate> bm25Candidates(MovieSearcher searcher, String query, int[] unparsable) {
        try {
            List<Candidate> cs = searcher.candidates(query, SearchFilters.NONE, candidates);
            List<Candidate> out = new ArrayList<>(cs.size());
            for (Candidate c : cs) {
                out.add(new Candidate(c.movieId(), c.bm25(), c.bm25Rank())); // no popularity: eval adds its own prior
            }
            return out;
        } catch (QuerySyntaxException e) {
            // Scored as an empty list for every ranker alike, and counted on stderr.
            synchronized (unparsable) {
                unparsable[0]++;
            }
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void printSweep(PrintWriter out, List<SweepReport.Point> points, SweepGrid.Setting chosen, double baselineLiked) {
        MetricKey.Group liked = MetricKey.Group.LIKED;
        MetricKey.Group disliked = MetricKey.Group.DISLIKED;
        out.printf(Locale.ROOT, "%nsearch settings on validation: NDCG@%d (95%% interval); chosen (*): the lowest disliked "
                + "NDCG@%d among those with liked NDCG@%d >= the baseline's %.4f%n", k, k, k, baselineLiked);
        out.printf(Locale.ROOT, "  %-34s  %-26s  %-27s  %-26s  %-27s%n", "setting", "liked personalized",
                "liked personalized-bm25", "disliked personalized", "disliked personalized-bm25");
        for (SweepReport.Point p : points) {
            SweepGrid.Setting s = new SweepGrid.Setting(p.fusion(), p.alpha(), p.popularity(), p.collaborative());
            out.printf(Locale.ROOT, "%s %-34s  %-26s  %-27s  %-26s  %-27s%n", s.equals(chosen) ? "*" : " ", s,
                    cell(p, ndcg(liked, PERSONALIZED)), cell(p, ndcg(liked, PERSONALIZED + "-" + BM25)),
                    cell(p, ndcg(disliked, PERSONALIZED)), cell(p, ndcg(disliked, PERSONALIZED + "-" + BM25)));
        }
        SweepReport.Point any = points.get(0);
        out.printf(Locale.ROOT, "  bm25 alone: liked %s, disliked %s%n", cell(any, ndcg(liked, BM25)), cell(any, ndcg(disliked, BM25)));
    }

    private static String cell(SweepReport.Point p, String metric) {
        Bootstrap.Interval i = p.metrics().get(metric);
        return i == null ? "-" : String.format(Locale.ROOT, "%.4f [%.4f, %.4f]", i.mean(), i.low(), i.high());
    }

    private static int users(Ratings r) {
        Set<Integer> u = new HashSet<>();
        for (int i = 0; i < r.size(); i++) u.add(r.userId(i));
        return u.size();
    }

    private static double mean(double[] v) {
        return ModelSelection.mean(v);
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
