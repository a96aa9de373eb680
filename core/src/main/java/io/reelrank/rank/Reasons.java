package io.reelrank.rank;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A learned score told in words: the per-feature contributions of one result (SHAP values,
 * {@link Ranker#contributions}) summed into a few reasons a reader recognises (the query match,
 * popularity, the movie's ratings, the content towers, the collaborative towers, the user's genres,
 * the user's similar ratings, the movie's age), each with the feature values behind it, sorted by
 * the size of their contribution. Pure; the caller passes the feature row ({@link FeatureSet}
 * layout), the contributions in the ranker's feature order and the movie's genre names.
 */
public final class Reasons {

    /** One reason: its kind, its words with the values, and its contribution to the score. */
    public record Reason(String kind, String text, double contribution) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: %+.2f", text, contribution);
        }
    }

    /** The reason each feature counts toward. */
    enum Kind {
        QUERY("query"), POPULARITY("popularity"), RATINGS("ratings"), CONTENT("content"),
                COLLABORATIVE("collaborative"),
        GENRES("genres"), SIMILAR("similar"), TIME("time"), USER("user");

        final String key;

        Kind(String key) {
            this.key = key;
        }
    }

    private Reasons() {}

    static Kind kind(Feature f) {
        return switch (f) {
            case BM25, BM25_NORM, BM25_RANK, QUERY_GENRE, CANDIDATES -> Kind.QUERY;
            case LOG_POP, POP_MM, RECENT_POP -> Kind.POPULARITY;
            case SHRUNK_MEAN, ITEM_BIAS -> Kind.RATINGS;
            case COS, COS_MM, COS_LIKED, COS_DISLIKED -> Kind.CONTENT;
            case UV, UV_MM, SIGNED_CF, HAS_CF -> Kind.COLLABORATIVE;
            case GENRE_SHARE, GENRE_CENTRED, GENRE_LIFT -> Kind.GENRES;
            case KNN, LATEST_SIM, STARS -> Kind.SIMILAR;
            case MOVIE_AGE, YEAR, YEAR_DIST -> Kind.TIME;
            case USER_N, USER_MEAN -> Kind.USER;
        };
    }

    /**
     * The {@code top} reasons by absolute contribution (ties: the reasons' fixed order).
     *
     * @param x        the candidates' features, row-major ({@link FeatureSet} layout)
     * @param row      the candidate
     * @param features the ranker's features, in its order
     * @param contrib  the candidate's contributions in that order (the bias last, left out)
     * @param genres   the movie's genres, for the words
     */
    public static List<Reason> of(float[] x, int row, List<Feature> features, float[] contrib, List<String> genres,
            int top) {
        Map<Kind, Double> sum = new EnumMap<>(Kind.class);
        for (int i = 0; i < features.size(); i++) sum.merge(kind(features.get(i)), (double) contrib[i], Double::sum);
        int o = row * FeatureSet.WIDTH;
        List<Reason> out = new ArrayList<>();
        for (Map.Entry<Kind, Double> e : sum.entrySet()) {
            out.add(new Reason(e.getKey().key, words(e.getKey(), x, o, genres), e.getValue()));
        }
        out.sort(Comparator.comparingDouble((Reason r) -> -Math.abs(r.contribution())));
        return List.copyOf(out.subList(0, Math.min(top, out.size())));
    }

    private static String words(Kind k, float[] x, int o, List<String> genres) {
        return switch (k) {
            case QUERY
                    -> String.format(Locale.ROOT, "matches the query (BM25 %s, rank %s of %s)",
                    v(x, o, Feature.BM25, 2),
                    v(x, o, Feature.BM25_RANK, 0), v(x, o, Feature.CANDIDATES, 0));
            case POPULARITY -> String.format(Locale.ROOT, "popular: %s ratings, %s in the last 12 months",
                    count(x, o, Feature.LOG_POP), count(x, o, Feature.RECENT_POP));
            case RATINGS -> String.format(Locale.ROOT, "rated %s on average, %s against its raters' habit",
                    v(x, o, Feature.SHRUNK_MEAN, 2), signed(x, o, Feature.ITEM_BIAS));
            case CONTENT
                    -> String.format(Locale.ROOT, "its content is like what you rated (cos %s; to what you liked %s, "
                    + "to what you disliked %s)", v(x, o, Feature.COS, 2), v(x, o, Feature.COS_LIKED, 2),
                    v(x, o, Feature.COS_DISLIKED, 2));
            case COLLABORATIVE -> String.format(Locale.ROOT, "people who rate like you watch it (u·v %s)",
                    v(x, o, Feature.UV, 2));
            case GENRES -> String.format(Locale.ROOT, "you rate %s %s stars against your mean (%s of your ratings)",
                    genres.isEmpty() ? "its genres" : String.join("|", genres), signed(x, o, Feature.GENRE_CENTRED),
                    percent(x, o, Feature.GENRE_SHARE));
            case SIMILAR -> Float.isNaN(x[o + Feature.STARS.ordinal()])
                    ? String.format(Locale.ROOT, "you rated similar films %s stars against your mean",
                    signed(x, o, Feature.KNN))
                    : String.format(Locale.ROOT, "you rated it %s", v(x, o, Feature.STARS, 1));
            case TIME -> String.format(Locale.ROOT, "from %s, %s years from the films you rate",
                    v(x, o, Feature.YEAR, 0),
                    v(x, o, Feature.YEAR_DIST, 0));
            case USER -> String.format(Locale.ROOT, "your habits: %s ratings, mean %s", count(x, o, Feature.USER_N),
                    v(x, o, Feature.USER_MEAN, 2));
        };
    }

    private static String v(float[] x, int o, Feature f, int decimals) {
        float a = x[o + f.ordinal()];
        return Float.isNaN(a) ? "none" : String.format(Locale.ROOT, "%." + decimals + "f", a);
    }

    private static String signed(float[] x, int o, Feature f) {
        float a = x[o + f.ordinal()];
        return Float.isNaN(a) ? "none" : String.format(Locale.ROOT, "%+.2f", a);
    }

    private static String count(float[] x, int o, Feature f) {
        float a = x[o + f.ordinal()];
        return Float.isNaN(a) ? "none" : String.format(Locale.ROOT, "%,d", Math.round(Math.expm1(a)));
    }

    private static String percent(float[] x, int o, Feature f) {
        float a = x[o + f.ordinal()];
        return Float.isNaN(a) ? "none" : String.format(Locale.ROOT, "%.0f%%", 100 * a);
    }
}
