package io.reelrank.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One request as a handler sees it: the path parameters the router matched, the decoded query
 * parameters (a name may repeat), headers and the body. Handlers read from it and return a
 * {@link Reply}; they never touch the {@link HttpExchange}.
 */
final class Call {

    /** Larger bodies are refused with 413: the only body the API takes is one small rating. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private final HttpExchange exchange;
    private final Map<String, String> pathParams;
    private final Map<String, List<String>> query;

    Call(HttpExchange exchange, Map<String, String> pathParams) {
        this.exchange = exchange;
        this.pathParams = pathParams;
        this.query = parseQuery(exchange.getRequestURI().getRawQuery());
    }

    String method() {
        return exchange.getRequestMethod();
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
        return exchange.getRequestHeaders().getFirst(name);
    }

    byte[] body() throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] b = in.readNBytes(MAX_BODY_BYTES + 1);
            if (b.length > MAX_BODY_BYTES) {
                throw new ApiError(413, "body too large", "request body must be at most " + MAX_BODY_BYTES + " bytes");
            }
            return b;
        }
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
