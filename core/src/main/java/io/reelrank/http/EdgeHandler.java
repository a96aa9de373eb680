package io.reelrank.http;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The outermost handler, which every request that Jetty parsed passes first: it makes sure each answer
 * is counted in {@link HttpMetrics} (the routes count their own, labelled by pattern, before they answer;
 * this counts the rest when they complete: the 503 of a full queue, a body refused with 408, 400 or 413,
 * and the answers below) and answers what no route should see: a method the API does not know ({@code
 * FOO}, {@code PROPFIND}, {@code CONNECT}) with 501, and {@code OPTIONS *} with the methods the server
 * takes, each in JSON. {@link ApiServer} installs it; a route marks its request counted through the
 * {@link Counted} attribute ({@link #COUNTED}).
 */
final class EdgeHandler extends Handler.Wrapper {

    /** Methods some route takes; the others are refused before routing. */
    static final Set<String> KNOWN = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
    static final String ALLOW = "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS";
    /** The request attribute holding the request's {@link Counted}. */
    static final String COUNTED = "reelrank.counted";
    /** The route label of answers given before a route was chosen. */
    static final String UNROUTED = "unrouted";

    /** Whether a route has counted the request already, and the route pattern to count it under if not. */
    static final class Counted {
        volatile boolean done;
        volatile String route;
    }

    private final HttpMetrics metrics;

    EdgeHandler(HttpMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long started = System.nanoTime();
        Counted counted = new Counted();
        request.setAttribute(COUNTED, counted);
        String method = request.getMethod().toUpperCase(Locale.ROOT);
        Request.addCompletionListener(request, failure -> {
            if (!counted.done) {
                metrics.record(counted.route != null ? counted.route : UNROUTED,
                        KNOWN.contains(method) ? method : "OTHER", response.getStatus(), System.nanoTime() - started);
            }
        });
        if (!KNOWN.contains(method)) {
            response.getHeaders().put(HttpHeader.ALLOW, ALLOW);
            Response.writeError(request, response, callback, 501, ApiError.safe(request.getMethod()) + " is not a "
                    + "method this server implements; it takes " + ALLOW);
            return true;
        }
        if (method.equals("OPTIONS") && "*".equals(request.getHttpURI().getPath())) {
            byte[] body = Json.bytes(new Methods(List.of(ALLOW.split(", "))));
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.ALLOW, ALLOW);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, Json.CONTENT_TYPE);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, ByteBuffer.wrap(body), callback);
            return true;
        }
        return super.handle(request, response, callback);
    }

    /** The body of {@code OPTIONS *}. */
    record Methods(List<String> allow) {}
}
