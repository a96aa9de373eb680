package io.reelrank.eval;

import io.reelrank.index.Candidate;
import io.reelrank.rank.Domain;
import io.reelrank.rank.LearnedRanking;
import io.reelrank.rank.OrderRule;
import io.reelrank.rank.Ranker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The learned ranker's rows of the {@link SearchTask}: a {@link SearchTask.Ranker} that computes the
 * (query, user)'s features with a {@link FeatureContext}, scores them with a {@link Ranker} and
 * orders them by {@link LearnedRanking}, the code serving uses. Features do not depend on the
 * ranker, so they are computed once per (context, user, query) and cached, and many rankers (a
 * hyperparameter grid, several tree counts) are judged on the same values. Thread-safe; the caller
 * passes the candidate source (normally {@link SweepRankers#candidates}) and forgets a context it
 * is done with.
 */
public final class LearnedRankers {

    private record Key(FeatureContext context, int user, String query) {}

    private record Values(List<Candidate> candidates, float[] x) {}

    private final Function<String, List<Candidate>> candidates;
    private final Map<Key, Values> cache = new ConcurrentHashMap<>();

    public LearnedRankers(Function<String, List<Candidate>> candidates) {
        this.candidates = candidates;
    }

    /** The ranker's order with its first {@code trees} trees (all: {@code ranker.trees()}), for every user. */
    public SearchTask.Ranker ranker(FeatureContext context, Ranker ranker, int trees, OrderRule rule) {
        return ranker(context, ranker, trees, rule, Domain.ALL, null);
    }

    /**
     * As serving ranks: the ranker's order for a user inside its {@link Domain}, the {@code fallback}'s
     * (the weighted fusion) for one outside.
     */
    public SearchTask.Ranker ranker(FeatureContext context, Ranker ranker, int trees, OrderRule rule, Domain domain,
                                    SearchTask.Ranker fallback) {
        return (query, user) -> {
            Values v = values(context, user, query);
            if (fallback != null && domain.outside(v.x()) != null) return fallback.rank(query, user);
            int n = v.candidates().size();
            double[] s = ranker.score(v.x(), n, trees);
            int[] order = LearnedRanking.order(v.candidates(), v.x(), s, rule);
            int[] ids = new int[n];
            for (int i = 0; i < n; i++) ids[i] = v.candidates().get(order[i]).movieId();
            return ids;
        };
    }

    /** The features of a (user, query) in {@code context}, computed on first use. */
    public float[] features(FeatureContext context, int user, String query) {
        return values(context, user, query).x();
    }

    private Values values(FeatureContext context, int user, String query) {
        return cache.computeIfAbsent(new Key(context, user, query), k -> {
            List<Candidate> cs = candidates.apply(query);
            return new Values(cs, context.features(query, user, cs));
        });
    }

    /** Forgets the features of a context that will not be used again. */
    public void forget(FeatureContext context) {
        cache.keySet().removeIf(k -> k.context() == context);
    }
}
