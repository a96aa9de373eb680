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
import io.javalin.http.Context;
import java.util.Locale;

/**
 * The one Jackson mapper of the HTTP layer and of the CLI's {@code --json}: records in, records out,
 * their components written in snake case in declaration order ({@code movieId} → {@code movie_id});
 * request bodies read strictly (one JSON value, nothing after it, no key twice, no unknown field, no
 * string or fraction taken for a number); and the error body every failure is answered with. The server
 * registers {@link #MAPPER} as Javalin's JSON mapper, so {@code ctx.json(…)} and
 * {@code ctx.bodyAsClass(…)} use it; {@link #requestBody} is how a write route reads its body.
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

    /** The Content-Type of the JSON Jetty writes itself (its error pages) and of the OpenAPI file. */
    static final String CONTENT_TYPE = "application/json; charset=utf-8";

    /** The body of every error answer; {@code position} (of a query syntax error) only when known. */
    record ErrorBody(String error, String detail, @JsonInclude(JsonInclude.Include.NON_NULL) Integer position) {}

    private Json() {}

    static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    static String write(Object value, boolean pretty) {
        try {
            return pretty ? MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value)
                    : MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /**
     * The request body as one JSON value, read by the registered mapper: the request must say
     * {@code Content-Type: application/json} in UTF-8 ({@link #requireJson}); a body that does not parse
     * strictly throws Jackson's exception, which {@link ExceptionMappers} answers with {@link #badBody}.
     */
    static JsonNode requestBody(Context ctx) {
        requireJson(ctx.header("Content-Type"));
        if (ctx.bodyAsBytes().length == 0) {
            throw new ApiError(400, "bad body", "request body must be JSON, got an empty body");
        }
        return ctx.bodyAsClass(JsonNode.class);
    }

    /**
     * Refuses (415) a body not sent as {@code application/json} (so a cross-site form cannot post) or sent
     * in a charset other than UTF-8; {@code type} is the request's Content-Type header, null when absent.
     */
    static void requireJson(String type) {
        String media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!media.equals("application/json")) {
            throw new ApiError(415, "unsupported media type", "request body must be sent with Content-Type: "
                    + "application/json, got " + (type == null ? "no Content-Type" : "'" + ApiError.safe(type) + "'"));
        }
        String lower = type.toLowerCase(Locale.ROOT);
        String charset = lower.replaceAll(".*charset=\\s*\"?([^\";\\s]*).*", "$1");
        if (lower.contains("charset=") && !charset.equals("utf-8")) {
            throw new ApiError(415, "unsupported media type", "request body must be UTF-8 JSON, got charset '"
                    + ApiError.safe(charset) + "'");
        }
    }

    /** The 400 of a body that is not one strict JSON value, with Jackson's reason and where it stopped. */
    static ApiError badBody(JsonProcessingException e) {
        var at = e.getLocation();
        return new ApiError(400, "bad body", "request body must be JSON (one value, no key twice, nothing after it): "
                + e.getOriginalMessage() + (at != null && at.getCharOffset() >= 0 ? " at character "
                + (at.getCharOffset() + 1) : ""));
    }
}
