package io.reelrank.eval;

import io.reelrank.index.Candidate;
import io.reelrank.rank.Domain;
import io.reelrank.rank.Feature;
import io.reelrank.rank.FeatureSet;
import io.reelrank.rank.Judgments;
import io.reelrank.rank.Ranker;
import io.reelrank.rank.RankerTrainer;
import io.reelrank.rank.UserProfile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Recommendations in two stages, and how their ranker is trained: the collaborative retrieval (the
 * two-tower recommender, what {@code recommend} serves through the HNSW index) gives each user's
 * {@code candidates} best unrated movies, and a learned ranker over the same {@link FeatureSet}
 * reorders them. Judgments come from the recommendation task's protocol on a split inside the
 * training data: one group per user, the user's retrieved movies, labelled {@link Setting#liked}
 * for a held-out movie rated 4.0 or more, {@link Setting#watched} for another held-out movie and 0
 * for the rest; users with no liked movie among their candidates teach nothing and are left out.
 * The setting is chosen by cross-fitting (one group per user is little data): the users are split
 * in four by a seeded hash, each quarter is scored by the ranker fitted on the other three, and
 * Recall@20 over every user is compared with the retrieval alone; the chosen setting is then
 * fitted on every group.
 */
public final class RecommendRankerTraining {

    /** Candidates per user from the retrieval: the two-tower top 200 holds most of what a top 20 can gain. */
    public static final int DEFAULT_CANDIDATES = 200;

    /** A setting: the labels of liked and of other held-out movies, and XGBoost's hyperparameters. */
    public record Setting(float liked, float watched, RankerTrainer.Params params) {
        public Setting {
            if (!(watched >= 0 && liked > watched)) {
                throw new IllegalArgumentException("grades must satisfy liked > watched >= 0, got " + liked + "/"
                        + watched);
            }
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "grades liked %s watched %s %s", num(liked), num(watched), params);
        }

        private static String num(float v) {
            return v == Math.rint(v) ? Long.toString((long) v) : Float.toString(v);
        }
    }

    /**
     * The shipped setting, chosen on validation by {@code reelrank bench ltr --recommend}: liked 1,
     * other watched movies 0, LambdaMART with 200 trees of depth 4, learning rate 0.05.
     */
    public static final Setting DEFAULT = new Setting(1, 0, new RankerTrainer.Params("rank:ndcg", 200, 4, 0.05, 1, 42));

    /** The features the recommendation ranker uses: no query, and not the own rating (rated movies are never
     * candidates). */
    public static final List<Feature> FEATURES = FeatureSet.ALL.stream().filter(f -> f != Feature.STARS
            && f != Feature.BM25
            && f != Feature.BM25_NORM && f != Feature.QUERY_GENRE).toList();

    /** A setting's Recall@20 and NDCG@20 on the choosing users. */
    public record Trial(Setting setting, double recall, double ndcg) {}

    /**
     * Every trial (cross-fitted over all users), the chosen one, its ranker fitted on every group, the
     * retrieval alone on the same users; the groups, and the users measured.
     */
    public record Result(List<Trial> trials, Trial chosen, Ranker ranker, double retrievalRecall, double retrievalNdcg,
                         int groups, int fitGroups, int chooseUsers, Domain domain) {}

    private RecommendRankerTraining() {}

    /**
     * The two-stage scorer: {@code retrieval}'s scores, with its {@code k} best movies the user has
     * not rated reordered by {@code ranker} (its first {@code trees} trees) above every other movie.
     *
     * @param catalog the catalog in ascending id order, as {@link RecommendationTask} indexes scores
     */
    public static RecommendationTask.Scorer twoStage(int[] catalog, RecommendationTask.Scorer retrieval,
                                                     FeatureContext context, Ranker ranker, int trees, int k) {
        return (user, scores) -> {
            if (!retrieval.score(user, scores)) return false;
            int[] top = top(catalog, scores, context.profile(user), k);
            List<Candidate> cs = candidates(catalog, top);
            float[] x = context.recommendFeatures(user, cs);
            double[] s = ranker.score(x, cs.size(), trees);
            Integer[] order = new Integer[top.length];
            for (int i = 0; i < order.length; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> s[a] != s[b] ? Double.compare(s[b], s[a]) : Integer.compare(catalog[top[a]],
                    catalog[top[b]]));
            for (int r = 0; r < order.length; r++) scores[top[order[r]]] = 1e9 - r; // above every retrieval score
            return true;
        };
    }

    /** Catalog positions of the {@code k} best-scored movies the user has not rated, best first (ties by movie_id). */
    static int[] top(int[] catalog, double[] scores, UserProfile profile, int k) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < catalog.length; i++) {
            if (!Double.isNaN(scores[i]) && Double.isNaN(profile.stars(catalog[i]))) idx.add(i);
        }
        idx.sort((a, b) -> scores[a] != scores[b] ? Double.compare(scores[b], scores[a]) : Integer.compare(catalog[a],
                catalog[b]));
        int n = Math.min(k, idx.size());
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = idx.get(i);
        return out;
    }

    private static List<Candidate> candidates(int[] catalog, int[] top) {
        List<Candidate> cs = new ArrayList<>(top.length);
        for (int i = 0; i < top.length; i++) cs.add(new Candidate(catalog[top[i]], Float.NaN, i + 1));
        return cs;
    }

    /**
     * Builds the judgments from {@code split}, fits every setting on three quarters of the users,
     * measures Recall@20 on the rest, and fits the chosen one on every group.
     */
    public static Result run(Splits.Split split, int[] catalog, RecommendationTask.Scorer retrieval,
                             FeatureContext context, List<Setting> grid, int k, int threads, long seed,
                             Consumer<String> progress) {
        if (grid.isEmpty()) throw new IllegalArgumentException("the ranker grid must hold at least one setting");
        int[] ids = RecommendationTask.catalogOrder(catalog);
        long t0 = System.nanoTime();
        Ratings held = split.test().isSortedByUser() ? split.test() : split.test().sortedByUserThenTime();
        List<Integer> users = new ArrayList<>();
        List<float[]> xs = new ArrayList<>();
        Map<Integer, float[]> heldStars = new LinkedHashMap<>();
        double[] scores = new double[ids.length];
        held.forEachUser((user, from, to) -> {
            if (!retrieval.score(user, scores)) return;
            int[] top = top(ids, scores, context.profile(user), k);
            List<Candidate> cs = candidates(ids, top);
            Map<Integer, Float> stars = new java.util.HashMap<>();
            for (int i = from; i < to; i++) stars.put(held.movieId(i), held.rating(i));
            float[] st = new float[cs.size()];
            boolean anyLiked = false;
            for (int i = 0; i < st.length; i++) {
                Float r = stars.get(cs.get(i).movieId());
                st[i] = r == null ? Float.NaN : r;
                anyLiked |= r != null && r >= RecommendationTask.LIKED;
            }
            if (!anyLiked) return;
            users.add(user);
            xs.add(context.recommendFeatures(user, cs));
            heldStars.put(user, st);
        });
        progress.accept(
                String.format(Locale.ROOT, "recommendation judgments: %,d users with a liked held-out movie among "
                + "their %d candidates (%.1f s)", users.size(), k, (System.nanoTime() - t0) / 1e9));
        // Cross-fitting: each quarter of the users is scored by the rankers fitted on the other three.
        int folds = 4;
        List<int[]> fitGroups = new ArrayList<>();
        for (int f = 0; f < folds; f++) {
            List<Integer> idx = new ArrayList<>();
            for (int g = 0; g < users.size(); g++) if (SearchRankerTraining.fold(seed, users.get(g)) != f) idx.add(g);
            fitGroups.add(idx.stream().mapToInt(Integer::intValue).toArray());
        }
        Map<String, RecommendationTask.Scorer> systems = new LinkedHashMap<>();
        systems.put("retrieval", retrieval);
        Map<Setting, Ranker[]> fits = new LinkedHashMap<>();
        for (Setting s : grid) {
            Setting key = new Setting(s.liked(), s.watched(), s.params().withTrees(1));
            if (fits.containsKey(key)) continue;
            int maxTrees = grid.stream().filter(o
                    -> new Setting(o.liked(), o.watched(), o.params().withTrees(1)).equals(key))
                    .mapToInt(o -> o.params().trees()).max().orElseThrow();
            long t = System.nanoTime();
            Ranker[] byFold = new Ranker[folds];
            for (int f = 0; f < folds; f++) {
                byFold[f] = RankerTrainer.train(judgments(users, xs, heldStars, s, fitGroups.get(f)), FEATURES,
                        s.params().withTrees(maxTrees), threads);
            }
            fits.put(key, byFold);
            progress.accept(
                    String.format(Locale.ROOT, "fitted grades %s/%s %s, %d folds (%.1f s)", s.liked(), s.watched(),
                    s.params().withTrees(maxTrees), folds, (System.nanoTime() - t) / 1e9));
        }
        for (int i = 0; i < grid.size(); i++) {
            Setting s = grid.get(i);
            Ranker[] byFold = fits.get(new Setting(s.liked(), s.watched(), s.params().withTrees(1)));
            RecommendationTask.Scorer[] scorers = new RecommendationTask.Scorer[folds];
            for (int f = 0; f < folds; f++) scorers[f] = twoStage(catalog, retrieval, context, byFold[f],
                    s.params().trees(), k);
            systems.put("setting " + i, (user, sc) -> scorers[SearchRankerTraining.fold(seed, user)].score(user, sc));
        }
        RecommendationTask.Result r = RecommendationTask.run(split, ids, systems, RecommendationTask.DEFAULT_K);
        List<Trial> trials = new ArrayList<>();
        int best = 0;
        for (int i = 0; i < grid.size(); i++) {
            int sys = r.system("setting " + i);
            trials.add(
                    new Trial(grid.get(i), ModelSelection.mean(r.recall()[sys]), ModelSelection.mean(r.ndcg()[sys])));
            if (trials.get(i).recall() > trials.get(best).recall()) best = i;
        }
        int base = r.system("retrieval");
        Trial chosen = trials.get(best);
        int[] everyone = new int[users.size()];
        for (int i = 0; i < everyone.length; i++) everyone[i] = i;
        Judgments all = judgments(users, xs, heldStars, chosen.setting(), everyone);
        Ranker ranker = RankerTrainer.train(all, FEATURES, chosen.setting().params(), threads);
        progress.accept("chose " + chosen.setting() + "; fitted on all " + users.size() + " users");
        return new Result(trials, chosen, ranker, ModelSelection.mean(r.recall()[base]),
                ModelSelection.mean(r.ndcg()[base]),
                users.size(), users.size(), r.userIds().length, Domain.of(all));
    }

    private static Judgments judgments(List<Integer> users, List<float[]> xs, Map<Integer, float[]> heldStars,
            Setting s,
                                       int[] groups) {
        Judgments.Builder b = new Judgments.Builder();
        for (int g : groups) {
            float[] st = heldStars.get(users.get(g));
            float[] labels = new float[st.length];
            for (int i = 0; i < st.length; i++) {
                labels[i] = Float.isNaN(st[i]) ? 0 : st[i] >= RecommendationTask.LIKED ? s.liked() : s.watched();
            }
            b.group(users.get(g), xs.get(g), labels);
        }
        return b.build();
    }
}
