package io.reelrank.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.eval.ModelSelection;
import io.reelrank.model.ImplicitAls;
import io.reelrank.model.RatingMatrix;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The test cluster is a real one: a master and a worker in their own JVMs, executors started by the
 * worker, and Spark's ALS gives the same factors through it as in local mode (Spark's result depends
 * on its seed and block layout, not on where the blocks are solved).
 */
@Tag("integration")
class StandaloneClusterTest {

    private static ImplicitAls.Factors train(String master, RatingMatrix m, ImplicitAls.Params p) {
        try (SparkEngine e = SparkEngine.open(master, Map.of(), line -> {})) {
            return e.train(m, p, ImplicitAls.Listener.NONE);
        }
    }

    @Test
    void trainsOnAStandaloneMasterAndWorkerAsInLocalMode() throws Exception {
        RatingMatrix m = ModelSelection.matrix(TestCluster.evalSplit(TestCluster.database()).train());
        ImplicitAls.Params p = new ImplicitAls.Params(8, 1, 0.1, 2, 3, 42);
        ImplicitAls.Factors local = train("local[2]", m, p);
        ImplicitAls.Factors cluster = train(TestCluster.master(), m, p);
        assertEquals(610, m.users());
        double maxDiff = 0;
        for (int i = 0; i < local.users().length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(local.users()[i] - cluster.users()[i]));
        }
        for (int i = 0; i < local.items().length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(local.items()[i] - cluster.items()[i]));
        }
        assertTrue(maxDiff < 1e-4, "max difference between local and cluster factors " + maxDiff);
        double norm = 0;
        for (float x : cluster.users()) norm += x * x;
        assertTrue(norm > 1, "the factors must not be all zero for the comparison to mean anything: " + norm);
    }

    @Test
    void aDirectoryWithoutSparksJarsIsNotASparkHome() {
        Path notHome = TestCluster.TARGET.resolve("no-such-spark-home");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StandaloneCluster.start(notHome, TestCluster.TARGET.resolve("unused"), 1, "1g"));
        assertEquals("not a Spark home: " + notHome.resolve("jars") + " does not exist (build this module: "
                + "./reelrank build-spark)", e.getMessage());
    }
}
