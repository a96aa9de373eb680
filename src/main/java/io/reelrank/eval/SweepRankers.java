package io.reelrank.eval;

import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.ItemVectors;
import io.reelrank.rerank.Reranker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The two rankers of the {@link SearchTask} for a sweep, with everything that does not depend on the
 * fusion or α computed once: each query's BM25 candidates (fetched once for the whole sweep) and each
 * (user vector, query)'s cosines (once per shrinkage k, since the user vectors change with k). The
 * personalized ranking is {@link Reranker#fuse}, the production fusion, over those candidates, so the
 * sweep judges exactly what ships. The caller supplies the candidate source (normally
 * {@code MovieSearcher.candidates}), calls {@link #newUsers} whenever it passes user vectors from a
 * new {@link TrainingUsers} (so the cache does not hold the old ones). Thread-safe, so that settings
 * can be measured in parallel; the candidate source must be thread-safe too (Lucene's searcher is).
 */
public final class SweepRankers {

    private final Function<String, List<Reranker.Candidate>> source;
    private final ItemVectors items;
    private final Map<String, List<Reranker.Candidate>> candidates = new ConcurrentHashMap<>();
    private final Map<String, int[]> bm25Ids = new ConcurrentHashMap<>();
    private final Map<UserKey, Map<String, double[]>> cosines = new ConcurrentHashMap<>();

    // Keyed by the identity of the user's vector: one TrainingUsers hands out one array per user.
    private record UserKey(float[] vector) {
        @Override
        public boolean equals(Object o) {
            return o instanceof UserKey k && k.vector == vector;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(vector);
        }
    }

    /** @param source a query's BM25 candidates, best first, ranks 1-based */
    public SweepRankers(Function<String, List<Reranker.Candidate>> source, ItemVectors items) {
        this.source = source;
        this.items = items;
    }

    /** The query's BM25 candidates, fetched on first use. */
    public List<Reranker.Candidate> candidates(String query) {
        return candidates.computeIfAbsent(query, source);
    }

    /** The BM25 ranking of the query: its candidates' movie ids in BM25 order. */
    public int[] bm25(String query) {
        return bm25Ids.computeIfAbsent(query, q -> {
            List<Reranker.Candidate> c = candidates(q);
            int[] ids = new int[c.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = c.get(i).movieId();
            }
            return ids;
        });
    }

    /** The personalized ranking of {@link Reranker#fuse} for one fusion and α (ignored by rrf). */
    public BiFunction<String, float[], int[]> personalized(Fusion fusion, double alpha) {
        return (query, user) -> {
            List<Reranker.Candidate> c = candidates(query);
            List<Reranker.Ranked> ranked = Reranker.fuse(c, cosines(query, user), fusion,
                    fusion == Fusion.LINEAR ? alpha : 0);
            int[] ids = new int[ranked.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = ranked.get(i).candidate().movieId();
            }
            return ids;
        };
    }

    /** Forgets the cosines of earlier user vectors; call before passing vectors of a new shrinkage. */
    public void newUsers() {
        cosines.clear();
    }

    /** Distinct queries fetched so far. */
    public int queries() {
        return candidates.size();
    }

    private double[] cosines(String query, float[] user) {
        return cosines.computeIfAbsent(new UserKey(user), u -> new ConcurrentHashMap<>()).computeIfAbsent(query, q -> {
            List<Reranker.Candidate> c = candidates(q);
            double[] s = new double[c.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = items.cosine(c.get(i).movieId(), user); // NaN when the movie has no vector
            }
            return s;
        });
    }
}
