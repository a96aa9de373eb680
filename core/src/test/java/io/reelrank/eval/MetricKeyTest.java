package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.reelrank.eval.MetricKey.Group;
import io.reelrank.eval.MetricKey.Measure;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class MetricKeyTest {

    @Test
    void namesAreTheColumnsOfTheSweepAndTheTables() {
        assertEquals("ndcg@10 liked personalized", MetricKey.of(Measure.NDCG, 10, Group.LIKED, "personalized").name());
        assertEquals("mrr disliked bm25", MetricKey.of(Measure.MRR, 10, Group.DISLIKED, "bm25").name());
        assertEquals("recall@20 two-tower-ease",
                MetricKey.difference(Measure.RECALL, 20, Group.NONE, "two-tower", "ease").name());
        assertEquals("rare-movie recall@20 ease", MetricKey.of(Measure.RARE_RECALL, 20, Group.NONE, "ease").name());
        assertEquals("ndcg@10 liked bm25",
                MetricKey.of(Measure.NDCG, 10, Group.LIKED, "personalized").of("bm25").name());
    }

    @Test
    void refusesAMeasureWithoutItsCutOffOrASystem() {
        assertEquals("ndcg needs a cut-off k >= 1, got 0",
                assertThrows(IllegalArgumentException.class,
                        () -> MetricKey.of(Measure.NDCG, 0, Group.LIKED, "bm25")).getMessage());
        assertEquals("a metric needs a system, got ' '",
                assertThrows(IllegalArgumentException.class,
                        () -> MetricKey.of(Measure.MRR, 0, Group.LIKED, " ")).getMessage());
    }
}
