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
    // The same trees as perfect binary trees (heap order: node p's children 2p+1 and 2p+2), when every
    // tree is at most PERFECT_DEPTH deep: a leaf above the last level becomes a subtree whose leaves all
    // hold its value, so every row takes exactly depth steps and the rows of one tree walk side by side
    // instead of waiting on each other's branches. null: some tree is deeper, walk the nodes above.
    private final int[] treeDepth;
    private final int[] splitAt; // first split of tree t in pColumn/pThreshold/pMissingRight
    private final int[] leafAt; // first leaf of tree t in pLeaf
    private final int[] pColumn;
    private final float[] pThreshold;
    private final int[] pMissingRight; // 1 when a missing value goes to the right child
    private final float[] pLeaf;
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
        int[] depths = new int[trees.length];
        int splits = 0;
        int leaves = 0;
        boolean perfect = true;
        for (int t = 0; t < trees.length; t++) {
            depths[t] = depth(trees[t], 0);
            perfect &= depths[t] <= PERFECT_DEPTH;
            splits += (1 << depths[t]) - 1;
            leaves += 1 << depths[t];
        }
        if (!perfect) {
            treeDepth = null;
            splitAt = leafAt = pColumn = pMissingRight = null;
            pThreshold = pLeaf = null;
            return;
        }
        treeDepth = depths;
        splitAt = new int[trees.length];
        leafAt = new int[trees.length];
        pColumn = new int[splits];
        pThreshold = new float[splits];
        pMissingRight = new int[splits];
        pLeaf = new float[leaves];
        int s = 0;
        int l = 0;
        for (int t = 0; t < trees.length; t++) {
            splitAt[t] = s;
            leafAt[t] = l;
            place(trees[t], columns, 0, 0, 0, depths[t], s, l);
            s += (1 << depths[t]) - 1;
            l += 1 << depths[t];
        }
    }

    /** The deepest trees laid out as perfect binary trees; deeper models walk their nodes. */
    static final int PERFECT_DEPTH = 10;

    private static int depth(Tree t, int node) {
        if (t.left()[node] < 0) return 0;
        return 1 + Math.max(depth(t, t.left()[node]), depth(t, t.right()[node]));
    }

    /** Puts {@code node} (at {@code level}, heap position {@code p}) and its subtree into the perfect layout. */
    private void place(Tree t, int[] columns, int node, int p, int level, int depth, int splits, int leaves) {
        if (level == depth) {
            pLeaf[leaves + p - ((1 << depth) - 1)] = t.threshold()[node];
            return;
        }
        if (t.left()[node] < 0) { // a leaf above the last level: a split whose both sides are this leaf
            pColumn[splits + p] = 0;
            pThreshold[splits + p] = 0;
            place(t, columns, node, 2 * p + 1, level + 1, depth, splits, leaves);
            place(t, columns, node, 2 * p + 2, level + 1, depth, splits, leaves);
            return;
        }
        pColumn[splits + p] = columns[t.feature()[node]];
        pThreshold[splits + p] = t.threshold()[node];
        pMissingRight[splits + p] = t.defaultLeft()[node] ? 0 : 1;
        place(t, columns, t.left()[node], 2 * p + 1, level + 1, depth, splits, leaves);
        place(t, columns, t.right()[node], 2 * p + 2, level + 1, depth, splits, leaves);
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
        if (treeDepth != null) {
            int[] pos = new int[n];
            for (int t = 0; t < k; t++) {
                java.util.Arrays.fill(pos, 0);
                int sp = splitAt[t];
                int depth = treeDepth[t];
                for (int level = 0; level < depth; level++) {
                    for (int r = 0; r < n; r++) {
                        int p = pos[r];
                        float v = x[r * FeatureSet.WIDTH + pColumn[sp + p]];
                        // right when v ≥ threshold: v − threshold is never −0 or negative then (IEEE
                        // subtraction of distinct floats is never 0); a missing value goes its own way
                        int right = (Float.floatToRawIntBits(v - pThreshold[sp + p]) >>> 31) ^ 1;
                        if (v != v) right = pMissingRight[sp + p];
                        pos[r] = 2 * p + 1 + right;
                    }
                }
                int leaf = leafAt[t] - ((1 << depth) - 1);
                for (int r = 0; r < n; r++) sum[r] += pLeaf[leaf + pos[r]];
            }
            double[] out = new double[n];
            for (int r = 0; r < n; r++) out[r] = sum[r];
            return out;
        }
        return walk(x, n, k);
    }

    /** The scores by walking each tree's nodes: the general way, and the check of the perfect layout. */
    double[] walk(float[] x, int n, int k) {
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
