package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.index.MovieIndex;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank index}: rebuilds the Lucene index under {@code var/index} from the {@code movies}
 * and {@code tags} tables (atomically: searches running meanwhile see the old index), or with
 * {@code --check} says whether it still matches them, exit code 3 when stale.
 */
@Command(name = "index", mixinStandardHelpOptions = true,
        description = {"Rebuild the BM25 index (var/index) from the movies and tags tables.",
                "--check compares the index with the tables instead: exit code 0 if up to date, 3 if stale."})
public final class IndexCommand implements Callable<Integer> {

    /** Exit code of {@code index --check} when the index does not match the tables. */
    static final int STALE = 3;

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--check", description = "Compare the index with the tables (count and checksum of movie ids, "
            + "tags, ratings, averages) instead of rebuilding it")
    boolean check;

    static Path dir() {
        return MovieIndex.defaultDir(Home.path());
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Database db = dbOptions.open();
        if (check) {
            MovieIndex.Check c = MovieIndex.check(db, dir());
            out.println("index " + dir());
            out.println(c.describe());
            out.flush();
            return c.stale() ? STALE : 0;
        }
        build(db, out);
        return 0;
    }

    static MovieIndex.Result build(Database db, PrintWriter out) throws Exception {
        MovieIndex.Result r = MovieIndex.rebuild(db, dir());
        out.printf("index: %,d movies, %,d tags in %.2f s -> %s%n", r.movies(), r.tags(), r.millis() / 1000.0, r.dir());
        if (r.movies() == 0) out.println("index: the movies table is empty; run `reelrank ingest` first");
        out.flush();
        return r;
    }

    /** Rebuilds the index when it is missing or no longer matches the tables (after a load, new ratings). */
    static void refreshIfStale(Database db, PrintWriter out) throws Exception {
        MovieIndex.Check c = MovieIndex.check(db, dir());
        if (c.stale()) {
            build(db, out);
        }
    }

    /**
     * The index directory, built from the database first if there is no index yet or an empty one (a
     * search run before the first ingest must not leave an empty index behind for good).
     */
    static Path ensureIndex(DbOptions dbOptions, PrintWriter log) throws Exception {
        Path dir = dir();
        if (!MovieIndex.exists(dir) || MovieIndex.size(dir) == 0) {
            log.println("no index in " + dir + " yet: building it from the database");
            build(dbOptions.open(), log);
            log.flush();
        }
        return dir;
    }
}
