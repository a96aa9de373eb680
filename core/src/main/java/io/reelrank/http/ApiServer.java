package io.reelrank.http;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.json.JavalinJackson;
import io.javalin.router.Endpoint;
import io.javalin.security.RouteRole;
import io.reelrank.db.Database;
import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.service.RatingService;
import io.reelrank.user.UserTower;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.QoSHandler;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.util.BlockingArrayQueue;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * reelrank's HTTP API and web page, on Javalin 7 over Jetty 12. Jetty reads and parses requests on
 * its selector without holding a worker, closes connections idle for {@link Options#idleTimeoutMs},
 * refuses oversized headers (431) and URIs (414), and a {@link QoSHandler} lets at most
 * {@link Options#threads} requests run at once, parks up to {@link Options#queue} more for at most
 * {@link Options#queueWaitMs}, and answers the rest 503 with {@code Retry-After}. Javalin then routes
 * the request to its handler (each route a {@code GET} with its {@code HEAD}, or a {@code POST}; 404 and
 * 405 with {@code Allow} otherwise), checks the API token before a write route runs, and its handler
 * decodes ({@link RequestParams}, {@link Json#requestBody}; bodies over {@link #MAX_BODY_BYTES} are 413),
 * delegates and encodes with {@code ctx.json} through the registered {@link Json#MAPPER}. Failures are
 * answered by {@link ExceptionMappers} (always JSON {@code {"error", "detail"}}, never a stack trace or
 * a Java class name), every request is counted per route in {@link HttpMetrics}, and errors Jetty
 * answers itself (a malformed request line or URI) get the same JSON shape from {@link JsonErrorHandler}.
 * {@link #start} binds and starts it; the caller owns the database and the search facade and must
 * {@link #close} the server (which stops accepting and lets running requests finish for up to
 * {@link Options#shutdownMs}) before closing them.
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
    /** Larger bodies are refused with 413: the only body the API takes is one small rating. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
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
                throw new IllegalArgumentException("the API token must not be blank (unset REELRANK_API_TOKEN to open "
                        + "write routes)");
            }
            if (!(shrinkage >= 0 && Double.isFinite(shrinkage))) {
                throw new IllegalArgumentException("shrinkage must be a finite number >= 0, got " + shrinkage);
            }
            if (queue < 0 || queue > MAX_QUEUE) {
                throw new IllegalArgumentException("queue must be in 0-" + MAX_QUEUE + ", got " + queue);
            }
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

    /** Methods counted under their own name in the metrics; any other is counted as OTHER. */
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
    /** The page loads nothing from elsewhere; the policy, sent with every answer, makes that a guarantee. */
    static final String CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            + "connect-src 'self'";
    /** The request attribute holding when Javalin began the request, for its duration in the metrics. */
    private static final String STARTED = "reelrank.started";

    /** What a route needs beyond being reachable: write routes need the API token when one is set. */
    enum Access implements RouteRole { WRITE }

    private final Options options;
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
        UserRoutes users = new UserRoutes(db, search, new RatingService(db, search::items, search::model,
                o.shrinkage(), search.searcher().dir()));
        HealthRoute health = new HealthRoute(db, search);
        JsonErrorHandler jettyErrors = new JsonErrorHandler(o.threads(), o.queue());
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.startup.startupWatcherEnabled = false;
            cfg.http.compressionStrategy = CompressionStrategy.NONE;
            // Jetty's SizeLimitHandler (below) refuses a larger body first; Javalin's own limit matches it.
            cfg.http.maxRequestSize = MAX_BODY_BYTES;
            cfg.http.prefer405over404 = true;
            cfg.router.ignoreTrailingSlashes = false;
            cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            // Integers read as the API always has (blanks around them ignored); fusion by its lower-case name.
            cfg.validation.register(Long.class, ParamRules::parseInteger);
            cfg.validation.register(Fusion.class, Fusion::parse);
            cfg.bundledPlugins.enableGlobalHeaders(h -> {
                h.xContentTypeOptionsNoSniff();
                h.contentSecurityPolicy(CSP);
                h.getHeaders().put("Cache-Control", "no-store");
            });
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
                // Outermost first: graceful shutdown counts every request, a body announced or sent over
                // the limit is refused (413) before it waits for a worker, the QoS limit admits the rest.
                QoSHandler limit = new QoSHandler();
                limit.setMaxRequestCount(o.threads());
                limit.setMaxSuspendedRequestCount(o.queue());
                limit.setMaxSuspend(Duration.ofMillis(o.queueWaitMs()));
                server.insertHandler(limit);
                qos = limit;
                server.insertHandler(new SizeLimitHandler(MAX_BODY_BYTES, -1));
                server.insertHandler(new GracefulHandler());
                server.setStopTimeout(o.shutdownMs());
                server.setErrorHandler(jettyErrors);
            });

            RoutesConfig routes = cfg.routes;
            get(routes, "/api/search", searchRoute::search);
            get(routes, "/api/genres", catalog::genres);
            get(routes, "/api/movies/{id}", catalog::movie);
            get(routes, "/api/movies/{id}/similar", catalog::similar);
            get(routes, "/api/users", users::list);
            get(routes, "/api/users/{id}", users::user);
            routes.post("/api/users/{id}/ratings", users::rate, Access.WRITE);
            get(routes, "/api/users/{id}/recommendations", users::recommendations);
            get(routes, "/api/health", health::health);
            get(routes, "/metrics", ctx -> ctx.contentType(metrics.contentType()).result(metrics.render()));
            get(routes, "/openapi.json", web::openApi);
            get(routes, "/", ctx -> web.page(ctx, "index.html"));
            get(routes, "/static/{file}", ctx -> web.page(ctx, ctx.pathParam("file")));

            routes.before(ctx -> ctx.attribute(STARTED, System.nanoTime()));
            routes.beforeMatched(ctx -> {
                if (ctx.routeRoles().contains(Access.WRITE)) authorize(ctx);
            });
            // Recorded before the answer goes out, so a client that has its answer also sees it counted
            // (a scrape right after a request is then exact).
            routes.after(this::record);
            routes.after(ApiServer::knownLength);
            ExceptionMappers.register(routes, jettyErrors);
        });
    }

    /** A GET route and its HEAD, which runs the same handler and sends the same headers without the body. */
    private static void get(RoutesConfig routes, String path, Handler handler) {
        routes.get(path, handler);
        routes.head(path, handler);
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

    /** Method and pattern of every route as Javalin holds them, HEAD aside (the OpenAPI test walks them). */
    public List<String> routes() {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(p -> p.endpoint)
                .filter(e -> e.method.isHttpMethod() && !e.method.equals(HandlerType.HEAD))
                .map(e -> e.method + " " + e.path)
                .toList();
    }

    private void authorize(Context ctx) {
        if (token == null) return;
        String h = ctx.header("Authorization");
        byte[] given = h == null ? new byte[0] : h.getBytes(StandardCharsets.UTF_8);
        // Constant-time, so response timing does not reveal how much of a guessed token was right.
        if (!MessageDigest.isEqual(given, token)) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"reelrank\"");
            throw new ApiError(401, "unauthorized", h == null
                    ? "this route writes: send Authorization: Bearer <token> (the server's REELRANK_API_TOKEN)"
                    : "the bearer token does not match the server's REELRANK_API_TOKEN");
        }
    }

    /** Counts the request under its route's pattern (never the raw path), or "unmatched" for a 404 or 405. */
    private void record(Context ctx) {
        Long started = ctx.attribute(STARTED);
        Endpoint route = ctx.endpoints().matchedHttpEndpoint();
        String method = ctx.req().getMethod().toUpperCase(Locale.ROOT);
        metrics.record(route == null ? "unmatched" : route.path, METHODS.contains(method) ? method : "OTHER",
                ctx.statusCode(), started == null ? 0 : System.nanoTime() - started);
    }

    /**
     * Gives an answer held whole in memory (every answer here) its Content-Length, also beyond Jetty's
     * 32 KiB output buffer ({@code /metrics}, a long result list), so none goes out chunked.
     */
    private static void knownLength(Context ctx) {
        if (ctx.resultInputStream() instanceof ByteArrayInputStream body) ctx.res().setContentLength(body.available());
    }

    /** True when a message names a Java class or exception (never shown to a client). */
    static boolean namesAClass(String message) {
        return message.matches("(?s).*(\\b[A-Z]\\w*(Exception|Error)\\b"
                + "|\\b(java|javax|jakarta|org|com|io)\\.[a-z]\\w*\\.).*");
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
