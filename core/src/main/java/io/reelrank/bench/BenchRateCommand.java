package io.reelrank.bench;

import io.reelrank.cli.CliException;
import io.reelrank.cli.DbOptions;
import io.reelrank.cli.Home;
import io.reelrank.cli.Models;
import io.reelrank.db.Database;
import io.reelrank.db.RatingSource;
import io.reelrank.http.ApiServer;
import io.reelrank.index.IndexFollower;
import io.reelrank.index.MovieSearcher;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.service.IndexService;
import io.reelrank.service.RatingService;
import io.reelrank.service.WriteSteps;
import io.reelrank.user.UserTower;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank bench rate}: the write path under load. Concurrent clients post ratings for
 * {@code --users} new users on the {@code --movies} most rated movies ({@link RateBenchmark}), over
 * HTTP to an {@link ApiServer} started in this process (real sockets, as {@code bench http}) or by
 * calling {@link RatingService} in-process, while {@code --search-clients} threads run personalized
 * searches. Each round measures the searches alone (the baseline, in the same run) and then ratings
 * and searches together; it prints ratings/s with their p50/p90/p99, searches/s beside the baseline,
 * and where the time of a rating write goes ({@link WriteSteps}: each step's total, per transaction and
 * per rating, and the index follower's work). With {@code --url} the ratings and searches go to a
 * server already running elsewhere (e.g. one built from an earlier commit: the baseline of a change,
 * measured by the same client); the movies are then the most rated of the database the database
 * options name (the same sample as the server's), the per-step breakdown and the CPU figures, which
 * only the server's process has, are not printed, and the users are deleted through that server's
 * {@code DELETE /api/users/{id}}. Otherwise the benchmark's users are deleted at the end through
 * {@link RatingService#forget}, so the database is left as it was.
 */
@Command(name = "rate", mixinStandardHelpOptions = true,
        description = {"Measure rating writes (POST /api/users/{id}/ratings) from concurrent clients, with searches",
                "meanwhile: ratings/s, p50/p90/p99, searches/s against searches alone, and the time per step of a "
                        + "write.",
                "Target on 2 cores: >= 1,000 ratings/s with p99 < 20 ms. The benchmark's users are deleted at the "
                        + "end."})
public final class BenchRateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "http",
            description = "http (a server in this process, over loopback sockets) or in-process (RatingService called "
                    + "directly) (default: ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--url", paramLabel = "URL",
            description = "Post to a server already running at URL (http://host:port/, started with --client-rate 0 "
                    + "so one address may send this much) instead of one started here; the movies are the most "
                    + "rated of the database options' database, the users are deleted through the server's DELETE "
                    + "/api/users/{id}, and the per-step breakdown is not printed (default: a server in this "
                    + "process)")
    java.net.URI url;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "32",
            description = "Rating clients, each posting as soon as its previous rating is answered, 1-256 (default: "
                    + "${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "0",
            description = "Open loop: the rating clients together offer R ratings/s on a fixed schedule, and a "
                    + "rating's latency counts from its scheduled time (a client still waiting for an answer sends "
                    + "late, and the delay counts against every rating it holds up); 0: closed loop, each client "
                    + "posting as soon as its previous rating is answered, 0-100000 (default: ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--search-clients", paramLabel = "N", defaultValue = "1",
            description = "Search clients meanwhile (personalized for 10001 and 10002), 0-64 (default: "
                    + "${DEFAULT-VALUE})")
    int searchClients;

    @Option(names = "--search-rate", paramLabel = "Q", defaultValue = "0",
            description = "Open loop for the search clients: together they offer Q searches/s on a fixed schedule "
                    + "(latency from the scheduled time), so the ratings are measured beside a known read load; 0: "
                    + "each searches as soon as its previous search is answered, which takes whatever the ratings "
                    + "leave, 0-100000 (default: ${DEFAULT-VALUE})")
    int searchRate;

    @Option(names = "--users", paramLabel = "N", defaultValue = "1000",
            description = "New users the ratings go to, taken in turn, 1-1000000 (default: ${DEFAULT-VALUE})")
    int users;

    @Option(names = "--first-user", paramLabel = "ID", defaultValue = "900000001",
            description = "The first of their ids; none may exist yet (default: ${DEFAULT-VALUE})")
    int firstUser;

    @Option(names = "--movies", paramLabel = "N", defaultValue = "100",
            description = "Rate among the N most rated movies, 1-100000 (default: ${DEFAULT-VALUE})")
    int movies;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "20",
            description = "Measured seconds of each phase, 1-3600 (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "10",
            description = "Unmeasured seconds of ratings and searches first, 0-600 (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3",
            description = "Rounds of (searches alone, ratings with searches), 1-20; medians are reported (default: "
                    + "${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "64",
            description = "Server worker threads in http mode, 1-" + ApiServer.MAX_THREADS
                    + " (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
            description = "Seed of the movies and ratings drawn (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (!mode.equals("http") && !mode.equals("in-process")) {
            throw CliException.badInput("--mode must be http or in-process, got '" + mode + "'");
        }
        check("--clients", clients, 1, 256);
        check("--search-clients", searchClients, 0, 64);
        check("--rate", rate, 0, 100_000);
        check("--search-rate", searchRate, 0, 100_000);
        check("--users", users, 1, 1_000_000);
        check("--movies", movies, 1, 100_000);
        check("--seconds", seconds, 1, 3600);
        check("--warmup", warmup, 0, 600);
        check("--rounds", rounds, 1, 20);
        check("--threads", threads, 1, ApiServer.MAX_THREADS);
        if (firstUser < 1 || (long) firstUser + users - 1 > Integer.MAX_VALUE) {
            throw CliException.badInput("--first-user must be positive with --first-user + --users - 1 <= "
                    + Integer.MAX_VALUE + ", got " + firstUser);
        }
        if (url != null && !mode.equals("http")) throw CliException.badInput("--url needs --mode http");
        if (url != null && (!"http".equals(url.getScheme()) || url.getHost() == null || url.getPort() < 1)) {
            throw CliException.badInput("--url must be http://HOST:PORT/, got '" + url + "'");
        }
        PrintWriter out = spec.commandLine().getOut();
        Database db = dbOptions.open();
        int[] popular = popularMovies(db, movies);
        if (url == null) refuseExistingUsers(db);
        else refuseExistingUsers(url);
        Path dir = IndexService.ensure(Home.indexDir(), dbOptions::open, spec.commandLine().getErr());
        if (url != null) {
            // Another process serves: this one only draws the queries from the index, and neither follows
            // the writes (the index directory may be the server's own) nor starts a writer.
            List<String> queries = new ArrayList<>();
            try (MovieSearcher searcher = MovieSearcher.open(dir)) {
                for (SearchBenchmark.BenchQuery q : SearchBenchmark.queries(searcher.allMovies(), 500, seed)) {
                    queries.add(q.text());
                }
            }
            printHeader(out, "POST /api/users/{id}/ratings to " + url, popular.length);
            List<String> paths = searchPaths(queries, List.of(10001, 10002));
            try {
                measure(out, db, null, null, RateBenchmark.http(url, true, paths, null),
                        RateBenchmark.http(url, false, paths, null), popular);
            } finally {
                cleanUp(out, url);
            }
            return 0;
        }
        try (PersonalizedSearch search = new PersonalizedSearch(db, MovieSearcher.open(dir), Models.items(db))) {
            search.listen(); // as serve does: the index and the caches follow every write
            search.awaitCurrent(600_000);
            List<Integer> searchUsers = List.of(10001, 10002);
            for (int u : searchUsers) search.userVector(u); // fails fast without the test users
            List<String> queries = new ArrayList<>();
            for (SearchBenchmark.BenchQuery q : SearchBenchmark.queries(search.searcher().allMovies(), 500, seed)) {
                queries.add(q.text());
            }
            RatingService service = new RatingService(db, search::items, search::model, UserTower.DEFAULT_SHRINKAGE,
                    dir);
            printHeader(out, mode.equals("http") ? "POST /api/users/{id}/ratings over loopback"
                    : "RatingService.rate in-process", popular.length);
            try {
                if (mode.equals("http")) {
                    // No client limit: every client here shares one address, and a rating costs 21 units.
                    ApiServer.Options o = ApiServer.Options.loopback().withWorkers(threads, ApiServer.DEFAULT_QUEUE,
                            ApiServer.DEFAULT_QUEUE_WAIT_MS).withLimits(ApiServer.Limits.DEFAULT.withCost(0, 1));
                    try (ApiServer server = ApiServer.start(o, db, search)) {
                        out.printf(Locale.ROOT, "  server: %s in this process, %d worker threads%n", server.uri(),
                                threads);
                        List<String> paths = searchPaths(queries, searchUsers);
                        measure(out, db, search, null, RateBenchmark.http(server.uri(), true, paths, null),
                                RateBenchmark.http(server.uri(), false, paths, null), popular);
                    }
                } else {
                    RateBenchmark.Actions rate = t -> (user, movie, rating) -> {
                        RatingService.Stored s = service.rate(user, movie, rating, RatingSource.API);
                        if (s.foldIn() != null) search.offerModel(s.foldIn().model());
                        search.invalidateUser(user);
                        return 200;
                    };
                    RateBenchmark.Actions find = t -> {
                        int[] next = {t * 7};
                        return (user, movie, rating) -> {
                            int i = next[0]++;
                            search.search(PersonalizedSearch.Request.of(queries.get(i % queries.size()),
                                    searchUsers.get(i % searchUsers.size())));
                            return 200;
                        };
                    };
                    measure(out, db, search, service, rate, find, popular);
                }
            } finally {
                cleanUp(out, db, search, service);
            }
        }
        return 0;
    }

    private void printHeader(PrintWriter out, String what, int movieCount) {
        String loop = rate > 0 ? String.format(Locale.ROOT, " offering %,d ratings/s together (open loop, latency "
                + "from the scheduled time)", rate) : " (closed loop)";
        String searchLoop = searchRate > 0 && searchClients > 0 ? String.format(Locale.ROOT, " offering %,d "
                + "searches/s together (open loop)", searchRate) : searchClients > 0 ? " (closed loop)" : "";
        out.printf(Locale.ROOT,
                "bench rate: %s; %d rating clients%s, %d search clients%s; %,d new users (ids %d-%d) rating "
                        + "the %d most rated movies, 0.5-5.0; %d s warm-up, %d round(s) of %d s searches alone + "
                        + "%d s ratings with searches; JVM %s, %d cores; load average %s%n",
                what, clients, loop, searchClients, searchLoop, users, firstUser, firstUser + users - 1, movieCount,
                warmup, rounds,
                seconds, seconds, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                loadAverage());
        out.flush();
    }

    private static List<String> searchPaths(List<String> queries, List<Integer> searchUsers) {
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < queries.size(); i++) {
            paths.add("/api/search?q=" + URLEncoder.encode(queries.get(i), StandardCharsets.UTF_8) + "&user="
                    + searchUsers.get(i % searchUsers.size()));
        }
        return paths;
    }

    private void measure(PrintWriter out, Database db, PersonalizedSearch search, RatingService service,
                         RateBenchmark.Actions rate, RateBenchmark.Actions find, int[] popular) throws Exception {
        if (warmup > 0) {
            out.printf(Locale.ROOT, "  warm-up: %d s of ratings and searches%n", warmup);
            out.flush();
            RateBenchmark.run(rate, find, clients, searchClients, firstUser, users, popular, warmup, seed + 99,
                    this.rate, searchRate);
        }
        out.printf(Locale.ROOT, "%5s  %-20s %9s %8s %8s %8s %8s %7s %10s %9s %9s%n", "round", "phase", "ratings/s",
                "p50_ms",
                "p90_ms", "p99_ms", "max_ms", "errors", "searches/s", "s_p50_ms", "s_p99_ms");
        double[] perSecond = new double[rounds];
        double[] singleRate = new double[rounds];
        double[] commitP99 = new double[rounds];
        double[] p99 = new double[rounds];
        double[] readRatio = new double[rounds];
        String firstError = null;
        long errors = 0;
        for (int r = 1; r <= rounds; r++) {
            RateBenchmark.Result alone = RateBenchmark.run(rate, find, 0, searchClients, firstUser, users, popular,
                    seconds, seed + r, 0, searchRate);
            row(out, r, "searches alone", alone);
            WriteSteps.PROCESS.reset();
            IndexFollower f = search == null ? null : search.indexFollower();
            IndexFollower.Work before = f == null ? null : f.work();
            double[] cpu0 = cpuMs(db);
            Map<String, Double> threads0 = threadCpuMs();
            long t0 = System.nanoTime();
            RateBenchmark.Result both = RateBenchmark.run(rate, find, clients, searchClients, firstUser, users, popular,
                    seconds, seed + 100 * r, this.rate, searchRate);
            double wall = (System.nanoTime() - t0) / 1e9;
            double[] cpu1 = cpuMs(db);
            Map<String, Double> threads1 = threadCpuMs();
            row(out, r, "ratings + searches", both);
            out.flush();
            if (f != null) breakdown(out, WriteSteps.PROCESS.snapshot(), before, f.work(), wall);
            long n = both.writes().ok();
            if (url == null && n > 0 && cpu0[1] >= 0) {
                double jvm = (cpu1[0] - cpu0[0]) / n;
                double pg = (cpu1[1] - cpu0[1]) / n;
                out.printf(Locale.ROOT,
                        "       CPU per rating (searches meanwhile included): this JVM %.2f ms + PostgreSQL %.2f ms "
                        + "= %.2f ms, so at most %.0f ratings/s on %d cores with nothing else running%n", jvm, pg, jvm
                                + pg,
                        1000.0 * Runtime.getRuntime().availableProcessors() / (jvm + pg),
                        Runtime.getRuntime().availableProcessors());
                if (!threads1.isEmpty()) {
                    out.printf(Locale.ROOT, "       this JVM's CPU per rating by thread (ms): %s%n",
                            threadBreakdown(threads0, threads1, n));
                }
            }
            if (service != null) {
                // The design before group commit, measured beside it: one rating per transaction.
                service.maxBatch(1);
                try {
                    RateBenchmark.Result single = RateBenchmark.run(rate, find, clients, searchClients, firstUser,
                            users,
                            popular, seconds, seed + 100 * r + 7, this.rate, searchRate);
                    row(out, r, "1 rating/transaction", single);
                    singleRate[r - 1] = single.writes().perSecond();
                } finally {
                    service.maxBatch(RatingService.DEFAULT_MAX_BATCH);
                }
            }
            double[] commit = durableCommits(db, Math.min(5, seconds));
            out.printf(Locale.ROOT,
                    "       baseline: a durable commit alone (one WAL flush, 1 connection, nothing else "
                    + "running): p50 %.2f ms, p99 %.2f ms, %.0f commits/s%n", commit[0], commit[1], commit[2]);
            commitP99[r - 1] = commit[1];
            perSecond[r - 1] = both.writes().perSecond();
            p99[r - 1] = both.writes().latencies().ms(0.99);
            readRatio[r - 1] = alone.reads().perSecond() > 0 ? both.reads().perSecond() / alone.reads().perSecond()
                    : Double.NaN;
            errors += both.writes().errors() + both.reads().errors() + alone.reads().errors();
            if (firstError == null) firstError = both.writes().firstError() != null ? both.writes().firstError()
                    : both.reads().firstError();
        }
        double medRate = median(perSecond);
        double medP99 = median(p99);
        out.printf(Locale.ROOT,
                "median of %d round(s): %.0f ratings/s, p99 %.1f ms; searches/s with ratings / alone: %.2f "
                + "(per round %s); load average %s%n", rounds, medRate, medP99, median(readRatio), list(readRatio),
                        loadAverage());
        if (service != null) {
            double[] ratio = new double[rounds];
            for (int i = 0; i < rounds; i++) ratio[i] = singleRate[i] > 0 ? perSecond[i] / singleRate[i] : Double.NaN;
            out.printf(Locale.ROOT, "group commit / one rating per transaction: %.1f× the ratings/s (per round %s)%n",
                    median(ratio), list(ratio));
        }
        out.printf(Locale.ROOT, "durable commit alone, p99 (median of rounds): %.2f ms%n", median(commitP99));
        if (firstError != null) out.println("  first error: " + firstError);
        boolean met = errors == 0 && Math.round(medRate) >= 1000 && medP99 < 20;
        out.printf(Locale.ROOT, "target (2 cores): >= 1000 ratings/s with p99 < 20 ms, no errors: %s%n", met ? "met"
                : "missed");
        out.flush();
    }

    private static void row(PrintWriter out, int round, String phase, RateBenchmark.Result r) {
        RateBenchmark.Side w = r.writes();
        RateBenchmark.Side s = r.reads();
        boolean writes = w.ok() + w.errors() > 0;
        out.printf(Locale.ROOT, "%5d  %-20s %9s %8s %8s %8s %8s %7d %10.0f %9.3f %9.3f%n", round, phase,
                writes ? String.format(Locale.ROOT, "%.0f", w.perSecond()) : "-",
                writes ? String.format(Locale.ROOT, "%.2f", w.latencies().ms(0.5)) : "-",
                writes ? String.format(Locale.ROOT, "%.2f", w.latencies().ms(0.9)) : "-",
                writes ? String.format(Locale.ROOT, "%.2f", w.latencies().ms(0.99)) : "-",
                writes ? String.format(Locale.ROOT, "%.2f", w.latencies().maxMs()) : "-",
                w.errors() + s.errors(), s.perSecond(), s.latencies().ms(0.5), s.latencies().ms(0.99));
    }

    /** Where the period's write time went, step by step, and what the index follower did meanwhile. */
    private static void breakdown(PrintWriter out, WriteSteps.Snapshot s, IndexFollower.Work before,
            IndexFollower.Work after,
                                  double wall) {
        double total = s.steps().stream().mapToDouble(WriteSteps.Step::totalMs).sum();
        out.printf(Locale.ROOT, "       where the time of a write goes: %,d transactions, %.1f ratings each%n",
                s.batches(),
                s.meanBatch());
        out.printf(Locale.ROOT, "       %-34s %10s %12s %13s %6s%n", "step", "total_ms", "ms/txn", "ms/rating",
                "share");
        for (WriteSteps.Step st : s.steps()) {
            out.printf(Locale.ROOT, "       %-34s %10.0f %12.3f %13.3f %5.1f%%%n", st.name(), st.totalMs(),
                    s.batches() == 0 ? 0 : st.totalMs() / s.batches(), s.ratings() == 0 ? 0
                            : st.totalMs() / s.ratings(),
                    total == 0 ? 0 : 100 * st.totalMs() / total);
        }
        long passes = after.passes() - before.passes();
        double ms = after.millis() - before.millis();
        out.printf(Locale.ROOT,
                "       index follower (its own thread): %,d passes, %,d movie entries re-read, %.0f ms "
                        + "(%.0f%% of the period), %.2f ms per pass%n", passes, after.movies() - before.movies(), ms,
                100 * ms / 1000 / wall, passes == 0 ? 0 : ms / passes);
    }

    /**
     * p50 ms, p99 ms and commits/s of transactions that only take an id and commit with
     * {@code synchronous_commit = on}, one after another on one connection, for about {@code seconds}:
     * what the disk makes a durable commit cost right now.
     */
    private static double[] durableCommits(Database db, int seconds) throws Exception {
        Latencies lat = new Latencies();
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        try (Connection c = db.connect(); java.sql.Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            while (System.nanoTime() < end) {
                long t0 = System.nanoTime();
                st.execute("SET LOCAL synchronous_commit = on");
                try (ResultSet rs = st.executeQuery("SELECT txid_current()")) {
                    rs.next();
                }
                c.commit();
                lat.record(System.nanoTime() - t0);
            }
            c.setAutoCommit(true);
        }
        return new double[] {lat.ms(0.5), lat.ms(0.99), lat.count() / ((System.nanoTime() - start) / 1e9)};
    }

    /**
     * CPU time used so far, in ms: by this JVM, and by the private cluster's PostgreSQL processes
     * (the postmaster and its children), both read from /proc (-1 for an external database, or where
     * there is no /proc).
     */
    private static double[] cpuMs(Database db) {
        double jvm;
        try {
            jvm = procTicks(Files.readString(Path.of("/proc/self/stat"))) * 10.0; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            jvm = -1;
        }
        double pg = -1;
        try {
            if (db.cluster() != null) {
                java.nio.file.Path pidFile = db.cluster().dataDirectory().resolve("postmaster.pid");
                long postmaster = Long.parseLong(Files.readAllLines(pidFile).get(0).strip());
                long ticks = 0;
                try (var dirs = Files.list(Path.of("/proc"))) {
                    for (Path d : (Iterable<Path>) dirs::iterator) {
                        String name = d.getFileName().toString();
                        if (!name.chars().allMatch(Character::isDigit)) continue;
                        String stat;
                        try {
                            stat = Files.readString(d.resolve("stat"));
                        } catch (IOException e) {
                            continue; // the process ended meanwhile
                        }
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        long pid = Long.parseLong(name);
                        if (pid == postmaster || Long.parseLong(f[1]) == postmaster) ticks += procTicks(stat);
                    }
                }
                pg = ticks * 10.0; // USER_HZ is 100 on Linux
            }
        } catch (IOException | RuntimeException e) {
            pg = -1;
        }
        return new double[] {jvm, pg};
    }

    /** utime + stime of a /proc/PID/stat line, in clock ticks (fields 14 and 15, counted after the command's ")"). */
    /**
     * CPU time (ms) of this process's threads grouped by name, numbers dropped ({@code reelrank-http-3}
     * and {@code reelrank-http-9} are one group, as are the JIT compiler's and the garbage collector's
     * threads), from {@code /proc/self/task}; empty where that is not readable.
     */
    static Map<String, Double> threadCpuMs() {
        Map<String, Double> out = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(t.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String group = name.replaceAll("[#\\s]*\\d+$", "").replaceAll("[-_ ]+$", "");
                out.merge(group, procTicks(stat) * 10.0, Double::sum); // USER_HZ is 100 on Linux
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return out;
    }

    /** The groups' CPU per rating between two {@link #threadCpuMs} snapshots, largest first, at most 8 named. */
    static String threadBreakdown(Map<String, Double> before, Map<String, Double> after, long ratings) {
        List<Map.Entry<String, Double>> d = new ArrayList<>();
        for (Map.Entry<String, Double> e : after.entrySet()) {
            double ms = e.getValue() - before.getOrDefault(e.getKey(), 0.0);
            if (ms > 0) d.add(Map.entry(e.getKey(), ms / ratings));
        }
        d.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
        StringBuilder sb = new StringBuilder();
        double rest = 0;
        for (int i = 0; i < d.size(); i++) {
            if (i < 8) {
                sb.append(i == 0 ? "" : ", ").append(d.get(i).getKey()).append(' ')
                        .append(String.format(Locale.ROOT, "%.2f", d.get(i).getValue()));
            } else {
                rest += d.get(i).getValue();
            }
        }
        if (rest > 0) sb.append(String.format(Locale.ROOT, ", other threads %.2f", rest));
        return sb.toString();
    }

    private static long procTicks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private void cleanUp(PrintWriter out, Database db, PersonalizedSearch search,
            RatingService service) throws Exception {
        List<Integer> ids = new ArrayList<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT user_id FROM users WHERE user_id BETWEEN ? AND ? ORDER BY user_id")) {
            ps.setInt(1, firstUser);
            ps.setInt(2, firstUser + users - 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) ids.add(rs.getInt(1));
            }
        }
        long t0 = System.nanoTime();
        List<RatingService.Forgotten> gone = service.forget(ids);
        long ratings = gone.stream().mapToLong(RatingService.Forgotten::ratings).sum();
        // The follower applies the deletions' notifications to the index; wait for it before closing.
        IndexFollower f = search.indexFollower();
        long deadline = System.nanoTime() + 120_000_000_000L;
        Thread.sleep(200);
        while (f.busy() && System.nanoTime() < deadline) Thread.sleep(20);
        out.printf(Locale.ROOT,
                "clean-up: deleted the %,d benchmark users and their %,d ratings (users delete's path) in "
                + "%.1f s%n", gone.size(), ratings, (System.nanoTime() - t0) / 1e9);
        out.flush();
    }

    /** The server's answer to a GET or DELETE of one user: its status. */
    private static int userRequest(java.net.http.HttpClient http, java.net.URI base, String method, int user)
            throws Exception {
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(base.resolve("/api/users/" + user))
                .timeout(java.time.Duration.ofSeconds(30)).method(method,
                        java.net.http.HttpRequest.BodyPublishers.noBody()).build();
        return http.send(request, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private void refuseExistingUsers(java.net.URI base) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (int u = firstUser; u < firstUser + users; u++) {
            int status = userRequest(http, base, "GET", u);
            if (status != 404) {
                throw CliException.badInput("GET /api/users/" + u + " on " + base + " answered " + status
                        + " (404 expected: the benchmark's users must be new); choose another --first-user");
            }
        }
    }

    /** Deletes the benchmark's users through the server's own path (DELETE /api/users/{id}; 404: never rated). */
    private void cleanUp(PrintWriter out, java.net.URI base) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        long t0 = System.nanoTime();
        int deleted = 0;
        for (int u = firstUser; u < firstUser + users; u++) {
            int status = userRequest(http, base, "DELETE", u);
            if (status == 200 || status == 204) deleted++;
            else if (status != 404) out.printf(Locale.ROOT, "clean-up: DELETE /api/users/%d answered %d%n", u, status);
        }
        out.printf(Locale.ROOT, "clean-up: deleted %,d benchmark users through %s in %.1f s%n", deleted, base,
                (System.nanoTime() - t0) / 1e9);
        out.flush();
    }

    private void refuseExistingUsers(Database db) throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT (SELECT count(*) FROM users WHERE user_id BETWEEN ? AND ?) + (SELECT count(*) FROM ratings "
                        + "WHERE user_id BETWEEN ? AND ?)")) {
            int last = firstUser + users - 1;
            ps.setInt(1, firstUser);
            ps.setInt(2, last);
            ps.setInt(3, firstUser);
            ps.setInt(4, last);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    throw CliException.badInput("users " + firstUser + "-" + last
                            + " exist already (a benchmark run that was "
                            + "killed?): delete them with `reelrank users delete ID`, or choose another --first-user");
                }
            }
        }
    }

    private static int[] popularMovies(Database db, int n) throws Exception {
        List<Integer> ids = new ArrayList<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT movie_id FROM movies ORDER BY rating_count DESC, movie_id LIMIT ?")) {
            ps.setInt(1, n);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) ids.add(rs.getInt(1));
            }
        }
        if (ids.isEmpty()) throw new CliException(1, "the movies table is empty: run `reelrank ingest` first");
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void check(String name, int v, int lo, int hi) {
        if (v < lo || v > hi) throw CliException.badInput(name + " must be in " + lo + "-" + hi + ", got " + v);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
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
