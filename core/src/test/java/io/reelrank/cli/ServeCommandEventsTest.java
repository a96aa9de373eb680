package io.reelrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Durability of posted events, as an operator would see it: a {@code reelrank serve} process (a child
 * JVM, {@link ServeProcess}) takes batches of impressions and clicks from four clients at once and is
 * killed with SIGKILL while they post (once at least {@link #ANSWERED_BEFORE_KILL} batches were answered,
 * a count, not a time); every event it answered 200 must be in the table afterwards. The events and the
 * request log row are deleted at the end.
 */
@Tag("integration")
class ServeCommandEventsTest {

    static final Path INDEX = Path.of("target", "test-index", "events-kill").toAbsolutePath();
    static final int CLIENTS = 4;
    static final int BATCH = 50;
    static final int ANSWERED_BEFORE_KILL = 40;

    static Database db;
    static ServeProcess server;
    static String requestId;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.personalized();
        ServeCommandScaleOutTest.deleteTree(INDEX);
        server = ServeProcess.start("events", ServeProcess.home(db, "events"), INDEX, ServeCommandScaleOutTest.START);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DELETE FROM events WHERE event_id LIKE 'ServeCommandEventsTest-%'");
            if (requestId != null) st.execute("DELETE FROM request_log WHERE request_id = '" + requestId + "'");
        }
    }

    @Test
    void noEventAnsweredBeforeAKillIsLost() throws Exception {
        JsonNode answer = server.getJson("/api/search?q=lord&limit=10", Duration.ofSeconds(120));
        requestId = answer.get("request_id").asText();
        JsonNode results = answer.get("results");
        StringBuilder shown = new StringBuilder();
        StringBuilder positions = new StringBuilder();
        for (int i = 0; i < results.size(); i++) {
            shown.append(i == 0 ? "" : ", ").append(results.get(i).get("movie_id").asInt());
            positions.append(i == 0 ? "" : ", ").append(i + 1);
        }
        int clicked = results.get(1).get("movie_id").asInt();
        Set<String> answered = ConcurrentHashMap.newKeySet();
        AtomicInteger batches = new AtomicInteger();
        AtomicInteger unanswered = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < CLIENTS; t++) {
            int client = t;
            Thread th = new Thread(() -> {
                for (int seq = 0; ; seq++) {
                    List<String> ids = new ArrayList<>(BATCH);
                    StringBuilder body = new StringBuilder("{\"events\": [");
                    for (int k = 0; k < BATCH; k++) {
                        String id = "ServeCommandEventsTest-" + client + "-" + seq + "-" + k;
                        ids.add(id);
                        body.append(k == 0 ? "" : ", ").append("{\"id\": \"").append(id).append("\", \"request_id\": \"")
                                .append(requestId).append(k % 2 == 0
                                        ? "\", \"type\": \"impression\", \"movie_ids\": [" + shown
                                                + "], \"positions\": [" + positions + "]}"
                                        : "\", \"type\": \"click\", \"movie_id\": " + clicked + ", \"position\": 2}");
                    }
                    body.append("]}");
                    try {
                        HttpResponse<String> r = server.post("/api/events", body.toString());
                        if (r.statusCode() != 200) throw new AssertionError(r.statusCode() + " " + r.body());
                        answered.addAll(ids);
                        batches.incrementAndGet();
                    } catch (java.io.IOException | InterruptedException e) {
                        unanswered.incrementAndGet(); // the server is gone: this batch was never answered
                        return;
                    }
                }
            }, "events-client-" + t);
            th.setDaemon(true);
            clients.add(th);
            th.start();
        }
        while (batches.get() < ANSWERED_BEFORE_KILL) {
            assertTrue(clients.stream().anyMatch(Thread::isAlive), "every client stopped:\n" + server.log());
            Thread.sleep(2);
        }
        server.kill();
        for (Thread th : clients) th.join(60_000);
        List<String> ids = new ArrayList<>(answered);
        long found;
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM events WHERE event_id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                found = rs.getLong(1);
            }
        }
        System.out.printf(Locale.ROOT, "kill -9 under events: %d events answered 200 before the kill, %d found after; "
                + "%d batches in flight were never answered%n", ids.size(), found, unanswered.get());
        assertTrue(ids.size() >= ANSWERED_BEFORE_KILL * BATCH, "answered: " + ids.size());
        assertEquals(ids.size(), found, "every event answered 200 is stored");
    }
}
