package io.reelrank.eval;

import java.util.SplittableRandom;

/**
 * Splits ratings into a training part, from which user vectors are computed, and a held-out test
 * part, on which rankings are judged. Each user is split on their own: {@link #temporal} holds out
 * the user's latest ratings (what they rated next), {@link #random} a random share drawn with a
 * seed. Every user keeps at least one training rating. The caller computes everything a ranker sees
 * (user vectors, the global mean, popularity) from {@link Split#train()} only, and logs the seed.
 */
public final class Splits {

    /** Training and held-out ratings, both ordered by (user_id, rated_at, movie_id). */
    public record Split(Ratings train, Ratings test) {}

    private Splits() {}

    /**
     * Holds out each user's latest {@code round(f·n_u)} ratings (at most {@code n_u − 1}). Ratings
     * with the same timestamp are ordered by movie_id, the larger id counting as the later, so the
     * split does not depend on the order the ratings were read in.
     */
    public static Split temporal(Ratings all, double testFraction) {
        checkFraction(testFraction);
        Ratings sorted = all.sortedByUserThenTime();
        boolean[] held = new boolean[sorted.size()];
        sorted.forEachUser((user, from, to) -> {
            int h = heldOutCount(to - from, testFraction);
            for (int i = to - h; i < to; i++) {
                held[i] = true;
            }
        });
        return partition(sorted, held);
    }

    /**
     * Holds out a uniformly random {@code round(f·n_u)} of each user's ratings (at most
     * {@code n_u − 1}). Each user's draw uses a generator seeded from {@code (seed, user_id)} over
     * their ratings in (rated_at, movie_id) order, so a user's split depends neither on the input
     * order nor on which other users are present.
     */
    public static Split random(Ratings all, double testFraction, long seed) {
        checkFraction(testFraction);
        Ratings sorted = all.sortedByUserThenTime();
        boolean[] held = new boolean[sorted.size()];
        sorted.forEachUser((user, from, to) -> {
            int n = to - from;
            int h = heldOutCount(n, testFraction);
            SplittableRandom rng = new SplittableRandom(seed ^ (user * 0x9E3779B97F4A7C15L));
            int[] pos = Ratings.identity(n);
            // Partial Fisher–Yates: the first h slots become a uniform sample without replacement.
            for (int i = 0; i < h; i++) {
                int j = i + rng.nextInt(n - i);
                int t = pos[i];
                pos[i] = pos[j];
                pos[j] = t;
                held[from + pos[i]] = true;
            }
        });
        return partition(sorted, held);
    }

    /** {@code min(n − 1, round(f·n))}: a user always keeps one training rating to build a vector from. */
    static int heldOutCount(int n, double testFraction) {
        return (int) Math.min(n - 1L, Math.round(testFraction * n));
    }

    static void checkFraction(double testFraction) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("--test-fraction must be in (0,1), got " + testFraction);
        }
    }

    private static Split partition(Ratings sorted, boolean[] held) {
        int n = sorted.size();
        int[] train = new int[n];
        int[] test = new int[n];
        int nTrain = 0, nTest = 0;
        for (int i = 0; i < n; i++) {
            if (held[i]) {
                test[nTest++] = i;
            } else {
                train[nTrain++] = i;
            }
        }
        return new Split(sorted.select(train, nTrain), sorted.select(test, nTest));
    }
}
