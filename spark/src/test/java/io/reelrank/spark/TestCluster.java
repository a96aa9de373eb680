package io.reelrank.spark;

import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import io.reelrank.eval.EvalData;
import io.reelrank.eval.Ratings;
import io.reelrank.eval.Splits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

/**
 * The Spark module's test fixtures: one standalone master and one worker (separate JVMs on loopback,
 * 2 cores, 2 GB for executors) started once per test run from {@code target/spark-home} and stopped
 * when the JVM exits, and the sample's ratings split as {@code reelrank eval} splits them. Tests
 * share the cluster; each opens and closes its own Spark session on it.
 */
public final class TestCluster {

    public static final Path SPARK_HOME = Path.of(System.getProperty("reelrank.spark.home", "spark/target/spark-home"))
            .toAbsolutePath();
    public static final Path TARGET = Path.of(System.getProperty("reelrank.spark.target", "spark/target"))
            .toAbsolutePath();

    private static StandaloneCluster cluster;

    private TestCluster() {}

    public static synchronized StandaloneCluster get() {
        if (cluster == null) {
            try {
                cluster = StandaloneCluster.start(SPARK_HOME, TARGET.resolve("spark-cluster"), 2, "2g");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            StandaloneCluster c = cluster;
            Runtime.getRuntime().addShutdownHook(new Thread(c::close, "spark-cluster-stop"));
        }
        return cluster;
    }

    /** The master URL of {@link #get}. */
    public static String master() {
        return get().masterUrl();
    }

    /** The evaluation's split of the sample's real users (the synthetic test users left out): latest 20% held out. */
    public static Splits.Split evalSplit(Database db) throws SQLException {
        Set<Integer> testUsers = new HashSet<>();
        Ratings all;
        try (Connection c = db.connect()) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT user_id FROM test_users")) {
                while (rs.next()) testUsers.add(rs.getInt(1));
            }
            all = EvalData.loadRatings(c);
        }
        Ratings.Builder b = Ratings.builder();
        for (int i = 0; i < all.size(); i++) {
            if (!testUsers.contains(all.userId(i))) b.add(all.userId(i), all.movieId(i), all.rating(i), all.ratedAt(i));
        }
        return Splits.temporal(b.build(), 0.2);
    }

    /** The test database with the sample, the real model's vectors, the test users and an in-process model. */
    public static Database database() {
        return TestDatabase.personalized();
    }
}
