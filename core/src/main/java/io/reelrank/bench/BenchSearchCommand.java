package io.reelrank.bench;

import io.reelrank.bench.SearchBenchmark.BenchQuery;
import io.reelrank.bench.SearchBenchmark.Stats;
import io.reelrank.cli.CliException;
import io.reelrank.cli.DbOptions;
import io.reelrank.cli.Home;
import io.reelrank.cli.Models;
import io.reelrank.db.Database;
import io.reelrank.embed.QueryEncoder;
import io.reelrank.index.MovieRecord;
import io.reelrank.index.MovieSearcher;
import io.reelrank.index.SearchFilters;
import io.reelrank.index.SearchSort;
import io.reelrank.model.ItemVectors;
import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.rerank.Retrieval;
import io.reelrank.rerank.RetrievalSettings;
import io.reelrank.rerank.Retriever;
import io.reelrank.service.IndexService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank bench search}: latency (p50, p99) and throughput of BM25 search, in-process, over
 * queries made from the indexed titles, on each requested thread count after a warm-up pass; the
 * baseline is a substring scan of the titles for the same single words. With {@code --paths} it
 * measures today's BM25 search beside the search without a user as it ships (typo tolerance, auto
 * hybrid retrieval, the popularity prior) or with hybrid retrieval for every plain query, in the same
 * run, plus typo'd single words and what the query's embedding costs.
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

    @Option(names = "--paths", paramLabel = "LIST", split = ",", defaultValue = "today",
            description = {"Search paths to measure in turn, in one run: today (BM25 as written, "
                    + "MovieSearcher.search); typos (BM25 with typo tolerance, then the popularity prior: a search "
                    + "without a user); shipped (the shipped retrieval, auto hybrid and typo tolerance, then the "
                    + "prior); hybrid (hybrid retrieval for every plain query, then the prior) (default: "
                    + "${DEFAULT-VALUE})",
                    "Paths other than today may open the database for the movie vectors."})
    List<String> paths;

    @Option(names = "--cold-embeddings", description = "Forget the query vectors before each measured pass, so every "
            + "semantic retrieval runs the sentence model (default: the cache is warm from the warm-up)")
    boolean coldEmbeddings;

    private Database db;

    /** The database, opened on first use (only a path that needs the movie vectors needs it). */
    private synchronized Database database() {
        if (db == null) db = dbOptions.open();
        return db;
    }

    /** The retrieval each path runs (today runs MovieSearcher.search itself). */
    static final Map<String, RetrievalSettings> PATHS = Map.of(
            "today", RetrievalSettings.PLAIN_BM25,
            "typos", RetrievalSettings.DEFAULT.withRetrieval(Retrieval.BM25),
            "shipped", RetrievalSettings.DEFAULT,
            "hybrid", RetrievalSettings.DEFAULT.withRetrieval(Retrieval.HYBRID));

    /** One query on a path: today's BM25 search, or a search without a user (candidates only in candidates mode). */
    private SearchBenchmark.Call call(String path, MovieSearcher searcher, Retriever retriever, SearchBenchmark.Mode m,
                                      ItemVectors[] loaded) {
        if (path.equals("today")) {
            return q -> m == SearchBenchmark.Mode.SEARCH
                    ? searcher.search(q.text(), SearchFilters.NONE, SearchSort.SCORE, limit).hits().size()
                    : searcher.candidates(q.text(), limit).size();
        }
        RetrievalSettings settings = PATHS.get(path);
        if (m == SearchBenchmark.Mode.CANDIDATES) {
            return q -> retriever.retrieve(q.text(), SearchFilters.NONE, limit, settings, false).found().size();
        }
        return q -> PersonalizedSearch.anonymous(retriever, id -> loaded[0] != null && loaded[0].has(id),
                new PersonalizedSearch.Request(q.text(), null, limit, PersonalizedSearch.DEFAULT_CANDIDATES, null,
                        Fusion.WEIGHTED, SearchFilters.NONE, settings), 0).results().size();
    }

    /** The single-word queries with one typo each, one thread: what tolerance costs and finds, beside today's. */
    private void typos(PrintWriter out, List<BenchQuery> qs, MovieSearcher searcher, Retriever retriever,
                       SearchBenchmark.Mode m, ItemVectors[] loaded) throws Exception {
        List<BenchQuery> typos = SearchBenchmark.typos(qs, seed);
        if (typos.isEmpty()) return;
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "typo'd single words (%d, one typo each, seed %d), 1 thread, p50 ms and the queries whose source "
                        + "movie is in the top %d:", typos.size(), seed, limit));
        for (String p : paths) {
            SearchBenchmark.Call call = call(p, searcher, retriever, m, loaded);
            for (int i = 0; i < warmup; i++) SearchBenchmark.run(typos, 1, call);
            Stats s = SearchBenchmark.run(typos, 1, call);
            int found = 0;
            for (BenchQuery q : typos) {
                List<Integer> ids = p.equals("today")
                        ? searcher.search(q.text(), SearchFilters.NONE, SearchSort.SCORE, limit).hits().stream()
                                .map(io.reelrank.index.SearchHit::movieId).toList()
                        : PersonalizedSearch.anonymous(retriever, id -> false,
                        new PersonalizedSearch.Request(q.text(), null,
                                limit, PersonalizedSearch.DEFAULT_CANDIDATES, null, Fusion.WEIGHTED, SearchFilters.NONE,
                                PATHS.get(p)), 0).results().stream().map(PersonalizedSearch.Result::movieId).toList();
                if (ids.contains(q.sourceMovieId())) found++;
            }
            sb.append(String.format(Locale.ROOT, " %s %.3f ms, %d found;", p, s.p50Ms(), found));
        }
        out.println(sb.substring(0, sb.length() - 1));
        out.flush();
    }

    /**
     * What the semantic branch costs: the sentence model run for each distinct plain query (no cache),
     * then the scan of the movie vectors with the query's vector cached, one thread.
     */
    private void embedding(PrintWriter out, List<BenchQuery> qs, Retriever retriever) throws Exception {
        List<String> plain = qs.stream().filter(q -> q.kind() == SearchBenchmark.Kind.SINGLE_WORD
                || q.kind() == SearchBenchmark.Kind.TWO_WORDS).map(BenchQuery::text).distinct().toList();
        if (plain.isEmpty()) return;
        QueryEncoder encoder = retriever.encoder();
        encoder.clearCache();
        encoder.encode("warm up the model");
        Latencies model = new Latencies();
        for (String q : plain) {
            long t0 = System.nanoTime();
            encoder.encode(q);
            model.record(System.nanoTime() - t0);
        }
        RetrievalSettings semantic = RetrievalSettings.DEFAULT.withRetrieval(Retrieval.SEMANTIC);
        Latencies scan = new Latencies();
        for (String q : plain) {
            long t0 = System.nanoTime();
            retriever.retrieve(q, SearchFilters.NONE, PersonalizedSearch.DEFAULT_CANDIDATES, semantic, false);
            scan.record(System.nanoTime() - t0);
        }
        out.printf(Locale.ROOT, "query embedding (%s, in-process, 1 thread, no cache): p50 %.3f ms, p99 %.3f ms over "
                + "%d distinct plain queries; semantic retrieval with the vector cached (scan of the movie vectors, "
                + "top %d): p50 %.3f ms, p99 %.3f ms%n", encoder.model(), model.ms(0.5), model.ms(0.99), plain.size(),
                PersonalizedSearch.DEFAULT_CANDIDATES, scan.ms(0.5), scan.ms(0.99));
        // The alternative: pgvector's HNSW index over the stored (not centered) vectors, one round trip per query.
        Latencies pg = new Latencies();
        try (java.sql.Connection c = database().connect()) {
            for (String q : plain) {
                float[] v = encoder.encode(q);
                long t0 = System.nanoTime();
                io.reelrank.embed.SimilarMovies.nearestTo(c, v, PersonalizedSearch.DEFAULT_CANDIDATES);
                pg.record(System.nanoTime() - t0);
            }
        }
        out.printf(Locale.ROOT, "the same top %d from pgvector (ORDER BY embedding <=> q, HNSW, one query per round "
                + "trip): p50 %.3f ms, p99 %.3f ms%n", PersonalizedSearch.DEFAULT_CANDIDATES, pg.ms(0.5), pg.ms(0.99));
        out.flush();
    }

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
        for (String p : paths) {
            if (!PATHS.containsKey(p)) {
                throw CliException.badInput("--paths must be a list of today, typos, shipped, hybrid, got '" + p + "'");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        Path dir = IndexService.ensure(Home.indexDir(), dbOptions::open, spec.commandLine().getErr());
        ItemVectors[] loaded = {null};
        Supplier<ItemVectors> items = () -> {
            if (loaded[0] == null) {
                try {
                    loaded[0] = Models.items(database());
                } catch (java.sql.SQLException e) {
                    throw new CliException(1, "cannot read the movie vectors: " + e.getMessage());
                }
            }
            return loaded[0];
        };
        boolean labelled = paths.size() > 1 || !paths.get(0).equals("today");
        try (MovieSearcher searcher = MovieSearcher.open(dir); QueryEncoder encoder = QueryEncoder.bundled()) {
            Retriever retriever = new Retriever(searcher, items, encoder);
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
            if (labelled) {
                out.printf(Locale.ROOT, "  paths: %s; each path's warm-up and measurement in turn, per thread "
                        + "count%s%n",
                        String.join(", ", paths), coldEmbeddings ? "; query vectors forgotten before each measured pass"
                        : "");
                out.printf(Locale.ROOT, "%-8s  ", "path");
            }
            out.printf(Locale.ROOT, "%7s  %8s  %8s  %8s  %8s  %10s  %8s%n", "threads", "queries", "p50_ms", "p99_ms",
                    "max_ms", "queries/s", "hits");
            out.flush();
            for (int t : threads) {
                for (String p : paths) {
                    SearchBenchmark.Call call = call(p, searcher, retriever, m, loaded);
                    for (int i = 0; i < warmup; i++) SearchBenchmark.run(qs, t, call);
                    if (coldEmbeddings) encoder.clearCache();
                    Stats s = SearchBenchmark.run(qs, t, call);
                    if (labelled) out.printf(Locale.ROOT, "%-8s  ", p);
                    out.printf(Locale.ROOT, "%7d  %8d  %8.3f  %8.3f  %8.3f  %10.0f  %8d%n", s.threads(), s.queries(),
                            s.p50Ms(), s.p99Ms(), s.maxMs(), s.queriesPerSecond(), s.hits());
                    StringBuilder kinds = new StringBuilder("         p50/p99 ms by kind:");
                    s.p50p99ByKind().forEach((k, v) -> kinds.append(String.format(Locale.ROOT, " %s %.3f/%.3f",
                            k.name().toLowerCase(Locale.ROOT), v[0], v[1])));
                    out.println(kinds);
                    out.flush();
                }
            }
            if (labelled) typos(out, qs, searcher, retriever, m, loaded);
            if (paths.contains("shipped") || paths.contains("hybrid")) embedding(out, qs, retriever);
            double scan = SearchBenchmark.substringScanQps(movies, qs);
            out.printf(Locale.ROOT,
                    "baseline: substring scan of all %,d titles (ILIKE '%%word%%'), single-word queries, 1 thread: "
                    + "%,.0f queries/s%n", movies.size(), scan);
        }
        out.flush();
        return 0;
    }
}
