package io.reelrank.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelrank.TestDatabase;
import io.reelrank.db.DbSettings;
import io.reelrank.db.PrivateCluster;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The database stopped under a running server, then started again: routes that need it answer 503
 * with a JSON error (never a stack trace) within the server's short connection timeout, while BM25
 * search and the search of a user whose vector is cached keep answering, and everything is back once
 * the cluster is. The cluster restarts on its previous port, so the server's settings and every other
 * test's stay valid.
 */
@Tag("integration")
class ApiServerDatabaseOutageTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void whileTheDatabaseIsDownTheApiAnswers503AndRecoversWhenItIsBack() throws Exception {
        ApiServer s = HttpFixture.server();
        PrivateCluster cluster = TestDatabase.get().cluster();
        int port = TestDatabase.get().settings().port();
        // Notifications of earlier tests' writes may still be on their way to the shared server and would
        // drop the cached user below: wait until they are applied.
        HttpFixture.search().awaitChangesSeen(30_000);
        assertEquals(200, HttpFixture.get("/api/users/10001").statusCode());
        HttpResponse<String> before = HttpFixture.get("/api/search?q=lord&user=10001&limit=5");
        assertEquals(200, before.statusCode(), before.body()); // 10001's vector is now cached
        try {
            assertTrue(cluster.stop(), "the test cluster was running");

            HttpResponse<String> user = HttpFixture.get("/api/users/10001");
            assertEquals(503, user.statusCode(), user.body());
            JsonNode body = JSON.readTree(user.body());
            assertEquals("database unavailable", body.get("error").asText());
            assertTrue(body.get("detail").asText().contains("the database cannot be reached"), user.body());
            assertFalse(user.body().contains("\tat "), "no stack trace: " + user.body());

            HttpResponse<String> health = HttpFixture.get("/api/health");
            assertEquals(503, health.statusCode());
            JsonNode h = JSON.readTree(health.body());
            assertEquals("down", h.get("status").asText());
            assertEquals("down", h.get("database").get("status").asText());
            assertEquals("up", h.get("index").get("status").asText());
            assertEquals("up", h.get("model").get("status").asText());

            assertEquals(503, HttpFixture.post(s, "/api/users/39201/ratings", "{\"movie_id\": 1, \"rating\": 4}", null)
                    .statusCode());
            assertEquals(503, HttpFixture.get("/api/movies/4993/similar").statusCode());
            // A user whose vector is not cached needs the database; plain BM25 and a cached user do not.
            HttpResponse<String> uncached = HttpFixture.get("/api/search?q=lord&user=414");
            assertEquals(503, uncached.statusCode());
            assertTrue(uncached.headers().firstValue("Retry-After").isPresent());
            assertEquals(200, HttpFixture.get("/api/search?q=lord").statusCode());
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> cached = HttpFixture.get("/api/search?q=lord&user=10001&limit=5");
                assertEquals(200, cached.statusCode(), cached.body());
                assertEquals(JSON.readTree(before.body()).get("results"), JSON.readTree(cached.body()).get("results"),
                        "the cached user's ranking is served unchanged");
                assertTrue(JSON.readTree(cached.body()).get("personalized").asBoolean());
            }
            // Each DB-bound request gives up after the server's connection timeout (1 s), far inside
            // this client's patience, so the workers are free again at once.
            for (String path : java.util.List.of("/api/users/414", "/api/movies/1", "/api/genres")) {
                HttpResponse<String> r = HttpFixture.CLIENT_SHORT.send(java.net.http.HttpRequest.newBuilder(
                        HttpFixture.uri(path)).timeout(java.time.Duration.ofSeconds(4)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(503, r.statusCode(), path + " " + r.body());
                assertFalse(r.body().contains("Exception"), r.body());
            }
        } finally {
            DbSettings back = cluster.ensureRunning();
            assertEquals(port, back.port(), "the cluster must come back on its previous port");
        }
        // The pool reconnects in the background; until its first new connection, requests may still get 503.
        for (String path : java.util.List.of("/api/users/10001", "/api/health", "/api/search?q=lord&user=414")) {
            int status = 0;
            for (int i = 0; i < 300 && status != 200; i++) {
                status = HttpFixture.get(path).statusCode();
                if (status == 503) Thread.sleep(100);
            }
            assertEquals(200, status, path + " must answer again once the database is back");
        }
    }
}
