package io.reelrank.http;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The strict JSON of write routes: the media type a body must be sent with, and what does not parse. */
@Tag("unit")
class JsonTest {

    @Test
    void aBodyMustBeSentAsUtf8Json() {
        assertDoesNotThrow(() -> Json.requireJson("application/json"));
        assertDoesNotThrow(() -> Json.requireJson("Application/JSON; charset=\"UTF-8\""));
        ApiError none = assertThrows(ApiError.class, () -> Json.requireJson(null));
        assertEquals(415, none.status);
        assertEquals("request body must be sent with Content-Type: application/json, got no Content-Type",
                none.detail());
        assertTrue(assertThrows(ApiError.class, () -> Json.requireJson("application/jsonp")).detail()
                .endsWith("got 'application/jsonp'"));
        assertEquals("request body must be UTF-8 JSON, got charset 'latin1'",
                assertThrows(ApiError.class, () -> Json.requireJson("application/json; charset=latin1")).detail());
    }

    @Test
    void aRepeatedKeyOrTrailingContentIsABadBodyNamingWhere() {
        for (String body : new String[] {"{\"a\": 1, \"a\": 2}", "{\"a\": 1} {}", "{\"a\": 1} junk"}) {
            JsonProcessingException e = assertThrows(JsonProcessingException.class,
                    () -> Json.MAPPER.readValue(body, JsonNode.class), body);
            ApiError a = Json.badBody(e);
            assertEquals(400, a.status);
            assertTrue(a.detail().startsWith("request body must be JSON (one value, no key twice, nothing after it): "),
                    a.detail());
            assertTrue(a.detail().matches(".* at character \\d+ \\(line 1, column \\d+\\)"), a.detail());
        }
    }

    @Test
    void theReadersOwnWordsNeverReachTheClient() {
        String[][] cases = {
            {"{\"a\": 1}{}", "there is more after the JSON value; send exactly one value at character 9 (line 1, column 9)"},
            {"{\"a\": NaN}", "'NaN' is not a JSON value; numbers must be finite decimals"},
            {"{\"a\": 1, \"a\": 2}", "field 'a' appears twice"},
            {"{\"a\": 1", "the body ends before the JSON value is complete"},
            {"{a: 1}", "unexpected character 'a'; expected a field name in double quotes"},
            {"[1 2]", "unexpected character '2'; expected ',' or ']'"},
            {"{\"a\" 1}", "unexpected character '1'; expected ':'"},
            {"{\"a\": 01}", "a number has leading zeroes"},
        };
        for (String[] c : cases) {
            JsonProcessingException e = assertThrows(JsonProcessingException.class,
                    () -> Json.MAPPER.readValue(c[0], JsonNode.class), c[0]);
            String detail = Json.badBody(e).detail();
            assertTrue(detail.contains(c[1]), c[0] + " -> " + detail);
            assertTrue(!detail.matches("(?s).*(`|Feature|jackson|JsonNode|Exception|code \\d).*"), detail);
        }
    }
}
