package io.reelrank.model;

/**
 * Seconds since a {@link System#nanoTime()} reading, as the stages of training report them. The caller
 * takes the reading ({@code long t0 = System.nanoTime();}) on the same JVM.
 */
public final class Elapsed {

    private Elapsed() {
    }

    /** Seconds from {@code startNanos}, a {@code System.nanoTime()} reading, to now. */
    public static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
