package io.reelrank.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one Jackson mapper of the HTTP layer, its strict reader for request bodies (one JSON value,
 * nothing after it, no key twice) and the error body every failure is answered with.
 */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectReader STRICT = MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private Json() {}

    static Reply reply(Object value) {
        return Reply.json(bytes(value));
    }

    static Reply reply(int status, Object value) {
        return Reply.json(status, bytes(value));
    }

    static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    static JsonNode parse(byte[] body) {
        try {
            JsonNode n = STRICT.readTree(body);
            if (n == null || n.isMissingNode()) throw new ApiError(400, "bad body", "request body must be JSON, got an empty body");
            return n;
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new ApiError(400, "bad body", "request body must be JSON (one value, no key twice, nothing after it): " + e.getOriginalMessage()
                    + (at != null && at.getCharOffset() >= 0 ? " at character " + (at.getCharOffset() + 1) : ""));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Reply error(ApiError e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", e.error);
        m.put("detail", e.detail());
        if (e.position != null) m.put("position", e.position);
        return reply(e.status, m);
    }
}
