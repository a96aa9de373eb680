package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.user.UserRatings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code reelrank rate USER MOVIE RATING}: stores one rating and updates that user's vector at once. */
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

    @Override
    public Integer call() throws Exception {
        Database db = dbOptions.open();
        UserRatings.Result r;
        try {
            r = UserRatings.rate(db, Models.items(db), userId, movieId, rating, shrinkage);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage());
        }
        // The rating moved the movie's avg_rating and rating_count: the index's copy follows in one commit.
        if (io.reelrank.index.MovieIndex.exists(IndexCommand.dir())) {
            io.reelrank.index.MovieIndex.update(db, IndexCommand.dir(), java.util.List.of(movieId));
        }
        spec.commandLine().getOut().printf("user %d rated movie %d (%s): %.1f; %s; user vector %s; %s%n", userId, movieId,
                r.title(), rating, r.replaced() ? "replaced the previous rating" : "new rating",
                r.vector() == null ? "empty (cold user)" : "updated",
                r.foldIn() == null ? "no collaborative model trained yet" : "collaborative vector "
                        + (r.foldIn().vector() == null ? "empty (no rating above the midpoint)" : "folded in")
                        + " (model version " + r.foldIn().version() + ")");
        return 0;
    }
}
