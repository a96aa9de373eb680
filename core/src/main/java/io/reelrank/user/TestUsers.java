package io.reelrank.user;

import io.reelrank.db.Changes;
import io.reelrank.db.MovieStats;
import io.reelrank.db.RatingSource;
import io.reelrank.model.FactorModel;
import io.reelrank.model.FoldIn;
import io.reelrank.model.ItemVectors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The acceptance story's synthetic users, created idempotently with their content vectors and, when
 * a collaborative model is active, their folded-in collaborative vectors:
 * 10001 "Fantasy Lover" (5.0 on the 50 most-rated Fantasy movies), 10002 "Fantasy Hater" (1.0 on the
 * same 50), 20001 / 20002 the extreme versions (5.0 / 1.0 on every Fantasy movie). "Most rated"
 * counts real users' ratings only, ties broken by movie_id, so the set does not depend on whether
 * the test users already exist. They are recorded in {@code test_users}; {@link #remove} deletes
 * exactly those, and creation refuses to take over an id a real user already has. Both run on the
 * caller's connection, in its transaction: {@code RatingService} takes the batch locks around them.
 */
public final class TestUsers {

    /** One synthetic user: id, name, how many Fantasy movies (0 = all) and the rating given. */
    public record Def(int id, String name, int movies, double rating) {}

    public static final List<Def> ALL = List.of(
            new Def(10001, "Fantasy Lover", 50, 5.0),
            new Def(10002, "Fantasy Hater", 50, 1.0),
            new Def(20001, "Extreme Fantasy Lover", 0, 5.0),
            new Def(20002, "Extreme Fantasy Hater", 0, 1.0));

    /** The genre the test users love or hate. */
    public static final String GENRE = "Fantasy";
    /** A fixed rating time, so two runs give identical rows. */
    private static final String RATED_AT = "2024-01-01 00:00:00+00";

    private TestUsers() {}

    /**
     * What a batch did: per test user the ratings written (create) or the users removed (remove), and
     * the movies touched.
     */
    public record Created(List<Integer> counts, Set<Integer> movies) {}

    /**
     * Creates (or re-creates) the four users, their ratings (source {@code test-users}) and embeddings
     * on {@code c}, inside the caller's transaction (which holds the batch locks); returns the ratings
     * written per user and every movie whose ratings changed.
     */
    public static Created create(Connection c, ItemVectors items, FactorModel model, double k) throws SQLException {
        List<Integer> counts = new ArrayList<>();
        Set<Integer> movies = new TreeSet<>();
        try (Statement st = c.createStatement()) {
            for (Def d : ALL) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM ratings r WHERE r.user_id = " + d.id()
                        + " AND NOT EXISTS (SELECT 1 FROM test_users t WHERE t.user_id = r.user_id)")) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        throw new IllegalStateException("user " + d.id() + " is a real user with " + rs.getInt(1)
                                + " ratings; the test users need ids 10001, 10002, 20001 and 20002 free");
                    }
                }
            }
            movies.addAll(ratedBy(st));
            for (Def d : ALL) {
                st.execute("DELETE FROM ratings WHERE user_id = " + d.id());
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO test_users (user_id, name) VALUES (?, ?) "
                        + "ON CONFLICT (user_id) DO UPDATE SET name = EXCLUDED.name")) {
                    ps.setInt(1, d.id());
                    ps.setString(2, d.name());
                    ps.executeUpdate();
                }
                st.execute("INSERT INTO users (user_id) VALUES (" + d.id() + ") ON CONFLICT DO NOTHING");
                counts.add(rateGenre(c, d.id(), GENRE, d.movies(), d.rating()));
            }
            movies.addAll(ratedBy(st));
            MovieStats.refresh(st);
        }
        FactorModel m = model;
        for (Def d : ALL) {
            UserTower.recompute(c, d.id(), items, k);
            FoldIn.Result r = FoldIn.update(c, d.id(), m); // reads the active model once when not given, then reuses it
            if (r != null) m = r.model();
        }
        try (Statement st = c.createStatement()) {
            Changes.allUsersChanged(st);
            Changes.moviesChanged(st, movies, null);
        }
        return new Created(counts, movies);
    }

    /**
     * Gives {@code userId} the same {@code rating} on the {@code movies} most-rated movies of {@code genre}
     * (0: every movie of the genre), counted without the test users, ties by movie_id, at a fixed time,
     * source {@code test-users}: how the test users are built, for any genre. Writes the ratings only
     * (the caller refreshes the movies' figures and the user's vectors); returns how many were written.
     */
    public static int rateGenre(Connection c, int userId, String genre, int movies, double rating)
            throws SQLException {
        String limit = movies > 0 ? " LIMIT " + movies : "";
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO ratings (user_id, movie_id, rating, rated_at, "
                + "source) SELECT ?, m.movie_id, ?, '" + RATED_AT + "', '" + RatingSource.TEST_USERS.value()
                + "' FROM movies m LEFT JOIN (SELECT movie_id, count(*) AS n FROM ratings r "
                + "           WHERE NOT EXISTS (SELECT 1 FROM test_users t WHERE t.user_id = r.user_id) "
                + "           GROUP BY movie_id) x ON x.movie_id = m.movie_id "
                + "WHERE ? = ANY (m.genres) ORDER BY coalesce(x.n, 0) DESC, m.movie_id" + limit)) {
            ps.setInt(1, userId);
            ps.setDouble(2, rating);
            ps.setString(3, genre);
            return ps.executeUpdate();
        }
    }

    /**
     * Deletes the test users, their ratings and their rows, inside the caller's transaction; counts
     * holds the users removed.
     */
    public static Created remove(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            Set<Integer> movies = new TreeSet<>(ratedBy(st));
            st.execute("DELETE FROM ratings WHERE user_id IN (SELECT user_id FROM test_users)");
            st.execute("DELETE FROM user_factors WHERE user_id IN (SELECT user_id FROM test_users)");
            st.execute("DELETE FROM users WHERE user_id IN (SELECT user_id FROM test_users)");
            int n = st.executeUpdate("DELETE FROM test_users");
            Changes.allUsersChanged(st);
            Changes.moviesChanged(st, movies, null);
            MovieStats.refresh(st);
            return new Created(List.of(n), movies);
        }
    }

    /** The ids of the test users present in the database. */
    public static Set<Integer> ids(Connection c) throws SQLException {
        Set<Integer> ids = new TreeSet<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT user_id FROM test_users")) {
            while (rs.next()) ids.add(rs.getInt(1));
        }
        return ids;
    }

    /** Whether every test user is present with a content vector. */
    public static boolean allPresent(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM test_users t JOIN users u USING (user_id) "
                     + "WHERE u.embedding IS NOT NULL")) {
            rs.next();
            return rs.getInt(1) == ALL.size();
        }
    }

    private static List<Integer> ratedBy(Statement st) throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT DISTINCT movie_id FROM ratings WHERE user_id IN ("
                + ALL.stream().map(d -> Integer.toString(d.id())).reduce((a, b) -> a + "," + b).orElseThrow() + ")")) {
            while (rs.next()) out.add(rs.getInt(1));
        }
        return out;
    }
}
