package io.reelrank.service;

import io.reelrank.db.Changes;
import io.reelrank.db.Database;
import io.reelrank.db.Locks;
import io.reelrank.db.RatingSource;
import io.reelrank.index.MovieIndex;
import io.reelrank.model.FactorModel;
import io.reelrank.model.FoldIn;
import io.reelrank.model.ItemVectors;
import io.reelrank.user.TestUsers;
import io.reelrank.user.UserTower;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that stores ratings: {@code reelrank rate}, {@code POST /api/users/{id}/ratings} and
 * {@code reelrank test-users} all come here. {@link #rate} runs these steps, in this order:
 * <ol>
 *   <li>validate (a rating of 0.5-5.0 in half steps, a positive user id), before any database work;</li>
 *   <li>in one transaction: lock the tables in {@link Locks}' order (waiting at most
 *       {@link #lockTimeoutMs}, e.g. behind a reload), check the movie, write the rating row with its
 *       {@link RatingSource}, the movie's {@code avg_rating}/{@code rating_count}, the user's content
 *       vector ({@link UserTower#recompute}), the user folded into the active collaborative model
 *       ({@link FoldIn#update}: one k×k solve against its fixed item vectors), and the change
 *       notifications (that user; that movie's index entry), then commit;</li>
 *   <li>after the commit: the movie's entry in this process's index directory, if it has one.</li>
 * </ol>
 * A new step (another model's user side) goes in {@link #storeInTransaction} beside the user
 * vectors. Failures are typed: {@link BadRatingException}, {@link UnknownMovieException} (nothing was
 * written), {@link BusyException} (the locks were not free in time: a reload is running; retry). The
 * caller supplies the item vectors and its copy of the active model (suppliers, so a server that
 * reloads them is followed; a null model means "read the active one") and may share one instance
 * between threads.
 */
public final class RatingService {

    private static final Logger LOG = LoggerFactory.getLogger(RatingService.class);

    /** How long a rating waits for a batch job (a reload, the test users) to release the tables. */
    public static final long DEFAULT_LOCK_TIMEOUT_MS = 5_000;

    /** The rating is outside 0.5-5.0 or not a half step, or the user id is not positive. */
    public static final class BadRatingException extends IllegalArgumentException {
        BadRatingException(String message) {
            super(message);
        }
    }

    /** The movie is not in the catalog. */
    public static final class UnknownMovieException extends IllegalArgumentException {
        UnknownMovieException(int movieId) {
            super("unknown movie " + movieId + ": no such movie_id in the movies table");
        }
    }

    /** The tables stayed locked (a reload or another batch job is running) longer than the lock timeout. */
    public static final class BusyException extends RuntimeException {
        BusyException(long ms, Throwable cause) {
            super("a reload or another batch job is running (the tables stayed locked for " + ms
                    + " ms); nothing was written, retry in a few seconds", cause);
        }
    }

    /**
     * What {@link #rate} stored: the movie's title, whether a rating was replaced, the user's new content
     * vector and the fold-in (null when no model is active; its model is the version folded into).
     */
    public record Stored(int userId, int movieId, double rating, String title, boolean replaced, float[] vector,
                         FoldIn.Result foldIn) {}

    private final Database db;
    private final Supplier<ItemVectors> items;
    private final Supplier<FactorModel> model;
    private final double shrinkage;
    private final Path indexDir;
    private final long lockTimeoutMs;

    /**
     * @param items     the item vectors the user tower uses (centered, as the searches use them)
     * @param shrinkage k of the user tower, ≥ 0
     * @param indexDir  the Lucene index this process searches, brought in step after each commit; null for none
     */
    public RatingService(Database db, Supplier<ItemVectors> items, Supplier<FactorModel> model, double shrinkage,
                         Path indexDir) {
        this(db, items, model, shrinkage, indexDir, DEFAULT_LOCK_TIMEOUT_MS);
    }

    /** @param model the caller's copy of the active collaborative model (its value may be null: read the active one) */
    public RatingService(Database db, Supplier<ItemVectors> items, Supplier<FactorModel> model, double shrinkage,
                         Path indexDir, long lockTimeoutMs) {
        if (!(shrinkage >= 0 && Double.isFinite(shrinkage))) {
            throw new IllegalArgumentException("shrinkage must be a finite number >= 0, got " + shrinkage);
        }
        if (lockTimeoutMs < 1 || lockTimeoutMs > 600_000) {
            throw new IllegalArgumentException("lock timeout must be in 1-600000 ms, got " + lockTimeoutMs);
        }
        this.db = db;
        this.items = items;
        this.model = model;
        this.shrinkage = shrinkage;
        this.indexDir = indexDir == null ? null : indexDir.toAbsolutePath().normalize();
        this.lockTimeoutMs = lockTimeoutMs;
    }

    /** Stores (or replaces) one rating: the steps in the class comment. */
    public Stored rate(int userId, int movieId, double rating, RatingSource source) throws SQLException, IOException {
        validate(userId, rating);
        if (source == RatingSource.MOVIELENS) {
            throw new IllegalArgumentException("MovieLens ratings come from reelrank ingest, not from a single rating");
        }
        Stored s = inTransaction(c -> storeInTransaction(c, userId, movieId, rating, source));
        try {
            updateIndex(List.of(movieId));
        } catch (IOException | SQLException | RuntimeException e) {
            // The rating is stored; only this process's copy of the movie's entry is behind. Say so
            // without naming a directory, so this process's own index follower brings it in step.
            LOG.warn("rating stored, but the index entry of movie {} was not updated here ({}); the index "
                    + "follower will", movieId, e.getMessage());
            announceIndexBehind(List.of(movieId));
        }
        return s;
    }

    /** Step 1. */
    static void validate(int userId, double rating) {
        if (userId < 1) throw new BadRatingException("user id must be a positive integer, got " + userId);
        double h = rating * 2;
        if (!(rating >= 0.5 && rating <= 5.0) || h != Math.rint(h)) {
            throw new BadRatingException("rating must be 0.5-5.0 in steps of 0.5, got " + rating);
        }
    }

    /** Step 2, inside the transaction, after the locks. */
    private Stored storeInTransaction(Connection c, int userId, int movieId, double rating, RatingSource source)
            throws SQLException {
        String title = movieTitle(c, movieId);
        boolean replaced = storeRating(c, userId, movieId, rating, source);
        updateMovieStatistics(c, movieId);
        float[] vector = UserTower.recompute(c, userId, items.get(), shrinkage);
        FoldIn.Result folded = FoldIn.update(c, userId, model.get());
        try (Statement st = c.createStatement()) {
            Changes.userChanged(st, userId);
            Changes.moviesChanged(st, List.of(movieId), indexDir);
        }
        return new Stored(userId, movieId, rating, title, replaced, vector, folded);
    }

    private static String movieTitle(Connection c, int movieId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT title FROM movies WHERE movie_id = ?")) {
            ps.setInt(1, movieId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new UnknownMovieException(movieId);
                return rs.getString(1);
            }
        }
    }

    private static boolean storeRating(Connection c, int userId, int movieId, double rating, RatingSource source)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO users (user_id) VALUES (?) ON CONFLICT DO NOTHING")) {
            ps.setInt(1, userId);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO ratings (user_id, movie_id, rating, rated_at, source) VALUES (?, ?, ?, now(), ?) "
                        + "ON CONFLICT (user_id, movie_id) DO UPDATE SET rating = EXCLUDED.rating, rated_at = now(), "
                        + "source = EXCLUDED.source RETURNING (xmax <> 0)")) {
            ps.setInt(1, userId);
            ps.setInt(2, movieId);
            ps.setBigDecimal(3, BigDecimal.valueOf(rating));
            ps.setString(4, source.value());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** The movie's avg_rating and rating_count follow its ratings (movie_stats is refreshed by the batch jobs). */
    private static void updateMovieStatistics(Connection c, int movieId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE movies SET (avg_rating, rating_count) = (SELECT round(avg(rating), 2), count(*) "
                        + "FROM ratings WHERE movie_id = ?) WHERE movie_id = ?")) {
            ps.setInt(1, movieId);
            ps.setInt(2, movieId);
            ps.executeUpdate();
        }
    }

    /** Creates (or re-creates) the test users as one batch; returns the ratings written per user. */
    public List<Integer> createTestUsers() throws SQLException, IOException {
        TestUsers.Created created = inBatch(c -> TestUsers.create(c, items.get(), model.get(), shrinkage));
        updateIndex(created.movies());
        return created.counts();
    }

    /** Deletes the test users, their ratings and rows as one batch; returns how many users were removed. */
    public int removeTestUsers() throws SQLException, IOException {
        TestUsers.Created removed = inBatch(TestUsers::remove);
        updateIndex(removed.movies());
        return removed.counts().get(0);
    }

    private void announceIndexBehind(List<Integer> movies) {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            Changes.moviesChanged(st, movies, null);
        } catch (SQLException e) {
            // The database is gone too: the follower checks the index when its listener reconnects.
        }
    }

    /** Step 3: this process's index follows the committed tables (other processes hear the notification). */
    private void updateIndex(java.util.Collection<Integer> movies) throws IOException, SQLException {
        if (indexDir != null && !movies.isEmpty() && MovieIndex.exists(indexDir)) {
            MovieIndex.update(db, indexDir, movies);
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T inTransaction(Work<T> work) throws SQLException {
        return transaction(work, false);
    }

    private <T> T inBatch(Work<T> work) throws SQLException {
        return transaction(work, true);
    }

    private <T> T transaction(Work<T> work, boolean batch) throws SQLException {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    if (batch) Locks.forRatingBatch(st, lockTimeoutMs);
                    else Locks.forRating(st, lockTimeoutMs);
                }
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is broken; closing it discards the transaction anyway
                }
                if (Locks.timedOut(e)) throw new BusyException(lockTimeoutMs, e);
                throw e;
            }
        }
    }
}
