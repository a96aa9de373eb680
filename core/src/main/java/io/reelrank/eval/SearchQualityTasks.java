package io.reelrank.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of a search-quality task ({@link TypoTask}, {@link ExactTask}, {@link DescriptiveTask};
 * docs/search-quality.md) as {@code reelrank eval} reports them: NDCG@k, Recall@k and MRR of every
 * ranker over one group of queries, then the paired differences asked for, each a mean with its 95%
 * bootstrap interval, all drawn in one {@link Bootstrap#means} pass. Names read
 * {@code "ndcg@10 liked shipped"} and {@code "ndcg@10 liked shipped − bm25+popularity"}.
 */
public final class SearchQualityTasks {

    /** The tasks, in the order eval runs them. */
    public static final List<String> ALL = List.of("typo", "exact", "descriptive");
    /** The rankers' names in the figures. */
    public static final String BM25 = "bm25";
    public static final String BASELINE = "bm25+popularity";
    public static final String SHIPPED = "shipped";

    private SearchQualityTasks() {}

    /**
     * The figures of the queries whose {@code liked} flag is {@code liked}, labelled {@code group};
     * each of {@code differences} is {@code {a, b}}: the per-query difference a − b. Empty when no
     * query is in the group.
     */
    public static Map<String, Bootstrap.Interval> figures(JudgedQueries.Values v, boolean liked, String group,
                                                          List<String[]> differences, Bootstrap bootstrap) {
        Map<String, Bootstrap.Interval> out = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        List<double[]> arrays = new ArrayList<>();
        String[] metrics = {"ndcg@" + v.k(), "recall@" + v.k(), "mrr"};
        double[][][] values = {v.ndcg(), v.recall(), v.rr()};
        for (int m = 0; m < metrics.length; m++) {
            for (int r = 0; r < v.rankers().size(); r++) {
                names.add(metrics[m] + " " + group + " " + v.rankers().get(r));
                arrays.add(v.select(values[m][r], liked));
            }
            for (String[] d : differences) {
                names.add(metrics[m] + " " + group + " " + d[0] + " − " + d[1]);
                arrays.add(Bootstrap.differences(v.select(values[m][v.ranker(d[0])], liked),
                        v.select(values[m][v.ranker(d[1])], liked)));
            }
        }
        if (arrays.get(0).length == 0) return out;
        Bootstrap.Interval[] is = bootstrap.means(arrays.toArray(new double[0][]));
        for (int i = 0; i < is.length; i++) out.put(names.get(i), is[i]);
        return out;
    }

    /** How many of the queries are liked (or not). */
    public static int count(List<JudgedQueries.Query> qs, boolean liked) {
        int n = 0;
        for (JudgedQueries.Query q : qs) if (q.liked() == liked) n++;
        return n;
    }
}
