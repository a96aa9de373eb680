package io.reelrank.bench;

import io.reelrank.generate.MovieLensGenerator;
import io.reelrank.ingest.Titles;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * The latent truth behind a set written by {@code reelrank generate}: every movie's genres, title
 * words and quality q_m (movies.csv, movies_latent.csv) and every user's bias b_u and genre tastes
 * θ_ug (users_latent.csv), read whole into memory. From them, the generator's own star formula
 * ({@link MovieLensGenerator}): a user's expected rating of a movie before noise is
 * {@code x = μ + b_u + q_m + γ·mean_{g∈G_m} θ_ug} (μ = 3.19, γ = 0.6), a rating is
 * {@code round(2·(x + ε))/2} with ε ~ N(0, 0.9²), clamped to 0.5-5 stars (as for the generator's
 * half-star users); and the probability that the
 * user likes the movie, {@link #attraction}: {@code P(x + ε ≥ 3.5) = Φ((x − 3.5)/0.9)}, the chance
 * that they would give it 4 stars or more, which the simulated audience uses as a movie's
 * attractiveness and the latent NDCG as its gain. Errors name the file and line.
 */
public final class LatentTruth {

    /** A rating of 4 stars or more (x + ε rounds to ≥ 4) is "liked". */
    static final double LIKED_FROM = 3.5;

    private static final Set<String> STOP_WORDS = Set.of("the", "and", "for", "with", "from", "les", "der", "die",
            "das", "des", "una", "los", "las", "del");

    private final int[] movieIds; // ascending
    private final Map<Integer, Integer> movieIndex = new HashMap<>();
    private final int[][] movieGenres; // genre indexes
    private final String[][] movieWords;
    private final double[] quality;
    private final List<String> genres = new ArrayList<>();
    private final Map<String, Integer> genreIndex = new HashMap<>();
    private final Map<Integer, User> users = new HashMap<>();
    private final int[] userIds; // ascending

    /** One user's latent profile. */
    record User(int id, double bias, double[] theta, List<String> favourites) {}

    private LatentTruth(Path dir) throws IOException {
        Map<Integer, Double> q = new HashMap<>();
        for (CSVRecord r : read(dir.resolve("movies_latent.csv"), "movieId", "popularity", "quality")) {
            q.put(intField(r, "movieId", dir), doubleField(r, "quality", dir));
        }
        List<CSVRecord> movies = read(dir.resolve("movies.csv"), "movieId", "title", "genres");
        movieIds = new int[movies.size()];
        movieGenres = new int[movies.size()][];
        movieWords = new String[movies.size()][];
        quality = new double[movies.size()];
        List<int[]> order = new ArrayList<>();
        for (int i = 0; i < movies.size(); i++) order.add(new int[] {intField(movies.get(i), "movieId", dir), i});
        order.sort((a, b) -> Integer.compare(a[0], b[0]));
        for (int k = 0; k < order.size(); k++) {
            CSVRecord r = movies.get(order.get(k)[1]);
            int id = order.get(k)[0];
            movieIds[k] = id;
            movieIndex.put(id, k);
            Double qm = q.get(id);
            if (qm == null) {
                throw new IllegalArgumentException(dir.resolve("movies_latent.csv") + " has no line for movie " + id
                        + " of movies.csv line " + (r.getRecordNumber() + 1) + ": not a set of `reelrank generate`, or "
                        + "written before it wrote movies_latent.csv");
            }
            quality[k] = qm;
            String g = r.get("genres");
            movieGenres[k] = g.equals("(no genres listed)") ? new int[0]
                    : Arrays.stream(g.split("\\|")).mapToInt(this::genre).toArray();
            movieWords[k] = words(Titles.parse(r.get("title")).title());
        }
        List<CSVRecord> lines = read(dir.resolve("users_latent.csv"), "userId", "favourite_genres", "disliked_genre",
                "bias", "genre_tastes");
        userIds = new int[lines.size()];
        int n = 0;
        for (CSVRecord r : lines) {
            int id = intField(r, "userId", dir);
            double[] theta = new double[genres.size()];
            for (String part : r.get("genre_tastes").split("\\|")) {
                int colon = part.lastIndexOf(':');
                Integer g = colon < 0 ? null : genreIndex.get(part.substring(0, colon));
                if (g == null) {
                    throw new IllegalArgumentException(dir.resolve("users_latent.csv") + " line "
                            + (r.getRecordNumber() + 1) + ": genre_tastes entry '" + part + "' is not GENRE:θ of a "
                            + "genre in movies.csv");
                }
                theta[g] = Double.parseDouble(part.substring(colon + 1));
            }
            String fav = r.get("favourite_genres");
            users.put(id, new User(id, doubleField(r, "bias", dir), theta,
                    fav.isEmpty() ? List.of() : List.of(fav.split("\\|"))));
            userIds[n++] = id;
        }
        Arrays.sort(userIds);
    }

    /** Reads the three files of a generated set in {@code dir}. */
    public static LatentTruth read(Path dir) throws IOException {
        return new LatentTruth(dir);
    }

    private int genre(String name) {
        return genreIndex.computeIfAbsent(name, k -> {
            genres.add(k);
            return genres.size() - 1;
        });
    }

    static String[] words(String title) {
        return Arrays.stream(title.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+"))
                .filter(w -> w.length() >= 3 && !STOP_WORDS.contains(w) && !w.chars().allMatch(Character::isDigit))
                .distinct().toArray(String[]::new);
    }

    private static List<CSVRecord> read(Path file, String... columns) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            List<CSVRecord> records = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
                    .parse(in).getRecords();
            if (!records.isEmpty()) {
                for (String c : columns) {
                    if (!records.get(0).isMapped(c)) {
                        throw new IllegalArgumentException(file + " line 1: no column '" + c + "' (expected "
                                + String.join(",", columns) + ": a set written by `reelrank generate`)");
                    }
                }
            }
            return records;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + " does not exist: --data-dir must be a set written by "
                    + "`reelrank generate`");
        }
    }

    private static int intField(CSVRecord r, String column, Path dir) {
        try {
            return Integer.parseInt(r.get(column));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(dir + ": line " + (r.getRecordNumber() + 1) + " column " + column
                    + ": not an integer: '" + r.get(column) + "'");
        }
    }

    private static double doubleField(CSVRecord r, String column, Path dir) {
        try {
            return Double.parseDouble(r.get(column));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(dir + ": line " + (r.getRecordNumber() + 1) + " column " + column
                    + ": not a number: '" + r.get(column) + "'");
        }
    }

    /** The users' ids, ascending. */
    int[] userIds() {
        return userIds.clone();
    }

    /** The movies' ids, ascending. */
    int[] movieIds() {
        return movieIds.clone();
    }

    User user(int id) {
        User u = users.get(id);
        if (u == null) throw new IllegalArgumentException("user " + id + " is not in users_latent.csv");
        return u;
    }

    boolean hasMovie(int id) {
        return movieIndex.containsKey(id);
    }

    /** {@code μ + b_u + q_m + γ·mean_{g∈G_m} θ_ug}: the user's expected stars before noise and rounding. */
    double expectedStars(User u, int movieId) {
        Integer k = movieIndex.get(movieId);
        if (k == null) throw new IllegalArgumentException("movie " + movieId + " is not in movies.csv");
        double s = 0;
        for (int g : movieGenres[k]) s += u.theta()[g];
        double affinity = movieGenres[k].length == 0 ? 0 : s / movieGenres[k].length;
        return MovieLensGenerator.MEAN + u.bias() + quality[k] + MovieLensGenerator.TASTE_GAMMA * affinity;
    }

    /** {@code Φ((x − 3.5)/σ_ε)}: the probability the user would rate the movie 4 stars or more. */
    double attraction(User u, int movieId) {
        return normalCdf((expectedStars(u, movieId) - LIKED_FROM) / MovieLensGenerator.NOISE_SD);
    }

    /** A rating as the generator draws one for a half-star user: {@code clamp(round(2·(x + ε)), 1, 10) / 2}. */
    double stars(User u, int movieId, double standardNormal) {
        double x = expectedStars(u, movieId) + MovieLensGenerator.NOISE_SD * standardNormal;
        return Math.max(1, Math.min(10, Math.round(2 * x))) / 2.0;
    }

    /** The genres a user's queries are drawn from: the favourites. */
    List<String> favourites(User u) {
        return u.favourites();
    }

    /** Movies of genre {@code name}, ascending id. */
    int[] moviesOfGenre(String name) {
        Integer g = genreIndex.get(name);
        if (g == null) return new int[0];
        List<Integer> out = new ArrayList<>();
        for (int k = 0; k < movieIds.length; k++) {
            for (int x : movieGenres[k]) {
                if (x == g) {
                    out.add(movieIds[k]);
                    break;
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Movies whose title has the word (as {@link #words} splits titles), ascending id. */
    int[] moviesWithWord(String word) {
        List<Integer> out = new ArrayList<>();
        for (int k = 0; k < movieIds.length; k++) if (Arrays.asList(movieWords[k]).contains(word)) out.add(movieIds[k]);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The title words of movie {@code id}. */
    String[] titleWords(int movieId) {
        Integer k = movieIndex.get(movieId);
        return k == null ? new String[0] : movieWords[k].clone();
    }

    /**
     * Φ(z) = erfc(−z/√2)/2, erfc by the Chebyshev fit of Numerical Recipes in C (2nd ed., §6.2,
     * {@code erfcc}); the simulation test checks it against SciPy's {@code norm.cdf}.
     */
    static double normalCdf(double z) {
        double x = -z / Math.sqrt(2);
        double t = 1 / (1 + 0.5 * Math.abs(x));
        double y = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223
                + t * 0.17087277)))))))));
        double erfc = x >= 0 ? y : 2 - y;
        return 0.5 * erfc;
    }

    /**
     * Latent NDCG@k of a shown list for one user: {@code DCG = Σ_{i≤k} g_i / log2(i + 1)}, the gain
     * g = {@link #attraction} (the probability the user likes the movie, in [0, 1]); divided by the DCG
     * of the best order of {@code pool}'s gains (the ideal's candidates; the shown movies are added to
     * it, so the figure never exceeds 1). 0 when the ideal's DCG is 0.
     */
    double ndcg(User u, int[] shown, int[] pool, int k) {
        double dcg = 0;
        for (int i = 0; i < Math.min(k, shown.length); i++) {
            dcg += attraction(u, shown[i]) / (Math.log(i + 2) / Math.log(2));
        }
        java.util.Set<Integer> ideal = new java.util.HashSet<>();
        for (int m : pool) ideal.add(m);
        for (int m : shown) ideal.add(m);
        double[] gains = ideal.stream().mapToDouble(m -> attraction(u, m)).sorted().toArray();
        double idcg = 0;
        for (int i = 0; i < Math.min(k, gains.length); i++) {
            idcg += gains[gains.length - 1 - i] / (Math.log(i + 2) / Math.log(2));
        }
        return idcg == 0 ? 0 : dcg / idcg;
    }
}
