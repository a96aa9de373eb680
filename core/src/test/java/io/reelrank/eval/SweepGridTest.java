package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class SweepGridTest {

    @Test
    void weightedSettingsCoverEveryCombinationOfTheWeights() {
        List<SweepGrid.Setting> s = SweepGrid.settings(new double[] {0.5, 0.7}, new double[] {0.6, 0.7},
                new double[] {0.5}, true, false, false);
        assertEquals(4, s.size());
        assertEquals("weighted α=0.50 π=0.60 γ=0.50", s.get(0).toString());
        assertEquals("weighted α=0.70 π=0.70 γ=0.50", s.get(3).toString());
    }

    @Test
    void aRangeIncludesBothEndsAndLandsOnRoundValues() {
        double[] a = SweepGrid.values("0:1:0.1", 0, 1);
        assertEquals(11, a.length);
        assertEquals(0.3, a[3], 0.0); // not 0.30000000000000004
        assertEquals(1.0, a[10], 0.0);
    }

    @Test
    void aListIsSortedWithDuplicatesRemoved() {
        assertArrayEquals(new double[] {0, 0.5, 0.9}, SweepGrid.values("0.9, 0.5,0,0.5", 0, 1), 0.0);
        assertArrayEquals(new double[] {0, 10, 50}, SweepGrid.values("50,0,10", 0, Double.POSITIVE_INFINITY), 0.0);
    }

    @Test
    void rejectsValuesOutsideTheBoundsAndWordsNamingTheValueAndTheForm() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SweepGrid.values("0,1.5", 0, 1));
        assertEquals("values must be in [0, 1], got 1.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SweepGrid.values("-1", 0, Double.POSITIVE_INFINITY));
        assertEquals("values must be in [0, ∞), got -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SweepGrid.values("0,half", 0, 1));
        assertEquals("values must be finite numbers (a value, a list 0.5,1,2 or a range from:to:step), got 'half'",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SweepGrid.values("1:0:0.1", 0, 1));
        assertEquals("range needs from <= to and step > 0, got '1:0:0.1'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SweepGrid.values("0:1", 0, 1));
        assertEquals("range must be from:to:step, got '0:1'", e.getMessage());
    }

    @Test
    void runsEverySettingAndReportsThemInOrderWithProgress() {
        List<SweepGrid.Setting> settings = SweepGrid.settings(new double[] {0, 1}, new double[] {0.7},
                new double[] {0.5}, false, true, true);
        assertEquals(3, settings.size());
        List<String> shown = new ArrayList<>();
        Map<SweepGrid.Setting, Thread> threads = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<SweepReport.Point> points;
        try {
            points = SweepGrid.run(settings, s -> {
                threads.put(s, Thread.currentThread());
                double liked = Double.isNaN(s.alpha()) ? 0.4 : s.alpha();
                return Map.of("ndcg@10 liked", new Bootstrap.Interval(liked, 0, 1, 9));
            }, "ndcg@10 liked", shown::add, pool);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of(SweepReport.LINEAR, SweepReport.LINEAR, SweepReport.RRF),
                points.stream().map(SweepReport.Point::fusion).toList());
        assertEquals(3, shown.size());
        assertTrue(shown.get(0).startsWith("[1/3] linear α=0.00 "), shown.get(0));
        assertTrue(shown.get(2).startsWith("[3/3] rrf "), shown.get(2));
        assertSame(Thread.currentThread(), threads.get(settings.get(0)), "the first setting fills the caches here");
        assertTrue(threads.get(settings.get(1)) != Thread.currentThread(), "the others run on the pool");
        assertEquals(1.0, SweepReport.best(points, "ndcg@10 liked").alpha(), 0.0);
    }

    @Test
    void aMeasurementsFailureIsRethrownAsItself() {
        List<SweepGrid.Setting> settings = SweepGrid.settings(new double[] {0, 1}, new double[0], new double[0],
                false, true, false);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> SweepGrid.run(settings, s -> {
                if (s.alpha() == 1) throw new IllegalStateException("no index for α=1");
                return Map.of("m", new Bootstrap.Interval(0, 0, 0, 1));
            }, "m", line -> { }, pool));
            assertEquals("no index for α=1", e.getMessage());
        } finally {
            pool.shutdownNow();
        }
    }
}
