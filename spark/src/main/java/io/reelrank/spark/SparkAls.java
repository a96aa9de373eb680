package io.reelrank.spark;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Spark MLlib's ALS for implicit feedback, trained on a {@code (user, item, rating)} frame whose
 * rating column already holds the transformed value r' (see the model package's formula): preference
 * 1 when r' > 0, confidence 1 + α·|r'|, regularization λ·n⁺. Returns the factors collected on the
 * driver. The caller owns the Spark session.
 */
public final class SparkAls {

    /** rank k, α, λ, iterations, seed; checked by the caller's own parameter type. */
    public record Params(int rank, double alpha, double lambda, int iterations, long seed) {}

    /** Factors by id. */
    public record Factors(Map<Integer, float[]> users, Map<Integer, float[]> items) {}

    private SparkAls() {}

    public static Factors train(Dataset<Row> ratings, Params p) {
        ALS als = new ALS()
                .setImplicitPrefs(true)
                .setRank(p.rank())
                .setAlpha(p.alpha())
                .setRegParam(p.lambda())
                .setMaxIter(p.iterations())
                .setSeed(p.seed())
                .setNonnegative(false)
                .setUserCol("user")
                .setItemCol("item")
                .setRatingCol("rating");
        ALSModel model = als.fit(ratings);
        return new Factors(collect(model.userFactors()), collect(model.itemFactors()));
    }

    private static Map<Integer, float[]> collect(Dataset<Row> factors) {
        Map<Integer, float[]> out = new HashMap<>();
        for (Row r : factors.collectAsList()) {
            List<Float> f = r.getList(1);
            float[] v = new float[f.size()];
            for (int i = 0; i < v.length; i++) v[i] = f.get(i);
            out.put(r.getInt(0), v);
        }
        return out;
    }
}
