package io.reelrank.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import io.reelrank.eval.EvalData;
import io.reelrank.eval.ModelSelection;
import io.reelrank.eval.Ratings;
import io.reelrank.eval.RecommendationTask;
import io.reelrank.eval.Scorers;
import io.reelrank.eval.Splits;
import io.reelrank.eval.TrainingUsers;
import io.reelrank.model.FactorEngine;
import io.reelrank.model.FactorModel;
import io.reelrank.model.ImplicitAls;
import io.reelrank.model.ItemContent;
import io.reelrank.model.ItemVectors;
import io.reelrank.model.ModelTrainer;
import io.reelrank.model.RatingMatrix;
import io.reelrank.user.UserTower;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Spark engine against the in-process trainer, on the evaluation's split of the sample and
 * through the standalone test cluster: the model the tests ship (rank 64, α = 1, λ = 0.1, 10
 * iterations, midpoint 3, seed 42) trained once by each, everything after the factors by the core.
 */
@Tag("integration")
class SparkEngineTest {

    /**
     * How far the two trainers' evaluation figures may lie apart (absolute). Spark starts from other
     * random factors than the in-process trainer (its own generator, per block), so the two models
     * are two fits of one formula, not the same numbers; a hundredth is well under the margin by which
     * both beat popularity (0.05 and more, asserted too), so a Spark model of another formula (no
     * midpoint shift, explicit feedback, α or λ not passed) would fail it.
     */
    static final double TOLERANCE = 0.01;

    private static RatingMatrix matrix;
    private static ImplicitAls.Params params;
    private static ImplicitAls.Factors sparkFactors;
    private static ModelTrainer.Trained spark;
    private static ModelTrainer.Trained inProcess;
    private static Splits.Split split;
    private static int[] catalog;
    private static TrainingUsers contentUsers;
    private static ItemVectors items;
    private static final List<String> halfSteps = new ArrayList<>();
    private static final List<String> opened = new ArrayList<>();

    /** The engine, recording the factors Spark returned before the core maps cold movies and solves users again. */
    private static final class Recording implements FactorEngine {
        private final FactorEngine inner;
        ImplicitAls.Factors last;

        Recording(FactorEngine inner) {
            this.inner = inner;
        }

        @Override
        public String describe() {
            return inner.describe();
        }

