package io.reelrank.rank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.model.FactorModel;
import io.reelrank.model.ImplicitAls;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The item-kNN feature computed for all candidates at once against its definition computed pair by
 * pair: a user with more ratings than the pool, factor vectors with exact duplicates (ties), and a
 * candidate whose twin the user rated too long ago to be in the pool.
 */
@Tag("unit")
class UserProfileTest {

    private static final int MOVIES = 1_500;
    private static final int K = 8;

    /** One neighbour of the reference: its similarity and its rank by recency (0: the latest rating). */
    private record Neighbour(double sim, int recency, double centred) {
    }

    @Test
    void theBatchedKnnEqualsItsDefinitionPairByPair() {
        Random random = new Random(7);
        int[] ids = new int[MOVIES];
        float[] vectors = new float[MOVIES * K];
        for (int m = 0; m < MOVIES; m++) {
            ids[m] = m + 1;
            for (int d = 0; d < K; d++) vectors[m * K + d] = (float) random.nextGaussian();
        }
        // Movies 600..629 (all in the pool) share candidate 1,499's vector: 30 equal similarities for
        // 20 places, which go to the latest rated.
        for (int m = 600; m < 630; m++) System.arraycopy(vectors, 1_498 * K, vectors, (m - 1) * K, K);
        // Movie 1,200 is movie 1,300's twin; the user rates 1,300 first of all, outside the pool.
        System.arraycopy(vectors, 1_299 * K, vectors, 1_199 * K, K);
        FactorModel model = new FactorModel(0, new ImplicitAls.Params(K, 1, 0.1, 1, 3, 1), ids, vectors,
                new float[MOVIES]);
        MovieStats.Builder sb = new MovieStats.Builder();
        for (int m = 1; m <= MOVIES; m++) sb.movie(m, 2000, new String[] {"Drama"});
        int rated = UserProfile.KNN_POOL + 200;
        int[] movies = new int[rated];
        float[] stars = new float[rated];
        long[] times = new long[rated];
        movies[0] = 1_300;
        for (int i = 1; i < rated; i++) movies[i] = i; // 1..rated-1, each once
        for (int i = 0; i < rated; i++) {
            stars[i] = 0.5f * (1 + random.nextInt(10));
            times[i] = 1_000_000L + i * 60L; // movie 1,300 first, then by id
            sb.rating(1, movies[i], stars[i], times[i]);
        }
        MovieStats stats = sb.build();
        UserProfile user = UserProfile.of(movies, stars, times, stats, m -> null, model);

        int[] candidates = {1_200, 1_250, 1_400, 1_499, 5, 9_999};
        assertEquals(UserProfile.KNN_POOL, 512, "the pool below must leave movies 1..199 out");
        float[][] ys = new float[candidates.length][];
        for (int i = 0; i < candidates.length; i++) ys[i] = model.vector(candidates[i]);
        double[] knn = new double[candidates.length];
        user.knn(ys, knn);

        for (int i = 0; i < candidates.length; i++) {
            if (ys[i] == null) {
                assertTrue(Double.isNaN(knn[i]), "a movie without a factor vector has no kNN prediction");
                continue;
            }
            double expected = reference(ys[i], movies, stars, times, model, user.mean());
            assertEquals(expected, knn[i], 1e-4, "candidate " + candidates[i]);
        }
        // The twin outside the pool is not a neighbour: with it, candidate 1,200's prediction would lean
        // on a similarity of 1 and the 1,300's centred rating.
        double withTwin = referenceOver(ys[0], movies, stars, times, model, user.mean(), rated);
        assertTrue(Math.abs(withTwin - knn[0]) > 1e-3, "the pool holds only the latest rated movies");
    }

    private static double reference(float[] y, int[] movies, float[] stars, long[] times, FactorModel model,
                                    double bu) {
        return referenceOver(y, movies, stars, times, model, bu, UserProfile.KNN_POOL);
    }

    /** Σ_j s_ij·(r_uj − b_u)/(Σ_j s_ij + 1) over the 20 most similar (s > 0) of the {@code pool} latest. */
    private static double referenceOver(float[] y, int[] movies, float[] stars, long[] times, FactorModel model,
                                        double bu, int pool) {
        Integer[] byTime = new Integer[movies.length];
        for (int i = 0; i < movies.length; i++) byTime[i] = i;
        java.util.Arrays.sort(byTime, (a, b) -> Long.compare(times[b], times[a]));
        List<Neighbour> ns = new ArrayList<>();
        for (int r = 0; r < Math.min(pool, movies.length); r++) {
            int i = byTime[r];
            float[] v = model.vector(movies[i]);
            double s = cos(y, v);
            if (s > 0) ns.add(new Neighbour(s, r, stars[i] - bu));
        }
        ns.sort(Comparator.comparingDouble(Neighbour::sim).reversed().thenComparingInt(Neighbour::recency));
        double num = 0;
        double den = 0;
        for (Neighbour n : ns.subList(0, Math.min(UserProfile.NEIGHBOURS, ns.size()))) {
            num += n.sim() * n.centred();
            den += n.sim();
        }
        return num / (den + 1);
    }

    private static double cos(float[] a, float[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int d = 0; d < a.length; d++) {
            ab += a[d] * b[d];
            aa += a[d] * a[d];
            bb += b[d] * b[d];
        }
        return ab / Math.sqrt(aa * bb);
    }
}
