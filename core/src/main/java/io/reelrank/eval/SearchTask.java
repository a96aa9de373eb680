package io.reelrank.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The search task: for each held-out rating (user, movie), the queries a person could have typed to
 * find that movie ({@link QueryGenerator}) are run through every ranker (plain BM25, the
 * non-personalized BM25 + popularity, the personalized re-ranking, …), and each list is judged by
 * where the movie lands. Liked movies (rating ≥ 4) should rise under personalization, disliked ones
 * (rating ≤ 2) sink, so the two are kept apart: for liked, higher NDCG/Recall/MRR is better, for
 * disliked lower. The caller passes the rankers by name (the first is the one differences are taken
 * against in the summary), each a function of (query, user) built from training data only, and
 * bootstraps the per-query values. A pair whose movie yields no query is counted and left out. A
 * movie missing from a ranked list (not among the BM25 candidates) scores 0 in it, for every ranker
 * alike, since the re-rankers only reorder BM25's candidates.
 */
public final class SearchTask {

    /** A held-out rating at or below this counts as disliked. */
    public static final double DISLIKED = 2.0;

    /** A ranking of the query's candidates for a user, best first. Must be thread-safe. */
    @FunctionalInterface
    public interface Ranker {
        int[] rank(String query, int userId);
    }

    /**
     * Per-query values of one group (liked or disliked), in held-out order: {@code ndcg[r][i]} for
     * ranker r (in {@code rankers} order) and query i; likewise recall@k and reciprocal rank.
     */
    public record Group(List<String> queries, int[] userIds, int[] movieIds, List<String> rankers, double[][] ndcg,
                        double[][] recall, double[][] rr) {
        public int size() {
            return userIds.length;
        }

        public int ranker(String name) {
            int i = rankers.indexOf(name);
            if (i < 0) throw new IllegalArgumentException("no ranker named '" + name + "'; have " + rankers);
            return i;
        }
    }

    /** The liked and disliked groups; {@code pairsWithoutQuery}: held-out ratings of a movie that yields no query. */
    public record Result(int k, List<String> rankers, Group liked, Group disliked, int pairsWithoutQuery) {}

    private SearchTask() {}

    /**
     * @param test    held-out ratings
     * @param rankers by name, in report order
     * @param k       the cutoff of NDCG@k and Recall@k; MRR looks at the whole list
     */
    public static Result run(Ratings test, QueryGenerator queries, Map<String, Ranker> rankers, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        if (rankers.isEmpty()) {
            throw new IllegalArgumentException("the search task needs at least one ranker");
        }
        List<String> names = List.copyOf(new LinkedHashMap<>(rankers).keySet());
        List<Ranker> rs = new ArrayList<>(rankers.values());
        Builder liked = new Builder(names.size());
        Builder disliked = new Builder(names.size());
        int withoutQuery = 0;
        for (int i = 0; i < test.size(); i++) {
            double rating = test.rating(i);
            Builder group = rating >= RecommendationTask.LIKED ? liked : rating <= DISLIKED ? disliked : null;
            if (group == null) {
                continue;
            }
            int user = test.userId(i);
            int movie = test.movieId(i);
            List<String> qs = new ArrayList<>(2);
            queries.titleQuery(movie).ifPresent(qs::add);
            queries.genreQuery(movie).ifPresent(qs::add);
            if (qs.isEmpty()) {
                withoutQuery++;
                continue;
            }
            int[] relevant = {movie};
            for (String q : qs) {
                double[] ndcg = new double[rs.size()];
                double[] recall = new double[rs.size()];
                double[] rr = new double[rs.size()];
                for (int r = 0; r < rs.size(); r++) {
                    int[] ranked = rs.get(r).rank(q, user);
                    ndcg[r] = Metrics.ndcgAtK(ranked, relevant, k);
                    recall[r] = Metrics.recallAtK(ranked, relevant, k);
                    rr[r] = Metrics.reciprocalRank(ranked, relevant);
                }
                group.add(q, user, movie, ndcg, recall, rr);
            }
        }
        return new Result(k, names, liked.build(names), disliked.build(names), withoutQuery);
    }

    private static final class Builder {
        final List<String> queries = new ArrayList<>();
        final RecommendationTask.IntList users = new RecommendationTask.IntList();
        final RecommendationTask.IntList movies = new RecommendationTask.IntList();
        final RecommendationTask.DoubleList[][] values; // [metric][ranker]

        Builder(int rankers) {
            values = new RecommendationTask.DoubleList[3][rankers];
            for (RecommendationTask.DoubleList[] m : values) {
                for (int r = 0; r < rankers; r++) m[r] = new RecommendationTask.DoubleList();
            }
        }

        void add(String q, int user, int movie, double[] ndcg, double[] recall, double[] rr) {
            queries.add(q);
            users.add(user);
            movies.add(movie);
            double[][] v = {ndcg, recall, rr};
            for (int m = 0; m < 3; m++) {
                for (int r = 0; r < v[m].length; r++) values[m][r].add(v[m][r]);
            }
        }

        Group build(List<String> names) {
            double[][][] out = new double[3][names.size()][];
            for (int m = 0; m < 3; m++) {
                for (int r = 0; r < names.size(); r++) out[m][r] = values[m][r].toArray();
            }
            return new Group(List.copyOf(queries), users.toArray(), movies.toArray(), names, out[0], out[1], out[2]);
        }
    }
}
