package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.embed.BundledModel;
import io.reelrank.embed.MovieEmbeddings;
import io.reelrank.embed.OnnxEncoder;
import io.reelrank.eval.SearchJudgments;
import io.reelrank.index.MovieSearcher;
import io.reelrank.index.SearchFilters;
import io.reelrank.ingest.MovieLensLoader;
import io.reelrank.model.ItemVectors;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.service.IndexService;
import io.reelrank.service.RankerTraining;
import io.reelrank.service.Training;
import io.reelrank.user.TestUsers;
import io.reelrank.user.UserTower;
import io.reelrank.user.UserVectors;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
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
 * {@code reelrank demo}: the original test strategy end to end on the bundled sample: ingest, index,
 * embed, users, test users, train the collaborative model, then the query {@code lord} for the four
 * test users, BM25 beside the personalized top 10 with a summary line each. Each stage is skipped
 * when its result is already there (same files loaded, index up to date, every movie embedded, user
 * vectors newer than the ratings and embeddings, a model active), so a second run takes seconds.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the pipeline end to end on the bundled sample and show personalized search for the",
                "four test users (reuses what is already done).",
                "--loop instead runs learning from use end to end on a generated set in a scratch database",
                "(docs/feedback.md, \"The loop in one command\")."})
public final class DemoCommand implements Callable<Integer> {

