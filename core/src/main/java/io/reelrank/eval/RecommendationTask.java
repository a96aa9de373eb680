package io.reelrank.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recommendation task: with no query, which system ranks a user's unseen movies so that the
 * movies they went on to like come first? Popularity is always measured (it is the baseline, and
 * every other system falls back to it for a user it cannot score); the caller adds systems as
 * {@link Scorer}s, each computed from the training part of the split only, and bootstraps the
 * per-user values of the {@link Result}.
 *
 * <p>Protocol, so that the numbers can be set beside published MovieLens results:
 * <ul>
 *   <li>Split per user: the latest {@code round(f·n_u)} ratings held out (temporal; ties by movie_id)
 *       or a seeded random share; every user keeps at least one training rating; f = 0.2 by default.
 *   <li>Relevant: the user's held-out movies rated ≥ 4.0, all with gain 1 (binary). A relevant movie
 *       missing from the catalog stays relevant, so it can only lower recall.
 *   <li>Users scored: every user with at least one relevant held-out movie, the same users for every
 *       system; the others are counted in {@link Result#usersWithoutLiked}. A system that cannot
 *       score a user (no vector) ranks by popularity for that user, as production does, counted in
 *       {@link Result#fallbacks}. Each scored user weighs the same in the mean.
 *   <li>Candidates: every catalog movie the user did not rate in training, held-out ones included;
 *       full ranking, no sampled negatives (sampled metrics are not comparable with full-ranking ones:
 *       Krichene and Rendle, "On Sampled Metrics for Item Recommendation", KDD 2020). A movie a
 *       system cannot score (NaN) ranks after every scored one.
 *   <li>Popularity ranks by the number of training ratings of the movie (any value, from all users);
 *       ties by movie_id ascending in every system.
 *   <li>{@code Recall@k = hits in top k / |relevant|} (not divided by {@code min(k, |relevant|)} as in
 *       Liang et al., "Variational Autoencoders for Collaborative Filtering", WWW 2018) and binary
 *       {@code NDCG@k} as in {@link Metrics}; k = 20.
 *   <li>Rare movies: the same recall over only the relevant movies with fewer than {@link #RARE}
 *       training ratings, for the users who have one: how well a system finds movies that
 *       collaborative data barely knows.
 * </ul>
 */
public final class RecommendationTask {

    public static final int DEFAULT_K = 20;
    /** A held-out rating at or above this counts as liked, on MovieLens' 0.5–5 scale. */
    public static final double LIKED = 4.0;
    /** A movie with fewer training ratings than this is rare (the cold-item part of the task). */
    public static final int RARE = 5;
    /** The name of the built-in baseline. */
    public static final String POPULARITY = "popularity";

    /**
     * Scores every catalog movie for one user: {@code scores[i]} for {@code catalog[i]} (the ids in
     * ascending order), higher is better, NaN for a movie it cannot score. Returns false when it
     * cannot score this user at all. Called from several threads at once: must be thread-safe.
     */
    @FunctionalInterface
    public interface Scorer {
        boolean score(int userId, double[] scores);
    }

    /**
     * Per-user values, parallel to {@code userIds} (ascending), one row per system in
     * {@code systems} order (popularity first). {@code rareRecall[s][u]} is NaN for a user with no
     * rare relevant movie.
     */
    public record Result(int k, int[] userIds, List<String> systems, double[][] recall, double[][] ndcg,
                         double[][] rareRecall, int[] fallbacks, int usersWithoutLiked) {
        public int system(String name) {
            int i = systems.indexOf(name);
            if (i < 0) throw new IllegalArgumentException("no system named '" + name + "'; have " + systems);
            return i;
        }
    }

    private RecommendationTask() {}

    /**
     * @param catalog the movies that can be recommended (distinct)
     * @param systems the systems besides popularity, by name, in the order to report them
     */
    public static Result run(Splits.Split split, int[] catalog, Map<String, Scorer> systems, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        if (catalog.length == 0) {
            throw new IllegalArgumentException("the catalog must hold at least one movie, got none");
        }
        if (systems.containsKey(POPULARITY)) {
            throw new IllegalArgumentException("'" + POPULARITY
                    + "' is the built-in baseline; name the system otherwise");
        }
        int[] ids = catalog.clone();
        Arrays.sort(ids);
        for (int i = 1; i < ids.length; i++) {
            if (ids[i] == ids[i - 1]) {
                throw new IllegalArgumentException("catalog lists movie " + ids[i] + " twice");
            }
        }
        Ratings train = split.train().isSortedByUser() ? split.train() : split.train().sortedByUserThenTime();
        Ratings test = split.test().isSortedByUser() ? split.test() : split.test().sortedByUserThenTime();

        int[] count = new int[ids.length];
        for (int i = 0; i < train.size(); i++) {
            int pos = Arrays.binarySearch(ids, train.movieId(i));
            if (pos >= 0) count[pos]++;
        }
        double[] popScores = new double[ids.length];
        for (int i = 0; i < ids.length; i++) popScores[i] = count[i];
        int[] byPopularity = Ranking.order(ids, popScores); // one global order; each user skips what they rated

        List<String> names = new ArrayList<>();
        names.add(POPULARITY);
        names.addAll(systems.keySet());
        List<Scorer> scorers = new ArrayList<>(systems.values());
        Map<Integer, int[]> trainMovies = new LinkedHashMap<>();
        train.forEachUser((user, from, to) -> trainMovies.put(user, train.movieIds(from, to)));

        List<int[]> likedPerUser = new ArrayList<>();
        IntList userIds = new IntList();
        int[] withoutLiked = {0};
        test.forEachUser((user, from, to) -> {
            int[] liked = likedMovies(test, from, to);
            if (liked.length == 0) {
                withoutLiked[0]++;
                return;
            }
            userIds.add(user);
            likedPerUser.add(liked);
        });
        int[] users = userIds.toArray();
        int s = names.size();
        double[][] recall = new double[s][users.length];
        double[][] ndcg = new double[s][users.length];
        double[][] rare = new double[s][users.length];
        int[][] fellBack = new int[s][users.length];

        java.util.stream.IntStream.range(0, users.length).parallel().forEach(u -> {
            int user = users[u];
            int[] liked = likedPerUser.get(u);
            boolean[] seen = new boolean[ids.length];
            int[] rated = trainMovies.getOrDefault(user, new int[0]);
            int nSeen = 0;
            for (int m : rated) {
                int pos = Arrays.binarySearch(ids, m);
                if (pos >= 0 && !seen[pos]) {
                    seen[pos] = true;
                    nSeen++;
                }
            }
            int[] rareLiked = rareMovies(liked, ids, count);
            int[] popular = new int[Math.min(k, ids.length - nSeen)];
            int p = 0;
            for (int i = 0; i < byPopularity.length && p < popular.length; i++) {
                if (!seen[Arrays.binarySearch(ids, byPopularity[i])]) popular[p++] = byPopularity[i];
            }
            double[] scores = new double[ids.length];
            for (int sys = 0; sys < s; sys++) {
                int[] top;
                if (sys == 0 || !scorers.get(sys - 1).score(user, scores)) {
                    top = popular;
                    if (sys > 0) fellBack[sys][u] = 1;
                } else {
                    int[] candIds = new int[ids.length - nSeen];
                    double[] candScores = new double[candIds.length];
                    int c = 0;
                    for (int i = 0; i < ids.length; i++) {
                        if (seen[i]) continue;
                        candIds[c] = ids[i];
                        // NaN (cannot score) ranks after every scored movie, ties by movie_id
                        candScores[c++] = Double.isNaN(scores[i]) ? -Double.MAX_VALUE : scores[i];
                    }
                    top = Ranking.topK(candIds, candScores, k);
                }
                recall[sys][u] = Metrics.recallAtK(top, liked, k);
                ndcg[sys][u] = Metrics.ndcgAtK(top, liked, k);
                rare[sys][u] = rareLiked.length == 0 ? Double.NaN : Metrics.recallAtK(top, rareLiked, k);
            }
        });
        int[] fallbacks = new int[s];
        for (int sys = 0; sys < s; sys++) {
            for (int x : fellBack[sys]) fallbacks[sys] += x;
        }
        return new Result(k, users, List.copyOf(names), recall, ndcg, rare, fallbacks, withoutLiked[0]);
    }

    /** The catalog movie ids in ascending order, as the scorers' {@code scores} arrays are indexed. */
    public static int[] catalogOrder(int[] catalog) {
        int[] ids = catalog.clone();
        Arrays.sort(ids);
        return ids;
    }

    private static int[] rareMovies(int[] liked, int[] ids, int[] count) {
        IntList out = new IntList();
        for (int m : liked) {
            int pos = Arrays.binarySearch(ids, m);
            if (pos < 0 || count[pos] < RARE) out.add(m);
        }
        return out.toArray();
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
