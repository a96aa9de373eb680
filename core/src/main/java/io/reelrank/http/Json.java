package io.reelrank.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one Jackson mapper of the HTTP layer and of the CLI's {@code --json}: records in, records out,
 * their components written in snake case in declaration order ({@code movieId} → {@code movie_id});
 * request bodies read strictly (one JSON value, nothing after it, no key twice, no unknown field, no
 * string or fraction taken for a number); and the error body every failure is answered with.
 */
final class Json {

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** The body of every error answer; {@code position} (of a query syntax error) only when known. */
    record ErrorBody(String error, String detail, @JsonInclude(JsonInclude.Include.NON_NULL) Integer position) {}

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

    static String write(Object value, boolean pretty) {
        try {
            return pretty ? MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value) : MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    static JsonNode parse(byte[] body) {
        try {
            JsonNode n = MAPPER.readTree(body);
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
        return reply(e.status, new ErrorBody(e.error, e.detail(), e.position));
    }
}
