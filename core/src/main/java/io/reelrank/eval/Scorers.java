package io.reelrank.eval;

import io.reelrank.model.FactorModel;
import java.util.function.IntFunction;

/**
 * The recommendation task's systems besides popularity and EASE: the content tower alone
 * ({@code cos(u, e_i)}), the collaborative tower alone ({@code u·v_i}) and the two-tower
 * recommender, which is what {@code reelrank recommend} serves: the collaborative score when the
 * user has a collaborative vector, else the content tower, else (neither) popularity. Each takes the
 * catalog in ascending id order, as {@link RecommendationTask} indexes scores.
 */
public final class Scorers {

    private Scorers() {}

    /** {@code cos(u, e_i)} with the user's training content vector; movies without a vector are NaN. */
    public static RecommendationTask.Scorer content(int[] catalog, IntFunction<float[]> items, TrainingUsers users) {
        int dim = -1;
        for (int id : catalog) {
            float[] e = items.apply(id);
            if (e != null) {
                dim = e.length;
                break;
            }
        }
        int d = dim;
        // Unit rows in one flat array: the per-user pass over every movie is one sequential read.
        float[] unit = new float[catalog.length * Math.max(d, 0)];
        boolean[] has = new boolean[catalog.length];
        for (int i = 0; i < catalog.length; i++) {
            float[] e = items.apply(catalog[i]);
            if (e == null) continue;
            double n2 = 0;
            for (float x : e) n2 += (double) x * x;
            double inv = n2 == 0 ? 0 : 1 / Math.sqrt(n2);
            for (int j = 0; j < d; j++) unit[i * d + j] = (float) (e[j] * inv);
            has[i] = true;
        }
        return (user, scores) -> {
            float[] u = users.vector(user);
            if (u == null) return false;
            for (int i = 0; i < catalog.length; i++) {
                if (!has[i]) {
                    scores[i] = Double.NaN;
                    continue;
                }
                double s = 0;
                int off = i * d;
                for (int j = 0; j < d; j++) s += u[j] * unit[off + j];
                scores[i] = s;
            }
            return true;
        };
    }

    /** {@code u·v_i} with the user's collaborative vector; movies without a factor vector are NaN. */
    public static RecommendationTask.Scorer collaborative(int[] catalog, FactorModel model,
            IntFunction<float[]> users) {
        int[] ids = model.movieIds();
        int[] column = new int[catalog.length];
        for (int c = 0; c < catalog.length; c++) column[c] = java.util.Arrays.binarySearch(ids, catalog[c]);
        return (user, scores) -> {
            float[] u = users.apply(user);
            if (u == null) return false;
            double[] all = new double[ids.length];
            model.scoreAll(u, all);
            for (int c = 0; c < catalog.length; c++) scores[c] = column[c] < 0 ? Double.NaN : all[column[c]];
            return true;
        };
    }

    /** The first scorer that can score the user; none: false (popularity then). */
    public static RecommendationTask.Scorer firstOf(RecommendationTask.Scorer... scorers) {
        return (user, scores) -> {
            for (RecommendationTask.Scorer s : scorers) {
                if (s.score(user, scores)) return true;
            }
            return false;
        };
    }
}
