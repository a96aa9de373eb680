package io.reelrank.eval;

import io.reelrank.model.Numbers;
import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.Reranker;
import io.reelrank.rerank.Weights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The settings a sweep tries and the loop that measures them. {@link #values} reads the value
 * syntax of a grid ({@code 0,0.5,1} or {@code 0:1:0.1}, one value alone too) into sorted numbers
 * within bounds, its messages naming the value and the bound but no option (the command line adds
 * the option's name). The caller supplies the measurement: a function from a {@link Setting} to
 * its named metrics (the same names for every setting), and writes the points out with
 * {@link SweepReport}.
 */
public final class SweepGrid {

    /** What {@link #values} accepts, for messages. */
    public static final String FORM = "a value, a list 0.5,1,2 or a range from:to:step";

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

        /** The setting a measured point was measured at. */
        public static Setting of(SweepReport.Point p) {
            return new Setting(p.fusion(), p.alpha(), p.popularity(), p.collaborative());
        }
    }

    private SweepGrid() {}

    /**
     * Values from a comma list ({@code 0,0.5,1}) or a range {@code from:to:step} (ends included,
     * each value rounded to 6 decimals so 0.1 steps land on 0.3, not 0.30000000000000004); sorted,
     * duplicates removed, each in {@code [min, max]} ({@code max} may be infinite).
     *
     * @throws IllegalArgumentException naming the value and what is allowed
     */
    public static double[] values(String spec, double min, double max) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("needs at least one value (" + FORM + "), got '" + spec + "'");
        }
        TreeSet<Double> values = new TreeSet<>();
        String s = spec.strip();
        if (s.contains(":")) {
            String[] p = s.split(":");
            if (p.length != 3) {
                throw new IllegalArgumentException("range must be from:to:step, got '" + spec + "'");
            }
            double from = number(p[0]);
            double to = number(p[1]);
            double step = number(p[2]);
            if (!(step > 0) || from > to) {
                throw new IllegalArgumentException("range needs from <= to and step > 0, got '" + spec + "'");
            }
            long n = (long) Math.floor((to - from) / step + 1e-9);
            if (n > 10_000) {
                throw new IllegalArgumentException("range must have at most 10001 values, got " + (n + 1));
            }
            for (long i = 0; i <= n; i++) {
                values.add(round(from + i * step));
            }
        } else {
            for (String v : s.split(",")) {
                values.add(round(number(v)));
            }
        }
        for (double v : values) {
            if (!(v >= min && v <= max)) {
                throw new IllegalArgumentException("values must be in [" + Numbers.plain(min) + ", "
                        + (Double.isInfinite(max) ? "∞)" : Numbers.plain(max) + "]") + ", got " + Numbers.plain(v));
            }
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
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
     * The same for a set of fusions, each weight defaulting to what ships where it is null: α to
     * {@link Weights#DEFAULT}'s for weighted and to {@link Reranker#DEFAULT_ALPHA} for linear, π and γ
     * to {@link Weights#DEFAULT}'s.
     */
    public static List<Setting> settings(Set<Fusion> fusions, double[] alphas, double[] popularity,
                                         double[] collaborative) {
        double[] ps = popularity != null ? popularity : new double[] {Weights.DEFAULT.popularity()};
        double[] gs = collaborative != null ? collaborative : new double[] {Weights.DEFAULT.collaborative()};
        List<Setting> out = new ArrayList<>(settings(alphas != null ? alphas : new double[] {Weights.DEFAULT.alpha()},
                ps, gs, fusions.contains(Fusion.WEIGHTED), false, false));
        out.addAll(settings(alphas != null ? alphas : new double[] {Reranker.DEFAULT_ALPHA}, ps, gs, false,
                fusions.contains(Fusion.LINEAR), fusions.contains(Fusion.RRF)));
        return out;
    }

    /**
     * Measures every setting and returns the points in the settings' order, reporting
     * {@code [i/n] setting  metric=value  (elapsed)} for each in that order, so that a long sweep
     * shows it is moving and how fast. The first setting is measured on the calling thread, because
     * it fills whatever the measurement caches for every setting (each query's candidates and tower
     * values); the others then run on {@code pool} at once. A measurement's exception is rethrown.
     */
    public static List<SweepReport.Point> run(List<Setting> settings,
                                              Function<Setting, Map<String, Bootstrap.Interval>> measure,
                                              String shownMetric, Consumer<String> progress, Executor pool) {
        long start = System.nanoTime();
        List<CompletableFuture<Map<String, Bootstrap.Interval>>> measured = new ArrayList<>();
        for (Setting s : settings) {
            measured.add(measured.isEmpty() ? CompletableFuture.completedFuture(measure.apply(s))
                    : CompletableFuture.supplyAsync(() -> measure.apply(s), pool));
        }
        List<SweepReport.Point> points = new ArrayList<>();
        for (int i = 0; i < settings.size(); i++) {
            Setting s = settings.get(i);
            Map<String, Bootstrap.Interval> m = new LinkedHashMap<>(join(measured.get(i)));
            SweepReport.Point p = new SweepReport.Point(s.fusion(), s.alpha(), s.popularity(), s.collaborative(), m);
            points.add(p);
            progress.accept(String.format(Locale.ROOT, "[%d/%d] %-34s %s=%s  (%.1f s)", i + 1, settings.size(), s,
                    shownMetric, p.metric(shownMetric), (System.nanoTime() - start) / 1e9));
        }
        return points;
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
    }

    private static double number(String v) {
        try {
            double d = Double.parseDouble(v.strip());
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("values must be finite numbers (" + FORM + "), got '" + v.strip() + "'");
        }
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

}
