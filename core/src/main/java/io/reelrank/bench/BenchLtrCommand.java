package io.reelrank.bench;

import io.reelrank.cli.CliException;
import io.reelrank.cli.DbOptions;
import io.reelrank.cli.Home;
import io.reelrank.db.Database;
import io.reelrank.eval.Bootstrap;
import io.reelrank.eval.EvalData;
import io.reelrank.eval.EvalSummary;
import io.reelrank.eval.FeatureContext;
import io.reelrank.eval.FeatureImportance;
import io.reelrank.eval.LearnedRankers;
import io.reelrank.eval.ModelSelection;
import io.reelrank.eval.QueryGenerator;
import io.reelrank.eval.Ratings;
import io.reelrank.eval.RecommendRankerTraining;
import io.reelrank.eval.RecommendationTask;
import io.reelrank.eval.Scorers;
import io.reelrank.eval.SearchJudgments;
import io.reelrank.eval.SearchRankerTraining;
import io.reelrank.eval.SearchTask;
import io.reelrank.eval.Splits;
import io.reelrank.eval.SweepRankers;
import io.reelrank.eval.TrainingUsers;
import io.reelrank.index.Candidate;
import io.reelrank.index.MovieSearcher;
import io.reelrank.index.QuerySyntaxException;
import io.reelrank.index.SearchFilters;
import io.reelrank.model.ImplicitAls;
import io.reelrank.model.ItemContent;
import io.reelrank.model.ItemVectors;
import io.reelrank.model.ModelTrainer;
import io.reelrank.rank.FeatureSet;
import io.reelrank.rank.OrderRule;
import io.reelrank.rank.RankerTrainer;
import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.rerank.Weights;
import io.reelrank.service.IndexService;
import io.reelrank.user.TestUsers;
import io.reelrank.user.UserVectors;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank bench ltr}: the study behind the learned search ranker's shipped setting, on the
 * evaluation's validation split only (each user's latest 20% of their training ratings; the test
 * split is never read). It trains the collaborative model on the validation's training part, builds
 * the judgments, fits every setting of the grid on three quarters of the users and measures it on
 * the other quarter against BM25 + popularity and the weighted fusion ({@link SearchRankerTraining}),
 * then the rated-movie policies with the chosen setting. {@code --dump DIR} also writes the
 * validation features (for analysis outside reelrank).
 */
@Command(name = "ltr", mixinStandardHelpOptions = true,
        description = "The learned ranker's study on the validation split: every setting against BM25 + popularity "
                + "and the weighted fusion on held-out validation users.")
