package io.reelrank.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class ElapsedTest {

    @Test
    void countsTheSecondsBetweenTheReadingAndTheCall() {
        long start = System.nanoTime() - 2_500_000_000L;
        long before = System.nanoTime();
        double seconds = Elapsed.seconds(start);
        long after = System.nanoTime();
        assertTrue(seconds >= (before - start) / 1e9, seconds + " s, at least " + (before - start) / 1e9);
        assertTrue(seconds <= (after - start) / 1e9, seconds + " s, at most " + (after - start) / 1e9);
        assertTrue(seconds >= 2.5, seconds + " s");
    }
}
