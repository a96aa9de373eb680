package io.reelrank.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The per-client token bucket on a clock the test moves: what it takes, refuses, refills and forgets. */
@Tag("unit")
class ClientLimitsTest {

    final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void aBucketPaysUntilEmptyThenTellsWhenItCouldPayAgain() {
        ClientLimits l = new ClientLimits(10, 100, now::get);
        assertEquals(0, l.take("a", 60));
        assertEquals(0, l.take("a", 40));
        assertEquals(1, l.take("a", 5), "5 units at 10/s: within a second");
        assertEquals(3, l.take("a", 30), "30 units at 10/s: 3 s");
        now.addAndGet(3_000_000_000L);
        assertEquals(0, l.take("a", 30));
    }

    @Test
    void clientsHaveSharesOfTheirOwn() {
        ClientLimits l = new ClientLimits(10, 100, now::get);
        assertEquals(0, l.take("a", 100));
        assertTrue(l.take("a", 1) > 0);
        assertEquals(0, l.take("b", 100));
    }

    @Test
    void aRequestDearerThanTheWholeBucketRunsOnAFullBucketAndLeavesADebt() {
        ClientLimits l = new ClientLimits(10, 100, now::get);
        assertEquals(0, l.take("a", 250));
        assertEquals(16, l.take("a", 10), "150 units of debt and 10 more at 10/s");
        now.addAndGet(25_000_000_000L);
        assertEquals(0, l.take("a", 250), "full again after 25 s");
    }

    @Test
    void aZeroRateTurnsTheLimitOff() {
        ClientLimits l = new ClientLimits(0, 1, now::get);
        for (int i = 0; i < 1000; i++) assertEquals(0, l.take("a", 1_000_000));
    }

    @Test
    void aClientIsItsKnownKeyOrItsAddress() {
        assertEquals("addr:127.0.0.1", ClientLimits.client(null, "127.0.0.1"));
        assertEquals("key:3f9a1c2b7d4e", ClientLimits.client("3f9a1c2b7d4e", "127.0.0.1"));
        assertEquals(ClientLimits.client("3f9a1c2b7d4e", "10.0.0.9"), ClientLimits.client("3f9a1c2b7d4e", "127.0.0.1"),
                "the same key from anywhere");
    }

    @Test
    void aSearchCostsItsClausesItsMultiTermClausesAndItsCandidates() {
        assertEquals(2, ClientLimits.searchCost(2, 0, 100, false));
        assertEquals(3, ClientLimits.searchCost(2, 0, 100, true));
        assertEquals(2 + 2 * ClientLimits.MULTI_TERM_COST + 10, ClientLimits.searchCost(2, 2, 1000, true));
    }
}
