package io.reelrank.rank;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Trains a {@link Ranker} from {@link Judgments} with XGBoost (LambdaMART: gradient-boosted trees
 * with the LambdaRank gradient of NDCG, Burges 2010, XGBoost's {@code rank:ndcg}; or RankNet's
 * pairwise logistic loss, {@code rank:pairwise}). Deterministic for a seed: XGBoost's CPU
 * histogram method gives the same trees for any thread count (checked by the tests), so
 * {@code threads} only changes the speed. The caller owns the judgments; training holds them once
 * more in XGBoost's native memory while it runs.
 */
public final class RankerTrainer {

    /** The hyperparameters: objective, boosting rounds (trees), tree depth, learning rate, min child weight, seed. */
    public record Params(String objective, int trees, int depth, double eta, double minChildWeight, long seed) {
        public Params {
            if (!objective.equals("rank:ndcg") && !objective.equals("rank:pairwise")) {
                throw new IllegalArgumentException("objective must be rank:ndcg or rank:pairwise, got '" + objective
                        + "'");
            }
            if (trees < 1 || trees > 5000) throw new IllegalArgumentException("trees must be in 1-5000, got " + trees);
            if (depth < 1 || depth > 16) throw new IllegalArgumentException("depth must be in 1-16, got " + depth);
            if (!(eta > 0 && eta <= 1)) throw new IllegalArgumentException("learning rate must be in (0, 1], got "
                    + eta);
            if (!(minChildWeight >= 0) || Double.isInfinite(minChildWeight)) {
                throw new IllegalArgumentException("min child weight must be a finite number >= 0, got "
                        + minChildWeight);
            }
        }

        public Params withTrees(int n) {
            return new Params(objective, n, depth, eta, minChildWeight, seed);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s trees=%d depth=%d eta=%s min-child-weight=%s seed=%d", objective,
                    trees,
                    depth, num(eta), num(minChildWeight), seed);
        }
    }

    private RankerTrainer() {}

    static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** Trains on every group of {@code j}, over the features {@code features} (a subset of {@link FeatureSet#ALL}). */
    public static Ranker train(Judgments j, List<Feature> features, Params p, int threads) {
        return train(j, features, p, threads, true);
    }

    /**
     * The same; {@code expGain} false makes {@code rank:ndcg}'s gain the label itself instead of
     * {@code 2^label − 1} (XGBoost's {@code ndcg_exp_gain}), for real-valued labels such as
     * inverse-propensity-weighted click rates, whose linear DCG is an unbiased estimate (Agarwal et al.,
     * "Counterfactual Learning-to-Rank for Additive Metrics and Deep Models", 2019).
     */
    public static Ranker train(Judgments j, List<Feature> features, Params p, int threads, boolean expGain) {
        if (j.groups() == 0) throw new IllegalArgumentException("no judgments to train on");
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        int n = j.rows();
        int w = features.size();
        float[] x = new float[n * w];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < w; c++) x[r * w + c] = j.x()[r * FeatureSet.WIDTH + features.get(c).ordinal()];
        }
        DMatrix d = null;
        Booster b = null;
        try {
            d = new DMatrix(x, n, w, Float.NaN);
            d.setLabel(j.labels());
            d.setGroup(j.groupSizes());
            Map<String, Object> params = new HashMap<>();
            params.put("objective", p.objective());
            if (!expGain) params.put("ndcg_exp_gain", false);
            params.put("eta", p.eta());
            params.put("max_depth", p.depth());
            params.put("min_child_weight", p.minChildWeight());
            params.put("tree_method", "hist");
            params.put("seed", p.seed());
            params.put("nthread", threads);
            params.put("verbosity", 0);
            b = XGBoost.train(d, params, p.trees(), new HashMap<>(), null, null);
            return Ranker.of(b.toByteArray("json"), features);
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost could not train the ranker: " + e.getMessage(), e);
        } finally {
            if (b != null) b.dispose();
            if (d != null) d.dispose();
        }
    }
}
