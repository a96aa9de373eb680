package io.reelrank.bench;

import io.reelrank.cli.CliException;
import io.reelrank.cli.DbOptions;
import io.reelrank.cli.Home;
import io.reelrank.db.Database;
import io.reelrank.embed.BundledModel;
import io.reelrank.embed.MovieText;
import io.reelrank.embed.OnnxEncoder;
import io.reelrank.embed.QueryEncoder;
import io.reelrank.eval.Bootstrap;
import io.reelrank.eval.DescriptiveCorpus;
import io.reelrank.eval.DescriptiveTask;
import io.reelrank.eval.EvalData;
import io.reelrank.eval.ExactTask;
import io.reelrank.eval.JudgedQueries;
import io.reelrank.eval.ModelSelection;
import io.reelrank.eval.QueryGenerator;
import io.reelrank.eval.Ratings;
import io.reelrank.eval.SearchQualityRankers;
import io.reelrank.eval.SearchQualityTasks;
import io.reelrank.eval.SearchTask;
import io.reelrank.eval.Splits;
import io.reelrank.eval.SweepRankers;
import io.reelrank.eval.TypoTask;
import io.reelrank.index.MovieRecord;
import io.reelrank.index.MovieSearcher;
import io.reelrank.index.TypoTolerance;
import io.reelrank.model.ItemVectors;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.rerank.Retrieval;
import io.reelrank.rerank.RetrievalSettings;
import io.reelrank.rerank.Retriever;
import io.reelrank.service.IndexService;
import io.reelrank.user.TestUsers;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank bench search-quality}: the study behind the search defaults of
 * docs/search-quality.md. It forms the evaluation's splits (each user's latest 20% of ratings held
 * out, then the latest 20% of the training part for validation) and the three search-quality tasks
 * ({@link TypoTask}, {@link ExactTask}, {@link DescriptiveTask}), and measures the anonymous
 * search's settings on them. {@code --split validation} (default) prints the grids every default was
 * chosen from; {@code --split test} measures the shipped settings once on the test split, with 95%
 * bootstrap intervals and paired differences. The descriptive task's index and movie vectors are
 * built without the held-out taggers' tags ({@link DescriptiveCorpus}) under {@code var/eval}.
 * Nothing is written to the database; standard output depends only on the data and the options.
 */
@Command(name = "search-quality", mixinStandardHelpOptions = true,
        description = {"The typo, exact and descriptive search tasks: the grids behind the search defaults "
                + "(validation) or the shipped settings measured once (test).", "See docs/search-quality.md."})
public final class BenchSearchQualityCommand implements Callable<Integer> {

