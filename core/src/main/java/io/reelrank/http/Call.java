package io.reelrank.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One request as a handler sees it: the path parameters the router matched, the decoded query
 * parameters (a name may repeat), headers and the body (a JSON body read strictly through
 * {@link #json()}). Handlers read from it and return a {@link Reply}; they never touch Javalin's
 * {@link Context}, which only the dispatcher sees.
 */
final class Call {

    /** Larger bodies are refused with 413: the only body the API takes is one small rating. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private final Context ctx;
    private final Map<String, String> pathParams;
    private final Map<String, List<String>> query;

    Call(Context ctx, Map<String, String> pathParams) {
        this.ctx = ctx;
        this.pathParams = pathParams;
        this.query = parseQuery(ctx.req().getQueryString());
    }

    String method() {
        return ctx.req().getMethod();
    }

    String path(String name) {
        return pathParams.get(name);
    }

    /** Query parameters in the order they came, each with all its values. */
    Map<String, List<String>> query() {
        return query;
    }

    /** The single value of a query parameter, null when absent; a repeated one is a 400. */
    String param(String name) {
        List<String> v = query.get(name);
        if (v == null) return null;
        if (v.size() > 1) {
            throw ApiError.badParameter("parameter '" + name + "' must be given at most once, got " + v.size() + " values");
        }
        return v.get(0);
    }

    List<String> params(String name) {
        return query.getOrDefault(name, Collections.emptyList());
    }

    String header(String name) {
        return ctx.req().getHeader(name);
    }

    byte[] body() throws IOException {
        long declared = ctx.req().getContentLengthLong();
        if (declared > MAX_BODY_BYTES) throw tooLarge(declared + " were announced");
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] b = in.readNBytes(MAX_BODY_BYTES + 1);
            if (b.length > MAX_BODY_BYTES) throw tooLarge("more were sent");
            return b;
        }
    }

    private static ApiError tooLarge(String got) {
        return new ApiError(413, "body too large", "request body must be at most " + MAX_BODY_BYTES + " bytes, " + got);
    }

    /**
     * The body as one JSON value, strictly: the request must say {@code Content-Type: application/json}
     * (415 otherwise, so a cross-site form cannot post), and trailing content or a repeated key is a 400.
     */
    JsonNode json() throws IOException {
        String type = header("Content-Type");
        String media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!media.equals("application/json")) {
            throw new ApiError(415, "unsupported media type", "request body must be sent with Content-Type: "
                    + "application/json, got " + (type == null ? "no Content-Type" : "'" + safe(type) + "'"));
        }
        String charset = type.toLowerCase(Locale.ROOT).replaceAll(".*charset=\\s*\"?([^\";\\s]*).*", "$1");
        if (type.toLowerCase(Locale.ROOT).contains("charset=") && !charset.equals("utf-8")) {
            throw new ApiError(415, "unsupported media type", "request body must be UTF-8 JSON, got charset '"
                    + safe(charset) + "'");
        }
        return Json.parse(body());
    }

    /** A request-supplied string fit to quote in an error: printable characters only, at most 200 of them. */
    static String safe(String s) {
        if (s == null) return "";
        String clean = s.replaceAll("[\\p{Cntrl}]", "?");
        return clean.length() > 200 ? clean.substring(0, 200) + "…" : clean;
    }

    static Map<String, List<String>> parseQuery(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return out;
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.computeIfAbsent(k, x -> new ArrayList<>(1)).add(v);
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiError.badParameter("malformed percent-encoding in the query string near '" + s + "'");
        }
    }
}
