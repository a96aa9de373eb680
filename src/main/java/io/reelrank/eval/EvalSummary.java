package io.reelrank.eval;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the per-query and per-user values of the two tasks into means with 95% bootstrap intervals,
 * named for the sweep's CSV and plot ({@code "ndcg@10 liked personalized"}, …), and into the table
 * {@code reelrank eval} prints. The caller passes one {@link Bootstrap} for the whole run and prints
 * its seed with the table. A group without values (no disliked held-out rating, say) has no entries.
 */
public final class EvalSummary {

    private EvalSummary() {}

    /**
     * For liked and disliked: NDCG@k, Recall@k and MRR of BM25, of the personalized ranking, and the
     * paired difference personalized − BM25 (for disliked movies a negative difference is the goal).
     */
    public static Map<String, Bootstrap.Interval> search(SearchTask.Result r, Bootstrap b) {
        Map<String, Bootstrap.Interval> out = new LinkedHashMap<>();
        group(out, "liked", r.liked(), r.k(), b);
        group(out, "disliked", r.disliked(), r.k(), b);
        return out;
    }

    /** Recall@k and NDCG@k of similarity, of popularity, and the paired difference similarity − popularity. */
    public static Map<String, Bootstrap.Interval> recommendation(RecommendationTask.Result r, Bootstrap b) {
        Map<String, Bootstrap.Interval> out = new LinkedHashMap<>();
        if (r.userIds().length == 0) {
            return out;
        }
        triples(out, b, "similarity", "popularity", new String[] {"recall@" + r.k(), "ndcg@" + r.k()},
                new double[][] {r.recallSimilarity(), r.ndcgSimilarity()},
                new double[][] {r.recallPopularity(), r.ndcgPopularity()});
        return out;
    }

    /**
     * Rows {@code name  mean  [low, high]  n}, one per interval, in the map's order, so that the
     * reader sees every figure's uncertainty beside it.
     */
    public static String table(Map<String, Bootstrap.Interval> intervals) {
        int width = 6;
        for (String name : intervals.keySet()) {
            width = Math.max(width, name.length());
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-" + width + "s  %8s  %-20s  %6s%n", "metric", "mean", "95% interval", "n"));
        for (Map.Entry<String, Bootstrap.Interval> e : intervals.entrySet()) {
            Bootstrap.Interval i = e.getValue();
            sb.append(String.format(Locale.ROOT, "%-" + width + "s  %8.4f  [%8.4f, %8.4f]  %6d%n", e.getKey(), i.mean(),
                    i.low(), i.high(), i.n()));
        }
        return sb.toString();
    }

    private static void group(Map<String, Bootstrap.Interval> out, String label, SearchTask.Group g, int k, Bootstrap b) {
        if (g.size() == 0) {
            return;
        }
        triples(out, b, "personalized", "bm25",
                new String[] {"ndcg@" + k + " " + label, "recall@" + k + " " + label, "mrr " + label},
                new double[][] {g.ndcgPersonalized(), g.recallPersonalized(), g.rrPersonalized()},
                new double[][] {g.ndcgBm25(), g.recallBm25(), g.rrBm25()});
    }

    /**
     * For each metric: the baseline's mean, the system's mean and their paired difference, all from
     * one {@link Bootstrap#means} pass (the same intervals as separate calls, far fewer draws).
     */
    private static void triples(Map<String, Bootstrap.Interval> out, Bootstrap b, String system, String baseline,
                                String[] metrics, double[][] a, double[][] base) {
        double[][] all = new double[3 * metrics.length][];
        for (int j = 0; j < metrics.length; j++) {
            all[3 * j] = base[j];
            all[3 * j + 1] = a[j];
            all[3 * j + 2] = Bootstrap.differences(a[j], base[j]);
        }
        Bootstrap.Interval[] is = b.means(all);
        for (int j = 0; j < metrics.length; j++) {
            out.put(metrics[j] + " " + baseline, is[3 * j]);
            out.put(metrics[j] + " " + system, is[3 * j + 1]);
            out.put(metrics[j] + " " + system + "-" + baseline, is[3 * j + 2]);
        }
    }
}
