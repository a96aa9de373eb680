package io.reelrank.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The load generator behind {@code bench http}: it counts answers and errors right and stops by itself. */
@Tag("integration")
class HttpBenchmarkTest {

    @Test
    void countsEveryAnswerAndStopsAtItsDeadline() throws Exception {
        ApiServer s = HttpFixture.server();
        long start = System.nanoTime();
        HttpBenchmark.Stats st = HttpBenchmark.run(s.uri(), List.of("/api/search?q=lord&user=10001", "/api/search?q=king"),
                2, 0.2, 1.0);
        double took = (System.nanoTime() - start) / 1e9;
        assertTrue(took < 5, "it must stop by itself after 1.2 s, took " + took);
        assertTrue(st.requests() > 0);
        assertEquals(0, st.errors(), st.firstError());
        assertNull(st.firstError());
        assertTrue(st.p50Ms() > 0 && st.p50Ms() <= st.p99Ms() && st.p99Ms() <= st.maxMs());
    }

    @Test
    void anErrorAnswerIsCountedAsAnError() throws Exception {
        HttpBenchmark.Stats st = HttpBenchmark.run(HttpFixture.server().uri(), List.of("/api/search?q=lord&limit=0"), 1, 0, 0.3);
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
