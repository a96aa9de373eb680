package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class BootstrapTest {

    private static double[] coinFlips(int n, double p, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextDouble() < p ? 1 : 0;
        }
        return v;
    }

    @Test
    void theSameSeedGivesTheSameIntervalWhateverRanBefore() {
        double[] v = coinFlips(300, 0.3, 1);
        Bootstrap a = new Bootstrap(42, 1000);
        Bootstrap.Interval first = a.mean(v);
        a.mean(coinFlips(50, 0.9, 2)); // an unrelated interval in between must not shift the next one
        assertEquals(first, a.mean(v));
        assertEquals(first, new Bootstrap(42, 1000).mean(v));
        assertNotEquals(first, new Bootstrap(43, 1000).mean(v));
    }

    @Test
    void theIntervalContainsTheMeanAndHasTheWidthTheNormalApproximationPredicts() {
        // 400 fair coin flips: standard error sqrt(0.25/400) = 0.025, so a 95% interval is about
        // 2 × 1.96 × 0.025 = 0.098 wide.
        double[] v = coinFlips(400, 0.5, 3);
        Bootstrap.Interval i = new Bootstrap(42, 1000).mean(v);
        assertTrue(i.low() <= i.mean() && i.mean() <= i.high(), i.toString());
        double width = i.high() - i.low();
        assertTrue(width > 0.08 && width < 0.12, "width " + width);
        assertEquals(400, i.n());
    }

    @Test
    void pairedDifferenceOfAConstantShiftHasAnIntervalOfZeroWidth() {
        // Every pair differs by exactly 0.25, so every resample's mean difference is 0.25, however
        // different the values are from each other: pairing removes the between-query variance.
        double[] b = coinFlips(200, 0.5, 4);
        double[] a = new double[b.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = b[i] + 0.25;
        }
        Bootstrap.Interval d = new Bootstrap(42, 1000).pairedDifference(a, b);
        assertEquals(0.25, d.mean(), 1e-12);
        assertEquals(0.25, d.low(), 1e-12);
        assertEquals(0.25, d.high(), 1e-12);
        Bootstrap.Interval unpaired = new Bootstrap(42, 1000).mean(a);
        assertTrue(unpaired.high() - unpaired.low() > 0.05, unpaired.toString());
    }

    @Test
    void pairedDifferenceIsThatOfTheFirstMinusTheSecond() {
        Bootstrap.Interval d = new Bootstrap(1, 500).pairedDifference(new double[] {1, 1, 0}, new double[] {0, 0, 0});
        assertEquals(2.0 / 3, d.mean(), 1e-12);
        assertTrue(d.low() >= 0 && d.high() <= 1, d.toString());
    }

    @Test
    void rejectsTooFewResamplesEmptyValuesAndUnpairedLengths() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Bootstrap(1, 10));
        assertEquals("bootstrap resamples must be >= 100, got 10", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Bootstrap(1, 1000).mean(new double[0]));
        assertEquals("values: a bootstrap interval needs at least one value, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new Bootstrap(1, 1000).pairedDifference(new double[] {1, 2}, new double[] {1}));
        assertEquals("paired values must have one length, got 2 and 1", e.getMessage());
    }

    @Test
    void summarizingSeveralArraysInOnePassGivesTheIntervalsOfSeparateCalls() {
        SplittableRandom rng = new SplittableRandom(5);
        double[] a = new double[301];
        double[] b = new double[301];
        for (int i = 0; i < a.length; i++) {
            a[i] = rng.nextDouble();
            b[i] = rng.nextInt(3) == 0 ? 1 : 0;
        }
        Bootstrap boot = new Bootstrap(42, 1000);
        Bootstrap.Interval[] together = boot.means(a, b, Bootstrap.differences(a, b));
        assertEquals(boot.mean(a), together[0]);
        assertEquals(boot.mean(b), together[1]);
        assertEquals(boot.pairedDifference(a, b), together[2]);
        assertThrows(IllegalArgumentException.class, () -> boot.means(a, new double[3]));
    }
}