        @Override
        public ImplicitAls.Factors train(RatingMatrix m, ImplicitAls.Params p, ImplicitAls.Listener l) {
            last = inner.train(m, p, l);
            return last;
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    @BeforeAll
    static void trainTheShippedModelWithBothEngines() throws Exception {
        Database db = TestCluster.database();
        split = TestCluster.evalSplit(db);
        matrix = ModelSelection.matrix(split.train());
        params = TestDatabase.MODEL.als();
        EvalData.Catalog cat;
        try (Connection c = db.connect()) {
            cat = EvalData.loadCatalog(c);
        }
        catalog = RecommendationTask.catalogOrder(cat.movieIds());
        items = ItemVectors.load(db, true);
        ItemContent content = new ItemContent(cat.movieIds(), items::vector, cat.genres(), cat.years());
        contentUsers = TrainingUsers.compute(split.train(), items::vector, UserTower.DEFAULT_SHRINKAGE);
        ModelTrainer.Listener listener = new ModelTrainer.Listener() {
            @Override
            public void halfStep(int iteration, int iterations, String side, double seconds) {
                synchronized (halfSteps) {
                    halfSteps.add(iteration + "/" + iterations + " " + side);
                }
            }

            @Override
            public void stage(String name, double seconds) {}
        };
        long t0 = System.nanoTime();
        try (Recording engine = new Recording(SparkEngine.open(TestCluster.master(), Map.of(), opened::add))) {
            long t1 = System.nanoTime();
            spark = ModelTrainer.train(matrix, content, TestDatabase.MODEL, engine, 2, listener);
            sparkFactors = engine.last;
            System.out.printf(Locale.ROOT, "%s on %,d ratings: session %.1f s, training through the cluster %.1f s%n",
                    TestDatabase.MODEL, matrix.ratings(), (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
        }
        long t2 = System.nanoTime();
        inProcess = ModelTrainer.train(matrix, content, TestDatabase.MODEL, 2, ModelTrainer.Listener.NONE);
        System.out.printf(Locale.ROOT, "the same in-process on 2 threads: %.1f s%n", (System.nanoTime() - t2) / 1e9);
    }

    @Test
    void foldInAgainstSparksItemFactorsReproducesItsUserFactors() {
        int k = params.rank();
        float[] ones = new float[matrix.items()];
        Arrays.fill(ones, 1);
        FactorModel sparkItems = new FactorModel(0, params, matrix.itemIds(), sparkFactors.items(), ones);
        double[] worst = {0, 0};
        int[] counts = {0, 0};
        Ratings train = split.train().isSortedByUser() ? split.train() : split.train().sortedByUserThenTime();
        train.forEachUser((user, from, to) -> {
            int u = matrix.userIndex(user);
            float[] folded = sparkItems.foldIn(train.movieIds(from, to), train.ratings(from, to), to - from);
            float[] trained = Arrays.copyOfRange(sparkFactors.users(), u * k, (u + 1) * k);
            double norm = 0;
            for (float x : trained) norm += x * x;
            counts[0]++;
            if (folded == null) {
                assertEquals(0, norm, 0, "user " + user + " has no positive rating: Spark's vector must be zero too");
                counts[1]++;
                return;
            }
            double diff = 0;
            for (int d = 0; d < k; d++) diff = Math.max(diff, Math.abs(folded[d] - trained[d]));
            worst[0] = Math.max(worst[0], diff);
            worst[1] = Math.max(worst[1], diff / Math.sqrt(norm));
        });
        System.out.printf(Locale.ROOT, "fold-in against Spark's item factors, %d users: largest difference %.3g, "
                + "relative to the vector's length %.3g%n", counts[0], worst[0], worst[1]);
        assertEquals(matrix.users(), counts[0]);
        assertTrue(worst[1] < 1e-4, "largest difference between fold-in and Spark's user factors, relative to the "
                + "vector's length: " + worst[1]);
        assertTrue(counts[1] < counts[0] / 10, counts[1] + " users without a positive rating");
    }

    @Test
    void theSparkModelRecommendsAsWellAsTheInProcessModelOnTheEvaluationsSplit() {
        Map<String, RecommendationTask.Scorer> systems = new LinkedHashMap<>();
        RecommendationTask.Scorer content = Scorers.content(catalog, items::vector, contentUsers);
        systems.put("in-process", Scorers.firstOf(Scorers.collaborative(catalog, inProcess.model(), inProcess::user),
                content));
        systems.put("spark", Scorers.firstOf(Scorers.collaborative(catalog, spark.model(), spark::user), content));
        RecommendationTask.Result r = RecommendationTask.run(split, catalog, systems, RecommendationTask.DEFAULT_K);
        double[] recall = new double[3];
        double[] ndcg = new double[3];
        for (int s = 0; s < 3; s++) {
            recall[s] = ModelSelection.mean(r.recall()[s]);
            ndcg[s] = ModelSelection.mean(r.ndcg()[s]);
        }
        String figures = String.format(Locale.ROOT, "Recall@20 popularity %.4f, in-process %.4f, spark %.4f; "
                + "NDCG@20 %.4f, %.4f, %.4f", recall[0], recall[1], recall[2], ndcg[0], ndcg[1], ndcg[2]);
        System.out.println("eval split, " + r.userIds().length + " users: " + figures);
        assertTrue(Math.abs(recall[2] - recall[1]) < TOLERANCE, figures);
        assertTrue(Math.abs(ndcg[2] - ndcg[1]) < TOLERANCE, figures);
        // Both far above the baseline, or agreeing would prove little.
        assertTrue(recall[1] > recall[0] + 0.05 && recall[2] > recall[0] + 0.05, figures);
    }

    @Test
    void theSparkModelIsNotTheInProcessModel() {
        // Spark draws its own start: equal vectors would mean the Spark engine was never asked.
        float[] a = inProcess.model().vector(1);
        float[] b = spark.model().vector(1);
        double diff = 0;
        for (int d = 0; d < a.length; d++) diff = Math.max(diff, Math.abs(a[d] - b[d]));
        assertTrue(diff > 1e-3, "movie 1's vectors differ by " + diff);
        assertTrue(opened.get(0).startsWith("spark: session on " + TestCluster.master() + " (application app-"),
                opened.toString());
        assertTrue(opened.get(0).contains("1 executor, 2 cores"), opened.toString());
    }

    @Test
    void everyHalfStepOfSparksAlsIsReportedInOrder() {
        List<String> expected = new ArrayList<>();
        for (int it = 1; it <= params.iterations(); it++) {
            expected.add(it + "/" + params.iterations() + " items");
            expected.add(it + "/" + params.iterations() + " users");
        }
        assertEquals(expected, halfSteps);
    }

    @Test
    void aJavaNewerThanSparkSupportsIsRefusedNamingJavaHome() {
        SparkEngine.checkJava(17, "/jdk17");
        SparkEngine.checkJava(21, "/jdk21");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SparkEngine.checkJava(25, "/opt/jdk-25"));
        assertEquals("Spark 4.0.1 runs on Java 17 or 21, and this is Java 25 (/opt/jdk-25): from Java 23 on, Hadoop's "
                + "login code in Spark fails (Subject.getSubject is no longer supported). Run with Java 17: "
                + "JAVA_HOME=/path/to/jdk-17 ./reelrank … --engine spark", e.getMessage());
    }

    @Test
    void aMasterNobodyListensOnIsRefusedAtOnceWithItsAddress() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "spark://127.0.0.1:" + port;
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SparkEngine.open(url, Map.of(), l -> {}));
        assertTrue(e.getMessage().startsWith("cannot reach the Spark master " + url + " (127.0.0.1:" + port
                + ": Connection refused"), e.getMessage());
        assertTrue(e.getMessage().endsWith(
                "is a master running there? Start one (Spark's sbin/start-master.sh) or train "
                + "with --spark-master local[*]"), e.getMessage());
        assertNull(org.apache.spark.sql.SparkSession.getActiveSession().getOrElse(() -> null),
                "no session may be left behind");
    }
}
