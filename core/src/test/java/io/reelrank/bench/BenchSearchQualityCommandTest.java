package io.reelrank.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.reelrank.cli.Run;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code reelrank bench search-quality}'s option checks; its figures come from the whole sample and
 * take minutes, so they are the study's to print (docs/search-quality.md), not a test's.
 */
@Tag("unit")
class BenchSearchQualityCommandTest {

    private static Run run(String... args) {
        return Run.of(List.of("bench", "search-quality"), args);
    }

    @Test
    void rejectsOptionValuesOutsideTheirRange() {
        assertEquals(new Run(2, "", "reelrank: error: --split must be validation or test, got 'train'\n"), run("--split", "train"));
        assertEquals(new Run(2, "", "reelrank: error: --tasks must be a list of typo, exact, descriptive, got 'typos'\n"),
                run("--tasks", "exact,typos"));
        assertEquals(new Run(2, "", "reelrank: error: --share must be in (0,1), got 1.0\n"), run("--share", "1"));
        assertEquals(new Run(2, "", "reelrank: error: --resamples must be in 100-100000, got 10\n"), run("--resamples", "10"));
        assertEquals(new Run(2, "", "reelrank: error: --pi must be in 0-1, got 1.5\n"), run("--pi", "1.5"));
    }
}
