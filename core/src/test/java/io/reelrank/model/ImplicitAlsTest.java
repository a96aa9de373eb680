package io.reelrank.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The ALS maths on generated ratings: the normal equations, determinism, fold-in, signed preferences. */
@Tag("unit")
class ImplicitAlsTest {

    /** Two tastes: users 1-20 love movies 1-15 and hate 16-30, users 21-40 the other way round; sparse. */
    static RatingMatrix twoTastes(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = 0;
        int[] u = new int[40 * 30];
        int[] m = new int[u.length];
        float[] r = new float[u.length];
        for (int user = 1; user <= 40; user++) {
            for (int movie = 1; movie <= 30; movie++) {
                if (rng.nextInt(3) != 0) continue;
                boolean likes = (user <= 20) == (movie <= 15);
                u[n] = user;
                m[n] = movie;
                r[n] = likes ? 4.5f + rng.nextInt(2) * 0.5f : 0.5f + rng.nextInt(3) * 0.5f;
                n++;
            }
        }
        return RatingMatrix.of(u, m, r, n);
    }

    static final ImplicitAls.Params PARAMS = new ImplicitAls.Params(4, 1, 0.1, 8, 3, 42);

    @Test
    void trainingIsDeterministicForASeedWhateverTheThreadCount() {
        RatingMatrix m = twoTastes(1);
        ImplicitAls.Factors a = ImplicitAls.train(m, PARAMS, 1, ImplicitAls.Listener.NONE);
        ImplicitAls.Factors b = ImplicitAls.train(m, PARAMS, 2, ImplicitAls.Listener.NONE);
        ImplicitAls.Factors c = ImplicitAls.train(m, PARAMS, 3, ImplicitAls.Listener.NONE);
        assertArrayEquals(a.users(), b.users());
        assertArrayEquals(a.items(), b.items());
        assertArrayEquals(a.users(), c.users());
        ImplicitAls.Factors other = ImplicitAls.train(m,
                new ImplicitAls.Params(4, 1, 0.1, 8, 3, 43), 2, ImplicitAls.Listener.NONE);
        assertFalse(Arrays.equals(a.users(), other.users()), "the seed must matter, or the test proves nothing");
    }

    @Test
    void theSameRatingsInAnotherOrderGiveTheSameFactors() {
        RatingMatrix m = twoTastes(1);
        int n = m.ratings();
        int[] u = new int[n];
        int[] mv = new int[n];
        float[] r = new float[n];
        int k = 0;
        for (int row = m.users() - 1; row >= 0; row--) { // users backwards, each user's movies backwards
            for (int j = m.userEnd(row) - 1; j >= m.userStart(row); j--) {
                u[k] = m.userId(row);
                mv[k] = m.itemId(m.userItem(j));
                r[k++] = m.userRating(j);
            }
        }
        RatingMatrix shuffled = RatingMatrix.of(u, mv, r, n);
        assertArrayEquals(ImplicitAls.train(m, PARAMS, 2, ImplicitAls.Listener.NONE).items(),
                ImplicitAls.train(shuffled, PARAMS, 2, ImplicitAls.Listener.NONE).items());
    }

    @Test
    void eachUserVectorSolvesItsNormalEquation() {
        RatingMatrix m = twoTastes(2);
        ImplicitAls.Factors f = ImplicitAls.train(m, PARAMS, 2, ImplicitAls.Listener.NONE);
        int k = PARAMS.rank();
        double[] gram = ImplicitAls.gram(f.items(), m.items(), k);
        for (int row : new int[] {0, 7, 25}) {
            // A = YᵀY + Σ α|r'| y yᵀ + λ n⁺ I,  b = Σ_{r' > 0} (1 + α r') y, built here independently.
            DMatrixRMaj a = new DMatrixRMaj(k, k, true, gram);
            DMatrixRMaj b = new DMatrixRMaj(k, 1);
            int positives = 0;
            for (int j = m.userStart(row); j < m.userEnd(row); j++) {
                double rp = m.userRating(j) - PARAMS.midpoint();
                DMatrixRMaj y = new DMatrixRMaj(k, 1);
                for (int d = 0; d < k; d++) y.data[d] = f.items()[m.userItem(j) * k + d];
                DMatrixRMaj yyt = new DMatrixRMaj(k, k);
                CommonOps_DDRM.multTransB(y, y, yyt);
                CommonOps_DDRM.addEquals(a, PARAMS.alpha() * Math.abs(rp), yyt);
                if (rp > 0) {
                    CommonOps_DDRM.addEquals(b, 1 + PARAMS.alpha() * rp, y);
                    positives++;
                }
            }
            for (int d = 0; d < k; d++) a.data[d * k + d] += PARAMS.lambda() * positives;
            DMatrixRMaj x = new DMatrixRMaj(k, 1);
            for (int d = 0; d < k; d++) x.data[d] = f.users()[row * k + d];
            DMatrixRMaj ax = new DMatrixRMaj(k, 1);
            CommonOps_DDRM.mult(a, x, ax);
            for (int d = 0; d < k; d++) {
                assertEquals(b.data[d], ax.data[d], 1e-4 * Math.max(1, Math.abs(b.data[d])),
                        "user row " + row + ", dim " + d);
            }
        }
    }

