package io.reelrank.bench;

import io.reelrank.bench.ScaleStages.Figure;
import io.reelrank.bench.ScaleStages.Kind;
import io.reelrank.bench.ScaleStages.Stage;
import io.reelrank.cli.CliException;
import io.reelrank.cli.DbOptions;
import io.reelrank.cli.Home;
import io.reelrank.db.Database;
import io.reelrank.db.DbSettings;
import io.reelrank.db.ScratchDatabase;
import io.reelrank.generate.MovieLensGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank bench scale}: every stage of the pipeline at several sizes of generated data, as one
 * table of how each figure grows from size to size. For each size it generates a MovieLens-shaped set
 * ({@code reelrank generate}, reused from {@code var/bench} when one with the same parameters is there),
 * loads it into a scratch database {@code <db>_bench_scale_<N>} on the same server and runs the stages
 * of {@link ScaleStages#list} on it, each as its own {@code reelrank} child process
 * ({@link StageProcess}) so that its peak memory is its own. The scratch database and the children's
 * home (index, embeddings file) are removed after each size unless {@code --keep}. Progress goes to
 * standard error, the table to standard output, and the table also to CSV and Markdown files.
 */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = {"Every stage (ingest, index, embed, users, train, fold-in, search + re-rank, bench http, "
                + "recommend, serve start-up) at several sizes of generated data, each as its own process: one table "
                + "of how each figure grows.",
                "Progress on stderr, the table on stdout and in table.csv / table.md under the output directory."})
public final class BenchScaleCommand implements Callable<Integer> {

