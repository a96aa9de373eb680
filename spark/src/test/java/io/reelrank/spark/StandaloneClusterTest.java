package io.reelrank.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

class StandaloneClusterTest {

    static final Path SPARK_HOME = Path.of(System.getProperty("reelrank.spark.home", "target/spark-home"));
    static final Path RATINGS = Path.of("..", "sample_data", "ml-latest-small", "ratings.csv").toAbsolutePath();

    private static SparkAls.Factors train(String master) {
        SparkSession s = SparkSession.builder().appName("reelrank-test").master(master)
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").config("spark.executor.memory", "1g").getOrCreate();
        try {
            Dataset<Row> r = s.read().option("header", "true").csv(RATINGS.toString())
                    .select(functions.col("userId").cast("int").as("user"), functions.col("movieId").cast("int").as("item"),
                            functions.col("rating").cast("float").minus(3).as("rating"));
            return SparkAls.train(r, new SparkAls.Params(16, 1.0, 0.1, 5, 42));
        } finally {
            s.stop();
        }
    }

    @Test
    void trainsOnAStandaloneMasterAndWorkerAsOnLocalMode() throws Exception {
        SparkAls.Factors local = train("local[2]");
        SparkAls.Factors cluster;
        try (StandaloneCluster c = StandaloneCluster.start(SPARK_HOME, Path.of("target", "spark-cluster").toAbsolutePath(), 2, "1g")) {
            cluster = train(c.masterUrl());
        }
        assertEquals(local.users().keySet(), cluster.users().keySet());
        assertEquals(610, cluster.users().size());
        double maxDiff = 0;
        for (var e : local.users().entrySet()) {
            float[] a = e.getValue(), b = cluster.users().get(e.getKey());
            for (int i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
        }
        assertTrue(maxDiff < 1e-4, "max difference " + maxDiff);
    }
}
