package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RecommendationTaskTest {

    // Two directions: movies 1–3 along x, 4–6 along y.
    private static final Map<Integer, float[]> ITEMS = Map.of(
            1, new float[] {1, 0}, 2, new float[] {0.9f, 0.1f}, 3, new float[] {0.8f, 0.2f},
            4, new float[] {0, 1}, 5, new float[] {0.1f, 0.9f}, 6, new float[] {0.2f, 0.8f});
    private static final int[] CATALOG = {1, 2, 3, 4, 5, 6};

    /**
     * User 1 loves movie 1, hates 4, then (held out) loves 2. Users 2–4 rate 4, 5, 6 at 2.0, so 4 and
     * 5 are the popular ones and their held-out 6 is not liked. User 5 rated only movie 99, which has
     * no vector, so is cold; their held-out 1 is liked. round(0.34 × 3) = 1 and round(0.34 × 2) = 1
     * rating held out per user.
     */
    private static Splits.Split split() {
        Ratings.Builder b = Ratings.builder();
        b.add(1, 1, 5.0, 1).add(1, 4, 1.0, 2).add(1, 2, 5.0, 3);
        for (int u = 2; u <= 4; u++) {
            b.add(u, 4, 2.0, 1).add(u, 5, 2.0, 2).add(u, 6, 2.0, 3);
        }
        b.add(5, 99, 3.0, 1).add(5, 1, 5.0, 2);
        return Splits.temporal(b.build(), 0.34);
    }

    @Test
    void similarityAndPopularityAreScoredOnTheSameUsersWithTrainingMoviesExcluded() {
        Splits.Split split = split();
        TrainingUsers users = TrainingUsers.compute(split.train(), ITEMS::get, 10);
        RecommendationTask.Result r = RecommendationTask.run(split, CATALOG, ITEMS::get, users, 2);

        assertArrayEquals(new int[] {1}, r.userIds());
        assertEquals(3, r.usersWithoutLiked()); // users 2–4: their held-out 6 was rated 2.0
        assertEquals(1, r.coldUsers()); // user 5

        // User 1: u ∝ (5 − b_u)·e1 + (1 − b_u)·e4 with b_u ≈ 2.4, i.e. toward x, away from y; unseen 2, 3,
        // 5, 6 by cosine: 2 (0.83), 3 (0.75), … → top 2 = [2, 3], the liked movie first: Recall 1, NDCG 1.
        assertEquals(1.0, r.recallSimilarity()[0], 1e-12);
        assertEquals(1.0, r.ndcgSimilarity()[0], 1e-12);
        // Training counts: 4 → 4, 5 → 3, 1 → 1, 2, 3, 6 → 0. Without user 1's training movies 1 and 4:
        // [5, 2]; the liked movie at position 2: Recall@2 = 1, NDCG@2 = (1/log2(3)) / 1 = 0.63093.
        assertEquals(1.0, r.recallPopularity()[0], 1e-12);
        assertEquals(1 / (Math.log(3) / Math.log(2)), r.ndcgPopularity()[0], 1e-12);
    }

    @Test
    void atKOneOnlyTheFirstRecommendationCounts() {
        Splits.Split split = split();
        TrainingUsers users = TrainingUsers.compute(split.train(), ITEMS::get, 10);
        RecommendationTask.Result r = RecommendationTask.run(split, CATALOG, ITEMS::get, users, 1);
        assertEquals(1.0, r.recallSimilarity()[0], 1e-12);
        assertEquals(0.0, r.recallPopularity()[0], 1e-12); // popularity's first is 5
        assertEquals(0.0, r.ndcgPopularity()[0], 1e-12);
    }

    @Test
    void rejectsACatalogMovieWithoutAVector() {
        Splits.Split split = split();
        TrainingUsers users = TrainingUsers.compute(split.train(), ITEMS::get, 10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecommendationTask.run(split, new int[] {1, 99}, ITEMS::get, users, 20));
        assertEquals("catalog movie 99 has no vector; leave it out of the catalog", e.getMessage());
    }
}
