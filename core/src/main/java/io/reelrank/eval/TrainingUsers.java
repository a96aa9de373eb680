package io.reelrank.eval;

import io.reelrank.user.UserVectors;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The user vectors of an evaluation, computed in memory from the training ratings alone, so that no
 * held-out rating reaches a ranker and the {@code users} table is never read or overwritten. μ is the
 * mean of the training ratings, not of all ratings, for the same reason. The caller passes the same
 * item-vector lookup that the rankers will compare these vectors against.
 */
public final class TrainingUsers {

    private final Map<Integer, float[]> vectors;
    private final double globalMean;
    private final double shrinkage;
    private final int users;

    private TrainingUsers(Map<Integer, float[]> vectors, double globalMean, double shrinkage, int users) {
        this.vectors = vectors;
        this.globalMean = globalMean;
        this.shrinkage = shrinkage;
        this.users = users;
    }

    /** Every training user's {@link UserVectors#userVector} with μ = the training mean and shrinkage k. */
    public static TrainingUsers compute(Ratings train, IntFunction<float[]> item, double k) {
        Ratings byUser = train.isSortedByUser() ? train : train.sortedByUserThenTime();
        double mu = byUser.meanRating();
        Map<Integer, float[]> vectors = new HashMap<>();
        int[] count = {0};
        byUser.forEachUser((user, from, to) -> {
            count[0]++;
            float[] u = UserVectors.userVector(byUser.movieIds(from, to), byUser.ratings(from, to), to - from,
                    item, mu, k);
            if (u != null) {
                vectors.put(user, u);
            }
        });
        return new TrainingUsers(vectors, mu, k, count[0]);
    }

    /** The user's training vector, or null for a cold user or one with no training rating. */
    public float[] vector(int userId) {
        return vectors.get(userId);
    }

    /** μ, the mean of the training ratings. */
    public double globalMean() {
        return globalMean;
    }

    public double shrinkage() {
        return shrinkage;
    }

    /** Users with at least one training rating. */
    public int users() {
        return users;
    }

    /** Users with a training rating but no vector (their weighted sum was zero). */
    public int coldUsers() {
        return users - vectors.size();
    }
}
