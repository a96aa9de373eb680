package io.reelrank.user;

import java.util.function.IntFunction;

/**
 * The user tower: turns one user's ratings into a vector in the item vectors' space, so that the
 * cosine between a user and a movie says how much the user would like it. A pure function of the
 * ratings given and an item-vector lookup; it reads no table, so the evaluation can feed it training
 * ratings only and the {@code users} command all of them. The caller passes μ, the global mean of
 * the same ratings the users come from, and the item vectors the rankers will compare against
 * (centered or not, the same ones on both sides).
 */
public final class UserVectors {

    /**
     * The shrinkage strength k: a user's mean counts as much as k ratings at the global mean. 1000,
     * the best of {@code reelrank eval}'s sweep over 0, 10, 100, 1000 (docs/models.md, "Users and ratings"): on
     * MovieLens, measuring a rating against the global mean ranks better than against the user's own
     * mean, so strong shrinkage wins; the gain above 100 is small.
     */
    public static final double DEFAULT_SHRINKAGE = 1000.0;

    private UserVectors() {}

    /**
     * {@code u = normalize(Σ_i (r_ui − b_u)·e_i)} with {@code b_u = (Σ_i r_ui + k·μ)/(n_u + k)}, over
     * the first {@code n} entries of {@code movieIds}/{@code ratings}; {@code null} when the sum is
     * the zero vector (a cold user). {@code b_u} is the regularized user baseline of Koren, "Factor in
     * the Neighbors: Scalable and Accurate Collaborative Filtering", TKDD 4(1), 2010, §2.1, without
     * item biases: {@code b_u − μ = Σ_i (r_ui − μ)/(n_u + k)}. This shrinkage is what makes a user who rates
     * everything 1.0 point away from those movies instead of vanishing. Every rating counts in
     * {@code b_u}; a movie whose vector {@code item} returns {@code null} for is left out of the sum
     * only, since the user's rating habit does not depend on which movies have been embedded.
     *
     * @param item       the movie's vector, or null when it has none; all vectors of one dimension
     * @param globalMean μ, the mean of all ratings the users' ratings are drawn from, in [0.5, 5]
     * @param k          shrinkage strength, ≥ 0 (0: the user's plain mean)
     */
    public static float[] userVector(int[] movieIds, float[] ratings, int n, IntFunction<float[]> item,
                                     double globalMean, double k) {
        if (n < 0 || n > movieIds.length || n > ratings.length) {
            throw new IllegalArgumentException("n must be in [0, " + Math.min(movieIds.length, ratings.length)
                    + "], got " + n);
        }
        if (!(k >= 0) || Double.isInfinite(k)) {
            throw new IllegalArgumentException("shrinkage k must be a finite number >= 0, got " + k);
        }
        if (!(globalMean >= 0.5 && globalMean <= 5.0)) {
            throw new IllegalArgumentException("global mean must be in [0.5, 5.0], got " + globalMean);
        }
        if (n == 0) {
            return null;
        }
        double ratingSum = 0;
        for (int i = 0; i < n; i++) {
            ratingSum += ratings[i];
        }
        double bu = (ratingSum + k * globalMean) / (n + k); // b_u = (Σ_i r_ui + k·μ)/(n_u + k)
        double[] sum = null;
        for (int i = 0; i < n; i++) {
            float[] e = item.apply(movieIds[i]);
            if (e == null) {
                continue;
            }
            if (sum == null) {
                sum = new double[e.length];
            } else if (e.length != sum.length) {
                throw new IllegalArgumentException("item vectors must share one dimension: movie " + movieIds[i]
                        + " has " + e.length + ", expected " + sum.length);
            }
            double w = ratings[i] - bu; // Σ_i (r_ui − b_u)·e_i
            for (int d = 0; d < e.length; d++) {
                sum[d] += w * e[d];
            }
        }
        if (sum == null) {
            return null;
        }
        double norm2 = 0;
        for (double x : sum) {
            norm2 += x * x;
        }
        // A user whose ratings all equal b_u sums to zero up to rounding; such a vector has no direction.
        if (!(norm2 > 1e-24)) {
            return null;
        }
        double inv = 1.0 / Math.sqrt(norm2);
        float[] u = new float[sum.length];
        for (int d = 0; d < u.length; d++) {
            u[d] = (float) (sum[d] * inv);
        }
        return u;
    }

    /**
     * Whether some user has no content vector yet, or a real (not test) user rated after their vector
     * was computed: then {@code reelrank users} has work to do.
     */
    public static boolean anyStale(java.sql.Connection c) throws java.sql.SQLException {
        try (java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM users WHERE embedding IS NULL) "
                     + "OR EXISTS (SELECT 1 FROM ratings r JOIN users u USING (user_id) "
                     + "WHERE r.rated_at > u.updated_at AND u.user_id NOT IN (SELECT user_id FROM test_users))")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
