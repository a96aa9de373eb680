package io.reelrank.cli;

import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.PersonalizedSearch;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli converters for options that take one number within bounds (or one of a few names), so
 * that a bad value stops the command while picocli parses it (exit code 2), with the option, the
 * range and the value ({@code Invalid value for option '--candidates': must be in 1-1000, got 0}).
 * Each nested class is one range; an option names it as its {@code converter}.
 */
final class Bounds {

    private Bounds() {}

    /** A whole number in {@code [min, max]}. */
    abstract static class Whole implements ITypeConverter<Integer> {
        private final int min;
        private final int max;

        Whole(int min, int max) {
            this.min = min;
            this.max = max;
        }

        @Override
        public Integer convert(String value) {
            String range = max == Integer.MAX_VALUE ? ">= " + min : "in " + min + "-" + max;
            int v;
            try {
                v = Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("must be a whole number " + range + ", got '" + value + "'");
            }
            if (v < min || v > max) throw new TypeConversionException("must be " + range + ", got " + v);
            return v;
        }
    }

    /** A finite number above {@code min} (or at it, when {@code inclusive}) and below {@code max}. */
    abstract static class Real implements ITypeConverter<Double> {
        private final double min;
        private final boolean inclusive;
        private final double max;
        private final String range;

        /** @param range the bounds as the message says them, e.g. {@code in (0,1)} */
        Real(double min, boolean inclusive, double max, String range) {
            this.min = min;
            this.inclusive = inclusive;
            this.max = max;
            this.range = range;
        }

        @Override
        public Double convert(String value) {
            double v;
            try {
                v = Double.parseDouble(value.strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("must be " + range + ", got '" + value + "'");
            }
            if (!(Double.isFinite(v) && (inclusive ? v >= min : v > min) && v < max)) {
                throw new TypeConversionException("must be " + range + ", got " + v);
            }
            return v;
        }
    }

    /** BM25 candidates per query: 1 to {@value PersonalizedSearch#MAX_CANDIDATES}. */
    static final class Candidates extends Whole {
        Candidates() {
            super(1, PersonalizedSearch.MAX_CANDIDATES);
        }
    }

    /** Bootstrap resamples: 100-100000 (fewer make the 2.5% and 97.5% percentiles unstable). */
    static final class Resamples extends Whole {
        Resamples() {
            super(100, 100_000);
        }
    }

    /** Worker threads: 1-256. */
    static final class Threads extends Whole {
        Threads() {
            super(1, 256);
        }
    }

    /** A count of at least one. */
    static final class AtLeastOne extends Whole {
        AtLeastOne() {
            super(1, Integer.MAX_VALUE);
        }
    }

    /** A share strictly between 0 and 1. */
    static final class Fraction extends Real {
        Fraction() {
            super(0, false, 1, "in (0,1)");
        }
    }

    /** A finite number >= 0. */
    static final class NonNegative extends Real {
        NonNegative() {
            super(0, true, Double.POSITIVE_INFINITY, "a finite number >= 0");
        }
    }

    /** A finite number > 0. */
    static final class Positive extends Real {
        Positive() {
            super(0, false, Double.POSITIVE_INFINITY, "a finite number > 0");
        }
    }

    /** A fusion by its name: weighted, linear or rrf (any case). */
    static final class FusionName implements ITypeConverter<Fusion> {
        @Override
        public Fusion convert(String value) {
            Fusion f;
            try {
                f = Fusion.parse(value);
            } catch (IllegalArgumentException e) {
                f = null;
            }
            // bm25 re-ranks nothing: the eval's fusions are those that combine the signals by a formula
            // (the learned ranker has its own stage and rows; --no-learned leaves them out).
            if (f == null || f == Fusion.BM25 || f == Fusion.LEARNED) {
                throw new TypeConversionException("fusion must be weighted, linear or rrf, got '" + value + "'");
            }
            return f;
        }
    }
}
