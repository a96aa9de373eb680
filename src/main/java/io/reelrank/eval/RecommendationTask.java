package io.reelrank.eval;

import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * The recommendation task: with no query, does ranking a user's unseen movies by similarity to their
 * training vector find the movies they went on to like better than ranking them by popularity? The
 * caller splits the ratings ({@link Splits}), computes the users from the training part
 * ({@link TrainingUsers}) with the same item vectors it passes here, and bootstraps the per-user
 * values of the {@link Result}.
 *
 * <p>Protocol, so that the numbers can be set beside published MovieLens results:
 * <ul>
 *   <li>Split per user: the latest {@code round(f·n_u)} ratings held out (temporal; ties by movie_id)
 *       or a seeded random share; every user keeps at least one training rating; f = 0.2 by default.
 *   <li>Relevant: the user's held-out movies rated ≥ 4.0, all with gain 1 (binary). A relevant movie
 *       missing from the catalog stays relevant, so it can only lower recall.
 *   <li>Users scored: those with at least one relevant held-out movie and a training vector; the
 *       others are counted in {@link Result#usersWithoutLiked} and {@link Result#coldUsers} and left out.
 *       Each scored user weighs the same in the mean (user-averaged, not rating-averaged).
 *   <li>Candidates: every catalog movie the user did not rate in training, held-out ones included;
 *       full ranking, no sampled negatives (sampled metrics are not comparable with full-ranking ones:
 *       Krichene and Rendle, "On Sampled Metrics for Item Recommendation", KDD 2020).
 *   <li>Similarity ranks by {@code cos(u, e_i)}; popularity by the number of training ratings of the
 *       movie (any value, from all users); ties by movie_id ascending.
 *   <li>{@code Recall@k = hits in top k / |relevant|} (not divided by {@code min(k, |relevant|)} as in
 *       Liang et al., "Variational Autoencoders for Collaborative Filtering", WWW 2018) and binary
 *       {@code NDCG@k} as in {@link Metrics}; k = 20.
 * </ul>
 */
public final class RecommendationTask {

    public static final int DEFAULT_K = 20;
    /** A held-out rating at or above this counts as liked, on MovieLens' 0.5–5 scale. */
    public static final double LIKED = 4.0;

    /**
     * Per-user values, parallel to {@code userIds} (ascending), for the similarity ranking and the
     * popularity baseline.
     */
    public record Result(int k, int[] userIds, double[] recallSimilarity, double[] ndcgSimilarity,
                         double[] recallPopularity, double[] ndcgPopularity,
                         int usersWithoutLiked, int coldUsers) {}

    private RecommendationTask() {}

    /**
     * @param catalog the movies that can be recommended, each with a vector from {@code item}
     * @param item    the item vectors the users were computed with
     */
    public static Result run(Splits.Split split, int[] catalog, IntFunction<float[]> item, TrainingUsers users,
                             int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        if (catalog.length == 0) {
            throw new IllegalArgumentException("the catalog must hold at least one movie with a vector, got none");
        }
        int[] ids = catalog.clone();
        Arrays.sort(ids);
        for (int i = 1; i < ids.length; i++) {
            if (ids[i] == ids[i - 1]) {
                throw new IllegalArgumentException("catalog lists movie " + ids[i] + " twice");
            }
        }
        // Item vectors scaled to unit length in one flat row-major array: the per-user scoring pass over
        // every movie is then one sequential read, and a dot product with the unit user vector is the cosine.
        int dim = -1;
        float[] unit = null;
        for (int i = 0; i < ids.length; i++) {
            float[] e = item.apply(ids[i]);
            if (e == null) {
                throw new IllegalArgumentException("catalog movie " + ids[i] + " has no vector; leave it out of the catalog");
            }
            if (unit == null) {
                dim = e.length;
                unit = new float[ids.length * dim];
            } else if (e.length != dim) {
                throw new IllegalArgumentException("item vectors must share one dimension: movie " + ids[i] + " has "
                        + e.length + ", expected " + dim);
            }
            double n2 = 0;
            for (float x : e) {
                n2 += (double) x * x;
            }
            double inv = n2 == 0 ? 0 : 1 / Math.sqrt(n2);
            for (int d = 0; d < dim; d++) {
                unit[i * dim + d] = (float) (e[d] * inv);
            }
        }
        float[] unitVectors = unit;
        int dimension = dim;

        Ratings train = split.train().isSortedByUser() ? split.train() : split.train().sortedByUserThenTime();
        Ratings test = split.test().isSortedByUser() ? split.test() : split.test().sortedByUserThenTime();

        int[] popularity = new int[ids.length];
        for (int i = 0; i < train.size(); i++) {
            int pos = Arrays.binarySearch(ids, train.movieId(i));
            if (pos >= 0) {
                popularity[pos]++;
            }
        }
        double[] popScores = new double[ids.length];
        for (int i = 0; i < ids.length; i++) {
            popScores[i] = popularity[i];
        }
        // One global order; each user walks it skipping what they rated in training.
        int[] byPopularity = Ranking.order(ids, popScores);

        int[][] trainRanges = userRanges(train);
        boolean[] seen = new boolean[ids.length];
        IntList userIds = new IntList();
        DoubleList recallSim = new DoubleList(), ndcgSim = new DoubleList();
        DoubleList recallPop = new DoubleList(), ndcgPop = new DoubleList();
        int[] withoutLiked = {0};
        int[] cold = {0};

        test.forEachUser((user, from, to) -> {
            int[] liked = likedMovies(test, from, to);
            if (liked.length == 0) {
                withoutLiked[0]++;
                return;
            }
            float[] u = users.vector(user);
            if (u == null) {
                cold[0]++;
                return;
            }
            if (u.length != dimension) {
                throw new IllegalArgumentException("user " + user + " has a vector of dimension " + u.length
                        + ", the items " + dimension);
            }
            int r = Arrays.binarySearch(trainRanges[0], user);
            int[] marked = r < 0 ? new int[0] : markSeen(train, trainRanges[1][r], trainRanges[2][r], ids, seen);

            int[] candIds = new int[ids.length - marked.length];
            double[] candScores = new double[candIds.length];
            int c = 0;
            for (int i = 0; i < ids.length; i++) {
                if (!seen[i]) {
                    candIds[c] = ids[i];
                    candScores[c++] = dot(u, unitVectors, i * dimension); // cos(u, e_i) = u·e_i/|e_i|, |u| = 1
                }
            }
            int[] bySimilarity = Ranking.topK(candIds, candScores, k);
            int[] popular = new int[Math.min(k, candIds.length)];
            int p = 0;
            for (int i = 0; i < byPopularity.length && p < popular.length; i++) {
                if (!seen[Arrays.binarySearch(ids, byPopularity[i])]) {
                    popular[p++] = byPopularity[i];
                }
            }
            for (int pos : marked) {
                seen[pos] = false;
            }

            userIds.add(user);
            recallSim.add(Metrics.recallAtK(bySimilarity, liked, k));
            ndcgSim.add(Metrics.ndcgAtK(bySimilarity, liked, k));
            recallPop.add(Metrics.recallAtK(popular, liked, k));
            ndcgPop.add(Metrics.ndcgAtK(popular, liked, k));
        });
        return new Result(k, userIds.toArray(), recallSim.toArray(), ndcgSim.toArray(), recallPop.toArray(),
                ndcgPop.toArray(), withoutLiked[0], cold[0]);
    }

    private static double dot(float[] u, float[] rows, int offset) {
        // Four partial sums let the CPU overlap the additions; the order is fixed, so results are stable.
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int d = 0;
        for (; d + 3 < u.length; d += 4) {
            s0 += u[d] * rows[offset + d];
            s1 += u[d + 1] * rows[offset + d + 1];
            s2 += u[d + 2] * rows[offset + d + 2];
            s3 += u[d + 3] * rows[offset + d + 3];
        }
        for (; d < u.length; d++) {
            s0 += u[d] * rows[offset + d];
        }
        return (double) s0 + s1 + s2 + s3;
    }

    private static int[] likedMovies(Ratings test, int from, int to) {
        IntList liked = new IntList();
        for (int i = from; i < to; i++) {
            if (test.rating(i) >= LIKED) {
                liked.add(test.movieId(i));
            }
        }
        return liked.toArray();
    }

    /** Marks the catalog positions of the user's training movies; returns them so they can be unmarked. */
    private static int[] markSeen(Ratings train, int from, int to, int[] ids, boolean[] seen) {
        IntList marked = new IntList();
        for (int i = from; i < to; i++) {
            int pos = Arrays.binarySearch(ids, train.movieId(i));
            if (pos >= 0 && !seen[pos]) {
                seen[pos] = true;
                marked.add(pos);
            }
        }
        return marked.toArray();
    }

    /** {users ascending, from, to} of each user's run in ratings sorted by user. */
    private static int[][] userRanges(Ratings sorted) {
        IntList users = new IntList(), froms = new IntList(), tos = new IntList();
        sorted.forEachUser((user, from, to) -> {
            users.add(user);
            froms.add(from);
            tos.add(to);
        });
        return new int[][] {users.toArray(), froms.toArray(), tos.toArray()};
    }

    static final class IntList {
        private int[] a = new int[16];
        private int n;

        void add(int x) {
            if (n == a.length) a = Arrays.copyOf(a, n * 2);
            a[n++] = x;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    static final class DoubleList {
        private double[] a = new double[16];
        private int n;

        void add(double x) {
            if (n == a.length) a = Arrays.copyOf(a, n * 2);
            a[n++] = x;
        }

        double[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
