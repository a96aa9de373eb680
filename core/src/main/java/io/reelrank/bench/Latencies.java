package io.reelrank.bench;

import org.HdrHistogram.Histogram;

/**
 * The latency distribution of a benchmark, in HdrHistogram ({@code org.HdrHistogram.Histogram}, 3
 * significant digits: a reported value is within 0.1% of the recorded one, rounded up to its bucket's
 * top). Percentiles are nearest-rank: the value at rank {@code ceil(p·n)} of the sorted samples, as the
 * benchmarks reported them when they sorted arrays themselves. The caller records nanoseconds
 * ({@link #record}, or {@link #of} an array) from one thread, then reads the figures in the unit it prints.
 */
public final class Latencies {

    private final Histogram histogram = new Histogram(3);

    /** The distribution of {@code nanos}. */
    public static Latencies of(long[] nanos) {
        return of(nanos, nanos.length);
    }

    /** The distribution of the first {@code n} values of {@code nanos}. */
    public static Latencies of(long[] nanos, int n) {
        Latencies l = new Latencies();
        for (int i = 0; i < n; i++) l.record(nanos[i]);
        return l;
    }

    /** Adds one sample, in nanoseconds (a negative one, from a clock step, counts as 0). */
    public void record(long nanos) {
        histogram.recordValue(Math.max(0, nanos));
    }

    /** Adds every sample of {@code other} (another thread's, say). */
    public void add(Latencies other) {
        histogram.add(other.histogram);
    }

    /** How many samples. */
    public long count() {
        return histogram.getTotalCount();
    }

    /** The nearest-rank percentile {@code p} (0-1) in milliseconds; 0 without samples. */
    public double ms(double p) {
        return nanos(p) / 1e6;
    }

    /** The nearest-rank percentile {@code p} (0-1) in microseconds; 0 without samples. */
    public double us(double p) {
        return nanos(p) / 1e3;
    }

    /** The largest sample in milliseconds; 0 without samples. */
    public double maxMs() {
        return count() == 0 ? 0 : histogram.getMaxValue() / 1e6;
    }

    private long nanos(double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("percentile must be in 0-1, got " + p);
        return count() == 0 ? 0 : histogram.getValueAtPercentile(p * 100);
    }
}
