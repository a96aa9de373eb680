package io.reelrank.http;

import java.nio.charset.StandardCharsets;

/**
 * What a handler answers: status, content type and the whole body as bytes. Bodies are always sent
 * with a Content-Length (never chunked), which keeps keep-alive connections cheap for small JSON.
 */
record Reply(int status, String contentType, byte[] body) {

    static final String JSON = "application/json; charset=utf-8";

    static Reply json(byte[] body) {
        return new Reply(200, JSON, body);
    }

    static Reply json(int status, byte[] body) {
        return new Reply(status, JSON, body);
    }

    static Reply text(int status, String contentType, String body) {
        return new Reply(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }
}
