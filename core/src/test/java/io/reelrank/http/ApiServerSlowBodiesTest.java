package io.reelrank.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Request bodies that arrive slowly, stop or end early, over raw sockets against real servers: fifty
 * connections holding half-sent rating bodies leave searches, health and metrics answering; a stalled
 * body is 408 and one cut short 400, in JSON, with the connection closed; too many bodies at once are
 * 503; health and metrics answer while every worker is busy; and every answer, those Jetty gives before
 * routing included, is counted in {@code /metrics}. Nothing here measures time: each test asserts what
 * the server answers, with client timeouts far longer than any answer needs.
 */
@Tag("integration")
class ApiServerSlowBodiesTest {

    static final int SLOW_USER = 39311;
    static final String RATING_HEAD = "POST /api/users/" + SLOW_USER + "/ratings HTTP/1.1\r\nHost: x\r\n"
            + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n";

    @AfterAll
    static void removeTheUsersTheTestsCreated() throws Exception {
        HttpFixture.deleteUsers(SLOW_USER);
    }

    /** Opens a connection that sends a rating POST's headers and the first byte of its body, then nothing. */
    static Socket trickle(ApiServer s) throws Exception {
        Socket sock = new Socket("127.0.0.1", s.port());
        sock.getOutputStream().write((RATING_HEAD + "{").getBytes(StandardCharsets.US_ASCII));
        sock.getOutputStream().flush();
        return sock;
    }

