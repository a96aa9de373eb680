package io.reelrank.bench;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.reelrank.cli.CliException;
import io.reelrank.cli.DbOptions;
import io.reelrank.embed.BundledModel;
import io.reelrank.embed.ModelAgreement;
import io.reelrank.embed.MovieText;
import io.reelrank.embed.OnnxEncoder;
import java.io.PrintWriter;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank bench embed}: movies/s of the bundled models (all-MiniLM-L6-v2 in fp32 and
 * quantized to int8) through {@link OnnxEncoder} at several batch sizes, against langchain4j's
 * {@code AllMiniLmL6V2EmbeddingModel.embedAll} (fp32) on the same movie texts in the same run, as the
 * median of repeated, interleaved runs after a warm-up. Also checks that reelrank's fp32 encoder and
 * langchain4j's give the same vectors, then embeds the whole catalogue once with each model (time,
 * and the projection to MovieLens 32M's 87,585 movies) and measures how far the models agree: the
 * cosine between their vectors of each movie, and the overlap of each movie's 10 nearest neighbours.
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = {"Movies/s of the bundled models (all-MiniLM-L6-v2 fp32 and int8) at batch "
                + "sizes 1, 16, 64 against",
                "langchain4j's AllMiniLmL6V2EmbeddingModel.embedAll on the same texts (medians of --repeats runs);",
                "then the whole catalogue with each model, and how far the models agree (cosines, top-10 neighbours).",
                "Needs the movies in the database (reelrank ingest)."})
public final class BenchEmbedCommand implements Callable<Integer> {

