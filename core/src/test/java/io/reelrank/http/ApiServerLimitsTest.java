package io.reelrank.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a hostile or careless client can send the server, over raw sockets where the JDK client would
 * not let us: half-sent requests (more of them than workers) beside normal ones, malformed request
 * lines and URLs, oversized URIs, headers and bodies, POST bodies that are not strict JSON, a full
 * worker pool and queue, queries that would expand without bound, and a graceful stop.
 */
@Tag("integration")
class ApiServerLimitsTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final int BODY_USER = 39301;
    static final int QUEUE_USER = 39302;
    static final int CHARSET_USER = 39303;
    /** Three users: 39341-39343. */
    static final int HELD_USER = 39341;
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @AfterAll
    static void removeTheUsersTheTestsCreated() throws Exception {
        HttpFixture.deleteUsers(BODY_USER, QUEUE_USER, CHARSET_USER);
    }

    /** Sends raw bytes on a fresh connection and reads the whole answer (the server closes or answers once). */
    static String raw(ApiServer s, String request) throws Exception {
        try (Socket sock = new Socket("127.0.0.1", s.port())) {
            sock.setSoTimeout(20_000); // detects a hang; the answer comes at once
            OutputStream out = sock.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = sock.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            // Read the head, then exactly Content-Length bytes: keep-alive connections stay open.
            while (true) {
                int n = in.read(buf);
                if (n < 0) break;
                got.write(buf, 0, n);
                String text = got.toString(StandardCharsets.UTF_8);
                int head = text.indexOf("\r\n\r\n");
                if (head >= 0) {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(text.substring(0, head));
                    if (m.find() && got.size() >= head + 4 + Integer.parseInt(m.group(1))) break;
                }
            }
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }

    static JsonNode body(String response) throws Exception {
        return JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
    }

    @Test
    void halfSentRequestsBeyondTheWorkerCountDoNotStopNormalRequests() throws Exception {
        ApiServer s = HttpFixture.server();
        int workers = s.options().threads();
        List<Socket> stuck = new ArrayList<>();
        try {
            for (int i = 0; i < workers * 2 + 4; i++) {
                Socket sock = new Socket("127.0.0.1", s.port());
                // No blank line: the request never ends.
                sock.getOutputStream().write("GET /api/search?q=lord HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                sock.getOutputStream().flush();
                stuck.add(sock);
            }
            for (int i = 0; i < workers * 2; i++) {
                HttpResponse<String> r = HttpFixture.get("/api/search?q=king&limit=3");
                assertEquals(200, r.statusCode(), r.body());
            }
            HttpResponse<String> personal = HttpFixture.get("/api/search?q=lord&user=10001");
            assertEquals(200, personal.statusCode(), personal.body());
        } finally {
            for (Socket sock : stuck) sock.close();
        }
    }

    @Test
    void aConnectionThatStaysSilentIsClosedAfterTheIdleTimeout() throws Exception {
        try (ApiServer s = ApiServer.start(ApiServer.Options.loopback().withTimeouts(300, 1_000), HttpFixture.db(),
                HttpFixture.search());
             Socket sock = new Socket("127.0.0.1", s.port())) {
            sock.setSoTimeout(20_000); // a server that never closes fails here instead of hanging
            sock.getOutputStream().write("GET /api/search?q=lord HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            sock.getOutputStream().flush();
            InputStream in = sock.getInputStream();
            byte[] rest = in.readAllBytes(); // returns when the server closes the connection
            String answer = new String(rest, StandardCharsets.UTF_8);
            assertTrue(answer.isEmpty() || !answer.contains("<html"), "no HTML error page: " + answer);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "GET /api/search?q=%zz HTTP/1.1                     | 400 | malformed percent-encoding",
        "GET /api/movies/%zz HTTP/1.1                        | 400 | ",
        "GET /api/search?q=lord HTTP/9.9                     | 505 | Version",
        "BLAH                                                | 400 | ",
        "GET /api/search?q=lord&q=%F0%28 HTTP/1.1            | 400 | ",
    })
    void aMalformedRequestIsAnsweredWithJsonNotAnHtmlPage(String requestLine, String status, String detail) throws Exception {
        String r = raw(HttpFixture.server(), requestLine + "\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertTrue(status == null || String.valueOf(status(r)).startsWith(status), r);
        assertFalse(r.toLowerCase(Locale.ROOT).contains("<html"), r);
        if (status(r) != 200) {
            JsonNode b = body(r);
            assertTrue(b.get("error").isTextual() && b.get("detail").isTextual(), r);
            assertFalse(b.get("detail").asText().matches("(?s).*(Exception|org\\.eclipse|java\\.).*"), r);
            if (detail != null) assertTrue(b.get("detail").asText().contains(detail), r);
        }
    }

    @Test
    void anOverlongUriIs414AndOverlongHeadersAre431InJson() throws Exception {
        String longQuery = "a".repeat(ApiServer.MAX_HEADER_BYTES + 100);
        String r = raw(HttpFixture.server(), "GET /api/search?q=" + longQuery + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(414, status(r), r);
        assertEquals("uri too long", body(r).get("error").asText());
        String h = raw(HttpFixture.server(), "GET /api/search?q=lord HTTP/1.1\r\nHost: x\r\nX-Big: "
                + "b".repeat(ApiServer.MAX_HEADER_BYTES + 100) + "\r\nConnection: close\r\n\r\n");
        assertEquals(431, status(h), h);
        assertTrue(body(h).get("detail").asText().contains(ApiServer.MAX_HEADER_BYTES + " bytes"), h);
    }

    @Test
    void aBodyOverSixtyFourKibibytesIs413() throws Exception {
        String big = "{\"movie_id\": 1, \"rating\": 4, \"pad\": \"" + "x".repeat(ApiServer.MAX_BODY_BYTES) + "\"}";
        HttpResponse<String> r = HttpFixture.post(HttpFixture.server(), "/api/users/" + BODY_USER + "/ratings", big, null);
        assertEquals(413, r.statusCode(), r.body());
        assertTrue(JSON.readTree(r.body()).get("detail").asText().contains("at most 65536 bytes"), r.body());
    }

    @Test
    void aBodyStreamedPastSixtyFourKibibytesWithoutALengthIs413() throws Exception {
        String json = "{\"movie_id\": 1, \"rating\": 4, \"pad\": \"" + "x".repeat(ApiServer.MAX_BODY_BYTES) + "\"}";
        StringBuilder chunked = new StringBuilder();
        for (int i = 0; i < json.length(); i += 8192) {
            String part = json.substring(i, Math.min(json.length(), i + 8192));
            chunked.append(Integer.toHexString(part.length())).append("\r\n").append(part).append("\r\n");
        }
        String r = raw(HttpFixture.server(), "POST /api/users/" + BODY_USER + "/ratings HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + chunked + "0\r\n\r\n");
        assertEquals(413, status(r), r);
        assertTrue(body(r).get("detail").asText().contains("at most 65536 bytes"), r);
        assertEquals(404, HttpFixture.get("/api/users/" + BODY_USER).statusCode(), "a refused body writes nothing");
    }

    static HttpResponse<String> post(String contentType, String body) throws Exception {
        return post(BODY_USER, contentType, body);
    }

    static HttpResponse<String> post(int user, String contentType, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(HttpFixture.uri("/api/users/" + user + "/ratings"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) b.header("Content-Type", contentType);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "text/plain                        | {\"movie_id\": 1, \"rating\": 4}              | 415 | got 'text/plain'",
        "application/x-www-form-urlencoded | movie_id=1&rating=4                          | 415 | got 'application/x-www-form-urlencoded'",
        "                                  | {\"movie_id\": 1, \"rating\": 4}              | 415 | got no Content-Type",
        "application/json; charset=latin1  | {\"movie_id\": 1, \"rating\": 4}              | 415 | charset 'latin1'",
        "application/json                  | {\"movie_id\": 1, \"rating\": 4} junk         | 400 | request body must be JSON",
        "application/json                  | {\"movie_id\": 1, \"rating\": 4}{}            | 400 | request body must be JSON",
        "application/json                  | {\"movie_id\": 1, \"rating\": 4, \"rating\": 5} | 400 | field 'rating' appears twice",
        "application/json                  |                                              | 400 | request body must be JSON",
    })
    void writesTakeOnlyStrictJson(String type, String body, int status, String detail) throws Exception {
        HttpResponse<String> r = post(type, body == null ? "" : body);
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(JSON.readTree(r.body()).get("detail").asText().contains(detail), r.body());
        assertEquals(404, HttpFixture.get("/api/users/" + BODY_USER).statusCode(), "a refused body writes nothing");
    }

    @Test
    void strictJsonWithACharsetIsAccepted() throws Exception {
        HttpResponse<String> r = post(CHARSET_USER, "application/json; charset=UTF-8", "{\"movie_id\": 1, \"rating\": 4}");
        assertEquals(200, r.statusCode(), r.body());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "title:/[ac]*a[ac]{20}/",
        "title:/(a|aa)*b{1,50}c{1,50}d{1,50}/",
    })
    void aQueryThatWouldExpandWithoutBoundIsA400(String q) throws Exception {
        HttpResponse<String> r = HttpFixture.get("/api/search?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8));
        assertEquals(400, r.statusCode(), r.body());
        assertFalse(r.body().matches("(?s).*(Exception|org\\.apache|java\\.).*"), r.body());
    }

    @Test
    void aThousandFuzzyTermsAreA400WithoutAClassName() throws Exception {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i < 1000; i++) q.append(Integer.toString(i + 1296, 36)).append("~2 ");
        HttpResponse<String> r = HttpFixture.get("/api/search?q=" + URLEncoder.encode(q.toString().trim(), StandardCharsets.UTF_8));
        assertEquals(400, r.statusCode(), r.body());
        assertFalse(r.body().matches("(?s).*(Exception|TooManyClauses|org\\.apache|java\\.).*"), r.body());
    }

    @Test
    void whenEveryWorkerIsBusyAndTheQueueIsFullTheServerAnswers503WithRetryAfter() throws Exception {
        // One worker, one queue place. A lock held on the movies table keeps a movie's page busy in the
        // database, so the worker stays taken meanwhile.
        try (ApiServer s = ApiServer.start(ApiServer.Options.loopback().withWorkers(1, 1, 30_000), HttpFixture.db(),
                HttpFixture.search());
             Connection hold = HttpFixture.db().connect();
             Statement st = hold.createStatement()) {
            hold.setAutoCommit(false);
            st.execute("LOCK TABLE movies IN ACCESS EXCLUSIVE MODE");
            CompletableFuture<HttpResponse<String>> busy = CLIENT.sendAsync(HttpRequest.newBuilder(
                            s.uri().resolve("/api/movies/1")).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            waitForLockWaiter(hold);
            // The worker is taken: the next request waits in the queue, the one after is refused.
            CompletableFuture<HttpResponse<String>> queued = CLIENT.sendAsync(HttpRequest.newBuilder(
                    s.uri().resolve("/api/search?q=lord")).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            for (int i = 0; i < 1_000 && s.waitingRequests() == 0; i++) Thread.sleep(10);
            assertEquals(1, s.waitingRequests(), "the second request waits in the queue");
            HttpResponse<String> refused = HttpFixture.get(s, "/api/search?q=king");
            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""));
            JsonNode b = JSON.readTree(refused.body());
            assertEquals("overloaded", b.get("error").asText());
            assertTrue(b.get("detail").asText().contains("all 1 workers are busy"), refused.body());
            hold.rollback(); // the movie's page is answered, then the queued search
            assertEquals(200, busy.get(60, TimeUnit.SECONDS).statusCode());
            assertEquals(200, queued.get(60, TimeUnit.SECONDS).statusCode());
        }
    }

    /**
     * A rating waits for its transaction without a worker: with one worker and no queue, three ratings held
     * up in the database (a lock on the users table, as a reload would take) leave a search answering at
     * once; released, every rating is answered 200 and stored.
     */
    @Test
    void ratingsWaitingForTheirTransactionHoldNoWorker() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> posts = new java.util.ArrayList<>();
        try (ApiServer s = ApiServer.start(ApiServer.Options.loopback().withWorkers(1, 0, 30_000), HttpFixture.db(),
                HttpFixture.search());
             Connection hold = HttpFixture.db().connect();
             Statement st = hold.createStatement()) {
            hold.setAutoCommit(false);
            st.execute("LOCK TABLE users IN EXCLUSIVE MODE");
            for (int i = 0; i < 3; i++) {
                posts.add(CLIENT.sendAsync(HttpRequest.newBuilder(s.uri().resolve("/api/users/" + (HELD_USER + i)
                                + "/ratings")).timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"movie_id\": 1, \"rating\": 4}")).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            waitForLockWaiter(hold);
            HttpResponse<String> search = HttpFixture.get(s, "/api/search?q=king");
            assertEquals(200, search.statusCode(), "a search while three ratings wait: " + search.body());
            for (CompletableFuture<HttpResponse<String>> p : posts) assertFalse(p.isDone(), "a rating answered early");
            hold.rollback();
            for (CompletableFuture<HttpResponse<String>> p : posts) {
                HttpResponse<String> r = p.get(60, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.body());
                assertEquals(1, JSON.readTree(r.body()).get("movie_id").asInt(), r.body());
            }
            for (int i = 0; i < 3; i++) {
                try (Connection c = HttpFixture.db().connect(); Statement q = c.createStatement();
                     ResultSet rs = q.executeQuery("SELECT count(*) FROM ratings WHERE user_id = " + (HELD_USER + i)
                             + " AND movie_id = 1 AND rating = 4")) {
                    rs.next();
                    assertEquals(1, rs.getInt(1), "user " + (HELD_USER + i));
                }
            }
        } finally {
            HttpFixture.deleteUsers(HELD_USER, HELD_USER + 1, HELD_USER + 2);
        }
    }

    /** Returns once some backend waits for a lock held by {@code holder} (the POST reached the database). */
    static void waitForLockWaiter(Connection holder) throws Exception {
        for (int i = 0; i < 1_000; i++) {
            try (Statement st = HttpFixture.db().connect().createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                         + "AND pid <> pg_backend_pid()")) {
                rs.next();
                if (rs.getInt(1) > 0) {
                    st.getConnection().close();
                    return;
                }
                st.getConnection().close();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the request never reached the database lock");
    }

    @Test
    void aRatingThatWaitsLongerThanTheLockTimeoutIs503BusyNot500() throws Exception {
        try (Connection hold = HttpFixture.db().connect(); Statement st = hold.createStatement()) {
            hold.setAutoCommit(false);
            st.execute("LOCK TABLE ratings IN ACCESS EXCLUSIVE MODE"); // as a reload holds it
            HttpResponse<String> r = HttpFixture.post(HttpFixture.server(), "/api/users/" + QUEUE_USER + "/ratings",
                    "{\"movie_id\": 1, \"rating\": 4}", null);
            hold.rollback();
            assertEquals(503, r.statusCode(), r.body());
            assertEquals("busy", JSON.readTree(r.body()).get("error").asText());
            assertTrue(JSON.readTree(r.body()).get("detail").asText().contains("a reload or another batch job is running"));
            assertTrue(r.headers().firstValue("Retry-After").isPresent());
        }
    }

    @Test
    void stoppingLetsARunningRequestFinish() throws Exception {
        ApiServer s = ApiServer.start(ApiServer.Options.loopback().withTimeouts(30_000, 30_000), HttpFixture.db(),
                HttpFixture.search());
        CompletableFuture<HttpResponse<String>> running;
        try (Connection hold = HttpFixture.db().connect(); Statement st = hold.createStatement()) {
            hold.setAutoCommit(false);
            st.execute("LOCK TABLE users IN EXCLUSIVE MODE");
            running = CLIENT.sendAsync(HttpRequest.newBuilder(s.uri().resolve("/api/users/" + QUEUE_USER + "/ratings"))
                    .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"movie_id\": 2, \"rating\": 3}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            waitForLockWaiter(hold);
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(s::close);
            Thread.sleep(200); // the stop has begun; the request is still waiting on the lock
            assertFalse(stopping.isDone(), "the stop must wait for the running request");
            hold.rollback();
            stopping.get(60, TimeUnit.SECONDS);
        }
        HttpResponse<String> r = running.get(60, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), r.body());
    }
}
