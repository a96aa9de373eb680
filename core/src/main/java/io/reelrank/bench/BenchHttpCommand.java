package io.reelrank.bench;

import io.reelrank.cli.CliException;
import io.reelrank.cli.DbOptions;
import io.reelrank.cli.Home;
import io.reelrank.cli.Models;
import io.reelrank.db.Database;
import io.reelrank.http.ApiServer;
import io.reelrank.index.MovieSearcher;
import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.service.IndexService;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank bench http}: queries/s and p50/p99 of {@code GET /api/search} with a user, over
 * loopback with keep-alive connections ({@link HttpBenchmark}), against a server it starts in this
 * process (or the one at {@code --url}). Queries come from the indexed titles, as in
 * {@code bench search}. The baseline, measured in the same run, is the same searches called
 * in-process on one thread, without HTTP: the gap is what the HTTP layer costs.
 */
@Command(name = "http", mixinStandardHelpOptions = true,
        description = {"Measure GET /api/search with a user over loopback: queries/s, p50/p90/p99 latency.",
                "Target on 2 cores: >= 1,000 queries/s and p99 < 20 ms with 2 client threads."})
public final class BenchHttpCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "30",
            description = "Measured duration, 1-3600 s (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "30",
            description = "Unmeasured warm-up before it, 0-600 s; the JIT needs it (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "2",
            description = "Client threads, each on one keep-alive connection, 1-64 (default: ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--user", paramLabel = "ID", split = ",", defaultValue = "10001,10002",
            description = "Users the searches are personalized for, taken in turn; 0: searches without a user "
                    + "(default: ${DEFAULT-VALUE})")
    List<Integer> users;

    @Option(names = "--queries", paramLabel = "N", defaultValue = "500",
            description = "Distinct queries, from the indexed titles, 5-100000 (default: ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
            description = "Seed that picks the titles the queries come from (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", paramLabel = "N",
            description = "Server worker threads, 1-" + ApiServer.MAX_THREADS + " (default: max(4, 2 x cores))")
    Integer threads;

    @Option(names = "--paths", paramLabel = "LIST", split = ",", defaultValue = "shipped",
            description = {"The server's retrieval, measured in turn in one run: today (BM25 as written), typos (BM25 "
                    + "with typo tolerance), shipped (auto hybrid and typo tolerance, the defaults), hybrid (hybrid "
                    + "for every plain query) (default: ${DEFAULT-VALUE})",
                    "With --url: only the server's own (shipped)."})
    List<String> searchPaths;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "1",
            description = "Times the list of paths is measured, 1-20; with more than one, the median queries/s of "
                    + "each path and the median of the per-round ratios to the first path are printed (default: "
                    + "${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--fusion", paramLabel = "F", description = "The fusion asked for: weighted, linear, rrf, bm25 or "
            + "learned (default: none asked for, so the server's default, weighted)")
    String fusion;

    /** The fusion asked for, parsed from {@link #fusion}; null: none. */
    private Fusion asked;

    @Option(names = "--url", paramLabel = "URL",
            description = "Benchmark the server at this base URL (e.g. http://127.0.0.1:8080/) instead of starting one")
    URI url;

    @Override
    public Integer call() throws Exception {
        if (seconds < 1 || seconds > 3600) throw CliException.badInput("--seconds must be in 1-3600, got " + seconds);
        if (warmup < 0 || warmup > 600) throw CliException.badInput("--warmup must be in 0-600, got " + warmup);
        if (clients < 1 || clients > 64) throw CliException.badInput("--clients must be in 1-64, got " + clients);
        if (queries < 5 || queries > 100_000) throw CliException.badInput("--queries must be in 5-100000, got "
                + queries);
        for (int u : users) if (u < 0) throw CliException.badInput("--user must be positive, or 0 for none, got " + u);
        users = users.stream().filter(u -> u > 0).toList();
        if (url != null && (!"http".equals(url.getScheme()) || url.getPort() < 1 || !loopback(url.getHost()))) {
            throw CliException.badInput("--url must be http://<loopback address>:<port>/, got " + url);
        }
        if (rounds < 1 || rounds > 20) throw CliException.badInput("--rounds must be in 1-20, got " + rounds);
        for (String p : searchPaths) {
            if (!BenchSearchCommand.PATHS.containsKey(p)) {
                throw CliException.badInput("--paths must be a list of today, typos, shipped, hybrid, got '" + p + "'");
            }
        }
        if (url != null && !searchPaths.equals(List.of("shipped"))) {
            throw CliException.badInput("--paths measures servers started here; with --url only the server's own "
                    + "(shipped)");
        }
        try {
            asked = fusion == null ? null : Fusion.parse(fusion);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput("--" + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        Database db = dbOptions.open();
        Path dir = IndexService.ensure(Home.indexDir(), dbOptions::open, spec.commandLine().getErr());
        try (PersonalizedSearch search = new PersonalizedSearch(db, MovieSearcher.open(dir), Models.items(db))) {
            List<String> texts = new ArrayList<>();
            for (SearchBenchmark.BenchQuery q : SearchBenchmark.queries(search.searcher().allMovies(), queries, seed)) {
                texts.add(q.text());
            }
            search.listen(); // as serve does: cached user vectors stay valid until a write says otherwise
            // fails fast on an unknown user (none given: searches without a user)
            for (int u : users) search.userVector(u);
            List<String> paths = new ArrayList<>(texts.size());
            for (int i = 0; i < texts.size(); i++) {
                paths.add("/api/search?q=" + URLEncoder.encode(texts.get(i), StandardCharsets.UTF_8)
                        + (users.isEmpty() ? "" : "&user=" + users.get(i % users.size()))
                        + (asked == null ? "" : "&fusion=" + asked));
            }
            ApiServer.Options options = ApiServer.Options.loopback();
            if (threads != null) {
                try {
                    options = new ApiServer.Options(options.bind(), 0, threads, null, options.shrinkage());
                } catch (IllegalArgumentException e) {
                    throw CliException.badInput("--" + e.getMessage());
                }
            }
            out.printf(Locale.ROOT,
                    "bench http: GET /api/search, %d distinct queries from the titles (seed %d), users %s, limit 10, "
                    + "100 candidates; %d client thread(s) with keep-alive; %d s warm-up, %d s measured; "
                    + "JVM %s, %d cores%n",
                    paths.size(), seed, users, clients, warmup, seconds, System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors());
            out.printf(Locale.ROOT, "  e.g. %s%n", paths.get(0));
            out.flush();
            if (url != null) {
                out.printf(Locale.ROOT, "  server: %s (not started here)%n", url);
                out.flush();
                HttpBenchmark.Stats s = HttpBenchmark.run(url, paths, clients, warmup, seconds);
                header(out, false);
                boolean ok = row(out, null, s, search, texts, null);
                out.flush();
                return ok ? 0 : 1;
            }
            boolean ok = true;
            try (ApiServer server = ApiServer.start(options, db, search)) {
                out.printf(Locale.ROOT, "  server: %s in this process, %d worker threads%s%n", server.uri(),
                        options.threads(),
                        searchPaths.size() > 1 ? "; paths measured in turn: " + String.join(", ", searchPaths) : "");
                out.flush();
                boolean labelled = !searchPaths.equals(List.of("shipped"));
                header(out, labelled);
                double[][] qps = new double[searchPaths.size()][rounds];
                for (int round = 0; round < rounds; round++) {
                    HttpBenchmark.Stats first = null;
                    for (int i = 0; i < searchPaths.size(); i++) {
                        String p = searchPaths.get(i);
                        search.useRetrieval(BenchSearchCommand.PATHS.get(p));
                        long runs = search.retriever().encoder().misses();
                        HttpBenchmark.Stats s = HttpBenchmark.run(server.uri(), paths, clients, warmup, seconds);
                        ok &= row(out, labelled ? p : null, s, search, texts, first);
                        if (first == null) first = s;
                        qps[i][round] = s.requestsPerSecond();
                        long model = search.retriever().encoder().misses() - runs;
                        if (model > 0) {
                            out.printf(Locale.ROOT, "          query model: %d runs (%.2f ms each on average), every "
                                    + "other query vector from the cache%n", model,
                                    search.retriever().encoder().meanEncodeMillis());
                        }
                        out.flush();
                    }
                }
                if (rounds > 1) summary(out, qps);
            }
            return ok ? 0 : 1;
        }
    }

    /** Each path's median queries/s over the rounds, and the median of its per-round ratios to the first path. */
    private void summary(PrintWriter out, double[][] qps) {
        out.printf(Locale.ROOT, "over %d rounds (each path in turn per round):%n", rounds);
        for (int i = 0; i < qps.length; i++) {
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) ratios[r] = qps[i][r] / qps[0][r];
            StringBuilder per = new StringBuilder();
            for (double x : ratios) {
                per.append(per.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", x));
            }
            out.printf(Locale.ROOT, "  %-8s median %,.0f queries/s%s%n", searchPaths.get(i), median(qps[i]),
                    i == 0 ? "" : String.format(Locale.ROOT, "; median ratio to %s %.2f (per round %s)",
                    searchPaths.get(0), median(ratios), per));
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static void header(PrintWriter out, boolean labelled) {
        if (labelled) out.printf(Locale.ROOT, "%-8s", "path");
        out.printf(Locale.ROOT, "%8s  %10s  %7s  %10s  %8s  %8s  %8s  %8s  %8s%n", "clients", "requests", "errors",
                "queries/s", "p50_ms", "p90_ms", "p99_ms", "p99.9_ms", "max_ms");
    }

    /** One path's row, its in-process baseline and the target; false when a request failed. */
    private boolean row(PrintWriter out, String path, HttpBenchmark.Stats s, PersonalizedSearch search,
            List<String> texts, HttpBenchmark.Stats first) throws Exception {
        if (path != null) out.printf(Locale.ROOT, "%-8s", path);
        out.printf(Locale.ROOT, "%8d  %10d  %7d  %10.0f  %8.3f  %8.3f  %8.3f  %8.3f  %8.3f%s%n", s.clients(),
                s.requests(), s.errors(), s.requestsPerSecond(), s.p50Ms(), s.p90Ms(), s.p99Ms(), s.p999Ms(), s.maxMs(),
                first == null ? "" : String.format(Locale.ROOT, "   %.2f× the first path's queries/s",
                        s.requestsPerSecond() / first.requestsPerSecond()));
        if (s.firstError() != null) out.println("  first error: " + s.firstError());
        double[] base = inProcess(search, texts, users, asked, Math.min(10, seconds));
        out.printf(Locale.ROOT, "baseline: the same searches in-process, 1 thread, no HTTP: p50 %.3f ms, p99 %.3f ms, "
                + "%.0f queries/s%n",
                base[0], base[1], base[2]);
        boolean met = s.errors() == 0 && s.requestsPerSecond() >= 1000 && s.p99Ms() < 20;
        out.printf(Locale.ROOT, "target (2 cores): >= 1000 queries/s and p99 < 20 ms, no errors: %s%n", met ? "met"
                : "missed");
        return s.errors() == 0;
    }

    private static boolean loopback(String host) {
        try {
            return host != null && java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** p50 ms, p99 ms and queries/s of {@link PersonalizedSearch#search} called directly for about {@code seconds}. */
    private static double[] inProcess(PersonalizedSearch search, List<String> texts, List<Integer> users,
                                      Fusion fusion, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        Latencies lat = new Latencies();
        long start = System.nanoTime();
        for (int i = 0; System.nanoTime() < end && i < 1 << 20; i++) {
            long t0 = System.nanoTime();
            PersonalizedSearch.Request r = PersonalizedSearch.Request.of(texts.get(i % texts.size()),
                    users.isEmpty() ? null : users.get(i % users.size()));
            search.search(fusion == null ? r : r.withFusion(fusion));
            lat.record(System.nanoTime() - t0);
        }
        double secs = (System.nanoTime() - start) / 1e9;
        return new double[] {lat.ms(0.5), lat.ms(0.99), lat.count() / secs};
    }
}