    /** Reads what the server sends until it closes the connection. */
    static String readToClose(Socket sock) throws Exception {
        sock.setSoTimeout(60_000); // a server that never answers fails here instead of hanging
        InputStream in = sock.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    static JsonNode body(String response) throws Exception {
        return ApiServerLimitsTest.body(response);
    }

    @Test
    void fiftyConnectionsTricklingBodiesLeaveSearchesHealthAndMetricsAnswering() throws Exception {
        ApiServer s = HttpFixture.server();
        assertTrue(s.options().threads() < 50, "more slow bodies than workers");
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) slow.add(trickle(s));
            for (int round = 0; round < 3; round++) {
                HttpResponse<String> search = HttpFixture.get("/api/search?q=matrix");
                assertEquals(200, search.statusCode(), search.body());
                HttpResponse<String> personal = HttpFixture.get("/api/search?q=lord&user=10001");
                assertEquals(200, personal.statusCode(), personal.body());
                HttpResponse<String> health = HttpFixture.get("/api/health");
                assertEquals(200, health.statusCode(), health.body());
                assertEquals(200, HttpFixture.get("/metrics").statusCode());
            }
            for (Socket sock : slow) assertFalse(sock.isClosed());
        } finally {
            for (Socket sock : slow) sock.close();
        }
        assertEquals(404, HttpFixture.get("/api/users/" + SLOW_USER).statusCode(), "no half-sent rating is stored");
    }

    @Test
    void aBodyThatStallsIsAnswered408InJsonAndTheConnectionClosed() throws Exception {
        try (ApiServer s = ApiServer.start(ApiServer.Options.loopback().withLimits(
                ApiServer.Limits.DEFAULT.withBodies(300, 16)), HttpFixture.db(), HttpFixture.search());
             Socket sock = trickle(s)) {
            String r = readToClose(sock);
            assertEquals(408, ApiServerLimitsTest.status(r), r);
            assertTrue(r.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), r);
            JsonNode b = body(r);
            assertEquals("request timeout", b.get("error").asText(), r);
            assertTrue(b.get("detail").asText().contains("within 300 ms"), r);
            assertEquals(1, counted(s, "unrouted", "408"), "the 408 is counted");
        }
        assertEquals(404, HttpFixture.get("/api/users/" + SLOW_USER).statusCode(), "nothing is stored");
    }

    @Test
    void aBodyThatEndsBeforeItsLengthIsAnswered400NotA500() throws Exception {
        try (ApiServer s = ApiServer.start(ApiServer.Options.loopback(), HttpFixture.db(), HttpFixture.search());
             Socket sock = trickle(s)) {
            sock.shutdownOutput(); // the client's side ends after one byte of the thousand announced
            String r = readToClose(sock);
            if (!r.isEmpty()) { // Jetty may close at once, as the client has gone; if it answers, it is 400
                assertEquals(400, ApiServerLimitsTest.status(r), r);
                assertTrue(body(r).get("detail").asText().contains("ended early"), r);
            }
            assertEquals(1, counted(s, "unrouted", "400"), "the refusal is counted, answered or not");
        }
    }

    @Test
    void moreBodiesAtOnceThanTheBoundAre503WithRetryAfter() throws Exception {
        try (ApiServer s = ApiServer.start(ApiServer.Options.loopback().withLimits(
                ApiServer.Limits.DEFAULT.withBodies(60_000, 2)), HttpFixture.db(), HttpFixture.search());
             Socket a = trickle(s);
             Socket b = trickle(s);
             Socket c = new Socket("127.0.0.1", s.port())) {
            // Once the server reads both bodies, a third is one too many; a search still answers.
            for (int i = 0; i < 600 && pendingBodies(s) < 2; i++) Thread.sleep(100);
            assertEquals(2, pendingBodies(s));
            assertEquals(200, HttpFixture.get(s, "/api/search?q=matrix").statusCode());
            c.getOutputStream().write((RATING_HEAD + "{").getBytes(StandardCharsets.US_ASCII));
            String r = readToClose(c);
            assertEquals(503, ApiServerLimitsTest.status(r), r);
            assertTrue(r.contains("Retry-After: 1"), r);
            assertTrue(body(r).get("detail").asText().contains("too many request bodies"), r);
        }
    }

    @Test
    void healthAndMetricsAnswerWhileEveryWorkerIsBusyAndTheQueueIsFull() throws Exception {
        try (ApiServer s = ApiServer.start(ApiServer.Options.loopback().withWorkers(1, 0, 30_000), HttpFixture.db(),
                HttpFixture.search());
             Connection hold = HttpFixture.db().connect();
             Statement st = hold.createStatement()) {
            hold.setAutoCommit(false);
            st.execute("LOCK TABLE movies IN ACCESS EXCLUSIVE MODE"); // a movie's page waits in the database
            var busy = ApiServerLimitsTest.CLIENT.sendAsync(java.net.http.HttpRequest.newBuilder(
                            s.uri().resolve("/api/movies/1")).timeout(java.time.Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            ApiServerLimitsTest.waitForLockWaiter(hold);
            HttpResponse<String> refused = HttpFixture.get(s, "/api/search?q=king");
            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals("overloaded", ApiServerLimitsTest.JSON.readTree(refused.body()).get("error").asText());
            HttpResponse<String> health = HttpFixture.get(s, "/api/health");
            assertEquals(200, health.statusCode(), health.body());
            HttpResponse<String> metrics = HttpFixture.get(s, "/metrics");
            assertEquals(200, metrics.statusCode());
            assertEquals(1, sum(PrometheusText.parse(metrics.body()), "unrouted", "503"),
                    "the 503 overloaded is counted: " + metrics.body());
            hold.rollback();
            assertEquals(200, busy.get(60, java.util.concurrent.TimeUnit.SECONDS).statusCode());
        }
        HttpFixture.deleteUsers(SLOW_USER);
    }

    @Test
    void jettysOwnRefusalsAreEachCountedOnce() throws Exception {
        try (ApiServer s = ApiServer.start(ApiServer.Options.loopback(), HttpFixture.db(), HttpFixture.search())) {
            String big = ApiServerLimitsTest.raw(s, "GET /api/search?q=lord HTTP/1.1\r\nHost: x\r\nX-Big: "
                    + "b".repeat(ApiServer.MAX_HEADER_BYTES + 100) + "\r\nConnection: close\r\n\r\n");
            assertEquals(431, ApiServerLimitsTest.status(big), big);
            assertEquals(1, counted(s, "unrouted", "431"));
            String bad = ApiServerLimitsTest.raw(s, "BLAH\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertEquals(400, ApiServerLimitsTest.status(bad), bad);
            assertEquals(1, counted(s, "unrouted", "400"));
            String foo = ApiServerLimitsTest.raw(s, "FOO /api/search?q=lord HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertEquals(501, ApiServerLimitsTest.status(foo), foo);
            assertEquals(1, counted(s, "unrouted", "501"));
            // Counted once: a second scrape after nothing else happened shows the same figures.
            PrometheusText again = PrometheusText.parse(HttpFixture.get(s, "/metrics").body());
            assertEquals(1, sum(again, "unrouted", "431"));
            assertEquals(1, sum(again, "unrouted", "400"));
        }
    }

    /**
     * Scrapes {@code s} until requests with this route and status have been counted (an answer Jetty gives
     * itself is counted as it completes, which may be just after the client has read it), then returns the
     * count; gives up after a minute with the count seen.
     */
    static double counted(ApiServer s, String route, String status) throws Exception {
        double n = 0;
        for (int i = 0; i < 600 && n == 0; i++) {
            n = sum(PrometheusText.parse(HttpFixture.get(s, "/metrics").body()), route, status);
            if (n == 0) Thread.sleep(100);
        }
        return n;
    }

    static double pendingBodies(ApiServer s) throws Exception {
        return PrometheusText.parse(HttpFixture.get(s, "/metrics").body()).value("reelrank_http_bodies_pending",
                java.util.Map.of());
    }

    static double sum(PrometheusText p, String route, String status) {
        return p.samples().stream()
                .filter(x -> x.name().equals("reelrank_http_requests_total")
                        && Objects.equals(x.labels().get("route"), route)
                        && Objects.equals(x.labels().get("status"), status))
                .mapToDouble(PrometheusText.Sample::value).sum();
    }
}
