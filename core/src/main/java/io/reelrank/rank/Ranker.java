package io.reelrank.rank;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * A trained learned ranker: gradient-boosted regression trees (LambdaMART, trained by
 * {@link RankerTrainer} with XGBoost) over a list of {@link Feature}s. Scores are computed here, in
 * Java, from the trees of the model's JSON form: {@code score(x) = base + Σ_t leaf_t(x)}, a split
 * sending {@code x_f < threshold} left and a missing value (NaN) where the tree learned to send it
 * ({@code default_left}), exactly as XGBoost's predictor does; so serving makes no native call and
 * scores 100 candidates in microseconds. Per-feature contributions (SHAP values, Lundberg et al.
 * 2018, XGBoost's {@code predictContrib}) come from XGBoost's own booster, loaded on first use.
 * Immutable and thread-safe; the caller passes feature rows in {@link FeatureSet}'s layout, which
 * are projected onto the ranker's features by name.
 */
public final class Ranker {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] model;
    private final List<Feature> features;
    private final int[] columns; // FeatureSet column of each ranker feature
    private final float base;
    private final Tree[] trees;
    // Every tree's nodes in one set of arrays (child indices absolute, the split's FeatureSet column and
    // the child a missing value takes resolved), so scoring walks flat arrays; a leaf has left −1.
    private final int[] root;
    private final int[] left;
    private final int[] right;
    private final int[] missing;
    private final int[] column;
    private final float[] value; // split threshold, or a leaf's value
    private Booster booster; // for contributions; guarded by this

    private record Tree(int[] left, int[] right, int[] feature, float[] threshold, boolean[] defaultLeft,
            float[] gain) {}

    private Ranker(byte[] model, List<Feature> features, float base, Tree[] trees) {
        this.model = model;
        this.features = List.copyOf(features);
        this.columns = new int[features.size()];
        for (int i = 0; i < columns.length; i++) columns[i] = features.get(i).ordinal();
        this.base = base;
        this.trees = trees;
        int nodes = 0;
        for (Tree t : trees) nodes += t.left().length;
        root = new int[trees.length];
        left = new int[nodes];
        right = new int[nodes];
        missing = new int[nodes];
        column = new int[nodes];
        value = new float[nodes];
        int at = 0;
        for (int t = 0; t < trees.length; t++) {
            Tree tree = trees[t];
            root[t] = at;
            for (int i = 0; i < tree.left().length; i++) {
                int n = at + i;
                boolean leaf = tree.left()[i] < 0;
                left[n] = leaf ? -1 : at + tree.left()[i];
                right[n] = leaf ? -1 : at + tree.right()[i];
                missing[n] = tree.defaultLeft()[i] ? left[n] : right[n];
                column[n] = leaf ? 0 : columns[tree.feature()[i]];
                value[n] = tree.threshold()[i];
            }
            at += tree.left().length;
        }
    }

    /**
     * A ranker from XGBoost's JSON model ({@code Booster.toByteArray("json")}) and the features it
     * was trained on, in its column order. Fails when the bytes are not such a model or name a
     * feature index beyond the list.
     */
    public static Ranker of(byte[] jsonModel, List<Feature> features) {
        JsonNode root;
        try {
            root = JSON.readTree(jsonModel);
        } catch (IOException e) {
            throw new IllegalArgumentException("the ranker model is not XGBoost's JSON model: " + e.getMessage(), e);
        }
        JsonNode learner = root.path("learner");
        JsonNode gb = learner.path("gradient_booster");
        if (!"gbtree".equals(gb.path("name").asText())) {
            throw new IllegalArgumentException("the ranker model must be a gbtree booster, got '"
                    + gb.path("name").asText()
                    + "'");
        }
        // XGBoost 3 writes the base score as a vector, "[0.5]"; earlier versions as a number, "5E-1".
        String baseText = learner.path("learner_model_param").path("base_score").asText("0").replace("[", "")
                .replace("]", "").split(",")[0].trim();
        float base = Float.parseFloat(baseText.isEmpty() ? "0" : baseText);
        String objective = learner.path("objective").path("name").asText();
        if (!objective.startsWith("rank:") && !objective.equals("reg:squarederror")) {
            throw new IllegalArgumentException("the ranker model's objective must be rank:* (identity output), got '"
                    + objective + "'");
        }
        List<Tree> trees = new ArrayList<>();
        for (JsonNode t : gb.path("model").path("trees")) {
            int[] left = ints(t.path("left_children"));
            int[] right = ints(t.path("right_children"));
            int[] feature = ints(t.path("split_indices"));
            float[] threshold = floats(t.path("split_conditions"));
            boolean[] dl = new boolean[left.length];
            int i = 0;
            for (JsonNode b : t.path("default_left")) dl[i++] = b.asInt() != 0 || b.asBoolean();
            for (int n = 0; n < left.length; n++) {
                if (left[n] >= 0 && (feature[n] < 0 || feature[n] >= features.size())) {
                    throw new IllegalArgumentException("the ranker model splits on feature index " + feature[n]
                            + ", but "
                            + features.size() + " features are named");
                }
            }
            trees.add(new Tree(left, right, feature, threshold, dl, floats(t.path("loss_changes"))));
        }
        return new Ranker(jsonModel.clone(), features, base, trees.toArray(new Tree[0]));
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
        return out;
    }

    private static float[] floats(JsonNode a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) a.get(i).asDouble();
        return out;
    }

    /** The JSON model, as stored. */
    public byte[] model() {
        return model.clone();
    }

    public List<Feature> features() {
        return features;
    }

    public int trees() {
        return trees.length;
    }

    /** The score of each of the {@code n} rows of {@code x} ({@link FeatureSet} layout), all trees. */
    public double[] score(float[] x, int n) {
        return score(x, n, trees.length);
    }

    /** The same with the first {@code limit} trees only (a model with fewer boosting rounds). */
    public double[] score(float[] x, int n, int limit) {
        if (x.length < n * FeatureSet.WIDTH) {
            throw new IllegalArgumentException("feature rows must hold " + n + " × " + FeatureSet.WIDTH
                    + " values, got "
                    + x.length);
        }
        int k = Math.min(limit, trees.length);
        // Tree by tree over all rows (a tree's nodes stay in cache); each row still adds its leaves in
        // tree order, in float, as XGBoost does.
        float[] sum = new float[n];
        java.util.Arrays.fill(sum, base);
        for (int t = 0; t < k; t++) {
            int start = root[t];
            for (int r = 0; r < n; r++) {
                int o = r * FeatureSet.WIDTH;
                int node = start;
                while (left[node] >= 0) {
                    float v = x[o + column[node]];
                    node = v < value[node] ? left[node] : Float.isNaN(v) ? missing[node] : right[node];
                }
                sum[r] += value[node]; // a leaf's value is stored in split_conditions
            }
        }
        double[] out = new double[n];
        for (int r = 0; r < n; r++) out[r] = sum[r];
        return out;
    }

    /**
     * Each feature's total gain: the loss reduction of every split on it, summed over all trees
     * (XGBoost's {@code total_gain} importance), in {@link #features()} order.
     */
    public double[] totalGain() {
        double[] g = new double[columns.length];
        for (Tree t : trees) {
            for (int n = 0; n < t.left.length; n++) {
                if (t.left[n] >= 0 && n < t.gain.length) g[t.feature[n]] += t.gain[n];
            }
        }
        return g;
    }

    /** The rows projected onto this ranker's features, row-major: what XGBoost was trained on. */
    public float[] project(float[] x, int n) {
        int w = columns.length;
        float[] out = new float[n * w];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < w; c++) out[r * w + c] = x[r * FeatureSet.WIDTH + columns[c]];
        }
        return out;
    }

    /**
     * SHAP contributions of each feature to each row's score: {@code out[r][c]} for feature c of
     * {@link #features()}, and {@code out[r][features().size()]} the bias (the expected score);
     * each row sums to its score.
     */
    public synchronized float[][] contributions(float[] x, int n) {
        try {
            if (booster == null) {
                booster = XGBoost.loadModel(model);
                booster.setParam("nthread", 1);
            }
            DMatrix d = new DMatrix(project(x, n), n, columns.length, Float.NaN);
            try {
                return booster.predictContrib(d, 0);
            } finally {
                d.dispose();
            }
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost could not compute the contributions: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
