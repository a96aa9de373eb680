package io.reelrank.embed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An encoder behind any OpenAI-compatible {@code POST {baseUrl}/embeddings} endpoint (OpenAI,
 * OpenRouter, Ollama, vLLM, text-embeddings-inference). Texts go in batches of
 * {@link Settings#batchSize()}; a 429, a 408, a 5xx, a timeout or a dropped connection is retried
 * with exponential backoff and full jitter, waiting at least as long as the server's
 * {@code Retry-After}; a 400, 401, 403 or 404 fails at once with the server's own message. Vectors of
 * any dimension other than {@link Settings#dimension()} are refused; the rest are L2-normalised so
 * they are interchangeable with the in-process encoder's. The caller closes it (a no-op today, kept
 * for the {@link Encoder} contract).
 */
public final class OpenAiEncoder implements Encoder {

    /** Order in which environment variables are searched for the API key. */
    public static final List<String> KEY_VARIABLES = List.of("REELRANK_API_KEY", "OPENROUTER_API_KEY",
            "OPENAI_API_KEY");
    /** The longest Retry-After honoured; a server asking for more is treated as an error. */
    static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

    /**
     * Connection and retry settings. {@code apiKey} may be null (local servers need none);
     * {@code requestDimensions}, when not null, is sent as {@code dimensions} for models that can
     * shorten their vectors (OpenAI's text-embedding-3-*).
     */
    public record Settings(URI baseUrl, String model, String apiKey, int dimension, Integer requestDimensions,
                           int batchSize, int maxAttempts, Duration initialBackoff, Duration maxBackoff,
                           Duration timeout) {
        public Settings {
            if (baseUrl == null || baseUrl.getScheme() == null
                    || !(baseUrl.getScheme().equals("http") || baseUrl.getScheme().equals("https"))) {
                throw new IllegalArgumentException(
                        "base URL must be an http(s) URL such as https://api.openai.com/v1, got " + baseUrl);
            }
            if (model == null || model.isBlank()) {
                throw new IllegalArgumentException("a model name is required (--model)");
            }
            if (dimension < 1 || dimension > 65536) {
                throw new IllegalArgumentException("dimension must be in 1-65536, got " + dimension);
            }
            if (batchSize < 1 || batchSize > 2048) {
                throw new IllegalArgumentException("batch size must be in 1-2048, got " + batchSize);
            }
            if (maxAttempts < 1 || maxAttempts > 100) {
                throw new IllegalArgumentException("attempts must be in 1-100, got " + maxAttempts);
            }
        }

        /** Six attempts, backoff from 1 s up to 60 s, 60 s request timeout, batches of 64. */
        public static Settings of(URI baseUrl, String model, String apiKey, int dimension) {
            return new Settings(baseUrl, model, apiKey, dimension, null, 64, 6, Duration.ofSeconds(1),
                    Duration.ofSeconds(60), Duration.ofSeconds(60));
        }

        public Settings withBatchSize(int b) {
            return new Settings(baseUrl, model, apiKey, dimension, requestDimensions, b, maxAttempts, initialBackoff,
                    maxBackoff, timeout);
        }

        public Settings withRequestDimensions(Integer d) {
            return new Settings(baseUrl, model, apiKey, dimension, d, batchSize, maxAttempts, initialBackoff,
                    maxBackoff, timeout);
        }

        public Settings withRetries(int attempts, Duration initial, Duration max) {
            return new Settings(baseUrl, model, apiKey, dimension, requestDimensions, batchSize, attempts,
                    initial, max, timeout);
        }

        public Settings withTimeout(Duration t) {
            return new Settings(baseUrl, model, apiKey, dimension, requestDimensions, batchSize, maxAttempts,
                    initialBackoff, maxBackoff, t);
        }
    }

    /** A request the server refused for a reason retrying cannot fix (bad key, unknown model). */
    public static final class ApiException extends RuntimeException {
        private final int status;

        ApiException(int status, String message) {
            super(message);
            this.status = status;
        }

        /** The HTTP status, or 0 when the server never answered usefully. */
        public int status() {
            return status;
        }
    }

    private final Settings settings;
    private final URI endpoint;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicLong retries = new AtomicLong();

    public OpenAiEncoder(Settings settings) {
        this.settings = settings;
        String base = settings.baseUrl().toString();
        this.endpoint = URI.create(base.endsWith("/") ? base + "embeddings" : base + "/embeddings");
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
    }

    /** The first non-blank of {@link #KEY_VARIABLES} in {@code env}, or null. */
    public static String apiKeyFrom(Map<String, String> env) {
        for (String name : KEY_VARIABLES) {
            String v = env.get(name);
            if (v != null && !v.isBlank()) return v.strip();
        }
        return null;
    }

    @Override
    public int dimension() {
        return settings.dimension();
    }

    @Override
    public String describe() {
        return "openai:" + settings.model() + "@" + endpoint;
    }

    /** How many requests were retried so far. */
    public long retries() {
        return retries.get();
    }

    @Override
    public float[][] encode(List<String> texts) {
        float[][] out = new float[texts.size()][];
        for (int from = 0; from < texts.size(); from += settings.batchSize()) {
            int to = Math.min(texts.size(), from + settings.batchSize());
            float[][] batch = request(texts.subList(from, to));
            System.arraycopy(batch, 0, out, from, batch.length);
        }
        return out;
    }

    private float[][] request(List<String> texts) {
        ObjectNode body = json.createObjectNode();
        body.put("model", settings.model());
        ArrayNode input = body.putArray("input");
        texts.forEach(input::add);
        body.put("encoding_format", "float");
        if (settings.requestDimensions() != null) body.put("dimensions", settings.requestDimensions());
        HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint)
                .timeout(settings.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (settings.apiKey() != null) rb.header("Authorization", "Bearer " + settings.apiKey());
        HttpRequest req = rb.build();

        String lastProblem = null;
        for (int attempt = 1; ; attempt++) {
            Duration retryAfter = Duration.ZERO;
            try {
                HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
                int status = resp.statusCode();
                if (status / 100 == 2) return parse(resp.body(), texts.size());
                String message = serverMessage(resp.body());
                if (!retryable(status)) {
                    throw new ApiException(status, "HTTP " + status + " from " + endpoint + " (model "
                            + settings.model() + "): " + message);
                }
                lastProblem = "HTTP " + status + ": " + message;
                retryAfter = retryAfter(resp.headers().firstValue("Retry-After").orElse(null));
            } catch (HttpTimeoutException e) {
                lastProblem = "timed out after " + settings.timeout().toMillis() + " ms";
            } catch (IOException e) {
                lastProblem = "connection failed: " + e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while calling " + endpoint, e);
            }
            if (attempt >= settings.maxAttempts()) {
                throw new ApiException(0, "gave up on " + endpoint + " after " + attempt + " attempts; last: "
                        + lastProblem);
            }
            if (retryAfter.compareTo(MAX_RETRY_AFTER) > 0) {
                throw new ApiException(429, endpoint + " asks to retry after " + retryAfter.toSeconds()
                        + " s, longer than the " + MAX_RETRY_AFTER.toSeconds() + " s reelrank waits; last: "
                        + lastProblem);
            }
            retries.incrementAndGet();
            sleep(backoff(attempt, retryAfter));
        }
    }

    /** Full jitter: uniform in [cap/2, cap] with cap = min(max, initial·2^(attempt−1)); never below Retry-After. */
    private Duration backoff(int attempt, Duration retryAfter) {
        long initial = settings.initialBackoff().toMillis();
        long cap = Math.min(settings.maxBackoff().toMillis(), initial << Math.min(attempt - 1, 20));
        long jittered = cap / 2 + (cap > 1 ? ThreadLocalRandom.current().nextLong(cap - cap / 2 + 1) : cap);
        return Duration.ofMillis(Math.max(jittered, retryAfter.toMillis()));
    }

    static boolean retryable(int status) {
        return status == 408 || status == 409 || status == 425 || status == 429 || status >= 500;
    }

    /** Retry-After as delta-seconds or an HTTP date; zero when absent or unreadable. */
    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) return Duration.ZERO;
        String h = header.strip();
        try {
            return Duration.ofMillis(Math.max(0, (long) (Double.parseDouble(h) * 1000)));
        } catch (NumberFormatException e) {
            try {
                Duration d = Duration.between(ZonedDateTime.now(),
                        ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException e2) {
                return Duration.ZERO;
            }
        }
    }

    private float[][] parse(String body, int expected) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            throw new ApiException(200, endpoint + " answered with something that is not JSON: " + cut(body));
        }
        JsonNode data = root.path("data");
        if (!data.isArray() || data.size() != expected) {
            throw new ApiException(200, endpoint + " returned " + (data.isArray() ? data.size() : "no")
                    + " embeddings for " + expected + " inputs: " + cut(body));
        }
        float[][] out = new float[expected][];
        for (int i = 0; i < expected; i++) {
            JsonNode item = data.get(i);
            int index = item.path("index").asInt(i);
            JsonNode emb = item.path("embedding");
            if (index < 0 || index >= expected || out[index] != null || !emb.isArray()) {
                throw new ApiException(200, endpoint + " returned a malformed data[" + i + "]: "
                        + cut(item.toString()));
            }
            if (emb.size() != settings.dimension()) {
                throw new ApiException(200, "model " + settings.model() + " at " + endpoint + " returned " + emb.size()
                        + "-dimensional vectors; expected " + settings.dimension()
                        + " (movies.embedding is vector(" + settings.dimension() + ")). Choose a model with that"
                        + " dimension, or pass --dimensions " + settings.dimension()
                        + " if the model can shorten its vectors");
            }
            float[] v = new float[emb.size()];
            for (int k = 0; k < v.length; k++) {
                double x = emb.get(k).asDouble(Double.NaN);
                if (!Double.isFinite(x)) {
                    throw new ApiException(200, endpoint + " returned a non-finite component " + k + " in data["
                            + i + "]");
                }
                v[k] = (float) x;
            }
            out[index] = Vectors.normalize(v);
        }
        return out;
    }

    /** The {@code error.message} of an OpenAI-style error body, else the body itself (shortened). */
    private String serverMessage(String body) {
        if (body == null || body.isBlank()) return "(empty response body)";
        try {
            JsonNode root = json.readTree(body);
            JsonNode err = root.path("error");
            if (err.isTextual()) return err.asText();
            if (err.path("message").isTextual()) return err.path("message").asText();
            if (root.path("message").isTextual()) return root.path("message").asText();
            if (root.path("detail").isTextual()) return root.path("detail").asText();
        } catch (IOException ignored) {
            // not JSON: show it as text
        }
        return cut(body);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off", e);
        }
    }

    private static String cut(String s) {
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() <= 300 ? one : one.substring(0, 297) + "...";
    }

    @Override
    public void close() {
        // java.net.http.HttpClient gains close() only in Java 21; its threads end with the JVM.
    }
}
