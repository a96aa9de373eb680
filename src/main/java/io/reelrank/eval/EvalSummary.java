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
        triple(out, "recall@" + r.k(), "similarity", "popularity", r.recallSimilarity(), r.recallPopularity(), b);
        triple(out, "ndcg@" + r.k(), "similarity", "popularity", r.ndcgSimilarity(), r.ndcgPopularity(), b);
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
        triple(out, "ndcg@" + k + " " + label, "personalized", "bm25", g.ndcgPersonalized(), g.ndcgBm25(), b);
        triple(out, "recall@" + k + " " + label, "personalized", "bm25", g.recallPersonalized(), g.recallBm25(), b);
        triple(out, "mrr " + label, "personalized", "bm25", g.rrPersonalized(), g.rrBm25(), b);
    }

    private static void triple(Map<String, Bootstrap.Interval> out, String metric, String system, String baseline,
                               double[] a, double[] base, Bootstrap b) {
        out.put(metric + " " + baseline, b.mean(base));
        out.put(metric + " " + system, b.mean(a));
        out.put(metric + " " + system + "-" + baseline, b.pairedDifference(a, base));
    }
}
