package io.reelrank.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.model.ItemVectors;
import io.reelrank.service.RatingService;
import io.reelrank.user.UserTower;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code rating_totals} (migration V5) against a real count and sum of {@code ratings} after every
 * kind of write, and the global mean μ read from it rather than from the ratings.
 */
@Tag("integration")
class RatingTotalsTest {

    /** A user id no real or test user has. */
    private static final int NEW_USER = 990_001;

    private static RatingTotals scanned(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), coalesce(sum(rating), 0) FROM ratings")) {
            rs.next();
            return new RatingTotals(rs.getLong(1), rs.getBigDecimal(2));
        }
    }

    private static void assertInStep(Connection c, String after) throws SQLException {
        RatingTotals kept = RatingTotals.read(c);
        RatingTotals real = scanned(c);
        assertEquals(real.ratings(), kept.ratings(), "ratings after " + after);
        assertEquals(0, real.sum().compareTo(kept.sum()), "sum after " + after + ": kept " + kept.sum() + ", real "
                + real.sum());
    }

    @Test
    void aNewRatingAndItsReplacementMoveTheTotalsInTheirOwnTransaction() throws Exception {
        Database db = TestDatabase.personalized();
        ItemVectors items = ItemVectors.load(db, true);
        RatingService ratings = new RatingService(db, () -> items, () -> null, UserTower.DEFAULT_SHRINKAGE, null);
        try (Connection c = db.connect()) {
            RatingTotals before = RatingTotals.read(c);
            try {
                ratings.rate(NEW_USER, 1, 4.5, RatingSource.CLI);
                RatingTotals one = RatingTotals.read(c);
                assertEquals(before.ratings() + 1, one.ratings());
                assertEquals(0, before.sum().add(new BigDecimal("4.5")).compareTo(one.sum()), one.sum().toString());
                ratings.rate(NEW_USER, 1, 2.0, RatingSource.CLI);
                RatingTotals replaced = RatingTotals.read(c);
                assertEquals(before.ratings() + 1, replaced.ratings(), "a replaced rating is not a new one");
                assertEquals(0, before.sum().add(new BigDecimal("2.0")).compareTo(replaced.sum()),
                        replaced.sum().toString());
                assertInStep(c, "a replaced rating");
            } finally {
                try (Statement st = c.createStatement()) {
                    st.execute("DELETE FROM ratings WHERE user_id = " + NEW_USER);
                    st.execute("DELETE FROM users WHERE user_id = " + NEW_USER);
                    st.execute("UPDATE movies SET (avg_rating, rating_count) = (SELECT round(avg(rating), 2), count(*) "
                            + "FROM ratings WHERE movie_id = 1) WHERE movie_id = 1");
                }
            }
            assertEquals(before, RatingTotals.read(c), "deleting the rating again restores the totals");
        }
    }

    @Test
    void batchWritesACascadeFromADeletedMovieAndTruncateKeepThemInStep() throws Exception {
        Database db = TestDatabase.sample();
        try (Connection c = db.connect()) {
            RatingTotals before = RatingTotals.read(c);
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("INSERT INTO ratings (user_id, movie_id, rating, rated_at) "
                        + "SELECT " + NEW_USER + ", movie_id, 3.5, now() FROM movies ORDER BY movie_id LIMIT 300");
                assertInStep(c, "an INSERT … SELECT of 300 rows");
                st.execute("UPDATE ratings SET rating = 5.0 WHERE user_id = " + NEW_USER + " AND movie_id % 2 = 0");
                assertInStep(c, "an UPDATE of many rows");
                st.execute("INSERT INTO ratings (user_id, movie_id, rating, rated_at) SELECT " + NEW_USER
                        + ", movie_id, 0.5, now() FROM movies ORDER BY movie_id LIMIT 400 "
                        + "ON CONFLICT (user_id, movie_id) DO UPDATE SET rating = EXCLUDED.rating");
                assertInStep(c, "an upsert that both inserts and updates");
                st.execute("DELETE FROM movies WHERE movie_id = 356"); // Forrest Gump: 329 ratings go by cascade
                assertInStep(c, "a cascade from a deleted movie");
                st.execute("DELETE FROM ratings WHERE user_id = " + NEW_USER);
                assertInStep(c, "a DELETE");
                st.execute("TRUNCATE ratings CASCADE");
                assertEquals(new RatingTotals(0, BigDecimal.ZERO).ratings(), RatingTotals.read(c).ratings());
                assertEquals(0, RatingTotals.read(c).sum().signum());
                assertEquals(RatingTotals.EMPTY_MEAN, UserTower.globalMean(c));
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
            assertEquals(before, RatingTotals.read(c), "a rolled-back transaction leaves the totals as they were");
            assertInStep(c, "the rollback");
        }
    }

    @Test
    void theTestUsersAndAReloadKeepThemInStep() throws Exception {
        Database db = TestDatabase.personalized();
        ItemVectors items = ItemVectors.load(db, true);
        RatingService ratings = new RatingService(db, () -> items, () -> null, UserTower.DEFAULT_SHRINKAGE, null);
        try (Connection c = db.connect()) {
            ratings.removeTestUsers();
            assertInStep(c, "removing the test users");
            assertEquals(100_836, RatingTotals.read(c).ratings());
            ratings.createTestUsers();
            assertInStep(c, "creating the test users");
            // TRUNCATE, a binary COPY of 100,836 rows and the live (test users') ratings put back, in one transaction
            TestDatabase.reloadSample();
            assertInStep(c, "a reload");
        } finally {
            TestDatabase.personalized(); // the reload cleared the real users' vectors: bring them back
        }
    }

    @Test
    void theGlobalMeanIsTheTotalsRowNotAnAverageOverTheRatings() throws Exception {
        Database db = TestDatabase.sample();
        try (Connection c = db.connect()) {
            assertEquals(scanned(c).sum().doubleValue() / scanned(c).ratings(), UserTower.globalMean(c), 1e-12);
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                // Only the row changes, not a single rating: μ follows the row, so nothing reads the ratings.
                st.execute("UPDATE rating_totals SET ratings = 4, rating_sum = 10");
                assertEquals(2.5, UserTower.globalMean(c));
                st.execute("UPDATE rating_totals SET ratings = 0, rating_sum = 0");
                assertEquals(RatingTotals.EMPTY_MEAN, UserTower.globalMean(c));
                assertTrue(scanned(c).ratings() > 0);
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }
}
