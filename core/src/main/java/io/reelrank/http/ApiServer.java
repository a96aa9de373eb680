package io.reelrank.http;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.json.JavalinJackson;
import io.javalin.router.Endpoint;
import io.reelrank.db.Database;
import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.rerank.Retrieval;
import io.reelrank.service.Access;
import io.reelrank.service.EventPartitions;
import io.reelrank.service.EventService;
import io.reelrank.service.Experiments;
import io.reelrank.service.Keys;
import io.reelrank.service.RatingService;
import io.reelrank.service.RequestLog;
import io.reelrank.user.UserTower;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 * refuses oversized headers (431) and URIs (414); {@link EdgeHandler} counts what no route answers and
 * refuses unknown methods (501), {@link BodyReader} reads a body whole without a worker (408 when it
 * stalls), {@link CostGate} charges the client its request's cost (429 over its share), health and
 * metrics pass on a small limit of their own, rating posts on one of their own ({@link #WRITES_IN_FLIGHT}: they
 * wait for their transaction without a worker), and for the rest a {@link QoSHandler} lets at most
 * {@link Options#threads} requests run at once, parks up to {@link Options#queue} more for at most
 * {@link Options#queueWaitMs}, and answers the rest 503 with {@code Retry-After}. Javalin then routes
 * the request to its handler (each route a {@code GET} with its {@code HEAD}, or a {@code POST}; 404 and
 * 405 with {@code Allow} otherwise), {@link Guard} applies the access rules before a route runs, and its handler
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
    /** Larger bodies are refused with 413: the bodies the API takes are a rating and a batch of events. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    /** Seconds a client is told to wait in {@code Retry-After} when the server is full or busy. */
    static final int RETRY_AFTER_SECONDS = 1;
    /** Jetty's own threads beside the workers: acceptor, selector, scheduler, reserved threads. */
    static final int JETTY_THREADS = 16;

    /**
     * The limits a client's request meets beyond the worker pool: how long its body may take to arrive
     * (ms, far shorter than the idle timeout; {@link BodyReader}), how many bodies may be arriving at
     * once, and each client's share of the work ({@link ClientLimits}): {@code costRate} units per second
     * (0 = no per-client limit) with at most {@code costBurst} at once.
     */
    public record Limits(long bodyTimeoutMs, int maxPendingBodies, double costRate, double costBurst) {
        public static final long DEFAULT_BODY_TIMEOUT_MS = 10_000;
        public static final int DEFAULT_PENDING_BODIES = 1_024;
        public static final double DEFAULT_COST_RATE = ClientLimits.DEFAULT_RATE;
        public static final double DEFAULT_COST_BURST = ClientLimits.DEFAULT_BURST;
        public static final Limits DEFAULT = new Limits(DEFAULT_BODY_TIMEOUT_MS, DEFAULT_PENDING_BODIES,
                DEFAULT_COST_RATE, DEFAULT_COST_BURST);

        public Limits {
            if (bodyTimeoutMs < 100 || bodyTimeoutMs > 600_000) {
                throw new IllegalArgumentException("body timeout must be in 100-600000 ms, got " + bodyTimeoutMs);
            }
            if (maxPendingBodies < 1 || maxPendingBodies > MAX_QUEUE) {
                throw new IllegalArgumentException("pending bodies must be in 1-" + MAX_QUEUE + ", got "
                        + maxPendingBodies);
            }
            if (!(costRate >= 0 && costRate <= 1e12)) {
                throw new IllegalArgumentException("cost rate must be in 0-1000000000000 units/s, got " + costRate);
            }
            if (!(costBurst >= 1 && costBurst <= 1e12)) {
                throw new IllegalArgumentException("cost burst must be in 1-1000000000000 units, got " + costBurst);
            }
        }

        public Limits withCost(double rate, double burst) {
            return new Limits(bodyTimeoutMs, maxPendingBodies, rate, burst);
        }

        public Limits withBodies(long timeoutMs, int pending) {
            return new Limits(timeoutMs, pending, costRate, costBurst);
        }
    }

    /**
     * Where and how to serve: bind address, port (0 = a free one), worker threads (requests handled
     * at once), the API token (an admin key, {@code REELRANK_API_TOKEN}; null = none), the user tower's
     * shrinkage k used when a rating is posted, the queue of requests waiting for a worker and how long
     * one may wait (ms), how long an idle connection stays open (ms), how long {@link #close} waits for
     * running requests (ms) and the per-client {@link Limits}.
     */
    public record Options(String bind, int port, int threads, String token, double shrinkage, int queue,
                          long queueWaitMs, long idleTimeoutMs, long shutdownMs, Limits limits) {
        public Options {
            if (bind == null || bind.isBlank()) throw new IllegalArgumentException("bind address must not be empty");
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in 0-65535, got " + port);
            if (threads < 1 || threads > MAX_THREADS) {
                throw new IllegalArgumentException("threads must be in 1-" + MAX_THREADS + ", got " + threads);
            }
            if (token != null && token.isBlank()) {
                throw new IllegalArgumentException(
                        "the API token must not be blank (unset REELRANK_API_TOKEN for none)");
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
            if (limits == null) throw new IllegalArgumentException("limits must be given (Limits.DEFAULT)");
        }

        public Options(String bind, int port, int threads, String token, double shrinkage, int queue,
                       long queueWaitMs, long idleTimeoutMs, long shutdownMs) {
            this(bind, port, threads, token, shrinkage, queue, queueWaitMs, idleTimeoutMs, shutdownMs, Limits.DEFAULT);
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
            return new Options(bind, port, threads, t, shrinkage, queue, queueWaitMs, idleTimeoutMs, shutdownMs,
                    limits);
        }

        public Options withPort(int p) {
            return new Options(bind, p, threads, token, shrinkage, queue, queueWaitMs, idleTimeoutMs, shutdownMs,
                    limits);
        }

        public Options withWorkers(int t, int q, long waitMs) {
            return new Options(bind, port, t, token, shrinkage, q, waitMs, idleTimeoutMs, shutdownMs, limits);
        }

        public Options withTimeouts(long idleMs, long shutdown) {
            return new Options(bind, port, threads, token, shrinkage, queue, queueWaitMs, idleMs, shutdown, limits);
        }

        public Options withLimits(Limits l) {
            return new Options(bind, port, threads, token, shrinkage, queue, queueWaitMs, idleTimeoutMs, shutdownMs, l);
        }
    }

    /**
     * The events API's settings (docs/events.md): events that may wait for the writer ({@code
     * --event-queue}; a batch beyond it is 503), request log entries that may wait for theirs ({@code
     * --request-log-queue}; beyond it an entry is dropped and counted), and the days of events and
     * request log kept ({@code --event-retention-days}; older day partitions are dropped every hour).
     */
    public record EventSettings(int queue, int requestLogQueue, int retentionDays) {
        public static final EventSettings DEFAULT = new EventSettings(EventService.DEFAULT_CAPACITY,
                RequestLog.DEFAULT_CAPACITY, EventPartitions.DEFAULT_RETENTION_DAYS);

        public EventSettings {
            if (queue < 1 || queue > EventService.MAX_CAPACITY) {
                throw new IllegalArgumentException("event queue must be in 1-" + EventService.MAX_CAPACITY
                        + " events, got " + queue);
            }
            if (requestLogQueue < 1 || requestLogQueue > RequestLog.MAX_CAPACITY) {
                throw new IllegalArgumentException("request log queue must be in 1-" + RequestLog.MAX_CAPACITY
                        + " entries, got " + requestLogQueue);
            }
            EventPartitions.checkRetention(retentionDays);
        }
    }

    /** The page loads nothing from elsewhere; the policy, sent with every answer, makes that a guarantee. */
    static final String CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            + "connect-src 'self'";
    /** The request attribute holding when Javalin began the request, for its duration in the metrics. */
    private static final String STARTED = "reelrank.started";

    /** Paths answered outside the admission limit, on a small limit of their own, so they answer when it is full. */
    static final String[] MONITORING = {"/api/health", "/metrics"};
    private static final Set<String> MONITORING_PATHS = Set.of(MONITORING);
    private static final String SEARCH = CostGate.SEARCH;
    /**
     * Rating posts admitted at once, beside the API's limit of {@link Options#threads}: a rating waits for its
     * transaction (group commit) without holding a worker, its answer written when the transaction
     * completes, so what a post in flight costs is a queued entry, not a thread. More wait as for the API
     * ({@link Options#queue}, {@link Options#queueWaitMs}), then 503.
     */
    public static final int WRITES_IN_FLIGHT = 256;

    /** {@code POST /api/users/{id}/ratings}: admitted by its own limit, {@link #WRITES_IN_FLIGHT}. */
    static final java.util.function.Predicate<org.eclipse.jetty.server.Request> RATING_POST = r -> {
        if (!"POST".equals(r.getMethod())) return false;
        String p = org.eclipse.jetty.server.Request.getPathInContext(r);
        return p.startsWith("/api/users/") && p.endsWith("/ratings") && p.indexOf('/', 11) == p.length() - 8;
    };

    /** Monitoring requests handled at once; more wait (up to {@link #MONITORING_QUEUE}) for at most 5 s. */
    static final int MONITORING_THREADS = 2;
    static final int MONITORING_QUEUE = 64;

    private final Options options;
    private final HttpMetrics metrics;
    private final ClientLimits limits;
    private final Guard guard;
    private final Javalin app;
    private volatile QoSHandler qos;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final RequestLog requestLog;
    private final EventService events;
    private final ScheduledExecutorService maintenance;
    private final Experiments.Follower experiments;

    private ApiServer(Options o, Database db, PersonalizedSearch search, Access.Policy policy, EventSettings es) {
        this.options = o;
        Keys keys = null;
        if (policy.keysRequired()) {
            keys = new Keys(db, o.token());
            keys.listen();
        }
        Guard g = new Guard(policy, keys);
        this.guard = g;
        this.metrics = new HttpMetrics(db::poolStats);
        this.limits = new ClientLimits(o.limits().costRate(), o.limits().costBurst());
        StaticFiles web = StaticFiles.load();
        this.requestLog = new RequestLog(db, es.requestLogQueue());
        RatingService ratings = new RatingService(db, search::items, search::model, o.shrinkage(),
                search.searcher().dir());
        this.events = new EventService(db, requestLog, ratings, es.queue());
        metrics.events(events, requestLog);
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "reelrank-event-partitions");
            t.setDaemon(true);
            return t;
        });
        maintenance.scheduleAtFixedRate(() -> maintainPartitions(db, es.retentionDays()), 0, 1, TimeUnit.HOURS);
        this.experiments = new Experiments.Follower(db);
        SearchRoute searchRoute = new SearchRoute(search, requestLog, experiments);
        CatalogRoutes catalog = new CatalogRoutes(db);
        QueuedThreadPool pool = new QueuedThreadPool(o.threads() + JETTY_THREADS, Math.min(o.threads(), 8) + 2,
                60_000, -1, new BlockingArrayQueue<>(64, 64, o.threads() + o.queue() + WRITES_IN_FLIGHT + 1024), null);
        pool.setName("reelrank-http");
        pool.setDaemon(true);
        UserRoutes users = new UserRoutes(db, search, ratings, requestLog, pool);
        EventRoutes eventRoutes = new EventRoutes(events, search, g);
        HealthRoute health = new HealthRoute(db, search);
        JsonErrorHandler jettyErrors = new JsonErrorHandler(o.threads(), o.queue(), metrics);
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
            // Numbers in plain decimal notation only (blanks around them ignored); fusion and retrieval by their
            // lower-case names.
            cfg.validation.register(Long.class, ParamRules::parseInteger);
            cfg.validation.register(Double.class, ParamRules::parseNumber);
            cfg.validation.register(Fusion.class, Fusion::parse);
            cfg.validation.register(Retrieval.class, Retrieval::parse);
            cfg.bundledPlugins.enableGlobalHeaders(h -> {
                h.xContentTypeOptionsNoSniff();
                h.contentSecurityPolicy(CSP);
                h.getHeaders().put("Cache-Control", "no-store");
            });
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
                // Outermost first: every answer is counted and an unknown method refused, graceful shutdown
                // counts every request, a body announced or sent over the limit is refused (413), a body is
                // read whole without a worker, the client is charged the request's cost (429 when over its
                // share), and only then does a request wait for admission: the QoS limit for the API, a
                // small one of its own for health and metrics.
                QoSHandler monitoring = new QoSHandler();
                monitoring.includePath(MONITORING);
                monitoring.setMaxRequestCount(MONITORING_THREADS);
                monitoring.setMaxSuspendedRequestCount(MONITORING_QUEUE);
                monitoring.setMaxSuspend(Duration.ofMillis(DEFAULT_QUEUE_WAIT_MS));
                server.insertHandler(monitoring);
                QoSHandler limit = new QoSHandler();
                limit.excludePath(MONITORING);
                limit.exclude(RATING_POST);
                limit.setMaxRequestCount(o.threads());
                limit.setMaxSuspendedRequestCount(o.queue());
                limit.setMaxSuspend(Duration.ofMillis(o.queueWaitMs()));
                server.insertHandler(limit);
                qos = limit;
                // Rating posts wait for their group commit without a worker (UserRoutes#rate): a limit of their own.
                QoSHandler writes = new QoSHandler();
                writes.include(RATING_POST);
                writes.setMaxRequestCount(WRITES_IN_FLIGHT);
                writes.setMaxSuspendedRequestCount(o.queue());
                writes.setMaxSuspend(Duration.ofMillis(o.queueWaitMs()));
                server.insertHandler(writes);
                server.insertHandler(new CostGate(limits, metrics, MONITORING_PATHS, g::knownKeyId));
                BodyReader bodies = new BodyReader(MAX_BODY_BYTES, o.limits().bodyTimeoutMs(),
                        o.limits().maxPendingBodies());
                metrics.bodies(bodies::pending);
                server.insertHandler(bodies);
                server.insertHandler(new SizeLimitHandler(MAX_BODY_BYTES, -1));
                server.insertHandler(new GracefulHandler());
                server.insertHandler(new EdgeHandler(metrics));
                server.setStopTimeout(o.shutdownMs());
                server.setErrorHandler(jettyErrors);
            });

            RoutesConfig routes = cfg.routes;
            get(routes, SEARCH, searchRoute::search);
            get(routes, "/api/genres", catalog::genres);
            get(routes, "/api/movies/{id}", catalog::movie);
            get(routes, "/api/movies/{id}/similar", catalog::similar);
            get(routes, "/api/users", users::list);
            get(routes, "/api/users/{id}", users::user);
            routes.post("/api/users/{id}/ratings", users::rate);
            routes.delete("/api/users/{id}", users::delete);
            routes.post("/api/events", eventRoutes::post);
            get(routes, "/api/me", g::me);
            get(routes, "/api/users/{id}/recommendations", users::recommendations);
            get(routes, "/api/health", health::health);
            get(routes, "/metrics", ctx -> ctx.contentType(metrics.contentType()).result(metrics.render()));
            get(routes, "/openapi.json", web::openApi);
            get(routes, "/", ctx -> web.page(ctx, "index.html"));
            get(routes, "/static/{file}", ctx -> web.page(ctx, ctx.pathParam("file")));

            routes.before(ctx -> ctx.attribute(STARTED, System.nanoTime()));
            routes.beforeMatched(g::check);
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

    /**
     * Binds and starts a server; it answers until {@link #close}. Keys are required when the options
     * carry a token ({@code REELRANK_API_TOKEN}, then an admin key); without one the server is open.
     */
    public static ApiServer start(Options options, Database db, PersonalizedSearch search) throws IOException {
        return start(options, db, search, options.token() != null ? Access.Policy.DEFAULT : Access.Policy.OPEN);
    }

    /** Binds and starts a server under the access {@code policy} ({@link Guard}); it answers until {@link #close}. */
    public static ApiServer start(Options options, Database db, PersonalizedSearch search, Access.Policy policy)
            throws IOException {
        return start(options, db, search, policy, EventSettings.DEFAULT);
    }

    /** {@link #start(Options, Database, PersonalizedSearch, Access.Policy)} with the events API's settings. */
    public static ApiServer start(Options options, Database db, PersonalizedSearch search, Access.Policy policy,
                                  EventSettings events) throws IOException {
        ApiServer s = new ApiServer(options, db, search, policy, events);
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

    /** The access rules this server applies. */
    public Access.Policy policy() {
        return guard.policy();
    }

    /** Method and pattern of every route as Javalin holds them, HEAD aside (the OpenAPI test walks them). */
    public List<String> routes() {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(p -> p.endpoint)
                .filter(e -> e.method.isHttpMethod() && !e.method.equals(HandlerType.HEAD))
                .map(e -> e.method + " " + e.path)
                .toList();
    }

    /**
     * Counts the request under its route's pattern (never the raw path), or "unmatched" for a 404 or 405,
     * and marks it counted so that {@link EdgeHandler} does not count it again.
     */
    private void record(Context ctx) {
        Long started = ctx.attribute(STARTED);
        Endpoint route = ctx.endpoints().matchedHttpEndpoint();
        String method = ctx.req().getMethod().toUpperCase(Locale.ROOT);
        metrics.record(route == null ? "unmatched" : route.path, EdgeHandler.KNOWN.contains(method) ? method : "OTHER",
                ctx.statusCode(), started == null ? 0 : System.nanoTime() - started);
        if (ctx.attribute(EdgeHandler.COUNTED) instanceof EdgeHandler.Counted c) c.done = true;
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

    /**
     * Waits until this server's key cache has applied every key change committed before the call, so a
     * key made a moment ago is known from its first request on and no late notification drops it (the
     * per-client limits then charge the key's own share); returns at once under the open policy.
     */
    public void awaitKeysSeen(long timeoutMs) throws java.sql.SQLException, InterruptedException {
        guard.awaitKeysSeen(timeoutMs);
    }

    /** The request log of this server's searches and recommendations. */
    public RequestLog requestLog() {
        return requestLog;
    }

    /** This server's view of the running experiment (docs/experiments.md). */
    public Experiments.Follower experiments() {
        return experiments;
    }

    /** The writer of this server's posted events. */
    public EventService events() {
        return events;
    }

    /** Today's and the next days' event partitions made, those past the retention dropped; a failure is logged. */
    private static void maintainPartitions(Database db, int retentionDays) {
        try {
            EventPartitions.Maintained m = EventPartitions.maintain(db, retentionDays,
                    java.time.LocalDate.now(java.time.ZoneOffset.UTC));
            if (!m.dropped().isEmpty()) LOG.info("event retention ({} days): dropped {}", retentionDays, m.dropped());
        } catch (java.sql.SQLException | RuntimeException e) {
            LOG.warn("event partitions not maintained ({}); retried within the hour", e.getMessage());
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
        maintenance.shutdownNow();
        experiments.close();
        events.close();
        requestLog.close();
        guard.close();
    }
}
