package io.reelrank.cli;

import io.reelrank.db.Database;
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

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Database db = dbOptions.open();
        out.println("database: " + db.settings().describe());
        IngestCommand.ingest(db, Home.path().resolve(dataDir), MovieLensLoader.Options.defaults(), out,
                spec.commandLine().getErr());
        return 0;
    }
}
