package io.reelrank.cli;

import io.reelrank.db.Database;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** Lets tests in other packages run load-embeddings' reporting path on the test database. */
public final class LoadEmbeddingsCommandAccess {

    private LoadEmbeddingsCommandAccess() {}

    public static String load(Database db, Path file) throws Exception {
        StringWriter sw = new StringWriter();
        LoadEmbeddingsCommand.load(db, file, new PrintWriter(sw));
        return sw.toString();
    }
}
