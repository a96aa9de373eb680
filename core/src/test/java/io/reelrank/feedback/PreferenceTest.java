package io.reelrank.feedback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.feedback.TeamDraft.Outcome;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The experiment's statistics against values computed independently: the sign test's p-values and
 * the Wilson intervals by SciPy 1.17.1,
 * {@code scipy.stats.binomtest(wins, wins + losses, 0.5).pvalue} and
 * {@code .proportion_ci(0.95, 'wilson')}; ln Γ by Python's {@code math.lgamma}.
 */
@Tag("unit")
class PreferenceTest {

    @TempDir
    Path tmp;

    @Test
    void theSignTestMatchesTheExactBinomialTestForSmallAndLargeCounts() {
        assertEquals(0.021484375, Preference.signTest(9, 1), 1e-15);
        assertEquals(0.021484375, Preference.signTest(1, 9), 1e-15);
        assertEquals(0.04138946533203125, Preference.signTest(15, 5), 1e-15);
        assertEquals(1.862645149230957e-09, Preference.signTest(30, 0), 1e-22);
        assertEquals(0.05688793364098089, Preference.signTest(60, 40), 1e-13);
        assertEquals(0.0017305360849763027, Preference.signTest(550, 450), 1e-14);
        assertEquals(6.593515598672343e-05, Preference.signTest(5200, 4800), 1e-15);
        assertEquals(1.0, Preference.signTest(10, 10));
        assertEquals(1.0, Preference.signTest(1, 0));
        assertEquals(1.0, Preference.signTest(0, 0));
    }

    @Test
    void theWilsonIntervalMatchesScipy() {
        assertArrayEquals(new double[] {0.4901624715366418, 0.9433178485456248}, Preference.wilson(8, 10,
                Preference.Z95), 1e-12);
        assertArrayEquals(new double[] {0.35614537979511984, 0.5475539700255787}, Preference.wilson(45, 100,
                Preference.Z95), 1e-12);
        assertArrayEquals(new double[] {0.5190327082257412, 0.5805846159257032}, Preference.wilson(550, 1000,
                Preference.Z95), 1e-12);
        assertArrayEquals(new double[] {0, 1}, Preference.wilson(0, 0, Preference.Z95));
    }

    @Test
    void logGammaMatchesPython() {
        assertEquals(0.5723649429247004, Preference.logGamma(0.5), 1e-13);
        assertEquals(0.0, Preference.logGamma(1), 1e-13);
        assertEquals(0.0, Preference.logGamma(2), 1e-13);
        assertEquals(13.940625219403763, Preference.logGamma(10.5), 1e-12);
        assertEquals(359.1342053695754, Preference.logGamma(100), 1e-10);
        assertEquals(12815518.384658169, Preference.logGamma(1e6 + 1), 1e-5);
    }

    @Test
    void deltaIsHalfTheWinsMinusLossesPerImpressionAndTiesDiluteIt() {
        Preference.Tally t = new Preference.Tally(60, 40, 100);
        // (60 + ½·100) / 200 − ½ = 0.05 = (60 − 40) / (2·200)
        assertEquals(0.05, t.delta(), 1e-15);
        assertEquals(0.6, t.winShare(), 1e-15);
        assertEquals(Preference.signTest(60, 40), t.pValue());
        double[] ci = t.deltaInterval(Preference.Z95);
        // scores ±½ on 100 impressions, 0 on 100: sd = √((25 − 200·0.05²)/199)
        double half = Preference.Z95 * Math.sqrt((25 - 200 * 0.0025) / 199 / 200);
        assertArrayEquals(new double[] {0.05 - half, 0.05 + half}, ci, 1e-15);
        assertEquals(0, new Preference.Tally(0, 0, 0).delta());
    }

    @Test
    void impressionsToSignificanceIsTheFirstImpressionWhereTheSignTestFallsBelowTheLevel() {
        // ties first change nothing; then nine wins in a row: p after 7 wins = 2/128 = 0.0156, after 8 = 0.0078
        List<Outcome> o = new ArrayList<>(Collections.nCopies(5, Outcome.TIE));
        o.addAll(Collections.nCopies(9, Outcome.A_WINS));
        assertEquals(5 + 8, Preference.impressionsToSignificance(o, 0.01));
        assertEquals(-1, Preference.impressionsToSignificance(List.of(Outcome.A_WINS, Outcome.B_WINS), 0.01));
        assertThrows(IllegalArgumentException.class, () -> Preference.impressionsToSignificance(o, 1.0));
    }

    @Test
    void anArmThatWinsMoreOftenIsFoundAndEvenArmsAreNotMoreOftenThanTheLevelAllows() {
        SplittableRandom r = new SplittableRandom(17);
        List<Outcome> better = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            double u = r.nextDouble();
            better.add(u < 0.3 ? Outcome.A_WINS : u < 0.5 ? Outcome.B_WINS : Outcome.TIE);
        }
        Preference.Tally t = Preference.Tally.of(better);
        assertTrue(t.pValue() < 1e-6, t + " p " + t.pValue());
        double[] share = t.winShareInterval(Preference.Z95);
        assertTrue(share[0] > 0.5 && share[0] < 0.6 && share[1] > 0.6, share[0] + "-" + share[1]);
        // 400 even experiments of 200 decided impressions: the count below 0.05 is Binomial(400, ≤ 0.05)
        int significant = 0;
        for (int e = 0; e < 400; e++) {
            int w = 0;
            for (int i = 0; i < 200; i++) if (r.nextBoolean()) w++;
            if (Preference.signTest(w, 200 - w) < 0.05) significant++;
        }
        assertTrue(significant <= 20 + 4 * Math.sqrt(400 * 0.05 * 0.95), significant + " of 400");
    }

    @Test
    void thePlotIsAPngOfTheCumulativePreference() throws Exception {
        List<Outcome> o = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 1_000; i++) o.add(r.nextDouble() < 0.4 ? Outcome.A_WINS : r.nextBoolean()
                ? Outcome.B_WINS : Outcome.TIE);
        Path png = tmp.resolve("plots").resolve("preference.png");
        PreferencePlot.write(o, "learned", "bm25", png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(900, img.getWidth());
        assertEquals(520, img.getHeight());
        assertTrue(Files.size(png) > 1_000);
        assertThrows(IllegalArgumentException.class, () -> PreferencePlot.write(List.of(), "a", "b", png));
    }

    @Test
    void countsBelowZeroOrWinsAboveTheTotalAreRefused() {
        assertEquals("counts must be >= 0, got wins -1, losses 0, ties 0",
                assertThrows(IllegalArgumentException.class, () -> new Preference.Tally(-1, 0, 0)).getMessage());
        assertEquals("need 0 <= x <= n, got x 5, n 4",
                assertThrows(IllegalArgumentException.class, () -> Preference.wilson(5, 4, 1.96)).getMessage());
    }
}
