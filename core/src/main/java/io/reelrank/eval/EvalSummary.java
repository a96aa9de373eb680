package io.reelrank.eval;

import java.util.LinkedHashMap;
import java.util.List;
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
     * For liked and disliked: NDCG@k, Recall@k and MRR of every ranker, then the paired difference
     * of each {@code {system, baseline}} in {@code differences}, named {@code "<system>-<baseline>"}
     * (for disliked movies a negative difference is the goal).
     */
    public static Map<String, Bootstrap.Interval> search(SearchTask.Result r, Bootstrap b, List<String[]> differences) {
        Map<String, Bootstrap.Interval> out = new LinkedHashMap<>();
        group(out, MetricKey.Group.LIKED, r.liked(), r.k(), b, differences);
        group(out, MetricKey.Group.DISLIKED, r.disliked(), r.k(), b, differences);
        return out;
    }

    /**
     * Recall@k and NDCG@k of popularity and of every other system, each with its paired difference
     * against popularity ({@code "recall@20 two-tower-popularity"}).
     */
    public static Map<String, Bootstrap.Interval> recommendation(RecommendationTask.Result r, Bootstrap b) {
        Map<String, Bootstrap.Interval> out = new LinkedHashMap<>();
        if (r.userIds().length == 0) {
            return out;
        }
        MetricKey.Measure[] metrics = {MetricKey.Measure.RECALL, MetricKey.Measure.NDCG};
        int pop = r.system(RecommendationTask.POPULARITY);
        for (int s = 0; s < r.systems().size(); s++) {
            if (s == pop) continue;
            Map<String, Bootstrap.Interval> part = new LinkedHashMap<>();
            triples(part, b, r.systems().get(s), RecommendationTask.POPULARITY, metrics, r.k(),
                    new double[][] {r.recall()[s], r.ndcg()[s]}, new double[][] {r.recall()[pop], r.ndcg()[pop]});
            part.forEach(out::putIfAbsent);
        }
        return out;
    }

    /** Recall@k and NDCG@k of {@code system − baseline}, paired per user ({@code "recall@20 two-tower-ease"}). */
    public static Map<String, Bootstrap.Interval> differences(RecommendationTask.Result r, Bootstrap b, String system,
                                                              String baseline) {
        Map<String, Bootstrap.Interval> out = new LinkedHashMap<>();
        if (r.userIds().length == 0) return out;
        int s = r.system(system);
        int t = r.system(baseline);
        Bootstrap.Interval[] is = b.means(Bootstrap.differences(r.recall()[s], r.recall()[t]),
                Bootstrap.differences(r.ndcg()[s], r.ndcg()[t]));
        out.put(MetricKey.difference(MetricKey.Measure.RECALL, r.k(), MetricKey.Group.NONE, system, baseline).name(),
                is[0]);
        out.put(MetricKey.difference(MetricKey.Measure.NDCG, r.k(), MetricKey.Group.NONE, system, baseline).name(),
                is[1]);
        return out;
    }

    /**
     * Recall@k over the rare relevant movies (fewer than {@link RecommendationTask#RARE} training
     * ratings) of each system, for the users who have one ({@code "rare-movie recall@20 ease"}).
     */
    public static Map<String, Bootstrap.Interval> rare(RecommendationTask.Result r, Bootstrap b) {
        Map<String, Bootstrap.Interval> out = new LinkedHashMap<>();
        for (int s = 0; s < r.systems().size(); s++) {
            double[] v = java.util.Arrays.stream(r.rareRecall()[s]).filter(x -> !Double.isNaN(x)).toArray();
            if (v.length > 0) {
                out.put(MetricKey.of(MetricKey.Measure.RARE_RECALL, r.k(), MetricKey.Group.NONE, r.systems().get(s))
                        .name(), b.mean(v));
            }
        }
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
        sb.append(String.format(Locale.ROOT, "%-" + width + "s  %8s  %-20s  %6s%n", "metric", "mean", "95% interval",
                "n"));
        for (Map.Entry<String, Bootstrap.Interval> e : intervals.entrySet()) {
            Bootstrap.Interval i = e.getValue();
            sb.append(String.format(Locale.ROOT, "%-" + width + "s  %8.4f  [%8.4f, %8.4f]  %6d%n", e.getKey(), i.mean(),
                    i.low(), i.high(), i.n()));
        }
        return sb.toString();
    }

    private static void group(Map<String, Bootstrap.Interval> out, MetricKey.Group label, SearchTask.Group g, int k,
                              Bootstrap b, List<String[]> differences) {
        if (g.size() == 0) {
            return;
        }
        MetricKey.Measure[] metrics = {MetricKey.Measure.NDCG, MetricKey.Measure.RECALL, MetricKey.Measure.MRR};
        double[][][] values = {g.ndcg(), g.recall(), g.rr()};
        List<String> names = new java.util.ArrayList<>();
        List<double[]> arrays = new java.util.ArrayList<>();
        for (int m = 0; m < metrics.length; m++) {
            for (int r = 0; r < g.rankers().size(); r++) {
                names.add(MetricKey.of(metrics[m], k, label, g.rankers().get(r)).name());
                arrays.add(values[m][r]);
            }
            for (String[] d : differences) {
                names.add(MetricKey.difference(metrics[m], k, label, d[0], d[1]).name());
                arrays.add(Bootstrap.differences(values[m][g.ranker(d[0])], values[m][g.ranker(d[1])]));
            }
        }
        Bootstrap.Interval[] is = b.means(arrays.toArray(new double[0][]));
        for (int i = 0; i < is.length; i++) out.put(names.get(i), is[i]);
    }

    /**
     * For each metric: the baseline's mean, the system's mean and their paired difference, all from
     * one {@link Bootstrap#means} pass (the same intervals as separate calls, far fewer draws).
     */
    private static void triples(Map<String, Bootstrap.Interval> out, Bootstrap b, String system, String baseline,
                                MetricKey.Measure[] metrics, int k, double[][] a, double[][] base) {
        double[][] all = new double[3 * metrics.length][];
        for (int j = 0; j < metrics.length; j++) {
            all[3 * j] = base[j];
            all[3 * j + 1] = a[j];
            all[3 * j + 2] = Bootstrap.differences(a[j], base[j]);
        }
        Bootstrap.Interval[] is = b.means(all);
        for (int j = 0; j < metrics.length; j++) {
            out.put(MetricKey.of(metrics[j], k, MetricKey.Group.NONE, baseline).name(), is[3 * j]);
            out.put(MetricKey.of(metrics[j], k, MetricKey.Group.NONE, system).name(), is[3 * j + 1]);
            out.put(MetricKey.difference(metrics[j], k, MetricKey.Group.NONE, system, baseline).name(), is[3 * j + 2]);
        }
    }
}
