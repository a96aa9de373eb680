package io.reelrank.cli;

import io.reelrank.db.Database;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code reelrank ingest}: loads a MovieLens directory into PostgreSQL (in progress). */
@Command(name = "ingest", mixinStandardHelpOptions = true, description = "Load MovieLens CSVs into PostgreSQL.")
public final class IngestCommand implements Callable<Integer> {
    static final int DEFAULT_BATCH = 10_000;

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    static void ingest(Database db, Path dir, boolean force, int batch, boolean skipBad, PrintWriter out) {
        throw new UnsupportedOperationException("ingest: in progress");
    }

    @Override
    public Integer call() {
        return 1;
    }
}
