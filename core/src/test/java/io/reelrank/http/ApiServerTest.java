package io.reelrank.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The API over real HTTP against a server on a free port, with the real database, index and model:
 * shapes, status codes, the acceptance story's ordering, ratings, tokens and every bad parameter.
 */
@Tag("integration")
class ApiServerTest {

    static final ObjectMapper JSON = new ObjectMapper();
    /** The Lord of the Rings films of the sample: the 1978 animation and the three Jackson films. */
    static final Set<Integer> LOTR = Set.of(2116, 4993, 5952, 7153);
    /** Ids no sample or test user has; the tests that write ratings use them and delete them after. */
    static final int NEW_USER = 39001;
    static final int TOKEN_USER = 39002;

    @AfterAll
    static void removeTheUsersTheTestsCreated() throws Exception {
        HttpFixture.deleteUsers(NEW_USER, TOKEN_USER);
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    static JsonNode ok(String pathAndQuery) throws Exception {
        HttpResponse<String> r = HttpFixture.get(pathAndQuery);
        assertEquals(200, r.statusCode(), pathAndQuery + " answered " + r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return json(r);
    }

    @Test
    void recommendationsAnswerTheUsersUnratedMoviesWithTheTowerThatRankedThem() throws Exception {
        JsonNode body = ok("/api/users/10001/recommendations?limit=5&genre=Fantasy");
        assertEquals(10001, body.get("user").asInt());
        assertEquals("collaborative", body.get("source").asText());
        assertTrue(body.get("model_version").asLong() > 0);
        assertEquals(5, body.get("results").size());
        for (JsonNode r : body.get("results")) {
            for (String f : List.of("rank", "movie_id", "title", "year", "genres", "rating_count", "score")) {
                assertTrue(r.has(f), "result lacks " + f + ": " + r);
            }
            assertTrue(r.get("genres").toString().contains("Fantasy"), r.toString());
            assertFalse(LOTR.contains(r.get("movie_id").asInt()), "the lover rated the Rings already: " + r);
        }
        assertEquals("content", ok("/api/users/10002/recommendations?limit=3").get("source").asText(),
                "the hater has no collaborative vector: the content tower answers");
        assertEquals(404, HttpFixture.get("/api/users/999999/recommendations").statusCode());
        HttpResponse<String> bad = HttpFixture.get("/api/users/10001/recommendations?limit=0");
        assertEquals(400, bad.statusCode());
        assertEquals("parameter 'limit' must be an integer in 1-1000, got 0", json(bad).get("detail").asText());
        bad = HttpFixture.get("/api/users/10001/recommendations?year_from=2000&year_to=1990");
        assertEquals("parameter 'year_from' must not be after 'year_to', got 2000 > 1990", json(bad).get("detail").asText());
        bad = HttpFixture.get("/api/users/10001/recommendations?q=lord");
        assertEquals(400, bad.statusCode());
        assertTrue(json(bad).get("detail").asText().startsWith("unknown parameter 'q'"), bad.body());
    }

    @Test
    void searchAnswersTheSameJsonAsTheCli() throws Exception {
        JsonNode body = ok("/api/search?q=lord&user=10001&limit=5&fusion=weighted");
        assertEquals("lord", body.get("query").asText());
        assertEquals(10001, body.get("user").asInt());
        assertTrue(body.get("personalized").asBoolean());
        assertEquals(5, body.get("results").size());
        JsonNode first = body.get("results").get(0);
        for (String f : List.of("rank", "movie_id", "title", "year", "genres", "bm25", "bm25_rank", "similarity", "score",
                "explanation")) {
            assertTrue(first.has(f), "result lacks " + f + ": " + first);
        }
        assertEquals(1, first.get("rank").asInt());
        assertTrue(first.get("genres").isArray());
        assertTrue(first.get("similarity").isNumber());
        assertTrue(first.get("explanation").asText().contains("mm(bm25)"), first.get("explanation").asText());
        assertEquals("weighted", body.get("fusion").asText());
        assertTrue(body.get("note").isNull(), body.toString());
        assertTrue(body.get("ranker_version").isNull());
        assertTrue(first.get("reasons").isNull(), "reasons are a learned score's");
        assertTrue(body.get("model_version").asLong() > 0);
        assertTrue(body.get("has_collaborative").asBoolean());
    }

    @Test
    void learnedWithoutATrainedRankerFallsBackToWeightedAndSaysSo() throws Exception {
        JsonNode implicit = ok("/api/search?q=lord&user=10001&limit=5");
        assertEquals("weighted", implicit.get("fusion").asText(), "learned is the default, weighted served it");
        assertTrue(implicit.get("note").asText().startsWith("no learned ranker trained"), implicit.toString());
        JsonNode body = ok("/api/search?q=lord&user=10001&limit=5&fusion=learned&explain=true");
        assertEquals("weighted", body.get("fusion").asText(), "the fusion that served");
        assertTrue(body.get("note").asText().startsWith("no learned ranker trained"), body.toString());
        assertTrue(body.get("ranker_version").isNull());
        assertTrue(body.get("results").get(0).get("reasons").isNull(), "reasons are a learned score's");
    }

    @Test
    void withoutAUserFusionBm25IsPlainBm25() throws Exception {
        JsonNode body = ok("/api/search?q=lord&limit=20&fusion=bm25");
        assertFalse(body.get("personalized").asBoolean());
        assertTrue(body.get("user").isNull());
        double previous = Double.MAX_VALUE;
        int rank = 0;
        for (JsonNode r : body.get("results")) {
            assertEquals(++rank, r.get("rank").asInt());
            assertEquals(r.get("rank").asInt(), r.get("bm25_rank").asInt());
            assertTrue(r.get("similarity").isNull());
            assertTrue(r.get("bm25").asDouble() <= previous, "BM25 order broken at rank " + rank);
            previous = r.get("bm25").asDouble();
        }
    }

    @Test
    void theFantasyLoverSeesTheLordOfTheRingsFilmsAboveEveryNonFantasyFilm() throws Exception {
        for (int user : new int[] {10001, 20001}) {
            JsonNode results = ok("/api/search?q=lord&limit=20&user=" + user).get("results");
            assertTrue(maxRank(results, true) < minRank(results, false),
                    "user " + user + ": the Lord of the Rings films must rank above every non-Fantasy film: " + titles(results));
        }
    }

    @Test
    void theFantasyHaterSeesThemBelowEveryNonFantasyFilm() throws Exception {
        for (int user : new int[] {10002, 20002}) {
            JsonNode results = ok("/api/search?q=lord&limit=20&user=" + user).get("results");
            assertTrue(minRank(results, true) > maxRank(results, false),
                    "user " + user + ": the Lord of the Rings films must rank below every non-Fantasy film: " + titles(results));
        }
    }

    /** The lowest or highest rank among the LOTR films ({@code lotr}) or among the non-Fantasy films. */
    private static int minRank(JsonNode results, boolean lotr) {
        return ranks(results, lotr).stream().mapToInt(Integer::intValue).min().orElseThrow();
    }

    private static int maxRank(JsonNode results, boolean lotr) {
        return ranks(results, lotr).stream().mapToInt(Integer::intValue).max().orElseThrow();
    }

    private static List<Integer> ranks(JsonNode results, boolean lotr) {
        List<Integer> out = new ArrayList<>();
        for (JsonNode r : results) {
            boolean isLotr = LOTR.contains(r.get("movie_id").asInt());
            boolean fantasy = false;
            for (JsonNode g : r.get("genres")) fantasy |= g.asText().equals("Fantasy");
            if (lotr ? isLotr : !fantasy) out.add(r.get("rank").asInt());
        }
        if (lotr) assertEquals(4, out.size(), "all four Lord of the Rings films must be among the hits: " + titles(results));
        return out;
    }

    private static String titles(JsonNode results) {
        StringBuilder b = new StringBuilder();
        for (JsonNode r : results) b.append("\n  ").append(r.get("rank")).append(' ').append(r.get("title").asText())
                .append(' ').append(r.get("genres"));
        return b.toString();
    }

    @Test
    void aPostedRatingChangesTheNextSearch() throws Exception {
        ApiServer s = HttpFixture.server();
        assertEquals(404, HttpFixture.get("/api/users/" + NEW_USER).statusCode());
        assertEquals(404, HttpFixture.get("/api/search?q=lord&user=" + NEW_USER).statusCode());

        HttpResponse<String> posted = HttpFixture.post(s, "/api/users/" + NEW_USER + "/ratings",
                "{\"movie_id\": 4993, \"rating\": 5.0}", null);
        assertEquals(200, posted.statusCode(), posted.body());
        JsonNode p = json(posted);
        assertTrue(p.get("title").asText().startsWith("Lord of the Rings: The Fellowship of the Ring"), p.toString());
        assertFalse(p.get("replaced").asBoolean());
        assertTrue(p.get("has_embedding").asBoolean());
        double loved = similarityOf(ok("/api/search?q=lord&limit=20&user=" + NEW_USER), 4993);
        assertTrue(loved > 0, "after a 5.0 the movie must be similar to the user, got " + loved);

        posted = HttpFixture.post(s, "/api/users/" + NEW_USER + "/ratings", "{\"movie_id\": 4993, \"rating\": 0.5}", null);
        assertEquals(200, posted.statusCode(), posted.body());
        assertTrue(json(posted).get("replaced").asBoolean());
        double hated = similarityOf(ok("/api/search?q=lord&limit=20&user=" + NEW_USER), 4993);
        assertTrue(hated < 0, "right after replacing it with 0.5 the similarity must turn negative, got " + hated);

        JsonNode user = ok("/api/users/" + NEW_USER);
        assertEquals(1, user.get("rating_count").asInt());
        assertTrue(user.get("has_embedding").asBoolean());
    }

    private static double similarityOf(JsonNode body, int movie) {
        assertTrue(body.get("personalized").asBoolean(), body.toString());
        for (JsonNode r : body.get("results")) {
            if (r.get("movie_id").asInt() == movie) return r.get("similarity").asDouble();
        }
        throw new AssertionError("movie " + movie + " is not among the results");
    }

    @Test
    void writeRoutesNeedTheTokenWhenOneIsSet() throws Exception {
        try (ApiServer guarded = ApiServer.start(ApiServer.Options.loopback().withToken("s3cret-token"),
                HttpFixture.db(), HttpFixture.search())) {
            String path = "/api/users/" + TOKEN_USER + "/ratings";
            String body = "{\"movie_id\": 4993, \"rating\": 4.5}";
            HttpResponse<String> none = HttpFixture.post(guarded, path, body, null);
            assertEquals(401, none.statusCode());
            assertEquals("unauthorized", json(none).get("error").asText());
            assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
            assertEquals(401, HttpFixture.post(guarded, path, body, "Bearer s3cret-tokem").statusCode());
            assertEquals(401, HttpFixture.post(guarded, path, body, "s3cret-token").statusCode());
            assertEquals(404, HttpFixture.send(guarded, "GET", "/api/users/" + TOKEN_USER, "Bearer s3cret-token")
                    .statusCode(), "a refused write must not have written anything");
            assertEquals(200, HttpFixture.post(guarded, path, body, "Bearer s3cret-token").statusCode());
            assertEquals(200, HttpFixture.get(guarded, "/api/search?q=lord").statusCode(),
                    "searches without a user stay open");
        }
        assertEquals(200, HttpFixture.post(HttpFixture.server(), "/api/users/" + TOKEN_USER + "/ratings",
                "{\"movie_id\": 4993, \"rating\": 4.0}", null).statusCode(), "without a token, writes are open");
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', value = {
        "/api/search                                   | parameter 'q' is required",
        "/api/search?q=%20                             | parameter 'q' is required",
        "/api/search?q=lord&limit=0                    | parameter 'limit' must be an integer in 1-1000, got 0",
        "/api/search?q=lord&limit=ten                  | parameter 'limit' must be an integer in 1-1000 in plain decimal digits, got 'ten'",
        "/api/search?q=lord&limit=5&limit=6            | parameter 'limit' must be given at most once, got 2 values",
        "/api/search?q=lord&candidates=1001            | parameter 'candidates' must be an integer in 1-1000, got 1001",
        "/api/search?q=lord&alpha=1.5                  | parameter 'alpha' must be a number in 0-1, got '1.5'",
        "/api/search?q=lord&alpha=NaN                  | parameter 'alpha' must be a number in 0-1 in plain decimal notation (such as 0.25), got 'NaN'",
        "/api/search?q=lord&fusion=max                 | parameter 'fusion' must be weighted, linear, rrf, bm25 or learned, got 'max'",
        "/api/search?q=lord&explain=yes                | parameter 'explain' must be true or false, got 'yes'",
        "/api/search?q=lord&min_avg_rating=5.5         | parameter 'min_avg_rating' must be a number in 0-5, got '5.5'",
        "/api/search?q=lord&min_ratings=-1             | parameter 'min_ratings' must be an integer 0 or more, got -1",
        "/api/search?q=lord&year_from=1700             | parameter 'year_from' must be an integer in 1800-2100, got 1700",
        "/api/search?q=lord&year_to=3000               | parameter 'year_to' must be an integer in 1800-2100, got 3000",
        "/api/search?q=lord&year_from=2001&year_to=1999 | parameter 'year_from' must not be after 'year_to', got 2001 > 1999",
        "/api/search?q=lord&genre=                     | parameter 'genre' must not be empty",
        "/api/search?q=lord&genre=Westerns             | genre must be one of",
        "/api/search?q=lord&user=0                     | parameter 'user' must be an integer 1 or more, got 0",
        "/api/search?q=lord&user=ten                   | parameter 'user' must be an integer 1 or more in plain decimal digits, got 'ten'",
        "/api/search?q=lord&limt=5                     | unknown parameter 'limt'; allowed: alpha, candidates, explain, fusion",
        "/api/movies/abc                               | parameter 'id' must be an integer 1 or more in plain decimal digits, got 'abc'",
        "/api/movies/4993/similar?limit=0              | parameter 'limit' must be an integer in 1-1000, got 0",
        "/api/users/-3                                 | parameter 'id' must be an integer 1 or more, got -3",
        "/api/users?limit=5000                         | parameter 'limit' must be an integer in 1-1000, got 5000",
    })
    void eachBadParameterIsA400ThatSaysWhatIsAllowed(String path, String detail) throws Exception {
        HttpResponse<String> r = HttpFixture.get(path);
        assertEquals(400, r.statusCode(), r.body());
        JsonNode body = json(r);
        assertEquals("bad parameter", body.get("error").asText());
        assertTrue(body.get("detail").asText().contains(detail), "detail was: " + body.get("detail").asText());
    }

    @Test
    void aQueryThatDoesNotParseIsA400WithThePosition() throws Exception {
        HttpResponse<String> r = HttpFixture.get("/api/search?q=" + java.net.URLEncoder.encode("title:(lord", "UTF-8"));
        assertEquals(400, r.statusCode(), r.body());
        JsonNode body = json(r);
        assertEquals("query syntax error", body.get("error").asText());
        assertTrue(body.get("position").isInt(), body.toString());
        assertTrue(body.get("detail").asText().startsWith("parameter 'q': "), body.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"movie_id\": 4993, \"rating\": 6}          | 400 | field 'rating' must be 0.5-5.0 in steps of 0.5, got 6.0",
        "{\"movie_id\": 4993, \"rating\": 3.25}       | 400 | field 'rating' must be 0.5-5.0 in steps of 0.5, got 3.25",
        "{\"movie_id\": 4993, \"rating\": \"5\"}      | 400 | field 'rating' must be a number",
        "{\"movie_id\": 4993.5, \"rating\": 4}        | 400 | field 'movie_id' must be a positive integer, got 4993.5",
        "{\"rating\": 4}                              | 400 | field 'movie_id' must be a positive integer, got null",
        "{\"movie_id\": \"4993\", \"rating\": 4}      | 400 | field 'movie_id' must be a positive integer, got \"4993\"",
        "{\"movie_id\": 0, \"rating\": 4}             | 400 | field 'movie_id' must be a positive integer, got 0",
        "{\"movie_id\": 99999999999, \"rating\": 4}   | 400 | field 'movie_id' must be a positive integer, got 99999999999",
        "{\"movie_id\": 4993, \"rating\": true}       | 400 | field 'rating' must be a number in 0.5-5.0 in steps of 0.5, got true",
        "{\"movie_id\": 4993, \"rating\": null}       | 400 | field 'rating' must be a number in 0.5-5.0 in steps of 0.5, got null",
        "{\"movie_id\": 4993, \"movie_id\": 1, \"rating\": 4} | 400 | no key twice",
        "{\"movie_id\": 4993, \"rating\": 4, \"x\": 1} | 400 | unknown field 'x'; allowed: movie_id, rating",
        "[1, 2]                                       | 400 | request body must be a JSON object",
        "{\"movie_id\": 4993, \"rating\":              | 400 | request body must be JSON",
        "{\"movie_id\": 999999999, \"rating\": 4}     | 404 | unknown movie 999999999",
    })
    void aBadRatingIsRefusedWithWhatIsWrong(String body, int status, String detail) throws Exception {
        HttpResponse<String> r = HttpFixture.post(HttpFixture.server(), "/api/users/" + NEW_USER + "/ratings", body, null);
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(json(r).get("detail").asText().contains(detail), r.body());
    }

    @Test
    void aUserShowsRatingsEmbeddingAndTopGenres() throws Exception {
        JsonNode u = ok("/api/users/10002");
        assertEquals("Fantasy Hater", u.get("name").asText());
        assertEquals(50, u.get("rating_count").asInt());
        assertTrue(u.get("has_embedding").asBoolean());
        JsonNode top = u.get("top_genres").get(0);
        assertEquals("Fantasy", top.get("genre").asText());
        assertEquals(50, top.get("ratings").asInt());
        assertEquals(1.0, top.get("mean_rating").asDouble(), 1e-9);
        assertEquals(404, HttpFixture.get("/api/users/987654321").statusCode());
    }

    @Test
    void theUserListHasTheTestUsersAndTheMostActiveRealOnes() throws Exception {
        JsonNode body = ok("/api/users?limit=3");
        Set<Integer> tests = new TreeSet<>();
        for (JsonNode u : body.get("test_users")) tests.add(u.get("user_id").asInt());
        assertEquals(Set.of(10001, 10002, 20001, 20002), tests);
        assertEquals(3, body.get("users").size());
        long previous = Long.MAX_VALUE;
        for (JsonNode u : body.get("users")) {
            assertTrue(u.get("rating_count").asLong() <= previous);
            previous = u.get("rating_count").asLong();
            assertTrue(u.get("name").isNull());
        }
    }

    @Test
    void aMovieAndItsNearestNeighbours() throws Exception {
        JsonNode m = ok("/api/movies/4993");
        assertEquals("Lord of the Rings: The Fellowship of the Ring, The", m.get("title").asText());
        assertEquals(2001, m.get("year").asInt());
        assertTrue(m.get("genres").toString().contains("Fantasy"));
        assertTrue(m.get("has_embedding").asBoolean());
        assertTrue(m.get("rating_count").asInt() > 100);
        assertTrue(m.get("top_tags").isArray());
        assertEquals(404, HttpFixture.get("/api/movies/999999999").statusCode());

        JsonNode similar = ok("/api/movies/4993/similar?limit=5").get("results");
        assertEquals(5, similar.size());
        Set<Integer> ids = new HashSet<>();
        for (JsonNode n : similar) ids.add(n.get("movie_id").asInt());
        assertTrue(ids.contains(5952) || ids.contains(7153), "the other Jackson films must be near: " + similar);
        assertEquals(404, HttpFixture.get("/api/movies/999999999/similar").statusCode());
    }

    @Test
    void healthReportsDatabaseIndexAndModelUp() throws Exception {
        JsonNode h = ok("/api/health");
        assertEquals("up", h.get("status").asText());
        for (String part : List.of("database", "index", "model")) assertEquals("up", h.get(part).get("status").asText(), part);
        assertEquals(9742, h.get("index").get("movies").asInt());
        assertEquals(384, h.get("model").get("dimension").asInt());
    }

    @Test
    void metricsCountRequestsAndTimeThemPerRoute() throws Exception {
        ok("/api/search?q=king");
        HttpFixture.get("/api/movies/4993");
        HttpResponse<String> r = HttpFixture.get("/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        String text = r.body();
        assertTrue(text.contains("# TYPE reelrank_http_requests_total counter"));
        assertTrue(text.contains("# TYPE reelrank_http_request_duration_seconds histogram"));
        PrometheusText p = PrometheusText.parse(text);
        assertTrue(p.value("reelrank_http_requests_total", Map.of("route", "/api/search", "method", "GET", "status", "200")) >= 1, text);
        assertTrue(p.bucket("reelrank_http_request_duration_seconds", Double.POSITIVE_INFINITY,
                Map.of("route", "/api/movies/{id}", "method", "GET", "status", "200")) >= 1, text);
        // A label, not any digits: a JVM metric's value may well contain 4993.
        assertFalse(text.contains("/api/movies/4993"), "routes are labelled by pattern, never by id");
        assertEquals(io.reelrank.db.Database.POOL_SIZE, p.value("reelrank_db_pool_connections", Map.of("state", "max")));
        assertTrue(p.has("jvm_memory_used_bytes"), "the JVM's metrics are exposed too");
    }

    @Test
    void theOpenApiDescriptionDescribesEveryRouteAndOnlyThose() throws Exception {
        JsonNode spec = ok("/openapi.json");
        assertEquals("3.0.3", spec.get("openapi").asText());
        Set<String> described = new TreeSet<>();
        for (Iterator<String> p = spec.get("paths").fieldNames(); p.hasNext(); ) {
            String path = p.next();
            for (Iterator<String> m = spec.get("paths").get(path).fieldNames(); m.hasNext(); ) {
                described.add(m.next().toUpperCase(Locale.ROOT) + " " + path);
            }
        }
        assertEquals(new TreeSet<>(HttpFixture.server().routes()), described);
        Set<String> searchParams = new TreeSet<>();
        for (JsonNode p : spec.get("paths").get("/api/search").get("get").get("parameters")) searchParams.add(p.get("name").asText());
        assertEquals(new TreeSet<>(SearchRoute.PARAMS), searchParams);
        for (JsonNode p : spec.get("paths").get("/api/search").get("get").get("parameters")) {
            if (p.get("name").asText().equals("fusion")) {
                assertEquals(io.reelrank.rerank.PersonalizedSearch.DEFAULT_FUSION.toString(),
                        p.get("schema").get("default").asText(), "the documented default fusion must be the one the server uses");
            }
        }
    }

    @Test
    void thePageAndItsFilesAreServedFromTheJar() throws Exception {
        HttpResponse<String> page = HttpFixture.get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));
        assertTrue(page.body().contains("id=\"personalized\""));
        assertFalse(page.body().matches("(?s).*(src|href)=\"https?://.*"), "the page must load nothing from elsewhere");
        assertEquals(200, HttpFixture.get("/static/app.js").statusCode());
        assertEquals(200, HttpFixture.get("/static/app.css").statusCode());
        assertEquals(404, HttpFixture.get("/static/..%2Fopenapi.json").statusCode());
    }

