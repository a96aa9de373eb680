package io.reelrank.eval;

import io.reelrank.model.FactorEngine;
import io.reelrank.model.ItemContent;
import io.reelrank.model.ModelTrainer;
import io.reelrank.model.RatingMatrix;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Chooses the collaborative model's hyperparameters on a validation split carved from the training
 * ratings, never on a test split: each user's latest {@link #VALIDATION_FRACTION} of their training
 * ratings are held out (the evaluation's temporal protocol again), a model is trained on the rest
 * for every setting of the grid, and each is judged by the recommendation task's Recall@20 of the
 * two-tower recommender ({@link Scorers}) on the held-out part. The choice is {@link Choices#model}'s
 * (the best recall; ties: the earlier setting in grid order); the caller then trains on all the
 * training ratings with it.
 * {@code reelrank train} calls this on the whole ratings table, {@code reelrank eval} on its
 * training split.
 */
public final class ModelSelection {

    /** Share of each user's training ratings held out for validation (latest first). */
    public static final double VALIDATION_FRACTION = 0.2;

    /** One setting's validation figures: two-tower Recall@20, NDCG@20 and rare-movie recall (means over users). */
    public record Trial(ModelTrainer.Settings settings, double recall, double ndcg, double rareRecall, int users,
                        double seconds) {}

    /**
     * Every setting's figures in grid order, the chosen one and its model (trained on the validation's
     * training part).
     */
    public record Choice(List<Trial> trials, Trial best, ModelTrainer.Trained bestModel) {}

    private ModelSelection() {}

    /** The validation split: each user's latest {@link #VALIDATION_FRACTION} of {@code train} held out. */
    public static Splits.Split validation(Ratings train) {
        return Splits.temporal(train, VALIDATION_FRACTION);
    }

    /** The rating matrix of a rating set, for training. */
    public static RatingMatrix matrix(Ratings r) {
        int n = r.size();
        int[] u = new int[n];
        int[] m = new int[n];
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            u[i] = r.userId(i);
            m[i] = r.movieId(i);
            v[i] = r.rating(i);
        }
        return RatingMatrix.of(u, m, v, n);
    }

    /**
     * Trains every setting of {@code grid} on {@code validation.train()} and measures it on
     * {@code validation.test()}; reports one progress line per setting.
     *
     * @param catalog       every movie that can be recommended
     * @param contentItems  the content tower's item vectors (the fallback for users without a collaborative vector)
     * @param contentK      the content user tower's shrinkage
     * @param engine        where each setting's ALS factors are computed
     * @param threads       worker threads for the rest of each training and for the scoring
     */
    public static Choice choose(Splits.Split validation, ItemContent content, int[] catalog,
                                IntFunction<float[]> contentItems, double contentK, List<ModelTrainer.Settings> grid,
                                FactorEngine engine, int threads, Consumer<String> progress) {
        if (grid.isEmpty()) throw new IllegalArgumentException("the grid must hold at least one setting");
        RatingMatrix m = matrix(validation.train());
        int[] ids = RecommendationTask.catalogOrder(catalog);
        TrainingUsers contentUsers = TrainingUsers.compute(validation.train(), contentItems, contentK);
        RecommendationTask.Scorer contentScorer = Scorers.content(ids, contentItems, contentUsers);
        List<Trial> trials = new ArrayList<>();
        Trial best = null;
        ModelTrainer.Trained bestModel = null;
        for (int i = 0; i < grid.size(); i++) {
            ModelTrainer.Settings s = grid.get(i);
            long t = System.nanoTime();
            ModelTrainer.Trained model = ModelTrainer.train(m, content, s, engine, threads, ModelTrainer.Listener.NONE);
            Map<String, RecommendationTask.Scorer> systems = new LinkedHashMap<>();
            systems.put("two-tower", Scorers.firstOf(Scorers.collaborative(ids, model.model(), model::user),
                    contentScorer));
            RecommendationTask.Result r = RecommendationTask.run(validation, ids, systems,
                    RecommendationTask.DEFAULT_K);
            int sys = r.system("two-tower");
            Trial trial = new Trial(s, mean(r.recall()[sys]), mean(r.ndcg()[sys]), mean(r.rareRecall()[sys]),
                    r.userIds().length, (System.nanoTime() - t) / 1e9);
            trials.add(trial);
            if (Choices.model(trials) == trials.size() - 1) { // only the best model so far is kept in memory
                best = trial;
                bestModel = model;
            }
            progress.accept(String.format(Locale.ROOT, "[%d/%d] %s: recall@20 %.4f, ndcg@20 %.4f, rare-movie recall@20 "
                    + "%.4f (%.1f s)", i + 1, grid.size(), s, trial.recall(), trial.ndcg(), trial.rareRecall(),
                    trial.seconds()));
        }
        return new Choice(List.copyOf(trials), best, bestModel);
    }

    /** The mean of the finite values (NaN marks a user a metric does not apply to); NaN when there are none. */
    public static double mean(double[] v) {
        double s = 0;
        int n = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                s += x;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }
}
