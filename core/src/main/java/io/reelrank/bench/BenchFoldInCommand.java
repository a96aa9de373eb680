package io.reelrank.bench;

import io.reelrank.cli.CliException;
import io.reelrank.cli.DbOptions;
import io.reelrank.cli.Models;
import io.reelrank.db.Database;
import io.reelrank.model.FactorModel;
import io.reelrank.model.FoldIn;
import io.reelrank.model.ItemVectors;
import io.reelrank.model.ModelStore;
import io.reelrank.model.RatingBuffer;
import io.reelrank.model.RatingHistory;
import io.reelrank.user.UserTower;
import io.reelrank.user.UserVectors;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank bench foldin}: the real-time collaborative user tower. Per user of the database,
 * the fold-in solve itself (one k×k Cholesky against the active model's item vectors, in memory)
 * beside the content user tower's weighted sum over the same ratings (the baseline, also in
 * memory), in alternating rounds; then the whole {@code FoldIn.update} a rating runs (read the
 * user's ratings, solve, upsert, in a transaction that is rolled back).
 */
@Command(name = "foldin", mixinStandardHelpOptions = true,
        description = "Fold-in µs per user against the content user tower over the same ratings.")
public final class BenchFoldInCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--rounds", defaultValue = "5", paramLabel = "N",
            description = "Rounds over every user, 1-100 (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--updates", defaultValue = "200", paramLabel = "N",
            description = "Users whose whole FoldIn.update is timed, 0-100000 (default: ${DEFAULT-VALUE})")
    int updates;

    @Override
    public Integer call() throws Exception {
        if (rounds < 1 || rounds > 100) throw CliException.badInput("--rounds must be in 1-100, got " + rounds);
        if (updates < 0 || updates > 100_000) {
            throw CliException.badInput("--updates must be in 0-100000, got " + updates);
        }
        PrintWriter out = spec.commandLine().getOut();
        Database db = dbOptions.open();
        ItemVectors items = Models.items(db);
        FactorModel model = ModelStore.loadActive(db);
        if (model == null) throw new CliException(1, "no model trained yet: run `reelrank train` first");
        // Every user's ratings as primitive arrays, read as a stream (a cursor in batches), so 32 million
        // ratings take 8 bytes each in memory and never sit whole in the driver's result set.
        List<Integer> userIds = new ArrayList<>();
        List<RatingHistory> histories = new ArrayList<>();
        double mu;
        long ratings = 0;
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.setFetchSize(50_000);
                try (ResultSet rs = st.executeQuery(
                        "SELECT user_id, movie_id, rating FROM ratings ORDER BY user_id, movie_id")) {
                    int current = -1;
                    RatingBuffer b = new RatingBuffer(64);
                    while (rs.next()) {
                        int u = rs.getInt(1);
                        if (u != current && b.size() > 0) {
                            userIds.add(current);
                            histories.add(b.history());
                            b.clear();
                        }
                        current = u;
                        b.add(rs.getInt(2), rs.getFloat(3));
                        ratings++;
                    }
                    if (b.size() > 0) {
                        userIds.add(current);
                        histories.add(b.history());
                    }
                }
            } finally {
                c.rollback();
            }
            mu = UserTower.globalMean(c); // from rating_totals, not a second pass over every rating
        }
        int[] users = userIds.stream().mapToInt(Integer::intValue).toArray();
        int[][] movies = histories.stream().map(RatingHistory::movies).toArray(int[][]::new);
        float[][] stars = histories.stream().map(RatingHistory::ratings).toArray(float[][]::new);
        out.printf(Locale.ROOT,
                "bench foldin: model version %d (rank %d), %,d users, %,d ratings (median %d per user), %d rounds%n",
                model.version(), model.rank(), users.length, ratings, medianLength(movies), rounds);
        // Warm up both, then alternate whole rounds.
        for (int i = 0; i < users.length; i++) {
            model.foldIn(movies[i], stars[i], movies[i].length);
            UserVectors.userVector(movies[i], stars[i], movies[i].length, items::vector, mu,
                    UserVectors.DEFAULT_SHRINKAGE);
        }
        long[] fold = new long[users.length * rounds];
        long[] content = new long[users.length * rounds];
        int k = 0;
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < users.length; i++, k++) {
                long t = System.nanoTime();
                model.foldIn(movies[i], stars[i], movies[i].length);
                fold[k] = System.nanoTime() - t;
                t = System.nanoTime();
                UserVectors.userVector(movies[i], stars[i], movies[i].length, items::vector, mu,
                        UserVectors.DEFAULT_SHRINKAGE);
                content[k] = System.nanoTime() - t;
            }
        }
        out.printf(Locale.ROOT, "  %-52s p50 %8.1f µs   p99 %8.1f µs   max %8.1f µs%n",
                "collaborative fold-in (k×k solve, in memory)", pct(fold, 0.5), pct(fold, 0.99), pct(fold, 1.0));
        out.printf(Locale.ROOT, "  %-52s p50 %8.1f µs   p99 %8.1f µs   max %8.1f µs%n",
                "baseline: content user tower (weighted sum, in memory)", pct(content, 0.5), pct(content, 0.99),
                pct(content, 1.0));
        if (updates > 0) {
            long[] whole = new long[Math.min(updates, users.length)];
            try (Connection c = db.connect()) {
                c.setAutoCommit(false);
                for (int i = 0; i < whole.length; i++) {
                    long t = System.nanoTime();
                    FoldIn.update(c, users[i], model);
                    whole[i] = System.nanoTime() - t;
                    c.rollback(); // the stored vectors stay as training left them
                }
            }
            out.printf(Locale.ROOT, "  %-52s p50 %8.1f µs   p99 %8.1f µs   (%d users)%n",
                    "FoldIn.update: read ratings, solve, upsert (database)", pct(whole, 0.5), pct(whole, 0.99),
                    whole.length);
        }
        out.flush();
        return 0;
    }

    private static int medianLength(int[][] a) {
        int[] l = Arrays.stream(a).mapToInt(x -> x.length).sorted().toArray();
        return l[l.length / 2];
    }

    static double pct(long[] nanos, double p) {
        return Latencies.of(nanos).us(p);
    }
}
