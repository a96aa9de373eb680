package io.reelrank.rank;

import io.reelrank.index.Candidate;
import io.reelrank.model.FactorModel;
import io.reelrank.model.ItemVectors;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Computes every {@link Feature} of a query's candidates for one user: one row per candidate, one
 * column per feature in {@link Feature} order, NaN where a value is missing. The same code serves
 * searches, builds training judgments and runs the evaluation, so the three agree by construction.
 * Pure: the caller passes the candidates (BM25 order), whether the query names genres only
 * ({@link #genreQuery}), the user's {@link UserProfile} and vectors (each null when the user has
 * none), the {@link MovieStats}, the content vectors and the collaborative model (null: none).
 */
public final class FeatureSet {

    public static final List<Feature> ALL = List.of(Feature.values());
    public static final int WIDTH = ALL.size();
    /** The pseudo-ratings of genre_lift's prior: a user's genre share counts as 5 ratings at everyone's. */
    static final double GENRE_PRIOR = 5;

    private static final Pattern GENRE_ONLY = Pattern.compile(
            "(?i)\\s*(?:[()]|\\s|\\bAND\\b|\\bOR\\b|\\bNOT\\b|[+-]?genres:(?:\"[^\"]*\"|[^\\s()]+))+");

    private FeatureSet() {}

    /**
     * What one ranking knows: the candidates (for a search BM25's, for recommendations the
     * collaborative retrieval's, {@link Candidate#bm25Rank} their rank there), whether they answer a
     * query ({@code search}; recommendations have no BM25 features) and whether it names genres
     * only, the user's side (any may be null or {@link UserProfile#EMPTY}) and the catalog's.
     */
    public record Inputs(List<Candidate> candidates, boolean search, boolean genreQuery, UserProfile user,
                         float[] contentUser, float[] cfUser, MovieStats stats, ItemVectors items, FactorModel model) {
        /** A search's inputs. */
        public Inputs(List<Candidate> candidates, boolean genreQuery, UserProfile user, float[] contentUser,
                float[] cfUser,
                      MovieStats stats, ItemVectors items, FactorModel model) {
            this(candidates, true, genreQuery, user, contentUser, cfUser, stats, items, model);
        }
    }

    /** Whether a query names genres only, e.g. {@code genres:Fantasy} or {@code genres:Drama AND genres:War}. */
    public static boolean genreQuery(String query) {
        return query != null && query.contains("genres:") && GENRE_ONLY.matcher(query).matches();
    }

    /** The features, row-major: {@code out[i·WIDTH + f.ordinal()]} for candidate i. */
    public static float[] compute(Inputs in) {
        List<Candidate> cs = in.candidates();
        int n = cs.size();
        float[] x = new float[n * WIDTH];
        Arrays.fill(x, Float.NaN);
        if (n == 0) return x;
        MovieStats stats = in.stats();
        UserProfile user = in.user() == null ? UserProfile.EMPTY : in.user();
        FactorModel model = in.model();
        float[] cf = model == null ? null : in.cfUser();
        float[] u = in.contentUser();
        double maxBm25 = 0;
        for (Candidate c : cs) maxBm25 = Math.max(maxBm25, c.bm25());
        double[] logPop = new double[n];
        double[] cos = new double[n];
        double[] uv = new double[n];
        int refMonth = user.size() > 0 ? user.referenceMonth() : stats.lastMonth();
        double refYear = refMonth / 12;
        double[] knn = new double[n];
        if (user.size() > 0 && model != null) {
            float[][] ys = new float[n][];
            for (int i = 0; i < n; i++) ys[i] = model.vector(cs.get(i).movieId());
            user.knn(ys, knn);
        }
        float[] liked = user.likedCentroid();
        float[] disliked = user.dislikedCentroid();
        float[] signed = user.signedFactors();
        float[] latest = user.latestFactors();
        for (int i = 0; i < n; i++) {
            Candidate c = cs.get(i);
            int m = c.movieId();
            int o = i * WIDTH;
            // A search candidate BM25 did not find (only the semantic retrieval did) has rank 0: its BM25
            // features are missing, not zero.
            boolean lexical = c.bm25Rank() > 0;
            if (in.search()) {
                if (lexical) {
                    set(x, o, Feature.BM25, c.bm25());
                    set(x, o, Feature.BM25_NORM, maxBm25 > 0 ? c.bm25() / maxBm25 : 0);
                }
                set(x, o, Feature.QUERY_GENRE, in.genreQuery() ? 1 : 0);
            }
            if (lexical) set(x, o, Feature.BM25_RANK, c.bm25Rank());
            set(x, o, Feature.CANDIDATES, n);
            logPop[i] = Math.log1p(stats.count(m));
            set(x, o, Feature.LOG_POP, logPop[i]);
            set(x, o, Feature.SHRUNK_MEAN, stats.shrunkMean(m));
            set(x, o, Feature.ITEM_BIAS, stats.bias(m));
            set(x, o, Feature.RECENT_POP, Math.log1p(stats.recentCount(m, refMonth)));
            double year = stats.year(m);
            set(x, o, Feature.MOVIE_AGE, refYear - year);
            set(x, o, Feature.YEAR, year);
            float[] e = in.items() == null ? null : in.items().vector(m);
            cos[i] = u == null || e == null ? Double.NaN : dot(u, e);
            set(x, o, Feature.COS, cos[i]);
            float[] y = model == null ? null : model.vector(m);
            uv[i] = cf == null || y == null ? Double.NaN : dot(cf, y);
            set(x, o, Feature.UV, uv[i]);
            set(x, o, Feature.HAS_CF, cf == null ? 0 : 1);
            if (user.size() > 0) {
                set(x, o, Feature.USER_N, Math.log1p(user.size()));
                set(x, o, Feature.USER_MEAN, user.mean());
                long g = stats.genres(m);
                if (g != 0) {
                    double share = 0;
                    double centred = 0;
                    int rated = 0;
                    int genres = 0;
                    double lift = Double.NaN;
                    for (long b = g; b != 0; b &= b - 1) {
                        int bit = Long.numberOfTrailingZeros(b);
                        share += user.genreShare(bit);
                        centred += user.genreCentredSum(bit);
                        rated += user.genreCount(bit);
                        genres++;
                        double p = stats.genreShare(bit);
                        if (p > 0) {
                            // log(((n_ug + 5·p_g)/(n_u + 5)) / p_g)
                            double l = Math.log(
                                    (user.genreCount(bit) + GENRE_PRIOR * p) / (user.size() + GENRE_PRIOR) / p);
                            lift = Double.isNaN(lift) ? l : Math.max(lift, l);
                        }
                    }
                    set(x, o, Feature.GENRE_SHARE, share / genres);
                    set(x, o, Feature.GENRE_CENTRED, centred / (rated + 1));
                    set(x, o, Feature.GENRE_LIFT, lift);
                }
                set(x, o, Feature.YEAR_DIST, Math.abs(year - user.meanYear()));
                if (e != null && liked != null) set(x, o, Feature.COS_LIKED, dot(liked, e));
                if (e != null && disliked != null) set(x, o, Feature.COS_DISLIKED, dot(disliked, e));
                if (y != null && signed != null) set(x, o, Feature.SIGNED_CF, dot(signed, y) / norm(y));
                if (y != null && latest != null) set(x, o, Feature.LATEST_SIM, dot(latest, y) / norm(y));
                if (y != null) set(x, o, Feature.KNN, knn[i]);
                set(x, o, Feature.STARS, user.stars(m));
            }
        }
        minMax(x, n, Feature.POP_MM, logPop);
        minMax(x, n, Feature.COS_MM, cos);
        minMax(x, n, Feature.UV_MM, uv);
        return x;
    }

    private static void minMax(float[] x, int n, Feature f, double[] v) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double a : v) {
            if (Double.isNaN(a)) continue;
            min = Math.min(min, a);
            max = Math.max(max, a);
        }
        double range = max - min;
        for (int i = 0; i < n; i++) {
            if (!Double.isNaN(v[i])) set(x, i * WIDTH, f, range > 0 ? (v[i] - min) / range : 0);
        }
    }

    private static void set(float[] x, int offset, Feature f, double v) {
        x[offset + f.ordinal()] = (float) v;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int d = 0; d < a.length; d++) s += a[d] * b[d];
        return s;
    }

    private static double norm(float[] a) {
        return Math.sqrt(dot(a, a));
    }
}