    static final String DEFAULT_SIZES = "1000000,5000000,32000000";
    static final int MAX_SIZES = 10;
    /** Users whose whole fold-in update (with the database) {@code bench foldin} times. */
    static final int FOLD_IN_UPDATES = 200;
    /** Users {@code bench recommend} measures. */
    static final int RECOMMEND_USERS = 300;

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--ratings", paramLabel = "N,N,…", defaultValue = DEFAULT_SIZES,
            description = "Sizes in ratings, comma-separated, ascending, each 10000-100000000 "
                    + "(default: ${DEFAULT-VALUE})")
    String ratings;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42",
            description = "Seed of the generated sets, the queries and the users picked (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--movies", paramLabel = "M",
            description = "Movies in every generated set, as generate --movies "
                    + "(default: scaled with the ratings, as generate does)")
    Integer movies;

    @Option(names = "--queries", paramLabel = "N", defaultValue = "2000",
            description = "Queries of bench rerank per size, 100-100000 (default: ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--http-seconds", paramLabel = "S", defaultValue = "30",
            description = "Measured seconds of bench http per size, 1-3600 (default: ${DEFAULT-VALUE})")
    int httpSeconds;

    @Option(names = "--http-warmup", paramLabel = "S", defaultValue = "30",
            description = "Warm-up seconds of bench http per size, 0-600, as bench http --warmup "
                    + "(default: ${DEFAULT-VALUE})")
    int httpWarmup;

    @Option(names = "--fp32",
            description = "Also embed every movie with the fp32 model (not loaded), beside the default int8 one")
    boolean fp32;

    @Option(names = "--keep",
            description = "Keep each size's scratch database and the children's home (index, embeddings)")
    boolean keep;

    @Option(names = "--out-dir", paramLabel = "DIR",
            description = "Where table.csv, table.md and the stages' logs go (default: var/bench/scale/<date-time>)")
    Path outDir;

    @Option(names = "--java-opts", paramLabel = "OPTS",
            description = "JVM options of every child process (default: $REELRANK_JAVA_OPTS, "
                    + "else -Xmx4g, as ./reelrank)")
    String javaOpts;

    @Option(names = "--stage-timeout", paramLabel = "MIN", defaultValue = "240",
            description = "Longest one stage may take, 1-1440 minutes (default: ${DEFAULT-VALUE})")
    int stageTimeout;

    @Override
    public Integer call() throws Exception {
        List<Long> sizes = parseSizes(ratings);
        checkRange("--queries", queries, 100, 100_000);
        checkRange("--http-seconds", httpSeconds, 1, 3600);
        checkRange("--http-warmup", httpWarmup, 0, 600);
        checkRange("--stage-timeout", stageTimeout, 1, 1440);
        Path vocabulary = Home.path().resolve("sample_data/ml-latest-small");
        for (long n : sizes) {
            try {
                MovieLensGenerator.plan(generatorOptions(n, vocabulary));
            } catch (IllegalArgumentException e) {
                throw CliException.badInput("at " + n + " ratings: " + e.getMessage());
            }
        }
        List<String> jvm = javaOptions(javaOpts != null ? javaOpts : System.getenv("REELRANK_JAVA_OPTS"));
        List<Stage> stages = ScaleStages.list(new ScaleStages.Settings(queries, httpSeconds, httpWarmup,
                FOLD_IN_UPDATES, RECOMMEND_USERS, fp32));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String stamp = LocalDateTime.now(java.time.ZoneId.systemDefault())
                .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        Path dir = (outDir != null ? outDir : Home.var().resolve("bench/scale").resolve(stamp)).toAbsolutePath();
        Files.createDirectories(dir);
        Database main = dbOptions.open();

        // stage -> figure -> value per size
        Map<Stage, Map<Figure, double[]>> values = new LinkedHashMap<>();
        for (Stage s : stages) {
            Map<Figure, double[]> m = new LinkedHashMap<>();
            for (Figure f : s.figures()) m.put(f, new double[sizes.size()]);
            values.put(s, m);
        }
        StringJoiner loads = new StringJoiner(" · ");
        err.printf(Locale.ROOT,
                "bench scale: %s ratings (seed %d), %d stages each as a child process (java %s); output in %s%n",
                String.join(", ", sizes.stream().map(ScaleTable::sizeLabel).toList()), seed, stages.size(),
                String.join(" ", jvm), dir);
        err.flush();
        for (int i = 0; i < sizes.size(); i++) {
            long n = sizes.get(i);
            String label = ScaleTable.sizeLabel(n);
            Path logs = Files.createDirectories(dir.resolve("logs").resolve(label));
            Path data = dataSet(n, vocabulary, jvm, logs, err);
            Path home = Files.createDirectories(dir.resolve("home-" + label));
            double minLoad = Double.MAX_VALUE, maxLoad = 0;
            try (ScratchDatabase scratch = new ScratchDatabase(main, "bench_scale_" + n, keep)) {
                err.printf(Locale.ROOT, "[%s] scratch database %s%s, children's home %s%n", label, scratch.name(),
                        keep ? " (kept)" : "", home);
                err.flush();
                StageProcess runner = new StageProcess(io.reelrank.cli.ChildProcesses.javaPrefix(jvm, rootCommand()),
                        childEnv(scratch.settings(), home), Duration.ofMinutes(stageTimeout), err);
                Thread stopper = new Thread(runner::stopRunningChild, "bench-scale-stop-child");
                Runtime.getRuntime().addShutdownHook(stopper);
                try {
                    Context context = new Context(data, home, scratch.database());
                    for (Stage s : stages) {
                        List<String> args = new ArrayList<>(s.command().apply(context));
                        args.addAll(dbArgs(scratch.settings()));
                        double load = loadAverage();
                        minLoad = Math.min(minLoad, load);
                        maxLoad = Math.max(maxLoad, load);
                        err.printf(Locale.ROOT, "[%s] %s: reelrank %s (load average %.2f)%n", label, s.name(),
                                String.join(" ", StageProcess.printable(args)), load);
                        err.flush();
                        StageProcess.Result r = runner.run(s, args, logs);
                        StringJoiner got = new StringJoiner(", ");
                        for (Map.Entry<Figure, Double> e : r.figures().entrySet()) {
                            values.get(s).get(e.getKey())[i] = e.getValue();
                            got.add(e.getKey().name() + " "
                                    + String.format(Locale.ROOT, "%,." + e.getKey().decimals() + "f", e.getValue())
                                    + " " + e.getKey().unit());
                        }
                        err.printf(Locale.ROOT, "[%s] %s: %s%n", label, s.name(), got);
                        err.flush();
                    }
                } finally {
                    Runtime.getRuntime().removeShutdownHook(stopper);
                }
            } finally {
                if (!keep) io.reelrank.cli.ChildProcesses.deleteTree(home);
            }
            loads.add(String.format(Locale.ROOT, "%s %.2f-%.2f", label, minLoad, maxLoad));
        }

        ScaleTable table = new ScaleTable(sizes);
        for (Map.Entry<Stage, Map<Figure, double[]>> s : values.entrySet()) {
            for (Map.Entry<Figure, double[]> f : s.getValue().entrySet()) {
                table.add(s.getKey().name(), f.getKey(), f.getValue());
            }
        }
        String heading = String.format(Locale.ROOT,
                "bench scale: generated sets of %s ratings (seed %d); each stage its own "
                + "process (java %s), peak RSS = that process's VmHWM; %d cores",
                String.join(", ", sizes.stream().map(ScaleTable::sizeLabel).toList()), seed, String.join(" ", jvm),
                Runtime.getRuntime().availableProcessors());
        String footnote = "load average (1 min) at the stages' starts: " + loads;
        out.println(heading);
        out.print(table.text());
        out.println(footnote);
        out.flush();
        Files.writeString(dir.resolve("table.csv"), table.csv(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("table.md"), heading + "\n\n" + table.markdown() + "\n" + footnote + "\n",
                StandardCharsets.UTF_8);
        err.printf(Locale.ROOT, "bench scale: table in %s and %s; each stage's output in %s%n",
                dir.resolve("table.csv"), dir.resolve("table.md"), dir.resolve("logs"));
        err.flush();
        return 0;
    }

    /**
     * The sizes of {@code --ratings}: comma-separated whole numbers, each within the generator's range,
     * strictly ascending (the table shows the growth from each size to the next), at most
     * {@link #MAX_SIZES}. Fails naming the size, its position and what is allowed.
     */
    static List<Long> parseSizes(String text) {
        String[] parts = text.split(",", -1);
        if (parts.length > MAX_SIZES) {
            throw CliException.badInput("--ratings takes at most " + MAX_SIZES + " sizes, got " + parts.length);
        }
        List<Long> sizes = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].strip();
            int pos = i + 1;
            if (p.isEmpty()) {
                throw CliException.badInput("--ratings: size " + pos + " is empty; give comma-separated whole numbers, "
                        + "e.g. " + DEFAULT_SIZES);
            }
            long n;
            try {
                if (!p.matches("\\d{1,18}")) throw new NumberFormatException();
                n = Long.parseLong(p);
            } catch (NumberFormatException e) {
                throw CliException.badInput("--ratings: size " + pos + " '" + p + "' is not a whole number of ratings, "
                        + "e.g. 1000000");
            }
            if (n < MovieLensGenerator.MIN_RATINGS || n > MovieLensGenerator.MAX_RATINGS) {
                throw CliException.badInput(String.format(Locale.ROOT, "--ratings: size %d (%,d) must be in %,d-%,d",
                        pos, n, MovieLensGenerator.MIN_RATINGS, MovieLensGenerator.MAX_RATINGS));
            }
            if (!sizes.isEmpty() && n <= sizes.get(sizes.size() - 1)) {
                throw CliException.badInput(String.format(Locale.ROOT,
                        "--ratings must ascend: size %d (%,d) is not above size %d (%,d)", pos, n, i,
                        sizes.get(i - 1)));
            }
            sizes.add(n);
        }
        return sizes;
    }

    private static void checkRange(String option, int v, int min, int max) {
        if (v < min || v > max) throw CliException.badInput(option + " must be in " + min + "-" + max + ", got " + v);
    }

    static List<String> javaOptions(String opts) {
        if (opts == null || opts.isBlank()) return List.of("-Xmx4g");
        return Arrays.stream(opts.strip().split("\\s+")).toList();
    }

    private MovieLensGenerator.Options generatorOptions(long n, Path vocabulary) {
        return new MovieLensGenerator.Options(n, null, movies, null, seed, vocabulary, false);
    }

    /**
     * The generated set of {@code n} ratings under {@code var/bench}: reused when a finished one with
     * the same generator arguments is there (its {@code .bench-scale} file holds them), else made by a
     * {@code reelrank generate} child.
     */
    private Path dataSet(long n, Path vocabulary, List<String> jvm, Path logs, PrintWriter err) throws Exception {
        String label = ScaleTable.sizeLabel(n);
        Path dir = Home.var().resolve("bench").resolve("generated-" + n + "-seed" + seed
                + (movies == null ? "" : "-movies" + movies)).toAbsolutePath();
        List<String> args = new ArrayList<>(List.of("generate", "--ratings", Long.toString(n), "--seed",
                Long.toString(seed), "--vocabulary", vocabulary.toString()));
        if (movies != null) args.addAll(List.of("--movies", Integer.toString(movies)));
        Path marker = dir.resolve(".bench-scale");
        String recipe = String.join(" ", args) + "\n";
        if (Files.exists(marker) && Files.readString(marker, StandardCharsets.UTF_8).equals(recipe)) {
            err.printf(Locale.ROOT, "[%s] data set %s: reused (made earlier by reelrank %s)%n", label, dir,
                    recipe.strip());
            err.flush();
            return dir;
        }
        args.addAll(List.of("--out", dir.toString(), "--force"));
        err.printf(Locale.ROOT, "[%s] generate: reelrank %s%n", label, String.join(" ", args));
        err.flush();
        Stage generate = new Stage("generate", Kind.RUN, c -> args, List.of(Figure.wall(), Figure.peak()));
        StageProcess runner = new StageProcess(io.reelrank.cli.ChildProcesses.javaPrefix(jvm, rootCommand()),
                Map.of("REELRANK_HOME", Home.path().toString()), Duration.ofMinutes(stageTimeout), err);
        StageProcess.Result r = runner.run(generate, args, logs);
        Files.writeString(marker, recipe, StandardCharsets.UTF_8);
        err.printf(Locale.ROOT, "[%s] generate: %.1f s, peak RSS %,.0f MB%n", label,
                r.figures().get(generate.figures().get(0)), r.figures().get(generate.figures().get(1)));
        err.flush();
        return dir;
    }

    private static Map<String, String> childEnv(DbSettings s, Path home) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("REELRANK_HOME", home.toString());
        if (s.password() != null) env.put("PGPASSWORD", s.password());
        return env;
    }

    /** The class of this process's root command ({@code reelrank}), which each child runs too. */
    private Class<?> rootCommand() {
        return spec.root().userObject().getClass();
    }

    private static List<String> dbArgs(DbSettings s) {
        List<String> a = new ArrayList<>(List.of("--db-url", s.url()));
        if (s.user() != null) a.addAll(List.of("--db-user", s.user()));
        return a;
    }

    /** The 1-minute load average, from {@code /proc/loadavg}; NaN where there is none. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The stages' view of one size: its data, the children's home, and the scratch database. */
    private record Context(Path dataDir, Path home, Database db) implements ScaleStages.Context {
        @Override
        public String usersWithVectors(int n) {
            List<String> ids = new ArrayList<>();
            try (Connection c = db.connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery(
                         "SELECT user_id FROM users WHERE embedding IS NOT NULL ORDER BY user_id LIMIT " + n)) {
                while (rs.next()) ids.add(Integer.toString(rs.getInt(1)));
            } catch (java.sql.SQLException e) {
                throw new CliException(1, "cannot read the users with vectors: " + e.getMessage(), e);
            }
            if (ids.size() < n) throw new CliException(1, "only " + ids.size() + " users have a vector, need " + n);
            return String.join(",", ids);
        }
    }
}
