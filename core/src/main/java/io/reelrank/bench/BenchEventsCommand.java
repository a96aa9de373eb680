package io.reelrank.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelrank.cli.CliException;
import io.reelrank.cli.DbOptions;
import io.reelrank.cli.Home;
import io.reelrank.cli.Models;
import io.reelrank.db.Database;
import io.reelrank.http.ApiServer;
import io.reelrank.index.MovieSearcher;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.service.Access;
import io.reelrank.service.IndexService;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank bench events}: the events API under load. It first searches ({@code --requests}
 * anonymous searches) to get real request ids and what each showed, then {@code --clients} clients post
 * batches of {@code --batch} impressions and clicks naming them ({@code POST /api/events}, each batch
 * answered once committed) while {@code --search-clients} run personalized searches. Each round measures
 * the searches alone (the baseline, in the same run), then events with searches; it prints events/s, the
 * p50/p99 of a batch's answer, and searches/s beside the baseline. The events the server answered 200 are
 * counted in the table afterwards (they must all be there), then deleted with the request log rows of the
 * benchmark's searches. With {@code --url} the load goes to a server already running (started with
 * {@code --client-rate 0}; {@code REELRANK_API_TOKEN}, when set, is sent as the key), over the database
 * the database options name.
 */
@Command(name = "events", mixinStandardHelpOptions = true,
        description = {"Measure POST /api/events (batches of impressions and clicks naming real request ids) from "
                + "concurrent clients, with searches meanwhile: events/s, p50/p99 per batch, searches/s against "
                + "searches alone.",
                "Target on 2 cores: >= 10,000 events/s with searches answering meanwhile. The benchmark's events "
                        + "and request log rows are deleted at the end."})
