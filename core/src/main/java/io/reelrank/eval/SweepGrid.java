package io.reelrank.eval;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The settings a sweep tries, parsed from the command line ({@code --alpha 0,0.1,…,1} or
 * {@code --alpha 0:1:0.1}, {@code --popularity 0,0.3}), and the loop that measures each with a
 * progress line. The caller supplies the measurement: a function from a {@link Setting} to its named
 * metrics (the same names for every setting), and writes the points out with {@link SweepReport}.
 */
public final class SweepGrid {

    /**
     * One setting: fusion and its weights; α is NaN for rrf, π (popularity) and γ (collaborative)
     * NaN for the fusions without them (linear, rrf).
     */
    public record Setting(String fusion, double alpha, double popularity, double collaborative) {
        @Override
        public String toString() {
            return fusion + (Double.isNaN(alpha) ? "" : String.format(Locale.ROOT, " α=%.2f", alpha))
                    + (Double.isNaN(popularity) ? "" : String.format(Locale.ROOT, " π=%.2f", popularity))
                    + (Double.isNaN(collaborative) ? "" : String.format(Locale.ROOT, " γ=%.2f", collaborative));
        }
    }

    private SweepGrid() {}

    /**
     * α values from a comma list ({@code 0,0.5,1}) or a range {@code from:to:step} (ends included,
     * each value rounded to 6 decimals so 0.1 steps land on 0.3, not 0.30000000000000004); sorted,
     * duplicates removed, each in [0,1].
     */
    public static double[] alphas(String spec) {
        return parse("--alpha", spec, 0, 1);
    }

    /** Shrinkage values, same syntax as {@link #alphas}, each ≥ 0. */
    public static double[] shrinkages(String spec) {
        return parse("--shrinkage", spec, 0, Double.POSITIVE_INFINITY);
    }

    /** Values of any option, same syntax as {@link #alphas}, each in {@code [min, max]}. */
    public static double[] values(String option, String spec, double min, double max) {
        return parse(option, spec, min, max);
    }

    /**
     * Every weighted setting (π × γ × α), then every linear one (α), then rrf once, for the fusions
     * asked for.
     */
    public static List<Setting> settings(double[] alphas, double[] popularity, double[] collaborative, boolean weighted,
                                         boolean linear, boolean rrf) {
        List<Setting> out = new ArrayList<>();
        if (weighted) {
            for (double p : popularity) {
                for (double g : collaborative) {
                    for (double a : alphas) {
                        out.add(new Setting(SweepReport.WEIGHTED, a, p, g));
                    }
                }
            }
        }
        if (linear) {
            for (double a : alphas) {
                out.add(new Setting(SweepReport.LINEAR, a, Double.NaN, Double.NaN));
            }
        }
        if (rrf) {
            out.add(new Setting(SweepReport.RRF, Double.NaN, Double.NaN, Double.NaN));
        }
        return out;
    }

    /**
     * Measures every setting in order, printing {@code [i/n] setting  metric=value  (elapsed)} after
     * each, so that a long sweep shows it is moving and how fast.
     */
    public static List<SweepReport.Point> run(List<Setting> settings,
                                              Function<Setting, Map<String, Bootstrap.Interval>> measure,
                                              String shownMetric, PrintWriter progress) {
        List<SweepReport.Point> points = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < settings.size(); i++) {
            Setting s = settings.get(i);
            Map<String, Bootstrap.Interval> m = new LinkedHashMap<>(measure.apply(s));
            SweepReport.Point p = new SweepReport.Point(s.fusion(), s.alpha(), s.popularity(), s.collaborative(), m);
            points.add(p);
            progress.printf(Locale.ROOT, "[%d/%d] %-34s %s=%s  (%.1f s)%n", i + 1, settings.size(), s, shownMetric,
                    p.metric(shownMetric), (System.nanoTime() - start) / 1e9);
            progress.flush();
        }
        return points;
    }

    private static double[] parse(String option, String spec, double min, double max) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException(option + " needs at least one value, got '" + spec + "'");
        }
        TreeSet<Double> values = new TreeSet<>();
        String s = spec.strip();
        if (s.contains(":")) {
            String[] p = s.split(":");
            if (p.length != 3) {
                throw new IllegalArgumentException(option + " range must be from:to:step, got '" + spec + "'");
            }
            double from = number(option, p[0]), to = number(option, p[1]), step = number(option, p[2]);
            if (!(step > 0) || from > to) {
                throw new IllegalArgumentException(option + " range needs from <= to and step > 0, got '" + spec + "'");
            }
            long n = (long) Math.floor((to - from) / step + 1e-9);
            if (n > 10_000) {
                throw new IllegalArgumentException(option + " range must have at most 10001 values, got " + (n + 1));
            }
            for (long i = 0; i <= n; i++) {
                values.add(round(from + i * step));
            }
        } else {
            for (String v : s.split(",")) {
                values.add(round(number(option, v)));
            }
        }
        for (double v : values) {
            if (!(v >= min && v <= max)) {
                throw new IllegalArgumentException(option + " values must be in [" + trim(min) + ", "
                        + (Double.isInfinite(max) ? "∞)" : trim(max) + "]") + ", got " + trim(v));
            }
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double number(String option, String v) {
        try {
            double d = Double.parseDouble(v.strip());
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " values must be finite numbers, got '" + v.strip() + "'");
        }
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    private static String trim(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
