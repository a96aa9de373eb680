package io.reelrank.rank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.index.Candidate;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The order of a learned ranking: what the user said about rated movies, then the score, then movie_id. */
@Tag("unit")
class LearnedRankingTest {

    private static final List<Candidate> CANDIDATES = List.of(new Candidate(10, 5f, 1), new Candidate(20, 4f, 2),
            new Candidate(30, 3f, 3), new Candidate(40, 2f, 4), new Candidate(50, 1f, 5));
    /** Scores: 40 best, then 10, then 20 and 30 tied, 50 last. */
    private static final double[] SCORES = {0.5, 0.1, 0.1, 0.9, -1};

    /** Movie 10 rated 5.0, 40 rated 1.0, 30 rated 3.0. */
    private static float[] features() {
        float[] x = new float[CANDIDATES.size() * FeatureSet.WIDTH];
        Arrays.fill(x, Float.NaN);
        x[0 * FeatureSet.WIDTH + Feature.STARS.ordinal()] = 5;
        x[3 * FeatureSet.WIDTH + Feature.STARS.ordinal()] = 1;
        x[2 * FeatureSet.WIDTH + Feature.STARS.ordinal()] = 3;
        return x;
    }

    private static int[] ids(RatedPolicy p) {
        int[] order = LearnedRanking.order(CANDIDATES, features(), SCORES, OrderRule.of(p));
        return Arrays.stream(order).map(i -> CANDIDATES.get(i).movieId()).toArray();
    }

    @Test
    void theScoreOrdersAndTiesGoToTheSmallerMovieId() {
        assertArrayEquals(new int[] {40, 10, 20, 30, 50}, ids(RatedPolicy.MODEL));
    }

    @Test
    void theShippedPolicySinksWhatTheUserRatedLowAndLeavesTheRestToTheScore() {
        assertEquals(RatedPolicy.LOW, io.reelrank.rerank.PersonalizedSearch.ORDER.rated());
        assertArrayEquals(new int[] {10, 20, 30, 50, 40}, ids(RatedPolicy.LOW));
    }

    @Test
    void theOtherPoliciesLiftLovedMoviesOrSinkEveryRatedOne() {
        assertArrayEquals(new int[] {10, 20, 30, 50, 40}, ids(RatedPolicy.OWN), "5.0 on top, 1.0 at the bottom");
        assertArrayEquals(new int[] {20, 50, 40, 10, 30}, ids(RatedPolicy.BOTTOM), "every rated movie below the unrated");
        assertTrue(RatedPolicy.OWN.tier(4.0, false) > 0 && RatedPolicy.OWN.tier(2.0, false) < 0
                && RatedPolicy.OWN.tier(3.5, false) == 0);
        assertEquals(0, RatedPolicy.LOW.tier(Double.NaN, false));
    }
}
