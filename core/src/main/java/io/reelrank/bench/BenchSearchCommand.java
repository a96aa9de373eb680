package io.reelrank.bench;

import io.reelrank.bench.SearchBenchmark.BenchQuery;
import io.reelrank.bench.SearchBenchmark.Stats;
import io.reelrank.cli.CliException;
import io.reelrank.cli.DbOptions;
import io.reelrank.cli.Home;
import io.reelrank.index.MovieRecord;
import io.reelrank.index.MovieSearcher;
import io.reelrank.service.IndexService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumMap;
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
 * {@code reelrank bench search}: latency (p50, p99) and throughput of BM25 search, in-process, over
 * queries made from the indexed titles, on each requested thread count after a warm-up pass; the
 * baseline is a substring scan of the titles for the same single words.
 */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = {"Measure BM25 search: p50/p99 latency and queries/s over generated queries.",
                "Queries come from real titles: single word, two words, phrase, fielded, range (equal shares)."})
public final class BenchSearchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--queries", paramLabel = "N", defaultValue = "1000",
            description = "Queries per run, 5-1000000 (default: ${DEFAULT-VALUE})")
    int queries;

    @Option(names = "--threads", paramLabel = "T", split = ",", defaultValue = "1,2",
            description = "Thread counts to measure, each 1-64 (default: ${DEFAULT-VALUE})")
    List<Integer> threads;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "10",
            description = "Results per query, 1-" + MovieSearcher.MAX_LIMIT + " (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "search",
            description = "search: top hits with stored fields and match count (the CLI); candidates: ids, scores "
                    + "and ranks only (the re-ranker's top-K) (default: ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--warmup", paramLabel = "PASSES", defaultValue = "3",
            description = "Unmeasured passes over the queries before each measured one, "
                    + "0-100 (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
            description = "Seed that picks the titles the queries come from (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (queries < 5 || queries > 1_000_000) {
            throw CliException.badInput("--queries must be in 5-1000000, got " + queries);
        }
        if (limit < 1 || limit > MovieSearcher.MAX_LIMIT) {
            throw CliException.badInput("--limit must be in 1-" + MovieSearcher.MAX_LIMIT + ", got " + limit);
        }
        if (warmup < 0 || warmup > 100) throw CliException.badInput("--warmup must be in 0-100, got " + warmup);
        for (int t : threads) {
            if (t < 1 || t > 64) throw CliException.badInput("--threads must each be in 1-64, got " + t);
        }
        SearchBenchmark.Mode m = switch (mode.toLowerCase(java.util.Locale.ROOT)) {
            case "search" -> SearchBenchmark.Mode.SEARCH;
            case "candidates" -> SearchBenchmark.Mode.CANDIDATES;
            default -> throw CliException.badInput("--mode must be search or candidates, got '" + mode + "'");
        };
        PrintWriter out = spec.commandLine().getOut();
        Path dir = IndexService.ensure(Home.indexDir(), dbOptions::open, spec.commandLine().getErr());
        try (MovieSearcher searcher = MovieSearcher.open(dir)) {
            List<MovieRecord> movies = searcher.allMovies();
            List<BenchQuery> qs = SearchBenchmark.queries(movies, queries, seed);
            Map<SearchBenchmark.Kind, String> examples = new EnumMap<>(SearchBenchmark.Kind.class);
            for (BenchQuery q : qs) examples.putIfAbsent(q.kind(), q.text());
            out.printf(Locale.ROOT,
                    "bench search: %,d queries from the titles of %,d movies (seed %d), mode %s, limit %d, index %s%n",
                    qs.size(), movies.size(), seed, m.name().toLowerCase(java.util.Locale.ROOT), limit, dir);
            examples.forEach((k, v) -> out.printf(Locale.ROOT, "  %-12s e.g. %s%n", k.name().toLowerCase(Locale.ROOT),
                    v));
            out.printf(Locale.ROOT,
                    "  warm-up: %d pass(es) over the queries before each measurement; JVM %s, %d cores%n", warmup,
                    System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
            out.printf(Locale.ROOT, "%7s  %8s  %8s  %8s  %8s  %10s  %8s%n", "threads", "queries", "p50_ms", "p99_ms",
                    "max_ms", "queries/s", "hits");
            out.flush();
            for (int t : threads) {
                for (int i = 0; i < warmup; i++) SearchBenchmark.run(searcher, qs, t, limit, m);
                Stats s = SearchBenchmark.run(searcher, qs, t, limit, m);
                out.printf(Locale.ROOT, "%7d  %8d  %8.3f  %8.3f  %8.3f  %10.0f  %8d%n", s.threads(), s.queries(),
                        s.p50Ms(), s.p99Ms(), s.maxMs(), s.queriesPerSecond(), s.hits());
                StringBuilder kinds = new StringBuilder("         p50/p99 ms by kind:");
                s.p50p99ByKind().forEach((k, v) -> kinds.append(String.format(Locale.ROOT, " %s %.3f/%.3f",
                        k.name().toLowerCase(Locale.ROOT), v[0], v[1])));
                out.println(kinds);
                out.flush();
            }
            double scan = SearchBenchmark.substringScanQps(movies, qs);
            out.printf(Locale.ROOT,
                    "baseline: substring scan of all %,d titles (ILIKE '%%word%%'), single-word queries, 1 thread: "
                    + "%,.0f queries/s%n", movies.size(), scan);
        }
        out.flush();
        return 0;
    }
}
