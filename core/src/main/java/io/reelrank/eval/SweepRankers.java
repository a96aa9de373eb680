package io.reelrank.eval;

import io.reelrank.index.Candidate;
import io.reelrank.model.FactorModel;
import io.reelrank.model.ItemVectors;
import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.RatedMovies;
import io.reelrank.rerank.Reranker;
import io.reelrank.rerank.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The rankers of the {@link SearchTask} for a sweep, with everything that does not depend on the
 * fusion or its weights computed once: each query's BM25 candidates (fetched once for the whole
 * run) and, per {@link Context}, each (user, query)'s tower values (content cosines and
 * collaborative inner products over the candidates). The personalized ranking is
 * {@link Reranker#fuse}, the production fusion, over those values, so the sweep judges exactly
 * what ships. The caller supplies the candidate source (normally {@code MovieSearcher.candidates}),
 * and one {@link Context} per set of training data (validation, test). Thread-safe, so that
 * settings can be measured in parallel; the candidate source must be thread-safe too (Lucene's
 * searcher is).
 */
public final class SweepRankers {

    /**
     * What the rankers know from one training set: the content user vectors, the collaborative
     * model with its user vectors (null when measuring the content tower alone), each movie's
     * number of training ratings (the popularity prior), indexed by movie_id, and each user's
     * training ratings (what the re-ranker knows the user rated).
     */
    public record Context(TrainingUsers content, FactorModel model, IntFunction<float[]> cf, int[] popularity,
                          Map<Integer, RatedMovies> rated) {
        int count(int movieId) {
            return movieId < popularity.length ? popularity[movieId] : 0;
        }

        /** A context from the training ratings: popularity and each user's rated movies come from {@code train}. */
        public static Context of(Ratings train, TrainingUsers content, FactorModel model, IntFunction<float[]> cf) {
            Ratings byUser = train.isSortedByUser() ? train : train.sortedByUserThenTime();
            Map<Integer, RatedMovies> rated = new java.util.HashMap<>();
            byUser.forEachUser((user, from, to) -> rated.put(user, RatedMovies.of(byUser.movieIds(from, to),
                    byUser.ratings(from, to))));
            return new Context(content, model, cf, SweepRankers.popularity(train), rated);
        }
    }

    private record Key(Context context, int user, String query) {}

    private record Values(List<Candidate> candidates, double[] cos, double[] uv, RatedMovies rated) {}

    private final Function<String, List<Candidate>> source;
    private final ItemVectors items;
    private final Map<String, List<Candidate>> candidates = new ConcurrentHashMap<>();
    private final Map<String, int[]> bm25Ids = new ConcurrentHashMap<>();
    private final Map<Key, Values> values = new ConcurrentHashMap<>();

    /** @param source a query's BM25 candidates, best first, ranks 1-based (their rating counts are replaced) */
    public SweepRankers(Function<String, List<Candidate>> source, ItemVectors items) {
        this.source = source;
        this.items = items;
    }

    /** Each movie's number of ratings in {@code train}, indexed by movie_id: the popularity prior of a context. */
    public static int[] popularity(Ratings train) {
        int max = 0;
        for (int i = 0; i < train.size(); i++) max = Math.max(max, train.movieId(i));
        int[] n = new int[max + 1];
        for (int i = 0; i < train.size(); i++) n[train.movieId(i)]++;
        return n;
    }

    /** The query's BM25 candidates, fetched on first use. */
    public List<Candidate> candidates(String query) {
        return candidates.computeIfAbsent(query, source);
    }

    /** Plain BM25: the candidates' movie ids in BM25 order. */
    public SearchTask.Ranker bm25() {
        return (query, user) -> bm25Ids.computeIfAbsent(query, q -> {
            List<Candidate> c = candidates(q);
            int[] ids = new int[c.size()];
            for (int i = 0; i < ids.length; i++) ids[i] = c.get(i).movieId();
            return ids;
        });
    }

    /**
     * {@link Reranker#fuse} of one fusion and weights for the user's vectors in {@code context}.
     * {@code personal = false} ranks as for a user without vectors (the non-personalized BM25 +
     * popularity baseline under weighted fusion).
     */
    public SearchTask.Ranker ranker(Context context, Fusion fusion, Weights w, boolean personal) {
        return ranker(context, fusion, w, personal, false);
    }

    /**
     * {@link #ranker(Context, Fusion, Weights, boolean)} with the user's ratings {@linkplain
     * io.reelrank.rerank.RatedMovies#decisive() deciding} when {@code decisive}: how serving ranks a user
     * outside the learned ranker's domain.
     */
    public SearchTask.Ranker ranker(Context context, Fusion fusion, Weights w, boolean personal, boolean decisive) {
        return (query, user) -> {
            Values v = values(context, personal ? user : Integer.MIN_VALUE, query);
            List<Reranker.Ranked> ranked = Reranker.fuse(v.candidates(), v.cos(), v.uv(), fusion, w,
                    decisive ? v.rated().decisive() : v.rated());
            int[] ids = new int[ranked.size()];
            for (int i = 0; i < ids.length; i++) ids[i] = ranked.get(i).candidate().movieId();
            return ids;
        };
    }

    /** Distinct queries fetched so far. */
    public int queries() {
        return candidates.size();
    }

    /** Forgets the tower values of a context that will not be used again. */
    public void forget(Context context) {
        values.keySet().removeIf(k -> k.context() == context);
    }

    private Values values(Context ctx, int user, String query) {
        return values.computeIfAbsent(new Key(ctx, user, query), k -> {
            List<Candidate> raw = candidates(query);
            List<Candidate> c = new ArrayList<>(raw.size());
            for (Candidate x : raw) {
                c.add(new Candidate(x.movieId(), x.bm25(), x.bm25Rank(), ctx.count(x.movieId())));
            }
            if (user == Integer.MIN_VALUE) return new Values(c, null, null, RatedMovies.NONE);
            RatedMovies rated = ctx.rated().getOrDefault(user, RatedMovies.NONE);
            float[] u = ctx.content() == null ? null : ctx.content().vector(user);
            float[] f = ctx.model() == null || ctx.cf() == null ? null : ctx.cf().apply(user);
            double[] cos = null;
            double[] uv = null;
            if (u != null) {
                cos = new double[c.size()];
                for (int i = 0; i < cos.length; i++) cos[i] = items.cosine(c.get(i).movieId(), u); // NaN: no vector
            }
            if (f != null) {
                uv = Reranker.collaborative(c, f, ctx.model(), rated);
            }
            return new Values(c, cos, uv, rated);
        });
    }
}
