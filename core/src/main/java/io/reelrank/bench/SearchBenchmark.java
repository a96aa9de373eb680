package io.reelrank.bench;

import io.reelrank.index.Analyzers;
import io.reelrank.index.MovieQueryParser;
import io.reelrank.index.MovieRecord;
import io.reelrank.index.MovieSearcher;
import io.reelrank.index.SearchFilters;
import io.reelrank.index.SearchSort;
import io.reelrank.index.TitleText;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.analysis.Analyzer;

/**
 * The search benchmark behind {@code reelrank bench search}: makes a reproducible mix of queries from
 * the indexed titles (a fixed seed picks them) and measures per-query latency and throughput of
 * {@link MovieSearcher#search} on a given number of threads, in-process. The caller owns the searcher.
 */
public final class SearchBenchmark {

    private SearchBenchmark() {}

    /** The five kinds of generated query, in the order they take turns. */
    public enum Kind { SINGLE_WORD, TWO_WORDS, PHRASE, FIELDED, RANGE }

    /** A generated query and the movie whose title it came from (which it therefore matches). */
    public record BenchQuery(Kind kind, String text, int sourceMovieId) {}

    /** Latency percentiles in milliseconds, and throughput, of one measured run. */
    public record Stats(int threads, int queries, double p50Ms, double p99Ms, double maxMs, double queriesPerSecond,
            long hits, java.util.Map<Kind, double[]> p50p99ByKind) {}

    // Words so common in titles that a query of them alone measures the index's longest postings.
    // They stay in the mix through the two-word and phrase queries.
    private static final Set<String> COMMON = Set.of("the", "and", "for", "with", "from");

    /**
     * {@code n} queries made from the titles of {@code movies}: equal shares of a single title word,
     * two consecutive title words, the same as a phrase, {@code title:word AND genres:G} with one of
     * the movie's genres, and {@code word AND year:[y-5 TO y+5]} around the movie's year.
     */
    public static List<BenchQuery> queries(List<MovieRecord> movies, int n, long seed) {
        if (movies.isEmpty()) throw new IllegalArgumentException("the index is empty: nothing to make queries from");
        Random rnd = new Random(seed);
        List<BenchQuery> out = new ArrayList<>(n);
        Kind[] kinds = Kind.values();
        int attempts = 0;
        while (out.size() < n) {
            if (++attempts > n * 100) {
                throw new IllegalStateException("cannot make " + n + " queries from these titles");
            }
            Kind kind = kinds[out.size() % kinds.length];
            MovieRecord m = movies.get(rnd.nextInt(movies.size()));
            List<String> words = words(m.title());
            if (words.isEmpty()) continue;
            int i = rnd.nextInt(words.size());
            String w = words.get(i);
            // A word alone must be a real word, not "s" or "2".
            boolean single = w.length() >= 3 && !COMMON.contains(w) && w.chars().anyMatch(Character::isLetter);
            String text = switch (kind) {
                case SINGLE_WORD -> single ? esc(w) : null;
                case TWO_WORDS -> i + 1 < words.size() ? esc(w) + " " + esc(words.get(i + 1)) : null;
                case PHRASE -> i + 1 < words.size() ? "\"" + w + " " + words.get(i + 1) + "\"" : null;
                case FIELDED -> m.genres().isEmpty() || !single ? null
                        : "title:" + esc(w) + " AND genres:" + esc(m.genres().get(rnd.nextInt(m.genres().size())));
                case RANGE -> m.year() == null || !single ? null
                        : esc(w) + " AND year:[" + (m.year() - 5) + " TO " + (m.year() + 5) + "]";
            };
            if (text != null) out.add(new BenchQuery(kind, text, m.movieId()));
        }
        return out;
    }

    private static final Analyzer TEXT = new Analyzers.Text();

    /** The title's indexed terms in order, so that two neighbours are also neighbours in the index. */
    static List<String> words(String title) {
        return TagWeightStudy.tokens(TEXT, TitleText.searchable(title));
    }

    // Lowercase "and"/"or"/"not" are plain words to the parser; escaping covers the rest.
    private static String esc(String w) {
        return MovieQueryParser.escape(w);
    }

    /** What each measured call does. */
    public enum Mode {
        /**
         * {@link MovieSearcher#search}: top hits with their stored fields and an exact match count (the
         * CLI's path).
         */
        SEARCH,
        /** {@link MovieSearcher#candidates}: ids, scores and ranks only (the re-ranker's path). */
        CANDIDATES
    }

    /** Runs every query once on {@code threads} threads; the caller warms up first by calling this too. */
    public static Stats run(MovieSearcher searcher, List<BenchQuery> queries, int threads, int limit)
            throws IOException, InterruptedException {
        return run(searcher, queries, threads, limit, Mode.SEARCH);
    }

    /** Runs every query once on {@code threads} threads in the given mode. */
    public static Stats run(MovieSearcher searcher, List<BenchQuery> queries, int threads, int limit, Mode mode)
            throws IOException, InterruptedException {
        long[] nanos = new long[queries.size()];
        long[] hits = new long[threads];
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int me = t;
                futures.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < queries.size(); i = next.getAndIncrement()) {
                        long t0 = System.nanoTime();
                        String q = queries.get(i).text();
                        int n = mode == Mode.SEARCH
                                ? searcher.search(q, SearchFilters.NONE, SearchSort.SCORE, limit).hits().size()
                                : searcher.candidates(q, limit).size();
                        nanos[i] = System.nanoTime() - t0;
                        hits[me] += n;
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("a benchmark query failed: " + e.getCause().getMessage(),
                            e.getCause());
                }
            }
            long wall = System.nanoTime() - start;
            Latencies all = Latencies.of(nanos);
            java.util.Map<Kind, double[]> byKind = new java.util.EnumMap<>(Kind.class);
            for (Kind k : Kind.values()) {
                Latencies ks = Latencies.of(java.util.stream.IntStream.range(0, queries.size())
                        .filter(i -> queries.get(i).kind() == k).mapToLong(i -> nanos[i]).toArray());
                if (ks.count() > 0) byKind.put(k, new double[] {ks.ms(0.50), ks.ms(0.99)});
            }
            return new Stats(threads, queries.size(), all.ms(0.50), all.ms(0.99),
                    all.maxMs(), queries.size() / (wall / 1e9), Arrays.stream(hits).sum(), byKind);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The baseline: the single-word queries answered without an index, by a lowercase substring scan
     * over every title in memory (what {@code title ILIKE '%word%'} does), on one thread; returns its
     * queries per second.
     */
    public static double substringScanQps(List<MovieRecord> movies, List<BenchQuery> queries) {
        String[] titles = movies.stream().map(m -> m.title().toLowerCase(Locale.ROOT)).toArray(String[]::new);
        List<String> words = queries.stream().filter(q -> q.kind() == Kind.SINGLE_WORD).map(BenchQuery::text).toList();
        long matches = 0;
        long start = System.nanoTime();
        for (String w : words) {
            for (String t : titles) {
                if (t.contains(w)) matches++;
            }
        }
        long wall = System.nanoTime() - start;
        if (matches < 0) throw new AssertionError();
        return words.size() / (wall / 1e9);
    }
}
