package io.reelrank.eval;

import io.reelrank.rank.Domain;
import io.reelrank.rank.Feature;
import io.reelrank.rank.FeatureSet;
import io.reelrank.rank.Judgments;
import io.reelrank.rank.OrderRule;
import io.reelrank.rank.Ranker;
import io.reelrank.rank.RankerTrainer;
import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.Weights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Trains the learned search ranker on a split inside the training data and chooses its setting
 * there, without ever scoring a setting on the pairs it was fitted on:
 * <ol>
 *   <li>judgments from the split's held-out ratings ({@link SearchJudgments}), features from its
 *       training part ({@link FeatureContext});</li>
 *   <li>the users are divided by a seeded hash: three quarters fit, one quarter chooses;</li>
 *   <li>each setting of the grid is fitted on the fitting users' groups and measured on the choosing
 *       users' pairs by the search task ({@link SearchTask}: every liked and disliked held-out
 *       rating, each query, the movie's NDCG@k), against BM25 + popularity and the weighted fusion
 *       on the same pairs; settings that differ only in their number of trees share one fit;</li>
 *   <li>{@link LearnedSelection#best} picks the setting, and the ranker is fitted again on every
 *       group with it.</li>
 * </ol>
 * The caller passes the split, its feature context, the rankers of the sweep (candidates, the
 * baseline and weighted rows) with their context for the same training part, and the grid.
 */
public final class SearchRankerTraining {

    /** A setting of the grid: the labels' grades and XGBoost's hyperparameters. */
    public record Setting(SearchJudgments.Grades grades, RankerTrainer.Params params) {
        @Override
        public String toString() {
            return "grades " + grades + " " + params;
        }

        Setting fit() {
            return new Setting(grades, params.withTrees(1));
        }
    }

    /** A setting's figures on the choosing users (NDCG@k means, and differences against the baseline). */
    public record Trial(Setting setting, double liked, double disliked, LearnedSelection.Figures figures) {}

    /**
     * What the training did: every trial in grid order, the chosen one, the ranker fitted on every
     * group with it, the baseline and weighted fusion on the choosing users, the order rules
     * ({@link OrderRule#study}) measured with the chosen ranker, the judgments' counts.
     */
    public record Result(List<Trial> trials, Trial chosen, Ranker ranker, double baselineLiked, double baselineDisliked,
                         Trial weighted, Map<OrderRule, Trial> rules, SearchJudgments.Built judgments,
                         int fitGroups, int chooseUsers, int choosePairs, Domain domain, int outsideUsers) {}

    /**
     * The shipped setting, chosen on validation by {@code reelrank bench ltr} (docs/learned-ranker.md):
     * grades 2/1/0, LambdaMART ({@code rank:ndcg}), 200 trees of depth 6, learning rate 0.1.
     */
    public static final Setting DEFAULT = new Setting(SearchJudgments.Grades.DEFAULT,
            new RankerTrainer.Params("rank:ndcg", 200, 6, 0.1, 1, 42));

    /** The features every learned ranker uses: all but the user's own rating (handled by {@link OrderRule}). */
    public static final List<Feature> FEATURES = FeatureSet.ALL.stream().filter(f -> f != Feature.STARS).toList();

    private SearchRankerTraining() {}

    /**
     * @param split     the training part and its held-out ratings
     * @param context   features from {@code split.train()}
     * @param rankers   the candidate source and the fusion rows
     * @param fusion    the fusion rows' context for {@code split.train()}
     * @param baselinePi the π of the BM25 + popularity baseline
     * @param weights   the weighted fusion's weights, measured beside
     * @param rule      how the rankers' candidates are ordered (the shipped {@code PersonalizedSearch.ORDER})
     * @param study     more order rules to measure with the chosen ranker (empty: none)
     */
    public static Result run(Splits.Split split, FeatureContext context, QueryGenerator queries, SweepRankers rankers,
                             SweepRankers.Context fusion, double baselinePi, Weights weights, List<Setting> grid,
                             OrderRule rule, List<OrderRule> study, int k, int threads, long seed, int cap,
                             Consumer<String> progress) {
        return run(split, context, queries, rankers, fusion, baselinePi, weights, grid, rule, study, k, threads, seed,
                cap, null, progress);
    }

    /**
     * The same with {@code extra} judgments (null: none; judgments from clicks) added to every fit: the
     * grid's fits on the fitting users and the chosen setting's fit on all; the choice stays the
     * ratings' validation.
     */
    public static Result run(Splits.Split split, FeatureContext context, QueryGenerator queries, SweepRankers rankers,
                             SweepRankers.Context fusion, double baselinePi, Weights weights, List<Setting> grid,
                             OrderRule rule, List<OrderRule> study, int k, int threads, long seed, int cap,
                             Judgments extra, Consumer<String> progress) {
        if (grid.isEmpty()) throw new IllegalArgumentException("the ranker grid must hold at least one setting");
        long t0 = System.nanoTime();
        SearchJudgments.Built built = SearchJudgments.build(split.test(), queries, rankers::candidates, context,
                SearchJudgments.Grades.DEFAULT, cap, seed);
        Judgments all = built.judgments();
        progress.accept(
                String.format(Locale.ROOT, "judgments: %,d groups (%,d liked, %,d disliked) of %,d (rating, query) "
                        + "pairs, %,d without their movie among the candidates; %,d rows (%.1f s)", all.groups(),
                built.liked(), built.disliked(), built.available(), built.withoutCandidate(), all.rows(), seconds(t0)));
        if (extra != null) {
            progress.accept(String.format(Locale.ROOT, "and %,d groups (%,d rows) of judgments from clicks added to "
                    + "every fit", extra.groups(), extra.rows()));
        }
        List<Integer> fitIdx = new ArrayList<>();
        for (int g = 0; g < all.groups(); g++) if (!chooses(seed, all.user(g))) fitIdx.add(g);
        int[] fit = fitIdx.stream().mapToInt(Integer::intValue).toArray();
        Ratings.Builder rb = Ratings.builder();
        java.util.Set<Integer> chooseUsers = new java.util.TreeSet<>();
        Ratings held = split.test();
        int chooseCap = Math.max(1_000, cap / 4);
        int chooseHeld = 0;
        for (int i = 0; i < held.size(); i++) if (chooses(seed, held.userId(i))) chooseHeld++;
        for (int i = 0; i < held.size(); i++) {
            if (!chooses(seed, held.userId(i))) continue;
            if (chooseHeld > chooseCap && Math.floorMod(mixRating(seed, held.userId(i), held.movieId(i)), chooseHeld)
                    >= chooseCap) {
                continue; // above a quarter of the cap, a seeded sample of the choosing users' ratings
            }
            rb.add(held.userId(i), held.movieId(i), held.rating(i), held.ratedAt(i));
            chooseUsers.add(held.userId(i));
        }
        Ratings choose = rb.build();
        LearnedRankers learned = new LearnedRankers(rankers::candidates);
        Map<String, SearchTask.Ranker> rows = new LinkedHashMap<>();
        rows.put("baseline", rankers.ranker(fusion, Fusion.WEIGHTED, new Weights(0, baselinePi, 0), false));
        rows.put("weighted", rankers.ranker(fusion, Fusion.WEIGHTED, weights, true));
        // How serving ranks a user outside a ranker's domain: weighted fusion, the own ratings deciding.
        SearchTask.Ranker outsider = rankers.ranker(fusion, Fusion.WEIGHTED, weights, true, true);
        // Settings that differ only in their number of trees share one fit, scored with a prefix of its trees.
        Map<Setting, Ranker> fits = new LinkedHashMap<>();
        Map<Setting, Integer> maxTrees = new LinkedHashMap<>();
        for (Setting s : grid) maxTrees.merge(s.fit(), s.params().trees(), Math::max);
        for (Map.Entry<Setting, Integer> e : maxTrees.entrySet()) {
            long t = System.nanoTime();
            Setting s = e.getKey();
            Ranker r = RankerTrainer.train(built.labelled(s.grades()).subset(fit).with(extra), FEATURES,
                    s.params().withTrees(e.getValue()), threads);
            fits.put(s, r);
            progress.accept(String.format(Locale.ROOT, "fitted grades %s %s on %,d groups (%.1f s)", s.grades(),
                    s.params().withTrees(e.getValue()), fit.length, seconds(t)));
        }
        // Measured as served: a choosing user outside the fitted users' domain gets the weighted fusion.
        Domain fitDomain = Domain.of(all.subset(fit));
        for (int i = 0; i < grid.size(); i++) {
            Setting s = grid.get(i);
            rows.put("setting " + i, learned.ranker(context, fits.get(s.fit()), s.params().trees(), rule, fitDomain,
                    outsider));
        }
        long t = System.nanoTime();
        SearchTask.Result r = SearchTask.run(choose, queries, rows, k);
        double bl = mean(r.liked().ndcg()[0]);
        double bd = mean(r.disliked().ndcg()[0]);
        List<Trial> trials = new ArrayList<>();
        for (int i = 0; i < grid.size(); i++) trials.add(trial(grid.get(i), r, 2 + i, bl, bd));
        Trial weighted = trial(null, r, 1, bl, bd);
        progress.accept(
                String.format(Locale.ROOT, "measured %d settings on %,d choosing users' %,d liked and %,d disliked "
                + "pairs (%.1f s)", grid.size(), chooseUsers.size(), r.liked().size(), r.disliked().size(),
                seconds(t)));
        int best = LearnedSelection.best(trials.stream().map(Trial::figures).toList());
        Trial chosen = trials.get(best);
        // The order rules with the chosen ranker, on the same pairs.
        List<OrderRule> measured = new ArrayList<>(study);
        if (!measured.contains(rule)) measured.add(0, rule);
        Map<String, SearchTask.Ranker> prow = new LinkedHashMap<>();
        prow.put("baseline", rows.get("baseline"));
        for (OrderRule o : measured) {
            prow.put(o.toString(), learned.ranker(context, fits.get(chosen.setting().fit()),
                    chosen.setting().params().trees(), o, fitDomain, outsider));
        }
        SearchTask.Result pr = SearchTask.run(choose, queries, prow, k);
        Map<OrderRule, Trial> rules = new LinkedHashMap<>();
        for (int i = 0; i < measured.size(); i++) {
            rules.put(measured.get(i), trial(chosen.setting(), pr, 1 + i, bl, bd));
        }
        int outside = 0;
        for (int u : chooseUsers) {
            if (fitDomain.outside(context.profile(u)) != null) outside++;
        }
        learned.forget(context);
        t = System.nanoTime();
        Ranker ranker = RankerTrainer.train(built.labelled(chosen.setting().grades()).with(extra), FEATURES,
                chosen.setting().params(),
                threads);
        progress.accept(String.format(Locale.ROOT, "chose %s; fitted on all %,d groups (%.1f s)", chosen.setting(),
                all.groups(), seconds(t)));
        return new Result(trials, chosen, ranker, bl, bd, weighted, rules, built, fit.length, chooseUsers.size(),
                r.liked().size() + r.disliked().size(), Domain.of(all), outside);
    }

    /** Whether a user belongs to the choosing quarter (a seeded hash of the user id). */
    static boolean chooses(long seed, int user) {
        return fold(seed, user) == 0;
    }

    /** The user's quarter, 0-3, from a seeded hash of the user id. */
    static int fold(long seed, int user) {
        long h = (seed ^ 0x5DEECE66DL) + user * 0x9E3779B97F4A7C15L;
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 29;
        return (int) Math.floorMod(h, 4);
    }

    private static long mixRating(long seed, int user, int movie) {
        long h = seed * 0x9E3779B97F4A7C15L + user * 0xC2B2AE3D27D4EB4FL + movie;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        return h ^ h >>> 33;
    }

    private static Trial trial(Setting s, SearchTask.Result r, int row, double bl, double bd) {
        double l = mean(r.liked().ndcg()[row]);
        double d = mean(r.disliked().ndcg()[row]);
        return new Trial(s, l, d, new LearnedSelection.Figures(l - bl, d - bd));
    }

    private static double mean(double[] v) {
        return ModelSelection.mean(v);
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static String describe(Trial t) {
        return String.format(Locale.ROOT, "%-70s liked %.4f (%+.4f)  disliked %.4f (%+.4f)",
                Objects.toString(t.setting(), "weighted"), t.liked(), t.figures().likedGain(), t.disliked(),
                t.figures().dislikedGain());
    }
}
