package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.ingest.BadInputException;
import io.reelrank.ingest.MovieLensLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code reelrank ingest}: loads a MovieLens directory into PostgreSQL in one transaction. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Load a MovieLens directory (movies.csv, links.csv, ratings.csv, tags.csv) into PostgreSQL.",
                "One transaction: a bad row or any failure leaves the database as it was.",
                "Files identical to the last load are skipped unless --force."})
public final class IngestCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "sample_data/ml-latest-small",
            description = "MovieLens directory (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--batch-size", paramLabel = "ROWS", defaultValue = "10000",
            description = "Rows sent to the server per COPY write, 1-1000000 (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--skip-bad-rows", description = "Skip malformed rows (reporting how many) instead of stopping")
    boolean skipBadRows;

    @Option(names = "--force", description = "Reload even if the same files were loaded last time")
    boolean force;

    @Override
    public Integer call() throws Exception {
        MovieLensLoader.Options options;
        try {
            options = new MovieLensLoader.Options(batchSize, skipBadRows, force);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage());
        }
        Database db = dbOptions.open();
        ingest(db, dataDir, options, spec.commandLine().getOut(), spec.commandLine().getErr());
        return 0;
    }

    /** Runs a load and prints its summary; bad input becomes a one-line error with exit code 2. */
    static MovieLensLoader.Report ingest(Database db, Path dir, MovieLensLoader.Options options, PrintWriter out,
                                         PrintWriter err) throws Exception {
        MovieLensLoader.Report r;
        try {
            r = MovieLensLoader.load(db, dir, options, new ProgressPrinter(err));
        } catch (BadInputException e) {
            throw CliException.badInput(e.getMessage() + " (nothing was loaded)");
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage());
        }
        if (r.skipped()) {
            out.printf("ingest: %s already loaded (same files as the last load; --force reloads)%n", dir);
        } else {
            out.printf("ingest: loaded %s in %.1f s (ratings %,.0f rows/s)%n", dir, r.seconds(),
                    r.ratingsSeconds() > 0 ? r.ratings() / r.ratingsSeconds() : 0.0);
        }
        out.printf("  movies %,d · ratings %,d · tags %,d · users %,d · links %,d%n",
                r.movies(), r.ratings(), r.tags(), r.users(), r.links());
        IndexCommand.refreshIfStale(db, out);
        if (r.badRows() > 0) {
            out.printf("  skipped %,d bad rows; first: %n", r.badRows());
            r.firstBadRows().forEach(b -> out.println("    " + b));
        }
        out.flush();
        return r;
    }

    /** Prints per-file progress on a terminal (overwriting one line) and a line per finished file. */
    static final class ProgressPrinter implements MovieLensLoader.Listener {
        private final PrintWriter err;
        private final boolean terminal = System.console() != null;
        private long fileStart = System.nanoTime();

        ProgressPrinter(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void rows(String file, long rows) {
            if (!terminal) return;
            double s = (System.nanoTime() - fileStart) / 1e9;
            err.printf("\r  %s: %,d rows, %,.0f rows/s   ", file, rows, rows / Math.max(s, 1e-9));
            err.flush();
        }

        @Override
        public void fileDone(String file, long rows, double seconds) {
            err.printf("%s  %s: %,d rows in %.2f s (%,.0f rows/s)%n", terminal ? "\r" : "", file, rows, seconds,
                    rows / Math.max(seconds, 1e-9));
            err.flush();
            fileStart = System.nanoTime();
        }

        @Override
        public void step(String what) {
            err.println("  " + what);
            err.flush();
            fileStart = System.nanoTime();
        }
    }
}
