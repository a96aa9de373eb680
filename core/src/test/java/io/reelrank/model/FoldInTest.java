package io.reelrank.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import io.reelrank.db.RatingSource;
import io.reelrank.service.RatingService;
import io.reelrank.user.UserTower;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The real-time collaborative user tower against the real database and the model the fixture trained. */
@Tag("integration")
class FoldInTest {

    private static final int NEW_USER = 31001;
    private static Database db;
    private static FactorModel model;

    @BeforeAll
    static void open() throws Exception {
        db = TestDatabase.personalized();
        model = ModelStore.loadActive(db);
        assertNotNull(model, "the fixture trains a model");
    }

    @AfterAll
    static void removeTheNewUser() throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DELETE FROM ratings WHERE user_id = " + NEW_USER);
            st.execute("DELETE FROM users WHERE user_id = " + NEW_USER);
            // The ratings went without RatingService: put the movies' figures back.
            io.reelrank.db.MovieStats.refresh(st);
        }
    }

    @Test
    void foldingInATrainingUserReproducesTheVectorTrainingStored() throws Exception {
        for (int user : new int[] {1, 414, 599}) {
            List<Integer> movies = new ArrayList<>();
            List<Float> ratings = new ArrayList<>();
            float[] stored;
            try (Connection c = db.connect()) {
                stored = ModelStore.user(c, model.version(), user).vector();
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT movie_id, rating FROM ratings WHERE user_id = ?")) {
                    ps.setInt(1, user);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            movies.add(rs.getInt(1));
                            ratings.add(rs.getFloat(2));
                        }
                    }
                }
            }
            int[] m = movies.stream().mapToInt(Integer::intValue).toArray();
            float[] r = new float[ratings.size()];
            for (int i = 0; i < r.length; i++) r[i] = ratings.get(i);
            assertNotNull(stored, "user " + user);
            // Training's last step is this very solve (in another order of the same sums): equal up to rounding.
            assertArrayEquals(stored, model.foldIn(m, r, m.length), 1e-5f, "user " + user);
        }
    }

    @Test
    void aRatingFoldsTheUserInWithinItsTransaction() throws Exception {
        ItemVectors items = ItemVectors.load(db, true);
        RatingService.Stored first = rate(items, model, NEW_USER, 1, 1.0);
        assertNotNull(first.foldIn());
        assertNull(first.foldIn().vector(), "a single 1.0 rating is no positive: no collaborative vector yet");
        RatingService.Stored second = rate(items, model, NEW_USER, 4993, 5.0);
        float[] v = second.foldIn().vector();
        assertNotNull(v);
        assertEquals(model.version(), second.foldIn().version());
        assertTrue(second.foldIn().model() == model, "the caller's model is used when it is the active version");
        try (Connection c = db.connect()) {
            ModelStore.UserFactors stored = ModelStore.user(c, model.version(), NEW_USER);
            assertTrue(stored.exists());
            assertArrayEquals(v, stored.vector(), 1e-6f);
        }
        assertArrayEquals(v, model.foldIn(new int[] {1, 4993}, new float[] {1, 5}, 2), 1e-6f);
        // Without the model in hand, fold-in reads the active one from the database and gives the same vector.
        RatingService.Stored again = rate(items, null, NEW_USER, 4993, 5.0);
        assertFalse(again.foldIn().model() == model);
        assertArrayEquals(v, again.foldIn().vector(), 1e-6f);
    }

    /**
     * One rating through the service every writer uses, with the caller's copy of the model (null: read
     * the active one).
     */
    private static RatingService.Stored rate(ItemVectors items, FactorModel m, int user, int movie, double rating)
            throws Exception {
        return new RatingService(db, () -> items, () -> m, UserTower.DEFAULT_SHRINKAGE, null)
                .rate(user, movie, rating, RatingSource.CLI);
    }

    @Test
    void afterAReloadEveryUserIsFoldedInAgainAndUsersWithoutRatingsLoseTheirVector() throws Exception {
        long v = model.version();
        float[] truth;
        try (Connection c = db.connect()) {
            truth = ModelStore.user(c, v, 414).vector();
        }
        // What a reload leaves behind: a vector that no longer matches the user's ratings, and one of a
        // user whose ratings are gone.
        float[] stale = new float[truth.length];
        stale[0] = 1;
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE user_factors SET factors = '" + io.reelrank.embed.VectorLiteral.format(stale)
                    + "' WHERE version = " + v + " AND user_id = 414");
            st.executeUpdate("INSERT INTO user_factors (version, user_id, factors) VALUES (" + v + ", 31003, '"
                    + io.reelrank.embed.VectorLiteral.format(stale) + "')");
        }
        int folded = FoldIn.refoldAll(db);
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(DISTINCT user_id) FROM ratings")) {
                rs.next();
                assertEquals(rs.getInt(1), folded);
            }
            assertArrayEquals(truth, ModelStore.user(c, v, 414).vector(), 1e-6f);
            assertFalse(ModelStore.user(c, v, 31003).exists(), "a user without ratings keeps no vector");
        }
    }
}
