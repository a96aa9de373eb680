package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class SearchTaskTest {

    private static final int[] IDS = {1, 2, 3, 4, 5};
    private static final QueryGenerator QUERIES = new QueryGenerator(IDS,
            new String[] {"Lord of the Rings: The Fellowship of the Ring, The",
                    "Lord of the Rings: The Two Towers, The", "Lord of War", "Rings", "Unique"},
            new String[][] {{"Adventure", "Fantasy"}, {"Adventure", "Fantasy"}, {"War"}, {"Horror"}, {}},
            QueryGenerator.DEFAULT_MAX_TITLE_DF);
    // Canned rankings: BM25 puts the two Rings films last; the "personalized" ranker puts them first.
    private static final Map<String, int[]> BM25 = Map.of(
            "lord", new int[] {3, 1, 2}, "genres:Adventure", new int[] {1, 2}, "rings", new int[] {4, 1, 2},
            "genres:Horror", new int[] {4});
    private static final Map<String, int[]> PERSONAL = Map.of(
            "lord", new int[] {2, 1, 3}, "genres:Adventure", new int[] {2, 1}, "rings", new int[] {1, 2, 4},
            "genres:Horror", new int[] {4});

    @Test
    void judgesEachQueryOfEachHeldOutRatingUnderEveryRanker() {
        Ratings test = Ratings.builder()
                .add(1, 2, 4.5, 3) // liked: queries "lord" (df 3 ties "rings" 3 → lord) and "genres:Adventure"
                .add(1, 4, 1.0, 4) // disliked: "rings" and "genres:Horror"
                .add(1, 5, 3.0, 5) // neither liked nor disliked: not judged
                .build();
        List<String> bm25Calls = new ArrayList<>();
        Map<String, SearchTask.Ranker> rankers = new LinkedHashMap<>();
        rankers.put("bm25", (q, u) -> {
            bm25Calls.add(q);
            return BM25.get(q);
        });
        rankers.put("personalized", (q, u) -> {
            assertEquals(1, u, "the ranker gets the held-out rating's user");
            return PERSONAL.get(q);
        });
        SearchTask.Result r = SearchTask.run(test, QUERIES, rankers, 2);

        assertEquals(0, r.pairsWithoutQuery());
        assertEquals(List.of("bm25", "personalized"), r.rankers());
        SearchTask.Group liked = r.liked();
        assertEquals(List.of("lord", "genres:Adventure"), liked.queries());
        int b = liked.ranker("bm25");
        int p = liked.ranker("personalized");
        // "lord": movie 2 third under BM25 (NDCG@2 0, Recall@2 0, RR 1/3), first personalized (1, 1, 1).
        // "genres:Adventure": second under BM25 (1/log2(3) = 0.63093, 1, 1/2), first personalized.
        double second = 1 / (Math.log(3) / Math.log(2));
        assertArrayEquals(new double[] {0, second}, liked.ndcg()[b], 1e-12);
        assertArrayEquals(new double[] {1, 1}, liked.ndcg()[p], 1e-12);
        assertArrayEquals(new double[] {0, 1}, liked.recall()[b], 1e-12);
        assertArrayEquals(new double[] {1.0 / 3, 0.5}, liked.rr()[b], 1e-12);
        assertArrayEquals(new double[] {1, 1}, liked.rr()[p], 1e-12);

        SearchTask.Group disliked = r.disliked();
        assertEquals(List.of("rings", "genres:Horror"), disliked.queries());
        // "rings": movie 4 first under BM25, third personalized: the disliked film sank, as it should.
        assertArrayEquals(new double[] {1, 1}, disliked.rr()[b], 1e-12);
        assertArrayEquals(new double[] {1.0 / 3, 1}, disliked.rr()[p], 1e-12);
        assertEquals(4, bm25Calls.size(), "each ranker runs once per (held-out rating, query)");
    }

    @Test
    void summarizesBothGroupsWithPairedDifferences() {
        Ratings test = Ratings.builder().add(1, 2, 4.5, 3).add(1, 4, 1.0, 4).build();
        Map<String, SearchTask.Ranker> rankers = new LinkedHashMap<>();
        rankers.put("bm25", (q, u) -> BM25.get(q));
        rankers.put("personalized", (q, u) -> PERSONAL.get(q));
        SearchTask.Result r = SearchTask.run(test, QUERIES, rankers, 10);
        Map<String, Bootstrap.Interval> s = EvalSummary.search(r, new Bootstrap(42, 1000),
                List.<String[]>of(new String[] {"personalized", "bm25"}));
        Bootstrap.Interval diff = s.get("mrr liked personalized-bm25");
        // Per query: 1 − 1/3 and 1 − 1/2 → mean (2/3 + 1/2) / 2 = 0.58333.
        assertEquals((2.0 / 3 + 0.5) / 2, diff.mean(), 1e-12);
        assertTrue(s.get("mrr disliked personalized-bm25").mean() < 0, "the disliked film sank");
        String table = EvalSummary.table(s);
        assertTrue(table.contains("ndcg@10 liked bm25"), table);
        assertEquals(1 + 18, table.lines().count(), table); // header + 2 groups × 3 metrics × 3 rows
    }
}
