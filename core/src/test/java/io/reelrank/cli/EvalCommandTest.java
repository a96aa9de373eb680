package io.reelrank.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import io.reelrank.eval.EvalReport;
import io.reelrank.index.MovieIndex;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code reelrank eval} end to end through the picocli root, on the test database (the sample, the
 * real model's vectors, the four synthetic test users) and an index of it in a throwaway home whose
 * {@code var/pg} is the test cluster, so the command finds the database the way it does in use. A
 * small held-out share keeps most runs to a few seconds; one run with the shipped defaults (about a
 * minute, its time printed) checks the recorded results of {@code docs/results/sample.json}.
 */
@Tag("integration")
class EvalCommandTest {

    private static Path home;
    private static String previousHome;
    private static Database db;
    private static Run sweep;
    /** The shipped eval figures on the sample, with their tolerances. */
    static final Path RECORD = Path.of("..", "docs", "results", "sample.json").toAbsolutePath().normalize();


    /**
     * Small and fast: a rank-8 model, two settings of each choice, a 5% test split; of the
     * search-quality tasks the descriptive one, which the shipped run below leaves out (its own index
     * and re-embedded movie texts cost more than the other two tasks together).
     */
    private static final String[] SWEEP = {"--rank", "8", "--als-alpha", "1,2", "--iterations", "3",
            "--alpha", "0.5,0.7", "--popularity", "0.7", "--collaborative", "0.5", "--baseline-popularity", "0,0.7",
            "--ease-lambda", "100,500", "--ease-min-ratings", "20", "--test-fraction", "0.05", "--resamples", "200",
            "--search-tasks", "descriptive", "--no-learned"};

    @BeforeAll
    static void runASmallSweepInAThrowawayHome() throws Exception {
        db = TestDatabase.personalized();
        home = TestDatabase.homeOn(db, Path.of("target"), "eval-cli-");
        MovieIndex.rebuild(db, MovieIndex.defaultDir(home));
        previousHome = System.getProperty("reelrank.home");
        System.setProperty("reelrank.home", home.toString());
        sweep = run(withOutDir(SWEEP, "first"));
    }

    @AfterAll
    static void restoreTheHome() throws Exception {
        if (previousHome == null) System.clearProperty("reelrank.home");
        else System.setProperty("reelrank.home", previousHome);
        Files.deleteIfExists(home.resolve("var").resolve("pg")); // the link only, never the test cluster
    }

    private static String[] withOutDir(String[] args, String dir) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.add("--out-dir");
        all.add(home.resolve(dir).toString());
        return all.toArray(String[]::new);
    }

    private static Run run(String... args) {
        return Run.of(List.of("eval"), args);
    }

    private static long count(String sql) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> lines(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).toList();
    }

    @Test
    void leavesTheTestUsersOutOfTheEvaluation() throws Exception {
        assertEquals(0, sweep.code(), sweep.err());
        long testUsers = count("SELECT count(*) FROM test_users");
        long theirRatings = count("SELECT count(*) FROM ratings WHERE user_id IN (SELECT user_id FROM test_users)");
        long real = count("SELECT count(*) FROM ratings") - theirRatings;
        long realUsers = count("SELECT count(DISTINCT user_id) FROM ratings WHERE user_id NOT IN (SELECT user_id FROM test_users)");
        assertTrue(testUsers == 4 && theirRatings > 0, "the fixture must hold the synthetic users for this test to mean anything");
        String data = lines(sweep.out(), "data: ").get(0);
        assertTrue(data.startsWith(String.format(Locale.ROOT, "data: %,d ratings of %,d users (test users left out: %d with %,d ratings)",
                real, realUsers, testUsers, theirRatings)), data);
    }

    @Test
    void printsEveryChoiceMadeOnValidationWithTheChosenOneMarked() {
        assertEquals(0, sweep.code(), sweep.err());
        String out = sweep.out();
        assertEquals(1, lines(out, "validation: each user's latest 20% of their training ratings held out").size(), out);
        List<String> models = out.lines().filter(l -> l.matches("  [ *] rank=8 α=[12] .*")).toList();
        assertEquals(2, models.size(), out);
        assertEquals(1, models.stream().filter(l -> l.startsWith("  *")).count(), out);
        assertEquals(2, out.lines().filter(l -> l.matches("  λ=(100|500) +recall@20 \\d\\.\\d{4}.*")).count(), out);
        assertEquals(2, out.lines().filter(l -> l.matches("  bm25\\+popularity π=0\\.(00|70) +liked .*")).count(), out);
        List<String> settings = out.lines().filter(l -> l.matches("[ *] weighted α=0\\.[57]0 π=0\\.70 γ=0\\.50 .*")).toList();
        assertEquals(2, settings.size(), out);
        assertEquals(1, settings.stream().filter(l -> l.startsWith("*")).count(), out);
        // Progress on stderr, one line per search setting.
        assertEquals(2, sweep.err().lines().filter(l -> l.matches("\\s+\\[\\d/2\\] weighted .*")).count(),
                sweep.err());
    }

    @Test
    void printsBothTasksOnTestWithIntervalsAgainstTheBaselines() {
        String out = sweep.out();
        for (String group : List.of("liked", "disliked")) {
            for (String metric : List.of("ndcg@10 ", "recall@10 ", "mrr ")) {
                for (String system : List.of("bm25", "bm25+popularity", "personalized", "personalized-bm25+popularity",
                        "personalized-bm25")) {
                    String name = metric + group + " " + system;
                    assertEquals(1, out.lines().filter(l -> l.matches(java.util.regex.Pattern.quote(name)
                            + "\\s+-?\\d\\.\\d{4}\\s+\\[\\s*-?\\d\\.\\d{4},\\s+-?\\d\\.\\d{4}]\\s+\\d+")).count(), name + "\n" + out);
                }
            }
        }
        for (String metric : List.of("recall@20 ", "ndcg@20 ")) {
            for (String system : List.of("popularity", "content", "content-popularity", "ease", "ease-popularity",
                    "two-tower", "two-tower-popularity", "two-tower-ease")) {
                assertEquals(1, out.lines().filter(l -> l.startsWith(metric + system + " ")).count(), metric + system + "\n" + out);
            }
        }
        assertEquals(1, out.lines().filter(l -> l.startsWith("rare-movie recall@20 two-tower ")).count(), out);
    }

    @Test
    void printsTheDescriptiveTaskWithBm25SemanticAndHybridAndTheirDifferences() {
        String out = sweep.out();
        assertEquals(1, lines(out, "descriptive task: tags of ").size(), out);
        for (String metric : List.of("ndcg@10 ", "recall@10 ", "mrr ")) {
            for (String system : List.of("bm25", "bm25+popularity", "semantic", "hybrid", "hybrid+popularity",
                    "shipped", "hybrid − bm25", "semantic − bm25", "hybrid+popularity − bm25+popularity",
                    "shipped − bm25+popularity")) {
                String name = metric + "described " + system;
                assertEquals(1, out.lines().filter(l -> l.matches(java.util.regex.Pattern.quote(name)
                        + "\\s+-?\\d\\.\\d{4}\\s+\\[\\s*-?\\d\\.\\d{4},\\s+-?\\d\\.\\d{4}]\\s+\\d+")).count(),
                        name + "\n" + out);
            }
        }
        assertTrue(lines(out, "typo task: ").isEmpty() && lines(out, "exact task: ").isEmpty(), out);
    }

    @Test
    void theRecordedSearchQualityTasksMeetTheirTargets() throws Exception {
        JsonNode tasks = EvalReport.readJson(RECORD).path("search_quality").path("tasks");
        for (String task : List.of("typo", "exact", "descriptive")) {
            assertTrue(tasks.path(task).path("figures").size() >= 15, task + ": " + tasks.path(task));
        }
        double typo = tasks.path("typo").path("figures").path("ndcg@10 liked shipped").path("mean").asDouble();
        assertTrue(typo >= 0.75, "the typo task's shipped NDCG@10 must be >= 0.75, was " + typo);
        double cost = tasks.path("exact").path("figures").path("ndcg@10 liked shipped − shipped without typo "
                + "tolerance").path("mean").asDouble(Double.NaN);
        assertTrue(cost >= -0.005, "typo tolerance may cost exact queries at most 0.005, cost " + cost);
        double low = tasks.path("descriptive").path("figures").path("ndcg@10 described hybrid − bm25").path("low")
                .asDouble(Double.NaN);
        assertTrue(low > 0, "hybrid must beat BM25 on descriptions with an interval above zero, low " + low);
    }

    @Test
    void writesTheValidationSweepCsvAndAValidPng() throws Exception {
        Path dir = home.resolve("first");
        List<String> csv = Files.readAllLines(dir.resolve("sweep.csv"));
        assertEquals(3, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(0).startsWith("fusion,alpha,popularity,collaborative,ndcg@10_liked_bm25_mean,"), csv.get(0));
        assertTrue(csv.get(1).startsWith("weighted,0.5,0.7,0.5,"), csv.get(1));
        assertTrue(csv.get(2).startsWith("weighted,0.7,0.7,0.5,"), csv.get(2));
        int columns = csv.get(0).split(",").length;
        for (String row : csv) assertEquals(columns, row.split(",", -1).length, row);
        byte[] png = Files.readAllBytes(dir.resolve("sweep.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        BufferedImage image = ImageIO.read(dir.resolve("sweep.png").toFile());
        assertNotNull(image);
        assertTrue(image.getWidth() > 100 && image.getHeight() > 100);
    }

    @Test
    void twoRunsWithTheSameSeedPrintTheSameNumbers() {
        String[] random = {"--split", "random", "--seed", "7", "--alpha", "0.5", "--test-fraction", "0.05",
                "--resamples", "200", "--rank", "8", "--als-alpha", "1", "--iterations", "3", "--baseline-popularity", "0.7",
                "--ease-min-ratings", "20", "--search-tasks", "none"};
        Run first = run(random);
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("seed 7 (random split), bootstrap seed 7"), first.out());
        assertEquals(first.out(), run(random).out());
        String[] other = random.clone();
        other[3] = "8";
        assertNotEquals(first.out().replace("seed 7", ""), run(other).out().replace("seed 8", ""),
                "another seed must change the numbers, or the comparison above proves nothing");
    }

    /** picocli's refusal of a value an option's converter rejects (exit code 2). */
    private static Run invalid(String option, String message) {
        return new Run(2, "", "reelrank: error: Invalid value for option '" + option + "': " + message
                + "\n(`reelrank eval --help` lists the options)\n");
    }

    @Test
    void badOptionValuesNameTheOptionTheRangeAndTheValue() {
        assertEquals(new Run(2, "", "reelrank: error: Invalid value for option '--split': expected one of [temporal, "
                + "random] (case-sensitive) but was 'sideways'\n(`reelrank eval --help` lists the options)\n"),
                run("--split", "sideways"));
        assertEquals(invalid("--test-fraction", "must be in (0,1), got 1.5"), run("--test-fraction", "1.5"));
        assertEquals(new Run(2, "", "reelrank: error: --k must be in 1-100 (--candidates), got 0\n"), run("--k", "0"));
        assertEquals(invalid("--candidates", "must be in 1-1000, got 0"), run("--candidates", "0"));
        assertEquals(invalid("--alpha", "values must be in [0, 1], got 1.5"), run("--alpha", "0,1.5"));
        assertEquals(invalid("--alpha", "range needs from <= to and step > 0, got '0.9:0.4:0.1'"),
                run("--alpha", "0.9:0.4:0.1"));
        assertEquals(invalid("--shrinkage", "must be a finite number >= 0, got -1.0"), run("--shrinkage", "-1"));
        assertEquals(new Run(2, "", "reelrank: error: Invalid value for option '--fusion' (F): fusion must be "
                + "weighted, linear or rrf, got 'sum'\n(`reelrank eval --help` lists the options)\n"),
                run("--fusion", "linear,sum"));
        assertEquals(invalid("--popularity", "values must be in [0, 1], got 2"), run("--popularity", "2"));
        assertEquals(invalid("--rank", "values must be in [1, 1024], got 0"), run("--rank", "0"));
        assertEquals(invalid("--lambda", "values must be > 0, got 0.0"), run("--lambda", "0"));
        assertEquals(invalid("--iterations", "values must be whole numbers, got 2.5"), run("--iterations", "2.5"));
        assertEquals(invalid("--ease-lambda", "values must be > 0, got 0.0"), run("--ease-lambda", "0"));
        assertEquals(invalid("--ease-min-ratings", "must be >= 1, got 0"), run("--ease-min-ratings", "0"));
        assertEquals(new Run(2, "", "reelrank: error: Invalid value for option '--center': 'yes' is not a boolean\n"
                + "(`reelrank eval --help` lists the options)\n"), run("--center", "yes"));
        assertEquals(invalid("--resamples", "must be in 100-100000, got 10"), run("--resamples", "10"));
        assertEquals(new Run(2, "", "reelrank: error: --search-tasks must be a list of typo, exact, descriptive, or "
                + "none, got 'spelling'\n"), run("--search-tasks", "typo,spelling"));
    }

    /**
     * The regression check of the shipped figures (Anserini's habit): {@code reelrank eval} with the
     * shipped defaults on the sample reproduces {@code docs/results/sample.json}, every figure within
     * the record's tolerance for its kind and everything else exactly. The sample here is the one
     * the record was written on: the same ratings, the fp32 vectors of the tests' embeddings file.
     */
    @Test
    void theShippedDefaultsReproduceTheRecordedResultsOnTheSample() throws Exception {
        Path written = home.resolve("sample.json");
        long t0 = System.nanoTime();
        // The descriptive task is checked by the small run above, not against the record.
        Run shipped = run("--json", written.toString(), "--search-tasks", "typo,exact");
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "EvalCommandTest: eval with the shipped defaults took %.1f s%n", seconds);
        assertEquals(0, shipped.code(), shipped.err());
        JsonNode record = EvalReport.readJson(RECORD);
        ((com.fasterxml.jackson.databind.node.ObjectNode) record.path("search_quality").path("tasks"))
                .remove("descriptive");
        List<String> differences = EvalReport.compare(record, EvalReport.readJson(written));
        assertEquals(List.of(), differences, "the shipped eval no longer reproduces " + RECORD + " (after a "
                + "deliberate change: ./reelrank eval --json docs/results/sample.json, then ./reelrank docs)");
        assertTrue(record.path("search").path("figures").size() >= 30, "the record must hold the search figures");
        // The learned rankers: chosen on validation, their rows on test, the feature-importance plot.
        assertTrue(shipped.out().contains("\nlearned rankers on validation: "), shipped.out());
        assertTrue(shipped.out().contains("\nndcg@10 liked learned-bm25+popularity "), shipped.out());
        assertTrue(shipped.out().contains("\nrecall@20 two-stage "), shipped.out());
        assertTrue(Files.size(home.resolve("var").resolve("eval").resolve("ltr-importance.png")) > 0);
    }
}
