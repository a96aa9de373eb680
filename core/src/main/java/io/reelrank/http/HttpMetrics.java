package io.reelrank.http;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.reelrank.db.Database;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * What {@code /metrics} exposes, in the Prometheus text format (version 0.0.4), through the Prometheus
 * Java client: request counts and latency histograms per route, method and status (answers given before
 * routing, such as a full queue's 503 or Jetty's own 400 and 431, under the route {@code unrouted}); the
 * units of work charged to clients; the connection
 * pool's connections by state; and the client's JVM metrics (memory, GC, threads, class loading,
 * CPU). Routes are labelled by their pattern ({@code /api/movies/{id}}), never by the raw path, so the
 * number of series stays bounded. Each server has its own registry, so two servers in one JVM (as in
 * the tests) count apart.
 */
final class HttpMetrics {

    /** Upper bounds in seconds: fine steps below 25 ms, where the search target lives. */
    static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter requests = Counter.builder()
            .name("reelrank_http_requests_total")
            .help("HTTP requests answered, by route pattern, method and status.")
            .labelNames("route", "method", "status")
            .register(registry);
    private final Histogram duration = Histogram.builder()
            .name("reelrank_http_request_duration_seconds")
            .help("Time from request received to response ready to send.")
            .labelNames("route", "method", "status")
            .classicOnly()
            .classicUpperBounds(BUCKETS)
            .register(registry);

    private final Counter costUnits = Counter.builder()
            .name("reelrank_http_cost_units_total")
            .help("Units of work charged to clients (see docs/http-api.md), by whether the request was refused.")
            .labelNames("refused")
            .register(registry);
    private final CounterDataPoint costTaken = costUnits.labelValues("false");
    private final CounterDataPoint costRefused = costUnits.labelValues("true");

    /** Request metrics and the JVM's; the pool's too when {@code pool} is given. */
    HttpMetrics(Supplier<Database.PoolStats> pool) {
        JvmMetrics.builder().register(registry);
        if (pool != null) {
            GaugeWithCallback.builder()
                    .name("reelrank_db_pool_connections")
                    .help("Database connections of the pool by state; max is the pool's size.")
                    .labelNames("state")
                    .callback(cb -> {
                        Database.PoolStats s = pool.get();
                        cb.call(s.active(), "active");
                        cb.call(s.idle(), "idle");
                        cb.call(s.max(), "max");
                    })
                    .register(registry);
            GaugeWithCallback.builder()
                    .name("reelrank_db_pool_waiting_threads")
                    .help("Threads waiting for a database connection.")
                    .callback(cb -> cb.call(pool.get().waiting()))
                    .register(registry);
        }
    }

    private record Key(String route, String method, int status) {}

    private record Points(CounterDataPoint requests, DistributionDataPoint duration) {}

    /** Each series' data points, looked up once (the client's advice for hot paths): one map lookup per request. */
    private final Map<Key, Points> points = new ConcurrentHashMap<>();

    void record(String route, String method, int status, long nanos) {
        Points p = points.computeIfAbsent(new Key(route, method, status), k -> {
            String code = Integer.toString(k.status());
            return new Points(requests.labelValues(k.route(), k.method(), code),
                    duration.labelValues(k.route(), k.method(), code));
        });
        p.requests().inc();
        p.duration().observe(nanos / 1e9);
    }

    /** Exposes the number of request bodies being received right now ({@link BodyReader}). */
    void bodies(IntSupplier pending) {
        GaugeWithCallback.builder()
                .name("reelrank_http_bodies_pending")
                .help("Request bodies being received; a request waits for no worker meanwhile.")
                .callback(cb -> cb.call(pending.getAsInt()))
                .register(registry);
    }

    /**
     * Exposes the event writer's and the request log's figures: events stored, repeated and refused (queue
     * full), events waiting and the queue's capacity; request log entries written, dropped (its queue was
     * full: served, never logged) and failed, and entries waiting.
     */
    void events(io.reelrank.service.EventService events, io.reelrank.service.RequestLog log) {
        GaugeWithCallback.builder()
                .name("reelrank_events")
                .help("Posted events by outcome since start (stored, duplicate, refused: the queue was full), and "
                        + "the writer's queue (queued, capacity).")
                .labelNames("state")
                .callback(cb -> {
                    cb.call(events.storedTotal(), "stored");
                    cb.call(events.duplicateTotal(), "duplicate");
                    cb.call(events.refusedTotal(), "refused");
                    cb.call(events.queued(), "queued");
                    cb.call(events.capacity(), "capacity");
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("reelrank_request_log_entries")
                .help("Request log entries since start: written, dropped (the queue was full; the answer was served "
                        + "but not logged), failed (the database refused the write); queued now.")
                .labelNames("state")
                .callback(cb -> {
                    cb.call(log.written(), "written");
                    cb.call(log.dropped(), "dropped");
                    cb.call(log.failed(), "failed");
                    cb.call(log.queued(), "queued");
                })
                .register(registry);
    }

    /** Counts the {@code units} a request was charged, or would have been when it was refused. */
    void charged(long units, boolean refused) {
        (refused ? costRefused : costTaken).inc(units);
    }

    String contentType() {
        return writer.getContentType();
    }

    String render() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16_384);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
