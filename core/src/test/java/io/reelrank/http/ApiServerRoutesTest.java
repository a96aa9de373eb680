package io.reelrank.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelrank.rerank.PersonalizedSearch;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The route table as clients meet it over real HTTP: a HEAD is answered by its GET route without the
 * body, a path known under other methods is a 405 listing them in {@code Allow}, any other path a 404
 * (an extra segment, an empty parameter, a trailing slash), an absent parameter takes its default,
 * every answer carries the same security headers, and the server lists its routes as Javalin holds them.
 */
@Tag("integration")
class ApiServerRoutesTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    static HttpResponse<String> send(String method, String path) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(HttpFixture.uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aHeadIsAnsweredByTheGetRouteWithItsHeadersAndNoBody() throws Exception {
        HttpResponse<String> get = send("GET", "/api/movies/4993");
        HttpResponse<String> head = send("HEAD", "/api/movies/4993");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals(get.headers().firstValue("Content-Type"), head.headers().firstValue("Content-Type"));
        assertEquals(get.headers().firstValue("Content-Length"), head.headers().firstValue("Content-Length"));
        assertEquals(404, send("HEAD", "/api/users/987654321").statusCode(), "the GET route decides the status");
        assertTrue(send("HEAD", "/").headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    }

    @ParameterizedTest(name = "{0} {1} → Allow: {2}")
    @CsvSource(delimiter = '|', value = {
        "GET    | /api/users/7/ratings | POST",
        "PUT    | /api/search          | GET",
        "DELETE | /api/movies/4993     | GET",
        "POST   | /                    | GET",
    })
    void aPathKnownUnderOtherMethodsIsA405ListingThem(String method, String path, String allowed) throws Exception {
        HttpResponse<String> r = send(method, path);
        assertEquals(405, r.statusCode(), r.body());
        assertEquals(allowed, r.headers().firstValue("Allow").orElse(""));
        JsonNode body = JSON.readTree(r.body());
        assertEquals("method not allowed", body.get("error").asText());
        assertEquals(method + " is not allowed on " + path + "; allowed: " + allowed, body.get("detail").asText());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/api/movies", "/api/movies/", "/api/search/", "/api/movies/1/2", "/api/movies//similar",
        "/static/", "/nothing"})
    void anyOtherPathIsA404InJson(String path) throws Exception {
        HttpResponse<String> r = send("GET", path);
        assertEquals(404, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("not found", body.get("error").asText());
        assertEquals("no route for GET " + path + "; see /openapi.json", body.get("detail").asText());
    }

    @Test
    void anAbsentParameterGivesItsDefault() throws Exception {
        JsonNode search = JSON.readTree(send("GET", "/api/search?q=king").body());
        assertEquals(10, search.get("results").size());
        assertEquals(PersonalizedSearch.DEFAULT_CANDIDATES, search.get("candidates").asInt());
        assertEquals(PersonalizedSearch.defaultFusion(null).toString(), search.get("fusion").asText(), "without a user");
        assertTrue(search.get("note").isNull(), "no note for a default that applies: " + search);
        assertEquals(10, JSON.readTree(send("GET", "/api/movies/4993/similar").body()).get("results").size());
        assertEquals(20, JSON.readTree(send("GET", "/api/users").body()).get("users").size());
    }

    @Test
    void everyAnswerCarriesTheSecurityHeaders() throws Exception {
        for (String path : List.of("/api/search?q=lord", "/api/search", "/nothing", "/static/app.js", "/")) {
            HttpResponse<String> r = send("GET", path);
            assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""), path);
            assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""), path);
            assertEquals(ApiServer.CSP, r.headers().firstValue("Content-Security-Policy").orElse(""), path);
        }
    }

    @Test
    void theServerListsEachRouteOnceWithoutItsHead() {
        List<String> routes = HttpFixture.server().routes();
        assertEquals(16, routes.size(), routes.toString());
        assertTrue(routes.contains("GET /api/movies/{id}/similar") && routes.contains("POST /api/users/{id}/ratings")
                && routes.contains("POST /api/events"), routes.toString());
        assertTrue(routes.stream().noneMatch(r -> r.startsWith("HEAD ")), routes.toString());
    }
}
