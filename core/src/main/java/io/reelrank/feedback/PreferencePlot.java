package io.reelrank.feedback;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws an interleaving experiment as a PNG: the cumulative preference Δ_AB ({@link Preference.Tally#delta})
 * after each impression, its 95% interval as a band, and the zero line (no preference); the title
 * carries the final counts, the sign test's p-value and the impression at which it first fell below
 * 0.01. At most {@link #MAX_POINTS} points are drawn (evenly spaced impressions, the last always), so
 * a long experiment makes a small file. Runs headless ({@code java.awt.headless=true}), as the
 * evaluation's plots do.
 */
public final class PreferencePlot {

    static final int MAX_POINTS = 400;

    private PreferencePlot() {}

    /** Writes the plot of {@code outcomes} (in the order the impressions were served) to {@code png}. */
    public static void write(List<TeamDraft.Outcome> outcomes, String armA, String armB, Path png) throws IOException {
        if (outcomes.isEmpty()) throw new IllegalArgumentException("a preference plot needs impressions, got none");
        // Must be set before the first AWT class loads; harmless when a caller has set it already.
        System.setProperty("java.awt.headless", "true");
        int n = outcomes.size();
        int points = Math.min(n, MAX_POINTS);
        double[] x = new double[points];
        double[] mean = new double[points];
        double[] low = new double[points];
        double[] high = new double[points];
        long w = 0, l = 0, t = 0;
        int next = 0;
        for (int i = 0; i < n; i++) {
            switch (outcomes.get(i)) {
                case A_WINS -> w++;
                case B_WINS -> l++;
                default -> t++;
            }
            // the impression counts drawn: ceil((j + 1)·n / points) for j = 0..points−1, so the last is n
            long due = ((long) (next + 1) * n + points - 1) / points;
            if (i + 1 == due) {
                Preference.Tally tally = new Preference.Tally(w, l, t);
                double[] ci = tally.deltaInterval(Preference.Z95);
                x[next] = i + 1;
                mean[next] = tally.delta();
                low[next] = ci[0];
                high[next] = ci[1];
                next++;
            }
        }
        Preference.Tally all = new Preference.Tally(w, l, t);
        long first = Preference.impressionsToSignificance(outcomes, 0.01);
        String title = String.format(Locale.ROOT, "Δ(%s, %s) over impressions: %d wins, %d losses, %d ties, p = %.3g, "
                + "p < 0.01 %s", armA, armB, w, l, t, all.pValue(), first < 0 ? "not reached" : "after " + first);
        XYChart chart = new XYChartBuilder().width(900).height(520).title(title).xAxisTitle("impressions")
                .yAxisTitle("Δ_AB (> 0: " + armA + " preferred)").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        chart.getStyler().setYAxisDecimalPattern("0.000");

        double[] bx = new double[2 * points];
        double[] by = new double[2 * points];
        for (int j = 0; j < points; j++) {
            bx[j] = x[j];
            by[j] = high[j];
            bx[2 * points - 1 - j] = x[j];
            by[2 * points - 1 - j] = low[j];
        }
        Color c = new Color(31, 119, 180);
        XYSeries band = chart.addSeries("95% interval", bx, by);
        band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
        band.setFillColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 60));
        band.setLineColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 0));
        band.setMarker(SeriesMarkers.NONE);
        XYSeries line = chart.addSeries("Δ_AB", x, mean);
        line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        line.setLineColor(c);
        line.setMarker(SeriesMarkers.NONE);
        XYSeries zero = chart.addSeries("no preference", new double[] {x[0], x[points - 1]}, new double[] {0, 0});
        zero.setLineColor(Color.GRAY);
        zero.setMarker(SeriesMarkers.NONE);
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (OutputStream out = Files.newOutputStream(png)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }
}
