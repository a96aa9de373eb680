package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.embed.EmbeddingFileException;
import io.reelrank.embed.EmbeddingLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code reelrank load-embeddings}: an embeddings CSV into movies.embedding, all or nothing. */
@Command(name = "load-embeddings", mixinStandardHelpOptions = true,
        description = {"Load an embeddings CSV (movie_id,embedding) into movies.embedding in one transaction.",
                "A bad row (wrong dimension, NaN/Inf, unknown movie_id, broken literal) stops it with file and line;",
                "nothing changes then (exit code 2). Creates the HNSW cosine index if missing."})
public final class LoadEmbeddingsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--in", paramLabel = "FILE",
            description = "Embeddings CSV (default: var/embeddings.csv in REELRANK_HOME)")
    Path in;

    @Override
    public Integer call() throws Exception {
        Path file = in != null ? in : Home.var().resolve("embeddings.csv");
        load(dbOptions.open(), file, spec.commandLine().getOut());
        return 0;
    }

    static void load(Database db, Path file, PrintWriter out) throws Exception {
        EmbeddingLoader.Result r;
        try {
            r = EmbeddingLoader.load(db, file);
        } catch (EmbeddingFileException e) {
            throw CliException.badInput(e.getMessage() + " (nothing was loaded)");
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage());
        }
        out.printf(Locale.ROOT, "load-embeddings: %d movies updated from %s in %.1f s%s%n", r.rows(), file,
                r.millis() / 1000.0,
                r.indexCreated() ? "; created HNSW index " + EmbeddingLoader.INDEX + " (vector_cosine_ops)" : "");
        out.flush();
    }
}
