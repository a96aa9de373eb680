package io.reelrank.eval;

import io.reelrank.rank.Feature;
import io.reelrank.rank.Ranker;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * The learned ranker's feature importance: each feature's share of the total gain of every split
 * on it ({@link Ranker#totalGain}), largest first, as a list and as a bar chart (PNG, written
 * headless with xchart beside the evaluation's sweep plot). The caller passes the ranker and the
 * file to write.
 */
public final class FeatureImportance {

    /** One feature's share of the total gain. */
    public record Share(Feature feature, double share) {}

    private FeatureImportance() {}

    /** The shares, largest first (ties by the features' order). */
    public static List<Share> of(Ranker r) {
        double[] g = r.totalGain();
        double total = 0;
        for (double v : g) total += v;
        List<Share> out = new ArrayList<>();
        for (int i = 0; i < g.length; i++) out.add(new Share(r.features().get(i), total > 0 ? g[i] / total : 0));
        out.sort(Comparator.comparingDouble((Share s) -> -s.share()));
        return out;
    }

    /** Writes the bar chart of {@link #of} to {@code png}, with {@code title} on top. */
    public static void writePng(Ranker r, String title, Path png) throws IOException {
        List<Share> shares = of(r);
        List<String> names = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (Share s : shares) {
            names.add(s.feature().key());
            values.add(100 * s.share());
        }
        CategoryChart chart = new CategoryChartBuilder().width(1000).height(560).title(title)
                .xAxisTitle("feature").yAxisTitle("share of total gain (%)").build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisLabelRotation(60);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.addSeries("total gain", names, values).setFillColor(new Color(0x33, 0x66, 0x99));
        if (png.getParent() != null) Files.createDirectories(png.getParent());
        try (OutputStream out = Files.newOutputStream(png)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }
}
