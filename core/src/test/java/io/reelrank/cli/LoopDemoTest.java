package io.reelrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The loop's reading of its stages' output: the paired difference of two rankers and an experiment's verdict. */
@Tag("unit")
class LoopDemoTest {

    @Test
    void thePairedDifferenceIsTheMeanPerSessionDifferenceWithItsNormalInterval() {
        // Differences 0.1, 0.3: mean 0.2, s_d = 0.1414, half width 1.96·0.1414/√2 = 0.196.
        Map<String, double[]> s = Map.of("a", new double[] {0.6, 0.9}, "b", new double[] {0.5, 0.6});
        assertEquals("+0.2000, 95% interval [+0.0040, +0.3960] over 2 sessions", LoopDemo.paired(s, "a", "b"));
        assertEquals("-0.2000, 95% interval [-0.3960, -0.0040] over 2 sessions", LoopDemo.paired(s, "b", "a"));
        CliException e = assertThrows(CliException.class,
                () -> LoopDemo.paired(Map.of("a", new double[] {1, 2}, "b", new double[] {1}), "a", "b"));
        assertEquals("the latent truth's sessions differ in number: 2 and 1", e.getMessage());
    }

    @Test
    void theVerdictReadsWinsTheSignTestAndTheWinnerOrItsAbsence() {
        String report = "wins: A 76, B 94, ties 130 (an impression is won by …)\n"
                + "sign test (two-sided, ties left out): p = 0.192\n"
                + "Δ_AB = -0.0300, 95% interval [-0.0725, +0.0125] (> 0: A preferred)\n"
                + "impressions until p < 0.01: not reached\nno winner at p < 0.05 yet\n";
        assertEquals("wins A 76, B 94, ties 130; Δ_AB -0.0300 [-0.0725, +0.0125]; p = 0.192; impressions until "
                + "p < 0.01: not reached; no winner at p < 0.05 yet", LoopDemo.verdict(report));
        String won = "wins: A 246, B 374, ties 380 (…)\nsign test (two-sided, ties left out): p = 3.09e-07\n"
                + "Δ_AB = -0.0640, 95% interval [-0.0885, -0.0395] (> 0: A preferred)\n"
                + "impressions until p < 0.01: 406\nwinner: B (learned:2) (p = 3.09e-07)\n";
        assertEquals("wins A 246, B 374, ties 380; Δ_AB -0.0640 [-0.0885, -0.0395]; p = 3.09e-07; impressions until "
                + "p < 0.01: 406; winner: B (learned:2) (p = 3.09e-07)", LoopDemo.verdict(won));
        assertThrows(CliException.class, () -> LoopDemo.verdict("no report here"));
    }
}
