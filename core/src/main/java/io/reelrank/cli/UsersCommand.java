package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.model.ItemVectors;
import io.reelrank.user.UserTower;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code reelrank users}: every user's vector from their ratings into {@code users.embedding}. */
@Command(name = "users", mixinStandardHelpOptions = true,
        description = {"Compute every user's embedding from their ratings (the user tower):",
                "u = normalize(Σ_i (r_ui − b_u)·e_i), b_u = (Σ_i r_ui + k·μ)/(n_u + k)."})
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
}
