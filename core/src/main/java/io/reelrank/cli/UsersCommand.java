package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.index.MovieIndex;
import io.reelrank.model.ItemVectors;
import io.reelrank.service.RatingService;
import io.reelrank.user.UserTower;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank users}: every user's vector from their ratings into {@code users.embedding};
 * {@code reelrank users delete ID} deletes one user and everything derived from them
 * ({@link RatingService#forget}).
 */
@Command(name = "users", mixinStandardHelpOptions = true, subcommands = UsersCommand.Delete.class,
        description = {"Compute every user's embedding from their ratings (the user tower):",
                "u = normalize(Σ_i (r_ui − b_u)·e_i), b_u = (Σ_i r_ui + k·μ)/(n_u + k).",
                "`users delete ID` deletes one user with everything derived from them."})
public final class UsersCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--shrinkage", paramLabel = "K", defaultValue = "" + io.reelrank.user.UserVectors.DEFAULT_SHRINKAGE,
            description = "k: how many pseudo-ratings at the global mean pull each user's mean, "
                    + ">= 0 (default: ${DEFAULT-VALUE})")
    double shrinkage;

    @Override
    public Integer call() throws Exception {
        if (!(shrinkage >= 0)) throw CliException.badInput("--shrinkage must be >= 0, got " + shrinkage);
        PrintWriter out = spec.commandLine().getOut();
        Database db = dbOptions.open();
        ItemVectors items = Models.items(db);
        UserTower.Stats s = UserTower.computeAll(db, items, shrinkage);
        out.printf(Locale.ROOT, "users: %,d users from %,d ratings in %.2f s (%,.0f ratings/s); %,d cold (no vector)%n",
                s.users(), s.ratings(), s.seconds(), s.ratings() / Math.max(s.seconds(), 1e-9), s.cold());
        return 0;
    }

    /** {@code reelrank users delete ID}: one user and everything derived from them, in one transaction. */
    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Delete one user: their ratings (movie statistics and rating totals follow), tags, content",
                    "and collaborative vectors and API keys, in one transaction; running servers follow at once.",
                    "A user whose rows came from the MovieLens files stays out of later loads (forgotten_users)."})
    static final class Delete implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        DbOptions dbOptions;

        @Parameters(index = "0", paramLabel = "ID", description = "The user id (a positive integer)")
        int userId;

        @Override
        public Integer call() throws Exception {
            if (userId < 1) throw CliException.badInput("ID must be a positive integer, got " + userId);
            Database db = dbOptions.open();
            RatingService.Forgotten f;
            try {
                f = new RatingService(db, () -> null, () -> null, UserTower.DEFAULT_SHRINKAGE,
                        MovieIndex.exists(Home.indexDir()) ? Home.indexDir() : null,
                                RateCommand.LOCK_TIMEOUT_MS).forget(userId);
            } catch (RatingService.UnknownUserException e) {
                throw CliException.badInput(e.getMessage());
            } catch (RatingService.BusyException e) {
                throw new CliException(1, e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT,
                    "users: deleted user %d%s: %,d ratings, %,d tags, %,d collaborative vectors, %,d keys%s; "
                            + "%,d movies' statistics and index entries updated%n", f.userId(), f.testUser()
                                    ? " (a test user)" : "",
                    f.ratings(), f.tags(), f.factors(), f.keys(), f.hadVector() ? ", the content vector" : "",
                            f.movies().size());
            if (f.fromFiles()) {
                out.printf(Locale.ROOT,
                        "  recorded in forgotten_users: later loads of the MovieLens files leave out this user's "
                                + "rows%n");
            }
            out.flush();
            return 0;
        }
    }
}