public final class BenchEventsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--url", paramLabel = "URL",
            description = "Post to a server already running at URL (http://host:port/, started with --client-rate 0) "
                    + "instead of one started here (default: a server in this process)")
    URI url;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "8",
            description = "Event clients, each posting its next batch as soon as the last is answered, 1-256 "
                    + "(default: ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "200",
            description = "Events per posted batch, half impressions of 10 movies, half clicks, 1-1000 (default: "
                    + "${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--search-clients", paramLabel = "N", defaultValue = "1",
            description = "Search clients meanwhile (personalized for 10001 and 10002), 0-64 (default: "
                    + "${DEFAULT-VALUE})")
    int searchClients;

    @Option(names = "--requests", paramLabel = "N", defaultValue = "200",
            description = "Searches made first for the request ids the events name, 1-100000 (default: "
                    + "${DEFAULT-VALUE})")
    int requests;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "10",
            description = "Measured seconds of each phase, 1-3600 (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "5",
            description = "Unmeasured seconds of events and searches first, 0-600 (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3",
            description = "Rounds of (searches alone, events with searches), 1-20; medians are reported (default: "
                    + "${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "32",
            description = "Server worker threads of the server started here, 1-" + ApiServer.MAX_THREADS
                    + " (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
            description = "Seed of the queries drawn (default: ${DEFAULT-VALUE})")
    long seed;

    static final int READ_TIMEOUT_MS = 60_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A served answer the events name: its id and the movies it showed. */
    record Served(String requestId, int[] movies) {}

    /** One phase's figures: batches answered 200 and their latencies, events in them, searches, errors. */
    record Phase(long batches, long events, Latencies batchLatency, long searches, Latencies searchLatency,
                 long errors, String firstError, double seconds) {
        double eventsPerSecond() {
            return events / seconds;
        }

        double searchesPerSecond() {
            return searches / seconds;
        }
    }

    @Override
    public Integer call() throws Exception {
        check("--clients", clients, 1, 256);
        check("--batch", batch, 1, 1000);
        check("--search-clients", searchClients, 0, 64);
        check("--requests", requests, 1, 100_000);
        check("--seconds", seconds, 1, 3600);
        check("--warmup", warmup, 0, 600);
        check("--rounds", rounds, 1, 20);
        check("--threads", threads, 1, ApiServer.MAX_THREADS);
        if (url != null && (!"http".equals(url.getScheme()) || url.getHost() == null || url.getPort() < 1)) {
            throw CliException.badInput("--url must be http://HOST:PORT/, got '" + url + "'");
        }
        PrintWriter out = spec.commandLine().getOut();
        Database db = dbOptions.open();
        Path dir = IndexService.ensure(Home.indexDir(), dbOptions::open, spec.commandLine().getErr());
        List<String> queries = new ArrayList<>();
        try (MovieSearcher searcher = MovieSearcher.open(dir)) {
            for (SearchBenchmark.BenchQuery q : SearchBenchmark.queries(searcher.allMovies(), 500, seed)) {
                queries.add(q.text());
            }
        }
        String run = HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        String bearer = System.getenv("REELRANK_API_TOKEN");
        if (url != null) {
            measure(out, db, url, bearer, queries, run, "POST /api/events to " + url);
            return 0;
        }
        try (PersonalizedSearch search = new PersonalizedSearch(db, MovieSearcher.open(dir), Models.items(db))) {
            search.listen();
            search.awaitCurrent(600_000);
            // No client limit: every client here shares one address.
            ApiServer.Options o = ApiServer.Options.loopback().withWorkers(threads, ApiServer.DEFAULT_QUEUE,
                    ApiServer.DEFAULT_QUEUE_WAIT_MS).withLimits(ApiServer.Limits.DEFAULT.withCost(0, 1));
            try (ApiServer server = ApiServer.start(o, db, search, Access.Policy.OPEN)) {
                measure(out, db, server.uri(), null, queries, run, "POST /api/events over loopback to a server in "
                        + "this process (" + threads + " worker threads, event queue "
                        + server.events().capacity() + ")");
            }
        }
        return 0;
    }

    private void measure(PrintWriter out, Database db, URI base, String bearer, List<String> queries, String run,
                         String what) throws Exception {
        out.printf(Locale.ROOT, "bench events: %s; %d event clients x %d events per batch, %d search clients; "
                + "%d s warm-up, %d round(s) of %d s searches alone + %d s events with searches; JVM %s, %d cores; "
                + "load average %s%n", what, clients, batch, searchClients, warmup, rounds, seconds, seconds,
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), loadAverage());
        out.flush();
        List<Served> served = serve(base, bearer, queries);
        out.printf(Locale.ROOT, "  %d searches made for their request ids (%d results each at most)%n", served.size(),
                10);
        List<String> searchPaths = new ArrayList<>();
        for (int i = 0; i < queries.size(); i++) {
            searchPaths.add("/api/search?q=" + URLEncoder.encode(queries.get(i), StandardCharsets.UTF_8) + "&user="
                    + (i % 2 == 0 ? 10001 : 10002));
        }
        long answered = 0;
        try {
            if (warmup > 0) {
                out.printf(Locale.ROOT, "  warm-up: %d s of events and searches%n", warmup);
                out.flush();
                answered += run(base, bearer, served, searchPaths, clients, warmup, run + "w").events();
            }
            out.printf(Locale.ROOT, "%5s  %-20s %9s %9s %9s %9s %7s %10s %9s %9s%n", "round", "phase", "events/s",
                    "batches/s", "b_p50_ms", "b_p99_ms", "errors", "searches/s", "s_p50_ms", "s_p99_ms");
            double[] rate = new double[rounds];
            double[] p99 = new double[rounds];
            double[] ratio = new double[rounds];
            double[] meanwhile = new double[rounds];
            long errors = 0;
            String firstError = null;
            for (int r = 1; r <= rounds; r++) {
                Phase alone = run(base, bearer, served, searchPaths, 0, seconds, run + "a" + r);
                row(out, r, "searches alone", alone);
                Phase both = run(base, bearer, served, searchPaths, clients, seconds, run + "r" + r);
                row(out, r, "events + searches", both);
                out.flush();
                answered += both.events();
                rate[r - 1] = both.eventsPerSecond();
                p99[r - 1] = both.batchLatency().ms(0.99);
                meanwhile[r - 1] = both.searchesPerSecond();
                ratio[r - 1] = alone.searchesPerSecond() > 0 ? both.searchesPerSecond() / alone.searchesPerSecond()
                        : Double.NaN;
                errors += alone.errors() + both.errors();
                if (firstError == null) firstError = both.firstError() != null ? both.firstError() : alone.firstError();
            }
            out.printf(Locale.ROOT, "median of %d round(s): %.0f events/s (p99 per batch of %d: %.1f ms), %.1f "
                    + "searches/s meanwhile = %.2f of searches alone (per round %s); load average %s%n", rounds,
                    median(rate), batch, median(p99), median(meanwhile), median(ratio), list(ratio), loadAverage());
            if (firstError != null) out.println("  first error: " + firstError);
            boolean met = errors == 0 && median(rate) >= 10_000 && median(meanwhile) > 0;
            out.printf(Locale.ROOT, "target (2 cores): >= 10000 events/s with searches answering meanwhile, no "
                    + "errors: %s%n", met ? "met" : "missed");
        } finally {
            cleanUp(out, db, run, served, answered);
        }
        out.flush();
    }

    /** Anonymous searches for the request ids (and shown movies) the events name. */
    private List<Served> serve(URI base, String bearer, List<String> queries) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<Served> out = new ArrayList<>();
        for (int i = 0; out.size() < requests && i < requests * 10; i++) {
            String q = queries.get(i % queries.size());
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/api/search?limit=10&q="
                    + URLEncoder.encode(q, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(60)).GET();
            if (bearer != null) b.header("Authorization", "Bearer " + bearer);
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new CliException(1, "GET /api/search on " + base + " answered " + r.statusCode() + ": "
                        + r.body());
            }
            JsonNode a = JSON.readTree(r.body());
            if (!a.hasNonNull("request_id")) {
                throw new CliException(1, "the server at " + base + " answers searches without a request_id: it "
                        + "predates the events API");
            }
            JsonNode res = a.get("results");
            if (res.size() < 2) continue;
            int[] movies = new int[res.size()];
            for (int k = 0; k < movies.length; k++) movies[k] = res.get(k).get("movie_id").asInt();
            out.add(new Served(a.get("request_id").asText(), movies));
        }
        if (out.isEmpty()) throw new CliException(1, "no search answered with two results or more");
        return out;
    }

    /**
     * One phase of {@code seconds}: {@code eventClients} threads posting batches and the search clients
     * searching, each on its own kept-alive connection; event ids are {@code bench-<tag>-<client>-<n>}.
     */
    private Phase run(URI base, String bearer, List<Served> served, List<String> searchPaths, int eventClients,
                      int secs, String tag) throws InterruptedException {
        String host = "Host: " + base.getHost() + ":" + base.getPort() + "\r\n";
        String auth = bearer == null ? "" : "Authorization: Bearer " + bearer + "\r\n";
        long end = System.nanoTime() + secs * 1_000_000_000L;
        int n = eventClients + searchClients;
        long[] count = new long[n];
        long[] errors = new long[n];
        Latencies[] lat = new Latencies[n];
        AtomicReference<String> firstError = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int t = 0; t < n; t++) {
            int id = t;
            boolean events = t < eventClients;
            lat[t] = new Latencies();
            Thread th = new Thread(() -> {
                KeepAliveConnection c = new KeepAliveConnection(base.getHost(), base.getPort(), READ_TIMEOUT_MS);
                StringBuilder body = new StringBuilder(batch * 160);
                try {
                    for (int k = id * 7; System.nanoTime() < end; k++) {
                        byte[] request;
                        if (events) {
                            byte[] b = batchBody(body, served, tag + "-" + id + "-" + k, k).getBytes(
                                    StandardCharsets.UTF_8);
                            request = concat(("POST /api/events HTTP/1.1\r\n" + host + auth + "Content-Type: "
                                    + "application/json\r\nContent-Length: " + b.length + "\r\n\r\n")
                                    .getBytes(StandardCharsets.US_ASCII), b);
                        } else {
                            request = ("GET " + searchPaths.get(k % searchPaths.size()) + " HTTP/1.1\r\n" + host + auth
                                    + "Accept: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                        }
                        long s = System.nanoTime();
                        int status;
                        try {
                            status = c.send(request);
                        } catch (IOException e) {
                            status = -1;
                            firstError.compareAndSet(null, e.getMessage());
                        }
                        if (status == 200) {
                            lat[id].record(System.nanoTime() - s);
                            count[id] += events ? batch : 1;
                        } else {
                            errors[id]++;
                            if (status > 0) firstError.compareAndSet(null, "HTTP " + status);
                        }
                    }
                } finally {
                    c.close();
                }
            }, "bench-events-" + t);
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) th.join();
        double wall = (System.nanoTime() - t0) / 1e9;
        long ev = 0;
        long se = 0;
        long err = 0;
        Latencies b = new Latencies();
        Latencies s = new Latencies();
        for (int t = 0; t < n; t++) {
            err += errors[t];
            if (t < eventClients) {
                ev += count[t];
                merge(b, lat[t]);
            } else {
                se += count[t];
                merge(s, lat[t]);
            }
        }
        return new Phase(b.count(), ev, b, se, s, err, firstError.get(), wall);
    }

    /** A batch of {@link #batch} events naming one served answer: impressions of all it showed and clicks. */
    private String batchBody(StringBuilder b, List<Served> served, String prefix, int k) {
        Served s = served.get(Math.floorMod(k * 31, served.size()));
        b.setLength(0);
        b.append("{\"events\": [");
        for (int i = 0; i < batch; i++) {
            if (i > 0) b.append(", ");
            b.append("{\"id\": \"bench-").append(prefix).append('-').append(i).append("\", \"request_id\": \"")
                    .append(s.requestId());
            if (i % 2 == 0) {
                b.append("\", \"type\": \"impression\", \"movie_ids\": [");
                for (int p = 0; p < s.movies().length; p++) b.append(p == 0 ? "" : ", ").append(s.movies()[p]);
                b.append("], \"positions\": [");
                for (int p = 0; p < s.movies().length; p++) b.append(p == 0 ? "" : ", ").append(p + 1);
                b.append("]}");
            } else {
                int p = 1 + (i / 2) % s.movies().length;
                b.append("\", \"type\": \"click\", \"movie_id\": ").append(s.movies()[p - 1]).append(", \"position\": ")
                        .append(p).append('}');
            }
        }
        return b.append("]}").toString();
    }

    /** Counts the benchmark's stored events (every one answered 200 must be there), then deletes its rows. */
    private static void cleanUp(PrintWriter out, Database db, String run, List<Served> served, long answered)
            throws Exception {
        long stored;
        long t0 = System.nanoTime();
        try (Connection c = db.connect()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM events WHERE event_id LIKE ?")) {
                ps.setString(1, "bench-" + run + "%");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    stored = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM events WHERE event_id LIKE ?")) {
                ps.setString(1, "bench-" + run + "%");
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM request_log WHERE request_id = ANY (?::uuid[])")) {
                ps.setArray(1, c.createArrayOf("text", served.stream().map(Served::requestId).toArray()));
                ps.executeUpdate();
            }
        }
        out.printf(Locale.ROOT, "stored: %,d events in the table, %,d answered 200 by the server (%s); clean-up: "
                + "deleted them and the %d searches' request log rows in %.1f s%n", stored, answered,
                stored >= answered ? "none lost" : "LOST " + (answered - stored), served.size(),
                (System.nanoTime() - t0) / 1e9);
        out.flush();
    }

    private static void merge(Latencies into, Latencies from) {
        into.add(from);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void row(PrintWriter out, int round, String phase, Phase p) {
        boolean events = p.batches() > 0;
        out.printf(Locale.ROOT, "%5d  %-20s %9s %9s %9s %9s %7d %10.0f %9.3f %9.3f%n", round, phase,
                events ? String.format(Locale.ROOT, "%.0f", p.eventsPerSecond()) : "-",
                events ? String.format(Locale.ROOT, "%.1f", p.batches() / p.seconds()) : "-",
                events ? String.format(Locale.ROOT, "%.2f", p.batchLatency().ms(0.5)) : "-",
                events ? String.format(Locale.ROOT, "%.2f", p.batchLatency().ms(0.99)) : "-",
                p.errors(), p.searchesPerSecond(), p.searchLatency().ms(0.5), p.searchLatency().ms(0.99));
    }

    private static void check(String name, int v, int lo, int hi) {
        if (v < lo || v > hi) throw CliException.badInput(name + " must be in " + lo + "-" + hi + ", got " + v);
    }

    private static double median(double[] v) {
        return BenchRateCommand.median(v);
    }

    private static String list(double[] v) {
        StringBuilder b = new StringBuilder();
        for (double x : v) b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", x));
        return b.toString();
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
