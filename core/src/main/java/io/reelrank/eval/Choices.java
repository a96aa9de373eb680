package io.reelrank.eval;

import java.util.List;

/**
 * The rules {@code reelrank eval} (and {@code train}'s grid search) choose by, as pure functions of
 * figures measured on the validation split, never the test split: the collaborative model's
 * setting, EASE's λ, the π of the BM25 + popularity baseline and the fusion setting that ships.
 * Each picks the earliest candidate on a tie (the candidates come sorted: grid order, ascending λ
 * and π), so the same figures always give the same choice; a NaN figure (nothing to measure) never
 * wins. The caller measures; these only decide.
 */
public final class Choices {

    /** The search task's ranker names, as the figures name them ({@code "ndcg@10 liked personalized"}). */
    public static final String BM25 = "bm25";
    public static final String BASELINE = "bm25+popularity";
    public static final String PERSONALIZED = "personalized";
    /** The learned search ranker's row ({@link LearnedSelection}). */
    public static final String LEARNED = "learned";
    /** The recommendation task's two-stage row: the two-tower top candidates reordered by a learned ranker. */
    public static final String TWO_STAGE = "two-stage";

    /** A choice of π: its index in the values tried, the value and its liked NDCG@k. */
    public record Pick(int index, double value, double figure) {}

    private Choices() {}

    /**
     * The model setting: the trial with the highest two-tower Recall@20 (ties: the earlier setting in
     * grid order; the first when no recall is a number).
     */
    public static int model(List<ModelSelection.Trial> trials) {
        if (trials.isEmpty()) throw new IllegalArgumentException("a model choice needs at least one trial, got 0");
        double[] recalls = new double[trials.size()];
        for (int i = 0; i < recalls.length; i++) recalls[i] = trials.get(i).recall();
        return highest(recalls);
    }

    /**
     * EASE's λ: the one with the highest Recall@20 (ties: the smaller λ; the first when no recall is a
     * number).
     *
     * @param recalls Recall@20 on validation, parallel to {@code lambdas} (ascending)
     */
    public static double easeLambda(double[] lambdas, double[] recalls) {
        return lambdas[highest(parallel(lambdas, recalls))];
    }

    /**
     * The baseline's π: the one with the highest liked NDCG@k (ties: the smaller π). With no liked
     * figure at all the first π, with a NaN figure.
     *
     * @param liked liked NDCG@k of BM25 + popularity on validation, parallel to {@code pis} (ascending)
     */
    public static Pick baselinePi(double[] pis, double[] liked) {
        int i = highest(parallel(pis, liked));
        return new Pick(i, pis[i], liked[i]);
    }

    /**
     * The search setting the product ships, mirroring what personalization is for: among the
     * settings whose liked NDCG@k is no lower than the BM25 + popularity baseline's
     * ({@code baselineLiked}), the one that sinks disliked movies furthest (lowest disliked NDCG@k;
     * a point without disliked figures counts 0); when none qualifies, the best liked NDCG@k. Ties:
     * the earlier setting. A NaN baseline figure lets every setting qualify.
     *
     * @param points the sweep on validation, with the figures {@code "ndcg@k liked personalized"} and
     *               {@code "ndcg@k disliked personalized"}
     */
    public static SweepGrid.Setting fusion(List<SweepReport.Point> points, double baselineLiked, int k) {
        String liked = ndcg(MetricKey.Group.LIKED, k);
        String disliked = ndcg(MetricKey.Group.DISLIKED, k);
        SweepReport.Point best = null;
        for (SweepReport.Point p : points) {
            if (p.metric(liked).mean() < baselineLiked) continue;
            if (best == null || dislikedOf(p, disliked) < dislikedOf(best, disliked)) best = p;
        }
        if (best == null) best = SweepReport.best(points, liked);
        return new SweepGrid.Setting(best.fusion(), best.alpha(), best.popularity(), best.collaborative());
    }

    private static String ndcg(MetricKey.Group group, int k) {
        return MetricKey.of(MetricKey.Measure.NDCG, k, group, PERSONALIZED).name();
    }

    private static double dislikedOf(SweepReport.Point p, String metric) {
        Bootstrap.Interval d = p.metrics().get(metric);
        return d == null ? 0 : d.mean();
    }

    private static double[] parallel(double[] candidates, double[] figures) {
        if (candidates.length == 0 || candidates.length != figures.length) {
            throw new IllegalArgumentException("a choice needs one figure per candidate and at least one, got "
                    + candidates.length + " candidates and " + figures.length + " figures");
        }
        return figures;
    }

    /** The index of the largest value; the first on ties; 0 when none is a number. */
    private static int highest(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best] || Double.isNaN(v[best]) && !Double.isNaN(v[i])) best = i;
        }
        return best;
    }
}
