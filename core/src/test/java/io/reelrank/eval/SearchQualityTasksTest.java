package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The search-quality figures as eval reports them, on hand-made per-query values: names, means, the
 * paired differences, the group selection; and the docs' table the record gives.
 */
@Tag("unit")
class SearchQualityTasksTest {

    /** Three liked queries and one disliked; two rankers, the second better on every liked query. */
    static JudgedQueries.Values values() {
        List<JudgedQueries.Query> qs = List.of(new JudgedQueries.Query("a", 1, new int[] {1}, true),
                new JudgedQueries.Query("b", 1, new int[] {2}, true),
                new JudgedQueries.Query("c", 2, new int[] {3}, true),
                new JudgedQueries.Query("d", 2, new int[] {4}, false));
        double[][] ndcg = {{0.0, 0.5, 0.25, 1.0}, {0.5, 1.0, 0.75, 0.0}};
        double[][] recall = {{0, 1, 1, 1}, {1, 1, 1, 0}};
        double[][] rr = {{0, 0.5, 0.25, 1}, {0.5, 1, 0.5, 0}};
        return new JudgedQueries.Values(qs, List.of("bm25", "shipped"), 10, ndcg, recall, rr);
    }

    @Test
    void figuresNameEachRankerAndDifferenceAndAverageTheGroupOnly() {
        Map<String, Bootstrap.Interval> f = SearchQualityTasks.figures(values(), true, "liked",
                List.<String[]>of(new String[] {"shipped", "bm25"}), new Bootstrap(42, 200));
        assertEquals(List.of("ndcg@10 liked bm25", "ndcg@10 liked shipped", "ndcg@10 liked shipped − bm25",
                "recall@10 liked bm25", "recall@10 liked shipped", "recall@10 liked shipped − bm25",
                "mrr liked bm25", "mrr liked shipped", "mrr liked shipped − bm25"), List.copyOf(f.keySet()));
        assertEquals(0.25, f.get("ndcg@10 liked bm25").mean(), 1e-12);
        assertEquals(0.75, f.get("ndcg@10 liked shipped").mean(), 1e-12);
        assertEquals(0.5, f.get("ndcg@10 liked shipped − bm25").mean(), 1e-12);
        // Every liked query gains exactly 0.5: the paired difference has no spread at all.
        assertEquals(0.5, f.get("ndcg@10 liked shipped − bm25").low(), 1e-12);
        assertEquals(3, f.get("ndcg@10 liked shipped").n());
        Map<String, Bootstrap.Interval> disliked = SearchQualityTasks.figures(values(), false, "disliked",
                List.of(), new Bootstrap(42, 200));
        assertEquals(1.0, disliked.get("ndcg@10 disliked bm25").mean(), 1e-12);
        assertEquals(1, disliked.get("ndcg@10 disliked bm25").n());
        assertEquals(3, SearchQualityTasks.count(values().queries(), true));
    }

    @Test
    void theDocsTableHasAColumnPerRankerAndDifferenceAndARowPerMetric() {
        Map<String, Bootstrap.Interval> f = SearchQualityTasks.figures(values(), true, "liked",
                List.<String[]>of(new String[] {"shipped", "bm25"}), new Bootstrap(42, 200));
        EvalResult r = EvalReportTest.sample();
        EvalResult withTasks = new EvalResult(r.protocol(), r.data(), r.models(), r.ease(), r.baseline(), r.fusion(),
                r.learned(), r.search(), r.recommendation(), new EvalResult.SearchQuality("auto", 0.7, 0.7,
                        List.of(new EvalResult.SearchQualityTask("typo", "words with one typo", 3, 0, f))));
        JsonNode record = EvalReport.json(withTasks);
        assertEquals(9, record.path("search_quality").path("tasks").path("typo").path("figures").size());
        String block = ResultTables.block(record, "search-quality");
        assertTrue(block.contains("typo (3 queries): words with one typo.\n\n| | bm25 | shipped | shipped − bm25 |\n"
                + "|---|---|---|---|\n"), block);
        assertTrue(block.contains("| NDCG@10 liked | 0.2500 ["), block);
        assertTrue(block.contains("| +0.5000 |\n"), block);
        assertEquals(2 + 3, block.lines().filter(l -> l.startsWith("|")).count(), block);
        assertEquals(List.of(), EvalReport.compare(record, record));
    }
}
