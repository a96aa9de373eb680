package io.reelrank.rank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The learned ranker on judgments small enough to train in a second: its scores are XGBoost's
 * (the SHAP contributions, computed by XGBoost itself, sum to them), training is the same for a
 * seed whatever the thread count, and it learns what the labels say.
 */
@Tag("unit")
class RankerTest {

    private static final List<Feature> FEATURES = List.of(Feature.BM25, Feature.LOG_POP, Feature.UV, Feature.COS);

    /**
     * 300 groups of 20 rows; the label grows with uv and cos (with noise), BM25 and popularity are
     * noise, and a tenth of the cosines are missing.
     */
    private static Judgments judgments(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Judgments.Builder b = new Judgments.Builder();
        for (int g = 0; g < 300; g++) {
            float[] x = new float[20 * FeatureSet.WIDTH];
            Arrays.fill(x, Float.NaN);
            float[] labels = new float[20];
            for (int r = 0; r < 20; r++) {
                int o = r * FeatureSet.WIDTH;
                x[o + Feature.BM25.ordinal()] = (float) rng.nextDouble(10);
                x[o + Feature.LOG_POP.ordinal()] = (float) rng.nextDouble(8);
                double uv = rng.nextGaussian();
                double cos = rng.nextGaussian();
                x[o + Feature.UV.ordinal()] = (float) uv;
                x[o + Feature.COS.ordinal()] = rng.nextInt(10) == 0 ? Float.NaN : (float) cos;
                double s = uv + 0.5 * cos + 0.3 * rng.nextGaussian();
                labels[r] = s > 1.5 ? 2 : s > 0 ? 1 : 0;
            }
            b.group(g, x, labels);
        }
        return b.build();
    }

    private static final RankerTrainer.Params PARAMS = new RankerTrainer.Params("rank:ndcg", 30, 4, 0.3, 1, 7);

    @Test
    void javaScoresAreXgboostsScores() {
        Judgments j = judgments(1);
        Ranker r = RankerTrainer.train(j, FEATURES, PARAMS, 1);
        assertEquals(30, r.trees());
        float[] x = j.features(0);
        int n = x.length / FeatureSet.WIDTH;
        double[] s = r.score(x, n);
        float[][] contrib = r.contributions(x, n);
        for (int i = 0; i < n; i++) {
            assertEquals(FEATURES.size() + 1, contrib[i].length, "one contribution per feature and the bias");
            double sum = 0;
            for (float c : contrib[i]) sum += c;
            assertEquals(sum, s[i], 1e-4, "row " + i);
        }
        // A prefix of the trees is the model with fewer rounds: the first tree alone differs from all 30.
        double[] one = r.score(x, n, 1);
        assertTrue(Math.abs(one[0] - s[0]) > 1e-6);
    }

    @Test
    void theTreesLaidOutPerfectScoreExactlyAsTheirNodesWalked() {
        Judgments j = judgments(3);
        Ranker r = RankerTrainer.train(j, FEATURES, new RankerTrainer.Params("rank:ndcg", 40, 6, 0.3, 1, 7), 1);
        for (int g = 0; g < j.groups(); g++) {
            float[] x = j.features(g);
            int n = x.length / FeatureSet.WIDTH;
            // Exact: the same leaves added in the same order, missing values (a tenth of the cosines) included.
            assertArrayEquals(r.walk(x, n, r.trees()), r.score(x, n), "group " + g);
        }
    }

    @Test
    void aRowsScoreDoesNotDependOnTheRowsScoredBesideIt() {
        Judgments j = judgments(3);
        Ranker r = RankerTrainer.train(j, FEATURES, PARAMS, 1);
        float[] x = j.features(5); // a tenth of its cosines missing
        int n = x.length / FeatureSet.WIDTH;
        double[] all = r.score(x, n);
        for (int i = 0; i < n; i++) {
            float[] row = Arrays.copyOfRange(x, i * FeatureSet.WIDTH, (i + 1) * FeatureSet.WIDTH);
            assertEquals(Double.doubleToLongBits(r.score(row, 1)[0]), Double.doubleToLongBits(all[i]), "row " + i);
        }
    }

    @Test
    void trainingIsTheSameForASeedWhateverTheThreads() {
        Judgments j = judgments(2);
        Ranker one = RankerTrainer.train(j, FEATURES, PARAMS, 1);
        Ranker two = RankerTrainer.train(j, FEATURES, PARAMS, 2);
        float[] x = j.features(5);
        int n = x.length / FeatureSet.WIDTH;
        assertArrayEquals(one.score(x, n), two.score(x, n), 0.0);
        assertEquals(new String(one.model(), StandardCharsets.UTF_8), new String(two.model(), StandardCharsets.UTF_8));
    }

    @Test
    void theRankerLearnsWhatTheLabelsSay() {
        Ranker r = RankerTrainer.train(judgments(3), FEATURES, PARAMS, 1);
        float[] x = new float[2 * FeatureSet.WIDTH];
        Arrays.fill(x, Float.NaN);
        x[Feature.UV.ordinal()] = 2f;
        x[FeatureSet.WIDTH + Feature.UV.ordinal()] = -2f;
        double[] s = r.score(x, 2);
        assertTrue(s[0] > s[1], "high u·v must score higher: " + Arrays.toString(s));
        double[] gain = r.totalGain();
        assertTrue(gain[2] > gain[0] && gain[2] > gain[1], "u·v carries the labels: gains " + Arrays.toString(gain));
    }

    @Test
    void aModelThatIsNotXgboostsJsonIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ranker.of("{not json".getBytes(StandardCharsets.UTF_8), FEATURES));
        assertTrue(e.getMessage().startsWith("the ranker model is not XGBoost's JSON model"), e.getMessage());
        Ranker r = RankerTrainer.train(judgments(4), FEATURES, PARAMS.withTrees(3), 1);
        e = assertThrows(IllegalArgumentException.class, () -> Ranker.of(r.model(), List.of(Feature.BM25)));
        assertTrue(e.getMessage().matches("the ranker model splits on feature index \\d, but 1 features are named"),
                e.getMessage());
    }

    @Test
    void badHyperparametersAreRefusedWithTheirRange() {
        assertEquals("depth must be in 1-16, got 0", assertThrows(IllegalArgumentException.class,
                () -> new RankerTrainer.Params("rank:ndcg", 10, 0, 0.1, 1, 1)).getMessage());
        assertEquals("objective must be rank:ndcg or rank:pairwise, got 'reg:linear'", assertThrows(
                IllegalArgumentException.class, () -> new RankerTrainer.Params("reg:linear", 10, 4, 0.1, 1, 1)).getMessage());
        assertEquals("learning rate must be in (0, 1], got 0.0", assertThrows(IllegalArgumentException.class,
                () -> new RankerTrainer.Params("rank:ndcg", 10, 4, 0, 1, 1)).getMessage());
    }
}
