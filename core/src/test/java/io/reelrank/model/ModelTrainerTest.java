package io.reelrank.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The three training stages on generated data: ALS, the cold-item mapping and the final user step. */
@Tag("unit")
class ModelTrainerTest {

    /** Movies 1-30 are rated (ImplicitAlsTest.twoTastes); 31-35 nobody rated. Content: the taste plus noise. */
    private static ItemContent content() {
        SplittableRandom rng = new SplittableRandom(5);
        int[] ids = new int[35];
        String[][] genres = new String[35][];
        Integer[] years = new Integer[35];
        Map<Integer, float[]> vectors = new HashMap<>();
        for (int i = 0; i < 35; i++) {
            int movie = i + 1;
            ids[i] = movie;
            boolean first = movie <= 15 || movie >= 34;
            genres[i] = first ? new String[] {"Fantasy"} : new String[] {"Drama"};
            years[i] = movie % 7 == 0 ? null : 1980 + movie;
            float[] v = new float[8];
            v[0] = first ? 1 : -1;
            for (int d = 1; d < 8; d++) v[d] = (float) (0.3 * rng.nextGaussian());
            vectors.put(movie, v);
        }
        return new ItemContent(ids, vectors::get, genres, years);
    }

    private static final ModelTrainer.Settings SETTINGS = new ModelTrainer.Settings(ImplicitAlsTest.PARAMS, 0, 1, 2);

    @Test
    void foldingInATrainingUserGivesItsStoredVector() {
        RatingMatrix m = ImplicitAlsTest.twoTastes(4);
        ModelTrainer.Trained t = ModelTrainer.train(m, content(), SETTINGS, 2, ModelTrainer.Listener.NONE);
        for (int row = 0; row < m.users(); row++) {
            int n = m.userEnd(row) - m.userStart(row);
            int[] movies = new int[n];
            float[] ratings = new float[n];
            for (int j = 0; j < n; j++) {
                movies[j] = m.itemId(m.userItem(m.userStart(row) + j));
                ratings[j] = m.userRating(m.userStart(row) + j);
            }
            assertArrayEquals(t.user(m.userId(row)), t.model().foldIn(movies, ratings, n), 0f, "user " + m.userId(row));
        }
    }

    @Test
    void trainingTwiceWithTheSameSeedGivesTheSameModel() {
        RatingMatrix m = ImplicitAlsTest.twoTastes(4);
        ModelTrainer.Trained a = ModelTrainer.train(m, content(), SETTINGS, 1, ModelTrainer.Listener.NONE);
        ModelTrainer.Trained b = ModelTrainer.train(m, content(), SETTINGS, 2, ModelTrainer.Listener.NONE);
        for (int movie = 1; movie <= 35; movie++) assertArrayEquals(a.model().vector(movie), b.model().vector(movie));
        for (int user = 1; user <= 40; user++) assertArrayEquals(a.user(user), b.user(user));
    }

    @Test
    void aMovieNobodyRatedGetsAVectorMappedFromItsContent() {
        RatingMatrix m = ImplicitAlsTest.twoTastes(4);
        ModelTrainer.Trained t = ModelTrainer.train(m, content(), SETTINGS, 2, ModelTrainer.Listener.NONE);
        assertEquals(30, t.learnedItems());
        assertEquals(5, t.mappedItems());
        assertEquals(0.0, t.model().learned(34), 0.0);
        assertEquals(1.0, t.model().learned(3), 0.0);
        // Movies 34 and 35 look like the first taste (1-15), 31-33 like the second: users 1-20 love the
        // first. The mapped vectors must place them on the right side for such a user.
        float[] lover = t.user(1);
        assertNotNull(lover);
        assertTrue(t.model().score(lover, 34) > t.model().score(lover, 31),
                "mapped 34 " + t.model().score(lover, 34) + " vs mapped 31 " + t.model().score(lover, 31));
    }

    @Test
    void theBlendWeightGrowsWithPositiveRatings() {
        RatingMatrix m = ImplicitAlsTest.twoTastes(4);
        ModelTrainer.Trained t = ModelTrainer.train(m, content(), new ModelTrainer.Settings(ImplicitAlsTest.PARAMS,
                3, 1, 2), 2, ModelTrainer.Listener.NONE);
        int item = m.itemIndex(3);
        int positives = m.positives(item, 3);
        assertEquals(positives / (positives + 3.0), t.model().learned(3), 1e-6);
        assertEquals(0.5, ContentMapping.blendWeight(3, 3), 0.0);
    }

    @Test
    void aUserWhoAppearedAfterTrainingIsFoldedInFromTheirRatings() {
        ModelTrainer.Trained t = ModelTrainer.train(ImplicitAlsTest.twoTastes(4), content(), SETTINGS, 2,
                ModelTrainer.Listener.NONE);
        float[] newcomer = t.model().foldIn(new int[] {1, 2, 20}, new float[] {5, 4.5f, 1}, 3);
        assertNotNull(newcomer);
        assertTrue(t.model().score(newcomer, 5) > t.model().score(newcomer, 25), "a first-taste lover");
        assertNull(t.model().foldIn(new int[] {1, 2}, new float[] {1, 2}, 2), "only dislikes: no collaborative signal");
        assertNull(t.user(999), "not a training user");
    }

    @Test
    void rejectsBadSettingsNamingValueAndRange() {
        assertEquals("blend m must be a finite number >= 0, got -1.0", assertThrows(IllegalArgumentException.class,
                () -> new ModelTrainer.Settings(ImplicitAlsTest.PARAMS, -1, 1, 2)).getMessage());
        assertEquals("ridge must be a finite number > 0, got 0.0", assertThrows(IllegalArgumentException.class,
                () -> new ModelTrainer.Settings(ImplicitAlsTest.PARAMS, 0, 0, 2)).getMessage());
        assertEquals("min-fit must be >= 1 positive rating, got 0", assertThrows(IllegalArgumentException.class,
                () -> new ModelTrainer.Settings(ImplicitAlsTest.PARAMS, 0, 1, 0)).getMessage());
    }
}
