package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.http.ApiServer;
import io.reelrank.index.MovieIndex;
import io.reelrank.index.MovieSearcher;
import io.reelrank.rerank.ItemVectors;
import io.reelrank.rerank.PersonalizedSearch;
import java.io.PrintWriter;
import java.nio.file.Path;
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
 * then stops accepting, lets running requests finish and closes the index.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the JSON API and the web page (search, movies, users, ratings, health, metrics).",
                "Write routes need Authorization: Bearer <token> when REELRANK_API_TOKEN is set."})
public final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "TCP port, 0-65535; 0 picks a free one (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on; loopback unless told otherwise, 0.0.0.0 for all (default: ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--threads", paramLabel = "N",
            description = "Worker threads, 1-" + ApiServer.MAX_THREADS + " (default: max(4, 2 x cores))")
    Integer threads;

    @Option(names = "--index-dir", paramLabel = "DIR", description = "Lucene index directory (default: $REELRANK_HOME/var/index)")
    Path indexDir;

    @Option(names = "--shrinkage", paramLabel = "K", defaultValue = "" + io.reelrank.user.UserVectors.DEFAULT_SHRINKAGE,
            description = "k of the user tower when a posted rating updates a user, >= 0 (default: ${DEFAULT-VALUE})")
    double shrinkage;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ApiServer.Options options;
        try {
            options = new ApiServer.Options(bind, port, threads == null ? ApiServer.DEFAULT_THREADS : threads,
                    System.getenv("REELRANK_API_TOKEN"), shrinkage);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage());
        }
        Database db = dbOptions.open();
        Path dir = indexDir != null ? indexDir : MovieIndex.defaultDir(Home.path());
        if (!MovieIndex.exists(dir)) {
            out.println("reelrank: no index in " + dir + ": building it");
            out.flush();
            MovieIndex.rebuild(db, dir);
        }
        ItemVectors items = ItemVectors.load(db, true);
        if (items.size() == 0) {
            out.println("reelrank: warning: no movie has an embedding; searches follow BM25 until `reelrank embed --load`");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        try (PersonalizedSearch search = new PersonalizedSearch(db, MovieSearcher.open(dir), items);
             ApiServer server = ApiServer.start(options, db, search)) {
            search.listen();
            Thread hook = new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "reelrank-serve-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            out.printf("reelrank: serving on %s (database %s, index %s, %d item vectors, %d threads, write routes %s)%n",
                    server.uri(), db.settings().describe(), dir, items.size(), options.threads(),
                    options.token() == null ? "open" : "need the bearer token");
            out.flush();
            stopped.await();
        }
        return 0;
    }
}
