package io.reelrank.model;

/**
 * How reelrank writes a setting's number where a user reads it back (a model's description, the
 * allowed range in an error): a whole value without a decimal point ({@code 2}, not {@code 2.0}), any
 * other as {@link Double#toString} writes it ({@code 0.05}, {@code NaN}, {@code Infinity}). Whole values
 * of magnitude 10¹⁵ and beyond keep Double's form ({@code 1.0E15}), so a long never overflows.
 */
public final class Numbers {

    private Numbers() {
    }

    /** {@code v} as a user would type it: {@code 2}, {@code 0.5}, {@code -3}. */
    public static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
