package io.reelrank.rank;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the ranking features know about every movie from the ratings, in memory and indexed by
 * movie_id: its number of ratings n_i, the sum of its stars, its item bias b_i (how much its raters
 * liked it against their own habit), its year and genres, and how many ratings it got in each
 * calendar month (for "recent popularity"). Built once from a set of ratings (the training part in
 * {@code eval}, the whole table when serving) with {@link Builder}, then immutable and thread-safe.
 * The caller passes every rating once, times in epoch seconds, and the catalog (years, genres).
 *
 * <p>The item bias is the baseline predictor's b_i (Koren, "Factor in the Neighbors", TKDD 2010,
 * §2.1) with the user bias taken as the user's shrunk mean:
 * {@code b_u = (Σ_j r_uj + K_U·μ)/(n_u + K_U)}, {@code b_i = Σ_u (r_ui − b_u)/(n_i + K_I)}.
 */
public final class MovieStats {

    /** Shrinkage of a user's mean toward μ, in ratings: a user's mean counts as much as 5 ratings at μ. */
    public static final double K_USER = 5;
    /** Shrinkage of an item's bias toward 0 and of its mean toward μ, in ratings. */
    public static final double K_ITEM = 10;

    private final double mu;
    private final int[] count;
    private final double[] sum;
    private final double[] bias;
    private final int[] year; // Integer.MIN_VALUE: unknown
    private final long[] genres; // bit g: the movie has genre g of genreNames
    private final List<String> genreNames;
    private final int[][] months; // ascending month indices with ratings
    private final int[][] cumulative; // ratings up to and including months[i]
    private final int lastMonth;
    private final int ratings;
    private final double[] genreShare; // p_g: share of all ratings given to movies of genre g

    private MovieStats(double mu, int[] count, double[] sum, double[] bias, int[] year, long[] genres,
                       List<String> genreNames, int[][] months, int[][] cumulative, int lastMonth, int ratings) {
        this.mu = mu;
        this.count = count;
        this.sum = sum;
        this.bias = bias;
        this.year = year;
        this.genres = genres;
        this.genreNames = genreNames;
        this.months = months;
        this.cumulative = cumulative;
        this.lastMonth = lastMonth;
        this.ratings = ratings;
        this.genreShare = new double[64];
        long total = 0;
        for (int m = 0; m < count.length; m++) {
            total += count[m];
            for (long g = genres[m]; g != 0; g &= g - 1) genreShare[Long.numberOfTrailingZeros(g)] += count[m];
        }
        for (int g = 0; g < 64; g++) genreShare[g] = total == 0 ? 0 : genreShare[g] / total;
    }

    /** p_g: the share of all ratings given to movies of genre bit g (0 when there are no ratings). */
    public double genreShare(int bit) {
        return genreShare[bit];
    }

    /** The month index {@code 12·year + month − 1} (UTC) of an epoch second. */
    public static int month(long epochSecond) {
        ZonedDateTime t = Instant.ofEpochSecond(epochSecond).atZone(ZoneOffset.UTC);
        return 12 * t.getYear() + t.getMonthValue() - 1;
    }

    /** μ, the mean of all ratings (3.5 when there are none). */
    public double globalMean() {
        return mu;
    }

    /** How many ratings these statistics were built from. */
    public int ratings() {
        return ratings;
    }

    /** The month index of the latest rating (0 when there is none). */
    public int lastMonth() {
        return lastMonth;
    }

    public int count(int movieId) {
        return in(movieId) ? count[movieId] : 0;
    }

    /** {@code (Σ r + K_I·μ)/(n_i + K_I)}: the movie's mean rating shrunk toward μ. */
    public double shrunkMean(int movieId) {
        return in(movieId) ? (sum[movieId] + K_ITEM * mu) / (count[movieId] + K_ITEM) : mu;
    }

    /** b_i, see the class comment; 0 for a movie nobody rated. */
    public double bias(int movieId) {
        return in(movieId) ? bias[movieId] : 0;
    }

    /** The movie's year, NaN when unknown or not in the catalog. */
    public double year(int movieId) {
        return in(movieId) && year[movieId] != Integer.MIN_VALUE ? year[movieId] : Double.NaN;
    }

    /** The movie's genres as bits of {@link #genreNames()}. */
    public long genres(int movieId) {
        return in(movieId) ? genres[movieId] : 0;
    }

    public List<String> genreNames() {
        return genreNames;
    }

    /** Ratings of the movie in the 12 calendar months up to and including {@code month}. */
    public int recentCount(int movieId, int month) {
        if (!in(movieId) || months[movieId] == null) return 0;
        return upTo(movieId, month) - upTo(movieId, month - 12);
    }

    private int upTo(int movieId, int month) {
        int[] m = months[movieId];
        int i = Arrays.binarySearch(m, month);
        if (i < 0) i = -i - 2; // the last month before
        return i < 0 ? 0 : cumulative[movieId][i];
    }

    private boolean in(int movieId) {
        return movieId >= 0 && movieId < count.length;
    }