public final class BenchLtrCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--grades", paramLabel = "L/O/D", split = ",", defaultValue = "2/1/0",
            description = "Label grades liked/other/disliked to try, a list (default: ${DEFAULT-VALUE})")
    List<String> grades;

    @Option(names = "--objective", split = ",", defaultValue = "rank:ndcg",
            description = "rank:ndcg and/or rank:pairwise (default: ${DEFAULT-VALUE})")
    List<String> objectives;

    @Option(names = "--depth", split = ",", defaultValue = "6", description = "Tree depths (default: ${DEFAULT-VALUE})")
    List<Integer> depths;

    @Option(names = "--eta", split = ",", defaultValue = "0.1",
            description = "Learning rates (default: ${DEFAULT-VALUE})")
    List<Double> etas;

    @Option(names = "--trees", split = ",", defaultValue = "200",
            description = "Tree counts (default: ${DEFAULT-VALUE})")
    List<Integer> trees;

    @Option(names = "--min-child-weight", split = ",", defaultValue = "1",
            description = "Minimum child weights (default: ${DEFAULT-VALUE})")
    List<Double> minChildWeights;

    @Option(names = "--als-alpha", defaultValue = "2",
            description = "α of the collaborative model (eval's choice on validation; default: ${DEFAULT-VALUE})")
    double alsAlpha;

    @Option(names = "--threads", defaultValue = "2", description = "XGBoost threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--seed", defaultValue = "42", description = "Seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--dump", paramLabel = "DIR", description = "Also write the validation features here")
    Path dump;

    @Option(names = "--recommend",
            description = "Study the recommendation ranker (two stages) instead of the search ranker")
    boolean recommend;

    @Option(names = "--recommend-grades", paramLabel = "L/W", split = ",", defaultValue = "1/0",
            description = "With --recommend: grades liked/other watched to try (default: ${DEFAULT-VALUE})")
    List<String> recommendGrades;

    @Option(names = "--test",
            description = "The final measurement: both rankers trained with the shipped settings (or the "
            + "grids given) on validation, then the test split read once: search and recommendation tables with 95%% "
            + "bootstrap intervals and paired differences")
    boolean test;

    @Option(names = "--out-dir", paramLabel = "DIR", description = "With --test: where the feature-importance plot is "
            + "written (default: var/eval under REELRANK_HOME)")
    Path outDir;

    @Option(names = "--candidates", defaultValue = "" + RecommendRankerTraining.DEFAULT_CANDIDATES,
            description = "With --recommend: candidates from the retrieval (default: ${DEFAULT-VALUE})")
    int candidates;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<SearchRankerTraining.Setting> grid = new ArrayList<>();
        try {
            for (String g : grades) {
                String[] p = g.split("/", -1);
                if (p.length != 3) throw new IllegalArgumentException("--grades must be L/O/D, got '" + g + "'");
                SearchJudgments.Grades gr = new SearchJudgments.Grades(Float.parseFloat(p[0]), Float.parseFloat(p[1]),
                        Float.parseFloat(p[2]));
                for (String o : objectives) {
                    for (int d : depths) {
                        for (double e : etas) {
                            for (double m : minChildWeights) {
                                for (int t : trees) {
                                    grid.add(new SearchRankerTraining.Setting(gr,
                                            new RankerTrainer.Params(o, t, d, e, m, seed)));
                                }
                            }
                        }
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage());
        }
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
        Splits.Split parts = Splits.temporal(real, 0.2);
        Splits.Split validation = ModelSelection.validation(parts.train());
        ItemVectors items = ItemVectors.load(db, true);
        ItemContent content = new ItemContent(catalog.movieIds(), items::vector, catalog.genres(), catalog.years());
        ModelTrainer.Settings s = new ModelTrainer.Settings(new ImplicitAls.Params(64, alsAlpha, 0.1, 10, 3, 42), 0, 10,
                5);
        long t = System.nanoTime();
        ModelTrainer.Trained trained = ModelTrainer.train(ModelSelection.matrix(validation.train()), content, s,
                threads, ModelTrainer.Listener.NONE);
        err.printf(Locale.ROOT, "collaborative model on the validation's training part in %.1f s%n", seconds(t));
        TrainingUsers users = TrainingUsers.compute(validation.train(), items::vector, UserVectors.DEFAULT_SHRINKAGE);
        t = System.nanoTime();
        FeatureContext ctx = FeatureContext.of(validation.train(), FeatureContext.MICROS, catalog, items, users,
                trained.model(), trained::user);
        err.printf(Locale.ROOT, "feature context in %.1f s%n", seconds(t));
        List<RecommendRankerTraining.Setting> rgrid = new ArrayList<>();
        for (String g : recommendGrades) {
            {
                String[] p = g.split("/", -1);
                for (String o : objectives) {
                    for (int d : depths) {
                        for (double e : etas) {
                            for (double m : minChildWeights) {
                                for (int tr : trees) {
                                    rgrid.add(
                                            new RecommendRankerTraining.Setting(Float.parseFloat(p[0]),
                                            Float.parseFloat(p[1]),
                                            new RankerTrainer.Params(o, tr, d, e, m, seed)));
                                }
                            }
                        }
                    }
                }
            }
        }
        if (test) {
            // The shipped settings of both rankers: what `train` and `eval` use.
            return test(List.of(SearchRankerTraining.DEFAULT), List.of(RecommendRankerTraining.DEFAULT), parts,
                    validation, catalog, items, content, s, trained, users, ctx, out, err);
        }
        if (recommend) {
            int[] ids = RecommendationTask.catalogOrder(catalog.movieIds());
            RecommendationTask.Scorer twoTower = Scorers.firstOf(
                    Scorers.collaborative(ids, trained.model(), trained::user),
                    Scorers.content(ids, items::vector, users));
            RecommendRankerTraining.Result r = RecommendRankerTraining.run(validation, catalog.movieIds(), twoTower,
                    ctx,
                    rgrid, candidates, threads, seed, line -> {
                        err.println("  " + line);
                        err.flush();
                    });
            out.printf(Locale.ROOT,
                    "recommendation ranker on validation: %d candidates per user; %,d groups, cross-fitted in "
                    + "four quarters of the users, measured on %,d users: Recall@20 / NDCG@20%n", candidates,
                    r.groups(),
                    r.chooseUsers());
            out.printf(Locale.ROOT, "  %-86s recall@20 %.4f  ndcg@20 %.4f%n", "two-tower retrieval alone",
                    r.retrievalRecall(),
                    r.retrievalNdcg());
            for (RecommendRankerTraining.Trial tr : r.trials()) {
                out.printf(Locale.ROOT, "%s %-86s recall@20 %.4f  ndcg@20 %.4f%n", tr == r.chosen() ? "*" : " ",
                        tr.setting(),
                        tr.recall(), tr.ndcg());
            }
            out.flush();
            return 0;
        }
        QueryGenerator queries = new QueryGenerator(catalog.movieIds(), catalog.titles(), catalog.genres(),
                QueryGenerator.DEFAULT_MAX_TITLE_DF);
        try (MovieSearcher searcher = MovieSearcher.open(IndexService.ensure(Home.indexDir(), dbOptions::open, err))) {
            SweepRankers rankers = new SweepRankers(q -> candidates(searcher, q), items);
            SweepRankers.Context fusion = SweepRankers.Context.of(validation.train(), users, trained.model(),
                    trained::user);
            if (dump != null) dump(validation.test(), queries, rankers, ctx, err);
            SearchRankerTraining.Result r = SearchRankerTraining.run(validation, ctx, queries, rankers, fusion, 0.7,
                    Weights.DEFAULT, grid, PersonalizedSearch.ORDER, OrderRule.study(), 10, threads, seed,
                    SearchJudgments.DEFAULT_CAP,
                            line -> {
                        err.println("  " + line);
                        err.flush();
                    });
            out.printf(Locale.ROOT,
                    "learned search ranker on validation: fitted on %,d groups (3/4 of the users), measured on "
                    + "the other %,d users' %,d pairs; NDCG@10, differences against BM25 + popularity π=0.70 (liked "
                    + "%.4f, "
                    + "disliked %.4f)%n", r.fitGroups(), r.chooseUsers(), r.choosePairs(), r.baselineLiked(),
                    r.baselineDisliked());
            out.printf(Locale.ROOT, "  %-86s liked %.4f (%+.4f)  disliked %.4f (%+.4f)%n", "weighted "
                    + Weights.DEFAULT,
                    r.weighted().liked(), r.weighted().figures().likedGain(), r.weighted().disliked(),
                    r.weighted().figures().dislikedGain());
            for (SearchRankerTraining.Trial tr : r.trials()) {
                out.printf(Locale.ROOT, "%s %-86s liked %.4f (%+.4f)  disliked %.4f (%+.4f)%n", tr == r.chosen() ? "*"
                        : " ",
                        tr.setting(), tr.liked(), tr.figures().likedGain(), tr.disliked(), tr.figures().dislikedGain());
            }
            out.println("order rules: rated movies and the content term (the chosen setting):");
            for (var e : r.rules().entrySet()) {
                out.printf(Locale.ROOT, "  %-18s liked %.4f (%+.4f)  disliked %.4f (%+.4f)%n", e.getKey(),
                        e.getValue().liked(),
                        e.getValue().figures().likedGain(), e.getValue().disliked(),
                        e.getValue().figures().dislikedGain());
            }
        }
        out.flush();
        return 0;
    }

    /**
     * The evaluation's protocol for the learned rankers, end to end: every choice on validation (the
     * baseline's π by liked NDCG@10 over 0, 0.1, …, 1; the rankers' settings on held-out validation
     * users), the rankers fitted on all validation judgments, then the models trained again on the
     * whole training split and the test split measured once.
     */
    private int test(List<SearchRankerTraining.Setting> grid, List<RecommendRankerTraining.Setting> rgrid,
                     Splits.Split parts, Splits.Split validation, EvalData.Catalog catalog, ItemVectors items,
                     ItemContent content, ModelTrainer.Settings s, ModelTrainer.Trained valModel,
                     TrainingUsers valUsers,
                     FeatureContext valCtx, PrintWriter out, PrintWriter err) throws Exception {
        Bootstrap bootstrap = new Bootstrap(seed, Bootstrap.DEFAULT_RESAMPLES);
        QueryGenerator queries = new QueryGenerator(catalog.movieIds(), catalog.titles(), catalog.genres(),
                QueryGenerator.DEFAULT_MAX_TITLE_DF);
        java.util.function.Consumer<String> progress = line -> {
            err.println("  " + line);
            err.flush();
        };
        try (MovieSearcher searcher = MovieSearcher.open(IndexService.ensure(Home.indexDir(), dbOptions::open, err))) {
            SweepRankers rankers = new SweepRankers(q -> candidates(searcher, q), items);
            SweepRankers.Context valFusion = SweepRankers.Context.of(validation.train(), valUsers, valModel.model(),
                    valModel::user);
            // The baseline's π on validation, as eval chooses it.
            java.util.Map<String, SearchTask.Ranker> base = new java.util.LinkedHashMap<>();
            for (int i = 0; i <= 10; i++) {
                base.put("π " + i, rankers.ranker(valFusion, Fusion.WEIGHTED, new Weights(0, i / 10.0, 0), false));
            }
            SearchTask.Result br = SearchTask.run(validation.test(), queries, base, 10);
            int bestPi = 0;
            for (int i = 1; i <= 10; i++) {
                if (ModelSelection.mean(br.liked().ndcg()[i]) > ModelSelection.mean(
                        br.liked().ndcg()[bestPi])) bestPi = i;
            }
            double pi = bestPi / 10.0;
            out.printf(Locale.ROOT, "baseline BM25 + popularity: π=%.2f chosen on validation (liked NDCG@10 %.4f)%n",
                    pi,
                    ModelSelection.mean(br.liked().ndcg()[bestPi]));
            SearchRankerTraining.Result sr = SearchRankerTraining.run(validation, valCtx, queries, rankers, valFusion,
                    pi,
                    Weights.DEFAULT, grid, PersonalizedSearch.ORDER, OrderRule.study(), 10, threads, seed,
                    SearchJudgments.DEFAULT_CAP,
                            progress);
            out.printf(Locale.ROOT, "search ranker chosen on validation: %s (held-out validation users: liked %+.4f, "
                    + "disliked %+.4f against the baseline; weighted %+.4f / %+.4f); %,d judgments%n",
                    sr.chosen().setting(), sr.chosen().figures().likedGain(), sr.chosen().figures().dislikedGain(),
                    sr.weighted().figures().likedGain(), sr.weighted().figures().dislikedGain(),
                    sr.judgments().judgments().groups());
            int[] ids = RecommendationTask.catalogOrder(catalog.movieIds());
            RecommendationTask.Scorer valRetrieval = Scorers.firstOf(Scorers.collaborative(ids, valModel.model(),
                    valModel::user), Scorers.content(ids, items::vector, valUsers));
            RecommendRankerTraining.Result rr = RecommendRankerTraining.run(validation, catalog.movieIds(),
                    valRetrieval,
                    valCtx, rgrid.isEmpty() ? List.of(RecommendRankerTraining.DEFAULT) : rgrid, candidates, threads,
                    seed,
                    progress);
            out.printf(Locale.ROOT,
                    "recommendation ranker chosen on validation: %s (cross-fitted Recall@20 %.4f against "
                    + "%.4f for the retrieval alone)%n", rr.chosen().setting(), rr.chosen().recall(),
                    rr.retrievalRecall());
            out.print("search ranker features by total gain:");
            for (FeatureImportance.Share sh : FeatureImportance.of(sr.ranker())) {
                out.printf(Locale.ROOT, " %s %.3f", sh.feature().key(), sh.share());
            }
            out.println();
            Path dir = outDir != null ? outDir : Home.var().resolve("eval");
            FeatureImportance.writePng(sr.ranker(), "learned search ranker: share of total gain per feature",
                    dir.resolve("ltr-importance.png"));
            out.printf(Locale.ROOT, "wrote %s%n", dir.resolve("ltr-importance.png"));
            out.flush();

            // The test split, read once: models trained again on the whole training split.
            long t = System.nanoTime();
            ModelTrainer.Trained trained = ModelTrainer.train(ModelSelection.matrix(parts.train()), content, s, threads,
                    ModelTrainer.Listener.NONE);
            TrainingUsers users = TrainingUsers.compute(parts.train(), items::vector, UserVectors.DEFAULT_SHRINKAGE);
            FeatureContext ctx = FeatureContext.of(parts.train(), FeatureContext.MICROS, catalog, items, users,
                    trained.model(), trained::user);
            SweepRankers.Context fusion = SweepRankers.Context.of(parts.train(), users, trained.model(), trained::user);
            err.printf(Locale.ROOT, "models on the training split in %.1f s%n", seconds(t));
            LearnedRankers learned = new LearnedRankers(rankers::candidates);
            java.util.Map<String, SearchTask.Ranker> rows = new java.util.LinkedHashMap<>();
            rows.put("bm25", rankers.bm25());
            rows.put("bm25+popularity", rankers.ranker(fusion, Fusion.WEIGHTED, new Weights(0, pi, 0), false));
            rows.put("weighted", rankers.ranker(fusion, Fusion.WEIGHTED, Weights.DEFAULT, true));
            rows.put("learned", learned.ranker(ctx, sr.ranker(), sr.ranker().trees(), PersonalizedSearch.ORDER));
            SearchTask.Result st = SearchTask.run(parts.test(), queries, rows, 10);
            out.printf(Locale.ROOT,
                    "%nsearch task on test: %,d liked and %,d disliked (held-out rating, query) pairs; NDCG@10, "
                    + "Recall@10, MRR with 95%% bootstrap intervals (seed %d, %d resamples)%n", st.liked().size(),
                    st.disliked().size(), bootstrap.seed(), bootstrap.resamples());
            out.print(
                    EvalSummary.table(
                    EvalSummary.search(st, bootstrap, List.of(new String[] {"learned", "bm25+popularity"},
                    new String[] {"weighted", "bm25+popularity"}, new String[] {"learned", "weighted"},
                    new String[] {"learned", "bm25"}))));
            out.flush();
            RecommendationTask.Scorer retrieval = Scorers.firstOf(
                    Scorers.collaborative(ids, trained.model(), trained::user),
                    Scorers.content(ids, items::vector, users));
            java.util.Map<String, RecommendationTask.Scorer> systems = new java.util.LinkedHashMap<>();
            systems.put("two-tower", retrieval);
            systems.put("two-stage", RecommendRankerTraining.twoStage(catalog.movieIds(), retrieval, ctx, rr.ranker(),
                    rr.ranker().trees(), candidates));
            RecommendationTask.Result rec = RecommendationTask.run(parts, ids, systems, RecommendationTask.DEFAULT_K);
            java.util.Map<String, Bootstrap.Interval> table = EvalSummary.recommendation(rec, bootstrap);
            table.putAll(EvalSummary.differences(rec, bootstrap, "two-stage", "two-tower"));
            out.printf(Locale.ROOT,
                    "%nrecommendation task on test: %,d users; two-stage: the two-tower top %d reordered by the "
                    + "learned ranker%n", rec.userIds().length, candidates);
            out.print(EvalSummary.table(table));
        }
        out.flush();
        return 0;
    }

    private static List<Candidate> candidates(MovieSearcher searcher, String q) {
        try {
            List<Candidate> cs = searcher.candidates(q, SearchFilters.NONE, 100);
            List<Candidate> out = new ArrayList<>(cs.size());
            for (Candidate c : cs) out.add(new Candidate(c.movieId(), c.bm25(), c.bm25Rank()));
            return out;
        } catch (QuerySyntaxException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void dump(Ratings held, QueryGenerator queries, SweepRankers rankers, FeatureContext ctx, PrintWriter err)
            throws IOException {
        Files.createDirectories(dump);
        Files.write(dump.resolve("features.txt"), FeatureSet.ALL.stream().map(f -> f.key()).toList());
        long t = System.nanoTime();
        try (PrintWriter groups = new PrintWriter(Files.newBufferedWriter(dump.resolve("groups.csv")));
             DataOutputStream x = new DataOutputStream(
                     new BufferedOutputStream(Files.newOutputStream(dump.resolve("X.f32")),
                     1 << 20));
             DataOutputStream ids = new DataOutputStream(new BufferedOutputStream(
                     Files.newOutputStream(dump.resolve("ids.i32")), 1 << 16))) {
            groups.println("gid,user,movie,rating,kind,n,offset,target");
            long offset = 0;
            int gid = 0;
            for (int i = 0; i < held.size(); i++) {
                int user = held.userId(i);
                int movie = held.movieId(i);
                List<String> qs = new ArrayList<>(2);
                queries.titleQuery(movie).ifPresent(qs::add);
                queries.genreQuery(movie).ifPresent(qs::add);
                for (String q : qs) {
                    List<Candidate> cs = rankers.candidates(q);
                    int target = -1;
                    for (int j = 0; j < cs.size(); j++) if (cs.get(j).movieId() == movie) target = j;
                    float[] f = ctx.features(q, user, cs);
                    ByteBuffer bb = ByteBuffer.allocate(4 * f.length).order(ByteOrder.LITTLE_ENDIAN);
                    for (float v : f) bb.putFloat(v);
                    x.write(bb.array());
                    ByteBuffer ib = ByteBuffer.allocate(4 * cs.size()).order(ByteOrder.LITTLE_ENDIAN);
                    for (Candidate c : cs) ib.putInt(c.movieId());
                    ids.write(ib.array());
                    groups.printf(Locale.ROOT, "%d,%d,%d,%.1f,%s,%d,%d,%d%n", gid++, user, movie, held.rating(i),
                            q.startsWith("genres:") ? "genre" : "title", cs.size(), offset, target);
                    offset += cs.size();
                }
            }
            err.printf(Locale.ROOT, "dumped %d groups, %d rows in %.1f s%n", gid, offset, seconds(t));
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
