package io.reelrank.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.reelrank.db.Database;
import io.reelrank.index.QuerySyntaxException;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.user.UserTower;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * reelrank's HTTP API and web page, on the JDK's {@link HttpServer} with a bounded pool of worker
 * threads. Every request goes through one dispatcher: route match, the API token for write routes,
 * the handler (decode, delegate to {@link PersonalizedSearch} or the database, encode), the error
 * mapping (400 bad parameter or query, 401, 404, 405, 503 database down, 500; always JSON
 * {@code {"error", "detail"}}, never a stack trace) and the per-route metrics. {@link #start} binds
 * and starts it; the caller owns the database and the search facade and must {@link #close} the
 * server before closing them.
 */
public final class ApiServer implements AutoCloseable {

    /** Default number of worker threads: searches are CPU-bound, rating posts wait on the database. */
    public static final int DEFAULT_THREADS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    public static final int MAX_THREADS = 256;
    /** Requests beyond the workers wait in this queue; past it the accepting thread runs them itself. */
    static final int QUEUE = 1024;

    /**
     * Where and how to serve: bind address, port (0 = a free one), worker threads, the API token
     * (null = write routes are open) and the user tower's shrinkage k used when a rating is posted.
     */
    public record Options(String bind, int port, int threads, String token, double shrinkage) {
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
        }

        /** Loopback, port 0, default threads, no token: what tests and the benchmark use. */
        public static Options loopback() {
            return new Options("127.0.0.1", 0, DEFAULT_THREADS, null, UserTower.DEFAULT_SHRINKAGE);
        }

        public Options withToken(String t) {
            return new Options(bind, port, threads, t, shrinkage);
        }

        public Options withPort(int p) {
            return new Options(bind, p, threads, token, shrinkage);
        }
    }

    static {
        // The JDK server writes the headers and the body in two sends; with Nagle on, the body waits
        // for the client's delayed ACK (40 ms) on every keep-alive request. Read once, at the first
        // server's creation, so it is set here; an explicit -D setting wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");

    private final HttpServer server;
    private final ThreadPoolExecutor pool;
    private final Router router;
    private final Metrics metrics = new Metrics();
    private final byte[] token;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private ApiServer(Options o, Database db, PersonalizedSearch search) throws IOException {
        this.token = o.token() == null ? null : ("Bearer " + o.token()).getBytes(StandardCharsets.UTF_8);
        StaticFiles web = StaticFiles.load();
        SearchRoute searchRoute = new SearchRoute(search);
        CatalogRoutes catalog = new CatalogRoutes(db);
        UserRoutes users = new UserRoutes(db, search, o.shrinkage());
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
                .get("/metrics", c -> Reply.text(200, "text/plain; version=0.0.4; charset=utf-8", metrics.render()))
                .get("/openapi.json", c -> Reply.json(web.openApi()))
                .get("/", c -> web.page("index.html"))
                .get("/static/{file}", c -> web.page(c.path("file")));
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(o.threads(), o.threads(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), r -> {
                    Thread t = new Thread(r, "reelrank-http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(o.bind()), o.port()), 128);
        server.setExecutor(pool);
        server.createContext("/", this::dispatch);
    }

    /** Binds and starts a server; it answers until {@link #close}. */
    public static ApiServer start(Options options, Database db, PersonalizedSearch search) throws IOException {
        ApiServer s = new ApiServer(options, db, search);
        s.server.start();
        return s;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The base URI, e.g. {@code http://127.0.0.1:8080/}. */
    public URI uri() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create("http://" + host + ":" + a.getPort() + "/");
    }

    /** Method and pattern of every route, in table order (the OpenAPI test walks them). */
    public List<String> routes() {
        return router.routes().stream().map(r -> r.method() + " " + r.pattern()).toList();
    }

    private void dispatch(HttpExchange ex) throws IOException {
        long start = System.nanoTime();
        String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
        String label = "unmatched";
        Reply reply;
        try {
            String path = ex.getRequestURI().getRawPath();
            Router.Match m = router.match(method, path);
            if (m == null) {
                throw ApiError.notFound("no route for " + method + " " + path + "; see /openapi.json");
            }
            if (m.route() == null) {
                ex.getResponseHeaders().set("Allow", String.join(", ", m.allowed()));
                throw new ApiError(405, "method not allowed", method + " is not allowed on " + path + "; allowed: "
                        + String.join(", ", m.allowed()));
            }
            label = m.route().pattern();
            if (m.route().write()) authorize(ex);
            reply = m.route().handler().handle(new Call(ex, m.params()));
        } catch (Exception e) {
            reply = errorReply(e, ex);
        }
        // Recorded before the reply goes out, so a client that has its answer also sees it counted
        // (a scrape right after a request is then exact); writing a small body adds microseconds.
        metrics.record(label, METHODS.contains(method) ? method : "OTHER", reply.status(), System.nanoTime() - start);
        send(ex, method, reply);
    }

    private void authorize(HttpExchange ex) {
        if (token == null) return;
        String h = ex.getRequestHeaders().getFirst("Authorization");
        byte[] given = h == null ? new byte[0] : h.getBytes(StandardCharsets.UTF_8);
        // Constant-time, so response timing does not reveal how much of a guessed token was right.
        if (!MessageDigest.isEqual(given, token)) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"reelrank\"");
            throw new ApiError(401, "unauthorized", h == null
                    ? "this route writes: send Authorization: Bearer <token> (the server's REELRANK_API_TOKEN)"
                    : "the bearer token does not match the server's REELRANK_API_TOKEN");
        }
    }

    private static Reply errorReply(Exception e, HttpExchange ex) {
        if (e instanceof ApiError a) return Json.error(a);
        if (e instanceof QuerySyntaxException q) {
            return Json.error(new ApiError(400, "query syntax error", "parameter 'q': " + q.reason()
                    + " at position " + q.position() + " in '" + q.query() + "'", q.position()));
        }
        if (e instanceof PersonalizedSearch.UnknownUserException u) {
            return Json.error(ApiError.notFound(u.getMessage()));
        }
        if (e instanceof IllegalArgumentException) {
            // The library's own validation (filters, genres, ranges): its messages name value and range.
            return Json.error(ApiError.badParameter(e.getMessage()));
        }
        if (databaseDown(e)) {
            return Json.error(new ApiError(503, "database unavailable", "the database cannot be reached: "
                    + firstLine(e.getMessage()) + "; retry when it is back (GET /api/health)"));
        }
        System.err.printf("reelrank http: %s %s failed:%n", ex.getRequestMethod(), ex.getRequestURI());
        e.printStackTrace();
        return Json.error(new ApiError(500, "internal error", e.getClass().getSimpleName() + ": "
                + firstLine(String.valueOf(e.getMessage()))));
    }

    /** True for connection failures (SQLState class 08, or a refused socket anywhere in the causes). */
    static boolean databaseDown(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08")) return true;
            if (t instanceof SQLException s && "57P01".equals(s.getSQLState())) return true; // admin shutdown
            if (t instanceof ConnectException) return true;
            if (t.getCause() == t) break;
        }
        return false;
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static void send(HttpExchange ex, String method, Reply r) throws IOException {
        ex.getResponseHeaders().set("Content-Type", r.contentType());
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        if (r.contentType().startsWith("text/html")) {
            // The page loads nothing from elsewhere; the policy makes that a guarantee.
            ex.getResponseHeaders().set("Content-Security-Policy",
                    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'");
        }
        if (method.equals("HEAD")) {
            ex.sendResponseHeaders(r.status(), -1);
        } else {
            ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(r.body());
            }
        }
        ex.close();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        server.stop(0);
        pool.shutdown();
        try {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS)) pool.shutdownNow();
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
