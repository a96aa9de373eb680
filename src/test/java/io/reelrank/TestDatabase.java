package io.reelrank;

import io.reelrank.db.Database;
import io.reelrank.db.PrivateCluster;
import java.nio.file.Path;

/**
 * The tests' own throwaway PostgreSQL cluster, started once per test run with the same
 * {@link PrivateCluster} code the CLI uses, under {@code target/test-pg}, and destroyed when the JVM
 * exits. Tests share it: each one that changes data either works on its own tables or restores
 * what it changed.
 */
public final class TestDatabase {

    private static Database db;

    private TestDatabase() {}

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
