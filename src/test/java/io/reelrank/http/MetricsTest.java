package io.reelrank.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The Prometheus exposition: cumulative buckets, sum and count, escaped labels. */
@Tag("unit")
class MetricsTest {

    @Test
    void histogramBucketsAreCumulativeAndEndWithTheCount() {
        Metrics m = new Metrics();
        m.record("/api/search", "GET", 200, 300_000);     // 0.3 ms
        m.record("/api/search", "GET", 200, 3_000_000);   // 3 ms
        m.record("/api/search", "GET", 200, 30_000_000);  // 30 ms
        String text = m.render();
        String labels = "route=\"/api/search\",method=\"GET\",status=\"200\"";
        assertTrue(text.contains("reelrank_http_requests_total{" + labels + "} 3\n"), text);
        assertTrue(text.contains("reelrank_http_request_duration_seconds_bucket{" + labels + ",le=\"0.0005\"} 1\n"), text);
        assertTrue(text.contains("reelrank_http_request_duration_seconds_bucket{" + labels + ",le=\"0.005\"} 2\n"), text);
        assertTrue(text.contains("reelrank_http_request_duration_seconds_bucket{" + labels + ",le=\"0.05\"} 3\n"), text);
        assertTrue(text.contains("reelrank_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} 3\n"), text);
        assertTrue(text.contains("reelrank_http_request_duration_seconds_sum{" + labels + "} 0.033300\n"), text);
        assertTrue(text.contains("reelrank_http_request_duration_seconds_count{" + labels + "} 3\n"), text);
    }

    @Test
    void labelValuesAreEscaped() {
        Metrics m = new Metrics();
        m.record("/a\"b", "GET", 404, 1);
        assertTrue(m.render().contains("route=\"/a\\\"b\""));
    }
}
