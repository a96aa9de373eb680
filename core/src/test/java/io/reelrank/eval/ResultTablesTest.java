package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The docs' result tables as generated from a record, and the markers that place them in a page. */
@Tag("unit")
class ResultTablesTest {

    private static final JsonNode RECORD = EvalReport.json(EvalReportTest.sample());

    @Test
    void theSearchBlockNamesTheChoicesAndSignsAndBoldsTheDifferences() {
        String block = ResultTables.block(RECORD, "search");
        assertTrue(block.startsWith("Search task on test, personalized (weighted α = 0.60, π = 0.50, γ = 0.50, chosen "
                + "on validation)\nagainst BM25 + popularity (π = 0.70, chosen on validation) and BM25; 17,033 "
                + "liked and 5,441 disliked\n(held-out rating, query) pairs:\n\n| NDCG@10 | BM25 |"), block);
        assertTrue(block.contains(" | **+0.0064** [0.0038, 0.0091] | "), block);
        assertTrue(block.contains(" | **−0.0408** [−0.0460, −0.0357] | "), block);
        assertEquals(2 + 2 + 2 + 4, block.lines().filter(l -> l.startsWith("|")).count(), block);
    }

    @Test
    void theRecommendationBlockBoldsTheBestSystemAndShowsAPointIntervalAsItsMean() {
        String block = ResultTables.block(RECORD, "recommendation");
        assertTrue(block.startsWith("Recommendation task on test (592 users):\n\n| | popularity | content | "
                + "EASE (λ = 500) | two-tower |\n"), block);
        assertTrue(block.contains("| Recall@20 | 0.0836 [0.0721, 0.0951] | 0.0332 [0.0172, 0.0492] | 0.1443 "
                + "[0.1283, 0.1603] | **0.1574** [0.1414, 0.1734] |\n"), block);
        assertTrue(block.contains("| Recall@20 − popularity | | −0.0504 [−0.0674, −0.0334] |"), block);
        assertTrue(block.contains("| rare-movie recall@20 (262 users) | 0.0000 | 0.0094 [0.0031, 0.0169] | 0.0000 | "
                + "0.0002 [0.0000, 0.0005] |\n"), block);
        assertTrue(block.contains("Two-tower − EASE: +0.0131 [0.0005, 0.0254] Recall@20, +0.0089 [0.0008, 0.0174] "
                + "NDCG@20. The model:\nrank 64, α = 2, λ = 0.1, 10 iterations, midpoint 3"), block);
        assertTrue(block.lines().filter(l -> !l.startsWith("|")).allMatch(l -> l.length() <= ResultTables.WIDTH),
                "prose wraps at the docs' width");
    }

    @Test
    void regeneratingReplacesOnlyWhatLiesBetweenTheMarkers() {
        String page = "# Results\nbefore\n<!-- results docs/results/sample.json recommendation -->\nstale table\n"
                + "<!-- /results -->\nafter\n";
        String fresh = ResultTables.regenerate(page, Map.of("docs/results/sample.json", RECORD)::get);
        assertEquals("# Results\nbefore\n<!-- results docs/results/sample.json recommendation -->\n\n"
                + ResultTables.block(RECORD, "recommendation") + "\n<!-- /results -->\nafter\n", fresh);
        assertEquals(fresh, ResultTables.regenerate(fresh, Map.of("docs/results/sample.json", RECORD)::get),
                "a generated page regenerates to itself");
        assertEquals(List.of("recommendation"), ResultTables.markers(fresh).stream().map(ResultTables.Marker::block)
                .toList());
    }

    @Test
    void anUnknownBlockIsRefusedWithTheBlocksThereAre() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResultTables.regenerate("<!-- results r.json tables -->\n<!-- /results -->", n -> RECORD));
        assertEquals("no result block named 'tables'; the blocks are [search, recommendation]", e.getMessage());
    }
}
