package io.reelrank.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes the result of a parameter sweep (fusion × α × π × γ) as a CSV, one row per setting with
 * every metric's mean and 95% interval, and as a PNG plot of one metric against α with the
 * interval drawn as a band: one line per (fusion, π, γ) series, and reciprocal rank fusion, which
 * has no α, as a horizontal line with its band. The caller gives every point the same metric names, in
 * the same order. Plotting runs headless ({@code java.awt.headless=true}), so it works on servers and
 * in CI.
 */
public final class SweepReport {

    public static final String WEIGHTED = "weighted";
    public static final String LINEAR = "linear";
    public static final String RRF = "rrf";

    /**
     * One setting and its measured metrics, by name (e.g. {@code "ndcg@10 liked"}) in a fixed order.
     * {@code alpha} is NaN for {@link #RRF}, which has none; {@code popularity} (π) and
     * {@code collaborative} (γ) are NaN except for {@link #WEIGHTED}.
     */
    public record Point(String fusion, double alpha, double popularity, double collaborative,
                        Map<String, Bootstrap.Interval> metrics) {
        public Point {
            if (!fusion.equals(WEIGHTED) && !fusion.equals(LINEAR) && !fusion.equals(RRF)) {
                throw new IllegalArgumentException("fusion must be weighted, linear or rrf, got " + fusion);
            }
            if (!fusion.equals(RRF) && !(alpha >= 0 && alpha <= 1)) {
                throw new IllegalArgumentException("alpha must be in [0,1] for " + fusion + " fusion, got " + alpha);
            }
            if (fusion.equals(WEIGHTED)
                    && !(popularity >= 0 && popularity <= 1 && collaborative >= 0 && collaborative <= 1)) {
                throw new IllegalArgumentException("popularity and collaborative weights must be in [0,1], got "
                        + popularity + " and " + collaborative);
            }
            if (fusion.equals(RRF) && !Double.isNaN(alpha)) {
                throw new IllegalArgumentException("rrf has no alpha; pass NaN, got " + alpha);
            }
            metrics = new LinkedHashMap<>(metrics);
        }

        Bootstrap.Interval metric(String name) {
            Bootstrap.Interval i = metrics.get(name);
            if (i == null) {
                throw new IllegalArgumentException("no metric named '" + name + "'; the points have "
                        + metrics.keySet());
            }
            return i;
        }
    }

