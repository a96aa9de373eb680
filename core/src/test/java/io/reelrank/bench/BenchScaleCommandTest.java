package io.reelrank.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.bench.ScaleStages.Figure;
import io.reelrank.bench.ScaleStages.Stage;
import io.reelrank.cli.Run;
import io.reelrank.db.Database;
import io.reelrank.generate.MovieLensGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code reelrank bench scale}: its stage list, its options, and one tiny run end to end through real
 * child processes, the test database's server and the real model. Figures are printed, not asserted
 * against times: speed is not tested.
 */
@Tag("integration")
class BenchScaleCommandTest {

    @TempDir
    Path tmp;

    private static final ScaleStages.Context CONTEXT = new ScaleStages.Context() {
        @Override
        public Path dataDir() {
            return Path.of("/data/set");
        }

        @Override
        public Path home() {
            return Path.of("/scratch/home");
        }

        @Override
        public String usersWithVectors(int n) {
            return n == 2 ? "7,9" : "unexpected";
        }
    };

    @Test
    void theStagesRunInPipelineOrderEachAsOneReelrankCommand() {
        List<Stage> stages = ScaleStages.list(new ScaleStages.Settings(2000, 30, 5, 200, 300, false));
        assertEquals(List.of("ingest", "index", "embed int8", "users", "train", "fold-in", "search + re-rank",
                "bench http", "recommend", "serve"), stages.stream().map(Stage::name).toList());
        Map<String, List<String>> commands = new java.util.LinkedHashMap<>();
        for (Stage s : stages) commands.put(s.name(), s.command().apply(CONTEXT));
        assertEquals(List.of("ingest", "--data-dir", "/data/set", "--force"), commands.get("ingest"));
        assertEquals(List.of("index"), commands.get("index"));
        assertEquals(List.of("embed", "--load", "--out", "/scratch/home/var/embeddings.csv"),
                commands.get("embed int8"));
        assertEquals(List.of("users"), commands.get("users"));
        assertEquals(List.of("train", "--als-alpha", "1"), commands.get("train"));
        assertEquals(List.of("bench", "foldin", "--rounds", "1", "--updates", "200"), commands.get("fold-in"));
        assertEquals(List.of("bench", "recommend", "--users", "300"), commands.get("recommend"));
        assertEquals(List.of("bench", "rerank", "--skip-user-tower", "--queries", "2000"),
                commands.get("search + re-rank"));
        assertEquals(List.of("bench", "http", "--seconds", "30", "--warmup", "5", "--user", "7,9"),
                commands.get("bench http"));
        assertEquals(List.of("serve", "--port", "0"), commands.get("serve"));
        assertEquals(ScaleStages.Kind.SERVE, stages.get(9).kind());
        for (Stage s : stages) {
            assertTrue(s.figures().stream().anyMatch(f -> f.source() == ScaleStages.Source.PEAK),
                    s.name() + " reports its peak memory");
        }
    }

    @Test
    void fp32AddsItsOwnEmbeddingStageThatLeavesTheDefaultModelLoaded() {
        List<Stage> stages = ScaleStages.list(new ScaleStages.Settings(100, 1, 0, 200, 300, true));
        assertEquals(List.of("ingest", "index", "embed fp32", "embed int8", "users", "train", "fold-in",
                "search + re-rank", "bench http", "recommend", "serve"), stages.stream().map(Stage::name).toList());
        List<String> fp32 = stages.get(2).command().apply(CONTEXT);
        assertEquals(List.of("embed", "--model", "all-MiniLM-L6-v2", "--out", "/scratch/home/var/embeddings-fp32.csv"),
                fp32);
        assertFalse(fp32.contains("--load"));
    }

