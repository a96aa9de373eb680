package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.eval.Bootstrap;
import io.reelrank.eval.EvalData;
import io.reelrank.eval.EvalSummary;
import io.reelrank.eval.QueryGenerator;
import io.reelrank.eval.Ratings;
import io.reelrank.eval.RecommendationTask;
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
import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.ItemVectors;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.rerank.Reranker;
import io.reelrank.user.UserVectors;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
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
 * user's ratings (the {@code test_users} are left out), builds user vectors from the training part
 * only, in memory (the {@code users} table is neither read nor written), and measures the search task
 * (BM25 against the personalized re-ranking of the same candidates) and the recommendation task
 * (similarity against popularity), each figure with its 95% bootstrap interval. Given several α,
 * fusions or shrinkages it sweeps them, writes {@code sweep.csv} and {@code sweep.png} into
 * {@code --out-dir} and names the best setting. Standard output depends only on the data and the
 * options (seeds included); progress and timing go to standard error.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Offline evaluation: does personalization help real users, and by how much (README \"Evaluation\").",
                "The sweep behind the defaults: reelrank eval --alpha 0:1:0.05 --fusion linear,rrf --shrinkage 10,100,1000"})
public final class EvalCommand implements Callable<Integer> {

    static final int MAX_K = MovieSearcher.MAX_LIMIT;

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--split", paramLabel = "KIND", defaultValue = "temporal",
            description = "temporal: each user's latest ratings held out; random: a seeded random share (default: ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--test-fraction", paramLabel = "F", defaultValue = "0.2",
            description = "Share of each user's ratings held out, in (0,1) (default: ${DEFAULT-VALUE})")
    double testFraction;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
            description = "Seed of the random split and of the bootstrap (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--k", paramLabel = "K", defaultValue = "10",
            description = "Cutoff of NDCG@k and Recall@k in the search task, 1 to --candidates (default: ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "" + Reranker.DEFAULT_ALPHA,
            description = "Linear fusion weight(s) of the similarity: a list 0,0.5,1 or a range 0:1:0.1, each in [0,1] "
                    + "(default: ${DEFAULT-VALUE})")
    String alphas;

    @Option(names = "--fusion", paramLabel = "F", defaultValue = "linear",
            description = "linear, rrf or linear,rrf (default: ${DEFAULT-VALUE})")
    String fusions;

    @Option(names = "--shrinkage", paramLabel = "K", defaultValue = "" + UserVectors.DEFAULT_SHRINKAGE,
            description = "User-tower shrinkage k, a list or a range like --alpha, each >= 0 (default: ${DEFAULT-VALUE})")
    String shrinkages;

    @Option(names = "--candidates", paramLabel = "N", defaultValue = "" + PersonalizedSearch.DEFAULT_CANDIDATES,
            description = "BM25 candidates per query that the re-ranker reorders, 1-" + PersonalizedSearch.MAX_CANDIDATES
                    + " (default: ${DEFAULT-VALUE})")
    int candidates;

    @Option(names = "--center", paramLabel = "BOOL", defaultValue = "true",
            description = "Center the item vectors on the catalog mean, as production does: true or false (default: ${DEFAULT-VALUE})")
    String center;

    @Option(names = "--resamples", paramLabel = "B", defaultValue = "" + Bootstrap.DEFAULT_RESAMPLES,
            description = "Bootstrap resamples per interval, 100-100000 (default: ${DEFAULT-VALUE})")
    int resamples;

    @Option(names = "--out-dir", paramLabel = "DIR",
            description = "Where a sweep writes sweep.csv and sweep.png (default: var/eval under REELRANK_HOME)")
    Path outDir;

    /** The options, checked; every message names the option, the allowed range and the value given. */
    record Plan(boolean temporal, List<SweepGrid.Setting> settings, boolean center) {}

    Plan plan() {
        boolean temporal = switch (split.toLowerCase(Locale.ROOT)) {
            case "temporal" -> true;
            case "random" -> false;
            default -> throw CliException.badInput("--split must be temporal or random, got '" + split + "'");
        };
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
        boolean centered = switch (center.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw CliException.badInput("--center must be true or false, got '" + center + "'");
        };
        Set<Fusion> fs = new LinkedHashSet<>();
        for (String f : fusions.split(",", -1)) {
            try {
                fs.add(Fusion.parse(f));
            } catch (IllegalArgumentException e) {
                throw CliException.badInput("--fusion must be linear, rrf or linear,rrf, got '" + fusions + "'");
            }
        }
        double[] as;
        double[] ks;
        try {
            as = SweepGrid.alphas(alphas);
            ks = SweepGrid.shrinkages(shrinkages);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage());
        }
        return new Plan(temporal, SweepGrid.settings(as, ks, fs.contains(Fusion.LINEAR), fs.contains(Fusion.RRF)), centered);
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
            testUsers = testUsers(c);
            all = EvalData.loadRatings(c);
            catalog = EvalData.loadCatalog(c);
        }
        Ratings real = without(all, testUsers);
        if (real.size() == 0) {
            throw new CliException(1, "no ratings to evaluate on: run `reelrank ingest` first");
        }
        Splits.Split parts = plan.temporal() ? Splits.temporal(real, testFraction) : Splits.random(real, testFraction, seed);
        ItemVectors items = ItemVectors.load(db, plan.center());
        if (items.size() == 0) {
            throw new CliException(1, "no movie has an embedding yet: run `reelrank embed --load` first");
        }
        IndexCommand.refreshIfStale(db, err);
        err.printf(Locale.ROOT, "loaded %,d ratings, %,d movies, %,d item vectors in %.1f s%n", all.size(),
                catalog.size(), items.size(), seconds(t0));
        err.flush();

        Bootstrap bootstrap = new Bootstrap(seed, resamples);
        out.printf(Locale.ROOT, "eval: %s split, test fraction %s, seed %d (%s), bootstrap seed %d with %d resamples%n",
                plan.temporal() ? "temporal" : "random", testFraction, seed,
                plan.temporal() ? "the temporal split uses none" : "random split", bootstrap.seed(), bootstrap.resamples());
        out.printf(Locale.ROOT, "data: %,d ratings of %,d users (test users left out: %d with %,d ratings); "
                        + "training %,d, held out %,d%n", real.size(), users(real), testUsers.size(), all.size() - real.size(),
                parts.train().size(), parts.test().size());
        out.printf(Locale.ROOT, "items: %,d movie vectors, %s; search: %d BM25 candidates per query, NDCG@%d, Recall@%d, MRR%n",
                items.size(), plan.center() ? "centered on the catalog mean" : "not centered", candidates, k, k);
        out.flush();

        QueryGenerator queries = new QueryGenerator(catalog.movieIds(), catalog.titles(), catalog.genres(),
                QueryGenerator.DEFAULT_MAX_TITLE_DF);
        int[] unparsable = {0};
        List<SweepReport.Point> points;
        Map<Double, SearchTask.Result> countsByK = new LinkedHashMap<>();
        try (MovieSearcher searcher = MovieSearcher.open(IndexCommand.dir())) {
            SweepRankers rankers = new SweepRankers(q -> bm25Candidates(searcher, q, unparsable), items);
            ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads(), plan.settings().size())));
            try {
                Measure measure = new Measure(parts, queries, rankers, items, bootstrap, countsByK, err, plan.settings(),
                        pool);
                points = SweepGrid.run(plan.settings(), measure::apply, "ndcg@" + k + " liked personalized", err);
            } finally {
                pool.shutdownNow();
            }
            err.printf(Locale.ROOT, "%,d distinct queries, %d that did not parse%n", rankers.queries(), unparsable[0]);
        }

        String metric = "ndcg@" + k + " liked personalized";
        SweepReport.Point best = SweepReport.best(points, metric);
        SearchTask.Result counts = countsByK.get(best.shrinkage());
        out.printf(Locale.ROOT, "search task: %,d liked and %,d disliked (held-out rating, query) pairs; %,d pairs of "
                        + "users without a training vector and %,d of movies without a query left out%n",
                counts.liked().size(), counts.disliked().size(), counts.coldPairs(), counts.pairsWithoutQuery());
        if (points.size() > 1) {
            printSweep(out, points, best);
            Path dir = outDir != null ? outDir : Home.var().resolve("eval");
            Files.createDirectories(dir);
            SweepReport.writeCsv(points, dir.resolve("sweep.csv"));
            SweepReport.writePng(points, metric, dir.resolve("sweep.png"));
            out.printf(Locale.ROOT, "wrote %s (%d settings) and %s%n", dir.resolve("sweep.csv"), points.size(),
                    dir.resolve("sweep.png"));
            out.printf(Locale.ROOT, "best by %s: %s = %s%n", metric, setting(best), best.metrics().get(metric));
        }
        out.printf(Locale.ROOT, "%nsearch task, %s (liked: rating >= %.1f, higher is better; disliked: rating <= %.1f, "
                        + "lower is better)%n", setting(best), RecommendationTask.LIKED, SearchTask.DISLIKED);
        out.print(EvalSummary.table(part(best, true)));
        out.printf(Locale.ROOT, "%nrecommendation task, shrinkage k=%s (every unrated movie ranked; relevant: held-out "
                + "rating >= %.1f)%n", trim(best.shrinkage()), RecommendationTask.LIKED);
        out.print(EvalSummary.table(part(best, false)));
        out.flush();
        err.printf(Locale.ROOT, "eval: done in %.1f s%n", seconds(t0));
        err.flush();
        return 0;
    }

    /**
     * Measures the settings, one shrinkage k at a time: the user vectors for k, then the first setting
     * on this thread (which fills the cosine cache), while the recommendation task for k runs on the
     * pool; then the remaining settings of k on the pool, in parallel. Results are taken in the
     * settings' order, so the output does not depend on which thread finished first.
     */
    private final class Measure {
        private final Splits.Split parts;
        private final QueryGenerator queries;
        private final SweepRankers rankers;
        private final ItemVectors items;
        private final Bootstrap bootstrap;
        private final Map<Double, SearchTask.Result> countsByK;
        private final PrintWriter err;
        private final List<SweepGrid.Setting> settings;
        private final ExecutorService pool;
        private final Map<SweepGrid.Setting, Future<Map<String, Bootstrap.Interval>>> pending = new HashMap<>();
        private double shrinkage = Double.NaN;
        private TrainingUsers users;
        private Future<Map<String, Bootstrap.Interval>> recommendation;

        Measure(Splits.Split parts, QueryGenerator queries, SweepRankers rankers, ItemVectors items, Bootstrap bootstrap,
                Map<Double, SearchTask.Result> countsByK, PrintWriter err, List<SweepGrid.Setting> settings,
                ExecutorService pool) {
            this.parts = parts;
            this.queries = queries;
            this.rankers = rankers;
            this.items = items;
            this.bootstrap = bootstrap;
            this.countsByK = countsByK;
            this.err = err;
            this.settings = settings;
            this.pool = pool;
        }

        Map<String, Bootstrap.Interval> apply(SweepGrid.Setting s) {
            try {
                Map<String, Bootstrap.Interval> m;
                if (s.shrinkage() != shrinkage) {
                    startShrinkage(s.shrinkage());
                    m = search(s);
                    for (SweepGrid.Setting other : settings) {
                        if (other != s && other.shrinkage() == shrinkage) {
                            pending.put(other, pool.submit(() -> search(other)));
                        }
                    }
                } else {
                    m = pending.remove(s).get();
                }
                m.putAll(recommendation.get());
                return m;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            }
        }

        private void startShrinkage(double k) {
            long t = System.nanoTime();
            shrinkage = k;
            TrainingUsers u = TrainingUsers.compute(parts.train(), items::vector, k);
            users = u;
            rankers.newUsers();
            err.printf(Locale.ROOT, "shrinkage k=%s: %,d training users (%d cold) in %.1f s%n", trim(k), u.users(),
                    u.coldUsers(), seconds(t));
            err.flush();
            recommendation = pool.submit(() -> EvalSummary.recommendation(RecommendationTask.run(parts, items.movieIds(),
                    items::vector, u, RecommendationTask.DEFAULT_K), bootstrap));
        }

        private Map<String, Bootstrap.Interval> search(SweepGrid.Setting s) {
            Fusion fusion = s.fusion().equals(SweepReport.RRF) ? Fusion.RRF : Fusion.LINEAR;
            SearchTask.Result r = SearchTask.run(parts.test(), queries, users, rankers::bm25,
                    rankers.personalized(fusion, fusion == Fusion.LINEAR ? s.alpha() : 0), k);
            synchronized (countsByK) {
                countsByK.putIfAbsent(s.shrinkage(), r);
            }
            return new LinkedHashMap<>(EvalSummary.search(r, bootstrap));
        }
    }

    private List<Reranker.Candidate> bm25Candidates(MovieSearcher searcher, String query, int[] unparsable) {
        try {
            List<Candidate> cs = searcher.candidates(query, SearchFilters.NONE, candidates);
            List<Reranker.Candidate> out = new ArrayList<>(cs.size());
            for (Candidate c : cs) {
                out.add(new Reranker.Candidate(c.movieId(), c.bm25(), c.rank()));
            }
            return out;
        } catch (QuerySyntaxException e) {
            // Scored as an empty list for both rankers alike, and counted on stderr.
            unparsable[0]++;
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void printSweep(PrintWriter out, List<SweepReport.Point> points, SweepReport.Point best) {
        String liked = "ndcg@" + k + " liked ";
        String disliked = "ndcg@" + k + " disliked ";
        out.printf(Locale.ROOT, "%nsweep: NDCG@%d (95%% interval); for disliked movies lower is better%n", k);
        out.printf(Locale.ROOT, "%-22s  %-26s  %-27s  %-26s  %-27s%n", "setting", "liked personalized",
                "liked personalized-bm25", "disliked personalized", "disliked personalized-bm25");
        for (SweepReport.Point p : points) {
            out.printf(Locale.ROOT, "%-22s  %-26s  %-27s  %-26s  %-27s%n", setting(p), cell(p, liked + "personalized"),
                    cell(p, liked + "personalized-bm25"), cell(p, disliked + "personalized"),
                    cell(p, disliked + "personalized-bm25"));
        }
        out.printf(Locale.ROOT, "bm25 alone (the pairs of k=%s): liked %s, disliked %s%n", trim(best.shrinkage()),
                cell(best, liked + "bm25"), cell(best, disliked + "bm25"));
    }

    private static String cell(SweepReport.Point p, String metric) {
        Bootstrap.Interval i = p.metrics().get(metric);
        return i == null ? "-" : String.format(Locale.ROOT, "%.4f [%.4f, %.4f]", i.mean(), i.low(), i.high());
    }

    private static Map<String, Bootstrap.Interval> part(SweepReport.Point p, boolean search) {
        Map<String, Bootstrap.Interval> m = new LinkedHashMap<>();
        p.metrics().forEach((name, i) -> {
            boolean rec = name.contains("similarity") || name.contains("popularity");
            if (rec != search) m.put(name, i);
        });
        return m;
    }

    private static String setting(SweepReport.Point p) {
        return new SweepGrid.Setting(p.fusion(), p.alpha(), p.shrinkage()).toString();
    }

    private static Set<Integer> testUsers(Connection c) throws SQLException {
        Set<Integer> ids = new HashSet<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT user_id FROM test_users")) {
            while (rs.next()) ids.add(rs.getInt(1));
        }
        return ids;
    }

    /** The ratings of every user not in {@code excluded}, in their order. */
    static Ratings without(Ratings all, Set<Integer> excluded) {
        Ratings.Builder b = Ratings.builder();
        for (int i = 0; i < all.size(); i++) {
            if (!excluded.contains(all.userId(i))) {
                b.add(all.userId(i), all.movieId(i), all.rating(i), all.ratedAt(i));
            }
        }
        return b.build();
    }

    private static int users(Ratings r) {
        Set<Integer> u = new HashSet<>();
        for (int i = 0; i < r.size(); i++) u.add(r.userId(i));
        return u.size();
    }

    /** Pool threads: one per core; the settings are independent once the caches are filled. */
    private static int threads() {
        return Runtime.getRuntime().availableProcessors();
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