    /**
     * The statistics of every rating in the database except the synthetic test users' (as training
     * leaves them out), computed by PostgreSQL in three aggregate queries, so memory holds the
     * per-movie figures, never the ratings: users' sums, then per movie n_i, Σ r and Σ (r − b_u),
     * then per movie and month the number of ratings; years and genres from {@code movies}. A
     * serving process loads it when it starts and whenever a model or ranker version is activated.
     */
    public static MovieStats load(java.sql.Connection c) throws java.sql.SQLException {
        String real = "NOT EXISTS (SELECT 1 FROM test_users t WHERE t.user_id = r.user_id)";
        double mu;
        int ratings;
        try (java.sql.Statement st = c.createStatement()) {
            try (java.sql.ResultSet rs = st.executeQuery(
                    "SELECT count(*), coalesce(avg(rating), 3.5) FROM ratings r WHERE "
                    + real)) {
                rs.next();
                ratings = rs.getInt(1);
                mu = rs.getDouble(2);
            }
            Aggregates a = new Aggregates();
            try (java.sql.ResultSet rs = st.executeQuery("WITH u AS (SELECT user_id, (sum(rating) + " + K_USER + " * "
                    + mu
                    + ") / (count(*) + " + K_USER + ") AS bu FROM ratings r WHERE " + real + " GROUP BY user_id) "
                    + "SELECT r.movie_id, count(*), sum(r.rating), sum(r.rating - u.bu) FROM ratings r JOIN u USING "
                    + "(user_id) "
                    + "GROUP BY r.movie_id")) {
                while (rs.next()) a.movie(rs.getInt(1), rs.getInt(2), rs.getDouble(3), rs.getDouble(4));
            }
            try (java.sql.ResultSet rs = st.executeQuery(
                    "SELECT movie_id, (extract(year FROM rated_at AT TIME ZONE 'UTC') * 12 "
                    + "+ extract(month FROM rated_at AT TIME ZONE 'UTC') - 1)::int AS m, count(*) FROM ratings r WHERE "
                    + real
                    + " GROUP BY movie_id, m ORDER BY movie_id, m")) {
                while (rs.next()) a.month(rs.getInt(1), rs.getInt(2), rs.getInt(3));
            }
            try (java.sql.ResultSet rs = st.executeQuery("SELECT movie_id, year, genres FROM movies")) {
                while (rs.next()) {
                    java.sql.Array g = rs.getArray(3);
                    int y = rs.getInt(2);
                    a.catalog(rs.getInt(1), rs.wasNull() ? null : y, g == null ? new String[0]
                            : (String[]) g.getArray());
                }
            }
            return a.build(mu, ratings);
        }
    }

    /** Per-movie aggregates as the database computes them (see {@link #load}). */
    private static final class Aggregates {
        private final Map<Integer, double[]> movies = new java.util.HashMap<>();
        private final Map<Integer, List<int[]>> months = new java.util.HashMap<>();
        private final Map<Integer, Integer> years = new TreeMap<>();
        private final Map<Integer, String[]> genres = new TreeMap<>();

        void movie(int id, int n, double sum, double centred) {
            movies.put(id, new double[] {n, sum, centred});
        }

        void month(int id, int month, int n) {
            months.computeIfAbsent(id, k -> new ArrayList<>()).add(new int[] {month, n});
        }

        void catalog(int id, Integer year, String[] g) {
            if (year != null) years.put(id, year);
            genres.put(id, g);
        }

        MovieStats build(double mu, int ratings) {
            int max = -1;
            for (int id : movies.keySet()) max = Math.max(max, id);
            for (int id : genres.keySet()) max = Math.max(max, id);
            int size = max + 1;
            int[] count = new int[size];
            double[] sum = new double[size];
            double[] bias = new double[size];
            for (Map.Entry<Integer, double[]> e : movies.entrySet()) {
                count[e.getKey()] = (int) e.getValue()[0];
                sum[e.getKey()] = e.getValue()[1];
                bias[e.getKey()] = e.getValue()[2] / (e.getValue()[0] + K_ITEM);
            }
            int[][] ms = new int[size][];
            int[][] cu = new int[size][];
            int last = 0;
            for (Map.Entry<Integer, List<int[]>> e : months.entrySet()) {
                List<int[]> l = e.getValue();
                int[] m = new int[l.size()];
                int[] c = new int[l.size()];
                int total = 0;
                for (int i = 0; i < m.length; i++) {
                    m[i] = l.get(i)[0];
                    total += l.get(i)[1];
                    c[i] = total;
                    last = Math.max(last, m[i]);
                }
                ms[e.getKey()] = m;
                cu[e.getKey()] = c;
            }
            Catalog cat = catalogOf(size, years, genres);
            return new MovieStats(mu, count, sum, bias, cat.year(), cat.genres(), cat.names(), ms, cu, last, ratings);
        }
    }

    private record Catalog(int[] year, long[] genres, List<String> names) {}