    @Test
    void anUnknownRouteIsA404AndAWrongMethodA405() throws Exception {
        HttpResponse<String> r = HttpFixture.get("/api/nothing");
        assertEquals(404, r.statusCode());
        assertEquals("not found", json(r).get("error").asText());
        assertTrue(json(r).get("detail").asText().contains("GET /api/nothing"));
        HttpResponse<String> m = HttpFixture.post(HttpFixture.server(), "/api/search", "{}", null);
        assertEquals(405, m.statusCode());
        assertEquals("GET", m.headers().firstValue("Allow").orElse(""));
        assertNotEquals(-1, m.body().indexOf("\"error\""));
        assertNull(json(m).get("position"));
    }

    @Test
    void aMessageThatNamesAJavaClassIsRecognisedSoItIsNeverShown() {
        assertTrue(ApiServer.namesAClass("org.postgresql.util.PSQLException: Connection refused"));
        assertTrue(ApiServer.namesAClass("TooComplexToDeterminizeException: too many states"));
        assertTrue(ApiServer.namesAClass("failed at java.base/java.lang.Thread.run"));
        assertFalse(ApiServer.namesAClass("parameter 'limit' must be an integer in 1-1000, got 0"));
        assertFalse(ApiServer.namesAClass("genre must be one of Action, Adventure, got 'Westerns'"));
    }
}
