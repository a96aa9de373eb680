package io.reelrank.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.reelrank.service.Access;
import io.reelrank.service.Keys;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Each client's share of the server's work, against a real server over real sockets: fifty concurrent
 * 208-term prefix queries from one client (each allowed on its own) use up that client's share and are
 * answered 429 with {@code Retry-After}, while another client's searches, sent meanwhile, are all
 * answered 200; and the refusals are counted in {@code /metrics}. Both connect from loopback and are
 * told apart by their keys, which the server has seen before; a made-up key buys no share of its own.
 * The server's share is set so that one hostile query fits and a second does not, however fast the
 * machine is; nothing here measures time.
 */
@Tag("integration")
class ApiServerClientLimitsTest {

    /** 208 two-letter prefixes (aa* … hz*), each matching many title and tag terms. */
    static String prefixQuery() {
        StringBuilder q = new StringBuilder();
        for (char a = 'a'; a <= 'h'; a++) {
            for (char b = 'a'; b <= 'z'; b++) q.append(a).append(b).append("* ");
        }
        return q.toString().trim();
    }

    static HttpRequest search(ApiServer s, String q, String key) {
        return HttpRequest.newBuilder(s.uri().resolve("/api/search?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(120)).header("Authorization", "Bearer " + key).GET().build();
    }

    /** Two admin keys made for a test, removed again after it. */
    static List<String> keys(List<String> ids) throws Exception {
        List<String> out = new ArrayList<>();
        try (Keys keys = new Keys(HttpFixture.db(), null)) {
            for (int i = 0; i < 2; i++) {
                Keys.Created k = keys.create(Access.Role.ADMIN, null, "ApiServerClientLimitsTest");
                ids.add(k.keyId());
                out.add(k.key());
            }
        }
        return out;
    }

    static void removeKeys(List<String> ids) throws Exception {
        try (Connection c = HttpFixture.db().connect(); Statement st = c.createStatement()) {
            st.execute("DELETE FROM api_keys WHERE key_id = ANY ('{" + String.join(",", ids) + "}')");
        }
    }

    @Test
    void aClientSendingFiftyCostlyQueriesAtOnceGets429sWhileAnotherClientsSearchesAnswer() throws Exception {
        String hostile = prefixQuery();
        long cost = SearchRoute.cost(hostile, io.reelrank.rerank.PersonalizedSearch.DEFAULT_CANDIDATES, false);
        assertEquals(ClientLimits.BASE_COST + 416 * ClientLimits.MULTI_TERM_COST, cost, "208 prefixes on 2 fields");
        // One hostile query fits in a bucket, a second does not; the refill (1 unit/s) adds nothing that matters.
        // Requests wait for a worker as long as they need: the outcome must not depend on the machine's speed.
        ApiServer.Options o = ApiServer.Options.loopback().withWorkers(ApiServer.DEFAULT_THREADS, 256, 600_000)
                .withLimits(ApiServer.Limits.DEFAULT.withCost(1, cost * 1.5));
        List<String> ids = new ArrayList<>();
        try (ApiServer s = ApiServer.start(o, HttpFixture.db(), HttpFixture.search(), Access.Policy.DEFAULT)) {
            List<String> keys = keys(ids);
            // The server's key cache must have applied its first catch-up and the new keys' notifications:
            // either, arriving after a key's first request, would drop the key and charge its next one to the
            // address, a share of its own.
            s.awaitKeysSeen(30_000);
            String hostileKey = keys.get(0);
            String normalKey = keys.get(1);
            // Each key's first request authenticates it (and is charged to the address); from then on it has
            // a share of its own.
            for (String k : keys) assertEquals(200, HttpFixture.send(s, "GET", "/api/genres", "Bearer " + k).statusCode());
            List<CompletableFuture<HttpResponse<String>>> attack = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                attack.add(ApiServerLimitsTest.CLIENT.sendAsync(search(s, hostile, hostileKey),
                        HttpResponse.BodyHandlers.ofString()));
            }
            List<HttpResponse<String>> normal = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                normal.add(ApiServerLimitsTest.CLIENT.send(search(s, i % 2 == 0 ? "matrix" : "lord of the rings",
                        normalKey), HttpResponse.BodyHandlers.ofString()));
            }
            int ok = 0;
            int refused = 0;
            for (CompletableFuture<HttpResponse<String>> f : attack) {
                HttpResponse<String> r = f.get(300, TimeUnit.SECONDS);
                if (r.statusCode() == 200) {
                    ok++;
                } else {
                    assertEquals(429, r.statusCode(), r.body());
                    refused++;
                    assertTrue(Long.parseLong(r.headers().firstValue("Retry-After").orElse("0")) >= 1, r.toString());
                    JsonNode b = ApiServerLimitsTest.JSON.readTree(r.body());
                    assertEquals("too many requests", b.get("error").asText());
                    assertTrue(b.get("detail").asText().contains("this request costs " + cost), r.body());
                }
            }
            assertEquals(1, ok, "one hostile query fits in the client's share");
            assertEquals(49, refused);
            for (HttpResponse<String> r : normal) assertEquals(200, r.statusCode(), r.body());
            // A refusal is counted as it completes, which may be just after its client has read it.
            PrometheusText m = PrometheusText.parse(HttpFixture.get(s, "/metrics").body());
            for (int i = 0; i < 600 && ApiServerSlowBodiesTest.sum(m, "/api/search", "429") < 49; i++) {
                Thread.sleep(100);
                m = PrometheusText.parse(HttpFixture.get(s, "/metrics").body());
            }
            assertEquals(49, ApiServerSlowBodiesTest.sum(m, "/api/search", "429"));
            assertEquals(49.0 * cost, m.value("reelrank_http_cost_units_total", Map.of("refused", "true")) , 1e-6);
        } finally {
            removeKeys(ids);
        }
    }

    @Test
    void anAnonymousClientIsChargedByItsAddressAndHealthIsFree() throws Exception {
        // A unit per 1000 s: no refill to speak of, however long the test takes.
        ApiServer.Options o = ApiServer.Options.loopback().withLimits(ApiServer.Limits.DEFAULT.withCost(0.001, 9));
        try (ApiServer s = ApiServer.start(o, HttpFixture.db(), HttpFixture.search())) {
            int ok = 0;
            for (int i = 0; i < 6; i++) {
                if (HttpFixture.get(s, "/api/search?q=matrix").statusCode() == 200) ok++; // 3 units each
            }
            assertEquals(3, ok, "9 units pay for three searches of 3 units (1 + title + tags)");
            HttpResponse<String> refused = HttpFixture.get(s, "/api/genres");
            assertEquals(429, refused.statusCode(), refused.body());
            assertEquals(200, HttpFixture.get(s, "/api/health").statusCode(), "health costs nothing");
            assertEquals(200, HttpFixture.get(s, "/metrics").statusCode(), "metrics cost nothing");
            // A made-up key (a new one with every request, as an attacker would send) is charged to the address.
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> madeUp = ApiServerLimitsTest.CLIENT.send(search(s, "matrix",
                        "rk_" + "0123456789a" + i + "_" + "A".repeat(43)), HttpResponse.BodyHandlers.ofString());
                assertEquals(429, madeUp.statusCode(), "a key the server does not know buys no share: " + madeUp.body());
            }
        }
    }
}
