package io.reelrank.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import io.reelrank.db.ScratchDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
class MovieLensLoaderTest {

    private static final MovieLensLoader.Options FORCE = new MovieLensLoader.Options(10_000, false, true);
    /** For the tiny data sets, whose few movies leave other tests' live ratings (the test users') orphaned. */
    private static final MovieLensLoader.Options TINY = new MovieLensLoader.Options(10_000, false, true, false, true,
            MovieLensLoader.Options.DEFAULT_LOCK_TIMEOUT_MS);

    @TempDir
    Path tmp;

    /**
     * The loader's tests load, break and reload data, some of it tiny sets that would orphan other
     * tests' live ratings: they run on a database of their own, with the sample loaded, dropped after.
     */
    private static ScratchDatabase own;

    private static synchronized Database sample() throws SQLException {
        if (own == null) {
            own = new ScratchDatabase(TestDatabase.get(), "loader");
            reloadSample();
        }
        return own.database();
    }

    private static void reloadSample() throws SQLException {
        MovieLensLoader.load(own.database(), TestDatabase.SAMPLE, FORCE, MovieLensLoader.Listener.NONE);
    }

    @AfterAll
    static void dropOwnDatabase() throws SQLException {
        if (own != null) own.close();
        own = null;
    }

    @Test
    void loadsTheWholeSample() throws Exception {
        Database db = sample();
        assertEquals(9_742, count(db, "SELECT count(*) FROM movies"));
        // Only the MovieLens rows: live ratings (API, cli, test users) would survive a reload beside them.
        assertEquals(100_836, count(db, "SELECT count(*) FROM ratings WHERE source = 'movielens'"));
        assertEquals(3_683, count(db, "SELECT count(*) FROM tags"));
        assertEquals(610, count(db, "SELECT count(DISTINCT user_id) FROM ratings WHERE source = 'movielens'"));
        assertEquals(9_742, count(db, "SELECT count(*) FROM movie_stats"));
    }

    @Test
    void parsesTitlesAndYearsAsTheRealFileHasThem() throws Exception {
        Database db = sample();
        assertEquals(List.of("American President, The", "1995"),
                row(db, "SELECT title, year FROM movies WHERE movie_id = 11"));
        assertEquals(List.of("City of Lost Children, The (Cité des enfants perdus, La)", "1995"),
                row(db, "SELECT title, year FROM movies WHERE movie_id = 29"));
        assertEquals(Arrays.asList("Babylon 5", null),
                row(db, "SELECT title, year FROM movies WHERE movie_id = 40697"));
        assertEquals(List.of("Runaway Brain", "1995"),
                row(db, "SELECT title, year FROM movies WHERE movie_id = 96608"));
        assertEquals(List.of("Death Note: Desu nôto", "2006"),
                row(db, "SELECT title, year FROM movies WHERE movie_id = 171749"));
        assertEquals(List.of("1978", "2001", "2002", "2003"), column(db,
                "SELECT year FROM movies WHERE title ILIKE '%lord of the rings%' ORDER BY year"));
    }

    @Test
    void keepsImdbZerosLeavesMissingTmdbNullAndEmptiesNoGenres() throws Exception {
        Database db = sample();
        assertEquals(List.of("0114709", "862"), row(db, "SELECT imdb_id, tmdb_id FROM movies WHERE movie_id = 1"));
        assertEquals(Arrays.asList("0113610", null),
                row(db, "SELECT imdb_id, tmdb_id FROM movies WHERE movie_id = 791"));
        assertEquals(8, count(db, "SELECT count(*) FROM movies WHERE tmdb_id IS NULL"));
        assertEquals(34, count(db, "SELECT count(*) FROM movies WHERE genres = '{}'"));
        assertEquals(980, count(db, "SELECT count(*) FROM movies WHERE 'Sci-Fi' = ANY (genres)"));
        assertEquals(779, count(db, "SELECT count(*) FROM movies WHERE 'Fantasy' = ANY (genres)"));
    }

