package io.reelrank.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import io.reelrank.db.RatingSource;
import io.reelrank.index.MovieIndex;
import io.reelrank.model.ItemVectors;
import io.reelrank.user.UserTower;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one place that stores a rating, against the real database and a real index: validation first,
 * then the row with its source, the movie's statistics, the user's vector and the index entry, all or
 * nothing; a reload holding the tables makes it fail "busy" in bounded time, having written nothing.
 */
@Tag("integration")
class RatingServiceTest {

    static final int USER = 39601;
    static Database db;
    static ItemVectors items;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        db = TestDatabase.personalized();
        items = ItemVectors.load(db, true);
    }

    @AfterAll
    static void removeTheUser() throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("UPDATE movies m SET (avg_rating, rating_count) = (SELECT round(avg(r.rating), 2), count(*) "
                    + "FROM ratings r WHERE r.movie_id = m.movie_id AND r.user_id <> " + USER + ") "
                    + "WHERE m.movie_id IN (SELECT movie_id FROM ratings WHERE user_id = " + USER + ")");
            st.execute("DELETE FROM ratings WHERE user_id = " + USER);
            st.execute("DELETE FROM users WHERE user_id = " + USER);
            // The ratings went without RatingService: put the movies' figures back.
            io.reelrank.db.MovieStats.refresh(st);
        }
    }

    static RatingService service(Path index, long lockTimeoutMs) {
        return new RatingService(db, () -> items, () -> null, UserTower.DEFAULT_SHRINKAGE, index, lockTimeoutMs);
    }

    static int count(String sql) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void rejectsRatingAboveFiveAndOffHalfSteps() {
        assertEquals("rating must be 0.5-5.0 in steps of 0.5, got 5.5",
                assertThrows(RatingService.BadRatingException.class,
                        () -> service(null, 1000).rate(USER, 1, 5.5, RatingSource.CLI)).getMessage());
        assertEquals("rating must be 0.5-5.0 in steps of 0.5, got 3.3",
                assertThrows(RatingService.BadRatingException.class,
                        () -> service(null, 1000).rate(USER, 1, 3.3, RatingSource.CLI)).getMessage());
        assertEquals("user id must be a positive integer, got 0", assertThrows(RatingService.BadRatingException.class,
                () -> service(null, 1000).rate(0, 1, 3, RatingSource.CLI)).getMessage());
    }

    @Test
    void anUnknownMovieIsTypedAndWritesNothing() throws Exception {
        RatingService.UnknownMovieException e = assertThrows(RatingService.UnknownMovieException.class,
                () -> service(null, 1000).rate(USER + 1, 999_999_999, 4, RatingSource.API));
        assertTrue(e.getMessage().startsWith("unknown movie 999999999"), e.getMessage());
        assertEquals(0, count("SELECT count(*) FROM users WHERE user_id = " + (USER + 1)));
    }

    @Test
    void aRatingMovesTheMoviesStatisticsAndItsIndexEntryWithIt() throws Exception {
        Path index = tmp.resolve("index");
        MovieIndex.rebuild(db, index);
        int before = count("SELECT rating_count FROM movies WHERE movie_id = 318");
        RatingService.Stored s = service(index, 5_000).rate(USER, 318, 4.5, RatingSource.CLI);
        assertFalse(s.replaced());
        assertTrue(s.vector() != null, "a rating of an embedded movie gives the user a vector");
        assertEquals(before + 1, count("SELECT rating_count FROM movies WHERE movie_id = 318"));
        assertEquals(1, count("SELECT count(*) FROM ratings WHERE user_id = " + USER
                + " AND movie_id = 318 AND source = 'cli'"));
        MovieIndex.Check c = MovieIndex.check(db, index);
        assertFalse(c.stale(), c.describe());
    }

    @Test
    void whileAReloadHoldsTheTablesARatingFailsBusyAndWritesNothing() throws Exception {
        try (Connection hold = db.connect(); Statement st = hold.createStatement()) {
            hold.setAutoCommit(false);
            st.execute("LOCK TABLE movies IN SHARE ROW EXCLUSIVE MODE"); // what a reload takes first
            RatingService.BusyException e = assertThrows(RatingService.BusyException.class,
                    () -> service(null, 300).rate(USER + 2, 1, 4, RatingSource.API));
            assertTrue(e.getMessage().startsWith(
                    "a reload or another batch job is running (the tables stayed locked for 300 ms)"),
                    e.getMessage());
            hold.rollback();
        }
        assertEquals(0, count("SELECT count(*) FROM ratings WHERE user_id = " + (USER + 2)));
    }
}
