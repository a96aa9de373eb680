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
 * limit: 414; headers too large: 431) and the 503 of a full queue ({@code Retry-After} set). The
 * detail never carries an exception or a class name. Installed on the server by {@link ApiServer}, which
 * also answers Javalin's own refusals (a body over the size limit) with {@link #body}.
 */
final class JsonErrorHandler extends ErrorHandler {

    private final int threads;
    private final int queue;

    JsonErrorHandler(int threads, int queue) {
        this.threads = threads;
        this.queue = queue;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        byte[] body = Json.bytes(body(code, message));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Json.CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        if (code == 503) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(ApiServer.RETRY_AFTER_SECONDS));
        }
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
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
                detail = "all " + threads + " workers are busy and the queue (" + queue + " requests) is full or was "
                        + "waited on too long; retry after " + ApiServer.RETRY_AFTER_SECONDS + " s";
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
            case 404 -> {
                error = "not found";
                detail = "no such route; see /openapi.json";
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

    /** Whether Jetty's reason is fit to show: no class names or stack fragments. */
    private static boolean plain(String message) {
        return message != null && !message.isBlank()
                && !message.matches("(?s).*([A-Za-z]+Exception|\\w+\\.\\w+\\.[A-Z]|\\tat ).*");
    }
}
