package io.reelrank.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import io.reelrank.db.ScratchDatabase;
import io.reelrank.ingest.MovieLensLoader;
import io.reelrank.ingest.Titles;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generated set of 60,000 ratings (seed 7) read back file by file: the MovieLens format, the
 * promised shape (every user ≥ 20 ratings, long tails, time order, no rating before a release) and
 * the latent tastes showing in the data; then the real loader over the real database.
 */
@Tag("integration")
class MovieLensGeneratorTest {

    private static final long RATINGS = 60_000;
    private static final long SEED = 7;

    @TempDir
    static Path tmp;

    private static Path dir;
    private static MovieLensGenerator.Summary summary;
    private static Map<Integer, Movie> movies;
    private static List<long[]> ratings; // {user, movie, half stars, timestamp}, in file order

    record Movie(int id, String title, Integer year, Set<String> genres) {}

    @BeforeAll
    static void generate() throws IOException {
        dir = tmp.resolve("set");
        summary = MovieLensGenerator.write(options(RATINGS, SEED), dir, false, MovieLensGenerator.Listener.NONE);
        movies = new HashMap<>();
        for (CSVRecord r : csv(dir.resolve("movies.csv"))) {
            Titles.Parsed t = Titles.parse(r.get(1));
            Set<String> g = new HashSet<>(Arrays.asList(r.get(2).split("\\|")));
            movies.put(Integer.parseInt(r.get(0)), new Movie(Integer.parseInt(r.get(0)), t.title(), t.year(), g));
        }
        ratings = new ArrayList<>();
        List<String> lines = Files.readAllLines(dir.resolve("ratings.csv"));
        assertEquals("userId,movieId,rating,timestamp", lines.get(0));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            assertEquals(4, f.length, line);
            ratings.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]),
                    Math.round(Double.parseDouble(f[2]) * 2), Long.parseLong(f[3])});
        }
    }

    /** The generated sets load into a database of their own, so the shared sample is never touched. */
    private static ScratchDatabase own;

    static synchronized Database ownDatabase() throws SQLException {
        if (own == null) own = new ScratchDatabase(TestDatabase.get(), "generator");
        return own.database();
    }

    @AfterAll
    static void dropOwnDatabase() throws SQLException {
        if (own != null) own.close();
    }

    static MovieLensGenerator.Options options(long n, long seed) {
        return new MovieLensGenerator.Options(n, null, null, null, seed, TestDatabase.SAMPLE, false);
    }

    @Test
    void sizesFollowThePowerLawThroughBothRealSets() throws IOException {
        assertEquals(610, MovieLensGenerator.scaled(610, 200_948, 100_836));
        assertEquals(200_948, MovieLensGenerator.scaled(610, 200_948, 32_000_204));
        assertEquals(87_585, MovieLensGenerator.scaled(9_742, 87_585, 32_000_204));
        MovieLensGenerator.GenerationPlan p = summary.plan();
        assertEquals(RATINGS, ratings.size());
        assertEquals(MovieLensGenerator.scaled(610, 200_948, RATINGS), p.users());
        assertEquals(p.movies(), movies.size());
        assertEquals(p.tags(), csv(dir.resolve("tags.csv")).size());
    }

    @Test
    void sameSeedAndOptionsGiveByteIdenticalFilesAndAnotherSeedOthers() throws IOException {
        Path again = tmp.resolve("again");
        MovieLensGenerator.write(options(RATINGS, SEED), again, false, MovieLensGenerator.Listener.NONE);
        for (String f : List.of("movies.csv", "links.csv", "ratings.csv", "tags.csv", "README.txt")) {
            assertArrayEquals(Files.readAllBytes(dir.resolve(f)), Files.readAllBytes(again.resolve(f)), f);
        }
        Path other = tmp.resolve("other");
        MovieLensGenerator.write(options(RATINGS, SEED + 1), other, false, MovieLensGenerator.Listener.NONE);
        assertFalse(Arrays.equals(Files.readAllBytes(dir.resolve("ratings.csv")),
                Files.readAllBytes(other.resolve("ratings.csv"))));
    }

    @Test
    void everyUserHasAtLeastTwentyRatingsAndEveryMovieOneWithNoPairTwice() {
        Map<Long, Integer> perUser = new HashMap<>();
        Set<Long> pairs = new HashSet<>();
        Set<Long> rated = new HashSet<>();
        for (long[] r : ratings) {
            perUser.merge(r[0], 1, Integer::sum);
            assertTrue(pairs.add(r[0] << 32 | r[1]), "user " + r[0] + " rated movie " + r[1] + " twice");
            assertTrue(movies.containsKey((int) r[1]), "movie " + r[1] + " is not in movies.csv");
            assertTrue(r[2] >= 1 && r[2] <= 10, "half stars " + r[2]);
            rated.add(r[1]);
        }
        assertEquals(summary.plan().users(), perUser.size());
        assertEquals(summary.plan().users(), perUser.keySet().stream().mapToLong(Long::longValue).max().orElseThrow());
        assertTrue(perUser.values().stream().allMatch(n -> n >= 20), "a user with fewer than 20 ratings");
        assertEquals(movies.size(), rated.size(), "movies nobody rated");
    }

    @Test
    void linesAreOrderedByUserThenMovieAsMovieLensOrdersThem() {
        for (int i = 1; i < ratings.size(); i++) {
            long[] a = ratings.get(i - 1);
            long[] b = ratings.get(i);
            assertTrue(a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]), "line " + (i + 2) + " out of order");
        }
    }

    @Test
    void noRatingPrecedesItsMovieOrHalfStarsAndAllFallInTheSamplesYears() {
        long start = LocalDate.of(1996, 3, 29).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
        long end = LocalDate.of(2018, 9, 25).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
        Map<Integer, Integer> perYear = new HashMap<>();
        for (long[] r : ratings) {
            Integer year = movies.get((int) r[1]).year();
            if (year != null) {
                assertTrue(r[3] >= LocalDate.of(year, 1, 1).atStartOfDay().toEpochSecond(ZoneOffset.UTC),
                        "movie " + r[1] + " of " + year + " rated at " + r[3]);
            }
            assertTrue(r[3] >= start && r[3] < end, "timestamp " + r[3]);
            if (r[3] < MovieLensGenerator.HALF_STARS_FROM) assertEquals(0, r[2] % 2, "a half star before 2003-02-18");
            perYear.merge(LocalDate.ofEpochDay(r[3] / 86_400).getYear(), 1, Integer::sum);
        }
        // a log over the years, not one burst: ratings in most of the 23 years, none holding most of them
        assertTrue(perYear.size() >= 15, perYear.toString());
        assertTrue(perYear.values().stream().allMatch(n -> n < ratings.size() / 3), perYear.toString());
    }

    @Test
    void popularityAndActivityHaveLongTailsLikeTheSample() {
        MovieLensGenerator.Shape g = summary.generated();
        MovieLensGenerator.Shape real = summary.real();
        assertEquals(0.157, real.top1Share(), 0.001);
        assertEquals(0.601, real.top10Share(), 0.001);
        // the top 1% of movies hold more than 10x their share, the top 10% more than half the ratings
        assertTrue(g.top1Share() > 0.10, "top 1%: " + g.top1Share());
        assertTrue(g.top10Share() > 0.45, "top 10%: " + g.top10Share());
        assertTrue(g.p99PerUser() > 8 * g.medianPerUser(), g.p99PerUser() + " vs median " + g.medianPerUser());
        assertTrue(g.minPerUser() >= 20, "minimum " + g.minPerUser());
        assertEquals(real.meanStars(), g.meanStars(), 0.15);
    }

    @Test
    void fansRateTheirFavouriteGenresMoreOftenAndHigher() throws IOException {
        Map<Integer, String[]> tastes = new HashMap<>();
        for (CSVRecord r : csv(dir.resolve("users_latent.csv"))) {
            tastes.put(Integer.parseInt(r.get(0)), new String[] {r.get(1), r.get(2)});
        }
        assertEquals(summary.plan().users(), tastes.size());
        double favSum = 0, otherSum = 0, dislikedSum = 0;
        long favN = 0, otherN = 0, dislikedN = 0;
        int usersAbove = 0, usersCompared = 0;
        double favShareOfRatings = 0, favShareOfCatalogue = 0;
        int users = 0;
        Map<Long, List<long[]>> byUser = new HashMap<>();
        for (long[] r : ratings) byUser.computeIfAbsent(r[0], k -> new ArrayList<>()).add(r);
        for (Map.Entry<Long, List<long[]>> e : byUser.entrySet()) {
            Set<String> fav = Set.of(tastes.get(e.getKey().intValue())[0].split("\\|"));
            String disliked = tastes.get(e.getKey().intValue())[1];
            double fs = 0, os = 0;
            int fn = 0, on = 0, hits = 0;
            for (long[] r : e.getValue()) {
                Set<String> g = movies.get((int) r[1]).genres();
                if (g.stream().anyMatch(fav::contains)) {
                    fs += r[2] / 2.0;
                    fn++;
                    hits++;
                } else if (g.contains(disliked)) {
                    dislikedSum += r[2] / 2.0;
                    dislikedN++;
                } else {
                    os += r[2] / 2.0;
                    on++;
                }
            }
            favSum += fs;
            favN += fn;
            otherSum += os;
            otherN += on;
            if (fn >= 10 && on >= 10) {
                usersCompared++;
                if (fs / fn > os / on) usersAbove++;
            }
            long inCatalogue = movies.values().stream().filter(m -> m.genres().stream().anyMatch(fav::contains))
                    .count();
            favShareOfRatings += (double) hits / e.getValue().size();
            favShareOfCatalogue += (double) inCatalogue / movies.size();
            users++;
        }
        double fav = favSum / favN, other = otherSum / otherN, disliked = dislikedSum / dislikedN;
        assertTrue(fav > other + 0.2, "favourites " + fav + " vs others " + other);
        assertTrue(disliked < other - 0.1, "disliked " + disliked + " vs others " + other);
        assertTrue(usersAbove > 0.75 * usersCompared,
                usersAbove + " of " + usersCompared + " users rate favourites higher");
        assertTrue(favShareOfRatings / users > 1.3 * favShareOfCatalogue / users, "share of ratings on favourites "
                + favShareOfRatings / users + " vs catalogue " + favShareOfCatalogue / users);
    }

    @Test
    void titlesUseTheSamplesWordsAndItsTrailingArticles() throws IOException {
        Set<String> sampleWords = new HashSet<>();
        for (CSVRecord r : csv(TestDatabase.SAMPLE.resolve("movies.csv"))) {
            for (String w : r.get(1).split("[\\s,()\"]+")) if (!w.isEmpty()) sampleWords.add(w);
        }
        int articles = 0;
        for (Movie m : movies.values()) {
            for (String w : m.title().split("[\\s,()\"]+")) {
                if (!w.isEmpty()) assertTrue(sampleWords.contains(w), "'" + w + "' in '" + m.title() + "'");
            }
            if (m.title().endsWith(", The")) articles++;
        }
        assertTrue(articles > movies.size() / 50, articles + " titles end in ', The'");
        assertTrue(movies.values().stream().filter(m -> m.year() != null).count() > 0.99 * movies.size());
    }

    @Test
    void ingestLoadsTheGeneratedSetUnchangedThroughTheRealDatabase() throws Exception {
        Database db = ownDatabase();
        MovieLensLoader.Report r = MovieLensLoader.load(db, dir, new MovieLensLoader.Options(10_000, false, true),
                MovieLensLoader.Listener.NONE);
        assertEquals(movies.size(), r.movies());
        assertEquals(RATINGS, r.ratings());
        assertEquals(summary.plan().tags(), r.tags());
        assertEquals(summary.plan().users(), r.users());
        assertEquals(0, r.badRows());
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM movies WHERE rating_count = 0")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "movies without a rating after the load");
        }
    }

    @Test
    void ingestAcceptsWholeNumberRatingsWrittenWithoutADecimal() throws Exception {
        Path copy = tmp.resolve("whole");
        Files.createDirectories(copy);
        for (String f : List.of("movies.csv", "links.csv", "tags.csv")) Files.copy(dir.resolve(f), copy.resolve(f));
        List<String> lines = Files.readAllLines(dir.resolve("ratings.csv"));
        List<String> whole = new ArrayList<>();
        for (String l : lines) whole.add(l.replaceAll(",(\\d)\\.0,", ",$1,"));
        assertTrue(whole.get(1).matches("\\d+,\\d+,\\d(\\.5)?,\\d+"), whole.get(1));
        Files.write(copy.resolve("ratings.csv"), whole, StandardCharsets.UTF_8);
        MovieLensLoader.Report r = MovieLensLoader.load(ownDatabase(), copy,
                new MovieLensLoader.Options(10_000, false, true), MovieLensLoader.Listener.NONE);
        assertEquals(RATINGS, r.ratings());
    }

    @Test
    void sampleMoviesKeepsTheSamplesCatalogueByteForByte() throws IOException {
        Path out = tmp.resolve("sample-movies");
        MovieLensGenerator.Summary s = MovieLensGenerator.write(
                new MovieLensGenerator.Options(20_000, null, null, null, SEED, TestDatabase.SAMPLE, true), out, false,
                MovieLensGenerator.Listener.NONE);
        assertEquals(9_742, s.plan().movies());
        for (String f : List.of("movies.csv", "links.csv")) {
            assertArrayEquals(Files.readAllBytes(TestDatabase.SAMPLE.resolve(f)), Files.readAllBytes(out.resolve(f)),
                    f);
        }
        assertEquals(20_001, Files.readAllLines(out.resolve("ratings.csv")).size());
    }

    @Test
    void rejectsOptionsOutsideTheirRangesNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MovieLensGenerator.plan(options(9_999, 1)));
        assertEquals("--ratings must be in 10,000-100,000,000, got 9,999", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MovieLensGenerator.plan(
                new MovieLensGenerator.Options(10_000, 501, null, null, 1, TestDatabase.SAMPLE, false)));
        assertEquals("--users must be in 1-500 for 10,000 ratings (every user rates at least 20 movies), got 501",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MovieLensGenerator.plan(
                new MovieLensGenerator.Options(10_000, 100, 9_000, null, 1, TestDatabase.SAMPLE, false)));
        assertEquals("--movies must be in 100-8,000 for 10,000 ratings by 100 users (every movie gets a rating, "
                + "every user 20), got 9,000", e.getMessage());
    }

    @Test
    void refusesToOverwriteADataSetUnlessForced() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MovieLensGenerator.write(options(RATINGS, SEED), dir, false, MovieLensGenerator.Listener.NONE));
        assertTrue(e.getMessage().endsWith(
                "movies.csv already exists; choose an empty directory or give --force to overwrite"),
                e.getMessage());
    }

    private static List<CSVRecord> csv(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
            return p.getRecords();
        }
    }
}
