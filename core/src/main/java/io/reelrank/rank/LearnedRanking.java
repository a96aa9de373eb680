package io.reelrank.rank;

import io.reelrank.index.Candidate;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The order of a learned ranking: candidates sorted by their {@link RatedPolicy} tier (what the user
 * said about a movie they rated), then by the {@link OrderRule}'s score (the ranker's plus its content
 * term), then by movie_id (deterministic ties, as everywhere in reelrank). Pure; serving and the
 * evaluation both order through it.
 */
public final class LearnedRanking {

    private LearnedRanking() {}

    /**
     * The candidates' indices in ranked order.
     *
     * @param x      the candidates' features ({@link FeatureSet} layout): the own rating is read from it
     * @param scores the ranker's score per candidate
     * @param rule   rated movies' tiers and the content term
     */
    public static int[] order(List<Candidate> candidates, float[] x, double[] scores, OrderRule rule) {
        int n = candidates.size();
        int[] tier = new int[n];
        double[] key = new double[n];
        for (int i = 0; i < n; i++) {
            tier[i] = rule.tier(x, i);
            key[i] = rule.score(x, i, scores[i]);
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, Comparator.<Integer>comparingInt(i -> -tier[i]).thenComparingDouble(i -> -key[i])
                .thenComparingInt(i -> candidates.get(i).movieId()));
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = order[i];
        return out;
    }

}
