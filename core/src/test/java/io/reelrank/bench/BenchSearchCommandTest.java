package io.reelrank.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.cli.Run;
import io.reelrank.index.MovieIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code reelrank bench search}'s report and option checks (its figures are not asserted: speed is not tested). */
@Tag("integration")
class BenchSearchCommandTest {

    private static String previousHome;

    @BeforeAll
    static void buildTheIndexInAThrowawayHome() throws Exception {
        Path home = Files.createTempDirectory("reelrank-bench-cli");
        MovieIndex.rebuild(TestDatabase.sample(), MovieIndex.defaultDir(home));
        previousHome = System.getProperty("reelrank.home");
        System.setProperty("reelrank.home", home.toString());
    }

    @AfterAll
    static void restoreTheHome() {
        if (previousHome == null) System.clearProperty("reelrank.home");
        else System.setProperty("reelrank.home", previousHome);
    }

    /** Exit code, standard output and standard error of one in-process run ({@link Run#of}). */
    private static String[] run(String... args) {
        Run r = Run.of(List.of(), args);
        return new String[] {Integer.toString(r.code()), r.out(), r.err()};
    }

    @Test
    void reportsOneRowPerThreadCountAndTheBaseline() {
        String[] r = run("bench", "search", "--queries", "50", "--warmup", "0", "--threads", "1,2");
        assertEquals("0", r[0], r[2]);
        String out = r[1];
        assertTrue(out.startsWith(
                "bench search: 50 queries from the titles of 9,742 movies (seed 42), mode search, limit 10"),
                out);
        assertTrue(out.contains("threads   queries    p50_ms    p99_ms    max_ms   queries/s      hits"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("\\s+1\\s+50\\s+[\\d.]+\\s+[\\d.]+\\s+[\\d.]+\\s+\\d+\\s+\\d+")),
                out);
        assertTrue(out.lines().anyMatch(l -> l.matches("\\s+2\\s+50\\s+[\\d.]+\\s+[\\d.]+\\s+[\\d.]+\\s+\\d+\\s+\\d+")),
                out);
        assertTrue(out.contains("baseline: substring scan of all 9,742 titles"), out);
    }

    @Test
    void rejectsOptionValuesOutsideTheirRange() {
        assertEquals("reelrank: error: --threads must each be in 1-64, got 0\n",
                run("bench", "search", "--threads", "0")[2]);
        assertEquals("reelrank: error: --queries must be in 5-1000000, got 1\n",
                run("bench", "search", "--queries", "1")[2]);
        assertEquals("reelrank: error: --mode must be search or candidates, got 'fast'\n",
                run("bench", "search", "--mode", "fast")[2]);
        assertEquals("2", run("bench", "search", "--limit", "1001")[0]);
    }
}
