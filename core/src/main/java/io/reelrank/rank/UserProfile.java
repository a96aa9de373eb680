package io.reelrank.rank;

import io.reelrank.model.FactorModel;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * What the ranking features know about one user, computed once from their ratings and kept while
 * they are cached: how many they rated and their shrunk mean b_u, how much they rate and like each
 * genre, the mean year of what they rated, the month their ratings end, the centroids of the content
 * vectors of what they liked and disliked, their "signed" vector in the collaborative factor space,
 * and what they rated (their own stars). The caller passes the user's ratings (any order, each movie
 * once, times in epoch seconds), the {@link MovieStats} of the same data, the content vectors (unit,
 * the item tower's) and the collaborative model (null: none). Immutable.
 */
public final class UserProfile {

    /** A rating at or above this is "liked" for the liked centroid (the evaluation's liked threshold). */
    public static final double LIKED = 4.0;
    /** A rating at or below this is "disliked" for the disliked centroid. */
    public static final double DISLIKED = 2.5;
    /** The neighbours of the item-kNN prediction: the user's k most similar rated movies. */
    public static final int NEIGHBOURS = 20;
    /**
     * The item-kNN prediction's pool: the user's latest rated movies with a factor vector, at most this
     * many. The neighbours are found among them, so the feature's cost per candidate stays bounded for
     * users with thousands of ratings (and follows their recent taste).
     */
    public static final int KNN_POOL = 512;
    /** The latest ratings whose factor vectors make the "what they watched last" centroid. */
    public static final int LATEST = 10;
    /** The item-kNN prediction's shrinkage of the similarity sum. */
    static final double KNN_SHRINK = 1.0;

    public static final UserProfile EMPTY = new UserProfile(0, Double.NaN, new int[64], new double[64], Double.NaN, 0,
            null, null, null, null, new int[0], new float[0], null, new float[0], 0);

    private final int n;
    private final double bu;
    private final int[] genreCount;
    private final double[] genreCentred;
    private final double meanYear;
    private final int referenceMonth;
    private final float[] liked;
    private final float[] disliked;
    private final float[] signed;
    private final float[] latest;
    private final int[] ratedIds; // ascending
    private final float[] ratedStars;
    private final float[] neighbourRows; // unit factor vectors of rated movies with one, row-major
    private final float[] neighbourCentred; // r − b_u of those rows
    private final int neighbourCount;

    private UserProfile(int n, double bu, int[] genreCount, double[] genreCentred, double meanYear, int referenceMonth,
                        float[] liked, float[] disliked, float[] signed, float[] latest, int[] ratedIds,
                        float[] ratedStars,
                        float[] neighbourRows, float[] neighbourCentred, int neighbourCount) {
        this.n = n;
        this.bu = bu;
        this.genreCount = genreCount;
        this.genreCentred = genreCentred;
        this.meanYear = meanYear;
        this.referenceMonth = referenceMonth;
        this.liked = liked;
        this.disliked = disliked;
        this.signed = signed;
        this.latest = latest;
        this.ratedIds = ratedIds;
        this.ratedStars = ratedStars;
        this.neighbourRows = neighbourRows;
        this.neighbourCentred = neighbourCentred;
        this.neighbourCount = neighbourCount;
    }

    /**
     * @param movies       the rated movies, each once
     * @param stars        parallel ratings
     * @param epochSeconds parallel rating times
     * @param content      a movie's unit content vector, or null
     * @param model        the collaborative model, or null
     */
    public static UserProfile of(int[] movies, float[] stars, long[] epochSeconds, MovieStats stats,
                                 IntFunction<float[]> content, FactorModel model) {
        int n = movies.length;
        if (stars.length != n || epochSeconds.length != n) {
            throw new IllegalArgumentException("stars and times must be parallel to the " + n + " movies, got "
                    + stars.length + " and " + epochSeconds.length);
        }
        if (n == 0) return EMPTY;
        double mu = stats.globalMean();
        double sum = 0;
        long last = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            sum += stars[i];
            last = Math.max(last, epochSeconds[i]);
        }
        double bu = (sum + MovieStats.K_USER * mu) / (n + MovieStats.K_USER); // b_u = (Σ r + K_U·μ)/(n_u + K_U)
        int[] gc = new int[64];
        double[] gs = new double[64];
        double yearSum = 0;
        int years = 0;
        double[] lk = null;
        double[] dl = null;
        double[] sg = null;
        int k = model == null ? 0 : model.rank();
        for (int i = 0; i < n; i++) {
            int m = movies[i];
            double c = stars[i] - bu;
            long g = stats.genres(m);
            while (g != 0) {
                int b = Long.numberOfTrailingZeros(g);
                gc[b]++;
                gs[b] += c;
                g &= g - 1;
            }
            double y = stats.year(m);
            if (!Double.isNaN(y)) {
                yearSum += y;
                years++;
            }
            float[] e = content.apply(m);
            if (e != null) {
                if (stars[i] >= LIKED) lk = add(lk, e, 1);
                if (stars[i] <= DISLIKED) dl = add(dl, e, 1);
            }
            if (model != null) {
                float[] v = model.vector(m);
                if (v != null) sg = add(sg, v, c); // Σ_j (r_uj − b_u)·y_j
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Integer.compare(movies[a], movies[b]));
        int[] ids = new int[n];
        float[] st = new float[n];
        for (int i = 0; i < n; i++) {
            ids[i] = movies[order[i]];
            st[i] = stars[order[i]];
            if (i > 0 && ids[i] == ids[i - 1]) throw new IllegalArgumentException("movie " + ids[i] + " rated twice");
        }
        int ref = Math.min(MovieStats.month(last), stats.lastMonth());
        // The latest rated movies (ties by movie_id, the larger later, as the evaluation's split orders them).
        double[] lt = null;
        float[] rows = null;
        float[] centred = new float[Math.min(n, KNN_POOL)];
        int rowsN = 0;
        if (model != null) {
            Integer[] byTime = new Integer[n];
            for (int i = 0; i < n; i++) byTime[i] = i;
            Arrays.sort(byTime, (a, b) -> epochSeconds[a] != epochSeconds[b]
                    ? Long.compare(epochSeconds[b], epochSeconds[a])
                    : Integer.compare(movies[b], movies[a]));
            for (int i = 0; i < Math.min(LATEST, n); i++) {
                float[] v = model.vector(movies[byTime[i]]);
                if (v == null) continue;
                double norm = 0;
                for (float x : v) norm += x * x;
                if (norm > 0) lt = add(lt, v, 1 / Math.sqrt(norm)); // Σ_j y_j/|y_j|
            }
            // The kNN pool: the latest KNN_POOL rated movies with a factor vector, unit rows.
            rows = new float[Math.min(n, KNN_POOL) * k];
            for (int i = 0; i < n && rowsN < KNN_POOL; i++) {
                float[] v = model.vector(movies[byTime[i]]);
                if (v == null) continue;
                double norm = 0;
                for (float x : v) norm += x * x;
                double inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
                for (int d = 0; d < k; d++) rows[rowsN * k + d] = (float) (v[d] * inv);
                centred[rowsN++] = (float) (stars[byTime[i]] - bu);
            }
        }
        return new UserProfile(n, bu, gc, gs, years == 0 ? Double.NaN : yearSum / years, ref, unit(lk), unit(dl),
                unit(sg), unit(lt), ids, st, rows == null ? null : Arrays.copyOf(rows, rowsN * k),
                Arrays.copyOf(centred, rowsN),
                rowsN);
    }

    /** The profile of a stored user from all their ratings in {@code ratings} (visible to {@code c}). */
    public static UserProfile read(java.sql.Connection c, int userId, MovieStats stats, IntFunction<float[]> content,
                                   FactorModel model) throws java.sql.SQLException {
        int[] movies = new int[64];
        float[] stars = new float[64];
        long[] times = new long[64];
        int n = 0;
        try (java.sql.PreparedStatement ps = c.prepareStatement(
                "SELECT movie_id, rating, extract(epoch FROM rated_at)::bigint "
                + "FROM ratings WHERE user_id = ?")) {
            ps.setInt(1, userId);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (n == movies.length) {
                        movies = Arrays.copyOf(movies, n * 2);
                        stars = Arrays.copyOf(stars, n * 2);
                        times = Arrays.copyOf(times, n * 2);
                    }
                    movies[n] = rs.getInt(1);
                    stars[n] = rs.getFloat(2);
                    times[n++] = rs.getLong(3);
                }
            }
        }
        return of(Arrays.copyOf(movies, n), Arrays.copyOf(stars, n), Arrays.copyOf(times, n), stats, content, model);
    }

    private static double[] add(double[] acc, float[] v, double w) {
        if (acc == null) acc = new double[v.length];
        for (int d = 0; d < v.length; d++) acc[d] += w * v[d];
        return acc;
    }

    private static float[] unit(double[] v) {
        if (v == null) return null;
        double norm = 0;
        for (double x : v) norm += x * x;
        if (!(norm > 1e-24)) return null;
        double inv = 1 / Math.sqrt(norm);
        float[] out = new float[v.length];
        for (int d = 0; d < v.length; d++) out[d] = (float) (v[d] * inv);
        return out;
    }

    /** Ratings of this user. */
    public int size() {
        return n;
    }

    /** b_u, NaN for a user without ratings. */
    public double mean() {
        return bu;
    }

    public double meanYear() {
        return meanYear;
    }

    public int referenceMonth() {
        return referenceMonth;
    }

    /** The user's stars for the movie, NaN when not rated. */
    public double stars(int movieId) {
        int i = Arrays.binarySearch(ratedIds, movieId);
        return i < 0 ? Double.NaN : ratedStars[i];
    }

    /** Share of the user's ratings in genre bit g. */
    double genreShare(int g) {
        return n == 0 ? Double.NaN : (double) genreCount[g] / n;
    }

    int genreCount(int g) {
        return genreCount[g];
    }

    double genreCentredSum(int g) {
        return genreCentred[g];
    }

    float[] likedCentroid() {
        return liked;
    }

    float[] dislikedCentroid() {
        return disliked;
    }

    float[] signedFactors() {
        return signed;
    }

    float[] latestFactors() {
        return latest;
    }

    /**
     * Item-kNN prediction of {@code r_ui − b_u} for each movie i of {@code ys} (its factor vector, or
     * null) from the {@link #NEIGHBOURS} movies most similar to it among the user's {@link #KNN_POOL}
     * latest rated (cosine of factor vectors, positive ones only; equal similarities: the later rated
     * first): {@code Σ_j s_ij·(r_uj − b_u) / (Σ_j s_ij + 1)} (Sarwar et al., WWW 2001, with the sum of
     * similarities shrunk). NaN when the movie or the user has no factor vector.
     *
     * <p>All movies at once: the similarities of one rated movie with every candidate are a sum of
     * scaled candidate columns (an AXPY the JIT vectorizes), and each candidate keeps its top
     * similarities in one pass, so the cost is one small matrix product, not a dot product per pair.
     */
    void knn(float[][] ys, double[] out) {
        int c = ys.length;
        Arrays.fill(out, 0, c, Double.NaN);
        if (neighbourRows == null || neighbourCount == 0 || c == 0) return;
        int k = neighbourRows.length / neighbourCount;
        float[][] cols = new float[k][c]; // unit candidate vectors, dimension-major: cols[d][i]
        boolean any = false;
        for (int i = 0; i < c; i++) {
            float[] y = ys[i];
            if (y == null) continue;
            double norm = 0;
            for (float x : y) norm += x * x;
            if (!(norm > 0)) continue;
            double inv = 1 / Math.sqrt(norm);
            for (int d = 0; d < k; d++) cols[d][i] = (float) (y[d] * inv);
            any = true;
        }
        if (!any) return;
        int top = NEIGHBOURS;
        float[] topS = new float[c * top]; // per candidate, descending
        int[] topJ = new int[c * top];
        int[] count = new int[c];
        float[] floor = new float[c]; // a similarity must exceed this to enter: 0, then the smallest kept
        float[] sims = new float[c];
        for (int j = 0; j < neighbourCount; j++) {
            Arrays.fill(sims, 0f);
            int row = j * k;
            for (int d = 0; d < k; d++) axpy(sims, neighbourRows[row + d], cols[d]);
            for (int i = 0; i < c; i++) {
                float s = sims[i];
                if (!(s > floor[i])) continue;
                int base = i * top;
                int n = Math.min(count[i], top - 1); // the last kept drops out when full
                int at = n;
                while (at > 0 && topS[base + at - 1] < s) { // ties keep the earlier (later rated) first
                    topS[base + at] = topS[base + at - 1];
                    topJ[base + at] = topJ[base + at - 1];
                    at--;
                }
                topS[base + at] = s;
                topJ[base + at] = j;
                count[i] = n + 1;
                if (count[i] == top) floor[i] = topS[base + top - 1];
            }
        }
        for (int i = 0; i < c; i++) {
            if (ys[i] == null || count[i] == 0 && !hasNorm(ys[i])) continue;
            double num = 0;
            double den = 0;
            for (int t = 0; t < count[i]; t++) {
                double s = topS[i * top + t];
                num += s * neighbourCentred[topJ[i * top + t]];
                den += s;
            }
            out[i] = num / (den + KNN_SHRINK);
        }
    }

    /**
     * {@code y += a·x}. A method of its own, over two whole arrays, is the loop shape the JIT turns into
     * vector instructions (inlined in the caller's nest it stayed scalar: 4× slower, measured).
     */
    private static void axpy(float[] y, float a, float[] x) {
        for (int i = 0; i < y.length; i++) y[i] += a * x[i];
    }

    private static boolean hasNorm(float[] y) {
        for (float x : y) if (x != 0) return true;
        return false;
    }
}
