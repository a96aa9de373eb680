package io.reelrank.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stages {@code reelrank bench scale} measures at each size, in the order they run: each is one
 * entry of {@link #list}, a name, the {@code reelrank} command line it runs as a child process, and
 * the figures read from that run (its wall time, CPU time and peak resident memory, numbers matched in
 * what it printed, or for a server the time from its start until {@code /api/health} answers 200,
 * after which it is stopped). A new stage is one more entry here; nothing else changes. The caller
 * supplies the {@link Context} of the size being measured.
 */
final class ScaleStages {

    private ScaleStages() {}

    /** How a stage's process runs: to its end, or as a server that is stopped once it answers. */
    enum Kind { RUN, SERVE }

    /** Where a figure comes from. */
    enum Source { WALL, CPU, PEAK, STARTUP, OUTPUT }

    /**
     * One figure of a stage: a name, a unit, the decimals it is printed with, and its source; for
     * {@link Source#OUTPUT} a pattern whose first group, found in the child's standard output, is the
     * number (thousands separators allowed).
     */
    record Figure(String name, String unit, int decimals, Source source, Pattern pattern) {

        static Figure wall() {
            return new Figure("wall time", "s", 1, Source.WALL, null);
        }

        static Figure cpu() {
            return new Figure("CPU time", "s", 1, Source.CPU, null);
        }

        static Figure peak() {
            return new Figure("peak RSS", "MB", 0, Source.PEAK, null);
        }

        static Figure startup() {
            return new Figure("start until /api/health answers 200", "s", 2, Source.STARTUP, null);
        }

        static Figure printed(String name, String unit, int decimals, String regex) {
            return new Figure(name, unit, decimals, Source.OUTPUT, Pattern.compile(regex, Pattern.MULTILINE));
        }

        /** The number this figure's pattern finds in {@code output}; fails naming the pattern. */
        double readFrom(String output) {
            Matcher m = pattern.matcher(output);
            if (!m.find()) {
                throw new IllegalStateException("no line of its output matches /" + pattern.pattern() + "/ ("
                        + name + ")");
            }
            return Double.parseDouble(m.group(1).replace(",", ""));
        }

        String label() {
            return name + " (" + unit + ")";
        }
    }

    /** One stage: a name, how it runs, its command line (without {@code reelrank}) and its figures. */
    record Stage(String name, Kind kind, Function<Context, List<String>> command, List<Figure> figures) {}

    /** What a stage's command may refer to, for the size being measured. */
    interface Context {
        /** The generated MovieLens directory. */
        Path dataDir();

        /** The child processes' {@code REELRANK_HOME}: its {@code var/index} and {@code var/embeddings.csv}. */
        Path home();

        /** The first {@code n} users (by id) that have a vector, as a comma-separated list. */
        String usersWithVectors(int n);
    }

    /** The options the stages take from {@code bench scale}. */
    record Settings(int queries, int httpSeconds, int httpWarmup, int foldInUpdates, int recommendUsers,
            boolean fp32) {}

    private static final String NUMBER = "([\\d,]+(?:\\.\\d+)?)";

    /** The stages, in the order they run. */
    static List<Stage> list(Settings s) {
        List<Stage> stages = new ArrayList<>();
        stages.add(new Stage("ingest", Kind.RUN,
                c -> List.of("ingest", "--data-dir", c.dataDir().toString(), "--force"),
                List.of(Figure.printed("ratings", "rows", 0, "· ratings " + NUMBER + " ·"),
                        Figure.printed("users", "rows", 0, "· users " + NUMBER + " ·"),
                        Figure.printed("movies", "rows", 0, "^\\s*movies " + NUMBER + " ·"),
                        Figure.printed("tags", "rows", 0, "· tags " + NUMBER + " ·"),
                        Figure.printed("load, one transaction", "s", 1, "^ingest: loaded .* in " + NUMBER + " s"),
                        Figure.printed("ratings COPY", "rows/s", 0, "\\(ratings " + NUMBER + " rows/s\\)"),
                        Figure.wall(), Figure.cpu(), Figure.peak())));
        stages.add(new Stage("index", Kind.RUN, c -> List.of("index"),
                List.of(Figure.printed("build", "s", 1, "^index: .* in " + NUMBER + " s"),
                        Figure.wall(), Figure.cpu(), Figure.peak())));
        if (s.fp32()) {
            stages.add(new Stage("embed fp32", Kind.RUN,
                    c -> List.of("embed", "--model", "all-MiniLM-L6-v2", "--out",
                            c.home().resolve("var/embeddings-fp32.csv").toString()),
                    List.of(Figure.printed("embedding rate", "movies/s", 0, "^embed: .* \\(" + NUMBER + " movies/s"),
                            Figure.wall(), Figure.cpu(), Figure.peak())));
        }
        stages.add(new Stage("embed int8", Kind.RUN,
                c -> List.of("embed", "--load", "--out", c.home().resolve("var/embeddings.csv").toString()),
                List.of(Figure.printed("embedding", "s", 1, "^embed: \\d+ movies embedded, .* in " + NUMBER + " s"),
                        Figure.printed("embedding rate", "movies/s", 0, "^embed: .* \\(" + NUMBER + " movies/s"),
                        Figure.printed("load into pgvector", "s", 1, "^load-embeddings: .* in " + NUMBER + " s"),
                        Figure.wall(), Figure.cpu(), Figure.peak())));
        stages.add(new Stage("users", Kind.RUN, c -> List.of("users"),
                List.of(Figure.printed("user tower", "ratings/s", 0, "\\(" + NUMBER + " ratings/s\\)"),
                        Figure.wall(), Figure.cpu(), Figure.peak())));
        // One setting, the middle of train's default grid: one training, not the grid search on a validation split.
        stages.add(new Stage("train", Kind.RUN, c -> List.of("train", "--als-alpha", "1"),
                List.of(Figure.printed("load ratings", "s", 1, "ratings of .* movies; .*\\(" + NUMBER + " s\\)$"),
                        Figure.printed("ALS training", "s", 1, "movies learned, .*\\(" + NUMBER + " s\\)$"),
                        Figure.printed("write the version", "s", 1, "^\\s+version \\d+ \\(" + NUMBER + " s\\)$"),
                        Figure.printed("whole training", "s", 1, "^train: version .* in " + NUMBER + " s$"),
                        Figure.wall(), Figure.cpu(), Figure.peak())));
        stages.add(new Stage("fold-in", Kind.RUN,
                c -> List.of("bench", "foldin", "--rounds", "1", "--updates", Integer.toString(s.foldInUpdates())),
                List.of(Figure.printed("k×k solve p50", "µs", 1,
                                "^\\s*collaborative fold-in .*p50\\s+" + NUMBER + " µs"),
                        Figure.printed("content tower p50 (baseline)", "µs", 1,
                                "^\\s*baseline: content user tower .*p50\\s+" + NUMBER + " µs"),
                        Figure.printed("FoldIn.update with the database p50", "µs", 1,
                                "^\\s*FoldIn.update: .*p50\\s+" + NUMBER + " µs"),
                        Figure.peak())));
        stages.add(new Stage("search + re-rank", Kind.RUN,
                c -> List.of("bench", "rerank", "--skip-user-tower", "--queries", Integer.toString(s.queries())),
                List.of(Figure.printed("re-ranked p50", "ms", 3,
                                "^\\s*BM25 \\+ weighted fusion .*p50\\s+" + NUMBER + " ms"),
                        Figure.printed("re-ranked p99", "ms", 3,
                                "^\\s*BM25 \\+ weighted fusion .*p99\\s+" + NUMBER + " ms"),
                        Figure.printed("plain BM25 p50 (baseline)", "ms", 3,
                                "^\\s*plain BM25 .*p50\\s+" + NUMBER + " ms"),
                        Figure.printed("plain BM25 p99 (baseline)", "ms", 3,
                                "^\\s*plain BM25 .*p99\\s+" + NUMBER + " ms"),
                        Figure.peak())));
        stages.add(new Stage("bench http", Kind.RUN,
                c -> List.of("bench", "http", "--seconds", Integer.toString(s.httpSeconds()), "--warmup",
                        Integer.toString(s.httpWarmup()), "--user", c.usersWithVectors(2)),
                List.of(Figure.printed("throughput", "queries/s", 0, "^\\s*\\d+\\s+\\d+\\s+\\d+\\s+" + NUMBER + "\\s"),
                        Figure.printed("p99 latency", "ms", 3,
                                "^\\s*\\d+\\s+\\d+\\s+\\d+\\s+[\\d.]+\\s+[\\d.]+\\s+[\\d.]+\\s+" + NUMBER + "\\s"),
                        Figure.printed("in-process, no HTTP (baseline)", "queries/s", 0,
                                "^baseline: .*, " + NUMBER + " queries/s"),
                        Figure.peak())));
        stages.add(new Stage("recommend", Kind.RUN,
                c -> List.of("bench", "recommend", "--users", Integer.toString(s.recommendUsers())),
                List.of(Figure.printed("HNSW p50", "ms", 2, "^\\s*HNSW index .*p50\\s+" + NUMBER + " ms"),
                        Figure.printed("HNSW p99", "ms", 2, "^\\s*HNSW index .*p99\\s+" + NUMBER + " ms"),
                        Figure.printed("exact scan p50 (baseline)", "ms", 2,
                                "^\\s*baseline: exact scan .*p50\\s+" + NUMBER + " ms"),
                        Figure.printed("HNSW recall@20 against the exact scan", "share", 4,
                                "recall@\\d+ against the exact scan " + NUMBER),
                        Figure.peak())));
        // Port 0: the server takes a free port and prints its address, which the runner polls.
        stages.add(new Stage("serve", Kind.SERVE, c -> List.of("serve", "--port", "0"),
                List.of(Figure.startup(), Figure.peak())));
        return List.copyOf(stages);
    }
}
