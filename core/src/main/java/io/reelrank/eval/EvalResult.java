package io.reelrank.eval;

import io.reelrank.model.ModelTrainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What one {@code reelrank eval} run found, as data: the protocol it ran, the data it ran on, every
 * choice made on the validation split with the figures behind it, and the test split's figures of
 * the search and the recommendation task, each a mean with its 95% bootstrap interval, named as
 * {@link MetricKey} names them. {@link EvalReport} prints it and writes it as JSON. Apart from where
 * a sweep's files were written, nothing in it depends on the machine or the time taken, so two runs
 * with the same data and options give equal results.
 */
public record EvalResult(Protocol protocol, Data data, ModelChoice models, EaseChoice ease, BaselineChoice baseline,
                         FusionChoice fusion, Learned learned, Search search, Recommendation recommendation,
                         SearchQuality searchQuality) {

    /** A result without the search-quality tasks. */
    public EvalResult(Protocol protocol, Data data, ModelChoice models, EaseChoice ease, BaselineChoice baseline,
                      FusionChoice fusion, Learned learned, Search search, Recommendation recommendation) {
        this(protocol, data, models, ease, baseline, fusion, learned, search, recommendation, null);
    }

    /**
     * The options that shape the figures: the split (temporal or random) and its held-out share,
     * the seed of the random split and the bootstrap, the bootstrap's resamples, the search task's
     * cut-off and BM25 candidates, the content tower's shrinkage and centering, where the ALS
     * factors were computed ({@code in-process}, or {@code on Spark, <master>}), and EASE's minimum
     * training ratings per movie.
     */
    public record Protocol(boolean temporal, double testFraction, long seed, int resamples, int k, int candidates,
                           double shrinkage, boolean center, String engine, int easeMinRatings) {}

    /**
     * Counts: the ratings evaluated on (every rating but the test users') and their users, the test
     * users left out and their ratings, the test split's training and held-out parts, the
     * validation split's (carved from that training part), and the movies with a content vector.
     */
    public record Data(int ratings, int users, int testUsers, int testUserRatings, int training, int heldOut,
                       int validationTraining, int validationHeldOut, int items) {}

    /** The model grid on validation, in grid order, and the index of the chosen setting ({@link Choices#model}). */
    public record ModelChoice(List<ModelSelection.Trial> trials, int chosen) {
        public ModelTrainer.Settings chosenSettings() {
            return trials.get(chosen).settings();
        }
    }

    /** One λ of EASE on validation: its Recall@20 and the number of movies it modelled. */
    public record EaseTrial(double lambda, double recall, int movies) {}

    /** EASE's λ: the trials on validation (none when one λ was given) and the chosen λ ({@link Choices#easeLambda}). */
    public record EaseChoice(List<EaseTrial> trials, double chosen) {}

    /** One ranker of the baseline's validation table: its name and its liked and disliked NDCG@k. */
    public record BaselineRow(String ranker, double liked, double disliked) {}

    /**
     * The baseline on validation: BM25 alone, then BM25 + popularity at each π tried, and the chosen
     * π with its liked NDCG@k ({@link Choices#baselinePi}).
     */
    public record BaselineChoice(List<BaselineRow> rows, Choices.Pick chosen) {}

    /**
     * The fusion settings on validation (each with the figures of personalized, BM25 and their
     * difference), the chosen one ({@link Choices#fusion}), and where the sweep's CSV and plot were
     * written (null with a single setting).
     */
    public record FusionChoice(List<SweepReport.Point> points, SweepGrid.Setting chosen, Path csv, Path png) {}

    /**
     * The learned rankers on validation ({@link SearchRankerTraining}, {@link RecommendRankerTraining}):
     * the features, the search ranker's setting and its NDCG@k on the validation users it was not
     * fitted on, beside BM25 + popularity and the weighted fusion on the same pairs, whether it is
     * served ({@link LearnedSelection#learnedWins}); the recommendation ranker's setting and its
     * cross-fitted Recall@20 beside the retrieval's alone ({@link LearnedSelection#twoStageWins}); the
     * judgments' count and where the feature-importance plot was written. Null when eval ran without
     * the learned rankers.
     */
    public record Learned(List<String> features, SearchRankerTraining.Setting searchSetting, int judgments,
                          int chooseUsers, int choosePairs, double baselineLiked, double baselineDisliked,
                          double liked, double disliked, double weightedLiked, double weightedDisliked,
                          boolean searchServed, RecommendRankerTraining.Setting recommendSetting, int candidates,
                          double recommendRecall, double retrievalRecall, boolean twoStageServed, Path importance) {}

    /**
     * The search task on test: the pairs scored (liked, disliked) and those left out for want of a
     * query, and the figures of BM25, the baseline at its π and personalized at the chosen setting.
     */
    public record Search(int liked, int disliked, int withoutQuery, Map<String, Bootstrap.Interval> figures) {}

    /**
     * The recommendation task on test: the users scored, those left out for want of a liked
     * held-out movie, the two-tower users served by the content tower and by popularity instead, and
     * the figures of popularity, content, EASE and two-tower.
     */
    public record Recommendation(int users, int usersWithoutLiked, int contentFallbacks, int popularityFallbacks,
                                 Map<String, Bootstrap.Interval> figures) {}

    /**
     * The search-quality tasks on test (docs/search-quality.md): the shipped search's settings and
     * π, the π of {@code bm25+popularity} (the baseline's, chosen on validation), and each task run.
     */
    public record SearchQuality(String shipped, double shippedPopularity, double baselinePopularity,
                                List<SearchQualityTask> tasks) {}

    /**
     * One search-quality task: its name ({@link SearchQualityTasks#ALL}), what its queries are, how
     * many were scored (liked; disliked, 0 where the task has none) and the figures of its rankers
     * with their paired differences ({@link SearchQualityTasks#figures}).
     */
    public record SearchQualityTask(String task, String queries, int liked, int disliked,
                                    Map<String, Bootstrap.Interval> figures) {}
}
