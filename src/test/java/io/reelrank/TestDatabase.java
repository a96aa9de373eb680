package io.reelrank;

import io.reelrank.db.Database;
import io.reelrank.db.PrivateCluster;
import io.reelrank.ingest.MovieLensLoader;
import java.nio.file.Path;

/**
 * The tests' own throwaway PostgreSQL cluster, started once per test run with the same
 * {@link PrivateCluster} code the CLI uses, under {@code target/test-pg}, and destroyed when the JVM
 * exits. Tests share it: each one that changes data either works on its own tables or restores
 * what it changed.
 */
public final class TestDatabase {

    public static final Path SAMPLE = Path.of("sample_data", "ml-latest-small").toAbsolutePath();

    private static Database db;
    private static boolean sampleLoaded;

    private TestDatabase() {}

    /** The test database with the bundled sample loaded (once per run). */
    public static synchronized Database sample() {
        Database d = get();
        if (!sampleLoaded) {
            try {
                MovieLensLoader.load(d, SAMPLE, MovieLensLoader.Options.defaults(), MovieLensLoader.Listener.NONE);
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("cannot load the sample: " + e.getMessage(), e);
            }
            sampleLoaded = true;
        }
        return d;
    }

    /** Puts the sample back after a test that loaded something else. */
    public static synchronized void reloadSample() throws java.sql.SQLException {
        MovieLensLoader.load(get(), SAMPLE, new MovieLensLoader.Options(10_000, false, true),
                MovieLensLoader.Listener.NONE);
        sampleLoaded = true;
    }

    public static synchronized Database get() {
        if (db == null) {
            PrivateCluster cluster = new PrivateCluster(Path.of("target", "test-pg").toAbsolutePath());
            cluster.destroy();
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::destroy, "test-pg-cleanup"));
            db = Database.open(cluster.ensureRunning(), cluster);
        }
        return db;
    }
}
