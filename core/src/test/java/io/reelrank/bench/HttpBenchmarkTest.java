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

/** The load generator behind {@code bench http}: it counts answers and errors right and stops by itself. */
@Tag("integration")
class HttpBenchmarkTest {

    /** The timeout only guards against a run that never ends; how fast it runs is the benchmark's to say. */
    @Test
    @Timeout(120)
    void countsEveryAnswerAndStopsAtItsDeadline() throws Exception {
        ApiServer s = HttpFixture.server();
        HttpBenchmark.Stats st = HttpBenchmark.run(s.uri(), List.of("/api/search?q=lord&user=10001",
                "/api/search?q=king"), 2, 0.2, 1.0);
        assertEquals(1.0, st.seconds(), 0.5, "the measured window is the 1 s asked for, by the benchmark's own clock");
        assertTrue(st.requests() > 0);
        assertEquals(0, st.errors(), st.firstError());
        assertNull(st.firstError());
        assertTrue(st.p50Ms() > 0 && st.p50Ms() <= st.p99Ms() && st.p99Ms() <= st.maxMs());
    }

    @Test
    void anErrorAnswerIsCountedAsAnError() throws Exception {
        HttpBenchmark.Stats st = HttpBenchmark.run(HttpFixture.server().uri(), List.of("/api/search?q=lord&limit=0"), 1,
                0, 0.3);
        assertEquals(0, st.requests());
        assertTrue(st.errors() > 0);
        assertTrue(st.firstError().startsWith("HTTP 400 for GET /api/search?q=lord&limit=0"), st.firstError());
    }

    @Test
    void rejectsOutOfRangeSettings() {
        assertEquals("clients must be in 1-64, got 0", assertThrows(IllegalArgumentException.class,
                () -> HttpBenchmark.run(HttpFixture.server().uri(), List.of("/"), 0, 0, 1)).getMessage());
    }
}