    private static Catalog catalogOf(int size, Map<Integer, Integer> years, Map<Integer, String[]> catalogGenres) {
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        for (String[] g : catalogGenres.values()) names.addAll(Arrays.asList(g));
        List<String> genreNames = List.copyOf(names);
        if (genreNames.size() > 64) {
            throw new IllegalArgumentException("at most 64 distinct genres are supported, got " + genreNames.size());
        }
        long[] genres = new long[size];
        for (Map.Entry<Integer, String[]> e : catalogGenres.entrySet()) {
            long bits = 0;
            for (String g : e.getValue()) bits |= 1L << genreNames.indexOf(g);
            genres[e.getKey()] = bits;
        }
        int[] year = new int[size];
        Arrays.fill(year, Integer.MIN_VALUE);
        for (Map.Entry<Integer, Integer> e : years.entrySet()) year[e.getKey()] = e.getValue();
        return new Catalog(year, genres, genreNames);
    }

    /**
     * Collects the ratings and the catalog; not thread-safe. {@link #build} computes the user means
     * and item biases in two passes over the ratings.
     */
    public static final class Builder {
        private int[] users = new int[1024];
        private int[] movies = new int[1024];
        private float[] stars = new float[1024];
        private int[] month = new int[1024];
        private int n;
        private final Map<Integer, Integer> years = new TreeMap<>();
        private final Map<Integer, String[]> catalogGenres = new TreeMap<>();

        /** One catalog movie: its year (null: unknown) and genres. */
        public Builder movie(int movieId, Integer year, String[] genres) {
            if (movieId < 0) throw new IllegalArgumentException("movie id must be >= 0, got " + movieId);
            if (year != null) years.put(movieId, year);
            catalogGenres.put(movieId, genres == null ? new String[0] : genres.clone());
            return this;
        }

        /** One rating, {@code epochSecond} its time. */
        public Builder rating(int userId, int movieId, float rating, long epochSecond) {
            if (movieId < 0) throw new IllegalArgumentException("movie id must be >= 0, got " + movieId);
            if (n == users.length) {
                int cap = n * 2;
                users = Arrays.copyOf(users, cap);
                movies = Arrays.copyOf(movies, cap);
                stars = Arrays.copyOf(stars, cap);
                month = Arrays.copyOf(month, cap);
            }
            users[n] = userId;
            movies[n] = movieId;
            stars[n] = rating;
            month[n] = month(epochSecond);
            n++;
            return this;
        }

        public MovieStats build() {
            int maxMovie = -1;
            for (int i = 0; i < n; i++) maxMovie = Math.max(maxMovie, movies[i]);
            for (int id : catalogGenres.keySet()) maxMovie = Math.max(maxMovie, id);
            int size = maxMovie + 1;
            double total = 0;
            for (int i = 0; i < n; i++) total += stars[i];
            double mu = n == 0 ? 3.5 : total / n;
            // b_u = (Σ_j r_uj + K_U·μ)/(n_u + K_U), users by id in a hash of sums.
            Map<Integer, double[]> userSums = new java.util.HashMap<>();
            for (int i = 0; i < n; i++) {
                double[] s = userSums.computeIfAbsent(users[i], u -> new double[2]);
                s[0] += stars[i];
                s[1]++;
            }
            int[] count = new int[size];
            double[] sum = new double[size];
            double[] centred = new double[size];
            int lastMonth = 0;
            for (int i = 0; i < n; i++) {
                double[] s = userSums.get(users[i]);
                double bu = (s[0] + K_USER * mu) / (s[1] + K_USER);
                count[movies[i]]++;
                sum[movies[i]] += stars[i];
                centred[movies[i]] += stars[i] - bu;
                lastMonth = Math.max(lastMonth, month[i]);
            }
            double[] bias = new double[size];
            for (int m = 0; m < size; m++) bias[m] = centred[m] / (count[m] + K_ITEM); // b_i = Σ (r − b_u)/(n_i + K_I)
            // Monthly histograms, cumulative, per movie: sort each movie's rating months.
            int[][] perMovie = new int[size][];
            int[] fill = new int[size];
            for (int m = 0; m < size; m++) if (count[m] > 0) perMovie[m] = new int[count[m]];
            for (int i = 0; i < n; i++) perMovie[movies[i]][fill[movies[i]]++] = month[i];
            int[][] months = new int[size][];
            int[][] cumulative = new int[size][];
            for (int m = 0; m < size; m++) {
                int[] ms = perMovie[m];
                if (ms == null) continue;
                Arrays.sort(ms);
                int distinct = 0;
                for (int i = 0; i < ms.length; i++) if (i == 0 || ms[i] != ms[i - 1]) distinct++;
                int[] mo = new int[distinct];
                int[] cu = new int[distinct];
                int d = -1;
                for (int i = 0; i < ms.length; i++) {
                    if (i == 0 || ms[i] != ms[i - 1]) mo[++d] = ms[i];
                    cu[d] = i + 1;
                }
                months[m] = mo;
                cumulative[m] = cu;
            }
            Catalog cat = catalogOf(size, years, catalogGenres);
            return new MovieStats(mu, count, sum, bias, cat.year(), cat.genres(), cat.names(), months, cumulative,
                    lastMonth, n);
        }
    }
}
