package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.index.MovieIndex;
import io.reelrank.service.IndexService;
import io.reelrank.service.RatingService;
import io.reelrank.user.TestUsers;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code reelrank test-users [--remove]}: the acceptance story's four synthetic users. */
@Command(name = "test-users", mixinStandardHelpOptions = true,
        description = {"Create (idempotently, with embeddings) the test users 10001 Fantasy Lover, "
                + "10002 Fantasy Hater,",
                "20001 Extreme Fantasy Lover and 20002 Extreme Fantasy Hater; --remove deletes them again."})
public final class TestUsersCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--remove", description = "Delete the test users and their ratings; real data is untouched")
    boolean remove;

    @Option(names = "--shrinkage", paramLabel = "K", defaultValue = "" + io.reelrank.user.UserVectors.DEFAULT_SHRINKAGE,
            description = "k of the user tower, >= 0 (default: ${DEFAULT-VALUE})")
    double shrinkage;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Database db = dbOptions.open();
        if (remove) {
            out.printf(Locale.ROOT, "test-users: removed %d users%n", service(db, shrinkage).removeTestUsers());
        } else {
            create(db, shrinkage, out);
        }
        // their ratings change the movies' rating counts and averages, which the index filters on
        IndexService.refreshIfStale(db, Home.indexDir(), out);
        return 0;
    }

    /** The rating service of the CLI: var/index follows the ratings written (when it exists). */
    private static RatingService service(Database db, double k) throws Exception {
        var items = Models.items(db);
        return new RatingService(db, () -> items, () -> null, k,
                MovieIndex.exists(Home.indexDir()) ? Home.indexDir() : null, RateCommand.LOCK_TIMEOUT_MS);
    }

    static void create(Database db, double k, PrintWriter out) throws Exception {
        List<Integer> counts;
        try {
            counts = service(db, k).createTestUsers();
        } catch (IllegalStateException | RatingService.BusyException e) {
            throw new CliException(1, e.getMessage());
        }
        for (int i = 0; i < TestUsers.ALL.size(); i++) {
            TestUsers.Def d = TestUsers.ALL.get(i);
            out.printf(Locale.ROOT, "  %d %-22s %3d ratings of %.1f%n", d.id(), d.name(), counts.get(i), d.rating());
        }
        out.flush();
    }
}
