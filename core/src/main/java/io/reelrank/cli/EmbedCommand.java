package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.embed.Encoder;
import io.reelrank.embed.MovieEmbeddings;
import io.reelrank.embed.OnnxEncoder;
import io.reelrank.embed.OpenAiEncoder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank embed}: every movie's text through the item tower into an embeddings CSV,
 * resuming a file an interrupted run left; {@code --load} then loads it into pgvector.
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = {"Embed every movie's text (title, year, genres, top tags) into a CSV of movie_id,embedding.",
                "Resumable: movies already in the file are skipped. Progress goes to stderr."})
public final class EmbedCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Mixin
    EncoderOptions encoderOptions;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Embeddings CSV to write or resume (default: var/embeddings.csv in REELRANK_HOME, "
                    + "the file demo uses)")
    Path out;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64",
            description = "Texts per model call (ONNX) or per API request, 1-2048 (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--load", description = "Load the file into movies.embedding afterwards (as load-embeddings does)")
    boolean load;

    @Override
    public Integer call() throws Exception {
        Path file = out != null ? out : Home.var().resolve("embeddings.csv");
        Database db = dbOptions.open();
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        MovieEmbeddings.Result r;
        String truncated = "";
        String model;
        try (Progress bar = Progress.on(err); Encoder enc = encoderOptions.open(batchSize)) {
            model = enc.describe() + " (" + enc.dimension() + " dims)";
            err.println("embed: " + model + " → " + file);
            err.flush();
            r = MovieEmbeddings.embedAll(db, enc, file, progress(err, bar));
            if (enc instanceof OnnxEncoder onnx) {
                truncated = String.format(Locale.ROOT, ", %d truncated to %d word pieces", onnx.truncations(),
                        onnx.maxLength());
            } else if (enc instanceof OpenAiEncoder api) {
                truncated = String.format(Locale.ROOT, ", %d retried requests", api.retries());
            }
        } catch (OpenAiEncoder.ApiException e) {
            throw new CliException(e.status() >= 400 && e.status() < 500 && e.status() != 429 ? 2 : 1, e.getMessage());
        }
        o.printf(Locale.ROOT, "embed: %d movies embedded, %d already in %s, in %.1f s (%.0f movies/s%s), model %s%n",
                r.embedded(), r.skipped(), file, r.millis() / 1000.0, r.perSecond(), truncated, model);
        o.flush();
        if (load) LoadEmbeddingsCommand.load(db, file, o);
        return 0;
    }

    /** A bar on a terminal ({@link Progress}), else a line per written chunk. */
    static MovieEmbeddings.Listener progress(PrintWriter err, Progress bar) {
        return (done, total, skipped, perSecond, eta) -> {
            if (bar.terminal()) {
                bar.update("embed", done, total, "movies");
                return;
            }
            err.printf(Locale.ROOT, "  %d/%d movies, %.0f movies/s, ETA %.0f s%n", done, total, perSecond, eta);
            err.flush();
        };
    }
}
