package io.reelrank.bench;

import io.reelrank.cli.CliException;
import io.reelrank.cli.DbOptions;
import io.reelrank.cli.Home;
import io.reelrank.db.Database;
import io.reelrank.db.DbSettings;
import io.reelrank.db.ScratchDatabase;
import io.reelrank.generate.MovieLensGenerator;
import io.reelrank.ingest.MovieLensLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank bench ingest}: ratings load throughput on the sample and on a generated set of
 * millions of ratings over the sample's movies ({@link MovieLensGenerator}), against plain
 * {@code psql \copy} of the same file into an empty table measured in the same run. Everything
 * happens in a scratch database ({@code <db>_bench}) that is dropped at the end, so the real data is
 * not touched.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Ratings load speed on the sample and a generated file, against psql \\copy as the baseline.")
public final class BenchIngestCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--rows", defaultValue = "5000000", paramLabel = "N",
            description = "Ratings in the generated set (reelrank generate --sample-movies), 100000-100000000 "
                    + "(default: ${DEFAULT-VALUE})")
    long rows;

    @Option(names = "--repeats", defaultValue = "3", paramLabel = "N",
            description = "Timed runs of each load; the median is reported, 1-20 (default: ${DEFAULT-VALUE})")
    int repeats;

    @Option(names = "--seed", defaultValue = "42",
            description = "Seed of the generated file (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (rows < 100_000 || rows > 100_000_000) {
            throw CliException.badInput("--rows must be in 100000-100000000, got " + rows);
        }
        if (repeats < 1 || repeats > 20) throw CliException.badInput("--repeats must be in 1-20, got " + repeats);
        PrintWriter out = spec.commandLine().getOut();
        Database main = dbOptions.open();
        try (ScratchDatabase scratch = new ScratchDatabase(main, "bench")) {
            Database bench = scratch.database();
            DbSettings bs = bench.settings();
            Path sample = Home.path().resolve("sample_data/ml-latest-small");
            Path big = Home.var().resolve("bench").resolve("ratings-" + rows);
            out.printf(Locale.ROOT, "generating %,d ratings over the sample's movies into %s (seed %d)…%n", rows, big,
                    seed);
            out.flush();
            generate(sample, big, rows, seed);
            long fileBytes = Files.size(big.resolve("ratings.csv"));

            MovieLensLoader.Options force = new MovieLensLoader.Options(MovieLensLoader.Options.DEFAULT_BATCH_SIZE,
                    false, true);
            double[] sampleRatings = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                sampleRatings[i] = MovieLensLoader.load(bench, sample, force, MovieLensLoader.Listener.NONE)
                        .ratingsSeconds();
            }
            double[] psql = new double[repeats];
            double[] ratingsPhase = new double[repeats];
            double[] total = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                psql[i] = psqlCopy(bs, big.resolve("ratings.csv"));
                MovieLensLoader.Report r = MovieLensLoader.load(bench, big, force, MovieLensLoader.Listener.NONE);
                ratingsPhase[i] = r.ratingsSeconds();
                total[i] = r.seconds();
                out.printf(Locale.ROOT,
                        "  run %d: psql \\copy %.2f s · reelrank ratings COPY %.2f s · whole load %.2f s%n",
                        i + 1, psql[i], ratingsPhase[i], total[i]);
                out.flush();
            }
            double mSample = median(sampleRatings);
            double mPsql = median(psql);
            double mPhase = median(ratingsPhase);
            double mTotal = median(total);
            out.printf(Locale.ROOT, "%nbench ingest (median of %d runs)%n", repeats);
            out.printf(Locale.ROOT, "  sample ratings (100,836 rows):   %,12.0f rows/s%n", 100_836 / mSample);
            out.printf(Locale.ROOT, "  generated ratings (%,d rows, %,d MB):%n", rows, fileBytes >> 20);
            out.printf(Locale.ROOT, "    psql \\copy into an empty table: %6.2f s  %,12.0f rows/s  (baseline)%n", mPsql,
                    rows / mPsql);
            out.printf(Locale.ROOT,
                    "    reelrank ratings (parse, validate, COPY): %6.2f s  %,12.0f rows/s  ratio %.2f×%n",
                    mPhase, rows / mPhase, mPhase / mPsql);
            out.printf(Locale.ROOT,
                    "    reelrank whole load (+ movies, tags, indexes, FKs, stats): %6.2f s  ratio %.2f×%n",
                    mTotal, mTotal / mPsql);
            out.flush();
        }
        return 0;
    }

    /** psql's client-side COPY of the CSV into a fresh table with the same columns; wall seconds. */
    private static double psqlCopy(DbSettings s, Path csv) throws IOException, InterruptedException {
        String sql = "DROP TABLE IF EXISTS psql_ratings; "
                + "CREATE TABLE psql_ratings (user_id int, movie_id int, rating numeric(2,1), ts bigint);";
        runPsql(s, List.of("-c", sql));
        long t0 = System.nanoTime();
        runPsql(s, List.of("-c", "\\copy psql_ratings FROM '" + csv + "' WITH (FORMAT csv, HEADER true)"));
        double secs = (System.nanoTime() - t0) / 1e9;
        runPsql(s, List.of("-c", "DROP TABLE psql_ratings"));
        return secs;
    }

    private static void runPsql(DbSettings s, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", s.host(),
                "-p", String.valueOf(s.port()), "-d", s.database()));
        if (s.user() != null) cmd.addAll(List.of("-U", s.user()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (s.password() != null) pb.environment().put("PGPASSWORD", s.password());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException("psql failed: " + output.strip());
    }

    /**
     * A MovieLens directory with the sample's movies and links and {@code rows} ratings (and tags)
     * from {@code reelrank generate --sample-movies}: users and tags scaled with the ratings as in the
     * real sets. Reused when already generated with this seed.
     */
    static void generate(Path sample, Path dir, long rows, long seed) throws IOException {
        Path done = dir.resolve(".generated-" + seed);
        if (Files.exists(done)) return;
        MovieLensGenerator.write(new MovieLensGenerator.Options(rows, null, null, null, seed, sample, true), dir, true,
                MovieLensGenerator.Listener.NONE);
        Files.writeString(done, "");
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

}
