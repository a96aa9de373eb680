package io.reelrank.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a request's whole body before the request may take a worker, without holding a thread while the
 * bytes arrive: Jetty's asynchronous reads ({@link Request#read} and {@link Request#demand}) fill a buffer,
 * and only a complete body is passed on (then read from memory by the route). So a client that sends
 * headers and then trickles its body, or stops, ties up a connection and at most {@link #maxBytes} of
 * memory, never a worker. A body not complete within {@code timeoutMs} of its request (far shorter than
 * the idle timeout) is answered 408; one that ends before its {@code Content-Length} (or its connection
 * fails) 400; one over {@code maxBytes} 413; each with one log line and no stack trace, and the
 * connection is closed. At most {@code maxPending} bodies are read at once; beyond, 503 {@code
 * Retry-After}. Requests without a body pass straight on. {@link ApiServer} puts it before the
 * admission limit ({@link org.eclipse.jetty.server.handler.QoSHandler}).
 */
final class BodyReader extends Handler.Wrapper {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    private final int maxBytes;
    private final long timeoutMs;
    private final int maxPending;
    private final AtomicInteger pending = new AtomicInteger();

    BodyReader(int maxBytes, long timeoutMs, int maxPending) {
        this.maxBytes = maxBytes;
        this.timeoutMs = timeoutMs;
        this.maxPending = maxPending;
    }

    /** Bodies being read right now. */
    int pending() {
        return pending.get();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Handler next = getHandler();
        if (next == null) return false;
        if (!hasBody(request)) return next.handle(request, response, callback);
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
            Response.writeError(request, response, callback, 503, "too many request bodies are being received "
                    + "at once (" + maxPending + ")");
            return true;
        }
        new Read(next, request, response, callback).start();
        return true;
    }

    private static boolean hasBody(Request request) {
        for (HttpField f : request.getHeaders()) {
            if (f.getHeader() == HttpHeader.CONTENT_LENGTH && f.getLongValue() > 0) return true;
            if (f.getHeader() == HttpHeader.TRANSFER_ENCODING) return true;
        }
        return false;
    }

    /** One body being read; whichever comes first of its end, a failure and the deadline decides. */
    private final class Read implements Invocable.Task {
        private final Handler next;
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream(256);
        private final AtomicBoolean decided = new AtomicBoolean();
        private Scheduler.Task deadline;

        Read(Handler next, Request request, Response response, Callback callback) {
            this.next = next;
            this.request = request;
            this.response = response;
            this.callback = callback;
        }

        void start() {
            deadline = request.getComponents().getScheduler().schedule(() -> refuse(408, "the request body did not "
                    + "arrive within " + timeoutMs + " ms"), timeoutMs, TimeUnit.MILLISECONDS);
            read(false);
        }

        /** Called by Jetty when more of the body may be read; it only copies bytes, so it never blocks. */
        @Override
        public void run() {
            read(true);
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }

        private void read(boolean onDemand) {
            while (!decided.get()) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    failed(chunk.getFailure());
                    return;
                }
                boolean last = chunk.isLast();
                ByteBuffer b = chunk.getByteBuffer();
                if (body.size() + b.remaining() > maxBytes) {
                    chunk.release();
                    refuse(413, null);
                    return;
                }
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                body.write(bytes, 0, bytes.length);
                chunk.release();
                if (last) {
                    complete(onDemand);
                    return;
                }
            }
        }

        private void failed(Throwable failure) {
            if (failure instanceof HttpException h && h.getCode() != 400) {
                refuse(h.getCode(), null); // 413 from the size limit
            } else if (failure instanceof TimeoutException) {
                refuse(408, "the connection sent nothing for the idle timeout in the middle of the request body");
            } else {
                refuse(400, "the request body ended early, after " + body.size() + " bytes");
            }
        }

        private void complete(boolean onDemand) {
            if (!decided.compareAndSet(false, true)) return;
            finish();
            Request full = new BufferedRequest(request, body.toByteArray());
            // Jetty calls back on its selector: the route (which may block) gets a worker of its own.
            if (onDemand) {
                request.getContext().execute(() -> pass(full));
            } else {
                pass(full);
            }
        }

        private void pass(Request full) {
            try {
                if (!next.handle(full, response, callback)) Response.writeError(full, response, callback, 404);
            } catch (Throwable t) {
                Response.writeError(full, response, callback, t);
            }
        }

        private void refuse(int status, String message) {
            if (!decided.compareAndSet(false, true)) return;
            finish();
            LOG.warn("{} {} from {}: {} {}", request.getMethod(), ApiError.safe(request.getHttpURI().getPathQuery()),
                    Request.getRemoteAddr(request), status, message == null ? "refused" : message);
            // The rest of the body is not read: the connection cannot be used for another request.
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
            Response.writeError(request, response, callback, status, message);
        }

        private void finish() {
            if (deadline != null) deadline.cancel();
            pending.decrementAndGet();
        }
    }

    /** The request with its body already in memory: every read returns it at once. */
    private static final class BufferedRequest extends Request.Wrapper {
        private Content.Chunk content;

        BufferedRequest(Request request, byte[] body) {
            super(request);
            this.content = Content.Chunk.from(ByteBuffer.wrap(body), true);
        }

        @Override
        public synchronized Content.Chunk read() {
            Content.Chunk c = content;
            content = Content.Chunk.EOF;
            return c;
        }

        @Override
        public void demand(Runnable demandCallback) {
            demandCallback.run();
        }

        @Override
        public boolean consumeAvailable() {
            return true;
        }
    }
}
