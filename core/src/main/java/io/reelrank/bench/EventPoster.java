package io.reelrank.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A {@link SessionSink} that posts what the simulated audience saw and did to the server's events API
 * ({@code POST /api/events}, docs/events.md): per session an impression (the shown movies at positions
 * 1..n) and a click per clicked position, all naming the session's request id and user, in batches of
 * at most {@link #DEFAULT_BATCH} events (the API's 64 KiB body holds them). Event ids are
 * {@code <request id>-i} and {@code <request id>-c<position>}, so a repeated batch is stored once. A
 * batch answered 503 (the server's event queue is full) is sent again after its Retry-After, up to
 * {@link #ATTEMPTS} times; any other refusal is an IOException naming the status and the body. Sessions
 * without a request id (a server without the events API) are skipped. The caller closes it, which
 * posts the last batch.
 */
public final class EventPoster implements SessionSink {

    public static final int DEFAULT_BATCH = 200;
    static final int ATTEMPTS = 20;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final URI events;
    private final String key;
    private final int batch;
    private ArrayNode pending;
    private long posted;
    private long retries;

    /** Posts to {@code base}'s events API with {@code key} (null: none), {@code batch} events per request. */
    public EventPoster(URI base, String key, int batch) {
        if (batch < 1 || batch > 1_000) throw new IllegalArgumentException("batch must be in 1-1000, got " + batch);
        this.events = base.resolve("/api/events");
        this.key = key;
        this.batch = batch;
        this.pending = json.createArrayNode();
    }

    @Override
    public void accept(SimulatedSession s) throws IOException {
        if (s.requestId() == null || s.shown().length == 0) return;
        ObjectNode imp = pending.addObject();
        imp.put("id", s.requestId() + "-i").put("type", "impression").put("request_id", s.requestId())
                .put("user_id", s.user());
        ArrayNode movies = imp.putArray("movie_ids");
        ArrayNode positions = imp.putArray("positions");
        for (int p = 0; p < s.shown().length; p++) {
            movies.add(s.shown()[p]);
            positions.add(p + 1);
        }
        for (int p = 0; p < s.shown().length; p++) {
            if (!s.clicked()[p]) continue;
            pending.addObject().put("id", s.requestId() + "-c" + (p + 1)).put("type", "click")
                    .put("request_id", s.requestId()).put("user_id", s.user()).put("movie_id", s.shown()[p])
                    .put("position", p + 1);
        }
        if (pending.size() >= batch) flush();
    }

    /** Events the server answered 200 for. */
    public long posted() {
        return posted;
    }

    /** Batches sent again after a 503. */
    public long retries() {
        return retries;
    }

    /** Posts what is pending. */
    public void flush() throws IOException {
        if (pending.isEmpty()) return;
        byte[] body = json.writeValueAsBytes(json.createObjectNode().set("events", pending));
        HttpRequest.Builder b = HttpRequest.newBuilder(events).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (key != null) b.header("Authorization", "Bearer " + key);
        HttpRequest req = b.build();
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> res;
            try {
                res = client.send(req, HttpResponse.BodyHandlers.ofString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while posting events to " + events, e);
            }
            if (res.statusCode() == 200) break;
            if (res.statusCode() != 503 || attempt == ATTEMPTS) {
                String text = res.body() == null ? "" : res.body();
                throw new IOException("POST " + events + " answered " + res.statusCode() + ": "
                        + (text.length() > 300 ? text.substring(0, 300) + "…" : text));
            }
            retries++;
            long wait = res.headers().firstValueAsLong("Retry-After").orElse(1);
            try {
                Thread.sleep(Math.min(10, Math.max(1, wait)) * 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting to post events to " + events, e);
            }
        }
        posted += pending.size();
        pending = json.createArrayNode();
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}
