package io.reelrank.eval;

import java.util.Arrays;

/**
 * Ranking metrics for one query (or one user): NDCG@k, Recall@k and the reciprocal rank, over a
 * ranked list of movie ids and the set of relevant ids. The list must already be in its final order
 * with score ties broken (by {@link Ranking}: smaller movie_id first), so the metrics never see a
 * tie. A query with no relevant item has no defined NDCG, recall or reciprocal rank (the ideal DCG
 * and the recall's denominator are 0): it is excluded from the averages rather than scored 0, as
 * trec_eval leaves out topics without relevance judgments, because a 0 would blame the ranker for a
 * query it could not get right. The methods here reject such a query, so the caller must skip it and
 * report how many it skipped. Positions are 1-based in the formulas.
 */
public final class Metrics {

    private Metrics() {}

    /** NDCG@k with binary gains: every relevant id has gain 1. */
    public static double ndcgAtK(int[] ranked, int[] relevant, int k) {
        double[] gains = new double[relevant.length];
        Arrays.fill(gains, 1.0);
        return ndcgAtK(ranked, relevant, gains, k);
    }

    /**
     * NDCG@k with graded gains: {@code DCG@k = Σ_{i=1..k} gain_i / log2(i+1)}, {@code NDCG@k =
     * DCG@k / IDCG@k}, IDCG@k the DCG of the relevant ids sorted by gain descending (Järvelin and
     * Kekäläinen, "Cumulated Gain-Based Evaluation of IR Techniques", ACM TOIS 20(4), 2002, with the
     * log2(i+1) discount used by trec_eval's ndcg_cut). Gains are used as given (linear), each > 0.
     *
     * @param relevant the relevant ids, distinct and at least one
     * @param gains    gain of {@code relevant[j]}, parallel to it
     */
    public static double ndcgAtK(int[] ranked, int[] relevant, double[] gains, int k) {
        checkK(k);
        checkRelevant(relevant);
        if (gains.length != relevant.length) {
            throw new IllegalArgumentException("gains must be parallel to relevant ids, got " + gains.length
                    + " gains for " + relevant.length + " ids");
        }
        for (int j = 0; j < gains.length; j++) {
            if (!(gains[j] > 0) || Double.isInfinite(gains[j])) {
                throw new IllegalArgumentException("gain of relevant movie " + relevant[j]
                        + " must be finite and > 0, got " + gains[j]);
            }
        }
        int n = Math.min(k, ranked.length);
        checkDistinct(ranked, n);
        double dcg = 0;
        for (int i = 0; i < n; i++) {
            int j = indexOf(relevant, ranked[i]);
            if (j >= 0) {
                dcg += gains[j] / log2(i + 2); // position p = i+1: gain_p / log2(p+1)
            }
        }
        double[] ideal = gains.clone();
        Arrays.sort(ideal);
        double idcg = 0;
        for (int i = 0; i < Math.min(k, ideal.length); i++) {
            idcg += ideal[ideal.length - 1 - i] / log2(i + 2);
        }
        return dcg / idcg;
    }

    /** {@code Recall@k = |relevant ∩ top k| / |relevant|}. */
    public static double recallAtK(int[] ranked, int[] relevant, int k) {
        checkK(k);
        checkRelevant(relevant);
        int n = Math.min(k, ranked.length);
        checkDistinct(ranked, n);
        int hits = 0;
        for (int i = 0; i < n; i++) {
            if (indexOf(relevant, ranked[i]) >= 0) {
                hits++;
            }
        }
        return (double) hits / relevant.length;
    }

    /**
     * {@code RR = 1 / rank of the first relevant id} over the whole list, 0 when none is in it; the
     * mean over queries is the MRR (Voorhees, TREC-8 Question Answering Track Report, 1999).
     */
    public static double reciprocalRank(int[] ranked, int[] relevant) {
        checkRelevant(relevant);
        for (int i = 0; i < ranked.length; i++) {
            if (indexOf(relevant, ranked[i]) >= 0) {
                checkDistinct(ranked, i + 1);
                return 1.0 / (i + 1);
            }
        }
        checkDistinct(ranked, ranked.length);
        return 0;
    }

    private static double log2(int x) {
        return Math.log(x) / Math.log(2);
    }

    // Relevant sets are small (one held-out movie per search query, a few dozen per user), so a scan
    // beats building a hash set for every query.
    private static int indexOf(int[] ids, int id) {
        for (int j = 0; j < ids.length; j++) {
            if (ids[j] == id) {
                return j;
            }
        }
        return -1;
    }

    private static void checkK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
    }

    private static void checkRelevant(int[] relevant) {
        if (relevant.length == 0) {
            throw new IllegalArgumentException(
                    "no relevant item: such a query is excluded from the averages, the caller must skip it");
        }
        checkDistinct(relevant, relevant.length);
    }

    private static void checkDistinct(int[] ids, int n) {
        int[] sorted = Arrays.copyOf(ids, n);
        Arrays.sort(sorted);
        for (int i = 1; i < n; i++) {
            if (sorted[i] == sorted[i - 1]) {
                throw new IllegalArgumentException("movie " + sorted[i]
                        + " appears twice in a list that must hold distinct ids");
            }
        }
    }
}
