package io.reelrank.http;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's error pages in the API's JSON shape {@code {"error", "detail"}}: what Jetty answers before a
 * request reaches Javalin's routes (a malformed request line or URI: 400; a URI longer than the header
 * limit: 414; headers too large: 431), the 503 of a full queue ({@code Retry-After} set), and the
 * refusals of {@link BodyReader} (408, 400) and {@link EdgeHandler} (501). Requests Jetty refused before
 * any handler saw them are counted in the metrics here. The
 * detail never carries an exception or a class name. Installed on the server by {@link ApiServer}, which
 * also answers Javalin's own refusals (a body over the size limit) with {@link #body}.
 */
final class JsonErrorHandler extends ErrorHandler {

    private final int threads;
    private final int queue;
    private final HttpMetrics metrics;

    JsonErrorHandler(int threads, int queue, HttpMetrics metrics) {
        this.threads = threads;
        this.queue = queue;
        this.metrics = metrics;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        // A request Jetty refused while parsing never passed EdgeHandler, which counts the others.
        if (metrics != null && request.getAttribute(EdgeHandler.COUNTED) == null) {
            metrics.record(EdgeHandler.UNROUTED, "OTHER", code, 0);
        }
        byte[] body = Json.bytes(body(code, message));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Json.CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        if (code == 503) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(ApiServer.RETRY_AFTER_SECONDS));
        }
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** Jetty writes error pages for GET, POST and HEAD only; here every method gets its JSON. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        if (metrics != null) metrics.record(EdgeHandler.UNROUTED, "OTHER", status, 0);
        fields.put(HttpHeader.CONTENT_TYPE, Json.CONTENT_TYPE);
        return ByteBuffer.wrap(Json.bytes(body(status, reason)));
    }

    /** The error and detail of status {@code code}; {@code message} is Jetty's reason, shown when plain. */
    Json.ErrorBody body(int code, String message) {
        String error;
        String detail;
        switch (code) {
            case 503 -> {
                error = "overloaded";
                // BodyReader says why it refused; a full queue is the other reason.
                detail = ours(message, "too many request bodies") ? ApiError.safe(message) + "; retry after "
                        + ApiServer.RETRY_AFTER_SECONDS + " s" : "all " + threads + " workers are busy and the queue ("
                        + queue + " requests) is full or was waited on too long; retry after "
                        + ApiServer.RETRY_AFTER_SECONDS + " s";
            }
            case 414 -> {
                error = "uri too long";
                detail = "the request line must be at most " + ApiServer.MAX_HEADER_BYTES + " bytes";
            }
            case 431 -> {
                error = "headers too large";
                detail = "the request line and headers must be at most " + ApiServer.MAX_HEADER_BYTES + " bytes";
            }
            case 413 -> {
                error = "body too large";
                detail = "request body must be at most " + ApiServer.MAX_BODY_BYTES + " bytes";
            }
            case 429 -> {
                error = "too many requests";
                detail = ours(message, "this client") ? ApiError.safe(message)
                        : "this client has used its share of the server's work";
            }
            case 408 -> {
                error = "request timeout";
                detail = ours(message, "the ") ? ApiError.safe(message) : "the request did not arrive in time";
            }
            case 501 -> {
                error = "not implemented";
                detail = ours(message, "") && message.contains("not a method") ? ApiError.safe(message)
                        : "the request's method is not one this server implements";
            }
            case 404 -> {
                error = "not found";
                detail = "no such route; see /openapi.json";
            }
            case 400 -> {
                error = "bad request";
                detail = ours(message, "the request body") ? ApiError.safe(message)
                        : "the request is malformed" + (plain(message) ? ": " + ApiError.safe(message) : "")
                        + " (check the request line, percent-encoding and headers)";
            }
            default -> {
                error = code == 505 ? "http version not supported" : code == 400 ? "bad request"
                        : code >= 500 ? "internal error" : "request refused";
                detail = "the request is malformed" + (plain(message) ? ": " + ApiError.safe(message) : "")
                        + " (check the request line, percent-encoding and headers)";
            }
        }
        return new Json.ErrorBody(error, detail, null);
    }

    /** Whether {@code message} is one of this server's own texts (beginning with {@code prefix}), not Jetty's. */
    private static boolean ours(String message, String prefix) {
        return plain(message) && message.startsWith(prefix);
    }

    /** Whether Jetty's reason is fit to show: no class names or stack fragments. */
    private static boolean plain(String message) {
        return message != null && !message.isBlank()
                && !message.matches("(?s).*([A-Za-z]+Exception|\\w+\\.\\w+\\.[A-Z]|\\tat ).*");
    }
}