    @Test
    void aFigureThatItsOutputLacksIsAnErrorNamingThePattern() {
        Figure users = ScaleStages.list(new ScaleStages.Settings(100, 1, 0, 200, 300, false)).get(0).figures().get(1);
        assertEquals(6_140, users.readFrom(
                "  movies 23,364 · ratings 1,000,000 · tags 45,239 · users 6,140 · links 23,364\n"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> users.readFrom("ingest: done\n"));
        assertEquals("no line of its output matches /· users ([\\d,]+(?:\\.\\d+)?) ·/ (users)", e.getMessage());
    }

    @ParameterizedTest(name = "--ratings {0}")
    @CsvSource(delimiter = '|', value = {
        "1000000,abc         | --ratings: size 2 'abc' is not a whole number of ratings, e.g. 1000000",
        "1M                  | --ratings: size 1 '1M' is not a whole number of ratings, e.g. 1000000",
        "-5                  | --ratings: size 1 '-5' is not a whole number of ratings, e.g. 1000000",
        "1000000,,5000000    | --ratings: size 2 is empty; give comma-separated whole numbers, "
                + "e.g. 1000000,5000000,32000000",
        "5000                | --ratings: size 1 (5,000) must be in 10,000-100,000,000",
        "1000000,200000000   | --ratings: size 2 (200,000,000) must be in 10,000-100,000,000",
        "5000000,1000000     | --ratings must ascend: size 2 (1,000,000) is not above size 1 (5,000,000)",
        "20000,20000         | --ratings must ascend: size 2 (20,000) is not above size 1 (20,000)",
        "10000,20000,30000,40000,50000,60000,70000,80000,90000,100000,110000 "
                + "| --ratings takes at most 10 sizes, got 11",
    })
    void refusesBadSizesNamingTheSizeAndTheRange(String sizes, String message) {
        Run r = Run.of(List.of("bench", "scale"), "--ratings", sizes, "--out-dir", tmp.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("reelrank: error: " + message, r.err().strip());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "--queries       | 99   | --queries must be in 100-100000, got 99",
        "--http-seconds  | 0    | --http-seconds must be in 1-3600, got 0",
        "--http-warmup   | 601  | --http-warmup must be in 0-600, got 601",
        "--stage-timeout | 0    | --stage-timeout must be in 1-1440, got 0",
        "--movies        | 50   | at 1000000 ratings: --movies must be in 100-",
    })
    void refusesOtherOptionsOutsideTheirRange(String option, String value, String message) {
        Run r = Run.of(List.of("bench", "scale"), option, value, "--out-dir", tmp.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("reelrank: error: " + message), r.err());
    }

    @Test
    void sizeLabelsAndGrowthAreShortAndExact() {
        assertEquals("1M", ScaleTable.sizeLabel(1_000_000));
        assertEquals("32M", ScaleTable.sizeLabel(32_000_000));
        assertEquals("2.5M", ScaleTable.sizeLabel(2_500_000));
        assertEquals("20k", ScaleTable.sizeLabel(20_000));
        assertEquals("12345", ScaleTable.sizeLabel(12_345));
        assertEquals("5.00×", ScaleTable.growth(2, 10));
        assertEquals("0.50×", ScaleTable.growth(4, 2));
        assertEquals("1.00×", ScaleTable.growth(0, 0));
        assertEquals("∞", ScaleTable.growth(0, 3));
    }

    @Test
    void theTableHasAColumnPerSizeAndOnePerStepInEachFormat() {
        Figure wall = Figure.wall();
        Figure p99 = Figure.printed("p99", "ms", 3, "p99 (\\d+)");
        ScaleTable t = new ScaleTable(List.of(1_000_000L, 5_000_000L, 32_000_000L));
        t.add("ingest", wall, new double[] {40, 200, 1300});
        t.add("search", p99, new double[] {1.5, 1.5, 3.0});
        assertEquals("""
                stage   figure            1M     5M      32M  1M→5M  5M→32M
                ingest  wall time (s)   40.0  200.0  1,300.0  5.00×   6.50×
                search  p99 (ms)       1.500  1.500    3.000  1.00×   2.00×
                """, t.text());
        assertEquals("""
                | stage | figure | 1M | 5M | 32M | 1M→5M | 5M→32M |
                |---|---|---:|---:|---:|---:|---:|
                | ingest | wall time (s) | 40.0 | 200.0 | 1,300.0 | 5.00× | 6.50× |
                | search | p99 (ms) | 1.500 | 1.500 | 3.000 | 1.00× | 2.00× |
                """, t.markdown());
        assertEquals("""
                stage,figure,unit,1000000,5000000,32000000,growth 1000000-5000000,growth 5000000-32000000
                ingest,wall time,s,40.0,200.0,1300.0,5.0000,6.5000
                search,p99,ms,1.500,1.500,3.000,1.0000,2.0000
                """, t.csv());
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> t.add("x", wall, new double[] {1}));
        assertEquals("a row needs 3 values, got 1", e.getMessage());
    }

