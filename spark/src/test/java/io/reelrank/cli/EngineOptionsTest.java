package io.reelrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import io.reelrank.index.MovieIndex;
import io.reelrank.spark.TestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code train} and {@code eval} with {@code --engine spark} through the picocli root, as the
 * launcher runs them (this JVM has the Spark module's class path: it is the driver), on the test
 * cluster and the test database, found through a throwaway home whose {@code var/pg} is the test
 * cluster's directory.
 */
@Tag("integration")
class EngineOptionsTest {

    private static Path home;
    private static String previousHome;
    private static Database db;

    @BeforeAll
    static void aHomeOnTheTestDatabase() throws Exception {
        db = TestCluster.database();
        home = TestDatabase.homeOn(db, TestCluster.TARGET, "engine-cli-");
        MovieIndex.rebuild(db, MovieIndex.defaultDir(home));
        previousHome = System.getProperty("reelrank.home");
        System.setProperty("reelrank.home", home.toString());
    }

    @AfterAll
    static void restoreTheHome() throws Exception {
        if (previousHome == null) System.clearProperty("reelrank.home");
        else System.setProperty("reelrank.home", previousHome);
        Files.deleteIfExists(home.resolve("var").resolve("pg")); // the link only, never the test cluster
    }

    @Test
    void trainOnTheClusterActivatesAVersionMadeFromSparksFactors() throws Exception {
        String master = TestCluster.master();
        Run r = Run.of(List.of("train"), "--engine", "spark", "--spark-master", master, "--rank", "8", "--als-alpha",
                "1", "--iterations", "2", "--spark-conf", "spark.executor.memory=1g");
        assertEquals(0, r.code(), r.out() + r.err());
        String out = r.out();
        assertTrue(out.contains("      spark: session on " + master + " (application app-"), out);
        assertTrue(out.contains("[4/7] train: rank=8 α=1 λ=0.1 iterations=2 midpoint=3 seed=42 blend m=0 ridge μ=10 "
                + "min-fit=5 on all "), out);
        assertTrue(out.contains(" ratings (spark " + master + ")\n"), out);
        for (int it = 1; it <= 2; it++) {
            assertTrue(out.contains("      iteration " + it + "/2: items in "), out);
            assertTrue(out.contains("      iteration " + it + "/2: users in "), out);
        }
        assertTrue(out.contains("      factors (spark " + master + ") in "), out);
        String last = out.lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.startsWith("train: version "), out);
        long version = Long.parseLong(last.substring("train: version ".length(), last.indexOf(" active")));
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT status, params->>'engine', "
                + "rank, items, (SELECT count(*) FROM item_factors f WHERE f.version = v.version), "
                + "(SELECT count(*) FROM pg_indexes WHERE indexname = 'item_factors_hnsw_v' || v.version) "
                + "FROM model_versions v WHERE version = ?")) {
            ps.setLong(1, version);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals("active", rs.getString(1));
                assertEquals("spark " + master, rs.getString(2));
                assertEquals(8, rs.getInt(3));
                assertTrue(rs.getInt(4) > 9000, "movies with a vector: " + rs.getInt(4));
                assertEquals(rs.getInt(4), rs.getInt(5));
                assertEquals(1, rs.getInt(6), "the version's HNSW index");
            }
        }
        Run list = Run.of(List.of("train"), "--list");
        assertTrue(list.out().lines().anyMatch(l -> l.matches(" *" + version + "  active .*engine=spark "
                + java.util.regex.Pattern.quote(master))), list.out());
        Run rec = Run.of(List.of("recommend"), "1", "--limit", "5");
        assertEquals(0, rec.code(), rec.err());
    }

    @Test
    void evalTrainsItsModelsOnTheSparkEngine() {
        String master = TestCluster.master();
        Run r = Run.of(List.of("eval"), "--engine", "spark", "--spark-master", master, "--rank", "8", "--als-alpha",
                "1", "--iterations", "2", "--alpha", "0.7", "--popularity", "0.7", "--collaborative", "0.5",
                "--baseline-popularity", "0.7", "--ease-lambda", "500", "--ease-min-ratings", "20", "--test-fraction",
                "0.05", "--resamples", "200", "--search-tasks", "none");
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertTrue(out.contains(
                "model selection on validation (two-tower recommender, Recall@20; best first by recall; "
                + "ALS factors on Spark, " + master + "):"), out);
        assertEquals(1, out.lines()
                .filter(l -> l.matches("  \\* rank=8 α=1 .*iterations=2 .*recall@20 0\\.\\d{4}.*")).count(), out);
        assertEquals(1, out.lines().filter(l -> l.matches("recall@20 two-tower +0\\.\\d{4} .*")).count(), out);
        assertTrue(r.err().contains("spark: session on " + master), r.err());
    }

    @Test
    void aMasterNobodyListensOnStopsTrainWithItsAddress() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Run r = Run.of(List.of("train"), "--engine", "spark", "--spark-master", "spark://127.0.0.1:" + port,
                "--als-alpha", "1");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("reelrank: error: cannot reach the Spark master spark://127.0.0.1:" + port
                + " (127.0.0.1:" + port + ": Connection refused"), r.err());
    }
}