    @Test
    void movieStatsEqualAnIndependentAggregate() throws Exception {
        Database db = sample();
        // Every movie, rated or not, against a plain GROUP BY over ratings.
        assertEquals(0, count(db, """
                SELECT count(*) FROM movies m
                LEFT JOIN (SELECT movie_id, count(*) AS n, avg(rating) AS a, min(rating) AS lo, max(rating) AS hi
                           FROM ratings GROUP BY movie_id) x ON x.movie_id = m.movie_id
                JOIN movie_stats s ON s.movie_id = m.movie_id
                WHERE s.rating_count <> coalesce(x.n, 0)
                   OR s.avg_rating IS DISTINCT FROM round(x.a, 2)
                   OR s.min_rating IS DISTINCT FROM x.lo OR s.max_rating IS DISTINCT FROM x.hi
                   OR m.rating_count <> s.rating_count OR m.avg_rating IS DISTINCT FROM s.avg_rating"""));
        assertEquals(18, count(db, "SELECT count(*) FROM movies m WHERE NOT EXISTS "
                + "(SELECT 1 FROM ratings r WHERE r.movie_id = m.movie_id AND r.source = 'movielens')"));
        assertEquals(329, count(db, "SELECT rating_count FROM movie_stats WHERE movie_id = 356"));
    }

    @Test
    void aSecondRunGivesTheSameDatabaseAndUnchangedFilesAreSkipped() throws Exception {
        Database db = sample();
        String before = snapshot(db);
        MovieLensLoader.Report again = MovieLensLoader.load(db, TestDatabase.SAMPLE, FORCE,
                MovieLensLoader.Listener.NONE);
        assertFalse(again.skipped());
        assertEquals(before, snapshot(db));
        MovieLensLoader.Report skipped = MovieLensLoader.load(db, TestDatabase.SAMPLE,
                MovieLensLoader.Options.defaults(), MovieLensLoader.Listener.NONE);
        assertTrue(skipped.skipped());
        assertEquals(100_836, skipped.ratings());
    }

    @Test
    void aBadRowInTheLastFileLeavesThePreviousLoadIntact() throws Exception {
        Database db = sample();
        String before = snapshot(db);
        Path dir = copySample();
        Files.writeString(dir.resolve("tags.csv"), "7,1,fine tag,1139045764\n7,1,bad,yesterday\n",
                StandardOpenOption.APPEND);
        BadInputException e = assertThrows(BadInputException.class,
                () -> MovieLensLoader.load(db, dir, FORCE, MovieLensLoader.Listener.NONE));
        assertEquals(
                "tags.csv line 3686, column 4 (timestamp): expected Unix seconds (0 to 32503680000), got 'yesterday'",
                e.getMessage());
        assertEquals(before, snapshot(db));
    }

    @Test
    void reportsEachKindOfBadRowWithFileLineAndColumn() throws Exception {
        Database db = sample();
        String before = snapshot(db);
        assertBad(db, "movies.csv", "1,Toy Story (1995)\n",
                "movies.csv line 4: expected 3 columns (movieId,title,genres), got 2");
        assertBad(db, "movies.csv", "x1,Toy (1995),Comedy\n",
                "movies.csv line 4, column 1 (movieId): expected a positive integer, got 'x1'");
        assertBad(db, "ratings.csv", "1,1,5.5,964982703\n",
                "ratings.csv line 4, column 3 (rating): rating must be 0.5-5.0 in steps of 0.5, got 5.5");
        assertBad(db, "ratings.csv", "1,1,0,964982703\n",
                "ratings.csv line 4, column 3 (rating): rating must be 0.5-5.0 in steps of 0.5, got 0");
        assertBad(db, "ratings.csv", "1,999,4.0,964982703\n",
                "ratings.csv line 4, column 2 (movieId): movieId 999 is not in movies.csv");
        assertBad(db, "ratings.csv", "1,abc,4.0,964982703\n",
                "ratings.csv line 4, column 2 (movieId): expected a positive integer, got 'abc'");
        assertBad(db, "ratings.csv", "1,2,4.0\n",
                "ratings.csv line 4: expected 4 columns (userId,movieId,rating,timestamp), got 3");
        assertBad(db, "ratings.csv", "1,1,3.0,964982703\n",
                "ratings.csv line 4: duplicate rating of movie 1 by user 1");
        assertBad(db, "links.csv", "2,0113497,notanumber\n",
                "links.csv line 3, column 3 (tmdbId): expected a positive integer, got 'notanumber'");
        assertEquals(before, snapshot(db));
    }

