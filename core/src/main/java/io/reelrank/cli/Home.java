package io.reelrank.cli;

import java.nio.file.Path;

/**
 * Where reelrank keeps its state ({@code var/pg} for the private cluster, {@code var/index} for the
 * Lucene index): {@code REELRANK_HOME}, or the system property {@code reelrank.home} (tests), or the
 * working directory. The {@code ./reelrank} launcher sets {@code REELRANK_HOME} to the checkout.
 */
public final class Home {

    private Home() {}

    public static Path path() {
        String prop = System.getProperty("reelrank.home");
        if (prop != null && !prop.isBlank()) return Path.of(prop).toAbsolutePath();
        String env = System.getenv("REELRANK_HOME");
        if (env != null && !env.isBlank()) return Path.of(env).toAbsolutePath();
        return Path.of("").toAbsolutePath();
    }

    /** The Lucene index directory, {@code var/index} under the home. */
    public static Path indexDir() {
        return io.reelrank.index.MovieIndex.defaultDir(path());
    }

    public static Path var() {
        return path().resolve("var");
    }
}
