package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.db.RatingSource;
import io.reelrank.index.MovieIndex;
import io.reelrank.service.RatingService;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank rate USER MOVIE RATING}: stores one rating through {@link RatingService} (the
 * rating, the movie's statistics, the user's vector, var/index's entry of the movie, the notification
 * to running servers), as the HTTP API does.
 */
@Command(name = "rate", mixinStandardHelpOptions = true,
        description = "Store (or replace) one rating and recompute that user's embedding, no one else's.")
public final class RateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Parameters(index = "0", paramLabel = "USER", description = "User id (a new id creates the user)")
    int userId;

    @Parameters(index = "1", paramLabel = "MOVIE", description = "Movie id")
    int movieId;

    @Parameters(index = "2", paramLabel = "RATING", description = "0.5 to 5.0 in steps of 0.5")
    double rating;

    @Option(names = "--shrinkage", paramLabel = "K", defaultValue = "" + io.reelrank.user.UserVectors.DEFAULT_SHRINKAGE,
            description = "k of the user tower, >= 0 (default: ${DEFAULT-VALUE})")
    double shrinkage;

    /** The CLI waits longer than the server for a batch job to release the tables. */
    static final long LOCK_TIMEOUT_MS = 60_000;

    @Override
    public Integer call() throws Exception {
        Database db = dbOptions.open();
        RatingService.Stored r;
        try {
            var items = Models.items(db);
            try (RatingService service = new RatingService(db, () -> items, () -> null, shrinkage,
                    MovieIndex.exists(Home.indexDir()) ? Home.indexDir() : null, LOCK_TIMEOUT_MS)) {
                r = service.rate(userId, movieId, rating, RatingSource.CLI);
            }
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage());
        } catch (RatingService.BusyException e) {
            throw new CliException(1, e.getMessage());
        }
        spec.commandLine().getOut().printf(Locale.ROOT, "user %d rated movie %d (%s): %.1f; %s; user vector %s; %s%n",
                userId, movieId, r.title(), rating, r.replaced() ? "replaced the previous rating" : "new rating",
                r.vector() == null ? "empty (cold user)" : "updated",
                r.foldIn() == null ? "no collaborative model trained yet" : "collaborative vector "
                        + (r.foldIn().vector() == null ? "empty (no rating above the midpoint)" : "folded in")
                        + " (model version " + r.foldIn().version() + ")");
        return 0;
    }
}
