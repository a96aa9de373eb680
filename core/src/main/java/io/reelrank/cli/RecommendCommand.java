package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.eval.RecommendRankerTraining;
import io.reelrank.http.RecommendJson;
import io.reelrank.recommend.Recommender;
import io.reelrank.rerank.PersonalizedSearch;
import java.io.PrintWriter;
import java.sql.Connection;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code reelrank recommend USER}: movies for a user without a query ({@link Recommender}). */
@Command(name = "recommend", mixinStandardHelpOptions = true,
        description = {"Recommend movies for a user without a query: the collaborative towers' inner product through",
                "the model's HNSW index, excluding what the user rated (docs/ranking.md, \"Recommendations\")."})
public final class RecommendCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Parameters(index = "0", paramLabel = "USER", description = "User id")
    int user;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
            description = "Number of movies, 1-" + Recommender.MAX_LIMIT + " (default: ${DEFAULT-VALUE})")
    int limit;

    @Mixin
    FilterOptions filterOptions;

    @Option(names = "--exact",
            description = "Scan every item vector instead of the HNSW index (slower; the index's baseline)")
    boolean exact;

    @Option(names = "--json",
            description = "Print {\"user\", \"source\", \"model_version\", \"exact\", \"results\": [...]}")
    boolean json;

    @Option(names = "--one-stage", description = "The collaborative retrieval's order alone, without the learned "
            + "recommendation ranker (used by default when one is trained)")
    boolean oneStage;

    @Option(names = "--candidates", paramLabel = "N", defaultValue = "" + RecommendRankerTraining.DEFAULT_CANDIDATES,
            description = "Movies the retrieval gives the learned ranker, 1-" + Recommender.MAX_LIMIT
                    + " (default: ${DEFAULT-VALUE})")
    int candidates;

    @Override
    public Integer call() throws Exception {
        if (user < 1) throw CliException.badInput("USER must be a positive integer, got " + user);
        Recommender.Request request;
        try {
            request = new Recommender.Request(user, limit, filterOptions.filters(null), exact);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput("--" + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        Database db = dbOptions.open();
        Recommender.Response r;
        if (candidates < 1 || candidates > Recommender.MAX_LIMIT) {
            throw CliException.badInput("--candidates must be in 1-" + Recommender.MAX_LIMIT + ", got " + candidates);
        }
        try (Connection c = db.connect()) {
            Recommender.Learned learned = oneStage ? null
                    : Recommender.Learned.load(c, candidates);
            r = Recommender.recommend(c, Models.items(db), request, learned);
        } catch (PersonalizedSearch.UnknownUserException e) {
            throw CliException.badInput(e.getMessage());
        }
        if (json) {
            out.println(RecommendJson.write(r, true));
            out.flush();
            return 0;
        }
        out.printf(Locale.ROOT, "recommendations for user %d · %s%s%n", r.user(), switch (r.source()) {
            case Recommender.COLLABORATIVE -> "collaborative towers, u·v, model version " + r.modelVersion();
            case Recommender.LEARNED -> "the collaborative towers' top " + candidates
                    + " reordered by the learned ranker "
                    + "version " + r.rankerVersion() + ", model version " + r.modelVersion();
            case Recommender.CONTENT -> "content towers, cos(u, e) (no collaborative vector for this user"
                    + (r.modelVersion() == 0 ? ": no model trained)" : ": no rating above the midpoint)");
            default -> "most rated movies (no vector for this user yet)";
        }, r.exact() ? " · exact scan" : "");
        if (r.items().isEmpty()) {
            out.println("no movie passes the filters");
        } else {
            String fmt = "%4s  %8s  %-50s  %4s  %7s  %9s  %s%n";
            out.printf(Locale.ROOT, fmt, "rank", "movie_id", "title", "year", "ratings", "score", "genres");
            for (Recommender.Item i : r.items()) {
                String t = i.title().length() > 50 ? i.title().substring(0, 49) + "…" : i.title();
                out.printf(Locale.ROOT, fmt, i.rank(), i.movieId(), t, i.year() == null ? "" : i.year(),
                        i.ratingCount(), String.format(Locale.ROOT, "%.4f", i.score()), String.join("|", i.genres()));
            }
        }
        out.flush();
        return 0;
    }
}
