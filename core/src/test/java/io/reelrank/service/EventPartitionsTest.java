package io.reelrank.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Retention by day partitions on the test database: a partition of a day long past (made as a write
 * landing on that day would make it) is dropped whole, rows and all, by the hourly maintenance, while
 * today's partitions and their rows stay and the days ahead are made. The old day is one no other test
 * writes to; the row written today is deleted at the end.
 */
@Tag("integration")
class EventPartitionsTest {

    static final LocalDate OLD = LocalDate.of(2001, 2, 3);

    @Test
    void aDayOlderThanTheRetentionIsDroppedWholeAndTodayAndTheDaysAheadStay() throws Exception {
        Database db = TestDatabase.sample();
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        EventPartitions.ensure(db, OLD);
        // Today's partition as a write landing today makes it (whether a server ran before this test or not).
        EventPartitions.ensure(db, today);
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO events (event_id, received_at, type) VALUES ('EventPartitionsTest-old', "
                    + "'2001-02-03 12:00:00+00', 'click'), ('EventPartitionsTest-today', '" + today
                    + " 12:00:00+00', 'click')");
        }
        try {
            List<String> before = EventPartitions.partitions(db);
            assertTrue(before.contains("events_p20010203") && before.contains("request_log_p20010204"), before.toString());
            EventPartitions.Maintained m = EventPartitions.maintain(db, 90, today);
            assertTrue(m.dropped().containsAll(List.of("events_p20010203", "events_p20010204", "request_log_p20010203",
                    "request_log_p20010204")), m.toString());
            List<String> after = EventPartitions.partitions(db);
            assertFalse(after.contains("events_p20010203"), after.toString());
            for (int d = -1; d <= EventPartitions.AHEAD; d++) {
                assertTrue(after.contains(EventPartitions.name("events", today.plusDays(d))), after.toString());
                assertTrue(after.contains(EventPartitions.name("request_log", today.plusDays(d))), after.toString());
            }
            try (Connection c = db.connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT event_id FROM events WHERE event_id LIKE 'EventPartitionsTest-%'")) {
                assertTrue(rs.next());
                assertEquals("EventPartitionsTest-today", rs.getString(1));
                assertFalse(rs.next(), "the old day's row went with its partition");
            }
            assertEquals(List.of(), EventPartitions.maintain(db, 90, today).dropped(), "a second pass drops nothing");
        } finally {
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute("DELETE FROM events WHERE event_id LIKE 'EventPartitionsTest-%'");
            }
        }
    }

    @Test
    void aRetentionOutsideItsRangeIsRefusedWithTheRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EventPartitions.checkRetention(0));
        assertEquals("event retention must be in 1-36500 days, got 0", e.getMessage());
    }
}
