package io.reelrank.eval;

import java.util.List;

/**
 * The rules that choose a learned ranker's setting and decide whether it is served, as pure
 * functions of figures measured on validation users the ranker was not fitted on (never on the
 * pairs it was trained with: a ranker looks far better on those than it is).
 */
public final class LearnedSelection {

    /** A candidate's figures against the BM25 + popularity baseline on the same pairs: NDCG@k differences. */
    public record Figures(double likedGain, double dislikedGain) {
        /** What the search task asks for, both ways at once: liked movies up, disliked ones down. */
        public double value() {
            return likedGain - dislikedGain;
        }
    }

    /**
     * π of the BM25 + popularity baseline the learned ranker's figures are taken against when no
     * evaluation chose one: the π {@code reelrank eval} chooses on its validation split (README
     * "Evaluation").
     */
    public static final double BASELINE_POPULARITY = 0.70;

    private LearnedSelection() {}

    /**
     * The index of the best setting: the highest {@code likedGain − dislikedGain} (liked movies lifted
     * plus disliked ones sunk, each NDCG@k point counting the same) among those that do not lower
     * liked NDCG@k below the baseline's; when none qualifies, the highest liked gain. Ties: the
     * earlier setting.
     */
    public static int best(List<Figures> settings) {
        if (settings.isEmpty()) throw new IllegalArgumentException("no settings to choose from");
        int best = -1;
        for (int i = 0; i < settings.size(); i++) {
            Figures f = settings.get(i);
            if (f.likedGain() < 0) continue;
            if (best < 0 || f.value() > settings.get(best).value()) best = i;
        }
        if (best >= 0) return best;
        best = 0;
        for (int i = 1; i < settings.size(); i++) {
            if (settings.get(i).likedGain() > settings.get(best).likedGain()) best = i;
        }
        return best;
    }

    /**
     * Whether the learned ranker should be the default search over the weighted fusion: it must not
     * lower liked NDCG@k below the baseline's and must do better than the weighted fusion on the
     * same rule ({@link Figures#value}), both measured on the same held-out validation users.
     */
    public static boolean learnedWins(Figures learned, Figures weighted) {
        return learned.likedGain() >= 0 && learned.value() > weighted.value();
    }

    /**
     * Whether recommendations should be served in two stages: the learned ranker's cross-fitted
     * Recall@20 on validation must be above the retrieval's alone on the same users.
     */
    public static boolean twoStageWins(double twoStageRecall, double retrievalRecall) {
        return twoStageRecall > retrievalRecall;
    }
}
