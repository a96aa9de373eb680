package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.index.MovieIndex;
import io.reelrank.service.IndexService;
import java.io.PrintWriter;
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

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Database db = dbOptions.open();
        if (check) {
            MovieIndex.Check c = MovieIndex.check(db, Home.indexDir());
            out.println("index " + Home.indexDir());
            out.println(c.describe());
            out.flush();
            return c.stale() ? STALE : 0;
        }
        IndexService.build(db, Home.indexDir(), out);
        return 0;
    }
}
