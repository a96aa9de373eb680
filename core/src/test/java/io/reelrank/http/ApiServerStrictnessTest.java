package io.reelrank.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the server takes and refuses, over real sockets: numbers only in plain decimal notation, query
 * strings only in UTF-8, methods only those it implements (unknown ones 501, {@code OPTIONS *} the list,
 * all in JSON), and bodies that are not one strict JSON value refused in the API's own words, never
 * the JSON reader's class or setting names.
 */
@Tag("integration")
class ApiServerStrictnessTest {

    static final int STRICT_USER = 39321;
    /** What no error body may contain: Java classes, the JSON reader's names, stack fragments. */
    static final String LIBRARY = "(?s).*(Exception|com\\.fasterxml|jackson|Jackson|Feature|JsonNode|`|org\\.eclipse|"
            + "java\\.|\\tat ).*";

    @AfterAll
    static void removeTheUsersTheTestsCreated() throws Exception {
        HttpFixture.deleteUsers(STRICT_USER);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "alpha=0x1p-2       | alpha | '0x1p-2'",
        "alpha=1d           | alpha | '1d'",
        "alpha=1e-1         | alpha | '1e-1'",
        "alpha=NaN          | alpha | 'NaN'",
        "alpha=%2B0.5       | alpha | '+0.5'",
        "limit=%2B5         | limit | '+5'",
        "limit=0x10         | limit | '0x10'",
        "limit=1e1          | limit | '1e1'",
        "min_avg_rating=4f  | min_avg_rating | '4f'",
    })
    void numbersOtherThanPlainDecimalsAre400NamingParameterValueAndForm(String param, String name, String value)
            throws Exception {
        HttpResponse<String> r = HttpFixture.get("/api/search?q=lord&" + param);
        assertEquals(400, r.statusCode(), r.body());
        String detail = ApiServerLimitsTest.JSON.readTree(r.body()).get("detail").asText();
        assertTrue(detail.contains("parameter '" + name + "'"), detail);
        assertTrue(detail.contains(value), detail);
        assertTrue(detail.contains("plain decimal"), detail);
    }

    @Test
    void plainDecimalsAreStillTaken() throws Exception {
        for (String p : new String[] {"alpha=0.25", "alpha=.5", "alpha=1", "limit=5", "limit=%205%20", "min_avg_rating=3."}) {
            HttpResponse<String> r = HttpFixture.get("/api/search?q=lord&user=10001&" + p);
            assertEquals(200, r.statusCode(), p + ": " + r.body());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"q=%C3%28", "q=lord%FF", "q=%ED%A0%80", "genre=%C0%AF"})
    void aQueryStringThatIsNotUtf8Is400(String query) throws Exception {
        HttpResponse<String> direct = HttpFixture.get("/api/search?" + query + (query.startsWith("q=") ? "" : "&q=lord"));
        assertEquals(400, direct.statusCode(), direct.body());
        assertTrue(direct.body().contains("UTF-8"), direct.body());
        assertFalse(direct.body().matches(LIBRARY), direct.body());
    }

    @Test
    void rawBytesThatAreNotUtf8InTheQueryAre400() throws Exception {
        byte[] head = "GET /api/search?q=lord\377 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        String r = ApiServerLimitsTest.raw(HttpFixture.server(), new String(head, java.nio.charset.StandardCharsets.ISO_8859_1));
        assertEquals(400, ApiServerLimitsTest.status(r), r);
        assertFalse(r.toLowerCase(Locale.ROOT).contains("<html"), r);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"FOO /api/search?q=lord", "PROPFIND /", "BREW /api/health"})
    void aMethodTheServerDoesNotImplementIs501InJson(String requestLine) throws Exception {
        String r = ApiServerLimitsTest.raw(HttpFixture.server(), requestLine + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(501, ApiServerLimitsTest.status(r), r);
        assertTrue(r.toLowerCase(Locale.ROOT).contains("content-type: application/json"), r);
        JsonNode b = ApiServerLimitsTest.body(r);
        assertEquals("not implemented", b.get("error").asText(), r);
        assertTrue(b.get("detail").asText().contains(requestLine.split(" ")[0] + " is not a method"), r);
        assertFalse(r.matches(LIBRARY), r);
    }

    @Test
    void aConnectToAnotherHostIsRefusedInJson() throws Exception {
        String r = ApiServerLimitsTest.raw(HttpFixture.server(), "CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n"
                + "Connection: close\r\n\r\n");
        assertTrue(ApiServerLimitsTest.status(r) == 400 || ApiServerLimitsTest.status(r) == 501, r);
        assertTrue(r.toLowerCase(Locale.ROOT).contains("content-type: application/json"), r);
        assertTrue(ApiServerLimitsTest.body(r).get("detail").isTextual(), r);
        assertFalse(r.matches(LIBRARY), r);
    }

    @Test
    void aKnownMethodOnARouteWithoutItIs405WithAllow() throws Exception {
        String r = ApiServerLimitsTest.raw(HttpFixture.server(), "PUT /api/search?q=lord HTTP/1.1\r\nHost: x\r\n"
                + "Content-Length: 0\r\nConnection: close\r\n\r\n");
        assertEquals(405, ApiServerLimitsTest.status(r), r);
        assertEquals("method not allowed", ApiServerLimitsTest.body(r).get("error").asText(), r);
    }

    @Test
    void optionsStarListsTheMethodsInJson() throws Exception {
        String r = ApiServerLimitsTest.raw(HttpFixture.server(), "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(200, ApiServerLimitsTest.status(r), r);
        assertTrue(r.contains("Allow: GET, HEAD, POST"), r);
        assertEquals("GET", ApiServerLimitsTest.body(r).get("allow").get(0).asText(), r);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"movie_id\": 1, \"rating\": 4}{}              | there is more after the JSON value | character 29",
        "{\"movie_id\": 1, \"rating\": NaN}              | 'NaN' is not a JSON value           | line 1",
        "{\"movie_id\": 1, \"rating\": 4, \"rating\": 5} | field 'rating' appears twice         | line 1",
        "{\"movie_id\": 1, \"rating\": 4                 | ends before the JSON value is complete | line 1",
        "{\"movie_id\": 01, \"rating\": 4}               | leading zeroes                       | line 1",
        "{movie_id: 1}                                   | expected a field name in double quotes | column 2",
        "{\"movie_id\" 1}                                | expected ':'                         | line 1",
        "junk                                            | 'junk' is not a JSON value           | line 1",
    })
    void aBodyThatIsNotStrictJsonIs400InTheApisWords(String body, String reason, String where) throws Exception {
        HttpResponse<String> r = ApiServerLimitsTest.post(STRICT_USER, "application/json", body);
        assertEquals(400, r.statusCode(), r.body());
        String detail = ApiServerLimitsTest.JSON.readTree(r.body()).get("detail").asText();
        assertTrue(detail.contains(reason), detail);
        assertTrue(detail.contains(where), detail);
        assertFalse(r.body().matches(LIBRARY), r.body());
        assertEquals(404, HttpFixture.get("/api/users/" + STRICT_USER).statusCode(), "a refused body writes nothing");
    }
}
