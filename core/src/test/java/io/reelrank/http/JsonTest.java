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
            assertTrue(a.detail().matches(".* at character \\d+"), a.detail());
        }
    }
}
