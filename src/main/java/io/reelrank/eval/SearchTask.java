package io.reelrank.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The search task: for each held-out rating (user, movie), the queries a person could have typed to
 * find that movie ({@link QueryGenerator}) are run through plain BM25 and through the personalized
 * re-ranking for the user's training vector, and each list is judged by where the movie lands. Liked
 * movies (rating ≥ 4) should rise under personalization, disliked ones (rating ≤ 2) sink, so the two
 * are kept apart: for liked, higher NDCG/Recall/MRR is better, for disliked lower. The caller passes
 * the two rankers as functions (BM25's result is cached per query, since many held-out movies share a
 * genre query), the held-out ratings and the training users, and bootstraps the per-query values.
 * A pair whose user is cold, or whose movie yields no query, is counted and left out. A movie
 * missing from a ranked list (not among the BM25 candidates) scores 0 in it, for both rankers alike,
 * since the re-ranker only reorders BM25's candidates.
 */
public final class SearchTask {

    /** A held-out rating at or below this counts as disliked. */
    public static final double DISLIKED = 2.0;

    /** Per-query values of one group (liked or disliked), parallel arrays, in held-out order. */
    public record Group(List<String> queries, int[] userIds, int[] movieIds,
                        double[] ndcgBm25, double[] ndcgPersonalized,
                        double[] recallBm25, double[] recallPersonalized,
                        double[] rrBm25, double[] rrPersonalized) {
        public int size() {
            return userIds.length;
        }
    }

    /**
     * The liked and disliked groups; {@code coldPairs}: held-out ratings of a user with no training
     * vector; {@code pairsWithoutQuery}: of a movie that yields neither a title nor a genre query.
     */
    public record Result(int k, Group liked, Group disliked, int coldPairs, int pairsWithoutQuery) {}

    private SearchTask() {}

    /**
     * @param test         held-out ratings
     * @param bm25         the BM25 ranking of a query (the candidates, best first)
     * @param personalized the same query's ranking re-ranked for a user vector
     * @param k            the cutoff of NDCG@k and Recall@k; MRR looks at the whole list
     */
    public static Result run(Ratings test, QueryGenerator queries, TrainingUsers users,
                             Function<String, int[]> bm25, BiFunction<String, float[], int[]> personalized, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        Map<String, int[]> bm25Cache = new HashMap<>();
        Builder liked = new Builder();
        Builder disliked = new Builder();
        int cold = 0;
        int withoutQuery = 0;
        for (int i = 0; i < test.size(); i++) {
            double rating = test.rating(i);
            Builder group = rating >= RecommendationTask.LIKED ? liked : rating <= DISLIKED ? disliked : null;
            if (group == null) {
                continue;
            }
            int user = test.userId(i);
            int movie = test.movieId(i);
            float[] u = users.vector(user);
            if (u == null) {
                cold++;
                continue;
            }
            List<String> qs = new ArrayList<>(2);
            queries.titleQuery(movie).ifPresent(qs::add);
            queries.genreQuery(movie).ifPresent(qs::add);
            if (qs.isEmpty()) {
                withoutQuery++;
                continue;
            }
            int[] relevant = {movie};
            for (String q : qs) {
                int[] plain = bm25Cache.computeIfAbsent(q, bm25);
                int[] mine = personalized.apply(q, u);
                group.add(q, user, movie,
                        Metrics.ndcgAtK(plain, relevant, k), Metrics.ndcgAtK(mine, relevant, k),
                        Metrics.recallAtK(plain, relevant, k), Metrics.recallAtK(mine, relevant, k),
                        Metrics.reciprocalRank(plain, relevant), Metrics.reciprocalRank(mine, relevant));
            }
        }
        return new Result(k, liked.build(), disliked.build(), cold, withoutQuery);
    }

    private static final class Builder {
        final List<String> queries = new ArrayList<>();
        final RecommendationTask.IntList users = new RecommendationTask.IntList();
        final RecommendationTask.IntList movies = new RecommendationTask.IntList();
        final RecommendationTask.DoubleList[] values = new RecommendationTask.DoubleList[6];

        Builder() {
            for (int j = 0; j < values.length; j++) {
                values[j] = new RecommendationTask.DoubleList();
            }
        }

        void add(String q, int user, int movie, double... v) {
            queries.add(q);
            users.add(user);
            movies.add(movie);
            for (int j = 0; j < values.length; j++) {
                values[j].add(v[j]);
            }
        }

        Group build() {
            return new Group(List.copyOf(queries), users.toArray(), movies.toArray(), values[0].toArray(),
                    values[1].toArray(), values[2].toArray(), values[3].toArray(), values[4].toArray(),
                    values[5].toArray());
        }
    }
}
