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
import org.junit.jupiter.api.Test;

/**
 * The database stopped under a running server, then started again: routes that need it answer 503
 * with a JSON error (never a stack trace) while BM25 search keeps answering, and everything is back
 * once the cluster is. The cluster restarts on its previous port, so the server's settings and every
 * other test's stay valid.
 */
class ApiServerDatabaseOutageTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void whileTheDatabaseIsDownTheApiAnswers503AndRecoversWhenItIsBack() throws Exception {
        ApiServer s = HttpFixture.server();
        PrivateCluster cluster = TestDatabase.get().cluster();
        int port = TestDatabase.get().settings().port();
        assertEquals(200, HttpFixture.get("/api/users/10001").statusCode());
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
            // A user whose vector is not cached needs the database; plain BM25 does not.
            assertEquals(503, HttpFixture.get("/api/search?q=lord&user=414").statusCode());
            assertEquals(200, HttpFixture.get("/api/search?q=lord").statusCode());
        } finally {
            DbSettings back = cluster.ensureRunning();
            assertEquals(port, back.port(), "the cluster must come back on its previous port");
        }
        assertEquals(200, HttpFixture.get("/api/users/10001").statusCode());
        assertEquals(200, HttpFixture.get("/api/health").statusCode());
        assertEquals(200, HttpFixture.get("/api/search?q=lord&user=414").statusCode());
    }
}
