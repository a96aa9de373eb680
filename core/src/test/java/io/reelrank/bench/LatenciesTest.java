package io.reelrank.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class LatenciesTest {

    @Test
    void percentilesAreNearestRankWithinATenthOfAPercent() {
        // 1..1000 µs: nearest rank ceil(p·n) gives 500 µs at p50, 990 at p99, 1000 at p100.
        long[] nanos = new long[1000];
        for (int i = 0; i < nanos.length; i++) nanos[nanos.length - 1 - i] = (i + 1) * 1_000L;
        Latencies l = Latencies.of(nanos);
        assertEquals(1000, l.count());
        assertEquals(500, l.us(0.5), 0.5);
        assertEquals(990, l.us(0.99), 0.99);
        assertEquals(1000, l.us(1.0), 1.0);
        assertEquals(1.0, l.maxMs(), 0.001);
        assertEquals(0.5, l.ms(0.5), 0.0005);
    }

    @Test
    void onlyTheFirstNSamplesCount() {
        Latencies l = Latencies.of(new long[] {2_000_000, 4_000_000, 999_000_000}, 2);
        assertEquals(2, l.count());
        assertEquals(2.0, l.ms(0.5), 0.002);
        assertEquals(4.0, l.maxMs(), 0.004);
    }

    @Test
    void noSamplesGiveZero() {
        Latencies l = new Latencies();
        assertEquals(0, l.ms(0.99));
        assertEquals(0, l.maxMs());
    }

    @Test
    void rejectsAPercentileOutsideZeroToOne() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Latencies().ms(99));
        assertEquals("percentile must be in 0-1, got 99.0", e.getMessage());
    }
}
