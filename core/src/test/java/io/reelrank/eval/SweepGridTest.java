package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
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
        double[] a = SweepGrid.alphas("0:1:0.1");
        assertEquals(11, a.length);
        assertEquals(0.3, a[3], 0.0); // not 0.30000000000000004
        assertEquals(1.0, a[10], 0.0);
    }

    @Test
    void aListIsSortedWithDuplicatesRemoved() {
        assertArrayEquals(new double[] {0, 0.5, 0.9}, SweepGrid.alphas("0.9, 0.5,0,0.5"), 0.0);
        assertArrayEquals(new double[] {0, 10, 50}, SweepGrid.shrinkages("50,0,10"), 0.0);
    }

    @Test
    void rejectsValuesOutsideTheirRangeAndWordsWithTheOptionNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SweepGrid.alphas("0,1.5"));
        assertEquals("--alpha values must be in [0, 1], got 1.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SweepGrid.shrinkages("-1"));
        assertEquals("--shrinkage values must be in [0, ∞), got -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SweepGrid.alphas("0,half"));
        assertEquals("--alpha values must be finite numbers, got 'half'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SweepGrid.alphas("1:0:0.1"));
        assertEquals("--alpha range needs from <= to and step > 0, got '1:0:0.1'", e.getMessage());
    }

    @Test
    void runsEverySettingInOrderAndShowsProgress() {
        List<SweepGrid.Setting> settings = SweepGrid.settings(new double[] {0, 1}, new double[] {0.7},
                new double[] {0.5}, false, true, true);
        assertEquals(3, settings.size());
        StringWriter out = new StringWriter();
        List<SweepReport.Point> points = SweepGrid.run(settings,
                s -> Map.of("ndcg@10 liked",
                        new Bootstrap.Interval(Double.isNaN(s.alpha()) ? 0.4 : s.alpha(), 0, 1, 9)),
                "ndcg@10 liked", new PrintWriter(out));
        assertEquals(List.of(SweepReport.LINEAR, SweepReport.LINEAR, SweepReport.RRF),
                points.stream().map(SweepReport.Point::fusion).toList());
        String shown = out.toString();
        assertTrue(shown.startsWith("[1/3] linear α=0.00 "), shown);
        assertTrue(shown.contains("[3/3] rrf "), shown);
        assertEquals(1.0, SweepReport.best(points, "ndcg@10 liked").alpha(), 0.0);
    }
}
