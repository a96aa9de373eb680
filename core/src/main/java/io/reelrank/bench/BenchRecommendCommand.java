package io.reelrank.bench;

import io.reelrank.cli.CliException;
import io.reelrank.cli.DbOptions;
import io.reelrank.cli.Models;
import io.reelrank.db.Database;
import io.reelrank.index.SearchFilters;
import io.reelrank.model.ItemVectors;
import io.reelrank.model.ModelStore;
import io.reelrank.recommend.Recommender;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank bench recommend}: recommendations through the model's HNSW index against the
 * exact scan of every item vector (the baseline), for the users with a collaborative vector:
 * p50/p99 latency of each, alternating which runs first, and the index's recall@k against the exact
 * scan's top k. With {@code --genre}, the same with a filter (pgvector's iterative index scan).
 */
@Command(name = "recommend", mixinStandardHelpOptions = true,
        description = "Recommendation latency and recall@k: the HNSW index against the exact scan.")
public final class BenchRecommendCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--users", defaultValue = "300", paramLabel = "N",
            description = "Users measured, 1-100000 (default: ${DEFAULT-VALUE})")
    int users;

    @Option(names = "--limit", defaultValue = "20", paramLabel = "K",
            description = "Recommendations per user, 1-1000 (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--genre", paramLabel = "G", description = "Filter every request by this genre")
    String genre;

    @Override
    public Integer call() throws Exception {
        if (users < 1 || users > 100_000) throw CliException.badInput("--users must be in 1-100000, got " + users);
        if (limit < 1 || limit > Recommender.MAX_LIMIT) {
            throw CliException.badInput("--limit must be in 1-" + Recommender.MAX_LIMIT + ", got " + limit);
        }
        PrintWriter out = spec.commandLine().getOut();
        Database db = dbOptions.open();
        ItemVectors items = Models.items(db);
        SearchFilters f = genre == null ? SearchFilters.NONE
                : new SearchFilters(null, null, null, null, List.of(genre));
        List<Integer> ids = new ArrayList<>();
        long version;
        try (Connection c = db.connect()) {
            ModelStore.Version v = ModelStore.active(c);
            if (v == null) throw new CliException(1, "no model trained yet: run `reelrank train` first");
            version = v.version();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT user_id FROM user_factors WHERE version = " + version
                    + " AND factors IS NOT NULL ORDER BY user_id LIMIT " + users)) {
                while (rs.next()) ids.add(rs.getInt(1));
            }
        }
        long[] hnsw = new long[ids.size()];
        long[] exact = new long[ids.size()];
        double recall = 0;
        try (Connection c = db.connect()) {
            for (int u : ids.subList(0, Math.min(20, ids.size()))) { // warm up both paths
                Recommender.recommend(c, items, new Recommender.Request(u, limit, f, false));
                Recommender.recommend(c, items, new Recommender.Request(u, limit, f, true));
            }
            for (int i = 0; i < ids.size(); i++) {
                Recommender.Response a = null;
                Recommender.Response b = null;
                for (int pass = 0; pass < 2; pass++) {
                    boolean doExact = (pass == 0) == (i % 2 == 0); // alternate which runs first
                    long t = System.nanoTime();
                    Recommender.Response r = Recommender.recommend(c, items,
                            new Recommender.Request(ids.get(i), limit, f, doExact));
                    long dt = System.nanoTime() - t;
                    if (doExact) {
                        exact[i] = dt;
                        b = r;
                    } else {
                        hnsw[i] = dt;
                        a = r;
                    }
                }
                recall += Recommender.overlap(a.items(), b.items());
            }
        }
        out.printf(Locale.ROOT, "bench recommend: model version %d, %d users with a collaborative vector, top %d%s%n",
                version, ids.size(), limit, genre == null ? "" : ", genre " + genre);
        out.printf(Locale.ROOT, "  %-44s p50 %7.2f ms   p99 %7.2f ms%n", "HNSW index (iterative scan)", pct(hnsw, 0.5),
                pct(hnsw, 0.99));
        out.printf(Locale.ROOT, "  %-44s p50 %7.2f ms   p99 %7.2f ms%n", "baseline: exact scan of every item vector",
                pct(exact, 0.5), pct(exact, 0.99));
        out.printf(Locale.ROOT, "  p50 ratio exact/HNSW %.2f×; HNSW recall@%d against the exact scan %.4f%n",
                pct(exact, 0.5) / pct(hnsw, 0.5), limit, recall / ids.size());
        out.flush();
        return 0;
    }

    private static double pct(long[] nanos, double p) {
        return BenchRerankCommand.pct(nanos, p);
    }
}
