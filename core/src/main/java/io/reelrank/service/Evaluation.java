package io.reelrank.service;

import io.reelrank.db.Database;
import io.reelrank.eval.Bootstrap;
import io.reelrank.eval.Choices;
import io.reelrank.eval.Ease;
import io.reelrank.eval.EvalData;
import io.reelrank.eval.EvalResult;
import io.reelrank.eval.EvalSummary;
import io.reelrank.eval.FeatureContext;
import io.reelrank.eval.FeatureImportance;
import io.reelrank.eval.LearnedRankers;
import io.reelrank.eval.LearnedSelection;
import io.reelrank.eval.MetricKey;
import io.reelrank.eval.ModelSelection;
import io.reelrank.eval.QueryGenerator;
import io.reelrank.eval.Ratings;
import io.reelrank.eval.RecommendRankerTraining;
import io.reelrank.eval.RecommendationTask;
import io.reelrank.eval.Scorers;
import io.reelrank.eval.SearchJudgments;
import io.reelrank.eval.SearchQualityTasks;
import io.reelrank.eval.SearchRankerTraining;
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
import io.reelrank.rerank.Weights;
import io.reelrank.user.TestUsers;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * {@code reelrank eval} as a library call: offline evaluation on the ratings in the database, stage by
 * stage, each announced to a {@link Listener}. Every real user's ratings (the test users are left
 * out) are split into training and test, and a validation split is carved out of the training part
 * (each user's latest 20%); every choice is made there, by the rules of {@link Choices}:
 * <ol>
 *   <li>{@code load}: ratings, catalog and content vectors; the index rebuilt if it is stale;</li>
 *   <li>{@code models}: the collaborative model's grid ({@link ModelSelection}), by two-tower Recall@20;</li>
 *   <li>{@code ease}: EASE's λ, by Recall@20 (skipped with one λ);</li>
 *   <li>{@code baseline}: the π of BM25 + popularity, by liked NDCG@k;</li>
 *   <li>{@code fusion}: every fusion setting, the first here and the rest in parallel; the one that
 *       ships; with several, the sweep written as {@code sweep.csv} and {@code sweep.png};</li>
 *   <li>{@code learned}: the learned rankers (search, and recommendations' second stage) fitted on
 *       the validation split's judgments at the shipped setting and measured on validation users they
 *       were not fitted on ({@link SearchRankerTraining}, {@link RecommendRankerTraining}); whether each
 *       is served ({@link LearnedSelection}); the feature-importance plot {@code ltr-importance.png};</li>
 *   <li>{@code train}: the chosen model again, on the whole training part;</li>
 *   <li>{@code search}: the search task on test (BM25, the baseline, personalized, learned);</li>
 *   <li>{@code recommend}: the recommendation task on test (popularity, content, EASE, two-tower,
 *       two-stage);</li>
 *   <li>{@code search-quality}: the typo, exact and descriptive tasks on test, those asked for
 *       ({@link SearchQualityStage}; docs/search-quality.md).</li>
 * </ol>
 * Each figure carries its 95% bootstrap interval. Nothing is written to the database. The ALS factors
 * are computed by the caller's {@link FactorEngine} (the caller opens and closes it); the result
 * depends only on the data and the options, seeds included.
 */
public final class Evaluation {

    /** The stages, in order. */
    public static final List<String> STAGES = List.of("load", "models", "ease", "baseline", "fusion", "learned",
            "train", "search", "recommend", "search-quality");

    /**
     * What to evaluate and how: the protocol (echoed in the result), the fusion settings to sweep, the
     * π values of the baseline, the model grid and EASE's λ values to choose from (each sorted as the
     * choice rules expect), worker threads, the index to search, where a sweep, the feature-importance
     * plot (and the descriptive task's index) are written, the search-quality tasks to run
     * ({@link SearchQualityTasks#ALL}, in any order; none: an empty list), and whether to fit and
     * measure the learned rankers.
     */
    public record Options(EvalResult.Protocol protocol, List<SweepGrid.Setting> settings, double[] baselinePis,
                          List<ModelTrainer.Settings> grid, double[] easeLambdas, int threads, Path indexDir,
                          Path sweepDir, List<String> searchTasks, boolean learned) {

        /** Without the search-quality tasks, with the learned rankers. */
        public Options(EvalResult.Protocol protocol, List<SweepGrid.Setting> settings, double[] baselinePis,
                       List<ModelTrainer.Settings> grid, double[] easeLambdas, int threads, Path indexDir,
                       Path sweepDir) {
            this(protocol, settings, baselinePis, grid, easeLambdas, threads, indexDir, sweepDir, List.of(), true);
        }

        /** With the learned rankers. */
        public Options(EvalResult.Protocol protocol, List<SweepGrid.Setting> settings, double[] baselinePis,
                       List<ModelTrainer.Settings> grid, double[] easeLambdas, int threads, Path indexDir,
                       Path sweepDir, List<String> searchTasks) {
            this(protocol, settings, baselinePis, grid, easeLambdas, threads, indexDir, sweepDir, searchTasks, true);
        }

        public Options {
            for (String task : searchTasks) {
                if (!SearchQualityTasks.ALL.contains(task)) {
                    throw new IllegalArgumentException("search tasks must be among " + SearchQualityTasks.ALL
                            + ", got '" + task + "'");
                }
            }
            searchTasks = List.copyOf(searchTasks);
            if (settings.isEmpty() || baselinePis.length == 0 || grid.isEmpty() || easeLambdas.length == 0) {
                throw new IllegalArgumentException("fusion settings, baseline π values, the model grid and EASE λ "
                        + "values must each hold at least one value");
            }
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            int k = protocol.k();
            if (k < 1 || k > protocol.candidates()) {
                throw new IllegalArgumentException("k must be in 1-" + protocol.candidates() + ", got " + k);
            }
        }
    }

    /** Told as each stage starts and ends, and of its details (a grid setting's figures, a sweep's progress). */
    public interface Listener extends StageListener {
        Listener NONE = new Listener() {};
    }

    private Evaluation() {}

    /**
     * Runs every stage.
     *
     * @throws IllegalStateException when there is nothing to evaluate (no ratings, no content vectors)
     */
    public static EvalResult run(Database db, Options o, FactorEngine engine, Listener l) throws Exception {
        EvalResult.Protocol p = o.protocol();
        long t = start(l, "load", "ratings (test users left out), catalog, content vectors, index");
        Ratings all;
        EvalData.Catalog catalog;
        Set<Integer> testUsers;
        try (Connection c = db.connect()) {
            testUsers = TestUsers.ids(c);
            all = EvalData.loadRatings(c);
            catalog = EvalData.loadCatalog(c);
        }
        Ratings real = all.without(testUsers);
        if (real.size() == 0) throw new IllegalStateException("no ratings to evaluate on: run `reelrank ingest` first");
        Splits.Split parts = p.temporal() ? Splits.temporal(real, p.testFraction())
                : Splits.random(real, p.testFraction(), p.seed());
        Splits.Split validation = ModelSelection.validation(parts.train());
        ItemVectors items = ItemVectors.load(db, p.center());
        if (items.size() == 0) {
            throw new IllegalStateException("no movie has an embedding yet: run `reelrank embed --load` first");
        }
        IndexService.refreshIfStale(db, o.indexDir(), lines(l::detail));
        EvalResult.Data data = new EvalResult.Data(real.size(), users(real), testUsers.size(), all.size() - real.size(),
                parts.train().size(), parts.test().size(), validation.train().size(), validation.test().size(),
                items.size());
        l.stageDone("load", String.format(Locale.ROOT, "%,d ratings, %,d movies, %,d item vectors", all.size(),
                catalog.size(), items.size()), seconds(t));

        int[] catalogIds = catalog.movieIds();
        int[] ids = RecommendationTask.catalogOrder(catalogIds);
        ItemContent content = new ItemContent(catalogIds, items::vector, catalog.genres(), catalog.years());
        Bootstrap bootstrap = new Bootstrap(p.seed(), p.resamples());

        t = start(l, "models", o.grid().size() + " collaborative model setting(s) on validation, by two-tower "
                + "Recall@20 (ALS factors " + p.engine() + ")");
        ModelSelection.Choice choice = ModelSelection.choose(validation, content, catalogIds, items::vector,
                p.shrinkage(), o.grid(), engine, o.threads(), l::detail);
        EvalResult.ModelChoice models = new EvalResult.ModelChoice(choice.trials(), Choices.model(choice.trials()));
        l.stageDone("models", "chose " + models.chosenSettings(), seconds(t));

        EvalResult.EaseChoice ease = easeLambda(o, validation, ids, l);

        QueryGenerator queries = new QueryGenerator(catalogIds, catalog.titles(), catalog.genres(),
                QueryGenerator.DEFAULT_MAX_TITLE_DF);
        AtomicInteger unparsable = new AtomicInteger();
        try (MovieSearcher searcher = MovieSearcher.open(o.indexDir())) {
            SweepRankers rankers = new SweepRankers(q -> bm25(searcher, q, p.candidates(), unparsable), items);
            TrainingUsers valUsers = TrainingUsers.compute(validation.train(), items::vector, p.shrinkage());
            SweepRankers.Context valContext = SweepRankers.Context.of(validation.train(), valUsers,
                    choice.bestModel().model(), choice.bestModel()::user);
            EvalResult.BaselineChoice baseline;
            EvalResult.FusionChoice fusion;
            ExecutorService pool = Executors.newFixedThreadPool(o.threads());
            try {
                baseline = baseline(o, rankers, valContext, validation.test(), queries, l);
                fusion = fusion(o, rankers, valContext, validation.test(), queries, bootstrap, baseline, pool, l);
            } finally {
                pool.shutdownNow();
            }
            Learned learned = null;
            if (o.learned()) {
                learned = learned(o, validation, catalog, items, valUsers, choice.bestModel(), queries, rankers,
                        valContext, baseline, fusion, l);
            }
            rankers.forget(valContext);

            t = start(l, "train", models.chosenSettings() + " on the training split");
            ModelTrainer.Trained trained = ModelTrainer.train(ModelSelection.matrix(parts.train()), content,
                    models.chosenSettings(), engine, o.threads(), ModelTrainer.Listener.NONE);
            l.stageDone("train", String.format(Locale.ROOT, "%,d movies learned, %,d content-mapped",
                    trained.learnedItems(), trained.mappedItems()), seconds(t));

            t = start(l, "search", "BM25, " + Choices.BASELINE + ", " + Choices.PERSONALIZED
                    + (learned == null ? "" : " and " + Choices.LEARNED) + " on test");
            TrainingUsers testContent = TrainingUsers.compute(parts.train(), items::vector, p.shrinkage());
            SweepRankers.Context testContext = SweepRankers.Context.of(parts.train(), testContent, trained.model(),
                    trained::user);
            Map<String, SearchTask.Ranker> testRankers = new LinkedHashMap<>();
            testRankers.put(Choices.BM25, rankers.bm25());
            testRankers.put(Choices.BASELINE, rankers.ranker(testContext, Fusion.WEIGHTED,
                    new Weights(0, baseline.chosen().value(), 0), false));
            testRankers.put(Choices.PERSONALIZED, rankers.ranker(testContext, fusion(fusion.chosen()),
                    weights(fusion.chosen()), true));
            List<String[]> pairs = new ArrayList<>(List.of(new String[] {Choices.PERSONALIZED, Choices.BASELINE},
                    new String[] {Choices.PERSONALIZED, Choices.BM25}));
            FeatureContext testFeatures = null;
            LearnedRankers learnedRows = new LearnedRankers(rankers::candidates);
            if (learned != null) {
                // The features from the training part only, as the validation's came from its own.
                testFeatures = FeatureContext.of(parts.train(), FeatureContext.MICROS, catalog, items, testContent,
                        trained.model(), trained::user);
                // As served: a user outside the ranker's domain gets the shipped fusion, their ratings deciding.
                testRankers.put(Choices.LEARNED, learnedRows.ranker(testFeatures, learned.search().ranker(),
                        learned.search().ranker().trees(), PersonalizedSearch.ORDER, learned.search().domain(),
                        rankers.ranker(testContext, fusion(fusion.chosen()), weights(fusion.chosen()), true, true)));
                pairs.add(new String[] {Choices.LEARNED, Choices.BASELINE});
                pairs.add(new String[] {Choices.LEARNED, Choices.PERSONALIZED});
                pairs.add(new String[] {Choices.LEARNED, Choices.BM25});
            }
            SearchTask.Result test = SearchTask.run(parts.test(), queries, testRankers, p.k());
            if (testFeatures != null) learnedRows.forget(testFeatures);
            EvalResult.Search search = new EvalResult.Search(test.liked().size(), test.disliked().size(),
                    test.pairsWithoutQuery(), EvalSummary.search(test, bootstrap, pairs));
            l.stageDone("search", String.format(Locale.ROOT, "%,d liked and %,d disliked pairs; %,d distinct queries, "
                    + "%d that did not parse", search.liked(), search.disliked(), rankers.queries(), unparsable.get()),
                    seconds(t));

            t = start(l, "recommend", "popularity, content, EASE λ=" + ease.chosen() + ", two-tower"
                    + (learned == null ? "" : " and " + Choices.TWO_STAGE) + " on test");
            Ease fitted = Ease.fit(parts.train(), ease.chosen(), p.easeMinRatings());
            RecommendationTask.Scorer contentScorer = Scorers.content(ids, items::vector, testContent);
            Map<String, RecommendationTask.Scorer> systems = new LinkedHashMap<>();
            systems.put("content", contentScorer);
            systems.put("ease", fitted.scorer(parts.train(), ids));
            RecommendationTask.Scorer twoTower = Scorers.firstOf(Scorers.collaborative(ids, trained.model(),
                    trained::user), contentScorer);
            systems.put("two-tower", twoTower);
            if (learned != null) {
                systems.put(Choices.TWO_STAGE, RecommendRankerTraining.twoStage(catalogIds, twoTower, testFeatures,
                        learned.recommend().ranker(), learned.recommend().ranker().trees(),
                        RecommendRankerTraining.DEFAULT_CANDIDATES));
            }
            RecommendationTask.Result rec = RecommendationTask.run(parts, ids, systems, RecommendationTask.DEFAULT_K);
            Map<String, Bootstrap.Interval> figures = EvalSummary.recommendation(rec, bootstrap);
            figures.putAll(EvalSummary.differences(rec, bootstrap, "two-tower", "ease"));
            if (learned != null) {
                figures.putAll(EvalSummary.differences(rec, bootstrap, Choices.TWO_STAGE, "two-tower"));
                figures.putAll(EvalSummary.differences(rec, bootstrap, Choices.TWO_STAGE, "ease"));
            }
            figures.putAll(EvalSummary.rare(rec, bootstrap));
            int viaContent = rec.fallbacks()[rec.system("content")];
            EvalResult.Recommendation recommendation = new EvalResult.Recommendation(rec.userIds().length,
                    rec.usersWithoutLiked(), rec.fallbacks()[rec.system("two-tower")] - viaContent, viaContent,
                    figures);
            l.stageDone("recommend", String.format(Locale.ROOT, "%,d users; EASE modelled %,d movies",
                    recommendation.users(), fitted.size()), seconds(t));

            EvalResult.SearchQuality quality = null;
            if (!o.searchTasks().isEmpty()) {
                t = start(l, "search-quality", String.join(", ", o.searchTasks())
                        + " on test (docs/search-quality.md)");
                quality = SearchQualityStage.run(db, o.searchTasks(), parts, queries, catalog, searcher, items,
                        baseline.chosen().value(), p, bootstrap, o.threads(), o.sweepDir(), l);
                l.stageDone("search-quality", quality.tasks().size() + " task(s); shipped = " + quality.shipped(),
                        seconds(t));
            }
            return new EvalResult(p, data, models, ease, baseline, fusion, learned == null ? null : learned.result(),
                    search, recommendation, quality);
        }
    }

    /** The learned rankers fitted on validation, with what the result reports of them. */
    private record Learned(SearchRankerTraining.Result search, RecommendRankerTraining.Result recommend,
                           EvalResult.Learned result) {}

    /**
     * The learned rankers at the shipped settings, fitted on the validation split's judgments (features
     * from its training part) and measured on validation users they were not fitted on; the search
     * ranker's feature importance plotted beside the sweep.
     */
    private static Learned learned(Options o, Splits.Split validation, EvalData.Catalog catalog, ItemVectors items,
                                   TrainingUsers valUsers, ModelTrainer.Trained model, QueryGenerator queries,
                                   SweepRankers rankers, SweepRankers.Context valContext,
                                   EvalResult.BaselineChoice baseline, EvalResult.FusionChoice fusion, Listener l)
            throws IOException {
        EvalResult.Protocol p = o.protocol();
        long t = start(l, "learned", "learned rankers at " + SearchRankerTraining.DEFAULT + " (search) and "
                + RecommendRankerTraining.DEFAULT + " (recommendations), judged on validation users they were not "
                + "fitted on");
        FeatureContext ctx = FeatureContext.of(validation.train(), FeatureContext.MICROS, catalog, items, valUsers,
                model.model(), model::user);
        Weights weighted = "weighted".equals(fusion.chosen().fusion()) ? weights(fusion.chosen()) : Weights.DEFAULT;
        SearchRankerTraining.Result sr = SearchRankerTraining.run(validation, ctx, queries, rankers, valContext,
                baseline.chosen().value(), weighted, List.of(SearchRankerTraining.DEFAULT),
                PersonalizedSearch.ORDER, List.of(), p.k(), o.threads(), p.seed(), SearchJudgments.DEFAULT_CAP,
                l::detail);
        int[] ids = RecommendationTask.catalogOrder(catalog.movieIds());
        RecommendationTask.Scorer retrieval = Scorers.firstOf(Scorers.collaborative(ids, model.model(), model::user),
                Scorers.content(ids, items::vector, valUsers));
        RecommendRankerTraining.Result rr = RecommendRankerTraining.run(validation, catalog.movieIds(), retrieval,
                ctx, List.of(RecommendRankerTraining.DEFAULT), RecommendRankerTraining.DEFAULT_CANDIDATES,
                o.threads(), p.seed(), l::detail);
        Files.createDirectories(o.sweepDir());
        Path png = o.sweepDir().resolve("ltr-importance.png");
        FeatureImportance.writePng(sr.ranker(), "learned search ranker: share of total gain per feature", png);
        SearchRankerTraining.Trial c = sr.chosen();
        boolean searchServed = LearnedSelection.learnedWins(c.figures(), sr.weighted().figures());
        boolean twoStage = LearnedSelection.twoStageWins(rr.chosen().recall(), rr.retrievalRecall());
        EvalResult.Learned r = new EvalResult.Learned(
                SearchRankerTraining.FEATURES.stream().map(f -> f.key()).toList(), c.setting(),
                sr.judgments().judgments().groups(), sr.chooseUsers(), sr.choosePairs(), sr.baselineLiked(),
                sr.baselineDisliked(), c.liked(), c.disliked(), sr.weighted().liked(), sr.weighted().disliked(),
                searchServed, rr.chosen().setting(), RecommendRankerTraining.DEFAULT_CANDIDATES, rr.chosen().recall(),
                rr.retrievalRecall(), twoStage, png);
        l.stageDone("learned", String.format(Locale.ROOT, "search: liked %+.4f, disliked %+.4f against %s (weighted "
                + "%+.4f / %+.4f), %s; recommendations: Recall@20 %.4f against %.4f, %s; wrote %s", c.figures()
                .likedGain(), c.figures().dislikedGain(), Choices.BASELINE, sr.weighted().figures().likedGain(),
                sr.weighted().figures().dislikedGain(), searchServed ? "learned served" : "weighted served",
                rr.chosen().recall(), rr.retrievalRecall(), twoStage ? "two stages served" : "retrieval alone served",
                png), seconds(t));
        return new Learned(sr, rr, r);
    }

    /** EASE's λ on validation, when there is more than one to choose from. */
    private static EvalResult.EaseChoice easeLambda(Options o, Splits.Split validation, int[] ids, Listener l) {
        double[] lambdas = o.easeLambdas();
        if (lambdas.length == 1) return new EvalResult.EaseChoice(List.of(), lambdas[0]);
        long t = start(l, "ease", lambdas.length + " values of EASE's λ on validation, by Recall@20 (movies with >= "
                + o.protocol().easeMinRatings() + " training ratings)");
        List<EvalResult.EaseTrial> trials = new ArrayList<>();
        double[] recalls = new double[lambdas.length];
        for (int i = 0; i < lambdas.length; i++) {
            long ti = System.nanoTime();
            Ease e = Ease.fit(validation.train(), lambdas[i], o.protocol().easeMinRatings());
            RecommendationTask.Result r = RecommendationTask.run(validation, ids,
                    Map.of("ease", e.scorer(validation.train(), ids)), RecommendationTask.DEFAULT_K);
            recalls[i] = ModelSelection.mean(r.recall()[r.system("ease")]);
            trials.add(new EvalResult.EaseTrial(lambdas[i], recalls[i], e.size()));
            l.detail(String.format(Locale.ROOT, "λ=%s: recall@20 %.4f, %d movies (%.1f s)", lambdas[i], recalls[i],
                    e.size(), seconds(ti)));
        }
        double chosen = Choices.easeLambda(lambdas, recalls);
        l.stageDone("ease", "chose λ=" + chosen, seconds(t));
        return new EvalResult.EaseChoice(List.copyOf(trials), chosen);
    }

    /** BM25 alone and BM25 + popularity at every π, on validation; the π chosen by liked NDCG@k. */
    private static EvalResult.BaselineChoice baseline(Options o, SweepRankers rankers, SweepRankers.Context ctx,
                                                      Ratings heldOut, QueryGenerator queries, Listener l) {
        double[] pis = o.baselinePis();
        long t = start(l, "baseline", pis.length + " value(s) of π of " + Choices.BASELINE + " on validation, by "
                + "liked NDCG@" + o.protocol().k());
        Map<String, SearchTask.Ranker> rs = new LinkedHashMap<>();
        rs.put(Choices.BM25, rankers.bm25());
        for (double pi : pis) {
            rs.put(String.format(Locale.ROOT, "%s π=%.2f", Choices.BASELINE, pi), rankers.ranker(ctx, Fusion.WEIGHTED,
                    new Weights(0, pi, 0), false));
        }
        SearchTask.Result r = SearchTask.run(heldOut, queries, rs, o.protocol().k());
        List<EvalResult.BaselineRow> rows = new ArrayList<>();
        for (int i = 0; i < r.rankers().size(); i++) {
            double disliked = r.disliked().size() == 0 ? Double.NaN : ModelSelection.mean(r.disliked().ndcg()[i]);
            double liked = ModelSelection.mean(r.liked().ndcg()[i]);
            rows.add(new EvalResult.BaselineRow(r.rankers().get(i), liked, disliked));
        }
        double[] liked = rows.subList(1, rows.size()).stream().mapToDouble(EvalResult.BaselineRow::liked).toArray();
        Choices.Pick chosen = Choices.baselinePi(pis, liked);
        l.stageDone("baseline", String.format(Locale.ROOT, "chose π=%.2f (liked NDCG@%d %.4f)", chosen.value(),
                o.protocol().k(), chosen.figure()), seconds(t));
        return new EvalResult.BaselineChoice(List.copyOf(rows), chosen);
    }

    /** Every fusion setting on validation, the chosen one, and the sweep's files when there are several. */
    private static EvalResult.FusionChoice fusion(Options o, SweepRankers rankers, SweepRankers.Context ctx,
                                                  Ratings heldOut, QueryGenerator queries, Bootstrap bootstrap,
                                                  EvalResult.BaselineChoice baseline, ExecutorService pool, Listener l)
            throws IOException {
        int k = o.protocol().k();
        String liked = MetricKey.of(MetricKey.Measure.NDCG, k, MetricKey.Group.LIKED, Choices.PERSONALIZED).name();
        long t = start(l, "fusion", o.settings().size() + " fusion setting(s) on validation");
        List<SweepReport.Point> points = SweepGrid.run(o.settings(), s -> {
            Map<String, SearchTask.Ranker> rs = new LinkedHashMap<>();
            rs.put(Choices.BM25, rankers.bm25());
            rs.put(Choices.PERSONALIZED, rankers.ranker(ctx, fusion(s), weights(s), true));
            SearchTask.Result r = SearchTask.run(heldOut, queries, rs, k);
            return EvalSummary.search(r, bootstrap, List.<String[]>of(new String[] {Choices.PERSONALIZED,
                    Choices.BM25}));
        }, liked, l::detail, pool);
        SweepGrid.Setting chosen = Choices.fusion(points, baseline.chosen().figure(), k);
        Path csv = null;
        Path png = null;
        if (points.size() > 1) {
            Files.createDirectories(o.sweepDir());
            csv = o.sweepDir().resolve("sweep.csv");
            png = o.sweepDir().resolve("sweep.png");
            SweepReport.writeCsv(points, csv);
            SweepReport.writePng(points, liked, png);
        }
        l.stageDone("fusion", "chose " + chosen + (csv == null ? "" : "; wrote " + csv + " and " + png), seconds(t));
        return new EvalResult.FusionChoice(List.copyOf(points), chosen, csv, png);
    }

    private static Fusion fusion(SweepGrid.Setting s) {
        return Fusion.parse(s.fusion());
    }

    private static Weights weights(SweepGrid.Setting s) {
        return new Weights(Double.isNaN(s.alpha()) ? 0 : s.alpha(), Double.isNaN(s.popularity()) ? 0 : s.popularity(),
                Double.isNaN(s.collaborative()) ? 0 : s.collaborative());
    }

    /** A query's BM25 candidates without their popularity (the evaluation adds its own prior). */
    private static List<Candidate> bm25(MovieSearcher searcher, String query, int candidates,
                                        AtomicInteger unparsable) {
        try {
            List<Candidate> cs = searcher.candidates(query, SearchFilters.NONE, candidates);
            List<Candidate> out = new ArrayList<>(cs.size());
            for (Candidate c : cs) out.add(new Candidate(c.movieId(), c.bm25(), c.bm25Rank()));
            return out;
        } catch (QuerySyntaxException e) {
            unparsable.incrementAndGet(); // scored as an empty list for every ranker alike, and counted
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int users(Ratings r) {
        Set<Integer> u = new HashSet<>();
        for (int i = 0; i < r.size(); i++) u.add(r.userId(i));
        return u.size();
    }

    /** A writer that hands each complete line to {@code sink} (for services that report on a PrintWriter). */
    private static PrintWriter lines(Consumer<String> sink) {
        return new PrintWriter(new Writer() {
            private final StringBuilder line = new StringBuilder();

            @Override
            public void write(char[] buf, int off, int len) {
                for (int i = off; i < off + len; i++) {
                    if (buf[i] == '\n') {
                        sink.accept(line.toString());
                        line.setLength(0);
                    } else if (buf[i] != '\r') {
                        line.append(buf[i]);
                    }
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });
    }

    private static long start(Listener l, String stage, String what) {
        l.stageStarted(stage, what);
        return System.nanoTime();
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
