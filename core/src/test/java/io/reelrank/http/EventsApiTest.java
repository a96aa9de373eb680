package io.reelrank.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import io.reelrank.service.Access;
import io.reelrank.service.EventService;
import io.reelrank.service.Keys;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The events API against a server of its own with keys required (over the HTTP fixture's database and
 * search): every search and recommendation answer carries a request_id and leaves a request log row
 * with what was shown and the values that ranked it; impressions, clicks and ratings are stored once
 * per id; every check refuses with the event's index and field; another user's key is refused; a full
 * queue answers 503 (a second server with a queue of 10, its writer held behind the writers' advisory
 * lock, so the queue is full for certain); events and the request log survive a reload of the files and
 * a new model. The test's user is deleted at the end through the product's deletion, which takes their
 * events and request log rows with it; the anonymous rows the test made are deleted by id.
 */
@Tag("integration")
class EventsApiTest {

    static final ObjectMapper JSON = new ObjectMapper();
    /** A live user of the test's own: a user key for it may write. */
    static final int USER = 960_001;

    static Database db;
    static ApiServer server;
    static String admin;
    static String userKey;
    static final List<String> anonymousRequests = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        db = HttpFixture.db();
        server = ApiServer.start(ApiServer.Options.loopback(), db, HttpFixture.search(), Access.Policy.DEFAULT,
                ApiServer.EventSettings.DEFAULT);
        try (Keys keys = new Keys(db, null)) {
            admin = "Bearer " + keys.create(Access.Role.ADMIN, null, "EventsApiTest").key();
            userKey = "Bearer " + keys.create(Access.Role.USER, USER, "EventsApiTest").key();
        }
        server.awaitKeysSeen(30_000);
        // The user's first rating, as an event without a request: it creates the user.
        HttpResponse<String> r = post("{\"events\": [{\"id\": \"EventsApiTest-first\", \"type\": \"rating\", "
                + "\"user_id\": " + USER + ", \"movie_id\": 4993, \"rating\": 4.5}]}", userKey);
        assertEquals(200, r.statusCode(), r.body());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            HttpResponse<String> r = HttpFixture.send(server, "DELETE", "/api/users/" + USER, admin);
            assertEquals(200, r.statusCode(), r.body());
            HttpFixture.search().invalidateUser(USER);
        } finally {
            server.close();
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute("DELETE FROM events WHERE event_id LIKE 'EventsApiTest-%'");
                for (String id : anonymousRequests) st.execute("DELETE FROM request_log WHERE request_id = '" + id + "'");
                st.execute("DELETE FROM api_keys WHERE label = 'EventsApiTest'");
            }
        }
    }

    static HttpResponse<String> post(String body, String key) throws Exception {
        return HttpFixture.post(server, "/api/events", body, key);
    }

    static JsonNode search(String query, String key) throws Exception {
        HttpResponse<String> r = HttpFixture.send(server, "GET", query, key);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    /** The request log row of {@code id}, once this server's writer has written it. */
    static Row logged(String id) throws Exception {
        server.requestLog().flush(60_000);
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT user_id, kind, query, "
                + "ranker, movie_ids, feature_names, features FROM request_log WHERE request_id = ?::uuid")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "no request log row for " + id);
                int u = rs.getInt(1);
                Integer user = rs.wasNull() ? null : u;
                Object[] m = (Object[]) rs.getArray(5).getArray();
                int[] movies = new int[m.length];
                for (int i = 0; i < m.length; i++) movies[i] = ((Number) m[i]).intValue();
                Object[] n = (Object[]) rs.getArray(6).getArray();
                Object[] f = (Object[]) rs.getArray(7).getArray();
                float[] values = new float[f.length];
                for (int i = 0; i < f.length; i++) values[i] = ((Number) f[i]).floatValue();
                return new Row(user, rs.getString(2), rs.getString(3), rs.getString(4), movies,
                        java.util.Arrays.copyOf(n, n.length, String[].class), values);
            }
        }
    }

    record Row(Integer user, String kind, String query, String ranker, int[] movies, String[] names, float[] values) {}

    static int[] ids(JsonNode answer) {
        JsonNode results = answer.get("results");
        int[] out = new int[results.size()];
        for (int i = 0; i < out.length; i++) out[i] = results.get(i).get("movie_id").asInt();
        return out;
    }

    static long count(String where) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM events WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aSearchAnswerCarriesARequestIdAndTheLogHoldsWhatWasShownWithTheValuesThatRankedIt() throws Exception {
        JsonNode a = search("/api/search?q=lord&user=10001&limit=5&fusion=weighted", admin);
        String id = a.get("request_id").asText();
        assertTrue(id.matches("[0-9a-f]{32}"), id);
        JsonNode b = search("/api/search?q=lord&user=10001&limit=5&fusion=weighted", admin);
        assertNotEquals(id, b.get("request_id").asText(), "each answer has its own id");
        Row row = logged(id);
        assertEquals(10001, row.user());
        assertEquals("search", row.kind());
        assertEquals("lord", row.query());
        assertEquals("weighted", row.ranker());
        assertArrayEquals(ids(a), row.movies());
        assertArrayEquals(new String[] {"bm25", "bm25_rank", "similarity", "collaborative", "rating_count", "score"},
                row.names());
        assertEquals(6 * 5, row.values().length);
        for (int i = 0; i < 5; i++) {
            JsonNode r = a.get("results").get(i);
            assertEquals(r.get("score").asDouble(), row.values()[i * 6 + 5], 1e-5, "score of position " + (i + 1));
            assertEquals(r.get("rating_count").asDouble(), row.values()[i * 6 + 4], 0, "n of position " + (i + 1));
            assertEquals(r.get("similarity").asDouble(), row.values()[i * 6 + 2], 1e-5);
        }
    }

    @Test
    void anAnonymousSearchIsLoggedWithoutAUserAndItsMissingValuesStayNaN() throws Exception {
        JsonNode a = search("/api/search?q=matrix&limit=3", null);
        String id = a.get("request_id").asText();
        anonymousRequests.add(id);
        Row row = logged(id);
        assertNull(row.user());
        assertArrayEquals(ids(a), row.movies());
        assertTrue(Float.isNaN(row.values()[2]) && Float.isNaN(row.values()[3]),
                "no user: no similarity and no collaborative score, stored as NaN");
    }

    @Test
    void recommendationsCarryARequestIdAndAreLoggedWithTheirSource() throws Exception {
        JsonNode a = search("/api/users/10001/recommendations?limit=4", admin);
        String id = a.get("request_id").asText();
        Row row = logged(id);
        assertEquals("recommend", row.kind());
        assertEquals(a.get("source").asText(), row.ranker());
        assertArrayEquals(ids(a), row.movies());
        assertArrayEquals(new String[] {"score"}, row.names());
        assertEquals(a.get("results").get(0).get("score").asDouble(), row.values()[0], 1e-5);
    }

    @Test
    void impressionsAndClicksAreStoredOnceAndARepeatedBatchIsCountedAsDuplicates() throws Exception {
        JsonNode a = search("/api/search?q=lord&user=" + USER + "&limit=5", userKey);
        String id = a.get("request_id").asText();
        int[] shown = ids(a);
        String batch = "{\"events\": [{\"id\": \"EventsApiTest-imp\", \"type\": \"impression\", \"request_id\": \"" + id
                + "\", \"user_id\": " + USER + ", \"movie_ids\": [" + shown[0] + ", " + shown[1] + ", " + shown[2]
                + "], \"positions\": [1, 2, 3], \"ranker\": \"" + a.get("fusion").asText() + "\"}, "
                + "{\"id\": \"EventsApiTest-click\", \"type\": \"click\", \"request_id\": \"" + id + "\", \"user_id\": "
                + USER + ", \"movie_id\": " + shown[1] + ", \"position\": 2}]}";
        HttpResponse<String> first = post(batch, userKey);
        assertEquals(200, first.statusCode(), first.body());
        assertEquals(JSON.readTree("{\"events\": 2, \"stored\": 2, \"duplicates\": 0}"), JSON.readTree(first.body()));
        HttpResponse<String> again = post(batch, userKey);
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(JSON.readTree("{\"events\": 2, \"stored\": 0, \"duplicates\": 2}"), JSON.readTree(again.body()));
        assertEquals(1, count("event_id = 'EventsApiTest-imp'"));
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT type, request_id::text, user_id, movie_id, position, ranker "
                     + "FROM events WHERE event_id = 'EventsApiTest-click'")) {
            assertTrue(rs.next());
            assertEquals("click", rs.getString(1));
            assertEquals(id, rs.getString(2).replace("-", ""));
            assertEquals(USER, rs.getInt(3));
            assertEquals(shown[1], rs.getInt(4));
            assertEquals(2, rs.getInt(5));
            assertEquals(a.get("fusion").asText(), rs.getString(6), "the ranker comes from the request log");
        }
    }

    @Test
    void aRatingEventGoesThroughTheRatingPathAndKeepsItsRequest() throws Exception {
        JsonNode a = search("/api/search?q=matrix&user=" + USER + "&limit=3", userKey);
        String id = a.get("request_id").asText();
        int movie = ids(a)[0];
        HttpResponse<String> r = post("{\"events\": [{\"id\": \"EventsApiTest-rate\", \"type\": \"rating\", "
                + "\"request_id\": \"" + id + "\", \"user_id\": " + USER + ", \"movie_id\": " + movie
                + ", \"position\": 1, \"rating\": 2.5}]}", userKey);
        assertEquals(200, r.statusCode(), r.body());
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT rating, source FROM ratings WHERE user_id = " + USER
                     + " AND movie_id = " + movie)) {
            assertTrue(rs.next(), "the rating is stored");
            assertEquals(2.5, rs.getDouble(1));
            assertEquals("api", rs.getString(2));
        }
        assertEquals(1, count("event_id = 'EventsApiTest-rate' AND rating = 2.5 AND request_id IS NOT NULL"));
        JsonNode user = search("/api/users/" + USER, userKey);
        assertTrue(user.get("rating_count").asInt() >= 2, user.toString());
    }

    @Test
    void everyCheckRefusesWithTheEventsIndexAndField() throws Exception {
        JsonNode a = search("/api/search?q=lord&user=" + USER + "&limit=3", userKey);
        String id = a.get("request_id").asText();
        int[] shown = ids(a);
        JsonNode other = search("/api/search?q=lord&user=10001&limit=3", admin);
        String others = other.get("request_id").asText();
        String unknown = id.substring(0, 8) + "000000000000000000000000";
        String click = "{\"id\": \"EventsApiTest-c\", \"type\": \"click\", \"request_id\": \"" + id
                + "\", \"user_id\": " + USER + ", \"movie_id\": " + shown[0] + ", \"position\": 1}";
        String[][] cases = {
            {"{\"events\": [" + click + ", {\"id\": \"EventsApiTest-x\", \"type\": \"click\", \"request_id\": \""
                    + unknown + "\", \"user_id\": " + USER + ", \"movie_id\": 1, \"position\": 1}]}",
                "event 1: field 'request_id': no request " + unknown + " was served"},
            {"{\"events\": [{\"id\": \"EventsApiTest-x\", \"type\": \"click\", \"request_id\": \"" + id
                    + "\", \"user_id\": " + USER + ", \"movie_id\": " + shown[0] + ", \"position\": 4}]}",
                "event 0: field 'position': position 4 is outside what request " + id + " showed (1-3)"},
            {"{\"events\": [{\"id\": \"EventsApiTest-x\", \"type\": \"click\", \"request_id\": \"" + id
                    + "\", \"user_id\": " + USER + ", \"movie_id\": " + shown[0] + ", \"position\": 2}]}",
                "event 0: field 'movie_id': movie " + shown[0] + " was not shown at position 2 of request " + id},
            {"{\"events\": [{\"id\": \"EventsApiTest-x\", \"type\": \"impression\", \"request_id\": \"" + id
                    + "\", \"user_id\": " + USER + ", \"movie_ids\": [" + shown[0] + ", " + shown[2]
                    + "], \"positions\": [1, 2]}]}",
                "event 0: field 'movie_ids[1]': movie " + shown[2] + " was not shown at position 2"},
            {"{\"events\": [{\"id\": \"EventsApiTest-x\", \"type\": \"click\", \"request_id\": \"" + others
                    + "\", \"user_id\": " + USER + ", \"movie_id\": " + ids(other)[0] + ", \"position\": 1}]}",
                "event 0: field 'user_id': request " + others + " was served to user 10001, not to user " + USER},
            {"{\"events\": [" + click + ", " + click + "]}",
                "event 1: field 'id': 'EventsApiTest-c' is also the id of event 0 of this batch"},
            {"{\"events\": [" + click + ", {\"id\": \"EventsApiTest-y\", \"type\": \"view\"}]}",
                "event 1: field 'type': must be impression, click or rating, got 'view'"},
            {"{\"events\": [{\"id\": \"EventsApiTest-y\", \"type\": \"click\", \"rating\": 4}]}",
                "event 0: field 'rating': is not a field of a click"},
            {"{\"events\": [{\"id\": \"EventsApiTest-y\", \"type\": \"click\", \"user_id\": " + USER
                    + ", \"movie_id\": 1, \"position\": 1}]}",
                "event 0: field 'request_id': is required for a click"},
            {"{\"events\": [{\"id\": \"EventsApiTest-y\", \"type\": \"click\", \"request_id\": \"" + id
                    + "\", \"user_id\": " + USER + ", \"movie_id\": \"1\", \"position\": 1}]}",
                "event 0: field 'movie_id': must be an integer >= 1, got \"1\""},
            {"{\"events\": [{\"id\": \"EventsApiTest-y\", \"type\": \"rating\", \"user_id\": " + USER
                    + ", \"movie_id\": 1, \"rating\": 4.7}]}",
                "event 0: field 'rating': must be 0.5-5.0 in steps of 0.5, got 4.7"},
            {"{\"events\": []}", "field 'events' must be an array of 1-1000 events, got 0 events"},
            {"{\"events\": [" + click + "]", "request body must be JSON"},
        };
        long before = count("event_id LIKE 'EventsApiTest-%'");
        for (String[] c : cases) {
            HttpResponse<String> r = post(c[0], userKey);
            assertEquals(400, r.statusCode(), c[0] + " → " + r.body());
            JsonNode body = JSON.readTree(r.body());
            assertTrue(body.get("detail").asText().startsWith(c[1]), "expected '" + c[1] + "', got " + r.body());
            assertFalse(ApiServer.namesAClass(body.get("detail").asText()), r.body());
        }
        assertEquals(before, count("event_id LIKE 'EventsApiTest-%'"), "a refused batch stores nothing");
    }

    @Test
    void aUserKeyMayNotPostAnotherUsersEventsAndNoKeyMayNotPostAny() throws Exception {
        JsonNode other = search("/api/search?q=lord&user=10001&limit=3", admin);
        String event = "{\"events\": [{\"id\": \"EventsApiTest-other\", \"type\": \"click\", \"request_id\": \""
                + other.get("request_id").asText() + "\", \"user_id\": 10001, \"movie_id\": " + ids(other)[0]
                + ", \"position\": 1}]}";
        HttpResponse<String> r = post(event, userKey);
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(JSON.readTree(r.body()).get("detail").asText().startsWith("event 0: field 'user_id': key "),
                r.body());
        HttpResponse<String> anonymous = post(event, null);
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        assertEquals(0, count("event_id = 'EventsApiTest-other'"));
        HttpResponse<String> byAdmin = post(event, admin);
        assertEquals(200, byAdmin.statusCode(), byAdmin.body());
        assertEquals(1, count("event_id = 'EventsApiTest-other'"));
    }

    @Test
    void aBatchThatDoesNotFitTheQueueIsRefusedWith503AndTheQueuedOneIsStored() throws Exception {
        try (ApiServer small = ApiServer.start(ApiServer.Options.loopback(), db, HttpFixture.search(),
                Access.Policy.OPEN, new ApiServer.EventSettings(10, 1000, 90));
             Connection holder = db.connectDirect(); Statement st = holder.createStatement()) {
            HttpResponse<String> s = HttpFixture.get(small, "/api/search?q=lord&limit=3");
            String id = JSON.readTree(s.body()).get("request_id").asText();
            anonymousRequests.add(id);
            int movie = ids(JSON.readTree(s.body()))[0];
            StringBuilder ten = new StringBuilder("{\"events\": [");
            for (int i = 0; i < 10; i++) {
                ten.append(i == 0 ? "" : ", ").append("{\"id\": \"EventsApiTest-q").append(i)
                        .append("\", \"type\": \"click\", \"request_id\": \"").append(id)
                        .append("\", \"movie_id\": ").append(movie).append(", \"position\": 1}");
            }
            ten.append("]}");
            // The writer's transaction waits for this lock, so the ten events stay in the queue.
            st.execute("SELECT pg_advisory_lock(" + EventService.WRITER_LOCK + ")");
            CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return HttpFixture.post(small, "/api/events", ten.toString(), null);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            while (small.events().queued() < 10) {
                assertFalse(held.isDone(), "the held batch was answered before it queued: " + held.getNow(null));
                Thread.sleep(5);
            }
            HttpResponse<String> full = HttpFixture.post(small, "/api/events", "{\"events\": [{\"id\": "
                    + "\"EventsApiTest-q10\", \"type\": \"click\", \"request_id\": \"" + id + "\", \"movie_id\": "
                    + movie + ", \"position\": 1}]}", null);
            assertEquals(503, full.statusCode(), full.body());
            assertEquals("1", full.headers().firstValue("Retry-After").orElse(""));
            assertTrue(full.body().contains("the event queue is full (10 of 10 events waiting"), full.body());
            assertTrue(HttpFixture.get(small, "/metrics").body().contains("reelrank_events{state=\"refused\"} 1.0"));
            st.execute("SELECT pg_advisory_unlock(" + EventService.WRITER_LOCK + ")");
            HttpResponse<String> stored = held.get();
            assertEquals(200, stored.statusCode(), stored.body());
            assertEquals(10, JSON.readTree(stored.body()).get("stored").asInt());
            assertEquals(0, count("event_id = 'EventsApiTest-q10'"), "the refused event was not stored");
        }
    }

    @Test
    void eventsAndTheRequestLogSurviveAReloadOfTheFilesAndANewModel() throws Exception {
        JsonNode a = search("/api/search?q=lord&user=" + USER + "&limit=2", userKey);
        String id = a.get("request_id").asText();
        HttpResponse<String> r = post("{\"events\": [{\"id\": \"EventsApiTest-reload\", \"type\": \"click\", "
                + "\"request_id\": \"" + id + "\", \"user_id\": " + USER + ", \"movie_id\": " + ids(a)[0]
                + ", \"position\": 1}]}", userKey);
        assertEquals(200, r.statusCode(), r.body());
        logged(id);
        try {
            TestDatabase.reloadSample(); // ingest --force of the same files
        } finally {
            TestDatabase.personalized(); // the reload cleared the MovieLens users' vectors: they and a model come back
        }
        assertEquals(1, count("event_id = 'EventsApiTest-reload' AND request_id = '" + id + "'"));
        assertArrayEquals(ids(a), logged(id).movies());
    }
}
