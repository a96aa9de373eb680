package io.reelrank.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a list of judged queries through named rankers and keeps every per-query value, for the
 * search-quality tasks ({@link TypoTask}, {@link ExactTask}, {@link DescriptiveTask}): NDCG@k with
 * binary gains, Recall@k over the query's relevant movies and the reciprocal rank
 * ({@link Metrics}). A relevant movie missing from a ranked list scores 0 in it. Queries run on
 * {@code threads} threads; each value depends only on its query, so the result is the same for any
 * thread count. The rankers must be thread-safe.
 */
public final class JudgedQueries {

    /**
     * One query and what answers it: {@code relevant} movies (one for a held-out rating's query, the
     * movies a held-out tagger described so for a descriptive one), the user it is asked for (0: none)
     * and {@code liked} (false: a disliked held-out movie, whose rise is not a gain).
     */
    public record Query(String text, int userId, int[] relevant, boolean liked) {}

    /** Values per ranker (in {@code rankers} order) and query (in {@code queries} order). */
    public record Values(List<Query> queries, List<String> rankers, int k, double[][] ndcg, double[][] recall,
                         double[][] rr) {
        public int ranker(String name) {
            int i = rankers.indexOf(name);
            if (i < 0) throw new IllegalArgumentException("no ranker named '" + name + "'; have " + rankers);
            return i;
        }

        /** The values of the queries with {@code liked} as given, for one metric array. */
        public double[] select(double[] values, boolean liked) {
            int n = 0;
            for (Query q : queries) if (q.liked() == liked) n++;
            double[] out = new double[n];
            int j = 0;
            for (int i = 0; i < queries.size(); i++) if (queries.get(i).liked() == liked) out[j++] = values[i];
            return out;
        }
    }

    private JudgedQueries() {}

    public static Values run(List<Query> queries, Map<String, SearchTask.Ranker> rankers, int k, int threads) {
        if (k < 1) throw new IllegalArgumentException("k must be >= 1, got " + k);
        if (rankers.isEmpty()) throw new IllegalArgumentException("at least one ranker is needed");
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        List<String> names = List.copyOf(rankers.keySet());
        List<SearchTask.Ranker> rs = new ArrayList<>(rankers.values());
        int n = queries.size();
        double[][] ndcg = new double[names.size()][n];
        double[][] recall = new double[names.size()][n];
        double[][] rr = new double[names.size()][n];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> parts = new ArrayList<>();
            int chunk = Math.max(1, (n + threads * 8 - 1) / (threads * 8));
            for (int from = 0; from < n; from += chunk) {
                int f = from;
                int t = Math.min(n, from + chunk);
                parts.add(pool.submit(() -> {
                    for (int i = f; i < t; i++) {
                        Query q = queries.get(i);
                        for (int r = 0; r < rs.size(); r++) {
                            int[] ranked = rs.get(r).rank(q.text(), q.userId());
                            ndcg[r][i] = Metrics.ndcgAtK(ranked, q.relevant(), k);
                            recall[r][i] = Metrics.recallAtK(ranked, q.relevant(), k);
                            rr[r][i] = Metrics.reciprocalRank(ranked, q.relevant());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> p : parts) p.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return new Values(List.copyOf(queries), names, k, ndcg, recall, rr);
    }
}