    @Test
    void rejectsInvalidUtf8WithItsLine() throws Exception {
        Database db = sample();
        Path dir = tinyDataset();
        byte[] bad = "3,Caf".getBytes(StandardCharsets.UTF_8);
        byte[] row = new byte[bad.length + 12];
        System.arraycopy(bad, 0, row, 0, bad.length);
        row[bad.length] = (byte) 0xC3; // a lead byte followed by ASCII: malformed
        System.arraycopy(" (1999),Drama\n".getBytes(StandardCharsets.UTF_8), 0, row, bad.length + 1, 11);
        Files.write(dir.resolve("movies.csv"), row, StandardOpenOption.APPEND);
        BadInputException e = assertThrows(BadInputException.class,
                () -> MovieLensLoader.load(db, dir, TINY, MovieLensLoader.Listener.NONE));
        assertEquals("movies.csv line 4: invalid UTF-8 at byte 6 of the line", e.getMessage());
        assertEquals(4, e.line());
    }

    @Test
    void namesAMissingFile() throws Exception {
        Database db = sample();
        Path dir = tinyDataset();
        Files.delete(dir.resolve("links.csv"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MovieLensLoader.load(db, dir, FORCE, MovieLensLoader.Listener.NONE));
        assertEquals("missing file: " + dir.resolve("links.csv"), e.getMessage());
    }

    @Test
    void skipBadRowsLoadsTheRestAndCountsTheSkipped() throws Exception {
        Database db = sample();
        Path dir = tinyDataset();
        Files.writeString(dir.resolve("ratings.csv"), "1,2,9,964982703\n2,1,4.5,964982703\n2,77,4.5,964982703\n",
                StandardOpenOption.APPEND);
        try {
            MovieLensLoader.Report r = MovieLensLoader.load(db, dir, new MovieLensLoader.Options(2, true, true, false,
                    true, MovieLensLoader.Options.DEFAULT_LOCK_TIMEOUT_MS), MovieLensLoader.Listener.NONE);
            assertEquals(2, r.badRows());
            assertEquals(List.of(
                    "ratings.csv line 4, column 3 (rating): rating must be 0.5-5.0 in steps of 0.5, got 9",
                    "ratings.csv line 6, column 2 (movieId): movieId 77 is not in movies.csv"), r.firstBadRows());
            assertEquals(3, r.ratings());
            assertEquals(2, count(db, "SELECT count(*) FROM movies"));
            assertEquals(2, count(db, "SELECT count(DISTINCT user_id) FROM ratings WHERE source = 'movielens'"));
            assertEquals(List.of("4.25", "2"), row(db, "SELECT round(avg(rating), 2), count(*) FROM ratings "
                    + "WHERE movie_id = 1 AND source = 'movielens'"));
            // the movie's figures count every rating of it, live ones (other tests' test users) included
            assertEquals(row(db, "SELECT round(avg(rating), 2), count(*) FROM ratings WHERE movie_id = 1"),
                    row(db, "SELECT avg_rating, rating_count FROM movies WHERE movie_id = 1"));
        } finally {
            reloadSample();
        }
    }

    @Test
    void rejectsABatchSizeOutOfRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MovieLensLoader.Options(0, false, false));
        assertEquals("--batch-size must be in 1-1000000, got 0", e.getMessage());
    }

    // ---- helpers

    /** Two movies, two links, two ratings, one tag: small enough to reason about by hand. */
    private Path tinyDataset() throws IOException {
        Path dir = Files.createTempDirectory(tmp, "tiny");
        Files.writeString(dir.resolve("movies.csv"),
                "movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n2,\"Jumanji, The (1995)\",Fantasy\n");
        Files.writeString(dir.resolve("links.csv"), "movieId,imdbId,tmdbId\n1,0114709,862\n");
        Files.writeString(dir.resolve("ratings.csv"),
                "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,2,3.5,964981247\n");
        Files.writeString(dir.resolve("tags.csv"), "userId,movieId,tag,timestamp\n1,1,\"pixar, fun\",1139045764\n");
        return dir;
    }

    @Test
    void aHeaderOnlyRatingsFileIsRefusedAndTheDatabaseStaysAsItWas() throws Exception {
        Database db = sample();
        String before = snapshot(db);
        Path dir = copySample();
        Files.writeString(dir.resolve("ratings.csv"), "userId,movieId,rating,timestamp\n");
        MovieLensLoader.ReloadRefusedException e = assertThrows(MovieLensLoader.ReloadRefusedException.class,
                () -> MovieLensLoader.load(db, dir, FORCE, MovieLensLoader.Listener.NONE));
        assertEquals(
                "ratings.csv has no ratings (only its header); refusing to replace the MovieLens ratings with none "
                + "(--allow-empty loads it anyway)", e.getMessage());
        assertEquals(before, snapshot(db));
    }

    @Test
    void aRatingsFileWithNoGoodRowLeftIsRefusedToo() throws Exception {
        Database db = sample();
        String before = snapshot(db);
        Path dir = copySample();
        Files.writeString(dir.resolve("ratings.csv"), "userId,movieId,rating,timestamp\n1,1,9,964982703\n");
        MovieLensLoader.ReloadRefusedException e = assertThrows(MovieLensLoader.ReloadRefusedException.class,
                () -> MovieLensLoader.load(db, dir, new MovieLensLoader.Options(10_000, true, true),
                        MovieLensLoader.Listener.NONE));
        assertTrue(e.getMessage().startsWith("ratings.csv has no ratings (1 bad rows skipped)"), e.getMessage());
        assertEquals(before, snapshot(db));
    }

    @Test
    void aHeaderOnlyMoviesFileIsRefused() throws Exception {
        Database db = sample();
        String before = snapshot(db);
        Path dir = copySample();
        Files.writeString(dir.resolve("movies.csv"), "movieId,title,genres\n");
        MovieLensLoader.ReloadRefusedException e = assertThrows(MovieLensLoader.ReloadRefusedException.class,
                () -> MovieLensLoader.load(db, dir, FORCE, MovieLensLoader.Listener.NONE));
        assertEquals(
                "movies.csv has no movies (only its header); refusing to empty the catalog (--allow-empty loads it "
                + "anyway)", e.getMessage());
        assertEquals(before, snapshot(db));
    }

    @Test
    void withAllowEmptyAHeaderOnlyRatingsFileLoadsAndLiveRatingsStay() throws Exception {
        Database db = sample();
        Path dir = copySample();
        Files.writeString(dir.resolve("ratings.csv"), "userId,movieId,rating,timestamp\n");
        long live = count(db, "SELECT count(*) FROM ratings WHERE source <> 'movielens'");
        try {
            MovieLensLoader.Report r = MovieLensLoader.load(db, dir, new MovieLensLoader.Options(10_000, false, true,
                    true, false, MovieLensLoader.Options.DEFAULT_LOCK_TIMEOUT_MS), MovieLensLoader.Listener.NONE);
            assertEquals(0, r.ratings());
            assertEquals(live, r.keptRatings());
            assertEquals(0, count(db, "SELECT count(*) FROM ratings WHERE source = 'movielens'"));
            assertEquals(live, count(db, "SELECT count(*) FROM ratings"));
        } finally {
            reloadSample();
        }
    }

    @Test
    void aReloadKeepsLiveRatingsAndTheLiveRatingWinsOverTheFile() throws Exception {
        Database db = sample();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO users (user_id) VALUES (39401) ON CONFLICT DO NOTHING");
            st.execute("INSERT INTO ratings (user_id, movie_id, rating, rated_at, source) VALUES "
                    + "(39401, 4993, 4.5, now(), 'api'), (39401, 1, 2.0, now(), 'cli'), "
                    // user 1 rated movie 1 4.0 in ratings.csv; the API rating of the same pair replaces it
                    + "(1, 1, 0.5, now(), 'api') "
                    + "ON CONFLICT (user_id, movie_id) DO UPDATE SET rating = EXCLUDED.rating, "
                    + "source = EXCLUDED.source");
        }
        try {
            MovieLensLoader.Report r = MovieLensLoader.load(db, TestDatabase.SAMPLE, FORCE,
                    MovieLensLoader.Listener.NONE);
            assertTrue(r.keptRatings() >= 3, "kept " + r.keptRatings());
            assertEquals(1, r.replacedByLive());
            assertEquals(List.of("4.5", "api"),
                    row(db, "SELECT rating::text, source FROM ratings WHERE user_id = 39401 AND movie_id = 4993"));
            assertEquals(List.of("2.0", "cli"),
                    row(db, "SELECT rating::text, source FROM ratings WHERE user_id = 39401 AND movie_id = 1"));
            assertEquals(List.of("0.5", "api"),
                    row(db, "SELECT rating::text, source FROM ratings WHERE user_id = 1 AND movie_id = 1"));
            assertEquals(100_835, count(db, "SELECT count(*) FROM ratings WHERE source = 'movielens'"));
            assertEquals(1, count(db, "SELECT count(*) FROM users WHERE user_id = 39401"));
            // movies.avg_rating and rating_count include the live ratings
            assertEquals(count(db, "SELECT count(*) FROM ratings WHERE movie_id = 4993"),
                    count(db, "SELECT rating_count FROM movies WHERE movie_id = 4993"));
        } finally {
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute("DELETE FROM ratings WHERE user_id = 39401 OR (user_id = 1 AND movie_id = 1)");
                st.execute("DELETE FROM users WHERE user_id = 39401");
            }
            reloadSample();
        }
    }

    @Test
    void aReloadThatDropsARatedMovieIsRefusedNamingTheRatingsUnlessTold() throws Exception {
        Database db = sample();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO users (user_id) VALUES (39402) ON CONFLICT DO NOTHING");
            st.execute("INSERT INTO ratings (user_id, movie_id, rating, rated_at, source) VALUES (39402, 193609, "
                    + "4.0, now(), 'api')");
        }
        Path dir = copySample();
        // movie 193609 is the last line of movies.csv and has ratings/links lines: drop them all
        for (String f : List.of("movies.csv", "links.csv", "ratings.csv")) {
            List<String> keep = Files.readAllLines(dir.resolve(f)).stream()
                    .filter(l -> !l.matches("^(\\d+,)?193609,.*")).toList();
            Files.write(dir.resolve(f), keep);
        }
        try {
            String before = snapshot(db);
            MovieLensLoader.ReloadRefusedException e = assertThrows(MovieLensLoader.ReloadRefusedException.class,
                    () -> MovieLensLoader.load(db, dir, FORCE, MovieLensLoader.Listener.NONE));
            assertEquals("the new movies.csv drops movies that 1 ratings not from MovieLens refer to: user 39402 movie "
                    + "193609 (api); keep those movies, or pass --drop-orphaned-ratings to delete these ratings",
                    e.getMessage());
            assertEquals(before, snapshot(db));

            MovieLensLoader.Report r = MovieLensLoader.load(db, dir, new MovieLensLoader.Options(10_000, false, true,
                    false, true, MovieLensLoader.Options.DEFAULT_LOCK_TIMEOUT_MS), MovieLensLoader.Listener.NONE);
            assertEquals(1, r.droppedRatings());
            assertEquals(0, count(db, "SELECT count(*) FROM ratings WHERE user_id = 39402"));
            assertEquals(0, count(db, "SELECT count(*) FROM users WHERE user_id = 39402"));
        } finally {
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute("DELETE FROM ratings WHERE user_id = 39402");
                st.execute("DELETE FROM users WHERE user_id = 39402");
            }
            reloadSample();
        }
    }

    @Test
    void ratingsByATestUsersIdInTheFilesAreRefused() throws Exception {
        Database db = sample();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO test_users (user_id, name) VALUES (1, 'Collides with a real user')");
        }
        try {
            String before = snapshot(db);
            MovieLensLoader.ReloadRefusedException e = assertThrows(MovieLensLoader.ReloadRefusedException.class,
                    () -> MovieLensLoader.load(db, TestDatabase.SAMPLE, FORCE, MovieLensLoader.Listener.NONE));
            assertTrue(e.getMessage().startsWith("ratings.csv has ratings by user(s) [1], which are test users"),
                    e.getMessage());
            assertEquals(before, snapshot(db));
        } finally {
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute("DELETE FROM test_users WHERE user_id = 1");
            }
        }
    }

    private void assertBad(Database db, String file, String appended, String message) throws IOException {
        Path dir = tinyDataset();
        Files.writeString(dir.resolve(file), appended, StandardOpenOption.APPEND);
        BadInputException e = assertThrows(BadInputException.class,
                () -> MovieLensLoader.load(db, dir, TINY, MovieLensLoader.Listener.NONE));
        assertEquals(message, e.getMessage());
    }

    private Path copySample() throws IOException {
        Path dir = Files.createTempDirectory(tmp, "sample");
        for (String f : List.of("movies.csv", "links.csv", "ratings.csv", "tags.csv")) {
            Files.copy(TestDatabase.SAMPLE.resolve(f), dir.resolve(f));
        }
        return dir;
    }

    /** A digest of every loaded table's content, ordered, so two states compare as strings. */
    static String snapshot(Database db) throws SQLException {
        List<String> parts = new ArrayList<>();
        for (String sql : List.of(
                "SELECT md5(string_agg(format('%s|%s|%s|%s|%s|%s|%s|%s', movie_id, title, year, imdb_id, tmdb_id, "
                        + "genres, avg_rating, rating_count), ',' ORDER BY movie_id)) FROM movies",
                "SELECT md5(string_agg(format('%s|%s|%s|%s', user_id, movie_id, rating, rated_at), "
                        + "',' ORDER BY user_id, movie_id)) FROM ratings",
                "SELECT md5(string_agg(format('%s|%s|%s|%s', user_id, movie_id, tag, tagged_at), "
                        + "',' ORDER BY user_id, movie_id, tag, tagged_at)) FROM tags",
                "SELECT md5(string_agg(user_id::text, ',' ORDER BY user_id)) FROM users",
                "SELECT md5(string_agg(format('%s|%s|%s|%s|%s', movie_id, rating_count, avg_rating, min_rating, "
                        + "max_rating), ',' ORDER BY movie_id)) FROM movie_stats")) {
            parts.add(row(db, sql).get(0));
        }
        return String.join(" ", parts);
    }

    static int count(Database db, String sql) throws SQLException {
        return Integer.parseInt(row(db, sql).get(0));
    }

    static List<String> row(Database db, String sql) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), "no row: " + sql);
            List<String> out = new ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) out.add(rs.getString(i));
            return out;
        }
    }

    static List<String> column(Database db, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        assertFalse(out.isEmpty(), "no rows: " + sql);
        return out;
    }

}
