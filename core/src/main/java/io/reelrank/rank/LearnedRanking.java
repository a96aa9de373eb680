package io.reelrank.rank;

import io.reelrank.index.Candidate;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The order of a learned ranking: candidates sorted by their {@link RatedPolicy} tier (what the user
 * said about a movie they rated), then by the ranker's score, then by movie_id (deterministic ties,
 * as everywhere in reelrank). Pure; serving and the evaluation both order through it.
 */
public final class LearnedRanking {

    private LearnedRanking() {}

    /**
     * The candidates' indices in ranked order.
     *
     * @param x      the candidates' features ({@link FeatureSet} layout): the own rating is read from it
     * @param scores the ranker's score per candidate
     */
    public static int[] order(List<Candidate> candidates, float[] x, double[] scores, RatedPolicy policy) {
        int n = candidates.size();
        int[] tier = new int[n];
        for (int i = 0; i < n; i++) tier[i] = policy.tier(x[i * FeatureSet.WIDTH + Feature.STARS.ordinal()]);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, Comparator.<Integer>comparingInt(i -> -tier[i]).thenComparingDouble(i -> -scores[i])
                .thenComparingInt(i -> candidates.get(i).movieId()));
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = order[i];
        return out;
    }

    /** The tier of candidate i under the policy (1 above the unrated, 0 with them, −1 below). */
    public static int tier(float[] x, int i, RatedPolicy policy) {
        return policy.tier(x[i * FeatureSet.WIDTH + Feature.STARS.ordinal()]);
    }
}
