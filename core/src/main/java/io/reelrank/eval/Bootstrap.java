package io.reelrank.eval;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * 95% percentile bootstrap confidence intervals for the mean of per-query (or per-user) metric
 * values, and for the mean of paired differences (personalized − BM25 on the same queries). The
 * caller logs {@link #seed()} beside the numbers: every call starts a fresh generator from that seed,
 * so an interval depends only on the seed, the resample count and the values, not on which intervals
 * were computed before it.
 */
public final class Bootstrap {

    /** Enough resamples for stable 2.5% and 97.5% percentiles (Efron and Tibshirani suggest ≥ 1,000). */
    public static final int DEFAULT_RESAMPLES = 1000;

    /** A mean with its 95% interval {@code [low, high]}. */
    public record Interval(double mean, double low, double high, int n) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%.4f [%.4f, %.4f] (n=%d)", mean, low, high, n);
        }
    }

    private final long seed;
    private final int resamples;

    public Bootstrap(long seed, int resamples) {
        if (resamples < 100) {
            throw new IllegalArgumentException("bootstrap resamples must be >= 100, got " + resamples);
        }
        this.seed = seed;
        this.resamples = resamples;
    }

    public long seed() {
        return seed;
    }

    public int resamples() {
        return resamples;
    }

    /** The mean of {@code values} with its 95% percentile bootstrap interval. */
    public Interval mean(double[] values) {
        check(values, "values");
        return interval(values);
    }

    /**
     * The mean of {@code a[i] − b[i]} with its 95% interval: resampling the pairs, not each side on
     * its own, keeps the correlation between two systems judged on the same queries, which is what
     * makes a small difference detectable.
     */
    public Interval pairedDifference(double[] a, double[] b) {
        check(a, "a");
        check(b, "b");
        if (a.length != b.length) {
            throw new IllegalArgumentException("paired values must have one length, got " + a.length + " and "
                    + b.length);
        }
        double[] d = new double[a.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = a[i] - b[i];
        }
        return interval(d);
    }

    /**
     * {@link #mean} of each of several arrays of one length, in one pass: every interval here uses
     * the same resample indices, since a fresh generator from the seed draws the same sequence for
     * the same length, so drawing them once and summing all arrays gives the very intervals that
     * separate calls give (the same additions in the same order), for a fraction of the draws. A sweep
     * summarizes a dozen metrics per setting this way.
     */
    public Interval[] means(double[]... arrays) {
        if (arrays.length == 0) {
            return new Interval[0];
        }
        int n = arrays[0].length;
        for (int j = 0; j < arrays.length; j++) {
            check(arrays[j], "values " + j);
            if (arrays[j].length != n) {
                throw new IllegalArgumentException("arrays summarized together must have one length, got " + n
                        + " and " + arrays[j].length);
            }
        }
        int m = arrays.length;
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] means = new double[m][resamples];
        double[] sums = new double[m];
        for (int b = 0; b < resamples; b++) {
            java.util.Arrays.fill(sums, 0);
            for (int i = 0; i < n; i++) {
                int r = rng.nextInt(n);
                for (int j = 0; j < m; j++) {
                    sums[j] += arrays[j][r];
                }
            }
            for (int j = 0; j < m; j++) {
                means[j][b] = sums[j] / n;
            }
        }
        Interval[] out = new Interval[m];
        for (int j = 0; j < m; j++) {
            out[j] = percentiles(arrays[j], means[j]);
        }
        return out;
    }

    /** The paired differences {@code a[i] − b[i]}, the values {@link #pairedDifference} resamples. */
    public static double[] differences(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("paired values must have one length, got " + a.length + " and "
                    + b.length);
        }
        double[] d = new double[a.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    /**
     * Percentile interval (Efron and Tibshirani, An Introduction to the Bootstrap, 1993, §13.3): the
     * B resample means sorted, low = the ⌈0.025·B⌉-th, high = the ⌈0.975·B⌉-th.
     */
    private Interval interval(double[] v) {
        int n = v.length;
        SplittableRandom rng = new SplittableRandom(seed);
        double[] means = new double[resamples];
        for (int b = 0; b < resamples; b++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += v[rng.nextInt(n)];
            }
            means[b] = sum / n;
        }
        return percentiles(v, means);
    }

    private Interval percentiles(double[] v, double[] means) {
        int n = v.length;
        Arrays.sort(means);
        int lo = (int) Math.ceil(0.025 * resamples) - 1;
        int hi = (int) Math.ceil(0.975 * resamples) - 1;
        double mean = 0;
        for (double x : v) {
            mean += x;
        }
        return new Interval(mean / n, means[lo], means[hi], n);
    }

    private static void check(double[] values, String name) {
        if (values.length == 0) {
            throw new IllegalArgumentException(name + ": a bootstrap interval needs at least one value, got 0");
        }
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException(name + "[" + i + "] must be finite, got " + values[i]);
            }
        }
    }
}
