package io.reelrank.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The route table: method, path pattern ({@code /api/movies/{id}}: literal segments and one-segment
 * parameters), whether the route writes (and so needs the API token when one is set) and its
 * handler. {@link #match} finds the route for a request; the pattern doubles as the route's metrics
 * label and its key in the OpenAPI description.
 */
final class Router {

    @FunctionalInterface
    interface Handler {
        Reply handle(Call call) throws Exception;
    }

    record Route(String method, String pattern, boolean write, Handler handler) {
        String[] segments() {
            return pattern.equals("/") ? new String[0] : pattern.substring(1).split("/", -1);
        }
    }

    /** A matched route with its path parameters; {@code route} is null when only {@code allowed} is known. */
    record Match(Route route, Map<String, String> params, Set<String> allowed) {}

    private final List<Route> routes = new ArrayList<>();

    Router get(String pattern, Handler h) {
        routes.add(new Route("GET", pattern, false, h));
        return this;
    }

    Router post(String pattern, Handler h) {
        routes.add(new Route("POST", pattern, true, h));
        return this;
    }

    List<Route> routes() {
        return List.copyOf(routes);
    }

    /**
     * The route for {@code method path}; a match with a null route and non-empty {@code allowed} when
     * the path exists under other methods (405); null when no route has the path (404).
     */
    Match match(String method, String path) {
        String[] parts = path.equals("/") ? new String[0] : path.substring(1).split("/", -1);
        Set<String> allowed = new TreeSet<>();
        for (Route r : routes) {
            Map<String, String> params = bind(r.segments(), parts);
            if (params == null) continue;
            // HEAD is answered by the GET route without a body.
            if (r.method().equals(method) || (method.equals("HEAD") && r.method().equals("GET"))) {
                return new Match(r, params, Set.of());
            }
            allowed.add(r.method());
        }
        return allowed.isEmpty() ? null : new Match(null, Map.of(), allowed);
    }

    private static Map<String, String> bind(String[] pattern, String[] parts) {
        if (pattern.length != parts.length) return null;
        Map<String, String> params = null;
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("}")) {
                if (parts[i].isEmpty()) return null;
                if (params == null) params = new LinkedHashMap<>();
                params.put(p.substring(1, p.length() - 1), parts[i]);
            } else if (!p.equals(parts[i])) {
                return null;
            }
        }
        return params == null ? Map.of() : params;
    }
}
