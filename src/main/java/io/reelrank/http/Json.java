package io.reelrank.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/** The one Jackson mapper of the HTTP layer and the error body every failure is answered with. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

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
            return MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "bad body", "request body must be JSON: " + e.getOriginalMessage());
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
