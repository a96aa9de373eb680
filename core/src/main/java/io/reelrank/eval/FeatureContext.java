package io.reelrank.eval;

import io.reelrank.index.Candidate;
import io.reelrank.model.FactorModel;
import io.reelrank.model.ItemVectors;
import io.reelrank.rank.FeatureSet;
import io.reelrank.rank.MovieStats;
import io.reelrank.rank.UserProfile;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The ranking features of an evaluation or a training, from one set of training ratings only: the
 * {@link MovieStats} of those ratings, each user's {@link UserProfile} from their training ratings,
 * their content vector ({@link TrainingUsers}) and collaborative vector (the model trained on the
 * same ratings). {@link #features} is {@link FeatureSet#compute} with these, so the evaluation, the
 * training judgments and serving compute the same features. The caller builds one per training set
 * (validation, test) and passes the rating times' unit ({@link EvalData} loads epoch microseconds).
 * Thread-safe after construction.
 */
public final class FeatureContext {

    /** Rating times as {@link EvalData#loadRatings} reads them: epoch microseconds. */
    public static final long MICROS = 1_000_000L;

    private final MovieStats stats;
    private final ItemVectors items;
    private final TrainingUsers content;
    private final FactorModel model;
    private final IntFunction<float[]> cf;
    private final Map<Integer, UserProfile> profiles;

    private FeatureContext(MovieStats stats, ItemVectors items, TrainingUsers content, FactorModel model,
                           IntFunction<float[]> cf, Map<Integer, UserProfile> profiles) {
        this.stats = stats;
        this.items = items;
        this.content = content;
        this.model = model;
        this.cf = cf;
        this.profiles = profiles;
    }

    /**
     * @param train         the training ratings
     * @param unitsPerSecond how many units of {@link Ratings#ratedAt} make a second ({@link #MICROS} from the database)
     * @param catalog       every movie's year and genres
     * @param model         the collaborative model trained on {@code train} (null: none)
     * @param cf            a user's collaborative vector in {@code model} (null: none)
     */
    public static FeatureContext of(Ratings train, long unitsPerSecond, EvalData.Catalog catalog, ItemVectors items,
                                    TrainingUsers content, FactorModel model, IntFunction<float[]> cf) {
        MovieStats.Builder b = new MovieStats.Builder();
        for (int i = 0; i < catalog.size(); i++) b.movie(catalog.movieIds()[i], catalog.years()[i],
                catalog.genres()[i]);
        for (int i = 0; i < train.size(); i++) {
            b.rating(train.userId(i), train.movieId(i), train.rating(i),
                    Math.floorDiv(train.ratedAt(i), unitsPerSecond));
        }
        MovieStats stats = b.build();
        Ratings byUser = train.isSortedByUser() ? train : train.sortedByUserThenTime();
        Map<Integer, UserProfile> profiles = new HashMap<>();
        byUser.forEachUser((user, from, to) -> {
            long[] t = new long[to - from];
            for (int i = from; i < to; i++) t[i - from] = Math.floorDiv(byUser.ratedAt(i), unitsPerSecond);
            profiles.put(user, UserProfile.of(byUser.movieIds(from, to), byUser.ratings(from, to), t, stats,
                    items::vector, model));
        });
        return new FeatureContext(stats, items, content, model, cf, profiles);
    }

    public MovieStats stats() {
        return stats;
    }

    public UserProfile profile(int user) {
        return profiles.getOrDefault(user, UserProfile.EMPTY);
    }

    /** The features of a recommendation's candidates (no query) for {@code user}, row-major ({@link FeatureSet}). */
    public float[] recommendFeatures(int user, List<Candidate> candidates) {
        float[] u = content == null ? null : content.vector(user);
        float[] f = model == null || cf == null ? null : cf.apply(user);
        return FeatureSet.compute(
                new FeatureSet.Inputs(candidates, false, false, profile(user), u, f, stats, items, model));
    }

    /** The features of the candidates of {@code query} for {@code user}, row-major ({@link FeatureSet}). */
    public float[] features(String query, int user, List<Candidate> candidates) {
        float[] u = content == null ? null : content.vector(user);
        float[] f = model == null || cf == null ? null : cf.apply(user);
        return FeatureSet.compute(new FeatureSet.Inputs(candidates, FeatureSet.genreQuery(query), profile(user), u, f,
                stats, items, model));
    }
}
