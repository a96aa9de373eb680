package io.reelrank.generate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Writes a MovieLens-shaped data set of any size (movies.csv, links.csv, tags.csv, ratings.csv in
 * MovieLens's own format, which {@code reelrank ingest --data-dir} loads unchanged) from a seed and a
 * real MovieLens directory it learns its vocabulary from (the bundled ml-latest-small). Sizes follow
 * the real sets: users, movies and tags grow with the ratings N as the power law through
 * ml-latest-small and ml-32m, {@code X(N) = X_small · (N / 100,836)^b_X}. Behind the ratings is a
 * latent model, stated in one line each below and in docs/database.md, so that collaborative models have real
 * signal to find:
 * <ul>
 * <li>movie popularity {@code p_m = exp(σ_p·z)}, quality {@code q_m = σ_q·(ρ·z + √(1−ρ²)·z')}
 *     (z, z' standard normal: popular movies are a little better, as in MovieLens);</li>
 * <li>user tastes {@code θ_ug = +1} for 1-3 favourite genres, {@code −1} for a disliked one (half of
 *     the users), {@code N(0, 0.3²)} otherwise; bias {@code b_u ~ N(0, 0.35²)}; activity weight
 *     {@code exp(σ_a·z)}, every user at least 20 ratings;</li>
 * <li>which movies: {@code P(m | u) ∝ p_m · mean_{g∈G_m} exp(β·θ_ug)}, without repetition, among the
 *     movies released (1 January of their year) by the rating's time;</li>
 * <li>the stars: {@code r = round(μ + b_u + q_m + γ·mean_{g∈G_m} θ_ug + ε)}, {@code ε ~ N(0, σ_ε²)},
 *     whole stars before 18 February 2003 (as MovieLens) and for users who never use halves.</li>
 * </ul>
 * Every movie gets one rating from a user drawn for it first (MovieLens lists only rated movies).
 * Everything derives from the seed through per-user random streams and StrictMath, so the same seed
 * and options give byte-identical files on any JVM. It streams: memory holds the catalogue and a
 * few numbers per user, never the ratings. Files are written under {@code DIR/.generating} and
 * moved into place at the end, so an interrupted run leaves no half-written set behind. Use
 * {@link #plan} to resolve the sizes, then {@link #write}; the constants below are the recipe's
 * values (docs/database.md, "Generated data sets", and {@code generate --help} print them).
 */
public final class MovieLensGenerator {

    // ---- the two real sets the sizes are interpolated between
    static final long SMALL_RATINGS = 100_836;
    static final long LARGE_RATINGS = 32_000_204;
    static final long SMALL_USERS = 610;
    static final long LARGE_USERS = 200_948;
    static final long SMALL_MOVIES = 9_742;
    static final long LARGE_MOVIES = 87_585;
    static final long SMALL_TAGS = 3_683;
    static final long LARGE_TAGS = 2_000_072;

    public static final long MIN_RATINGS = 10_000;
    public static final long MAX_RATINGS = 100_000_000;
    public static final int MIN_RATINGS_PER_USER = 20;
    public static final int MIN_MOVIES = 100;
    public static final int MAX_MOVIES = 2_000_000;
    public static final int MAX_USERS = 5_000_000;
    public static final long MAX_TAGS = 100_000_000;

    // ---- the recipe (docs/database.md, "Generated data sets", repeats these)
    /** σ_p: spread of log popularity. */
    public static final double POPULARITY_SIGMA = 2.0;
    /** σ_q, ρ: movie quality and its correlation with log popularity. */
    public static final double QUALITY_SD = 0.45;
    public static final double QUALITY_POPULARITY_CORRELATION = 0.4;
    /** σ_a: spread of log activity (ratings per user above the 20 everyone has). */
    public static final double ACTIVITY_SIGMA = 1.35;
    /** β: how strongly tastes steer which movies a user rates. */
    public static final double CHOICE_BETA = 1.5;
    /** μ, γ, σ_b, σ_ε: the stars. */
    public static final double MEAN = 3.19;
    public static final double TASTE_GAMMA = 0.6;
    public static final double USER_BIAS_SD = 0.35;
    public static final double NOISE_SD = 0.9;
    public static final double TASTE_NOISE_SD = 0.3;
    /** Share of users who use half stars once MovieLens offered them. */
    public static final double HALF_STAR_USERS = 0.95;
    /** 2003-02-18 00:00 UTC: MovieLens offered half stars from then on. */
    public static final long HALF_STARS_FROM = 1_045_526_400L;
    /** Sessions: share of users who rate everything at once; mean session length; gaps. */
    public static final double ONE_SESSION_USERS = 0.55;
    public static final double SESSION_MEAN_RATINGS = 25;
    public static final double SESSION_GAP_MEAN_DAYS = 45;
    static final double SESSION_GAP_MEAN_SECONDS = SESSION_GAP_MEAN_DAYS * 86_400;
    public static final double SAME_SECOND_SHARE = 0.2;
    public static final double RATING_GAP_MEAN_SECONDS = 30;
    public static final long ARRIVAL_JITTER_DAYS = 90;
    static final long ARRIVAL_JITTER_SECONDS = ARRIVAL_JITTER_DAYS * 86_400L;
    /** Share of users who tag (58 of 610 in ml-latest-small) and the spread of their log tag counts. */
    public static final double TAGGER_SHARE = 58.0 / 610;
    public static final double TAG_ACTIVITY_SIGMA = 2.0;

    private static final long STREAM_MOVIES = 1;
    private static final long STREAM_USERS = 2;
    private static final long STREAM_TAGGERS = 3;
    private static final long STREAM_TAGS = 4;
    private static final long STREAM_COVER = 5;
    private static final String[] FILES = {"movies.csv", "links.csv", "tags.csv", "ratings.csv", "users_latent.csv",
            "movies_latent.csv", "README.txt"};

    /**
     * What to generate. {@code users}, {@code movies}, {@code tags} null mean "scaled with the
     * ratings like the real sets"; {@code sampleMovies} uses the vocabulary directory's own movies
     * and links as the catalogue instead of generating one.
     */
    public record Options(long ratings, Integer users, Integer movies, Long tags, long seed, Path vocabulary,
                          boolean sampleMovies) {}

    /** The resolved sizes. */
    public record GenerationPlan(long ratings, int users, int movies, long tags, long seed, boolean sampleMovies) {}

    /** Progress callbacks, from the generating thread. */
    public interface Listener {
        Listener NONE = (phase, done, total) -> {};

        void progress(String phase, long done, long total);
    }

    /**
     * What was written, and the figures that compare it with the real set it learnt from: share of
     * ratings on the top 1% and 10% of movies, median and 99th percentile of ratings per user, mean
     * stars and share of half stars.
     */
    public record Summary(GenerationPlan plan, long bytes, double seconds, Shape generated, Shape real) {}

    /** Shape figures of one rating set. */
    public record Shape(long ratings, int users, int movies, double top1Share, double top10Share,
                        double medianPerUser, double p99PerUser, int minPerUser, double meanStars,
                        double halfStarShare) {

        static Shape of(int[] perUser, int[] perMovie, long[] starCounts) {
            int[] u = perUser.clone();
            Arrays.sort(u);
            int[] m = perMovie.clone();
            Arrays.sort(m);
            long total = 0;
            for (int x : m) total += x;
            long top1 = 0;
            long top10 = 0;
            int n1 = (int) Math.round(m.length * 0.01);
            int n10 = (int) Math.round(m.length * 0.10);
            for (int i = 0; i < n10; i++) {
                long x = m[m.length - 1 - i];
                top10 += x;
                if (i < n1) top1 += x;
            }
            double stars = 0;
            long halves = 0;
            long n = 0;
            for (int h = 1; h <= 10; h++) {
                stars += starCounts[h] * h / 2.0;
                n += starCounts[h];
                if (h % 2 == 1) halves += starCounts[h];
            }
            return new Shape(total, u.length, m.length, (double) top1 / total, (double) top10 / total,
                    quantile(u, 0.5), quantile(u, 0.99), u[0], stars / n, (double) halves / n);
        }
    }

    private final GenerationPlan plan;
    private final SampleVocabulary voc;

    private MovieLensGenerator(GenerationPlan plan, SampleVocabulary voc) {
        this.plan = plan;
        this.voc = voc;
    }

    /** {@code small · (ratings / 100,836)^b}, b the exponent through both real sets. */
    static long scaled(long small, long large, long ratings) {
        double b = StrictMath.log((double) large / small) / StrictMath.log((double) LARGE_RATINGS / SMALL_RATINGS);
        return Math.round(small * StrictMath.pow((double) ratings / SMALL_RATINGS, b));
    }

    /**
     * Resolves and checks the sizes; an IllegalArgumentException names the option, its value and
     * the allowed range.
     */
    public static GenerationPlan plan(Options o) {
        if (o.ratings() < MIN_RATINGS || o.ratings() > MAX_RATINGS) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "--ratings must be in %,d-%,d, got %,d",
                    MIN_RATINGS, MAX_RATINGS, o.ratings()));
        }
        long maxUsers = Math.min(MAX_USERS, o.ratings() / MIN_RATINGS_PER_USER);
        int users = o.users() != null ? o.users()
                : (int) Math.max(1, Math.min(maxUsers, scaled(SMALL_USERS, LARGE_USERS, o.ratings())));
        if (users < 1 || users > maxUsers) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "--users must be in 1-%,d for %,d ratings (every user rates at least %d movies), got %,d",
                    maxUsers, o.ratings(), MIN_RATINGS_PER_USER, users));
        }
        int movies;
        if (o.sampleMovies()) {
            if (o.movies() != null) {
                throw new IllegalArgumentException("--movies and --sample-movies exclude each other");
            }
            movies = -1; // known once the vocabulary is read
        } else {
            // every movie gets a rating and every user 20: at most N − 20·U movies
            long most = Math.min(MAX_MOVIES, o.ratings() - (long) MIN_RATINGS_PER_USER * users);
            movies = o.movies() != null ? o.movies()
                    : (int) Math.max(MIN_MOVIES, Math.min(most, scaled(SMALL_MOVIES, LARGE_MOVIES, o.ratings())));
            if (movies < MIN_MOVIES || movies > most) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "--movies must be in %,d-%,d for %,d ratings by %,d users (every movie gets a rating, every "
                                + "user %d), got %,d",
                        MIN_MOVIES, most, o.ratings(), users, MIN_RATINGS_PER_USER, movies));
            }
        }
        long tags = o.tags() != null ? o.tags() : scaled(SMALL_TAGS, LARGE_TAGS, o.ratings());
        if (tags < 0 || tags > MAX_TAGS) {
            throw new IllegalArgumentException(
                    String.format(Locale.ROOT, "--tags must be in 0-%,d, got %,d", MAX_TAGS, tags));
        }
        return new GenerationPlan(o.ratings(), users, movies, tags, o.seed(), o.sampleMovies());
    }

    /**
     * Generates the set into {@code out} (created when missing). Refuses a directory that already
     * holds MovieLens files unless {@code overwrite}.
     */
    public static Summary write(Options options, Path out, boolean overwrite, Listener listener) throws IOException {
        GenerationPlan p = plan(options);
        if (!overwrite) {
            for (String f : FILES) {
                if (Files.exists(out.resolve(f))) {
                    throw new IllegalArgumentException(out.resolve(f) + " already exists; choose an empty directory or "
                            + "give --force to overwrite");
                }
            }
        }
        SampleVocabulary voc = SampleVocabulary.read(options.vocabulary());
        if (p.sampleMovies()) {
            p = new GenerationPlan(p.ratings(), p.users(), voc.movies.size(), p.tags(), p.seed(), true);
        }
        return new MovieLensGenerator(p, voc).run(out, listener);
    }

    // ---- the catalogue

    private int movieCount;
    private int[] movieId;
    private int[] genreMask; // bit G = "(no genres listed)"
    private double[] popularity;
    private float[] quality;
    private long[] release;
    private int[] byRelease;
    private long[] sortedRelease;
    private int genreCount; // real genres; index genreCount is "no genres"
    private int[][] members;
    private AliasTable[] memberTables;
    private double[] genreMass;
    private double[] genreShare;

    private Summary run(Path out, Listener listener) throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(out);
        Path tmp = out.resolve(".generating");
        if (Files.exists(tmp)) {
            try (var files = Files.list(tmp)) {
                for (Path f : files.toList()) Files.delete(f);
            }
        }
        Files.createDirectories(tmp);
        long bytes = 0;
        bytes += catalogue(tmp);
        indexCatalogue();
        long[] lastTime = new long[plan.users() + 1];
        long[] joinTime = new long[plan.users() + 1];
        int[] perUser = new int[plan.users()];
        int[] perMovie = new int[movieCount];
        long[] stars = new long[11];
        bytes += ratings(tmp, joinTime, lastTime, perUser, perMovie, stars, listener);
        bytes += tags(tmp, joinTime, lastTime, listener);
        bytes += readme(tmp);
        for (String f : FILES) {
            Files.move(tmp.resolve(f), out.resolve(f), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        }
        Files.delete(tmp);
        return new Summary(plan, bytes, (System.nanoTime() - t0) / 1e9, Shape.of(perUser, perMovie, stars),
                Shape.of(voc.ratingsPerUser, voc.ratingsPerMovie, voc.starCounts));
    }

    /**
     * movies.csv and links.csv, and the movies' latent popularity and quality (movies_latent.csv; the
     * quality written exactly as the float the stars use, so a reader's star formula is this one).
     */
    private long catalogue(Path dir) throws IOException {
        genreCount = voc.genres.length;
        SplittableRandom r = random(plan.seed(), STREAM_MOVIES, 0);
        movieCount = plan.movies();
        movieId = new int[movieCount];
        genreMask = new int[movieCount];
        popularity = new double[movieCount];
        quality = new float[movieCount];
        release = new long[movieCount];
        double rho = QUALITY_POPULARITY_CORRELATION;
        try (CsvOut movies = new CsvOut(dir.resolve("movies.csv"));
             CsvOut links = new CsvOut(dir.resolve("links.csv"));
             CsvOut latent = new CsvOut(dir.resolve("movies_latent.csv"))) {
            movies.raw("movieId,title,genres").newline();
            links.raw("movieId,imdbId,tmdbId").newline();
            latent.raw("movieId,popularity,quality").newline();
            int id = 0;
            for (int i = 0; i < movieCount; i++) {
                double z = gaussian(r);
                popularity[i] = StrictMath.exp(POPULARITY_SIGMA * z);
                quality[i] = (float) (QUALITY_SD * (rho * z + StrictMath.sqrt(1 - rho * rho) * gaussian(r)));
                Integer year;
                int mask;
                if (plan.sampleMovies()) {
                    SampleVocabulary.CatalogueMovie m = voc.movies.get(i);
                    id = m.movieId();
                    year = m.year();
                    mask = m.genreMask();
                    movies.num(id).comma().text(m.rawTitle()).comma().text(m.genresText()).newline();
                    links.num(id).comma().raw(m.imdbId()).comma().raw(m.tmdbId()).newline();
                } else {
                    // ids rise with gaps, as MovieLens's do
                    id += 1 + (int) (-StrictMath.log(1 - r.nextDouble()) * 2.0);
                    SampleVocabulary.Template t = voc.templates.get(r.nextInt(voc.templates.size()));
                    year = t.year();
                    mask = t.genreMask();
                    String title = title(r) + (year != null ? " (" + year + ")" : "");
                    movies.num(id).comma().text(title).comma().text(t.genresText()).newline();
                    // unique ids: IMDb's seven zero-padded digits, TMDB's plain number, a few TMDB ids missing
                    int imdb = 100_000 + i * 11 + r.nextInt(11);
                    int tmdb = 1 + i * 7 + r.nextInt(7);
                    links.num(id).comma().raw(String.format(Locale.ROOT, "%07d", imdb)).comma();
                    if (r.nextDouble() >= voc.blankTmdbShare) links.num(tmdb);
                    links.newline();
                }
                movieId[i] = id;
                latent.num(id).comma().raw(Double.toString(popularity[i])).comma().raw(Float.toString(quality[i]))
                        .newline();
                genreMask[i] = mask == 0 ? 1 << genreCount : mask;
                release[i] = year == null ? Long.MIN_VALUE
                        : LocalDate.of(year, 1, 1).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
            }
            return movies.bytes() + links.bytes() + latent.bytes();
        }
    }

    /** Words from the real titles: a first word, then others, as many as a real title has. */
    private String title(SplittableRandom r) {
        int n = voc.titleLengths[voc.titleLengthTable.sample(r)];
        String first = voc.firstWords[voc.firstWordTable.sample(r)];
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < n; i++) {
            if (sb.length() > 0) sb.append(' ');
            sb.append(voc.words[voc.wordTable.sample(r)]);
        }
        if (sb.length() == 0) return first;
        // MovieLens files "The Dark Knight" as "Dark Knight, The"
        if (voc.movedArticles.contains(first)) return sb + ", " + first;
        return first + " " + sb;
    }

    /** Per genre, its movies with weight p_m / |G_m|, so a neutral user rates movie m ∝ p_m. */
    private void indexCatalogue() {
        int g1 = genreCount + 1;
        int[] sizes = new int[g1];
        for (int m = 0; m < movieCount; m++) {
            for (int g = 0; g < g1; g++) if ((genreMask[m] & (1 << g)) != 0) sizes[g]++;
        }
        members = new int[g1][];
        for (int g = 0; g < g1; g++) members[g] = new int[sizes[g]];
        int[] fill = new int[g1];
        for (int m = 0; m < movieCount; m++) {
            for (int g = 0; g < g1; g++) if ((genreMask[m] & (1 << g)) != 0) members[g][fill[g]++] = m;
        }
        memberTables = new AliasTable[g1];
        genreMass = new double[g1];
        genreShare = new double[g1];
        for (int g = 0; g < g1; g++) {
            if (sizes[g] == 0) continue;
            double[] w = new double[sizes[g]];
            for (int i = 0; i < sizes[g]; i++) {
                int m = members[g][i];
                w[i] = popularity[m] / Integer.bitCount(genreMask[m]);
                genreMass[g] += w[i];
            }
            memberTables[g] = new AliasTable(w);
            genreShare[g] = (double) sizes[g] / movieCount;
        }
        Integer[] order = new Integer[movieCount];
        for (int i = 0; i < movieCount; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> release[a] != release[b] ? Long.compare(release[a], release[b])
                : Integer.compare(a, b));
        byRelease = new int[movieCount];
        sortedRelease = new long[movieCount];
        for (int i = 0; i < movieCount; i++) {
            byRelease[i] = order[i];
            sortedRelease[i] = release[order[i]];
        }
    }

    /** How many movies were released at or before {@code t}. */
    private int released(long t) {
        int lo = 0;
        int hi = movieCount;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sortedRelease[mid] <= t) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    // ---- users

    /** One user's latent profile, drawn first from the user's own random stream. */
    private final class User {
        final double[] theta = new double[genreCount + 1];
        final double[] choice = new double[genreCount + 1]; // cumulative genre weights S_g · exp(β·θ_g)
        final Set<Integer> favourites = new HashSet<>();
        int disliked = -1;
        final double bias;
        final boolean halves;
        final long join;
        final double activity;

        User(SplittableRandom r) {
            int k = 1 + (r.nextDouble() < 0.5 ? 0 : r.nextDouble() < 0.7 ? 1 : 2);
            while (favourites.size() < k) favourites.add(pickGenre(r));
            if (r.nextDouble() < 0.5) disliked = pickGenre(r);
            for (int g = 0; g < genreCount; g++) {
                double noise = TASTE_NOISE_SD * gaussian(r);
                theta[g] = favourites.contains(g) ? 1 : g == disliked ? -1 : noise;
            }
            double sum = 0;
            for (int g = 0; g <= genreCount; g++) {
                sum += genreMass[g] * StrictMath.exp(CHOICE_BETA * theta[g]);
                choice[g] = sum;
            }
            bias = USER_BIAS_SD * gaussian(r);
            halves = r.nextDouble() < HALF_STAR_USERS;
            long arrival = voc.firstRatingTimes[r.nextInt(voc.firstRatingTimes.length)]
                    + (long) ((2 * r.nextDouble() - 1) * ARRIVAL_JITTER_SECONDS);
            arrival = Math.max(voc.logStart, Math.min(voc.logEnd, arrival));
            // enough movies out to rate: at least 40 released when the user arrives
            join = Math.max(arrival, sortedRelease[Math.min(movieCount, 2 * MIN_RATINGS_PER_USER) - 1]);
            activity = StrictMath.exp(ACTIVITY_SIGMA * gaussian(r));
        }

        /** A genre other than the favourites, with probability ∝ its share of the catalogue's movies. */
        private int pickGenre(SplittableRandom r) {
            double total = 0;
            for (int g = 0; g < genreCount; g++) if (!favourites.contains(g)) total += genreShare[g];
            double x = r.nextDouble() * total;
            int last = -1;
            for (int g = 0; g < genreCount; g++) {
                if (favourites.contains(g) || genreShare[g] == 0) continue;
                last = g;
                x -= genreShare[g];
                if (x < 0) return g;
            }
            return last;
        }

        /** Mean of θ_ug over the movie's genres (0 for a movie with none). */
        double affinity(int m) {
            int mask = genreMask[m];
            double s = 0;
            int n = 0;
            for (int g = 0; g < genreCount; g++) {
                if ((mask & (1 << g)) != 0) {
                    s += theta[g];
                    n++;
                }
            }
            return n == 0 ? 0 : s / n;
        }

        /** A movie released by t, drawn ∝ p_m · mean exp(β·θ); {@code taken[m] == stamp} means already rated. */
        int pick(SplittableRandom r, long t, int[] taken, int stamp) {
            double total = choice[genreCount];
            for (int attempt = 0; attempt < 32; attempt++) {
                double x = r.nextDouble() * total;
                int g = 0;
                while (g < genreCount && choice[g] <= x) g++;
                if (members[g].length == 0) continue;
                int m = members[g][memberTables[g].sample(r)];
                if (release[m] <= t && (taken == null || taken[m] != stamp)) return m;
            }
            // Rare: the user's genres are exhausted or not yet released. Any released movie, uniformly.
            int pool = released(t);
            while (true) {
                int m = byRelease[r.nextInt(pool)];
                if (taken == null || taken[m] != stamp) return m;
            }
        }
    }

    private User user(int u) {
        return new User(random(plan.seed(), STREAM_USERS, u));
    }

    /** ratings.csv: users 1..U in order, each user's ratings by movieId as MovieLens orders them. */
    private long ratings(Path dir, long[] joinTime, long[] lastTime, int[] perUser, int[] perMovie, long[] stars,
                         Listener listener) throws IOException {
        int users = plan.users();
        long[] cap = new long[users + 1];
        long[] min = new long[users + 1];
        double[] weight = new double[users + 1];
        for (int u = 1; u <= users; u++) {
            User p = user(u);
            joinTime[u] = p.join;
            cap[u] = Math.max(MIN_RATINGS_PER_USER, released(p.join) / 2);
            weight[u] = p.activity;
        }
        int[][] cover = cover(joinTime, weight);
        for (int u = 1; u <= users; u++) {
            min[u] = Math.max(MIN_RATINGS_PER_USER, cover[u].length);
            cap[u] = Math.max(cap[u], min[u]);
        }
        int[] count = allocate(plan.ratings(), min, weight, cap, "--ratings", "users",
                "every user rates at least 20 movies and at most half the movies out when they arrive, "
                        + "every movie gets a rating; raise --users or --movies");
        int[] taken = new int[movieCount]; // taken[m] == u: user u rated m already
        long done = 0;
        long nextReport = 0;
        try (CsvOut out = new CsvOut(dir.resolve("ratings.csv"));
             CsvOut latent = new CsvOut(dir.resolve("users_latent.csv"))) {
            out.raw("userId,movieId,rating,timestamp").newline();
            latent.raw("userId,favourite_genres,disliked_genre,bias,genre_tastes").newline();
            int[] movie = new int[16];
            int[] halfStars = new int[16];
            long[] time = new long[16];
            long[] order = new long[16];
            for (int u = 1; u <= users; u++) {
                SplittableRandom r = random(plan.seed(), STREAM_USERS, u);
                User p = new User(r);
                int n = count[u];
                StringBuilder fav = new StringBuilder();
                for (int g = 0; g < genreCount; g++) {
                    if (p.favourites.contains(g)) fav.append(fav.length() > 0 ? "|" : "").append(voc.genres[g]);
                }
                // every genre's θ_ug (favourites +1, the disliked one −1, the others their N(0, 0.3²) draw)
                StringBuilder theta = new StringBuilder();
                for (int g = 0; g < genreCount; g++) {
                    theta.append(g > 0 ? "|" : "").append(voc.genres[g]).append(':')
                            .append(String.format(Locale.ROOT, "%.4f", p.theta[g]));
                }
                latent.num(u).comma().text(fav.toString()).comma().text(p.disliked < 0 ? "" : voc.genres[p.disliked])
                        .comma().raw(String.format(Locale.ROOT, "%.4f", p.bias)).comma().text(theta.toString())
                        .newline();
                if (movie.length < n) {
                    movie = new int[n];
                    halfStars = new int[n];
                    time = new long[n];
                    order = new long[n];
                }
                // the movies only this user is sure to rate, spread at random over the user's history
                int[] mine = cover[u];
                for (int k = mine.length - 1; k > 0; k--) {
                    int j = r.nextInt(k + 1);
                    int x = mine[k];
                    mine[k] = mine[j];
                    mine[j] = x;
                }
                for (int m : mine) taken[m] = u;
                int coverLeft = mine.length;
                long t = p.join;
                long sessionLeft = r.nextDouble() < ONE_SESSION_USERS ? n : geometric(r, SESSION_MEAN_RATINGS);
                for (int i = 0; i < n; i++) {
                    if (i > 0) {
                        long gap;
                        if (sessionLeft == 0) {
                            gap = 1 + (long) (-StrictMath.log(1 - r.nextDouble()) * SESSION_GAP_MEAN_SECONDS);
                            sessionLeft = geometric(r, SESSION_MEAN_RATINGS);
                        } else {
                            gap = r.nextDouble() < SAME_SECOND_SHARE ? 0
                                    : 1 + (long) (-StrictMath.log(1 - r.nextDouble()) * RATING_GAP_MEAN_SECONDS);
                        }
                        t = Math.min(voc.logEnd, t + gap);
                    }
                    sessionLeft--;
                    int m;
                    if (coverLeft > 0 && r.nextDouble() * (n - i) < coverLeft) {
                        m = mine[mine.length - coverLeft--];
                    } else {
                        m = p.pick(r, t, taken, u);
                        taken[m] = u;
                    }
                    double x = MEAN + p.bias + quality[m] + TASTE_GAMMA * p.affinity(m) + NOISE_SD * gaussian(r);
                    int h = !p.halves || t < HALF_STARS_FROM
                            ? 2 * (int) Math.max(1, Math.min(5, Math.round(x)))
                            : (int) Math.max(1, Math.min(10, Math.round(2 * x)));
                    movie[i] = m;
                    halfStars[i] = h;
                    time[i] = t;
                    order[i] = ((long) m << 32) | i;
                }
                lastTime[u] = t;
                Arrays.sort(order, 0, n);
                for (int k = 0; k < n; k++) {
                    int i = (int) order[k];
                    out.num(u).comma().num(movieId[movie[i]]).comma().halfStars(halfStars[i]).comma().num(time[i])
                            .newline();
                    perMovie[movie[i]]++;
                    stars[halfStars[i]]++;
                }
                perUser[u - 1] = n;
                done += n;
                if (done >= nextReport) {
                    listener.progress("ratings", done, plan.ratings());
                    nextReport = done + 1_000_000;
                }
            }
            listener.progress("ratings", done, plan.ratings());
            return out.bytes() + latent.bytes();
        }
    }

    /**
     * Gives every movie one user sure to rate it (MovieLens lists only movies someone rated): a user
     * who arrived after its release, drawn ∝ activity weight, so the busiest users rate the most
     * obscure films. A movie released after the last arrival gets none. Returns each user's movies.
     */
    private int[][] cover(long[] joinTime, double[] weight) {
        int users = plan.users();
        Integer[] byJoin = new Integer[users];
        for (int u = 1; u <= users; u++) byJoin[u - 1] = u;
        Arrays.sort(byJoin, (a, b) -> joinTime[a] != joinTime[b] ? Long.compare(joinTime[a], joinTime[b])
                : Integer.compare(a, b));
        long[] joins = new long[users];
        double[] cum = new double[users + 1];
        for (int i = 0; i < users; i++) {
            joins[i] = joinTime[byJoin[i]];
            cum[i + 1] = cum[i] + weight[byJoin[i]];
        }
        SplittableRandom r = random(plan.seed(), STREAM_COVER, 0);
        int[] owner = new int[movieCount];
        int[] counts = new int[users + 1];
        for (int m = 0; m < movieCount; m++) {
            int from = lowerBound(joins, release[m]);
            if (from == users) continue;
            double x = cum[from] + r.nextDouble() * (cum[users] - cum[from]);
            int lo = from;
            int hi = users - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cum[mid + 1] <= x) lo = mid + 1;
                else hi = mid;
            }
            owner[m] = byJoin[lo];
            counts[owner[m]]++;
        }
        int[][] out = new int[users + 1][];
        for (int u = 0; u <= users; u++) out[u] = new int[counts[u]];
        int[] fill = new int[users + 1];
        for (int m = 0; m < movieCount; m++) if (owner[m] != 0) out[owner[m]][fill[owner[m]]++] = m;
        return out;
    }

    private static int lowerBound(long[] sorted, long key) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < key) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /**
     * Splits {@code total} into per-item counts of at least {@code min[i]} and at most {@code cap[i]},
     * the part above the minimums in proportion to {@code weight[i]} (items 1..n; index 0 unused).
     * Leftovers from rounding go one each to items in order; capped items pass theirs on.
     */
    static int[] allocate(long total, long[] min, double[] weight, long[] cap, String option, String what, String why) {
        int n = weight.length - 1;
        long capacity = 0;
        long floor = 0;
        for (int i = 1; i <= n; i++) {
            capacity += cap[i];
            floor += min[i];
        }
        if (total < floor || total > capacity) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s must be in %,d-%,d for %,d %s (%s), got %,d", option, floor, capacity, n, what, why, total));
        }
        int[] count = new int[n + 1];
        boolean[] full = new boolean[n + 1];
        long left = total;
        for (int i = 1; i <= n; i++) {
            count[i] = (int) min[i];
            left -= min[i];
            full[i] = cap[i] <= min[i];
        }
        while (left > 0) {
            double w = 0;
            for (int i = 1; i <= n; i++) if (!full[i]) w += weight[i];
            long pot = left;
            boolean capped = false;
            for (int i = 1; i <= n && w > 0; i++) {
                if (full[i]) continue;
                long add = (long) Math.floor(pot * weight[i] / w);
                if (count[i] + add >= cap[i]) {
                    add = cap[i] - count[i];
                    full[i] = true;
                    capped = true;
                }
                count[i] += (int) add;
                left -= add;
            }
            if (!capped) {
                // what rounding left over: one each, in order, round after round
                while (left > 0) {
                    for (int i = 1; i <= n && left > 0; i++) {
                        if (full[i]) continue;
                        count[i]++;
                        left--;
                        if (count[i] >= cap[i]) full[i] = true;
                    }
                }
            }
        }
        return count;
    }

    /** tags.csv: taggers in user order, each one's tags by movieId then time. */
    private long tags(Path dir, long[] joinTime, long[] lastTime, Listener listener) throws IOException {
        try (CsvOut out = new CsvOut(dir.resolve("tags.csv"))) {
            out.raw("userId,movieId,tag,timestamp").newline();
            if (plan.tags() == 0 || voc.allTags == null) return out.bytes();
            SplittableRandom r = random(plan.seed(), STREAM_TAGGERS, 0);
            List<Integer> taggers = new ArrayList<>();
            for (int u = 1; u <= plan.users(); u++) if (r.nextDouble() < TAGGER_SHARE) taggers.add(u);
            if (taggers.isEmpty()) taggers.add(1);
            if (taggers.size() > plan.tags()) taggers = taggers.subList(0, (int) plan.tags());
            double[] weight = new double[taggers.size() + 1];
            long[] cap = new long[taggers.size() + 1];
            long[] min = new long[taggers.size() + 1];
            for (int i = 1; i <= taggers.size(); i++) {
                weight[i] = StrictMath.exp(TAG_ACTIVITY_SIGMA * gaussian(r));
                cap[i] = Integer.MAX_VALUE;
                min[i] = 1;
            }
            int[] count = allocate(plan.tags(), min, weight, cap, "--tags", "taggers",
                    "every tagger tags at least once");
            long done = 0;
            for (int i = 1; i <= taggers.size(); i++) {
                int u = taggers.get(i - 1);
                User p = user(u);
                SplittableRandom tr = random(plan.seed(), STREAM_TAGS, u);
                int n = count[i];
                int[] movie = new int[n];
                int[] tag = new int[n];
                long[] time = new long[n];
                Set<Long> seen = new HashSet<>();
                for (int k = 0; k < n; k++) {
                    long span = lastTime[u] - joinTime[u] + 1;
                    long t = joinTime[u] + (long) (tr.nextDouble() * span);
                    int m;
                    int ti;
                    int attempt = 0;
                    do {
                        m = attempt < 50 ? p.pick(tr, t, null, 0) : byRelease[tr.nextInt(released(t))];
                        ti = tagFor(tr, m, attempt >= 50);
                        attempt++;
                    } while (!seen.add(((long) m << 32) | ti));
                    movie[k] = m;
                    tag[k] = ti;
                    time[k] = t;
                }
                Integer[] order = new Integer[n];
                for (int k = 0; k < n; k++) order[k] = k;
                Arrays.sort(order, (a, b) -> movie[a] != movie[b] ? Integer.compare(movie[a], movie[b])
                        : time[a] != time[b] ? Long.compare(time[a], time[b]) : Integer.compare(tag[a], tag[b]));
                for (int k : order) {
                    out.num(u).comma().num(movieId[movie[k]]).comma().text(voc.tags[tag[k]]).comma().num(time[k])
                            .newline();
                }
                done += n;
                listener.progress("tags", done, plan.tags());
            }
            return out.bytes();
        }
    }

    /** A tag of one of the movie's genres, as often as the real set puts it on that genre's movies. */
    private int tagFor(SplittableRandom r, int m, boolean anyTag) {
        if (anyTag) return r.nextInt(voc.tags.length);
        int mask = genreMask[m] & ~(1 << genreCount);
        if (mask == 0) return voc.allTags.sample(r);
        int k = r.nextInt(Integer.bitCount(mask));
        int g = -1;
        for (int i = 0; i <= k; i++) {
            g = Integer.numberOfTrailingZeros(mask);
            mask &= mask - 1;
        }
        return voc.tagsByGenre[g].sample(r);
    }

    private long readme(Path dir) throws IOException {
        String text = String.format(Locale.ROOT, """
                Summary
                =======

                A MovieLens-shaped data set written by `reelrank generate` (seed %d): %,d ratings by %,d users
                of %,d movies, and %,d tag applications. The files have MovieLens's format (see the
                README.txt of ml-latest-small): movies.csv, links.csv, ratings.csv and tags.csv, UTF-8, one
                header row, ratings ordered by userId then movieId. %s. The same seed and options give
                byte-identical files.

                Movies, users and ratings are not real. Every user has at least %d ratings, every movie at
                least one. The recipe (popularity, quality, tastes, activity, sessions, stars) is described in
                reelrank's docs/database.md, section "Generated data sets". users_latent.csv holds each
                user's latent tastes (favourite genres, disliked genre, bias, every genre's taste) and
                movies_latent.csv each movie's popularity and quality, the truth a model of the ratings can be
                checked against; they are not part of the MovieLens format and ingest ignores them.
                """, plan.seed(), plan.ratings(), plan.users(), plan.movies(), plan.tags(),
                plan.sampleMovies()
                        ? "The movies and links are those of " + voc.source + ", the tags built from its tags"
                        : "Titles, genres and tags are built from the vocabulary of " + voc.source,
                MIN_RATINGS_PER_USER);
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("README.txt"), b);
        return b.length;
    }

    // ---- helpers

    /** An independent random stream per (seed, stream, index): SplitMix64's finaliser over the three. */
    public static SplittableRandom random(long seed, long stream, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + stream * 0xBF58476D1CE4E5B9L + index * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new SplittableRandom(z ^ (z >>> 31));
    }

    /**
     * A standard normal draw by Marsaglia's polar method, with StrictMath so that the same seed
     * gives the same files on any JVM and processor (Math's intrinsics and the JDK's own
     * nextGaussian may differ between them).
     */
    public static double gaussian(SplittableRandom r) {
        while (true) {
            double u = 2 * r.nextDouble() - 1;
            double v = 2 * r.nextDouble() - 1;
            double s = u * u + v * v;
            if (s > 0 && s < 1) return u * StrictMath.sqrt(-2 * StrictMath.log(s) / s);
        }
    }

    /** 1 + a geometric count with the given mean (≥ 1). */
    private static long geometric(SplittableRandom r, double mean) {
        return 1 + (long) Math.floor(StrictMath.log(1 - r.nextDouble()) / StrictMath.log(1 - 1 / mean));
    }

    static double quantile(int[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

}