    /** MovieLens 32M's catalogue, the size the projection is made for. */
    static final int ML32M_MOVIES = 87_585;

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--texts", paramLabel = "N", defaultValue = "1000",
            description = "Movie texts per timed run, spread evenly over the catalogue, "
                    + "1-100000 (default: ${DEFAULT-VALUE})")
    int texts;

    @Option(names = "--repeats", paramLabel = "N", defaultValue = "3",
            description = "Timed runs per configuration, 1-100; the median is reported (default: ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--batch-sizes", paramLabel = "B,B,...", split = ",", defaultValue = "1,16,64",
            description = "Batch sizes to measure (default: ${DEFAULT-VALUE})")
    int[] batchSizes;

    @Option(names = "--models", paramLabel = "NAME,...", split = ",",
            defaultValue = "all-MiniLM-L6-v2,all-MiniLM-L6-v2-int8",
            description = "Bundled models to measure (default: ${DEFAULT-VALUE})")
    List<String> models;

    @Option(names = "--threads", paramLabel = "N",
            description = "ONNX Runtime threads for reelrank's encoder (default: the number of cores)")
    Integer threads;

    @Option(names = "--neighbour-movies", paramLabel = "N", defaultValue = "500",
            description = "Movies, spread evenly over the catalogue, whose 10 nearest neighbours the two models "
                    + "are compared on, 1-100000 (default: ${DEFAULT-VALUE})")
    int neighbourMovies;

    @Option(names = "--skip-full", description = "Skip embedding the whole catalogue (and the agreement figures)")
    boolean skipFull;

    @Override
    public Integer call() throws Exception {
        if (texts < 1 || texts > 100_000) throw CliException.badInput("--texts must be in 1-100000, got " + texts);
        if (repeats < 1 || repeats > 100) throw CliException.badInput("--repeats must be in 1-100, got " + repeats);
        if (neighbourMovies < 1 || neighbourMovies > 100_000) {
            throw CliException.badInput("--neighbour-movies must be in 1-100000, got " + neighbourMovies);
        }
        for (int b : batchSizes) {
            if (b < 1 || b > 4096) throw CliException.badInput("batch sizes must be in 1-4096, got " + b);
        }
        List<BundledModel> chosen = new ArrayList<>();
        for (String m : models) {
            try {
                BundledModel bm = BundledModel.named(m);
                if (!chosen.contains(bm)) chosen.add(bm);
            } catch (IllegalArgumentException e) {
                throw CliException.badInput("--models: " + e.getMessage());
            }
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int nThreads = threads != null ? threads : cores;
        PrintWriter out = spec.commandLine().getOut();
        List<MovieText.Movie> movies;
        try (Connection c = dbOptions.open().connect()) {
            movies = MovieText.loadAll(c);
        }
        List<String> all = movies.stream().map(MovieText.Movie::text).toList();
        if (all.isEmpty()) throw CliException.badInput("the movies table is empty; run reelrank ingest first");
        List<String> sample = spread(all, Math.min(texts, all.size()));
        out.printf(Locale.ROOT,
                "bench embed: %d movie texts of %d, %d repeats (median), %d ONNX threads, %d cores, Java %s%n",
                sample.size(), all.size(), repeats, nThreads, cores, System.getProperty("java.version"));
        out.printf(Locale.ROOT, "%-50s %5s %9s   %-32s %-10s %s%n", "encoder", "batch", "movies/s",
                "runs (movies/s, in order)", "vs base", "vs fp32 at the same batch (medians of per-round ratios)");
        out.flush();

        AllMiniLmL6V2EmbeddingModel baseline = new AllMiniLmL6V2EmbeddingModel();
        List<TextSegment> segments = sample.stream().map(TextSegment::from).toList();
        List<OnnxEncoder> encoders = new ArrayList<>();
        List<BundledModel> encoderModel = new ArrayList<>();
        List<Integer> encoderBatch = new ArrayList<>();
        Map<BundledModel, float[][]> sampleVectors = new LinkedHashMap<>();
        try {
            for (BundledModel m : chosen) {
                for (int b : batchSizes) {
                    encoders.add(OnnxEncoder.bundled(m, new OnnxEncoder.Settings(nThreads, b, null)));
                    encoderModel.add(m);
                    encoderBatch.add(b);
                }
            }
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
            row(out, "langchain4j AllMiniLmL6V2EmbeddingModel.embedAll", "-", base, baseRuns, "1.00×", "");
            float maxDiff = 0;
            for (int e = 0; e < encoders.size(); e++) {
                double[] ratios = new double[repeats];
                for (int r = 0; r < repeats; r++) ratios[r] = runs[e][r] / baseRuns[r];
                String vsFp32 = "";
                int fp32 = indexOf(encoderModel, encoderBatch, BundledModel.MINILM_L6, encoderBatch.get(e));
                if (encoderModel.get(e) != BundledModel.MINILM_L6 && fp32 >= 0) {
                    double[] r2 = new double[repeats];
                    for (int r = 0; r < repeats; r++) r2[r] = runs[e][r] / runs[fp32][r];
                    vsFp32 = String.format(Locale.ROOT, "%.2f×", median(r2));
                }
                row(out, "reelrank OnnxEncoder " + encoderModel.get(e).modelName(),
                        Integer.toString(encoderBatch.get(e)), median(runs[e]), runs[e],
                        String.format(Locale.ROOT, "%.2f×", median(ratios)), vsFp32);
                if (encoderModel.get(e) == BundledModel.MINILM_L6) {
                    for (int i = 0; i < sample.size(); i++) {
                        float[] ref = baseVectors.get(i).vector();
                        for (int k = 0; k < ref.length; k++) {
                            maxDiff = Math.max(maxDiff, Math.abs(ref[k] - ours[e][i][k]));
                        }
                    }
                }
                sampleVectors.putIfAbsent(encoderModel.get(e), ours[e]);
            }
            if (chosen.contains(BundledModel.MINILM_L6)) {
                out.printf(Locale.ROOT,
                        "largest |difference| between langchain4j's and reelrank's fp32 vector components: %.2e%n",
                        maxDiff);
            }
        } finally {
            encoders.forEach(OnnxEncoder::close);
        }
        if (!skipFull) {
            // Chunk by chunk, the models take turns (which one goes first alternates), so load from other
            // processes falls on all of them alike.
            Map<BundledModel, float[][]> full = new LinkedHashMap<>();
            List<OnnxEncoder> encs = new ArrayList<>();
            long[] nanos = new long[chosen.size()];
            try {
                for (BundledModel m : chosen) {
                    OnnxEncoder enc = OnnxEncoder.bundled(m, new OnnxEncoder.Settings(nThreads, 64, null));
                    encs.add(enc);
                    enc.encode(all.subList(0, Math.min(64, all.size())));
                    full.put(m, new float[all.size()][]);
                }
                int chunk = 0;
                for (int from = 0; from < all.size(); from += 2048, chunk++) {
                    List<String> part = all.subList(from, Math.min(all.size(), from + 2048));
                    for (int k = 0; k < chosen.size(); k++) {
                        int e = (k + chunk) % chosen.size();
                        long t0 = System.nanoTime();
                        float[][] v = encs.get(e).encode(part);
                        nanos[e] += System.nanoTime() - t0;
                        System.arraycopy(v, 0, full.get(chosen.get(e)), from, v.length);
                    }
                }
                for (int e = 0; e < chosen.size(); e++) {
                    double s = nanos[e] / 1e9;
                    double rate = all.size() / s;
                    out.printf(Locale.ROOT,
                            "whole catalogue, %s: %d movies in %.1f s at batch 64 (%.0f movies/s, as reelrank embed "
                            + "feeds it: chunks of 2048, the models taking turns), %d truncated; "
                            + "%,d movies (MovieLens 32M) would take %.0f s%n",
                            chosen.get(e).modelName(), all.size(), s, rate, encs.get(e).truncations(), ML32M_MOVIES,
                            ML32M_MOVIES / rate);
                }
                out.flush();
            } finally {
                encs.forEach(OnnxEncoder::close);
            }
            float[][] fp32 = full.get(BundledModel.MINILM_L6);
            for (Map.Entry<BundledModel, float[][]> e : full.entrySet()) {
                if (e.getKey() == BundledModel.MINILM_L6 || fp32 == null) continue;
                ModelAgreement.Cosines c = ModelAgreement.cosines(fp32, e.getValue());
                out.printf(Locale.ROOT, "agreement %s vs all-MiniLM-L6-v2 over the %d movie texts: cosine mean %.4f, "
                        + "1st percentile %.4f, min %.4f%n", e.getKey().modelName(), c.n(), c.mean(), c.p01(), c.min());
                int[] queries = spreadIndexes(all.size(), Math.min(neighbourMovies, all.size()));
                double overlap = ModelAgreement.neighbourOverlap(fp32, e.getValue(), queries, 10);
                out.printf(Locale.ROOT, "  top-10 neighbours (exact cosine, as `similar`): mean overlap %.3f over %d "
                        + "movies spread over the catalogue%n", overlap, queries.length);
                int fellowship = indexOfMovie(movies, 4993);
                if (fellowship >= 0) {
                    out.printf(Locale.ROOT, "  movie 4993 (%s): top-10 overlap %.1f%n",
                            abbreviate(movies.get(fellowship).text()),
                            ModelAgreement.neighbourOverlap(fp32, e.getValue(), new int[] {fellowship}, 10));
                }
            }
        }
        out.flush();
        return 0;
    }

    private static int indexOf(List<BundledModel> models, List<Integer> batches, BundledModel m, int batch) {
        for (int i = 0; i < models.size(); i++) if (models.get(i) == m && batches.get(i) == batch) return i;
        return -1;
    }

    private static int indexOfMovie(List<MovieText.Movie> movies, int id) {
        for (int i = 0; i < movies.size(); i++) if (movies.get(i).movieId() == id) return i;
        return -1;
    }

    private static String abbreviate(String text) {
        return text.length() <= 48 ? text : text.substring(0, 47) + "…";
    }

    private static List<String> spread(List<String> all, int n) {
        List<String> out = new ArrayList<>(n);
        for (int i : spreadIndexes(all.size(), n)) out.add(all.get(i));
        return out;
    }

    private static int[] spreadIndexes(int size, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = (int) ((long) i * size / n);
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

    private static void row(PrintWriter out, String name, String batch, double median, double[] runs, String ratio,
                            String vsFp32) {
        StringBuilder r = new StringBuilder();
        for (double x : runs) r.append(r.length() > 0 ? " / " : "").append(String.format(Locale.ROOT, "%.0f", x));
        out.printf(Locale.ROOT, "%-50s %5s %9.0f   %-32s %-10s %s%n", name, batch, median, r, ratio, vsFp32);
        out.flush();
    }
}
