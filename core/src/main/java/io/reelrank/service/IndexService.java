package io.reelrank.service;

import io.reelrank.db.Database;
import io.reelrank.index.MovieIndex;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The index operations every command shares: rebuild the Lucene index from the tables, rebuild it only
 * when it no longer matches them, or make sure one exists before a search. The caller names the index
 * directory and where the one progress line goes.
 */
public final class IndexService {

    private IndexService() {}

    /** Rebuilds the index in {@code dir} from {@code movies} and {@code tags}, atomically, and says so. */
    public static MovieIndex.Result build(Database db, Path dir, PrintWriter progress) throws Exception {
        MovieIndex.Result r = MovieIndex.rebuild(db, dir);
        progress.printf(Locale.ROOT, "index: %,d movies, %,d tags in %.2f s -> %s%n",
                r.movies(), r.tags(), r.millis() / 1000.0, r.dir());
        if (r.movies() == 0) progress.println("index: the movies table is empty; run `reelrank ingest` first");
        progress.flush();
        return r;
    }

    /** Rebuilds the index when it is missing or no longer matches the tables (after a load, new ratings). */
    public static void refreshIfStale(Database db, Path dir, PrintWriter progress) throws Exception {
        if (MovieIndex.check(db, dir).stale()) build(db, dir, progress);
    }

    /**
     * The index directory, built from the database first if there is no index yet or an empty one (a
     * search run before the first ingest must not leave an empty index behind for good); the database
     * is opened only then.
     */
    public static Path ensure(Path dir, Supplier<Database> db, PrintWriter progress) throws Exception {
        if (!MovieIndex.exists(dir) || MovieIndex.size(dir) == 0) {
            progress.println("no index in " + dir + " yet: building it from the database");
            build(db.get(), dir, progress);
        }
        return dir;
    }
}
