package io.reelrank.cli;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.reelrank.embed.MovieText;
import io.reelrank.embed.OnnxEncoder;
import java.io.PrintWriter;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank bench embed}: movies/s of the bundled all-MiniLM-L6-v2 through {@link OnnxEncoder}
 * at several batch sizes, against langchain4j's {@code AllMiniLmL6V2EmbeddingModel.embedAll} on the
 * same movie texts in the same run (same ONNX file), as the median of repeated, interleaved runs after
 * a warm-up.
 * Also checks that both give the same vectors, and times the whole catalogue once.
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = {"Movies/s of the bundled model at batch sizes 1, 16, 64 against langchain4j's",
                "AllMiniLmL6V2EmbeddingModel.embedAll on the same texts (medians of --repeats runs).",
                "Needs the movies in the database (reelrank ingest)."})
public final class BenchEmbedCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--texts", paramLabel = "N", defaultValue = "1000",
            description = "Movie texts per timed run, spread evenly over the catalogue, 1-100000 (default: ${DEFAULT-VALUE})")
    int texts;

    @Option(names = "--repeats", paramLabel = "N", defaultValue = "3",
            description = "Timed runs per configuration, 1-100; the median is reported (default: ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--batch-sizes", paramLabel = "B,B,...", split = ",", defaultValue = "1,16,64",
            description = "Batch sizes to measure (default: ${DEFAULT-VALUE})")
    int[] batchSizes;

    @Option(names = "--threads", paramLabel = "N",
            description = "ONNX Runtime threads for reelrank's encoder (default: the number of cores)")
    Integer threads;

    @Option(names = "--full", negatable = true, defaultValue = "true",
            description = "Also embed the whole catalogue once at batch size 64 (default: on; --no-full skips it)")
    boolean full;

    @Override
    public Integer call() throws Exception {
        if (texts < 1 || texts > 100_000) throw CliException.badInput("--texts must be in 1-100000, got " + texts);
        if (repeats < 1 || repeats > 100) throw CliException.badInput("--repeats must be in 1-100, got " + repeats);
        for (int b : batchSizes) {
            if (b < 1 || b > 4096) throw CliException.badInput("batch sizes must be in 1-4096, got " + b);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int nThreads = threads != null ? threads : cores;
        PrintWriter out = spec.commandLine().getOut();
        List<String> all;
        try (Connection c = dbOptions.open().connect()) {
            all = MovieText.loadAll(c).stream().map(MovieText.Movie::text).toList();
        }
        if (all.isEmpty()) throw CliException.badInput("the movies table is empty; run reelrank ingest first");
        List<String> sample = spread(all, Math.min(texts, all.size()));
        out.printf("bench embed: %d movie texts of %d, %d repeats (median), %d ONNX threads, %d cores, Java %s%n",
                sample.size(), all.size(), repeats, nThreads, cores, System.getProperty("java.version"));
        out.printf("%-50s %5s %9s   %-32s %s%n", "encoder", "batch", "movies/s", "runs (movies/s, in order)",
                "vs baseline (median of per-round ratios)");
        out.flush();

        AllMiniLmL6V2EmbeddingModel baseline = new AllMiniLmL6V2EmbeddingModel();
        List<TextSegment> segments = sample.stream().map(TextSegment::from).toList();
        List<OnnxEncoder> encoders = new ArrayList<>();
        try {
            for (int b : batchSizes) encoders.add(OnnxEncoder.bundled(new OnnxEncoder.Settings(nThreads, b, null)));
            List<String> warm = sample.subList(0, Math.min(64, sample.size()));
            baseline.embedAll(segments.subList(0, warm.size()));
            encoders.forEach(e -> e.encode(warm));
            // Rounds interleave the configurations, so a burst of load from other processes hits all of them alike.
            double[] baseRuns = new double[repeats];
            double[][] runs = new double[encoders.size()][repeats];
            List<Embedding> baseVectors = new ArrayList<>();
            float[][][] ours = new float[encoders.size()][][];
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                List<Embedding> got = baseline.embedAll(segments).content();
                baseRuns[r] = rate(sample.size(), t0);
                baseVectors.clear();
                baseVectors.addAll(got);
                for (int e = 0; e < encoders.size(); e++) {
                    t0 = System.nanoTime();
                    ours[e] = encoders.get(e).encode(sample);
                    runs[e][r] = rate(sample.size(), t0);
                }
            }
            double base = median(baseRuns);
            row(out, "langchain4j AllMiniLmL6V2EmbeddingModel.embedAll", "-", base, baseRuns, 1.0);
            float maxDiff = 0;
            for (int e = 0; e < encoders.size(); e++) {
                double[] ratios = new double[repeats];
                for (int r = 0; r < repeats; r++) ratios[r] = runs[e][r] / baseRuns[r];
                row(out, "reelrank OnnxEncoder", Integer.toString(batchSizes[e]), median(runs[e]), runs[e], median(ratios));
                for (int i = 0; i < sample.size(); i++) {
                    float[] ref = baseVectors.get(i).vector();
                    for (int k = 0; k < ref.length; k++) maxDiff = Math.max(maxDiff, Math.abs(ref[k] - ours[e][i][k]));
                }
            }
            out.printf("largest |difference| between the two encoders' vector components: %.2e%n", maxDiff);
        } finally {
            encoders.forEach(OnnxEncoder::close);
        }
        if (full) {
            try (OnnxEncoder enc = OnnxEncoder.bundled(new OnnxEncoder.Settings(nThreads, 64, null))) {
                enc.encode(all.subList(0, Math.min(64, all.size())));
                long t0 = System.nanoTime();
                for (int from = 0; from < all.size(); from += 512) {
                    enc.encode(all.subList(from, Math.min(all.size(), from + 512)));
                }
                double s = (System.nanoTime() - t0) / 1e9;
                out.printf("whole catalogue: %d movies in %.1f s at batch 64 (%.0f movies/s, as reelrank embed "
                        + "feeds it: chunks of 512), %d truncated%n", all.size(), s, all.size() / s, enc.truncations());
            }
        }
        out.flush();
        return 0;
    }

    private static List<String> spread(List<String> all, int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(all.get((int) ((long) i * all.size() / n)));
        return out;
    }

    private static double rate(int n, long startNanos) {
        return n / ((System.nanoTime() - startNanos) / 1e9);
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static void row(PrintWriter out, String name, String batch, double median, double[] runs, double ratio) {
        StringBuilder r = new StringBuilder();
        for (double x : runs) r.append(r.length() > 0 ? " / " : "").append(String.format("%.0f", x));
        out.printf("%-50s %5s %9.0f   %-32s %.2f×%n", name, batch, median, r, ratio);
        out.flush();
    }
}
