package io.reelrank.bench;

import io.reelrank.cli.CliException;
import io.reelrank.cli.DbOptions;
import io.reelrank.cli.Home;
import io.reelrank.cli.Models;
import io.reelrank.db.BinaryCopy;
import io.reelrank.db.Database;
import io.reelrank.db.ScratchDatabase;
import io.reelrank.index.Candidate;
import io.reelrank.index.MovieSearcher;
import io.reelrank.index.SearchFilters;
import io.reelrank.ingest.MovieLensLoader;
import io.reelrank.model.ItemVectors;
import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.service.IndexService;
import io.reelrank.user.UserTower;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import org.postgresql.PGConnection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank bench rerank}: the cost of personalization. Latency of search + re-rank over 100
 * candidates, by the weighted fusion and by the learned ranker (when one is trained), against plain
 * BM25 for the same queries (also 100 candidates, 10 returned), measured interleaved in one run; then (unless {@code
 * --skip-user-tower}) the user tower over all users of
 * the database, and its ratings/s over a generated ratings set of millions of rows (in a scratch
 * database that is dropped afterwards).
 */
@Command(name = "rerank", mixinStandardHelpOptions = true,
        description = "Latency of search + re-rank against plain BM25, and the user tower's speed.")
public final class BenchRerankCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--queries", defaultValue = "2000", paramLabel = "N",
            description = "Measured queries per mode, 100-100000 (default: ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--rows", defaultValue = "5000000", paramLabel = "N",
            description = "Ratings in the generated set for the user tower (reelrank generate --sample-movies), "
                    + "0 to skip, else 100000-100000000 (default: ${DEFAULT-VALUE})")
    long rows;

    @Option(names = "--seed", defaultValue = "42",
            description = "Seed of queries, users and the generated set (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--skip-user-tower", description = "Measure the latency only: no user tower over all users "
            + "(it rewrites every user's vector) nor over the generated set")
    boolean skipUserTower;

    @Override
    public Integer call() throws Exception {
        if (queries < 100 || queries > 100_000) {
            throw CliException.badInput("--queries must be in 100-100000, got " + queries);
        }
        if (rows != 0 && (rows < 100_000 || rows > 100_000_000)) {
            throw CliException.badInput("--rows must be 0 or in 100000-100000000, got " + rows);
        }
        PrintWriter out = spec.commandLine().getOut();
        Path dir = IndexService.ensure(Home.indexDir(), dbOptions::open, spec.commandLine().getErr());
        Database db = dbOptions.open();
        ItemVectors items = Models.items(db);
        int[] users;
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT user_id FROM users WHERE embedding IS NOT NULL ORDER BY user_id")) {
            List<Integer> ids = new ArrayList<>();
            while (rs.next()) ids.add(rs.getInt(1));
            users = ids.stream().mapToInt(Integer::intValue).toArray();
        }
        if (users.length == 0) throw new CliException(1, "no user has an embedding: run `reelrank users` first");

        try (PersonalizedSearch ps = new PersonalizedSearch(db, MovieSearcher.open(dir), items)) {
            MovieSearcher searcher = ps.searcher();
            ps.listen(); // as the server does: cached user vectors stay valid until a write says otherwise
            List<SearchBenchmark.BenchQuery> qs = SearchBenchmark.queries(searcher.allMovies(), queries, seed);
            Random rnd = new Random(seed);
            int[] who = new int[qs.size()];
            for (int i = 0; i < who.length; i++) who[i] = users[rnd.nextInt(users.length)];
            // User vectors come from the cache in steady state; only the users queried are loaded
            // (at 32M ratings there are 200,947 users, one query each would take longer than the run).
            for (int u : who) ps.userVector(u);
            out.printf(Locale.ROOT,
                    "bench rerank: %,d queries (seed %d) over %,d users with vectors, 1 thread, in-process%n",
                    qs.size(), seed, users.length);
            out.flush();
            boolean learned = ps.rankerVersion() > 0;
            long[] plain = new long[qs.size()];
            long[] personal = new long[qs.size()];
            long[] ltr = new long[qs.size()];
            for (int round = 0; round < 2; round++) { // round 0 warms up the JIT and the caches
                for (int i = 0; i < qs.size(); i++) {
                    String q = qs.get(i).text();
                    // Interleaved, so every mode sees the same machine noise, and the order rotates, so that
                    // none always runs first on caches another just warmed.
                    for (int k = 0; k < 3; k++) {
                        switch ((i + k) % 3) {
                            case 0 -> plain[i] = timePlain(searcher, q);
                            case 1 -> personal[i] = timePersonal(ps, q, who[i], Fusion.WEIGHTED);
                            default -> ltr[i] = learned ? timePersonal(ps, q, who[i], Fusion.LEARNED) : 0;
                        }
                    }
                }
            }
            double p50a = pct(plain, 0.5), p99a = pct(plain, 0.99);
            double p50b = pct(personal, 0.5), p99b = pct(personal, 0.99);
            out.printf(Locale.ROOT,
                    "  plain BM25 (100 candidates, top 10):          p50 %6.3f ms  p99 %6.3f ms  (baseline)%n",
                    p50a, p99a);
            out.printf(Locale.ROOT, "  BM25 + weighted fusion (100 candidates, top 10): p50 %6.3f ms  p99 %6.3f ms%n",
                    p50b, p99b);
            out.printf(Locale.ROOT, "  median ratio weighted / plain: %.2f×   (target ≤ 1.3×, p99 < 10 ms)%n",
                    p50b / p50a);
            if (learned) {
                double p50c = pct(ltr, 0.5), p99c = pct(ltr, 0.99);
                out.printf(Locale.ROOT,
                        "  BM25 + learned ranker version %d (100 candidates, top 10): p50 %6.3f ms  p99 %6.3f ms%n",
                        ps.rankerVersion(), p50c, p99c);
                out.printf(Locale.ROOT, "  median ratio learned / weighted: %.2f×   (target ≤ 1.5×)%n", p50c / p50b);
            } else {
                out.println("  no learned ranker trained (reelrank train): the learned row is left out");
            }
            out.flush();
        }

        if (skipUserTower) return 0;
        UserTower.Stats s = UserTower.computeAll(db, items, UserTower.DEFAULT_SHRINKAGE);
        out.printf(Locale.ROOT, "%n  users (all sample users): %,d users, %,d ratings in %.2f s (%,.0f ratings/s)%n",
                s.users(), s.ratings(), s.seconds(), s.ratings() / s.seconds());
        out.flush();
        if (rows > 0) generatedUserTower(db, items, out);
        return 0;
    }

    private static long timePlain(MovieSearcher searcher, String q) throws Exception {
        long t0 = System.nanoTime();
        List<Candidate> c = searcher.candidates(q, SearchFilters.NONE, PersonalizedSearch.DEFAULT_CANDIDATES);
        searcher.movies(c.stream().limit(10).mapToInt(Candidate::movieId).toArray());
        return System.nanoTime() - t0;
    }

    private static long timePersonal(PersonalizedSearch ps, String q, int user, Fusion f) throws Exception {
        long t0 = System.nanoTime();
        ps.search(PersonalizedSearch.Request.of(q, user).withFusion(f));
        return System.nanoTime() - t0;
    }

    /** The user tower over a generated ratings set loaded into a scratch database. */
    private void generatedUserTower(Database main, ItemVectors items, PrintWriter out) throws Exception {
        try (ScratchDatabase scratch = new ScratchDatabase(main, "bench")) {
            Database bench = scratch.database();
            String benchDb = scratch.name();
            Path big = Home.var().resolve("bench").resolve("ratings-" + rows);
            out.printf(Locale.ROOT, "  generating and loading %,d ratings into %s…%n", rows, benchDb);
            out.flush();
            BenchIngestCommand.generate(Home.path().resolve("sample_data/ml-latest-small"), big, rows, seed);
            MovieLensLoader.load(bench, big, new MovieLensLoader.Options(MovieLensLoader.Options.DEFAULT_BATCH_SIZE,
                    false, true), MovieLensLoader.Listener.NONE);
            copyVectors(bench, items);
            ItemVectors benchItems = ItemVectors.load(bench, true);
            UserTower.Stats t = UserTower.computeAll(bench, benchItems, UserTower.DEFAULT_SHRINKAGE);
            out.printf(Locale.ROOT, "  users (generated set): %,d users, %,d ratings in %.2f s (%,.0f ratings/s)%n",
                    t.users(), t.ratings(), t.seconds(), t.ratings() / t.seconds());
            out.flush();
        }
    }

    static void copyVectors(Database bench, ItemVectors items) throws Exception {
        try (Connection c = bench.connect()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TEMP TABLE stage_vectors (movie_id int, embedding vector) ON COMMIT DROP");
            }
            BinaryCopy copy = new BinaryCopy(c.unwrap(PGConnection.class).getCopyAPI(),
                    "COPY stage_vectors FROM STDIN (FORMAT binary)", 1_000);
            for (int id : items.movieIds()) {
                copy.startRow(2);
                copy.int4(id);
                copy.vector(items.vector(id));
                copy.endRow();
            }
            copy.finish();
            try (Statement st = c.createStatement()) {
                st.execute("UPDATE movies m SET embedding = s.embedding FROM stage_vectors s "
                        + "WHERE s.movie_id = m.movie_id");
            }
            c.commit();
        }
    }

    static double pct(long[] nanos, double p) {
        return Latencies.of(nanos).ms(p);
    }
}