    @Test
    void aTinyRunMeasuresEveryStageInChildProcessesAndFillsEveryRow() throws Exception {
        Database db = TestDatabase.get();
        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.createSymbolicLink(home.resolve("sample_data"), TestDatabase.SAMPLE.getParent());
        String url = db.settings().url() + "?user=" + db.settings().user() + "&password=" + db.settings().password();
        Path out = tmp.resolve("out");
        String previousHome = System.getProperty("reelrank.home");
        System.setProperty("reelrank.home", home.toString());
        Run r;
        try {
            r = Run.of(List.of("bench", "scale"), "--db-url", url, "--ratings", "20000", "--movies", "700",
                    "--queries", "100", "--http-seconds", "1", "--http-warmup", "0", "--java-opts", "-Xmx1g",
                    "--out-dir", out.toString());
        } finally {
            if (previousHome == null) System.clearProperty("reelrank.home");
            else System.setProperty("reelrank.home", previousHome);
            Files.delete(home.resolve("sample_data")); // the link, not the sample
        }
        assertEquals(0, r.code(), r.err());

        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith(
                "bench scale: generated sets of 20k ratings (seed 42); each stage its own process (java -Xmx1g)"),
                lines.get(0));
        assertEquals(List.of("stage", "figure", "20k"), List.of(lines.get(1).split("\\s{2,}")));
        List<String> rows = lines.subList(2, lines.size() - 1);
        assertTrue(lines.get(lines.size() - 1).startsWith("load average (1 min) at the stages' starts: 20k "), r.out());
        int expected = ScaleStages.list(new ScaleStages.Settings(100, 1, 0, 200, 300, false)).stream()
                .mapToInt(s -> s.figures().size()).sum();
        assertEquals(expected, rows.size(), r.out());
        Pattern row = Pattern.compile("^(\\S.*?)?\\s{2,}(\\S.*?\\(.+?\\))\\s{2,}([\\d,]+(?:\\.\\d+)?)$");
        List<String> stagesSeen = new ArrayList<>();
        for (String l : rows) {
            Matcher m = row.matcher(l);
            assertTrue(m.matches(), "a row with a figure, its unit and a number: '" + l + "'");
            if (m.group(1) != null && !m.group(1).isBlank()) stagesSeen.add(m.group(1).strip());
            double v = Double.parseDouble(m.group(3).replace(",", ""));
            assertTrue(v > 0, "every figure is measured and positive: '" + l + "'");
            if (m.group(2).startsWith("peak RSS")) {
                assertTrue(v > 20, "a JVM's resident memory is tens of MB at least: " + l);
            }
        }
        assertEquals(List.of("ingest", "index", "embed int8", "users", "train", "fold-in", "search + re-rank",
                "bench http", "recommend", "serve"), stagesSeen);
        assertTrue(rows.get(0).matches("ingest\\s+ratings \\(rows\\)\\s+20,000"), rows.get(0));
        int users = MovieLensGenerator.plan(new MovieLensGenerator.Options(20_000, null, 700, null, 42,
                TestDatabase.SAMPLE, false)).users();
        assertTrue(rows.get(1).matches("\\s+users \\(rows\\)\\s+" + users), rows.get(1));
        assertTrue(rows.get(2).matches("\\s+movies \\(rows\\)\\s+700"), rows.get(2));

        assertEquals(rows.size() + 1, Files.readAllLines(out.resolve("table.csv")).size());
        assertTrue(Files.readString(out.resolve("table.md")).contains("| ingest | ratings (rows) | 20,000 |"));
        for (String log : List.of("ingest", "index", "embed-int8", "users", "train", "fold-in", "search-re-rank",
                "bench-http", "recommend", "serve")) {
            assertTrue(Files.readString(out.resolve("logs/20k/" + log + ".log")).startsWith("$ reelrank "), log);
        }
        assertTrue(r.err().contains("[20k] generate: reelrank generate --ratings 20000 --seed 42"), r.err());
        assertFalse(r.err().contains(db.settings().password()), "the password never appears in the progress");
        assertFalse(Files.exists(out.resolve("home-20k")), "the children's home is removed");
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_database WHERE datname = '"
                     + db.settings().database() + "_bench_scale_20000'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "the scratch database is dropped");
        }
    }
}