    // Colour-blind-safe (Okabe–Ito) hues, one per series; the band is the same hue, translucent.
    private static final Color[] PALETTE = {
            new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7),
            new Color(0xE69F00), new Color(0x56B4E9), new Color(0x000000)};

    private SweepReport() {}

    /**
     * The setting with the highest mean of {@code metric}; ties go to the earlier point, so the same
     * sweep always names the same winner.
     */
    public static Point best(List<Point> points, String metric) {
        if (points.isEmpty()) {
            throw new IllegalArgumentException("a sweep needs at least one point, got 0");
        }
        Point best = points.get(0);
        for (Point p : points) {
            if (p.metric(metric).mean() > best.metric(metric).mean()) best = p;
        }
        return best;
    }

    /**
     * {@code fusion,alpha,popularity,collaborative,<metric> mean,<metric> low,<metric> high,…,<metric> n};
     * a weight a fusion does not have is empty.
     */
    public static void writeCsv(List<Point> points, Path csv) throws IOException {
        List<String> names = metricNames(points);
        try (Writer w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8);
             CSVPrinter out = CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get().print(w)) {
            List<String> header = new ArrayList<>(List.of("fusion", "alpha", "popularity", "collaborative"));
            for (String m : names) {
                String c = m.replace(' ', '_');
                header.addAll(List.of(c + "_mean", c + "_low", c + "_high", c + "_n"));
            }
            out.printRecord(header);
            for (Point p : points) {
                List<Object> row = new ArrayList<>(List.of(p.fusion(),
                        Double.isNaN(p.alpha()) ? "" : num(p.alpha()),
                        Double.isNaN(p.popularity()) ? "" : num(p.popularity()),
                        Double.isNaN(p.collaborative()) ? "" : num(p.collaborative())));
                for (String m : names) {
                    Bootstrap.Interval i = p.metric(m);
                    row.addAll(List.of(num(i.mean()), num(i.low()), num(i.high()), i.n()));
                }
                out.printRecord(row);
            }
        }
    }

    /** A PNG of {@code metric} against α, one series per (fusion, π, γ), each with its 95% band. */
    public static void writePng(List<Point> points, String metric, Path png) throws IOException {
        metricNames(points);
        // Must be set before the first AWT class loads; harmless when a caller has set it already.
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(560)
                .title(metric + " against α (95% bootstrap interval)")
                .xAxisTitle("α (weight of the personal terms)").yAxisTitle(metric).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        // A column beside the plot: a row below it cuts off series beyond the chart's width.
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        chart.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Vertical);
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(1.0);
        chart.getStyler().setXAxisDecimalPattern("0.0");
        chart.getStyler().setYAxisDecimalPattern("0.000");

        Map<String, List<Point>> series = new LinkedHashMap<>();
        for (Point p : points) {
            String name = p.fusion() + (p.fusion().equals(WEIGHTED)
                    ? ", π=" + num(p.popularity()) + " γ=" + num(p.collaborative()) : "");
            series.computeIfAbsent(name, s -> new ArrayList<>()).add(p);
        }
        int colour = 0;
        for (Map.Entry<String, List<Point>> e : series.entrySet()) {
            Color c = PALETTE[colour++ % PALETTE.length];
            List<Point> ps = new ArrayList<>(e.getValue());
            double[] x, mean, low, high;
            if (ps.get(0).fusion().equals(RRF)) {
                if (ps.size() != 1) {
                    throw new IllegalArgumentException("rrf has no alpha, so one point per k; got " + ps.size()
                            + " for " + e.getKey());
                }
                Bootstrap.Interval i = ps.get(0).metric(metric);
                x = new double[] {0, 1};
                mean = new double[] {i.mean(), i.mean()};
                low = new double[] {i.low(), i.low()};
                high = new double[] {i.high(), i.high()};
            } else {
                ps.sort(Comparator.comparingDouble(Point::alpha));
                int n = ps.size();
                x = new double[n];
                mean = new double[n];
                low = new double[n];
                high = new double[n];
                for (int j = 0; j < n; j++) {
                    Bootstrap.Interval i = ps.get(j).metric(metric);
                    x[j] = ps.get(j).alpha();
                    mean[j] = i.mean();
                    low[j] = i.low();
                    high[j] = i.high();
                }
            }
            // The band: along the upper bound left to right, back along the lower bound.
            int n = x.length;
            double[] bx = new double[2 * n];
            double[] by = new double[2 * n];
            for (int j = 0; j < n; j++) {
                bx[j] = x[j];
                by[j] = high[j];
                bx[2 * n - 1 - j] = x[j];
                by[2 * n - 1 - j] = low[j];
            }
            XYSeries band = chart.addSeries(e.getKey() + " 95% interval", bx, by);
            band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
            band.setFillColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 60));
            band.setLineColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 0));
            band.setMarker(SeriesMarkers.NONE);
            band.setShowInLegend(false);

            XYSeries line = chart.addSeries(e.getKey(), x, mean);
            line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            line.setLineColor(c);
            line.setMarkerColor(c);
            boolean rrf = e.getValue().get(0).fusion().equals(RRF);
            line.setMarker(rrf ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
            if (rrf) {
                line.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                        new float[] {8f, 6f}, 0f));
            }
        }
        try (OutputStream out = Files.newOutputStream(png)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    private static List<String> metricNames(List<Point> points) {
        if (points.isEmpty()) {
            throw new IllegalArgumentException("a sweep needs at least one point, got 0");
        }
        List<String> names = new ArrayList<>(points.get(0).metrics().keySet());
        for (Point p : points) {
            if (!new ArrayList<>(p.metrics().keySet()).equals(names)) {
                throw new IllegalArgumentException("every point must have the metrics " + names + ", got "
                        + p.metrics().keySet() + " for " + p.fusion() + " α=" + p.alpha());
            }
        }
        return names;
    }

    private static String num(double x) {
        return String.format(Locale.ROOT, "%.6g", x).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
    }
}
