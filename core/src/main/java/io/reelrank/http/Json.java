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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
     * The charset parameter of a (lower-cased) Content-Type: its value without quotes (the last, when a
     * header repeats it). Compiled once: a rating post checks it.
     */
    private static final java.util.regex.Pattern CHARSET = java.util.regex.Pattern.compile(
            "charset=\\s*\"?([^\";\\s]*)");

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
        java.util.regex.Matcher m = CHARSET.matcher(lower);
        String charset = null;
        while (m.find()) charset = m.group(1);
        if (charset != null && !charset.equals("utf-8")) {
            throw new ApiError(415, "unsupported media type", "request body must be UTF-8 JSON, got charset '"
                    + ApiError.safe(charset) + "'");
        }
    }

    /**
     * The 400 of a body that is not one strict JSON value: what was wrong, in the API's words (never the
     * reader's, which name its classes and settings), and where the reader stopped.
     */
    static ApiError badBody(JsonProcessingException e) {
        var at = e.getLocation();
        String where = "";
        if (at != null && at.getLineNr() > 0) {
            where = " at " + (at.getCharOffset() >= 0 ? "character " + (at.getCharOffset() + 1) + " (" : "")
                    + "line " + at.getLineNr() + ", column " + at.getColumnNr()
                    + (at.getCharOffset() >= 0 ? ")" : "");
        }
        return new ApiError(400, "bad body", "request body must be JSON (one value, no key twice, nothing after it): "
                + reason(e) + where);
    }

    private static final String VALUE = "expected a string, number, object, array, true, false or null";
    private static final Pattern QUOTED = Pattern.compile("'([^']{0,40})'");
    private static final Pattern CHARACTER = Pattern.compile("\\('(.{1,2})' \\(code \\d+\\)\\)");

    /** What the reader found wrong, said in the API's words; its own message is never passed on. */
    static String reason(JsonProcessingException e) {
        String m = String.valueOf(e.getOriginalMessage());
        String quoted = group(QUOTED, m);
        String character = group(CHARACTER, m);
        if (m.startsWith("Trailing token")) return "there is more after the JSON value; send exactly one value";
        if (m.startsWith("Duplicate field")) return "field '" + ApiError.safe(quoted) + "' appears twice";
        if (m.startsWith("Non-standard token")) {
            return "'" + ApiError.safe(quoted) + "' is not a JSON value; numbers must be finite decimals";
        }
        if (m.startsWith("Unrecognized token")) return "'" + ApiError.safe(quoted) + "' is not a JSON value; " + VALUE;
        if (m.startsWith("Unexpected end-of-input")) return "the body ends before the JSON value is complete";
        if (m.contains("Leading zeroes")) return "a number has leading zeroes";
        if (m.startsWith("Invalid UTF-8") || m.contains("Invalid UTF-8")) return "the body is not UTF-8";
        if (m.startsWith("Illegal character") || m.startsWith("Illegal unquoted character")) {
            return "a control character where it is not allowed (inside a string it must be escaped)";
        }
        if (m.contains("out of range")) return "a number is out of range";
        if (m.startsWith("Unexpected character") && character != null) {
            String c = "unexpected character '" + ApiError.safe(character) + "'; ";
            if (m.contains("start field name")) return c + "expected a field name in double quotes";
            if (m.contains("separate Object entries")) return c + "expected ',' or '}'";
            if (m.contains("separate Array entries")) return c + "expected ',' or ']'";
            if (m.contains("colon")) return c + "expected ':'";
            return c + VALUE;
        }
        if (m.startsWith("No content") || m.contains("end-of-input")) return "the body is empty or ends early";
        return "it does not parse as one JSON value";
    }

    private static String group(Pattern p, String s) {
        Matcher m = p.matcher(s);
        return m.find() ? m.group(1) : null;
    }
}
