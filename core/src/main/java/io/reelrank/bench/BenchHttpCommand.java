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
            description = "Users the searches are personalized for, taken in turn (default: ${DEFAULT-VALUE})")
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

    @Option(names = "--fusion", paramLabel = "F", description = "The fusion asked for: learned, weighted, linear or "
            + "rrf (default: none asked for, so the server's default, learned, or weighted without a trained ranker)")
    String fusion;

    @Option(names = "--url", paramLabel = "URL",
            description = "Benchmark the server at this base URL (e.g. http://127.0.0.1:8080/) instead of starting one")
    URI url;

    @Override
    public Integer call() throws Exception {
        if (seconds < 1 || seconds > 3600) throw CliException.badInput("--seconds must be in 1-3600, got " + seconds);
        if (warmup < 0 || warmup > 600) throw CliException.badInput("--warmup must be in 0-600, got " + warmup);
        if (clients < 1 || clients > 64) throw CliException.badInput("--clients must be in 1-64, got " + clients);
        if (queries < 5 || queries > 100_000) {
            throw CliException.badInput("--queries must be in 5-100000, got " + queries);
        }
        for (int u : users) if (u < 1) throw CliException.badInput("--user must be positive, got " + u);
        if (url != null && (!"http".equals(url.getScheme()) || url.getPort() < 1 || !loopback(url.getHost()))) {
            throw CliException.badInput("--url must be http://<loopback address>:<port>/, got " + url);
        }
        Fusion asked;
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
            for (int u : users) search.userVector(u); // fails fast on an unknown user
            List<String> paths = new ArrayList<>(texts.size());
            for (int i = 0; i < texts.size(); i++) {
                paths.add("/api/search?q=" + URLEncoder.encode(texts.get(i), StandardCharsets.UTF_8) + "&user="
                        + users.get(i % users.size()) + (asked == null ? "" : "&fusion=" + asked));
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
            HttpBenchmark.Stats s;
            if (url != null) {
                out.printf(Locale.ROOT, "  server: %s (not started here)%n", url);
                out.flush();
                s = HttpBenchmark.run(url, paths, clients, warmup, seconds);
            } else {
                try (ApiServer server = ApiServer.start(options, db, search)) {
                    out.printf(Locale.ROOT, "  server: %s in this process, %d worker threads%n", server.uri(),
                            options.threads());
                    out.flush();
                    s = HttpBenchmark.run(server.uri(), paths, clients, warmup, seconds);
                }
            }
            out.printf(Locale.ROOT, "%8s  %10s  %7s  %10s  %8s  %8s  %8s  %8s  %8s%n", "clients", "requests", "errors",
                    "queries/s", "p50_ms", "p90_ms", "p99_ms", "p99.9_ms", "max_ms");
            out.printf(Locale.ROOT, "%8d  %10d  %7d  %10.0f  %8.3f  %8.3f  %8.3f  %8.3f  %8.3f%n", s.clients(),
                    s.requests(), s.errors(), s.requestsPerSecond(), s.p50Ms(), s.p90Ms(), s.p99Ms(), s.p999Ms(),
                    s.maxMs());
            if (s.firstError() != null) out.println("  first error: " + s.firstError());
            double[] base = inProcess(search, texts, users, asked, Math.min(10, seconds));
            out.printf(Locale.ROOT, "baseline: the same searches in-process, 1 thread, no HTTP: p50 %.3f ms, "
                    + "p99 %.3f ms, %.0f queries/s%n", base[0], base[1], base[2]);
            boolean met = s.errors() == 0 && s.requestsPerSecond() >= 1000 && s.p99Ms() < 20;
            out.printf(Locale.ROOT, "target (2 cores): >= 1000 queries/s and p99 < 20 ms, no errors: %s%n",
                    met ? "met" : "missed");
            out.flush();
            return s.errors() == 0 ? 0 : 1;
        }
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
                    users.get(i % users.size()));
            search.search(fusion == null ? r : r.withFusion(fusion));
            lat.record(System.nanoTime() - t0);
        }
        double secs = (System.nanoTime() - start) / 1e9;
        return new double[] {lat.ms(0.5), lat.ms(0.99), lat.count() / secs};
    }
}
