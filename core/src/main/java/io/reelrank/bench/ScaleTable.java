package io.reelrank.bench;

import io.reelrank.bench.ScaleStages.Figure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The one table {@code reelrank bench scale} prints: a row per (stage, figure), a column per size,
 * then a column per step from one size to the next with the figure's growth over that step
 * ({@code value at the larger size / value at the smaller}), so 5.00× beside ratings that grew 5× means
 * the stage grows linearly. As aligned text (stdout), CSV and Markdown (docs/benchmarks.md, "Scale"). Rows are added in
 * stage order; each holds one value per size.
 */
final class ScaleTable {

    /** One row: the stage, the figure and its value at each size, in the sizes' order. */
    record Row(String stage, Figure figure, double[] values) {}

    private final List<Long> sizes;
    private final List<Row> rows = new ArrayList<>();

    ScaleTable(List<Long> sizes) {
        this.sizes = List.copyOf(sizes);
    }

    void add(String stage, Figure figure, double[] values) {
        if (values.length != sizes.size()) {
            throw new IllegalArgumentException("a row needs " + sizes.size() + " values, got " + values.length);
        }
        rows.add(new Row(stage, figure, values.clone()));
    }

    List<Row> rows() {
        return List.copyOf(rows);
    }

    /** 1M, 5M, 32M, 20k, 2.5M; the number itself when neither fits. */
    static String sizeLabel(long n) {
        if (n >= 1_000_000 && n % 100_000 == 0) return strip(n / 1e6) + "M";
        if (n >= 1_000 && n % 100 == 0) return strip(n / 1e3) + "k";
        return Long.toString(n);
    }

    private static String strip(double x) {
        String s = String.format(Locale.ROOT, "%.1f", x);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    /** {@code b / a} as {@code 5.00×}; {@code 1.00×} when both are 0, {@code ∞} when only a is. */
    static String growth(double a, double b) {
        if (a == 0) return b == 0 ? "1.00×" : "∞";
        return String.format(Locale.ROOT, "%.2f×", b / a);
    }

    private static String value(Figure f, double v) {
        return String.format(Locale.ROOT, "%,." + f.decimals() + "f", v);
    }

    private List<String> header() {
        List<String> h = new ArrayList<>(List.of("stage", "figure"));
        for (long n : sizes) h.add(sizeLabel(n));
        for (int i = 1; i < sizes.size(); i++) h.add(sizeLabel(sizes.get(i - 1)) + "→" + sizeLabel(sizes.get(i)));
        return h;
    }

    private List<List<String>> cells() {
        List<List<String>> out = new ArrayList<>();
        String last = null;
        for (Row r : rows) {
            List<String> c = new ArrayList<>();
            c.add(r.stage().equals(last) ? "" : r.stage());
            last = r.stage();
            c.add(r.figure().label());
            for (double v : r.values()) c.add(value(r.figure(), v));
            for (int i = 1; i < r.values().length; i++) c.add(growth(r.values()[i - 1], r.values()[i]));
            out.add(c);
        }
        return out;
    }

    /** Aligned columns: the first two left-aligned, the numbers right-aligned. */
    String text() {
        List<String> h = header();
        List<List<String>> body = cells();
        int[] w = new int[h.size()];
        for (int i = 0; i < w.length; i++) w[i] = h.get(i).length();
        for (List<String> c : body) for (int i = 0; i < w.length; i++) w[i] = Math.max(w[i], c.get(i).length());
        StringBuilder b = new StringBuilder();
        line(b, h, w);
        for (List<String> c : body) line(b, c, w);
        return b.toString();
    }

    private static void line(StringBuilder b, List<String> c, int[] w) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < c.size(); i++) {
            if (i > 0) l.append("  ");
            String pad = " ".repeat(w[i] - c.get(i).length());
            l.append(i < 2 ? c.get(i) + pad : pad + c.get(i));
        }
        b.append(l.toString().stripTrailing()).append('\n');
    }

    /** A Markdown table; numbers right-aligned. */
    String markdown() {
        List<String> h = header();
        StringBuilder b = new StringBuilder("| " + String.join(" | ", h) + " |\n|");
        for (int i = 0; i < h.size(); i++) b.append(i < 2 ? "---|" : "---:|");
        b.append('\n');
        for (List<String> c : cells()) b.append("| ").append(String.join(" | ", c)).append(" |\n");
        return b.toString();
    }

    /**
     * CSV (commons-csv, RFC 4180 quoting): stage, figure, unit, the value at each size (plain numbers),
     * the growth of each step (ratio).
     */
    String csv() {
        List<String> h = new ArrayList<>(List.of("stage", "figure", "unit"));
        for (long n : sizes) h.add(Long.toString(n));
        for (int i = 1; i < sizes.size(); i++) h.add("growth " + sizes.get(i - 1) + "-" + sizes.get(i));
        StringBuilder b = new StringBuilder();
        try (CSVPrinter out = CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get().print(b)) {
            out.printRecord(h);
            for (Row r : rows) {
                List<String> c = new ArrayList<>(List.of(r.stage(), r.figure().name(), r.figure().unit()));
                for (double v : r.values()) c.add(String.format(Locale.ROOT, "%." + r.figure().decimals() + "f", v));
                for (int i = 1; i < r.values().length; i++) {
                    double a = r.values()[i - 1];
                    c.add(a == 0 ? "" : String.format(Locale.ROOT, "%.4f", r.values()[i] / a));
                }
                out.printRecord(c);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringBuilder does not throw
        }
        return b.toString();
    }
}
