package io.reelrank.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The request id's form (its first 8 hex digits are the second it was served in) and an entry's checks. */
@Tag("unit")
class RequestLogTest {

    @Test
    void aRequestIdIs32HexDigitsStartingWithTheSecondItWasServedIn() {
        long millis = 1_765_000_123_456L;
        String a = RequestLog.newRequestId(millis);
        String b = RequestLog.newRequestId(millis);
        assertTrue(RequestLog.wellFormed(a), a);
        assertEquals(1_765_000_123L, Long.parseLong(a.substring(0, 8), 16));
        assertNotEquals(a, b, "96 random bits each");
        assertFalse(RequestLog.wellFormed(a.toUpperCase(java.util.Locale.ROOT)));
        assertFalse(RequestLog.wellFormed(a.substring(1)));
        assertFalse(RequestLog.wellFormed(null));
    }

    @Test
    void seededRequestIdsReplayTheirRandomPartAndSecureOnesComeBack() {
        try {
            RequestLog.seedRequestIds(5);
            String a1 = RequestLog.newRequestId(1_000);
            String a2 = RequestLog.newRequestId(2_000);
            RequestLog.seedRequestIds(5);
            assertEquals(a1, RequestLog.newRequestId(1_000));
            String b2 = RequestLog.newRequestId(2_000);
            assertEquals(a2.substring(8), b2.substring(8), "the same random part, the second apart");
            assertNotEquals(a1.substring(8), a2.substring(8));
            RequestLog.seedRequestIds(6);
            assertNotEquals(a1, RequestLog.newRequestId(1_000), "another seed, another sequence");
        } finally {
            RequestLog.secureRequestIds();
        }
        RequestLog.seedRequestIds(5);
        String seeded = RequestLog.newRequestId(1_000);
        RequestLog.secureRequestIds();
        assertNotEquals(seeded, RequestLog.newRequestId(1_000), "secure again after secureRequestIds");
    }

    @Test
    void anEntryHoldsOneRowOfFeaturesPerShownMovie() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RequestLog.Entry(
                RequestLog.newRequestId(0), 0, null, "search", "lord", "weighted", null, null, null, null,
                new int[] {1, 2}, new String[] {"bm25", "score"}, new float[3]));
        assertEquals("features must hold 2 values per shown movie (2), got 3", e.getMessage());
        RequestLog.Entry plain = new RequestLog.Entry(RequestLog.newRequestId(0), 0, null, "search", "lord", "weighted", null,
                null, null, null, new int[] {1, 2}, null, null);
        assertThrows(IllegalArgumentException.class, () -> plain.withExperiment(1, new short[] {0}));
        assertEquals(2, plain.withExperiment(1, new short[] {0, 1}).arms().length);
    }
}
