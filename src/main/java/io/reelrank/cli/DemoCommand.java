package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.embed.MovieEmbeddings;
import io.reelrank.embed.OnnxEncoder;
import io.reelrank.ingest.MovieLensLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank demo}: the whole pipeline on the bundled MovieLens sample, each stage skipped when
 * its result is already there, so a second run takes seconds.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the pipeline end to end on the bundled sample (reuses what is already done).")
public final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "MovieLens directory (default: ${DEFAULT-VALUE})",
            defaultValue = "sample_data/ml-latest-small")
    Path dataDir;

    /** Embeds and loads the movies that lack an embedding with the bundled model; skipped when none does. */
    static void embed(Database db, PrintWriter out, PrintWriter err) throws Exception {
        Path csv = Home.path().resolve("embeddings.csv");
        long t0 = System.nanoTime();
        boolean ran = MovieEmbeddings.ensureLoaded(db, csv,
                () -> OnnxEncoder.bundled(OnnxEncoder.Settings.defaults()), EmbedCommand.progress(err));
        out.println(ran ? String.format("embed: movie embeddings written to %s and loaded in %.1f s", csv,
                (System.nanoTime() - t0) / 1e9) : "embed: every movie already has an embedding");
        out.flush();
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Database db = dbOptions.open();
        out.println("database: " + db.settings().describe());
        IngestCommand.ingest(db, Home.path().resolve(dataDir), MovieLensLoader.Options.defaults(), out,
                spec.commandLine().getErr());
        embed(db, out, spec.commandLine().getErr());
        return 0;
    }
}
