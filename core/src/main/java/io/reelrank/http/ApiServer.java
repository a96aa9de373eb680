package io.reelrank.http;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.reelrank.db.Database;
import io.reelrank.db.Locks;
import io.reelrank.index.QuerySyntaxException;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.service.RatingService;
import io.reelrank.user.UserTower;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.QoSHandler;
import org.eclipse.jetty.util.BlockingArrayQueue;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * reelrank's HTTP API and web page, on Javalin 7 over Jetty 12. Jetty reads and parses requests on
 * its selector without holding a worker, closes connections idle for {@link Options#idleTimeoutMs},
 * refuses oversized headers (431), URIs (414) and bodies (413), and a {@link QoSHandler} lets at most
 * {@link Options#threads} requests run at once, parks up to {@link Options#queue} more for at most
 * {@link Options#queueWaitMs}, and answers the rest 503 with {@code Retry-After}. Every request then
 * goes through one dispatcher: route match ({@link Router}), the API token for write routes, the
 * handler (decode, delegate, encode), the error mapping (400 bad parameter or query, 401, 404, 405,
 * 413, 415, 503 database down or busy, 500; always JSON {@code {"error", "detail"}}, never a stack
 * trace or a Java class name) and the per-route metrics; errors Jetty answers itself (a malformed
 * request line or URI) get the same JSON shape from {@link JsonErrorHandler}. {@link #start} binds and
 * starts it; the caller owns the database and the search facade and must {@link #close} the server
 * (which stops accepting and lets running requests finish for up to {@link Options#shutdownMs})
 * before closing them.
 */
public final class ApiServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    /** Default requests handled at once: searches are CPU-bound, rating posts wait on the database. */
    public static final int DEFAULT_THREADS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    public static final int MAX_THREADS = 256;
    public static final int DEFAULT_QUEUE = 256;
    public static final int MAX_QUEUE = 100_000;
    public static final long DEFAULT_QUEUE_WAIT_MS = 5_000;
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 30_000;
    public static final long DEFAULT_SHUTDOWN_MS = 10_000;
    /** Request line plus headers; larger is 431 (414 when the URI alone is too long). */
    public static final int MAX_HEADER_BYTES = 8 * 1024;
    /** Seconds a client is told to wait in {@code Retry-After} when the server is full or busy. */
    static final int RETRY_AFTER_SECONDS = 1;
    /** Jetty's own threads beside the workers: acceptor, selector, scheduler, reserved threads. */
    static final int JETTY_THREADS = 16;

    /**
     * Where and how to serve: bind address, port (0 = a free one), worker threads (requests handled
     * at once), the API token (null = write routes are open), the user tower's shrinkage k used when a
     * rating is posted, the queue of requests waiting for a worker and how long one may wait (ms), how
     * long an idle connection stays open (ms) and how long {@link #close} waits for running requests (ms).
     */
    public record Options(String bind, int port, int threads, String token, double shrinkage, int queue,
                          long queueWaitMs, long idleTimeoutMs, long shutdownMs) {
        public Options {
            if (bind == null || bind.isBlank()) throw new IllegalArgumentException("bind address must not be empty");
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in 0-65535, got " + port);
            if (threads < 1 || threads > MAX_THREADS) {
                throw new IllegalArgumentException("threads must be in 1-" + MAX_THREADS + ", got " + threads);
            }
            if (token != null && token.isBlank()) {
                throw new IllegalArgumentException("the API token must not be blank (unset REELRANK_API_TOKEN to open write routes)");
            }
            if (!(shrinkage >= 0 && Double.isFinite(shrinkage))) {
                throw new IllegalArgumentException("shrinkage must be a finite number >= 0, got " + shrinkage);
            }
            if (queue < 0 || queue > MAX_QUEUE) throw new IllegalArgumentException("queue must be in 0-" + MAX_QUEUE + ", got " + queue);
            if (queueWaitMs < 1 || queueWaitMs > 600_000) {
                throw new IllegalArgumentException("queue wait must be in 1-600000 ms, got " + queueWaitMs);
            }
            if (idleTimeoutMs < 100 || idleTimeoutMs > 3_600_000) {
                throw new IllegalArgumentException("idle timeout must be in 100-3600000 ms, got " + idleTimeoutMs);
            }
            if (shutdownMs < 0 || shutdownMs > 600_000) {
                throw new IllegalArgumentException("shutdown timeout must be in 0-600000 ms, got " + shutdownMs);
            }
        }

        public Options(String bind, int port, int threads, String token, double shrinkage) {
            this(bind, port, threads, token, shrinkage, DEFAULT_QUEUE, DEFAULT_QUEUE_WAIT_MS, DEFAULT_IDLE_TIMEOUT_MS,
                    DEFAULT_SHUTDOWN_MS);
        }

        /** Loopback, port 0, default threads and limits, no token: what tests and the benchmark use. */
        public static Options loopback() {
            return new Options("127.0.0.1", 0, DEFAULT_THREADS, null, UserTower.DEFAULT_SHRINKAGE);
        }

        public Options withToken(String t) {
            return new Options(bind, port, threads, t, shrinkage, queue, queueWaitMs, idleTimeoutMs, shutdownMs);
        }

        public Options withPort(int p) {
            return new Options(bind, p, threads, token, shrinkage, queue, queueWaitMs, idleTimeoutMs, shutdownMs);
        }

        public Options withWorkers(int t, int q, long waitMs) {
            return new Options(bind, port, t, token, shrinkage, q, waitMs, idleTimeoutMs, shutdownMs);
        }

        public Options withTimeouts(long idleMs, long shutdown) {
            return new Options(bind, port, threads, token, shrinkage, queue, queueWaitMs, idleMs, shutdown);
        }
    }

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
    static final String CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'";

    private final Options options;
    private final Router router;
    private final HttpMetrics metrics;
    private final byte[] token;
    private final Javalin app;
    private volatile QoSHandler qos;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ApiServer(Options o, Database db, PersonalizedSearch search) {
        this.options = o;
        this.token = o.token() == null ? null : ("Bearer " + o.token()).getBytes(StandardCharsets.UTF_8);
        this.metrics = new HttpMetrics(db::poolStats);
        StaticFiles web = StaticFiles.load();
        SearchRoute searchRoute = new SearchRoute(search);
        CatalogRoutes catalog = new CatalogRoutes(db);
        UserRoutes users = new UserRoutes(db, search, new RatingService(db, search::items, search::model, o.shrinkage(),
                search.searcher().dir()));
        HealthRoute health = new HealthRoute(db, search);
        this.router = new Router()
                .get("/api/search", searchRoute::search)
                .get("/api/genres", catalog::genres)
                .get("/api/movies/{id}", catalog::movie)
                .get("/api/movies/{id}/similar", catalog::similar)
                .get("/api/users", users::list)
                .get("/api/users/{id}", users::user)
                .post("/api/users/{id}/ratings", users::rate)
                .get("/api/users/{id}/recommendations", users::recommendations)
                .get("/api/health", health::health)
                .get("/metrics", c -> Reply.text(200, metrics.contentType(), metrics.render()))
                .get("/openapi.json", c -> Reply.json(web.openApi()))
                .get("/", c -> web.page("index.html"))
                .get("/static/{file}", c -> web.page(c.path("file")));
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.startup.startupWatcherEnabled = false;
            cfg.http.compressionStrategy = CompressionStrategy.NONE;
            cfg.http.maxRequestSize = Call.MAX_BODY_BYTES;
            QueuedThreadPool pool = new QueuedThreadPool(o.threads() + JETTY_THREADS, Math.min(o.threads(), 8) + 2,
                    60_000, -1, new BlockingArrayQueue<>(64, 64, o.threads() + o.queue() + 1024), null);
            pool.setName("reelrank-http");
            pool.setDaemon(true);
            cfg.jetty.threadPool = pool;
            cfg.jetty.modifyHttpConfiguration(h -> {
                h.setRequestHeaderSize(MAX_HEADER_BYTES);
                h.setSendServerVersion(false);
                h.setSendXPoweredBy(false);
            });
            cfg.jetty.addConnector((server, http) -> {
                ServerConnector c = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
                c.setHost(o.bind());
                c.setPort(o.port());
                c.setIdleTimeout(o.idleTimeoutMs());
                c.setAcceptedTcpNoDelay(true);
                return c;
            });
            cfg.jetty.modifyServer(server -> {
                // Outermost first: graceful shutdown counts every request, the QoS limit admits them.
                QoSHandler limit = new QoSHandler();
                limit.setMaxRequestCount(o.threads());
                limit.setMaxSuspendedRequestCount(o.queue());
                limit.setMaxSuspend(Duration.ofMillis(o.queueWaitMs()));
                server.insertHandler(limit);
                qos = limit;
                server.insertHandler(new GracefulHandler());
                server.setStopTimeout(o.shutdownMs());
                server.setErrorHandler(new JsonErrorHandler(o.threads(), o.queue()));
            });
            for (HandlerType t : HandlerType.commonHttp()) cfg.routes.addHttpHandler(t, "*", this::dispatch);
            // Methods outside the common set never reach a handler; Javalin's 404 for them is answered as ours.
            cfg.routes.exception(HttpResponseException.class, (e, ctx) -> {
                Reply r = Json.error(new ApiError(e.getStatus(), e.getStatus() == 404 ? "not found" : "bad request",
                        "no route for " + Call.safe(ctx.req().getMethod()) + " " + Call.safe(ctx.req().getRequestURI())
                                + "; see /openapi.json"));
                send(ctx, "GET", r);
            });
        });
    }

    /** Binds and starts a server; it answers until {@link #close}. */
    public static ApiServer start(Options options, Database db, PersonalizedSearch search) throws IOException {
        ApiServer s = new ApiServer(options, db, search);
        try {
            s.app.start();
        } catch (RuntimeException e) {
            s.close();
            throw new IOException("cannot listen on " + options.bind() + ":" + options.port() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
        return s;
    }

    public int port() {
        return app.port();
    }

    /** The base URI, e.g. {@code http://127.0.0.1:8080/}. */
    public URI uri() {
        String host = options.bind();
        try {
            if (InetAddress.getByName(host).isAnyLocalAddress()) host = "127.0.0.1";
        } catch (IOException e) {
            // a name that no longer resolves: keep it as given
        }
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create("http://" + host + ":" + port() + "/");
    }

    /** Requests waiting in the queue for a worker right now. */
    public int waitingRequests() {
        QoSHandler q = qos;
        return q == null ? 0 : q.getSuspendedRequestCount();
    }

    public Options options() {
        return options;
    }

    /** Method and pattern of every route, in table order (the OpenAPI test walks them). */
    public List<String> routes() {
        return router.routes().stream().map(r -> r.method() + " " + r.pattern()).toList();
    }

    private void dispatch(Context ctx) {
        long start = System.nanoTime();
        String method = ctx.req().getMethod().toUpperCase(Locale.ROOT);
        String label = "unmatched";
        Reply reply;
        try {
            String path = ctx.req().getRequestURI();
            Router.Match m = router.match(method, path);
            if (m == null) {
                throw ApiError.notFound("no route for " + Call.safe(method) + " " + Call.safe(path) + "; see /openapi.json");
            }
            if (m.route() == null) {
                ctx.res().setHeader("Allow", String.join(", ", m.allowed()));
                throw new ApiError(405, "method not allowed", Call.safe(method) + " is not allowed on " + Call.safe(path)
                        + "; allowed: " + String.join(", ", m.allowed()));
            }
            label = m.route().pattern();
            if (m.route().write()) authorize(ctx);
            reply = m.route().handler().handle(new Call(ctx, m.params()));
        } catch (Exception e) {
            reply = errorReply(e, ctx);
        }
        // Recorded before the reply goes out, so a client that has its answer also sees it counted
        // (a scrape right after a request is then exact); writing a small body adds microseconds.
        metrics.record(label, METHODS.contains(method) ? method : "OTHER", reply.status(), System.nanoTime() - start);
        send(ctx, method, reply);
    }

    private void authorize(Context ctx) {
        if (token == null) return;
        String h = ctx.req().getHeader("Authorization");
        byte[] given = h == null ? new byte[0] : h.getBytes(StandardCharsets.UTF_8);
        // Constant-time, so response timing does not reveal how much of a guessed token was right.
        if (!MessageDigest.isEqual(given, token)) {
            ctx.res().setHeader("WWW-Authenticate", "Bearer realm=\"reelrank\"");
            throw new ApiError(401, "unauthorized", h == null
                    ? "this route writes: send Authorization: Bearer <token> (the server's REELRANK_API_TOKEN)"
                    : "the bearer token does not match the server's REELRANK_API_TOKEN");
        }
    }

    /** The reply for a failed request; the stack trace of an unexpected failure goes to the server log only. */
    static Reply errorReply(Exception e, Context ctx) {
        if (e instanceof ApiError a) {
            if (a.status == 503) ctx.res().setHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
            return Json.error(a);
        }
        if (e instanceof QuerySyntaxException q) {
            return Json.error(new ApiError(400, "query syntax error", "parameter 'q': " + q.reason()
                    + " at position " + q.position() + " in '" + q.query() + "'", q.position()));
        }
        if (e instanceof IndexSearcher.TooManyClauses) {
            return Json.error(new ApiError(400, "query too complex", "parameter 'q': the query expands to more than "
                    + IndexSearcher.getMaxClauseCount() + " terms (wildcards, fuzzy terms or ranges); make it narrower"));
        }
        if (e instanceof TooComplexToDeterminizeException) {
            return Json.error(new ApiError(400, "query too complex", "parameter 'q': a regular expression in the query "
                    + "needs too much work to run; make it simpler"));
        }
        if (e instanceof PersonalizedSearch.UnknownUserException u) {
            return Json.error(ApiError.notFound(u.getMessage()));
        }
        if (e instanceof RatingService.UnknownMovieException u) {
            return Json.error(ApiError.notFound(u.getMessage()));
        }
        if (e instanceof RatingService.BadRatingException b) {
            return Json.error(ApiError.badParameter(b.getMessage().replaceFirst("^rating", "field 'rating'")));
        }
        if (e instanceof RatingService.BusyException b) {
            ctx.res().setHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
            return Json.error(new ApiError(503, "busy", b.getMessage()));
        }
        if (Locks.timedOut(e)) {
            // A read behind a reload's table locks (the server's lock timeout, --db-timeout).
            ctx.res().setHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
            return Json.error(new ApiError(503, "busy", "a reload or another batch job holds the tables this request "
                    + "reads; retry in a few seconds"));
        }
        if (e instanceof IllegalArgumentException) {
            // The library's own validation (filters, genres, ranges): its messages name value and range.
            // One from deeper down (Lucene) that names a class is not shown as is.
            String m = String.valueOf(e.getMessage());
            return Json.error(ApiError.badParameter(namesAClass(m) ? "the request cannot be run as given; check the "
                    + "query and the parameters (see /openapi.json)" : m));
        }
        if (Database.unreachable(e)) {
            ctx.res().setHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
            return Json.error(new ApiError(503, "database unavailable", "the database cannot be reached: "
                    + (namesAClass(String.valueOf(e.getMessage())) ? "connection refused or timed out"
                            : Call.safe(firstLine(e.getMessage()))) + "; retry when it is back (GET /api/health)"));
        }
        LOG.error("{} {} failed", ctx.req().getMethod(), ctx.req().getRequestURI(), e);
        return Json.error(new ApiError(500, "internal error",
                "the server failed on this request; its log has the details"));
    }

    /** True when a message names a Java class or exception (never shown to a client). */
    static boolean namesAClass(String message) {
        return message.matches("(?s).*(\\b[A-Z]\\w*(Exception|Error)\\b|\\b(java|javax|jakarta|org|com|io)\\.[a-z]\\w*\\.).*");
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static void send(Context ctx, String method, Reply r) {
        ctx.status(r.status());
        var res = ctx.res();
        res.setHeader("Content-Type", r.contentType());
        res.setHeader("X-Content-Type-Options", "nosniff");
        res.setHeader("Cache-Control", "no-store");
        if (r.contentType().startsWith("text/html")) {
            // The page loads nothing from elsewhere; the policy makes that a guarantee.
            res.setHeader("Content-Security-Policy", CSP);
        }
        // A known length lets Jetty send headers and body in one write, and keeps the connection alive.
        res.setContentLength(r.body().length);
        if (method.equals("HEAD") || r.body().length == 0) return;
        try {
            OutputStream out = res.getOutputStream();
            out.write(r.body());
        } catch (IOException e) {
            // The client went away; nothing is left to tell it.
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        try {
            app.stop();
        } catch (RuntimeException e) {
            LOG.warn("stopping the server failed", e);
        }
    }
}
