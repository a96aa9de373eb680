package io.reelrank.http;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request counts and latency histograms per route, method and status, exposed in the Prometheus text
 * format (version 0.0.4) at {@code /metrics}. Routes are labelled by their pattern
 * ({@code /api/movies/{id}}), never by the raw path, so the number of series stays bounded. Recording
 * is lock-free (one {@link LongAdder} per bucket) because it sits on every request's path.
 */
final class Metrics {

    /** Upper bounds in seconds: fine steps below 25 ms, where the search target lives. */
    static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private record Key(String route, String method, int status) {}

    private static final class Series {
        final LongAdder[] buckets = new LongAdder[BUCKETS.length];
        final LongAdder count = new LongAdder();
        final LongAdder sumNanos = new LongAdder();

        Series() {
            for (int i = 0; i < buckets.length; i++) buckets[i] = new LongAdder();
        }
    }

    private final Map<Key, Series> series = new ConcurrentHashMap<>();

    void record(String route, String method, int status, long nanos) {
        Series s = series.computeIfAbsent(new Key(route, method, status), k -> new Series());
        double seconds = nanos / 1e9;
        // Non-cumulative here; render() accumulates, so a record touches one bucket only.
        for (int i = 0; i < BUCKETS.length; i++) {
            if (seconds <= BUCKETS[i]) {
                s.buckets[i].increment();
                break;
            }
        }
        s.count.increment();
        s.sumNanos.add(nanos);
    }

    String render() {
        Map<String, Series> sorted = new TreeMap<>();
        series.forEach((k, v) -> sorted.put(labels(k), v));
        StringBuilder b = new StringBuilder(4096);
        b.append("# HELP reelrank_http_requests_total HTTP requests answered, by route pattern, method and status.\n");
        b.append("# TYPE reelrank_http_requests_total counter\n");
        sorted.forEach((labels, s) -> b.append("reelrank_http_requests_total{").append(labels).append("} ")
                .append(s.count.sum()).append('\n'));
        b.append("# HELP reelrank_http_request_duration_seconds Time from request received to response ready to send.\n");
        b.append("# TYPE reelrank_http_request_duration_seconds histogram\n");
        sorted.forEach((labels, s) -> {
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += s.buckets[i].sum();
                b.append("reelrank_http_request_duration_seconds_bucket{").append(labels).append(",le=\"")
                        .append(le(BUCKETS[i])).append("\"} ").append(cumulative).append('\n');
            }
            long count = s.count.sum();
            b.append("reelrank_http_request_duration_seconds_bucket{").append(labels).append(",le=\"+Inf\"} ")
                    .append(count).append('\n');
            b.append("reelrank_http_request_duration_seconds_sum{").append(labels).append("} ")
                    .append(String.format(Locale.ROOT, "%.6f", s.sumNanos.sum() / 1e9)).append('\n');
            b.append("reelrank_http_request_duration_seconds_count{").append(labels).append("} ").append(count)
                    .append('\n');
        });
        return b.toString();
    }

    private static String labels(Key k) {
        return "route=\"" + escape(k.route()) + "\",method=\"" + escape(k.method()) + "\",status=\"" + k.status() + "\"";
    }

    private static String le(double d) {
        // Plain decimal (0.0005, not 5.0E-4): what Prometheus client libraries print, easier to grep.
        return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