    static final String BM25 = SearchQualityTasks.BM25;
    static final String BASELINE = SearchQualityTasks.BASELINE;
    static final String SHIPPED = SearchQualityTasks.SHIPPED;

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "validation",
            description = "validation: the grids the defaults were chosen from; test: the shipped settings, once "
                    + "(default: ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--tasks", paramLabel = "LIST", split = ",", defaultValue = "typo,exact,descriptive",
            description = "Tasks to run: typo, exact, descriptive (default: ${DEFAULT-VALUE})")
    List<String> tasks;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
            description = "Seed of the typos, the held-out taggers, the query halves and the bootstrap (default: "
                    + "${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--resamples", paramLabel = "B", defaultValue = "1000",
            description = "Bootstrap resamples, 100-100000 (default: ${DEFAULT-VALUE})")
    int resamples;

    @Option(names = "--share", paramLabel = "F", defaultValue = "" + DescriptiveTask.DEFAULT_SHARE,
            description = "Share of taggers held out for the descriptive task, in (0,1) (default: ${DEFAULT-VALUE})")
    double share;

    @Option(names = "--pi", paramLabel = "P",
            description = "π of the popularity prior (default: the anonymous search's, " + "chosen on validation)")
    Double pi;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads running queries, 1-64 (default: the number of cores)")
    Integer threads;

    private PrintWriter out;
    private PrintWriter err;
    private Bootstrap bootstrap;
    private int nThreads;

    @Override
    public Integer call() throws Exception {
        boolean test = switch (split) {
            case "validation" -> false;
            case "test" -> true;
            default -> throw CliException.badInput("--split must be validation or test, got '" + split + "'");
        };
        for (String t : tasks) {
            if (!Set.of("typo", "exact", "descriptive").contains(t)) {
                throw CliException.badInput("--tasks must be a list of typo, exact, descriptive, got '" + t + "'");
            }
        }
        if (resamples < 100 || resamples > 100_000) throw CliException.badInput("--resamples must be in 100-100000, "
                + "got " + resamples);
        if (!(share > 0 && share < 1)) throw CliException.badInput("--share must be in (0,1), got " + share);
        if (pi != null && !(pi >= 0 && pi <= 1)) throw CliException.badInput("--pi must be in 0-1, got " + pi);
        nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (nThreads < 1 || nThreads > 64) throw CliException.badInput("--threads must be in 1-64, got " + nThreads);
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        bootstrap = new Bootstrap(seed, resamples);
        double prior = pi != null ? pi : PersonalizedSearch.ANONYMOUS_WEIGHTS.popularity();
        long t0 = System.nanoTime();
        Database db = dbOptions.open();
        Ratings all;
        EvalData.Catalog catalog;
        Set<Integer> testUsers;
        List<DescriptiveTask.Tag> tags;
        Map<Integer, String> texts = new HashMap<>();
        try (Connection c = db.connect()) {
            testUsers = TestUsers.ids(c);
            all = EvalData.loadRatings(c);
            catalog = EvalData.loadCatalog(c);
            tags = EvalData.loadTags(c);
            for (MovieText.Movie m : MovieText.loadAll(c)) texts.put(m.movieId(), m.text());
        }
        Ratings real = all.without(testUsers);
        if (real.size() == 0) throw new CliException(1, "no ratings to evaluate on: run `reelrank ingest` first");
        Splits.Split parts = Splits.temporal(real, 0.2);
        Splits.Split validation = ModelSelection.validation(parts.train());
        Ratings heldOut = test ? parts.test() : validation.test();
        int[] popularity = SweepRankers.popularity(test ? parts.train() : validation.train());
        IndexService.refreshIfStale(db, Home.indexDir(), err);
        ItemVectors items = ItemVectors.load(db, true);
        if (items.size() == 0) throw new CliException(1,
                "no movie has an embedding yet: run `reelrank embed --load` first");
        QueryGenerator generator = new QueryGenerator(catalog.movieIds(), catalog.titles(), catalog.genres(),
                QueryGenerator.DEFAULT_MAX_TITLE_DF);
        out.printf(Locale.ROOT, "search quality on the %s split: temporal split (test fraction 0.2), validation = the "
                + "latest 20%% of each user's training ratings; %,d held-out ratings; popularity n = training "
                + "ratings; π = %.2f; query model %s; bootstrap seed %d, %d resamples%n", test ? "test" : "validation",
                heldOut.size(), prior, BundledModel.DEFAULT.modelName(), seed, resamples);
        out.flush();
        try (QueryEncoder encoder = QueryEncoder.bundled();
             MovieSearcher searcher = MovieSearcher.open(Home.indexDir())) {
            Retriever retriever = new Retriever(searcher, () -> items, encoder);
            SearchQualityRankers rankers = new SearchQualityRankers(retriever, PersonalizedSearch.DEFAULT_CANDIDATES);
            if (tasks.contains("exact")) exact(rankers, heldOut, generator, popularity, prior, test);
            if (tasks.contains("typo")) typo(rankers, heldOut, generator, popularity, prior, test);
            if (tasks.contains("descriptive")) {
                descriptive(db, searcher, items, encoder, catalog, tags, texts, prior, test);
            }
            out.printf(Locale.ROOT, "%nquery model: %d runs, mean %.2f ms each; %d answered from the cache%n",
                    encoder.misses(), encoder.meanEncodeMillis(), encoder.hits());
        }
        err.printf(Locale.ROOT, "search-quality: done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        out.flush();
        err.flush();
        return 0;
    }

    // ---- exact ------------------------------------------------------------------------------

    private void exact(SearchQualityRankers rankers, Ratings heldOut, QueryGenerator generator, int[] popularity,
                       double prior, boolean test) {
        List<JudgedQueries.Query> qs = ExactTask.queries(heldOut, generator);
        RetrievalSettings plain = RetrievalSettings.PLAIN_BM25;
        RetrievalSettings shipped = RetrievalSettings.DEFAULT;
        Map<String, SearchTask.Ranker> rs = new LinkedHashMap<>();
        rs.put(BM25, rankers.retrieval(plain));
        if (!test) {
            for (int i = 0; i <= 10; i++) {
                rs.put(String.format(Locale.ROOT, "%s π=%.1f", BASELINE, i / 10.0),
                        rankers.prior(plain, i / 10.0, popularity));
            }
            rs.put("hybrid+popularity (every plain query)",
                    rankers.prior(shipped.withRetrieval(Retrieval.HYBRID), prior, popularity));
            for (RetrievalSettings.AutoRule rule : RetrievalSettings.AutoRule.values()) {
                rs.put("auto (" + rule.name().toLowerCase(Locale.ROOT) + ") + typo tolerance + popularity",
                        rankers.prior(shipped.withAutoRule(rule), prior, popularity));
            }
            long t = System.nanoTime();
            JudgedQueries.Values v = ExactTask.run(heldOut, generator, rs, 10, nThreads);
            err.printf(Locale.ROOT, "exact task on validation: %,d queries in %.1f s%n", qs.size(),
                    (System.nanoTime() - t) / 1e9);
            out.printf(Locale.ROOT, "%nexact task (validation): today's title and genre queries, %,d liked and %,d "
                    + "disliked; NDCG@10 (the baseline's π: the best liked)%n", SearchQualityTasks.count(qs, true),
                    SearchQualityTasks.count(qs, false));
            for (int r = 0; r < v.rankers().size(); r++) {
                out.printf(Locale.ROOT, "  %-62s liked %.4f  disliked %.4f%n", v.rankers().get(r),
                        mean(v.select(v.ndcg()[r], true)), mean(v.select(v.ndcg()[r], false)));
            }
            List<String[]> diffs = new ArrayList<>();
            String base = String.format(Locale.ROOT, "%s π=%.1f", BASELINE, prior);
            for (int r = 12; r < v.rankers().size(); r++) diffs.add(new String[] {v.rankers().get(r), base});
            if (v.rankers().contains(base)) table(v, true, diffs);
            out.flush();
            return;
        }
        rs.put(BASELINE, rankers.prior(plain, prior, popularity));
        rs.put("shipped without typo tolerance",
                rankers.prior(shipped.withTypos(TypoTolerance.OFF), prior, popularity));
        rs.put(SHIPPED, rankers.prior(shipped, prior, popularity));
        rs.put("hybrid+popularity", rankers.prior(shipped.withRetrieval(Retrieval.HYBRID), prior, popularity));
        JudgedQueries.Values v = ExactTask.run(heldOut, generator, rs, 10, nThreads);
        out.printf(Locale.ROOT, "%nexact task (test): today's title and genre queries, %,d liked and %,d disliked; "
                + "shipped = %s, π %.2f%n",
                SearchQualityTasks.count(qs, true), SearchQualityTasks.count(qs, false), shipped, prior);
        table(v, true, List.of(new String[] {BASELINE, BM25}, new String[] {SHIPPED, "shipped without typo tolerance"},
                new String[] {SHIPPED, BASELINE}, new String[] {"hybrid+popularity", BASELINE}));
        table(v, false, List.of(new String[] {BASELINE, BM25},
                new String[] {SHIPPED, "shipped without typo tolerance"}));
    }

    // ---- typo -------------------------------------------------------------------------------

    private void typo(SearchQualityRankers rankers, Ratings heldOut, QueryGenerator generator, int[] popularity,
                      double prior, boolean test) {
        List<JudgedQueries.Query> qs = TypoTask.queries(heldOut, generator, seed);
        RetrievalSettings plain = RetrievalSettings.PLAIN_BM25;
        RetrievalSettings shipped = RetrievalSettings.DEFAULT;
        if (!test) {
            out.printf(Locale.ROOT, "%ntypo task (validation): %,d liked title words of >= %d letters, one typo each "
                    + "(seed %d); NDCG@10, BM25 retrieval with each tolerance, then the prior%n", qs.size(),
                    TypoTask.MIN_WORD_LENGTH, seed);
            Map<String, SearchTask.Ranker> base = new LinkedHashMap<>();
            base.put(BM25, rankers.retrieval(plain));
            base.put(BASELINE, rankers.prior(plain, prior, popularity));
            JudgedQueries.Values b = JudgedQueries.run(qs, base, 10, nThreads);
            out.printf(Locale.ROOT, "  %-62s %-8s %s%n", "tolerance", "bm25", "bm25+popularity");
            out.printf(Locale.ROOT, "  %-62s %.4f   %.4f%n", "off", mean(b.ndcg()[0]), mean(b.ndcg()[1]));
            List<TypoTolerance> grid = new ArrayList<>();
            for (TypoTolerance.Edits e : TypoTolerance.Edits.values()) {
                for (int p = 0; p <= 2; p++) grid.add(TypoTolerance.DEFAULT.with(0, e, p, 50, 1f));
            }
            for (int x : new int[] {5, 10, 20}) grid.add(TypoTolerance.DEFAULT.with(0, TypoTolerance.DEFAULT.edits(),
                    TypoTolerance.DEFAULT.prefixLength(), x, TypoTolerance.DEFAULT.weight()));
            for (float w : new float[] {0.5f, 0.8f}) grid.add(TypoTolerance.DEFAULT.with(0,
                    TypoTolerance.DEFAULT.edits(),
                    TypoTolerance.DEFAULT.prefixLength(), TypoTolerance.DEFAULT.maxExpansions(), w));
            for (float w : new float[] {0.5f, 0.8f, 1f}) {
                grid.add(TypoTolerance.DEFAULT.with(1, TypoTolerance.DEFAULT.edits(),
                        TypoTolerance.DEFAULT.prefixLength(), TypoTolerance.DEFAULT.maxExpansions(), w));
                grid.add(TypoTolerance.DEFAULT.with(2, TypoTolerance.DEFAULT.edits(),
                        TypoTolerance.DEFAULT.prefixLength(), TypoTolerance.DEFAULT.maxExpansions(), w));
            }
            grid.add(TypoTolerance.DEFAULT);
            for (TypoTolerance t : grid) {
                RetrievalSettings s = plain.withTypos(t);
                Map<String, SearchTask.Ranker> rs = new LinkedHashMap<>();
                rs.put(BM25, rankers.retrieval(s));
                rs.put(BASELINE, rankers.prior(s, prior, popularity));
                long t0 = System.nanoTime();
                JudgedQueries.Values v = JudgedQueries.run(qs, rs, 10, nThreads);
                out.printf(Locale.ROOT, "  %-62s %.4f   %.4f%s%n", t, mean(v.ndcg()[0]), mean(v.ndcg()[1]),
                        t.equals(TypoTolerance.DEFAULT) ? "   (shipped)" : "");
                out.flush();
                err.printf(Locale.ROOT, "  %s in %.1f s%n", t, (System.nanoTime() - t0) / 1e9);
                rankers.forget();
            }
            Map<String, SearchTask.Ranker> rs = new LinkedHashMap<>();
            rs.put("shipped (auto retrieval)", rankers.prior(shipped, prior, popularity));
            rs.put("hybrid+popularity (every plain query)",
                    rankers.prior(shipped.withRetrieval(Retrieval.HYBRID), prior, popularity));
            JudgedQueries.Values v = JudgedQueries.run(qs, rs, 10, nThreads);
            for (int r = 0; r < v.rankers().size(); r++) {
                out.printf(Locale.ROOT, "  %-62s          %.4f%n", v.rankers().get(r), mean(v.ndcg()[r]));
            }
            out.flush();
            return;
        }
        Map<String, SearchTask.Ranker> rs = new LinkedHashMap<>();
        rs.put(BM25, rankers.retrieval(plain));
        rs.put(BASELINE, rankers.prior(plain, prior, popularity));
        rs.put(SHIPPED, rankers.prior(shipped, prior, popularity));
        JudgedQueries.Values v = JudgedQueries.run(qs, rs, 10, nThreads);
        out.printf(Locale.ROOT, "%ntypo task (test): %,d liked title words of >= %d letters, one typo each (seed %d); "
                + "shipped = %s%n",
                qs.size(), TypoTask.MIN_WORD_LENGTH, seed, shipped);
        table(v, true, List.of(new String[] {SHIPPED, BASELINE}, new String[] {SHIPPED, BM25}));
    }

    // ---- descriptive ------------------------------------------------------------------------

    private void descriptive(Database db, MovieSearcher production, ItemVectors items, QueryEncoder encoder,
                             EvalData.Catalog catalog, List<DescriptiveTask.Tag> tags, Map<Integer, String> texts,
                             double prior, boolean test) throws Exception {
        Map<Integer, String> titles = new HashMap<>();
        for (int i = 0; i < catalog.size(); i++) titles.put(catalog.movieIds()[i], catalog.titles()[i]);
        DescriptiveTask.Data data = DescriptiveTask.build(tags, titles, share, seed);
        List<JudgedQueries.Query> qs = test ? data.test() : data.validation();
        long t0 = System.nanoTime();
        List<MovieRecord> movies = production.allMovies();
        Path dir = Home.var().resolve("eval").resolve("descriptive-index");
        DescriptiveCorpus.Corpus corpus;
        try (OnnxEncoder model = OnnxEncoder.bundled(BundledModel.DEFAULT, OnnxEncoder.Settings.defaults())) {
            corpus = DescriptiveCorpus.build(movies, data.kept(), texts, ItemVectors.load(db, false), model, dir);
        }
        err.printf(Locale.ROOT, "descriptive corpus: index and %d re-embedded movie texts in %.1f s%n",
                corpus.changedTexts(), (System.nanoTime() - t0) / 1e9);
        int[] popularity = new int[1];
        for (MovieRecord m : movies) popularity = java.util.Arrays.copyOf(popularity,
                Math.max(popularity.length, m.movieId() + 1));
        for (MovieRecord m : movies) popularity[m.movieId()] = m.ratingCount();
        out.printf(Locale.ROOT, "%ndescriptive task (%s): %d of %d taggers held out (seed %d, share %.2f), %,d of "
                + "their tag rows; %,d queries (distinct tags; %d rows left out for sharing a title word), %,d "
                + "relevant movies; index and vectors from the other taggers' %,d tag rows (%d movie texts "
                + "re-embedded, model agreement %.4f); popularity n = the movie's ratings%n", test ? "test half"
                : "validation half",
                data.heldOutTaggers().size(), data.taggers(), seed, share, data.heldOutRows(), qs.size(),
                data.pairsWithTitleWords(), relevantCount(qs), data.kept().size(), corpus.changedTexts(),
                corpus.agreement());
        try (MovieSearcher searcher = MovieSearcher.open(corpus.indexDir())) {
            Retriever retriever = new Retriever(searcher, corpus::vectors, encoder);
            SearchQualityRankers rankers = new SearchQualityRankers(retriever, PersonalizedSearch.DEFAULT_CANDIDATES);
            RetrievalSettings shipped = RetrievalSettings.DEFAULT;
            RetrievalSettings bm25 = RetrievalSettings.PLAIN_BM25;
            RetrievalSettings semantic = shipped.withRetrieval(Retrieval.SEMANTIC);
            RetrievalSettings hybrid = shipped.withRetrieval(Retrieval.HYBRID);
            if (!test) {
                descriptiveGrid(rankers, qs, popularity, prior, shipped);
                return;
            }
            Map<String, SearchTask.Ranker> rs = new LinkedHashMap<>();
            rs.put(BM25, rankers.retrieval(bm25));
            rs.put(BASELINE, rankers.prior(bm25, prior, popularity));
            rs.put("semantic", rankers.retrieval(semantic));
            rs.put("semantic+popularity", rankers.prior(semantic, prior, popularity));
            rs.put("hybrid", rankers.retrieval(hybrid));
            rs.put("hybrid+popularity", rankers.prior(hybrid, prior, popularity));
            rs.put(SHIPPED, rankers.prior(shipped, prior, popularity));
            JudgedQueries.Values v = DescriptiveTask.run(qs, rs, 10, nThreads);
            out.printf(Locale.ROOT, "shipped = %s, π %.2f; auto chose hybrid for %d of %d queries%n", shipped, prior,
                    hybridCount(rankers, shipped, qs), qs.size());
            table(v, true, List.of(new String[] {"hybrid", BM25}, new String[] {"hybrid+popularity", BASELINE},
                    new String[] {SHIPPED, BASELINE}, new String[] {"semantic", BM25}, new String[] {SHIPPED, BM25}));
        }
    }

    private void descriptiveGrid(SearchQualityRankers rankers, List<JudgedQueries.Query> qs, int[] popularity,
            double prior, RetrievalSettings shipped) {
        RetrievalSettings bm25 = RetrievalSettings.PLAIN_BM25;
        out.printf(Locale.ROOT, "  %-70s %-8s %-8s %s%n", "setting", "ndcg@10", "+prior", "recall@10 (+prior)");
        Map<String, SearchTask.Ranker> base = new LinkedHashMap<>();
        base.put(BM25, rankers.retrieval(bm25));
        base.put(BASELINE, rankers.prior(bm25, prior, popularity));
        JudgedQueries.Values b = JudgedQueries.run(qs, base, 10, nThreads);
        out.printf(Locale.ROOT, "  %-70s %.4f   %.4f   %.4f%n", "bm25", mean(b.ndcg()[0]), mean(b.ndcg()[1]),
                mean(b.recall()[1]));
        List<RetrievalSettings> grid = new ArrayList<>();
        for (boolean center : new boolean[] {true, false}) {
            for (String template : new String[] {"%s", "Tags: %s."}) {
                grid.add(shipped.withRetrieval(Retrieval.SEMANTIC).withSemantic(100, 1, 60, center, template));
            }
        }
        for (int depth : new int[] {20, 50, 100, 200}) {
            for (double w : new double[] {0.5, 1, 2}) {
                grid.add(shipped.withRetrieval(Retrieval.HYBRID).withSemantic(depth, w, 60, shipped.centerQuery(),
                        shipped.template()));
            }
        }
        grid.add(shipped.withRetrieval(Retrieval.HYBRID).withSemantic(shipped.semanticDepth(), shipped.semanticWeight(),
                10, shipped.centerQuery(), shipped.template()));
        grid.add(shipped.withRetrieval(Retrieval.HYBRID));
        for (RetrievalSettings.AutoRule rule : RetrievalSettings.AutoRule.values()) {
            grid.add(shipped.withAutoRule(rule));
        }
        for (RetrievalSettings s : grid) {
            Map<String, SearchTask.Ranker> rs = new LinkedHashMap<>();
            rs.put("retrieval", rankers.retrieval(s));
            rs.put("prior", rankers.prior(s, prior, popularity));
            JudgedQueries.Values v = JudgedQueries.run(qs, rs, 10, nThreads);
            out.printf(Locale.ROOT, "  %-70s %.4f   %.4f   %.4f%s%n", s, mean(v.ndcg()[0]), mean(v.ndcg()[1]),
                    mean(v.recall()[1]), s.equals(shipped) ? "   (shipped)" : "");
            out.flush();
        }
        out.printf(Locale.ROOT, "  π of the prior over the shipped retrieval:");
        for (int i = 0; i <= 10; i++) {
            Map<String, SearchTask.Ranker> rs = Map.of("p", rankers.prior(shipped, i / 10.0, popularity));
            out.printf(Locale.ROOT, " %.1f: %.4f", i / 10.0, mean(JudgedQueries.run(qs, rs, 10, nThreads).ndcg()[0]));
        }
        out.printf(Locale.ROOT, "%n  auto chose hybrid for %d of %d queries%n", hybridCount(rankers, shipped, qs),
                qs.size());
        Map<String, SearchTask.Ranker> rs = new LinkedHashMap<>();
        rs.put(BASELINE, rankers.prior(bm25, prior, popularity));
        rs.put("hybrid+popularity", rankers.prior(shipped.withRetrieval(Retrieval.HYBRID), prior, popularity));
        rs.put(SHIPPED, rankers.prior(shipped, prior, popularity));
        table(JudgedQueries.run(qs, rs, 10, nThreads), true, List.of(new String[] {"hybrid+popularity", BASELINE},
                new String[] {SHIPPED, BASELINE}));
        out.flush();
    }

    private static int hybridCount(SearchQualityRankers rankers, RetrievalSettings s, List<JudgedQueries.Query> qs) {
        int n = 0;
        for (JudgedQueries.Query q : qs) {
            Retriever.Result r = rankers.retrieve(s, q.text());
            if (r != null && r.used() == Retrieval.HYBRID) n++;
        }
        return n;
    }

    // ---- printing ---------------------------------------------------------------------------

    /** NDCG@10, Recall@10 and MRR of every ranker, then the paired differences, for liked (or disliked) queries. */
    private void table(JudgedQueries.Values v, boolean liked, List<String[]> differences) {
        Map<String, Bootstrap.Interval> figures = SearchQualityTasks.figures(v, liked, liked ? "liked" : "disliked",
                differences, bootstrap);
        int width = 0;
        for (String n : figures.keySet()) width = Math.max(width, n.length());
        for (Map.Entry<String, Bootstrap.Interval> e : figures.entrySet()) {
            Bootstrap.Interval i = e.getValue();
            out.printf(Locale.ROOT, "  %-" + width + "s  %8.4f  [%8.4f, %8.4f]  n=%d%n", e.getKey(), i.mean(),
                    i.low(), i.high(), i.n());
        }
        out.flush();
    }

    private static double mean(double[] v) {
        return ModelSelection.mean(v);
    }

    private static int relevantCount(List<JudgedQueries.Query> qs) {
        int n = 0;
        for (JudgedQueries.Query q : qs) n += q.relevant().length;
        return n;
    }
}