    static final Set<Integer> LORD_OF_THE_RINGS = Set.of(2116, 4993, 5952, 7153);

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "MovieLens directory (default: ${DEFAULT-VALUE})",
            defaultValue = "sample_data/ml-latest-small")
    Path dataDir;

    @Option(names = "--query", paramLabel = "Q", defaultValue = "lord",
            description = "Query to show (default: ${DEFAULT-VALUE})")
    String query;

    @Option(names = "--loop", description = "Run the learning-from-use loop instead: generate, train, serve, "
            + "simulate, interleave, train from clicks, report; each stage a reelrank command in a child process, "
            + "on a scratch database <db>_loop and the home var/loop")
    boolean loop;

    @Option(names = "--quick", description = "With --loop: a small run (10,000 ratings, fewer sessions) for a "
            + "first look or a test; the full run uses 100,000 ratings")
    boolean quick;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "5",
            description = "With --loop: seed of the generated set and of the audience (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--keep", description = "With --loop: keep the scratch database afterwards")
    boolean keep;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!loop && (quick || keep || spec.commandLine().getParseResult().hasMatchedOption("--seed"))) {
            throw CliException.badInput("--quick, --seed and --keep go with --loop");
        }
        if (loop) {
            new LoopDemo(dbOptions.open(), Home.var().resolve("loop"), Home.path().resolve(dataDir),
                    quick ? LoopDemo.Size.QUICK : LoopDemo.Size.FULL, seed, keep, childJava(), out).run();
            return 0;
        }
        long t0 = System.nanoTime();
        Database db = dbOptions.open();
        out.println("== database: " + db.settings().describe());
        out.println("== ingest");
        out.flush();
        MovieLensLoader.Report loaded = IngestCommand.ingest(db, Home.path().resolve(dataDir),
                MovieLensLoader.Options.defaults(), out, err);

        out.println("== embeddings (" + BundledModel.DEFAULT.modelName() + ", in-process)");
        out.flush();
        Path csv = Home.var().resolve("embeddings.csv");
        boolean embedded;
        try (Progress bar = Progress.on(err)) {
            embedded = MovieEmbeddings.ensureLoaded(db, csv,
                    () -> OnnxEncoder.bundled(OnnxEncoder.Settings.defaults()), EmbedCommand.progress(err, bar));
        }
        out.println(embedded ? "  embedded and loaded → " + csv : "  every movie already has an embedding");

        out.println("== users and test users");
        out.flush();
        ItemVectors items = Models.items(db);
        if (!loaded.skipped() || embedded || usersStale(db)) {
            UserTower.Stats s = UserTower.computeAll(db, items, UserTower.DEFAULT_SHRINKAGE);
            out.printf(Locale.ROOT, "  %,d user vectors from %,d ratings in %.2f s%n", s.users(), s.ratings(),
                    s.seconds());
            TestUsersCommand.create(db, UserTower.DEFAULT_SHRINKAGE, out);
        } else if (!testUsersPresent(db)) {
            TestUsersCommand.create(db, UserTower.DEFAULT_SHRINKAGE, out);
        } else {
            out.println("  user vectors and test users up to date");
        }
        out.println("== collaborative model (train)");
        out.flush();
        int threads = Runtime.getRuntime().availableProcessors();
        // The learned ranker's judgments search the index: build it first when there is none.
        RankerTraining.Options ranker = RankerTraining.Options.shipped(SearchJudgments.DEFAULT_CAP, threads,
                IndexService.ensure(Home.indexDir(), () -> db, out));
        if (!loaded.skipped() || embedded || !modelActive(db)) {
            TrainCommand.train(db, new ModelOptions().grid(), threads, UserTower.DEFAULT_SHRINKAGE, ranker, out);
        } else if (!rankerActive(db)) {
            out.println("  model up to date: " + activeModel(db) + "; training the learned search ranker");
            TrainCommand.rankerOnly(db,
                    new Training.Options(new ModelOptions().grid(), threads, UserTower.DEFAULT_SHRINKAGE)
                    .withRanker(ranker), out);
        } else {
            out.println("  model up to date: " + activeModel(db));
        }
        out.println("== index");
        out.flush();
        IndexService.refreshIfStale(db, Home.indexDir(), out);
        out.println("  " + Home.indexDir());

        try (PersonalizedSearch ps = new PersonalizedSearch(db, MovieSearcher.open(Home.indexDir()), items)) {
            PersonalizedSearch.Response plain = ps.search(request(null, 10));
            PersonalizedSearch.Response plainAll = ps.search(request(null, 100));
            for (TestUsers.Def d : TestUsers.ALL) {
                out.printf(Locale.ROOT, "%n== %d %s%n", d.id(), d.name());
                RerankTable.printCompare(out, plain, ps.search(request(d.id(), 10)));
                PersonalizedSearch.Response all = ps.search(request(d.id(), 100));
                out.printf(Locale.ROOT,
                        "   mean rank of the 4 Lord of the Rings films: %.2f (BM25) → %.2f (personalized)%n",
                        meanRank(plainAll.results()), meanRank(all.results()));
            }
        }
        out.printf(Locale.ROOT, "%ndemo done in %.1f s. Try: ./reelrank search lord --user 10001 --explain%n",
                (System.nanoTime() - t0) / 1e9);
        out.flush();
        return 0;
    }

    /** The command that runs this program's root command in a new JVM with this one's heap limit. */
    private List<String> childJava() {
        List<String> heap = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-Xmx")).toList();
        return ChildProcesses.javaPrefix(heap, spec.root().userObject().getClass());
    }

    /** The personalized search for a user; for none, the BM25 list it is compared with (no prior). */
    private PersonalizedSearch.Request request(Integer user, int limit) {
        return new PersonalizedSearch.Request(query, user, limit, PersonalizedSearch.DEFAULT_CANDIDATES,
                (io.reelrank.rerank.Weights) null, user == null ? io.reelrank.rerank.Fusion.BM25
                : PersonalizedSearch.DEFAULT_FUSION, SearchFilters.NONE);
    }

    static double meanRank(List<PersonalizedSearch.Result> results) {
        return results.stream().filter(r -> LORD_OF_THE_RINGS.contains(r.movieId()))
                .mapToInt(PersonalizedSearch.Result::rank).average().orElse(Double.NaN);
    }

    /** Some user with ratings has no vector row yet, or a rating is newer than the user's vector. */
    private static boolean usersStale(Database db) throws Exception {
        try (Connection c = db.connect()) {
            return UserVectors.anyStale(c);
        }
    }

    private static boolean rankerActive(Database db) throws Exception {
        try (Connection c = db.connect()) {
            return io.reelrank.rank.RankerStore.active(c, io.reelrank.rank.RankerStore.SEARCH) != null;
        }
    }

    private static boolean modelActive(Database db) throws Exception {
        try (Connection c = db.connect()) {
            return io.reelrank.model.ModelStore.active(c) != null;
        }
    }

    private static String activeModel(Database db) throws Exception {
        try (Connection c = db.connect()) {
            io.reelrank.model.ModelStore.Version v = io.reelrank.model.ModelStore.active(c);
            return "version " + v.version() + ", rank " + v.rank() + ", trained on "
                    + String.format(java.util.Locale.ROOT, "%,d", v.ratings()) + " ratings";
        }
    }

    private static boolean testUsersPresent(Database db) throws Exception {
        try (Connection c = db.connect()) {
            return TestUsers.allPresent(c);
        }
    }
}
