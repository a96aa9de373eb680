package io.reelrank.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelrank.db.Database;
import io.reelrank.db.MovieStats;
import io.reelrank.db.TableSnapshot;
import io.reelrank.service.Access;
import io.reelrank.service.Keys;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The access rules over real sockets: a server requiring keys ({@link Access.Policy#DEFAULT}, with
 * {@code REELRANK_API_TOKEN} set) on the HTTP fixture's database and search, and one that answers
 * keyed clients only. Each rule of {@link Access} is asked through its route: a user key reads and
 * writes its own user and gets 403 for another, an admin key (and the token) may, anonymous clients
 * search and read the catalogue only, test and MovieLens users are written by admin keys only, health
 * details go to admin keys, and a user deleted through {@code DELETE /api/users/{id}} leaves every
 * table as it was before their first rating. Every key and user made here is removed again.
 */
@Tag("integration")
class ApiServerKeysTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "the-deployments-shared-token";
    /** Ids no sample or test user has. */
    static final int ANA = 39801;
    static final int BO = 39802;
    /** A MovieLens user of the sample and a test user. */
    static final int MOVIELENS = 1;
    static final int TEST_USER = 10001;

    static Database db;
    static ApiServer server;
    static ApiServer keyedOnly;
    static final List<String> made = new ArrayList<>();
    static String admin;
    static String bo;

    @BeforeAll
    static void start() throws Exception {
        HttpFixture.server();
        db = HttpFixture.db();
        ApiServer.Options o = ApiServer.Options.loopback().withToken(TOKEN);
        server = ApiServer.start(o, db, HttpFixture.search(), Access.Policy.DEFAULT);
        keyedOnly = ApiServer.start(o, db, HttpFixture.search(), new Access.Policy(true, false));
        try (Keys keys = new Keys(db, null)) {
            admin = create(keys, Access.Role.ADMIN, null);
            bo = create(keys, Access.Role.USER, BO);
        }
    }

    static String create(Keys keys, Access.Role role, Integer user) throws Exception {
        Keys.Created k = keys.create(role, user, "ApiServerKeysTest");
        made.add(k.keyId());
        return "Bearer " + k.key();
    }

    @AfterAll
    static void stopAndRemoveWhatWasMade() throws Exception {
        if (server != null) server.close();
        if (keyedOnly != null) keyedOnly.close();
        HttpFixture.deleteUsers(ANA, BO);
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DELETE FROM api_keys WHERE key_id = ANY ('{" + String.join(",", made) + "}')");
        }
    }

    static HttpResponse<String> send(ApiServer s, String method, String path, String auth) throws Exception {
        return HttpFixture.send(s, method, path, auth);
    }

    static HttpResponse<String> rate(String auth, int user, int movie, double rating) throws Exception {
        return HttpFixture.post(server, "/api/users/" + user + "/ratings",
                "{\"movie_id\": " + movie + ", \"rating\": " + rating + "}", auth);
    }

    static void assertRefused(int status, HttpResponse<String> r, String detail) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(status == 401 ? "unauthorized" : "forbidden", body.get("error").asText());
        assertTrue(body.get("detail").asText().contains(detail), body.toString());
        if (status == 401) assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
    }

    @Test
    void aUserKeyActsForItsOwnUserAndGets403ForAnother() throws Exception {
        String boId = bo.substring("Bearer rk_".length(), "Bearer rk_".length() + 12);
        assertEquals(200, rate(bo, BO, 4993, 4.5).statusCode());
        assertEquals(200, send(server, "GET", "/api/users/" + BO, bo).statusCode());
        assertEquals(200, send(server, "GET", "/api/users/" + BO + "/recommendations?limit=3", bo).statusCode());
        assertEquals(200, send(server, "GET", "/api/search?q=lord&user=" + BO, bo).statusCode());
        String other = "key " + boId + " acts for user " + BO + " only, not for user " + TEST_USER;
        assertRefused(403, send(server, "GET", "/api/users/" + TEST_USER, bo), other);
        assertRefused(403, send(server, "GET", "/api/users/" + TEST_USER + "/recommendations", bo), other);
        assertRefused(403, send(server, "GET", "/api/search?q=lord&user=" + TEST_USER, bo), other);
        assertRefused(403, send(server, "GET", "/api/search?q=lord&user=%20" + TEST_USER, bo), other);
        assertRefused(403, rate(bo, ANA, 4993, 1.0), "not for user " + ANA);
        assertRefused(403, send(server, "DELETE", "/api/users/" + TEST_USER, bo), other);
        assertRefused(403, send(server, "GET", "/api/users", bo), "the list of users needs an admin key");
        assertEquals(404, send(server, "GET", "/api/users/" + ANA, admin).statusCode(), "a refused write wrote nothing");
        // An admin key, and the deployment's token, may act for anyone.
        assertEquals(200, send(server, "GET", "/api/users/" + TEST_USER, admin).statusCode());
        assertEquals(200, send(server, "GET", "/api/users?limit=3", "Bearer " + TOKEN).statusCode());
        assertEquals(200, send(server, "GET", "/api/search?q=lord&user=" + BO, "Bearer " + TOKEN).statusCode());
        JsonNode me = JSON.readTree(send(server, "GET", "/api/me", bo).body());
        assertEquals("user", me.get("role").asText());
        assertEquals(BO, me.get("user_id").asInt());
    }

    @Test
    void testUsersAndMovieLensUsersAreWrittenByAdminKeysOnly() throws Exception {
        String tester;
        String movielens;
        try (Keys keys = new Keys(db, null)) {
            tester = create(keys, Access.Role.USER, TEST_USER);
            movielens = create(keys, Access.Role.USER, MOVIELENS);
        }
        assertEquals(200, send(server, "GET", "/api/users/" + TEST_USER, tester).statusCode(), "it reads itself");
        assertRefused(403, rate(tester, TEST_USER, 1, 1.0), "user " + TEST_USER + " is a test user");
        assertRefused(403, send(server, "DELETE", "/api/users/" + TEST_USER, tester), "only an admin key writes it");
        assertRefused(403, rate(movielens, MOVIELENS, 1, 1.0), "comes from the MovieLens files");
        assertRefused(403, send(server, "DELETE", "/api/users/" + MOVIELENS, movielens), "MovieLens files");
        // An admin key writes a live user (and deletes it again).
        assertEquals(200, rate(admin, ANA, 2571, 4.0).statusCode());
        assertEquals(200, send(server, "DELETE", "/api/users/" + ANA, admin).statusCode());
        assertEquals(404, send(server, "DELETE", "/api/users/" + ANA, admin).statusCode(), "nothing left to delete");
    }

    @Test
    void anonymousClientsSearchAndReadTheCatalogueOnly() throws Exception {
        assertEquals(200, send(server, "GET", "/api/search?q=lord", null).statusCode());
        assertEquals(200, send(server, "GET", "/api/genres", null).statusCode());
        assertEquals(200, send(server, "GET", "/api/movies/4993", null).statusCode());
        assertEquals(200, send(server, "HEAD", "/api/movies/4993/similar", null).statusCode());
        String need = "needs that user's key or an admin key";
        assertRefused(401, send(server, "GET", "/api/search?q=lord&user=" + TEST_USER, null), need);
        assertRefused(401, send(server, "GET", "/api/users/" + TEST_USER, null), need);
        assertRefused(401, send(server, "GET", "/api/users/" + TEST_USER + "/recommendations", null), need);
        assertRefused(401, rate(null, ANA, 4993, 4.5), need);
        assertRefused(401, send(server, "DELETE", "/api/users/" + TEST_USER, null), need);
        assertRefused(401, send(server, "GET", "/api/users", null), "the list of users needs an admin key");
        assertRefused(401, send(server, "GET", "/api/search?q=lord", "Basic dXNlcjpwdw=="), "must be Bearer <key>");
        assertRefused(401, send(server, "GET", "/api/search?q=lord", "Bearer rk_0123456789ab_"
                + "A".repeat(43)), "unknown or revoked key 0123456789ab");
        assertRefused(401, send(server, "GET", "/api/search?q=lord", "Bearer " + TOKEN + "x"), "not a reelrank key");
        // A server for keyed clients only.
        assertRefused(401, send(keyedOnly, "GET", "/api/search?q=lord", null), "answers clients with a key only");
        assertRefused(401, send(keyedOnly, "GET", "/api/genres", null), "answers clients with a key only");
        assertEquals(200, send(keyedOnly, "GET", "/api/search?q=lord", bo).statusCode());
        assertEquals(200, send(keyedOnly, "GET", "/", null).statusCode(), "the page itself is public");
    }

    @Test
    void healthIsBareWithoutAnAdminKeyAndDetailedWithOne() throws Exception {
        for (String auth : new String[] {null, bo}) {
            HttpResponse<String> r = send(server, "GET", "/api/health", auth);
            assertEquals(200, r.statusCode());
            assertEquals("{\"status\":\"up\"}", r.body(), "no URL, no path without an admin key");
        }
        JsonNode detailed = JSON.readTree(send(server, "GET", "/api/health", admin).body());
        assertEquals("up", detailed.get("status").asText());
        assertEquals(db.settings().describe(), detailed.get("database").get("detail").asText());
        assertEquals(HttpFixture.INDEX.toString(), detailed.get("index").get("detail").asText());
        assertTrue(JSON.readTree(HttpFixture.get("/api/health").body()).has("database"),
                "a server without keys shows the details to everyone, as before");
    }

    @Test
    void aUserDeletedWithTheirOwnKeyLeavesEveryTableAsBeforeTheirFirstRating() throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            MovieStats.refresh(st); // movie_stats is compared too: start from it in step with the ratings
        }
        Map<String, String> before = TableSnapshot.of(db);
        String ana;
        try (Keys keys = new Keys(db, null)) {
            ana = create(keys, Access.Role.USER, ANA);
        }
        for (int movie : new int[] {318, 2571, 4993}) assertEquals(200, rate(ana, ANA, movie, 4.5).statusCode());
        assertEquals(200, rate(ana, ANA, 318, 2.0).statusCode());
        assertEquals(3, JSON.readTree(send(server, "GET", "/api/users/" + ANA, ana).body()).get("rating_count").asInt());
        assertFalse(before.equals(TableSnapshot.of(db)));

        HttpResponse<String> deleted = send(server, "DELETE", "/api/users/" + ANA, ana);
        assertEquals(200, deleted.statusCode(), deleted.body());
        JsonNode d = JSON.readTree(deleted.body());
        assertEquals(3, d.get("ratings").asInt());
        assertEquals(1, d.get("keys").asInt());
        assertEquals(3, d.get("movies_updated").asInt());
        assertEquals(before, TableSnapshot.of(db));
        // The key went with its user: refused as soon as the server hears of it.
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (send(server, "GET", "/api/me", ana).statusCode() != 401) {
            assertTrue(System.nanoTime() < deadline, "the deleted user's key still works after 30 s");
            Thread.sleep(10);
        }
        assertEquals(404, send(server, "GET", "/api/users/" + ANA, admin).statusCode());
    }
}
