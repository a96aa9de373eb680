package io.reelrank.db;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The number and the sum of all ratings, read from the one-row table {@code rating_totals} instead of
 * being computed over {@code ratings} (32M rows: seconds per read). Triggers on {@code ratings}
 * (migration V5) keep the row in the same transaction as every insert, update, delete and truncate,
 * whoever makes it, so the caller only reads; a writer of ratings holds the row's lock from its change
 * to its commit, which queues concurrent rating writes for that long. Read it on the connection whose
 * transaction should see its own writes (a new rating counts in the μ of that same rating).
 */
public record RatingTotals(long ratings, BigDecimal sum) {

    /** μ when there are no ratings: the middle of the 0.5-5.0 scale, rounded to a half star. */
    public static final double EMPTY_MEAN = 3.5;

    public static RatingTotals read(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT ratings, rating_sum FROM rating_totals")) {
            if (!rs.next()) {
                throw new IllegalStateException(
                        "rating_totals has no row: the schema migration V5__rating_totals.sql did not run");
            }
            return new RatingTotals(rs.getLong(1), rs.getBigDecimal(2));
        }
    }

    /** The global mean rating {@code μ = rating_sum / ratings}; {@link #EMPTY_MEAN} when there are none. */
    public double mean() {
        return ratings == 0 ? EMPTY_MEAN : sum.doubleValue() / ratings;
    }
}
