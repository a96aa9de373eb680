package io.reelrank.cli;

import io.reelrank.embed.SimilarMovies;
import java.io.PrintWriter;
import java.sql.Connection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code reelrank similar MOVIE_ID}: the nearest movies by embedding, with their cosine similarity. */
@Command(name = "similar", mixinStandardHelpOptions = true,
        description = "List the movies nearest to MOVIE_ID by cosine similarity of their embeddings (pgvector <=>).")
public final class SimilarCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Parameters(index = "0", paramLabel = "MOVIE_ID",
            description = "A movie_id, e.g. 4993 (The Fellowship of the Ring)")
    int movieId;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "10",
            description = "How many neighbours, 1-" + SimilarMovies.MAX_LIMIT + " (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() throws Exception {
        List<SimilarMovies.Neighbor> ns;
        try (Connection c = dbOptions.open().connect()) {
            ns = SimilarMovies.find(c, movieId, limit);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%-6s %-10s %s%n", "cosine", "movie_id", "title");
        for (SimilarMovies.Neighbor n : ns) {
            out.printf(Locale.ROOT, "%.4f %-10d %s%s%n", n.similarity(), n.movieId(), n.title(),
                    n.year() != null ? " (" + n.year() + ")" : "");
        }
        out.flush();
        return 0;
    }
}
