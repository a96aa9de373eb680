package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.ingest.BadInputException;
import io.reelrank.ingest.MovieLensLoader;
import io.reelrank.model.FoldIn;
import io.reelrank.model.ItemVectors;
import io.reelrank.service.IndexService;
import io.reelrank.user.UserTower;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
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

    @Option(names = "--allow-empty", description = "Load a movies.csv or ratings.csv that has no rows (header only, "
            + "or none left after --skip-bad-rows) instead of refusing")
    boolean allowEmpty;

    @Option(names = "--drop-orphaned-ratings", description = "Delete live ratings (API, rate, test users) of movies "
            + "the new movies.csv drops, instead of refusing the load")
    boolean dropOrphanedRatings;

    @Override
    public Integer call() throws Exception {
        MovieLensLoader.Options options;
        try {
            options = new MovieLensLoader.Options(batchSize, skipBadRows, force, allowEmpty, dropOrphanedRatings,
                    MovieLensLoader.Options.DEFAULT_LOCK_TIMEOUT_MS);
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
        try (Progress bar = Progress.on(err)) {
            r = MovieLensLoader.load(db, dir, options, new ProgressPrinter(err, bar));
        } catch (BadInputException e) {
            throw CliException.badInput(e.getMessage() + " (nothing was loaded)");
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage());
        }
        if (r.skipped()) {
            out.printf(Locale.ROOT, "ingest: %s already loaded (same files as the last load; --force reloads)%n", dir);
        } else {
            out.printf(Locale.ROOT, "ingest: loaded %s in %.1f s (ratings %,.0f rows/s)%n", dir, r.seconds(),
                    r.ratingsSeconds() > 0 ? r.ratings() / r.ratingsSeconds() : 0.0);
        }
        out.printf(Locale.ROOT, "  movies %,d · ratings %,d · tags %,d · users %,d · links %,d%n",
                r.movies(), r.ratings(), r.tags(), r.users(), r.links());
        if (!r.skipped()) {
            out.printf(Locale.ROOT,
                    "  live ratings kept %,d (dropped with their movie %,d; MovieLens ratings they replaced %,d)%n",
                    r.keptRatings(), r.droppedRatings(), r.replacedByLive());
            recomputeUsers(db, r, out);
        }
        IndexService.refreshIfStale(db, Home.indexDir(), out);
        if (r.badRows() > 0) {
            out.printf(Locale.ROOT, "  skipped %,d bad rows; first: %n", r.badRows());
            r.firstBadRows().forEach(b -> out.println("    " + b));
        }
        out.flush();
        return r;
    }

    /** The reload cleared the vectors of users whose ratings it replaced; with item vectors loaded, recompute them. */
    private static void recomputeUsers(Database db, MovieLensLoader.Report r, PrintWriter out) throws Exception {
        if (r.staleUsers() == 0) return;
        ItemVectors items = ItemVectors.load(db, true);
        if (items.size() == 0) {
            out.printf(Locale.ROOT,
                    "  %,d user vectors cleared; `reelrank embed --load` then `reelrank users` computes them%n",
                    r.staleUsers());
            return;
        }
        UserTower.Stats s = UserTower.computeAll(db, items, UserTower.DEFAULT_SHRINKAGE);
        out.printf(Locale.ROOT, "  users: %,d vectors recomputed (%,d cold) in %.1f s%n", s.users(), s.cold(),
                s.seconds());
        long t0 = System.nanoTime();
        int folded = FoldIn.refoldAll(db);
        if (folded >= 0) {
            out.printf(Locale.ROOT,
                    "  users: %,d folded into the active collaborative model again in %.1f s (its movie vectors "
                    + "stay until `reelrank train`)%n", folded, (System.nanoTime() - t0) / 1e9);
        }
    }

    /** Per-file progress as a bar on a terminal ({@link Progress}), and a line per finished file. */
    static final class ProgressPrinter implements MovieLensLoader.Listener {
        private final PrintWriter err;
        private final Progress bar;

        ProgressPrinter(PrintWriter err, Progress bar) {
            this.err = err;
            this.bar = bar;
        }

        @Override
        public void rows(String file, long rows) {
            bar.update(file, rows, -1, "rows");
        }

        @Override
        public void fileDone(String file, long rows, double seconds) {
            bar.close();
            err.printf(Locale.ROOT, "  %s: %,d rows in %.2f s (%,.0f rows/s)%n", file, rows, seconds,
                    rows / Math.max(seconds, 1e-9));
            err.flush();
        }

        @Override
        public void step(String what) {
            bar.close();
            err.println("  " + what);
            err.flush();
        }
    }
}
