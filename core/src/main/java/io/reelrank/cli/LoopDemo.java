package io.reelrank.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelrank.db.Database;
import io.reelrank.db.DbSettings;
import io.reelrank.db.ScratchDatabase;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code reelrank demo --loop}: learning from use end to end, each stage a {@code reelrank} command run
 * as a child process and printed as it runs, so every stage can be repeated by hand. On a generated set
 * (its users' latent tastes known) in a scratch database {@code <db>_loop} beside the real one and a
 * home of its own ({@code var/loop}): generate, load and train from the ratings, serve, then
 * <ol>
 *   <li>interleave BM25 with the learned ranker while the simulated audience searches and clicks, and
 *       read the experiment's verdict;</li>
 *   <li>let the audience search under that learned ranker (its answers log the ranking features), train
 *       rankers from the logged clicks with and without the position debiasing, and interleave the
 *       weighted fusion with the debiased one;</li>
 *   <li>measure each ranker against the audience's latent truth: the same sessions (same seed) served
 *       by each, the latent NDCG@10 of what was shown.</li>
 * </ol>
 * The real database and index are never touched. The verdicts are summed up at the end.
 */
final class LoopDemo {

    /**
     * How much of everything: the generated set (ratings, and movies, 0 for the generator's own scaling),
     * the audience and its sessions per stage, and the options of the first {@code train}.
     */
    record Size(int ratings, int movies, int users, int experimentSessions, int clickSessions, int truthSessions,
                List<String> train) {
        static final Size FULL = new Size(100_000, 0, 200, 1_000, 5_000, 1_000, List.of());
        /** Fewer movies to embed and one collaborative setting instead of three. */
        static final Size QUICK = new Size(10_000, 1_500, 60, 300, 800, 200, List.of("--als-alpha", "1"));
    }

    /** Lines of a failed child's output quoted in the error. */
    private static final int TAIL = 15;
    /** A line the loop leaves in the child's log: a stage's details (indented 6 or more) and progress bars. */
    private static final Pattern DETAIL = Pattern.compile("^ {6}|ETA \\d|\\d%\\)$");
    private static final Pattern SERVING = Pattern.compile("serving on (http://\\S+/)");
    private static final Pattern RANKER = Pattern.compile("search ranker version (\\d+)");
    private static final Pattern LATENT = Pattern.compile(
            "latent NDCG@10 of what was shown.*?\\): ([0-9.]+) against the best order of the shown movies, ([0-9.]+)");
    private static final Pattern SIGN = Pattern.compile("sign test[^\\n]*p = ([0-9.eE+-]+)");
    private static final Pattern WINS = Pattern.compile("wins: A ([0-9,]+), B ([0-9,]+), ties ([0-9,]+)");
    private static final Pattern DELTA = Pattern.compile("Δ_AB = ([+-][0-9.]+), 95% interval (\\[[^]]+\\])");
    private static final Pattern UNTIL = Pattern.compile("impressions until p < 0.01: ([^\\n]+)");
    private static final Pattern WINNER = Pattern.compile("^(winner: [^\\n]+|no winner[^\\n]*)", Pattern.MULTILINE);
    private static final Pattern PASSWORD = Pattern.compile("(?i)(password=)[^&\\s]*");

    private final Database main;
    private final Path home;
    private final Path vocabulary;
    private final Size size;
    private final long seed;
    private final boolean keep;
    private final List<String> java;
    private final PrintWriter out;
    private final Map<String, String> summary = new LinkedHashMap<>();
    private int stage;
    private int children;
    private final int stages = 7;

    /**
     * @param main       the real database, beside which the scratch database is made
     * @param home       the children's REELRANK_HOME (index, embeddings, logs, plots)
     * @param vocabulary the MovieLens directory the generator draws its titles and tags from
     * @param java       the command that starts {@code reelrank} in a new JVM, up to the subcommand
     */
    LoopDemo(Database main, Path home, Path vocabulary, Size size, long seed, boolean keep, List<String> java,
             PrintWriter out) {
        this.main = main;
        this.home = home;
        this.vocabulary = vocabulary;
        this.size = size;
        this.seed = seed;
        this.keep = keep;
        this.java = List.copyOf(java);
        this.out = out;
    }

    /** The verdicts, by name, once {@link #run} returned. */
    Map<String, String> summary() {
        return summary;
    }

    void run() throws Exception {
        long t0 = System.nanoTime();
        Files.createDirectories(home);
        // What an earlier loop left (another seed or size: its embeddings, index and logs) is not this one's.
        for (String old : List.of("var", "logs")) ChildProcesses.deleteTree(home.resolve(old));
        Path gen = home.resolve("gen");
        try (ScratchDatabase scratch = new ScratchDatabase(main, "loop", keep)) {
            DbSettings s = scratch.settings();
            List<String> db = new ArrayList<>(List.of("--db-url", s.url()));
            if (s.user() != null) db.addAll(List.of("--db-user", s.user()));
            Map<String, String> env = new LinkedHashMap<>();
            env.put("REELRANK_HOME", home.toString());
            if (s.password() != null) env.put("PGPASSWORD", s.password());
            out.printf(Locale.ROOT, "loop: %,d generated ratings, seed %d; scratch database %s%s, home %s%n",
                    size.ratings(), seed, scratch.name(), keep ? " (kept)" : " (dropped at the end)", home);

            begin("a generated set with known tastes, loaded and trained from its ratings");
            List<String> generate = new ArrayList<>(List.of("generate", "--ratings", Integer.toString(size.ratings()),
                    "--seed", Long.toString(seed), "--out", gen.toString(), "--force", "--vocabulary",
                    vocabulary.toString()));
            if (size.movies() > 0) generate.addAll(List.of("--movies", Integer.toString(size.movies())));
            run(env, generate);
            run(env, with(db, "ingest", "--data-dir", gen.toString(), "--force"));
            run(env, with(db, "embed"));
            run(env, with(db, "embed", "--load"));
            run(env, with(db, "index"));
            String trained = run(env, plus(with(db, "train"), size.train().toArray(String[]::new)));
            int fromRatings = version(trained, "train");

            begin("serve");
            // Seeded request ids: interleaving's coin flips, seeded by them, replay for the same seed.
            try (Server server = serve(env, with(db, "serve", "--port", "0", "--client-rate", "0",
                    "--request-id-seed", Long.toString(seed)))) {
                String url = server.url();
                List<String> audience = List.of("simulate", "--url", url, "--data-dir", gen.toString(), "--users",
                        Integer.toString(size.users()), "--rate-probability", "0");

                begin("interleaving: BM25 (A) against the learned ranker trained on ratings (B)");
                String first = experiment(env, db, "bm25", "learned:" + fromRatings, audience,
                        home.resolve("bm25-vs-learned.png"), seed + 1);
                summary.put("BM25 vs learned (ratings)", verdict(first));

                // Served by the learned ranker: its answers log the ranking features the clicks train on.
                begin("clicks: the audience searches under the learned ranker, its impressions and clicks logged");
                run(env, plus(audience, "--sessions", Integer.toString(size.clickSessions()), "--seed",
                        Long.toString(seed + 2), "--fusion", "learned"));

                begin("rankers trained on the logged clicks, with and without the position debiasing");
                int debiased = version(run(env, with(db, "train", "--judgments-from", "clicks")), "train");
                int raw = version(run(env, with(db, "train", "--judgments-from", "clicks", "--no-debias")), "train");

                begin("interleaving: weighted fusion (A) against the ranker trained on debiased clicks (B)");
                String second = experiment(env, db, "weighted", "learned:" + debiased, audience,
                        home.resolve("weighted-vs-clicks.png"), seed + 3);
                summary.put("weighted vs learned (debiased clicks)", verdict(second));

                begin("the latent truth: the same " + size.truthSessions() + " sessions served by each ranker");
                Map<String, String> rankers = new LinkedHashMap<>();
                rankers.put("bm25", "bm25");
                rankers.put("weighted", "weighted");
                rankers.put("learned (ratings), version " + fromRatings, "learned:" + fromRatings);
                rankers.put("learned (debiased clicks), version " + debiased, "learned:" + debiased);
                rankers.put("learned (clicks, not debiased), version " + raw, "learned:" + raw);
                Map<String, double[]> perSession = new LinkedHashMap<>();
                for (Map.Entry<String, String> r : rankers.entrySet()) {
                    Path sessions = home.resolve("truth-" + r.getValue().replace(':', '-') + ".jsonl");
                    List<String> args = plus(audience, "--sessions", Integer.toString(size.truthSessions()), "--seed",
                            Long.toString(seed + 4), "--no-events", "--sessions-out", sessions.toString());
                    String arm = r.getValue();
                    if (arm.startsWith("learned:")) {
                        run(env, with(db, "model", "activate", arm.substring("learned:".length())));
                        server.awaitRanker(Integer.parseInt(arm.substring("learned:".length())));
                        args.addAll(List.of("--fusion", "learned"));
                    } else {
                        args.addAll(List.of("--fusion", arm));
                    }
                    Matcher m = LATENT.matcher(run(env, args));
                    if (!m.find()) throw new CliException(1, "simulate printed no latent NDCG@10 for " + r.getKey());
                    summary.put("latent NDCG@10, " + r.getKey(), m.group(2) + " (shown order " + m.group(1) + ")");
                    perSession.put(r.getValue(), catalogueNdcg(sessions));
                }
                String ratings = "learned:" + fromRatings;
                String clicks = "learned:" + debiased;
                summary.put("paired: learned (ratings) − bm25", paired(perSession, ratings, "bm25"));
                summary.put("paired: learned (debiased clicks) − weighted", paired(perSession, clicks, "weighted"));
                summary.put("paired: debiased − not debiased clicks", paired(perSession, clicks, "learned:" + raw));
            }
        }
        out.printf(Locale.ROOT, "%nthe loop's verdicts (seed %d, %,d ratings):%n", seed, size.ratings());
        for (Map.Entry<String, String> e : summary.entrySet()) {
            out.printf(Locale.ROOT, "  %-58s %s%n", e.getKey(), e.getValue());
        }
        out.printf(Locale.ROOT, "latent NDCG@10: of the 10 shown against the best 10 catalogue movies the query "
                + "matches (the shown movies' best order in brackets); logs and plots in %s%n", home);
        out.printf(Locale.ROOT, "loop done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        out.flush();
    }

    private void begin(String what) {
        out.printf(Locale.ROOT, "%n[%d/%d] %s%n", ++stage, stages, what);
        out.flush();
    }

    /** Starts an interleaving experiment, plays the audience against it, reports and stops it. */
    private String experiment(Map<String, String> env, List<String> db, String a, String b, List<String> audience,
                              Path plot, long sessionSeed) throws Exception {
        run(env, with(db, "experiment", "start", "--a", a, "--b", b));
        try {
            run(env, plus(audience, "--sessions", Integer.toString(size.experimentSessions()), "--seed",
                    Long.toString(sessionSeed)));
            return run(env, with(db, "experiment", "report", "--plot", plot.toString()));
        } finally {
            run(env, with(db, "experiment", "stop"));
        }
    }

    /** Each session's latent NDCG@10 against the catalogue, in session order, from simulate's --sessions-out. */
    private static double[] catalogueNdcg(Path jsonl) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(jsonl, StandardCharsets.UTF_8);
        double[] out = new double[lines.size()];
        for (int i = 0; i < out.length; i++) out[i] = json.readTree(lines.get(i)).path("ndcg_catalogue").asDouble();
        return out;
    }

    /**
     * The mean per-session difference of two rankers' latent NDCG@10 over the same sessions, with its 95%
     * normal interval: {@code d̄ ± 1.96·s_d/√n}.
     */
    static String paired(Map<String, double[]> perSession, String a, String b) {
        double[] x = perSession.get(a);
        double[] y = perSession.get(b);
        if (x.length != y.length || x.length < 2) {
            throw new CliException(1, "the latent truth's sessions differ in number: " + x.length + " and " + y.length);
        }
        int n = x.length;
        double mean = 0;
        for (int i = 0; i < n; i++) mean += x[i] - y[i];
        mean /= n;
        double ss = 0;
        for (int i = 0; i < n; i++) ss += (x[i] - y[i] - mean) * (x[i] - y[i] - mean);
        double half = 1.96 * Math.sqrt(ss / (n - 1) / n);
        return String.format(Locale.ROOT, "%+.4f, 95%% interval [%+.4f, %+.4f] over %,d sessions", mean, mean - half,
                mean + half, n);
    }

    /** The report's verdict in one line. */
    static String verdict(String report) {
        Matcher wins = WINS.matcher(report);
        Matcher sign = SIGN.matcher(report);
        Matcher until = UNTIL.matcher(report);
        Matcher winner = WINNER.matcher(report);
        Matcher delta = DELTA.matcher(report);
        if (!wins.find() || !sign.find() || !winner.find() || !delta.find()) {
            throw new CliException(1, "the experiment report has no wins, sign test, Δ_AB or winner line");
        }
        return String.format(Locale.ROOT,
                "wins A %s, B %s, ties %s; Δ_AB %s %s; p = %s; impressions until p < 0.01: %s; %s", wins.group(1),
                wins.group(2), wins.group(3), delta.group(1), delta.group(2), sign.group(1),
                until.find() ? until.group(1) : "none", winner.group(1));
    }

    /** The search ranker version a {@code train} run stored, from its output. */
    private static int version(String output, String command) {
        Matcher m = RANKER.matcher(output);
        int v = -1;
        while (m.find()) v = Integer.parseInt(m.group(1));
        if (v < 0) throw new CliException(1, command + " printed no search ranker version");
        return v;
    }

    /** The command line as printed: a password in a database URL masked. */
    private static String printable(List<String> args) {
        return PASSWORD.matcher(String.join(" ", args)).replaceAll("$1***");
    }

    /** The command {@code args} with the database options {@code db} after it. */
    private static List<String> with(List<String> db, String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(db);
        return a;
    }

    /** The command {@code base} with {@code more} options after it. */
    private static List<String> plus(List<String> base, String... more) {
        List<String> a = new ArrayList<>(base);
        a.addAll(List.of(more));
        return a;
    }

    /**
     * Runs {@code reelrank args} to its end, its whole output in a log of its own under {@code logs/}, its
     * main lines echoed indented (a stage's details and progress bars stay in the log); fails with its
     * last lines.
     */
    private String run(Map<String, String> env, List<String> args) throws Exception {
        Path logs = Files.createDirectories(home.resolve("logs"));
        Path log = logs.resolve(String.format(Locale.ROOT, "%02d-%s.log", ++children, String.join("-",
                args.subList(0, Math.min(2, args.size()))).replaceAll("[^a-z0-9-]", "")));
        out.println("  $ reelrank " + printable(args));
        out.flush();
        Process p = start(env, args);
        StringBuilder all = new StringBuilder();
        Deque<String> tail = new ArrayDeque<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             Writer w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                all.append(line).append('\n');
                w.write(line + "\n");
                if (tail.size() == TAIL) tail.removeFirst();
                tail.addLast(line);
                if (!DETAIL.matcher(line).find()) {
                    out.println("    " + line);
                    out.flush();
                }
            }
        }
        int code = p.waitFor();
        if (code != 0) {
            throw new CliException(1, "the loop's stage `reelrank " + printable(args) + "` exited with code "
                    + code + "; its last lines:\n  " + String.join("\n  ", tail) + "\n(all of it: " + log + ")");
        }
        return all.toString();
    }

    private Process start(Map<String, String> env, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(java);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // The children reach the scratch database through their arguments only, never the caller's PG*.
        pb.environment().keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("REELRANK_"));
        pb.environment().putAll(env);
        return pb.start();
    }

    private Server serve(Map<String, String> env, List<String> args) throws Exception {
        out.println("  $ reelrank " + printable(args) + "   (output in " + home.resolve("serve.log") + ")");
        out.flush();
        Process p = start(env, args);
        CompletableFuture<String> url = new CompletableFuture<>();
        Writer log = Files.newBufferedWriter(home.resolve("serve.log"), StandardCharsets.UTF_8);
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8)); log) {
                for (String line; (line = r.readLine()) != null; ) {
                    log.write(line + "\n");
                    log.flush();
                    Matcher m = SERVING.matcher(line);
                    if (m.find()) url.complete(m.group(1));
                }
            } catch (IOException e) {
                url.completeExceptionally(e);
            }
            url.completeExceptionally(new IllegalStateException("the server stopped before it served"));
        }, "loop-serve-log");
        pump.setDaemon(true);
        pump.start();
        Server s = new Server(p);
        try {
            s.url = url.get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            s.close();
            throw new CliException(1, "the loop's server did not start; see " + home.resolve("serve.log"));
        }
        out.println("    serving on " + s.url);
        out.flush();
        return s;
    }

    /** The server child: its URL, a wait for a ranker version to serve, and its end. */
    private static final class Server implements AutoCloseable {
        private final Process process;
        private final Thread hook;
        private String url;

        Server(Process process) {
            this.process = process;
            this.hook = new Thread(process::destroy, "loop-serve-stop");
            Runtime.getRuntime().addShutdownHook(hook);
        }

        String url() {
            return url;
        }

        /**
         * Waits until a learned search answers with ranker {@code version}: an activation reaches the
         * server by a notification. Asks for users 1 to 20, since one outside the ranker's domain is served
         * by the weighted fusion.
         */
        void awaitRanker(int version) throws Exception {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            ObjectMapper json = new ObjectMapper();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                for (int user = 1; user <= 20; user++) {
                    URI q = URI.create(url + "api/search?q=the&fusion=learned&limit=1&user=" + user);
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(q).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
                    JsonNode n = r.statusCode() == 200 ? json.readTree(r.body()) : null;
                    if (n != null && n.path("ranker_version").asLong(-1) == version) return;
                }
                Thread.sleep(50);
            }
            throw new CliException(1, "the loop's server did not take up ranker version " + version + " within 30 s");
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }
}