    @Test
    void foldingATrainingUserInReproducesItsTrainedVector() {
        // The last half-step of training is the user step: fold-in against the final items is the same solve.
        RatingMatrix m = twoTastes(3);
        ImplicitAls.Factors f = ImplicitAls.train(m, PARAMS, 2, ImplicitAls.Listener.NONE);
        int k = PARAMS.rank();
        double[] gram = ImplicitAls.gram(f.items(), m.items(), k);
        for (int row = 0; row < m.users(); row++) {
            int n = m.userEnd(row) - m.userStart(row);
            int[] cols = new int[n];
            float[] ratings = new float[n];
            for (int j = 0; j < n; j++) {
                cols[j] = m.userItem(m.userStart(row) + j);
                ratings[j] = m.userRating(m.userStart(row) + j);
            }
            float[] out = new float[k];
            ImplicitAls.solveRow(f.items(), gram, cols, ratings, n, PARAMS, out, 0);
            assertArrayEquals(Arrays.copyOfRange(f.users(), row * k, (row + 1) * k), out, 0f, "user " + m.userId(row));
        }
    }

    @Test
    void aUserWithOnlyLowRatingsGetsTheZeroVectorAndDislikesPushAway() {
        int[] u = {1, 1, 1, 2, 2, 2, 3, 3, 3, 3};
        int[] m = {1, 2, 3, 1, 2, 4, 1, 2, 3, 4};
        float[] r = {5, 5, 1, 5, 4, 5, 1, 1, 1, 1};
        RatingMatrix matrix = RatingMatrix.of(u, m, r, u.length);
        ImplicitAls.Factors f = ImplicitAls.train(matrix, new ImplicitAls.Params(3, 2, 0.1, 10, 3, 7), 1,
                ImplicitAls.Listener.NONE);
        int hater = matrix.userIndex(3);
        for (int d = 0; d < 3; d++) assertEquals(0f, f.users()[hater * 3 + d], "an all-negative user has no direction");
        // User 1 disliked movie 3 and never rated 4: the model must score 3 below 4 for them.
        double s3 = dot(f, matrix.userIndex(1), matrix.itemIndex(3), 3);
        double s4 = dot(f, matrix.userIndex(1), matrix.itemIndex(4), 3);
        assertTrue(s3 < s4, "disliked movie 3 scores " + s3 + ", unrated movie 4 scores " + s4);
    }

    @Test
    void aRatingAtTheMidpointIsIgnored() {
        int[] u = {1, 1, 2, 2};
        int[] m = {1, 2, 1, 2};
        RatingMatrix with = RatingMatrix.of(new int[] {1, 1, 2, 2, 2}, new int[] {1, 2, 1, 2, 3},
                new float[] {5, 4, 5, 2, 3}, 5);
        RatingMatrix without = RatingMatrix.of(u, m, new float[] {5, 4, 5, 2}, 4);
        ImplicitAls.Params p = new ImplicitAls.Params(2, 1, 0.1, 3, 3, 1);
        float[] a = ImplicitAls.train(with, p, 1, ImplicitAls.Listener.NONE).users();
        float[] b = ImplicitAls.train(without, p, 1, ImplicitAls.Listener.NONE).users();
        assertArrayEquals(b, a, 0f, "r' = 0: confidence 1 and preference 0 add nothing to the user's equation");
    }

    @Test
    void rejectsBadHyperparametersNamingValueAndRange() {
        assertEquals("rank must be in 1-1024, got 0",
                assertThrows(IllegalArgumentException.class,
                        () -> new ImplicitAls.Params(0, 1, 0.1, 10, 3, 1)).getMessage());
        assertEquals("alpha must be a finite number >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class,
                        () -> new ImplicitAls.Params(8, -1, 0.1, 10, 3, 1)).getMessage());
        assertEquals("lambda must be a finite number > 0, got 0.0",
                assertThrows(IllegalArgumentException.class,
                        () -> new ImplicitAls.Params(8, 1, 0, 10, 3, 1)).getMessage());
        assertEquals("iterations must be in 1-1000, got 0",
                assertThrows(IllegalArgumentException.class,
                        () -> new ImplicitAls.Params(8, 1, 0.1, 0, 3, 1)).getMessage());
        assertEquals("midpoint must be in 0-5 (MovieLens stars), got 6.0",
                assertThrows(IllegalArgumentException.class,
                        () -> new ImplicitAls.Params(8, 1, 0.1, 10, 6, 1)).getMessage());
    }

    @Test
    void aRatingMatrixRejectsADuplicatePairAndAnOutOfRangeRating() {
        assertEquals("user 1 rated movie 2 twice; each (user, movie) pair must appear once",
                assertThrows(IllegalArgumentException.class,
                        () -> RatingMatrix.of(new int[] {1, 1}, new int[] {2, 2}, new float[] {4, 5}, 2)).getMessage());
        assertEquals("rating must be in [0.5, 5.0], got 5.5 (user 1, movie 2)",
                assertThrows(IllegalArgumentException.class,
                        () -> RatingMatrix.of(new int[] {1}, new int[] {2}, new float[] {5.5f}, 1)).getMessage());
    }

    private static double dot(ImplicitAls.Factors f, int user, int item, int k) {
        double s = 0;
        for (int d = 0; d < k; d++) s += f.users()[user * k + d] * f.items()[item * k + d];
        return s;
    }
}
