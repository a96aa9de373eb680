package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.http.ApiServer;
import io.reelrank.index.MovieIndex;
import io.reelrank.index.MovieSearcher;
import io.reelrank.model.ItemVectors;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.service.Access;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank serve}: the JSON API and the web page ({@link ApiServer}) over the database, the
 * Lucene index (built first when missing) and the item vectors. Runs until interrupted (Ctrl-C, SIGTERM),
 * then stops accepting, lets running requests finish (for up to {@code --shutdown-timeout}) and closes
 * the index. The index follows every writer's changes through database notifications. Before the port
 * opens, the server catches up: it listens for changes, reads the item vectors and the active model, and
 * compares its index with the tables (rebuilding it when it is behind), so a server restarted on an old
 * index directory, or one of several behind a load balancer, answers as the tables are from its first request.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the JSON API and the web page (search, movies, users, ratings, health, metrics).",
                "Callers send Authorization: Bearer <key> (reelrank keys create; REELRANK_API_TOKEN is an admin key)."})
public final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "TCP port, 0-65535; 0 picks a free one (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on; loopback unless told otherwise, 0.0.0.0 for all "
                    + "(default: ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--threads", paramLabel = "N",
            description = "Requests handled at once, 1-" + ApiServer.MAX_THREADS + " (default: max(4, 2 x cores)); "
                    + "rating posts are apart, " + ApiServer.WRITES_IN_FLIGHT + " in flight, waiting for their "
                    + "transaction without a worker")
    Integer threads;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "" + ApiServer.DEFAULT_QUEUE,
            description = "Requests that may wait for a worker, 0-" + ApiServer.MAX_QUEUE
                    + "; beyond it 503 (default: ${DEFAULT-VALUE})")
    int queue;

    @Option(names = "--queue-timeout", paramLabel = "MS", defaultValue = "" + ApiServer.DEFAULT_QUEUE_WAIT_MS,
            description = "How long a request may wait in the queue, 1-600000 ms; then 503 (default: ${DEFAULT-VALUE})")
    long queueTimeout;

    @Option(names = "--idle-timeout", paramLabel = "MS", defaultValue = "" + ApiServer.DEFAULT_IDLE_TIMEOUT_MS,
            description = "A connection that sends nothing for this long is closed, half-sent requests included, "
                    + "100-3600000 ms (default: ${DEFAULT-VALUE})")
    long idleTimeout;

    @Option(names = "--shutdown-timeout", paramLabel = "MS", defaultValue = "" + ApiServer.DEFAULT_SHUTDOWN_MS,
            description = "On stop, how long running requests may take to finish, "
                    + "0-600000 ms (default: ${DEFAULT-VALUE})")
    long shutdownTimeout;

    @Option(names = "--body-timeout", paramLabel = "MS", defaultValue = "" + ApiServer.Limits.DEFAULT_BODY_TIMEOUT_MS,
            description = "How long a request body may take to arrive (read without holding a worker); then 408, "
                    + "100-600000 ms (default: ${DEFAULT-VALUE})")
    long bodyTimeout;

    @Option(names = "--max-pending-bodies", paramLabel = "N",
            defaultValue = "" + ApiServer.Limits.DEFAULT_PENDING_BODIES,
            description = "Request bodies that may be arriving at once, 1-" + ApiServer.MAX_QUEUE
                    + "; beyond it 503 (default: ${DEFAULT-VALUE})")
    int pendingBodies;

    @Option(names = "--client-rate", paramLabel = "UNITS",
            defaultValue = "" + (long) ApiServer.Limits.DEFAULT_COST_RATE,
            description = "Work units per second each client (API key, else address) may use; beyond its share 429, "
                    + "0 = no limit (default: ${DEFAULT-VALUE}; a plain search costs about 3-10, see docs/http-api.md)")
    double clientRate;

    @Option(names = "--client-burst", paramLabel = "UNITS",
            defaultValue = "" + (long) ApiServer.Limits.DEFAULT_COST_BURST,
            description = "Work units a client may use at once before its rate applies, >= 1 "
                    + "(default: ${DEFAULT-VALUE})")
    double clientBurst;

    @Option(names = "--db-timeout", paramLabel = "MS", defaultValue = "" + DEFAULT_DB_TIMEOUT_MS,
            description = "How long a request waits for a database connection, or for a table a reload holds, before "
                    + "answering 503, 250-600000 ms (default: ${DEFAULT-VALUE})")
    long dbTimeout;

    @Option(names = "--index-dir", paramLabel = "DIR",
            description = "Lucene index directory (default: $REELRANK_HOME/var/index)")
    Path indexDir;

    @Option(names = "--shrinkage", paramLabel = "K", defaultValue = "" + io.reelrank.user.UserVectors.DEFAULT_SHRINKAGE,
            description = "k of the user tower when a posted rating updates a user, >= 0 (default: ${DEFAULT-VALUE})")
    double shrinkage;

    @Option(names = "--access", paramLabel = "MODE",
            description = "keys: every route applies the key rules (docs/keys-and-users.md); open: every caller "
                    + "acts as an admin (one person's machine). Default: keys when REELRANK_API_TOKEN is set or "
                    + "--bind is not a loopback address, else open")
    String access;

    @Option(names = "--anonymous", paramLabel = "WHAT", defaultValue = "search",
            description = "With keys: what a client without a key may do: search (searches without a user and the "
                    + "catalogue) or none (default: ${DEFAULT-VALUE})")
    String anonymous;

    @Option(names = "--event-retention-days", paramLabel = "DAYS",
            defaultValue = "" + io.reelrank.service.EventPartitions.DEFAULT_RETENTION_DAYS,
            description = "Days of posted events and of the request log kept; older day partitions are dropped "
                    + "hourly, 1-36500 (default: ${DEFAULT-VALUE})")
    int eventRetentionDays;

    @Option(names = "--event-queue", paramLabel = "N",
            defaultValue = "" + io.reelrank.service.EventService.DEFAULT_CAPACITY,
            description = "Posted events that may wait for the event writer; a batch beyond it is refused with 503 "
                    + "and Retry-After, 1-10000000 (default: ${DEFAULT-VALUE})")
    int eventQueue;

    @Option(names = "--request-log-queue", paramLabel = "N",
            defaultValue = "" + io.reelrank.service.RequestLog.DEFAULT_CAPACITY,
            description = "Served requests that may wait for the request log writer; beyond it a request is not "
                    + "logged (counted in /metrics), 1-10000000 (default: ${DEFAULT-VALUE})")
    int requestLogQueue;

    @Option(names = "--request-id-seed", paramLabel = "S",
            description = "Draw the request ids' random part from a generator seeded with S instead of a secure one, "
                    + "so that a simulated audience's interleaving experiment replays (ids become predictable: "
                    + "for simulations only; default: secure random ids)")
    Long requestIdSeed;

    /** The server's wait for a pooled connection: short, so a database outage does not hold workers. */
    public static final long DEFAULT_DB_TIMEOUT_MS = 1_000;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (requestIdSeed != null) {
            io.reelrank.service.RequestLog.seedRequestIds(requestIdSeed);
            spec.commandLine().getErr().println("reelrank: request ids from a generator seeded with " + requestIdSeed
                    + " (--request-id-seed): predictable, for simulations only");
        }
        ApiServer.Options options;
        Access.Policy policy;
        ApiServer.EventSettings events;
        try {
            events = new ApiServer.EventSettings(eventQueue, requestLogQueue, eventRetentionDays);
            options = new ApiServer.Options(bind, port, threads == null ? ApiServer.DEFAULT_THREADS : threads,
                    System.getenv("REELRANK_API_TOKEN"), shrinkage, queue, queueTimeout, idleTimeout, shutdownTimeout)
                    .withLimits(new ApiServer.Limits(bodyTimeout, pendingBodies, clientRate, clientBurst));
            policy = policy(access, anonymous, options);
            if (dbTimeout < 250 || dbTimeout > 600_000) {
                throw new IllegalArgumentException("db timeout must be in 250-600000 ms, got " + dbTimeout);
            }
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage());
        }
        Database db = dbOptions.open();
        db.setConnectionTimeout(dbTimeout);
        db.setLockTimeout(dbTimeout);
        Path dir = indexDir != null ? indexDir : MovieIndex.defaultDir(Home.path());
        if (!MovieIndex.exists(dir)) {
            out.println("reelrank: no index in " + dir + ": building it");
            out.flush();
            MovieIndex.rebuild(db, dir);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        // The item vectors are read on the listener's first connection, after LISTEN, so nothing written
        // in between is missed; the port opens only once the index is in step with the tables too (a
        // server started on an old index directory never answers from it).
        try (PersonalizedSearch search = new PersonalizedSearch(db, MovieSearcher.open(dir), NO_ITEMS)) {
            search.listen();
            search.awaitCurrent(CATCH_UP_MS);
            if (search.indexFollower().rebuilds() > 0) {
                out.println("reelrank: the index in " + dir + " was behind the tables: rebuilt");
            }
            ItemVectors items = search.items();
            if (items.size() == 0) {
                out.println("reelrank: warning: no movie has an embedding; searches follow BM25 until "
                        + "`reelrank embed --load`");
            }
            try (ApiServer server = ApiServer.start(options, db, search, policy, events)) {
                Thread hook = new Thread(() -> {
                    server.close();
                    stopped.countDown();
                }, "reelrank-serve-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
                out.printf(Locale.ROOT, "reelrank: serving on %s (database %s, index %s, %d item vectors, "
                        + "model version %d, %d workers, queue %d, access %s)%n",
                        server.uri(), db.settings().describe(), dir, items.size(),
                        search.model() == null ? 0 : search.model().version(), options.threads(), options.queue(),
                        !policy.keysRequired() ? "open: every caller acts as an admin"
                                : "by keys" + (policy.anonymousCatalog() ? ", anonymous search"
                                        : ", no anonymous access")
                                        + (options.token() != null ? ", REELRANK_API_TOKEN as an admin key" : ""));
                out.flush();
                stopped.await();
            }
        }
        return 0;
    }

    /** {@code --access} and {@code --anonymous} as a policy; the default access depends on token and address. */
    static Access.Policy policy(String access, String anonymous, ApiServer.Options options) {
        boolean keys;
        if (access == null) {
            keys = options.token() != null || !loopback(options.bind());
        } else if (access.equals("keys") || access.equals("open")) {
            keys = access.equals("keys");
        } else {
            throw new IllegalArgumentException("--access must be keys or open, got '" + access + "'");
        }
        if (!anonymous.equals("search") && !anonymous.equals("none")) {
            throw new IllegalArgumentException("--anonymous must be search or none, got '" + anonymous + "'");
        }
        if (!keys && anonymous.equals("none")) {
            throw new IllegalArgumentException("--anonymous none needs --access keys (open access lets everyone in)");
        }
        return keys ? new Access.Policy(true, anonymous.equals("search")) : Access.Policy.OPEN;
    }

    /** Whether {@code bind} is a loopback address (a literal or a name; one that does not resolve is not). */
    private static boolean loopback(String bind) {
        try {
            return java.net.InetAddress.getByName(bind).isLoopbackAddress();
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static final ItemVectors NO_ITEMS = ItemVectors.of(new int[0], new float[0][], true);

    /** How long a starting server may take to catch up (read vectors and model, bring its index in step). */
    static final long CATCH_UP_MS = 600_000;
}
