package io.reelrank.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.http.ApiServer;
import io.reelrank.http.HttpFixture;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load generator behind {@code bench http}: it counts answers and errors right and stops by itself.
 * The counts are checked on counted runs (a fixed number of requests per client), whose work does not
 * depend on how busy the machine is; how many answers fit in a timed period is the benchmark's to say.
 */
@Tag("integration")
class HttpBenchmarkTest {

    private static final List<String> SEARCHES = List.of("/api/search?q=lord&user=10001", "/api/search?q=king");

    @Test
    void aCountedRunMeasuresEveryRequestAfterTheWarmUpOnEachClient() throws Exception {
        HttpBenchmark.Stats st = HttpBenchmark.runCounted(HttpFixture.server().uri(), SEARCHES, 2, 3, 20);
        assertEquals(40, st.requests(), "2 clients × 20 measured requests, the 3 warm-up ones each not counted");
        assertEquals(0, st.errors(), st.firstError());
        assertNull(st.firstError());
        assertTrue(st.seconds() > 0, "the measured part's wall time: " + st.seconds());
        assertTrue(st.p50Ms() > 0 && st.p50Ms() <= st.p99Ms() && st.p99Ms() <= st.maxMs(),
                st.p50Ms() + " " + st.p99Ms() + " " + st.maxMs());
    }

    @Test
    void anErrorAnswerIsCountedAsAnError() throws Exception {
        HttpBenchmark.Stats st = HttpBenchmark.runCounted(HttpFixture.server().uri(),
                List.of("/api/search?q=lord&limit=0"), 1, 0, 3);
        assertEquals(0, st.requests());
        assertEquals(3, st.errors());
        assertTrue(st.firstError().startsWith("HTTP 400 for GET /api/search?q=lord&limit=0"), st.firstError());
    }

    /** The timeout only guards against a run that never ends; how much it does in 0.3 s is not asserted. */
    @Test
    @Timeout(120)
    void aTimedRunStopsByItselfAndReportsItsPeriod() throws Exception {
        ApiServer s = HttpFixture.server();
        HttpBenchmark.Stats st = HttpBenchmark.run(s.uri(), SEARCHES, 2, 0.1, 0.3);
        assertEquals(0.3, st.seconds(), "requests/s are over the period asked for");
        assertEquals(0, st.errors(), st.firstError());
        assertTrue(st.requests() == 0 || (st.p50Ms() > 0 && st.p50Ms() <= st.p99Ms() && st.p99Ms() <= st.maxMs()));
    }

    @Test
    void rejectsOutOfRangeSettings() {
        ApiServer s = HttpFixture.server();
        assertEquals("clients must be in 1-64, got 0", assertThrows(IllegalArgumentException.class,
                () -> HttpBenchmark.run(s.uri(), List.of("/"), 0, 0, 1)).getMessage());
        assertEquals("seconds must be in (0, 3600], got 0.0", assertThrows(IllegalArgumentException.class,
                () -> HttpBenchmark.run(s.uri(), List.of("/"), 1, 0, 0)).getMessage());
        assertEquals("requests must be in 1-1000000, got 0", assertThrows(IllegalArgumentException.class,
                () -> HttpBenchmark.runCounted(s.uri(), List.of("/"), 1, 0, 0)).getMessage());
        assertEquals("warm-up requests must be in 0-1000000, got -1", assertThrows(IllegalArgumentException.class,
                () -> HttpBenchmark.runCounted(s.uri(), List.of("/"), 1, -1, 5)).getMessage());
    }
}
