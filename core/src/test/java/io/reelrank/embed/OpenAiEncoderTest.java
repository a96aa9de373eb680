package io.reelrank.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * OpenAiEncoder against a local stand-in for the remote API that speaks OpenAI's request and
 * response JSON ({@code POST /v1/embeddings}; {@code {"object":"list","data":[{"object":"embedding",
 * "index":0,"embedding":[...]}],"model":...,"usage":{...}}}; errors as {@code {"error":{"message":...}}}).
 */
@Tag("unit")
class OpenAiEncoderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the server does with the next request. */
    private interface Reply {
        void send(HttpExchange ex, JsonNode request) throws IOException;
    }

    private HttpServer server;
    private ExecutorService serverThreads;
    private final Deque<Reply> script = new ArrayDeque<>();
    private final List<JsonNode> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        serverThreads = Executors.newCachedThreadPool();
        server.setExecutor(serverThreads);
        server.createContext("/v1/embeddings", ex -> {
            arrivals.add(System.nanoTime());
            JsonNode req = JSON.readTree(ex.getRequestBody());
            requests.add(req);
            authorizations.add(ex.getRequestHeaders().getFirst("Authorization"));
            Reply r;
            synchronized (script) {
                r = script.isEmpty() ? OpenAiEncoderTest::success : script.poll();
            }
            r.send(ex, req);
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        serverThreads.shutdownNow();
    }

    private OpenAiEncoder encoder(int dimension) {
        return encoder(dimension, Duration.ofSeconds(10));
    }

    /** A generous timeout by default: on a loaded machine a slow first answer must not count as a timeout. */
    private OpenAiEncoder encoder(int dimension, Duration timeout) {
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
        return new OpenAiEncoder(OpenAiEncoder.Settings.of(base, "test-embed-small", "sk-test", dimension)
                .withBatchSize(2)
                .withRetries(4, Duration.ofMillis(10), Duration.ofMillis(50))
                .withTimeout(timeout));
    }

    /** A deterministic 4-dimensional vector per input, in the real response shape. */
    private static void success(HttpExchange ex, JsonNode req) throws IOException {
        ObjectNode resp = JSON.createObjectNode();
        resp.put("object", "list");
        ArrayNode data = resp.putArray("data");
        int dim = req.has("dimensions") ? req.get("dimensions").asInt() : 4;
        JsonNode input = req.get("input");
        // Reversed order: clients must place vectors by "index", not by position.
        for (int i = input.size() - 1; i >= 0; i--) {
            ObjectNode item = data.addObject();
            item.put("object", "embedding");
            item.put("index", i);
            ArrayNode e = item.putArray("embedding");
            int len = input.get(i).asText().length();
            for (int k = 0; k < dim; k++) e.add(k == 0 ? 3.0 * len : (k == 1 ? 4.0 * len : 0.0));
        }
        resp.put("model", req.get("model").asText());
        resp.putObject("usage").put("prompt_tokens", 5).put("total_tokens", 5);
        send(ex, 200, resp.toString(), Map.of());
    }

    private static Reply status(int code, String body, Map<String, String> headers) {
        return (ex, req) -> send(ex, code, body, headers);
    }

    private static void send(HttpExchange ex, int code, String body, Map<String, String> headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.sendResponseHeaders(code, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    @Test
    void sendsBatchedOpenAiRequestsAndNormalisesTheVectors() {
        try (OpenAiEncoder enc = encoder(4)) {
            float[][] v = enc.encode(List.of("a", "bb", "ccc"));
            assertEquals(2, requests.size());
            assertEquals("test-embed-small", requests.get(0).get("model").asText());
            assertEquals("[\"a\",\"bb\"]", requests.get(0).get("input").toString());
            assertEquals("float", requests.get(0).get("encoding_format").asText());
            assertEquals("[\"ccc\"]", requests.get(1).get("input").toString());
            assertEquals("Bearer sk-test", authorizations.get(0));
            for (float[] row : v) {
                assertEquals(0.6f, row[0], 1e-6f);
                assertEquals(0.8f, row[1], 1e-6f);
            }
        }
    }

    @Test
    void retriesA429AfterTheServersRetryAfter() {
        script.add(status(429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}",
                Map.of("Retry-After", "1")));
        try (OpenAiEncoder enc = encoder(4)) {
            float[] v = enc.encode("hello");
            assertEquals(1.0, Vectors.norm(v), 1e-6);
            assertEquals(1, enc.retries());
            assertEquals(2, arrivals.size());
            long waitedMs = (arrivals.get(1) - arrivals.get(0)) / 1_000_000;
            assertTrue(waitedMs >= 950, "waited only " + waitedMs + " ms despite Retry-After: 1");
        }
    }

    @Test
    void retriesA500ThenSucceeds() {
        script.add(status(500, "{\"error\":{\"message\":\"The server had an error\"}}", Map.of()));
        script.add(status(503, "upstream unavailable", Map.of()));
        try (OpenAiEncoder enc = encoder(4)) {
            assertEquals(4, enc.encode("hello").length);
            assertEquals(2, enc.retries());
            assertEquals(3, requests.size());
        }
    }

    @Test
    void retriesATimeout() {
        script.add((ex, req) -> {
            try {
                Thread.sleep(6000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            success(ex, req);
        });
        try (OpenAiEncoder enc = encoder(4, Duration.ofSeconds(1))) {
            assertEquals(4, enc.encode("hello").length);
            assertTrue(enc.retries() >= 1, "the stalled request timed out and was retried");
            assertTrue(arrivals.size() >= 2, "the answer came from a second request, not the stalled one: "
                    + arrivals.size());
        }
    }

    @Test
    void failsAt401WithTheServersMessageAndNoRetry() {
        script.add(status(401, "{\"error\":{\"message\":\"Incorrect API key provided: sk-test.\","
                + "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}", Map.of()));
        try (OpenAiEncoder enc = encoder(4)) {
            OpenAiEncoder.ApiException e = assertThrows(OpenAiEncoder.ApiException.class, () -> enc.encode("hello"));
            assertEquals(401, e.status());
            assertTrue(e.getMessage().startsWith("HTTP 401 from http://127.0.0.1:"), e.getMessage());
            assertTrue(e.getMessage().endsWith("(model test-embed-small): Incorrect API key provided: sk-test."),
                    e.getMessage());
            assertEquals(1, requests.size());
        }
    }

    @Test
    void refusesVectorsOfTheWrongDimension() {
        try (OpenAiEncoder enc = encoder(384)) {
            OpenAiEncoder.ApiException e = assertThrows(OpenAiEncoder.ApiException.class, () -> enc.encode("hello"));
            assertTrue(e.getMessage().contains("returned 4-dimensional vectors; expected 384"), e.getMessage());
        }
    }

    @Test
    void givesUpAfterTheLastAttempt() {
        for (int i = 0; i < 4; i++) script.add(status(502, "bad gateway", Map.of()));
        try (OpenAiEncoder enc = encoder(4)) {
            OpenAiEncoder.ApiException e = assertThrows(OpenAiEncoder.ApiException.class, () -> enc.encode("x"));
            assertTrue(e.getMessage().endsWith("after 4 attempts; last: HTTP 502: bad gateway"), e.getMessage());
        }
    }

    @Test
    void takesTheKeyFromTheFirstVariableThatIsSet() {
        assertEquals("r", OpenAiEncoder.apiKeyFrom(Map.of("REELRANK_API_KEY", "r", "OPENAI_API_KEY", "o")));
        assertEquals("or", OpenAiEncoder.apiKeyFrom(Map.of("OPENROUTER_API_KEY", "or", "OPENAI_API_KEY", "o")));
        assertEquals("o", OpenAiEncoder.apiKeyFrom(Map.of("REELRANK_API_KEY", " ", "OPENAI_API_KEY", "o")));
        assertNull(OpenAiEncoder.apiKeyFrom(Map.of()));
    }

    @Test
    void readsRetryAfterAsSecondsOrAnHttpDate() {
        assertEquals(Duration.ofSeconds(7), OpenAiEncoder.retryAfter("7"));
        assertEquals(Duration.ZERO, OpenAiEncoder.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT"));
        assertEquals(Duration.ZERO, OpenAiEncoder.retryAfter(null));
    }
}
