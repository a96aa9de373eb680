package io.reelrank.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reelrank.service.Access;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Lints the shipped {@code /openapi.json} (read from the jar's resources, no server, no network) with
 * the rules a standard linter's recommended set applies (Redocly's {@code security-defined},
 * {@code no-empty-servers}, {@code operation-4xx-response}, {@code info-license},
 * {@code operation-operationId-unique}), plus the project's own: each operation's security matches
 * what {@link Guard} enforces on its route (public, key optional, key required with 401 and 403).
 */
@Tag("unit")
class OpenApiSpecTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode shipped() throws Exception {
        try (InputStream in = OpenApiSpecTest.class.getResourceAsStream("/web/openapi.json")) {
            return JSON.readTree(in);
        }
    }

    /** Every rule broken, as "rule: where". */
    static List<String> lint(JsonNode spec) {
        List<String> out = new ArrayList<>();
        JsonNode servers = spec.path("servers");
        if (!servers.isArray() || servers.isEmpty()) out.add("no-empty-servers: servers is missing or empty");
        for (JsonNode s : servers) {
            String url = s.path("url").asText("");
            if (url.isBlank() || url.contains("example.com") || (url.endsWith("/") && !url.equals("/"))) {
                out.add("server-url: '" + url + "'");
            }
        }
        if (spec.path("info").path("license").path("name").asText("").isBlank()) {
            out.add("info-license: info.license.name is missing");
        }
        Set<String> schemes = new HashSet<>();
        spec.path("components").path("securitySchemes").fieldNames().forEachRemaining(schemes::add);
        boolean rootSecurity = spec.has("security");
        Set<String> ids = new HashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = spec.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                String where = op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
                JsonNode o = op.getValue();
                String id = o.path("operationId").asText("");
                if (id.isBlank() || !ids.add(id)) out.add("operation-operationId-unique: " + where);
                if (!o.has("security") && !rootSecurity) out.add("security-defined: " + where);
                for (JsonNode req : o.path("security")) {
                    req.fieldNames().forEachRemaining(n -> {
                        if (!schemes.contains(n)) out.add("security-defined: " + where + " names unknown scheme " + n);
                    });
                }
                boolean has4xx = false;
                for (Iterator<String> codes = o.path("responses").fieldNames(); codes.hasNext(); ) {
                    String c = codes.next();
                    if (c.startsWith("4")) has4xx = true;
                }
                if (!has4xx) out.add("operation-4xx-response: " + where);
                guardRule(where, o).ifPresent(out::add);
            }
        }
        return out;
    }

    /** The operation's declared security against what {@link Guard} does on its route. */
    private static java.util.Optional<String> guardRule(String where, JsonNode o) {
        String route = where.substring(where.indexOf(' ') + 1);
        boolean anonymous = false;
        boolean bearer = false;
        for (JsonNode req : o.path("security")) {
            if (req.isEmpty()) anonymous = true;
            if (req.has("bearer")) bearer = true;
        }
        boolean none = o.path("security").isArray() && o.path("security").isEmpty();
        Access.Action action = Guard.ACTIONS.get(where);
        if (Guard.PUBLIC.contains(route)) {
            return none || anonymous ? java.util.Optional.empty()
                    : java.util.Optional.of("guard: " + where + " is public but declares a key as required");
        }
        if (action == null) return java.util.Optional.of("guard: " + where + " has no rule in Guard.ACTIONS");
        boolean open = action == Access.Action.SEARCH || action == Access.Action.READ_CATALOG;
        if (open && !(anonymous && bearer)) {
            return java.util.Optional.of("guard: " + where + " answers with or without a key: security must be "
                    + "[{}, {bearer: []}]");
        }
        if (!open && (anonymous || !bearer || !o.path("responses").has("401") || !o.path("responses").has("403"))) {
            return java.util.Optional.of("guard: " + where + " needs a key: security [{bearer: []}] with 401 and 403");
        }
        return java.util.Optional.empty();
    }

    @Test
    void everyFieldOfASearchAnswerServedUnderAnExperimentIsDescribed() throws Exception {
        io.reelrank.rerank.PersonalizedSearch.Result r = new io.reelrank.rerank.PersonalizedSearch.Result(1, 7,
                "Seven", 1995, List.of("Thriller"), 3.2, 1, 0.4, 1.1, 80, 0.9, true, "why");
        io.reelrank.rerank.PersonalizedSearch.Response res = new io.reelrank.rerank.PersonalizedSearch.Response(
                "seven", 3, true, false, io.reelrank.rerank.Fusion.WEIGHTED,
                io.reelrank.rerank.Weights.DEFAULT, 100, 1, 2, true, List.of(r));
        JsonNode body = JSON.readTree(Json.write(SearchJson.of(res).withRequestId("0".repeat(32))
                .withExperiment(4, List.of("B"), true), false));
        assertEquals(4, body.get("experiment").asInt());
        assertEquals("interleaved", body.get("fusion").asText());
        assertEquals("B", body.get("results").get(0).get("arm").asText());
        JsonNode schemas = shipped().path("components").path("schemas");
        Set<String> missing = new TreeSet<>();
        body.fieldNames().forEachRemaining(f -> {
            if (!schemas.path("SearchResponse").path("properties").has(f)) missing.add("SearchResponse." + f);
        });
        body.get("results").get(0).fieldNames().forEachRemaining(f -> {
            if (!schemas.path("SearchResult").path("properties").has(f)) missing.add("SearchResult." + f);
        });
        assertEquals(Set.of(), missing);
        // outside an experiment neither field is sent
        JsonNode plain = JSON.readTree(Json.write(SearchJson.of(res), false));
        assertEquals(false, plain.has("experiment"));
        assertEquals(false, plain.get("results").get(0).has("arm"));
    }

    @Test
    void theShippedSpecPassesEveryRule() throws Exception {
        assertEquals(List.of(), lint(shipped()));
    }

    @Test
    void everyGuardedRouteIsDescribedAndEveryDescribedRouteGuarded() throws Exception {
        Set<String> described = new TreeSet<>();
        JsonNode paths = shipped().path("paths");
        paths.fieldNames().forEachRemaining(p -> paths.get(p).fieldNames().forEachRemaining(m -> described.add(
                m.toUpperCase(Locale.ROOT) + " " + p)));
        Set<String> guarded = new TreeSet<>(Guard.ACTIONS.keySet());
        for (String p : Guard.PUBLIC) guarded.add("GET " + p);
        assertEquals(guarded, described);
    }

    @Test
    void aSpecWithTheReportedGapsFailsEachRule() throws Exception {
        ObjectNode spec = (ObjectNode) shipped().deepCopy();
        spec.putArray("servers");
        ((ObjectNode) spec.get("info")).remove("license");
        ObjectNode rate = (ObjectNode) spec.get("paths").get("/api/users/{id}/ratings").get("post");
        rate.remove("security");
        ObjectNode metrics = (ObjectNode) spec.get("paths").get("/metrics").get("get");
        ((ObjectNode) metrics.get("responses")).remove("401");
        ObjectNode genres = (ObjectNode) spec.get("paths").get("/api/genres").get("get");
        genres.putArray("security").addObject().putArray("bearer");
        assertEquals(List.of("no-empty-servers: servers is missing or empty",
                "info-license: info.license.name is missing",
                "guard: GET /api/genres answers with or without a key: security must be [{}, {bearer: []}]",
                "security-defined: POST /api/users/{id}/ratings",
                "guard: POST /api/users/{id}/ratings needs a key: security [{bearer: []}] with 401 and 403",
                "operation-4xx-response: GET /metrics"), lint(spec));
    }
}
