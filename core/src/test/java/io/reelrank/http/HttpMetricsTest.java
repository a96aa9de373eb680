package io.reelrank.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.db.Database;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The Prometheus exposition: cumulative buckets, sum and count, escaped labels, pool and JVM metrics. */
@Tag("unit")
class HttpMetricsTest {

    private static final Map<String, String> SEARCH = Map.of("route", "/api/search", "method", "GET", "status", "200");

    @Test
    void histogramBucketsAreCumulativeAndEndWithTheCount() {
        HttpMetrics m = new HttpMetrics(null);
        m.record("/api/search", "GET", 200, 300_000);     // 0.3 ms
        m.record("/api/search", "GET", 200, 3_000_000);   // 3 ms
        m.record("/api/search", "GET", 200, 30_000_000);  // 30 ms
        String text = m.render();
        PrometheusText p = PrometheusText.parse(text);
        assertTrue(text.contains("# TYPE reelrank_http_requests_total counter"), text);
        assertTrue(text.contains("# TYPE reelrank_http_request_duration_seconds histogram"), text);
        assertEquals(3, p.value("reelrank_http_requests_total", SEARCH));
        assertEquals(1, p.bucket("reelrank_http_request_duration_seconds", 0.0005, SEARCH));
        assertEquals(2, p.bucket("reelrank_http_request_duration_seconds", 0.005, SEARCH));
        assertEquals(3, p.bucket("reelrank_http_request_duration_seconds", 0.05, SEARCH));
        assertEquals(3, p.bucket("reelrank_http_request_duration_seconds", Double.POSITIVE_INFINITY, SEARCH));
        assertEquals(0.0333, p.value("reelrank_http_request_duration_seconds_sum", SEARCH), 1e-9);
        assertEquals(3, p.value("reelrank_http_request_duration_seconds_count", SEARCH));
        assertEquals(HttpMetrics.BUCKETS.length + 1,
                p.samples().stream()
                        .filter(s -> s.name().equals("reelrank_http_request_duration_seconds_bucket")).count(),
                "one bucket per bound and +Inf, nothing else");
    }

    @Test
    void labelValuesAreEscaped() {
        HttpMetrics m = new HttpMetrics(null);
        m.record("/a\"b", "GET", 404, 1);
        String text = m.render();
        assertTrue(text.contains("route=\"/a\\\"b\""), text);
        assertEquals(1, PrometheusText.parse(text).value("reelrank_http_requests_total",
                Map.of("route", "/a\"b", "status", "404")));
    }

    @Test
    void thePoolAndTheJvmAreMeasuredToo() {
        HttpMetrics m = new HttpMetrics(() -> new Database.PoolStats(3, 2, 1, 8));
        PrometheusText p = PrometheusText.parse(m.render());
        assertEquals(3, p.value("reelrank_db_pool_connections", Map.of("state", "active")));
        assertEquals(2, p.value("reelrank_db_pool_connections", Map.of("state", "idle")));
        assertEquals(8, p.value("reelrank_db_pool_connections", Map.of("state", "max")));
        assertEquals(1, p.value("reelrank_db_pool_waiting_threads", Map.of()));
        assertTrue(p.value("jvm_memory_used_bytes", Map.of("area", "heap")) > 0);
        assertTrue(p.value("jvm_threads_current", Map.of()) > 0);
    }
}
