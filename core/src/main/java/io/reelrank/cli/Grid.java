package io.reelrank.cli;

import io.reelrank.eval.SweepGrid;
import io.reelrank.model.ImplicitAls;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The values of a grid option ({@code --alpha 0.5,1,2}, {@code --popularity 0.4:0.9:0.1}, one value
 * alone too): sorted, distinct and within the option's bounds, checked by picocli through one of the
 * nested converters while it parses the command line, so that a bad value stops the command there
 * (exit code 2) with the option, the value and the allowed form or range
 * ({@code Invalid value for option '--alpha': values must be in [0, 1], got 1.5}). The command
 * receives numbers, never text.
 */
public record Grid(List<Double> values) {

    public Grid {
        values = List.copyOf(values);
    }

    /** The values as an array, ascending. */
    public double[] array() {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The values of an option that may be absent: null then. */
    static double[] array(Grid g) {
        return g == null ? null : g.array();
    }

    /** Reads {@link SweepGrid#values}' syntax within {@code [min, max]}, optionally > 0 or whole only. */
    abstract static class Converter implements ITypeConverter<Grid> {
        private final double min;
        private final double max;
        private final boolean positive;
        private final boolean whole;

        Converter(double min, double max, boolean positive, boolean whole) {
            this.min = min;
            this.max = max;
            this.positive = positive;
            this.whole = whole;
        }

        @Override
        public Grid convert(String spec) {
            try {
                double[] v = SweepGrid.values(spec, min, max);
                for (double x : v) {
                    if (positive && !(x > 0)) throw new IllegalArgumentException("values must be > 0, got " + x);
                    if (whole && x != Math.rint(x)) {
                        throw new IllegalArgumentException("values must be whole numbers, got " + x);
                    }
                }
                return new Grid(Arrays.stream(v).boxed().toList());
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** Weights and shares: each in [0, 1]. */
    static final class Unit extends Converter {
        Unit() {
            super(0, 1, false, false);
        }
    }

    /** Each >= 0. */
    static final class NonNegative extends Converter {
        NonNegative() {
            super(0, Double.POSITIVE_INFINITY, false, false);
        }
    }

    /** Each > 0. */
    static final class Positive extends Converter {
        Positive() {
            super(0, Double.POSITIVE_INFINITY, true, false);
        }
    }

    /** ALS factor dimensions: whole numbers in [1, {@value ImplicitAls.Params#MAX_RANK}]. */
    static final class Rank extends Converter {
        Rank() {
            super(1, ImplicitAls.Params.MAX_RANK, false, true);
        }
    }

    /** ALS iterations: whole numbers in [1, {@value ImplicitAls.Params#MAX_ITERATIONS}]. */
    static final class Iterations extends Converter {
        Iterations() {
            super(1, ImplicitAls.Params.MAX_ITERATIONS, false, true);
        }
    }

    /** A point on MovieLens' 0-5 star scale. */
    static final class Stars extends Converter {
        Stars() {
            super(0, 5, false, false);
        }
    }
}
