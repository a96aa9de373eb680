package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class TrainingUsersTest {

    private static final int USERS = 6;
    private static final int PER_USER = 10;
    private static final Map<Integer, float[]> ITEMS = new HashMap<>();

    static {
        SplittableRandom rng = new SplittableRandom(11);
        for (int m = 1; m <= 40; m++) {
            float[] e = new float[8];
            for (int d = 0; d < e.length; d++) {
                e[d] = (float) rng.nextGaussian();
            }
            ITEMS.put(m, e);
        }
    }

    /** ratings[u][j] is user u+1's rating of movie (u·5 + j) % 40 + 1 at time j: the last 3 are held out. */
    private static double[][] ratings() {
        SplittableRandom rng = new SplittableRandom(12);
        double[][] r = new double[USERS][PER_USER];
        for (double[] row : r) {
            for (int j = 0; j < PER_USER; j++) {
                row[j] = 0.5 + rng.nextInt(10) * 0.5;
            }
        }
        return r;
    }

    private static TrainingUsers train(double[][] r) {
        Ratings.Builder b = Ratings.builder();
        for (int u = 0; u < USERS; u++) {
            for (int j = 0; j < PER_USER; j++) {
                b.add(u + 1, (u * 5 + j) % 40 + 1, r[u][j], j);
            }
        }
        Splits.Split split = Splits.temporal(b.build(), 0.3); // round(0.3 × 10) = 3: times 7, 8, 9
        assertEquals(USERS * 3, split.test().size());
        return TrainingUsers.compute(split.train(), ITEMS::get, 10);
    }

    @Test
    void aHeldOutRatingChangesNoTrainingVectorNorTheGlobalMean() {
        double[][] r = ratings();
        TrainingUsers before = train(r);
        // The latest ratings of users 1 and 4 (held out) change completely.
        r[0][9] = r[0][9] == 5.0 ? 0.5 : 5.0;
        r[3][8] = r[3][8] == 0.5 ? 5.0 : 0.5;
        TrainingUsers after = train(r);
        assertEquals(before.globalMean(), after.globalMean(), 0.0);
        for (int u = 1; u <= USERS; u++) {
            assertNotNull(before.vector(u));
            assertArrayEquals(before.vector(u), after.vector(u), "user " + u);
        }
    }

    @Test
    void aTrainingRatingDoesChangeThatUsersVector() {
        // The control for the test above: the comparison can see a change when there is one.
        double[][] r = ratings();
        TrainingUsers before = train(r);
        r[0][0] = r[0][0] == 5.0 ? 0.5 : 5.0;
        TrainingUsers after = train(r);
        assertFalse(Arrays.equals(before.vector(1), after.vector(1)));
    }

    @Test
    void theGlobalMeanIsTheMeanOfTheTrainingRatingsOnly() {
        double[][] r = ratings();
        double sum = 0;
        for (double[] row : r) {
            for (int j = 0; j < 7; j++) {
                sum += row[j];
            }
        }
        TrainingUsers t = train(r);
        assertEquals(sum / (USERS * 7), t.globalMean(), 1e-9);
        assertEquals(USERS, t.users());
        assertEquals(0, t.coldUsers());
    }
}
