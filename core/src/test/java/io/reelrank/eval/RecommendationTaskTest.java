package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
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

    private static RecommendationTask.Result run(Splits.Split split, int k) {
        TrainingUsers users = TrainingUsers.compute(split.train(), ITEMS::get, 10);
        return RecommendationTask.run(split, CATALOG, Map.of("content", Scorers.content(CATALOG, ITEMS::get, users)),
                k);
    }

    @Test
    void everySystemIsScoredOnTheSameUsersWithTrainingMoviesExcluded() {
        RecommendationTask.Result r = run(split(), 2);

        // Users 1 and 5 have a liked held-out movie; 2–4 do not (their held-out 6 was rated 2.0).
        assertArrayEquals(new int[] {1, 5}, r.userIds());
        assertEquals(3, r.usersWithoutLiked());
        assertEquals(List.of("popularity", "content"), r.systems());
        int content = r.system("content");
        int pop = r.system("popularity");
        // User 1: u ∝ (5 − b_u)·e1 + (1 − b_u)·e4 with b_u ≈ 2.4, i.e. toward x, away from y; unseen 2, 3,
        // 5, 6 by cosine: 2 (0.83), 3 (0.75), … → top 2 = [2, 3], the liked movie first: Recall 1, NDCG 1.
        assertEquals(1.0, r.recall()[content][0], 1e-12);
        assertEquals(1.0, r.ndcg()[content][0], 1e-12);
        // Training counts: 4 → 4, 5 → 3, 1 → 1, 2, 3, 6 → 0. Without user 1's training movies 1 and 4:
        // [5, 2]; the liked movie at position 2: Recall@2 = 1, NDCG@2 = (1/log2(3)) / 1 = 0.63093.
        assertEquals(1.0, r.recall()[pop][0], 1e-12);
        assertEquals(1 / (Math.log(3) / Math.log(2)), r.ndcg()[pop][0], 1e-12);
    }

    @Test
    void aUserASystemCannotScoreGetsThePopularityRanking() {
        // User 5 rated only movie 99, which has no vector: no content vector, so content falls back.
        RecommendationTask.Result r = run(split(), 2);
        int content = r.system("content");
        assertEquals(1, r.fallbacks()[content]);
        assertEquals(0, r.fallbacks()[r.system("popularity")]);
        assertEquals(r.recall()[r.system("popularity")][1], r.recall()[content][1], 0.0);
        assertEquals(r.ndcg()[r.system("popularity")][1], r.ndcg()[content][1], 0.0);
    }

    @Test
    void atKOneOnlyTheFirstRecommendationCounts() {
        RecommendationTask.Result r = run(split(), 1);
        assertEquals(1.0, r.recall()[r.system("content")][0], 1e-12);
        assertEquals(0.0, r.recall()[r.system("popularity")][0], 1e-12); // popularity's first is 5
        assertEquals(0.0, r.ndcg()[r.system("popularity")][0], 1e-12);
    }

    @Test
    void aMovieWithFewTrainingRatingsCountsAsRare() {
        // User 1's liked held-out movie 2 has no training rating: rare; content finds it, popularity at 2.
        RecommendationTask.Result r = run(split(), 2);
        assertEquals(1.0, r.rareRecall()[r.system("content")][0], 1e-12);
        assertEquals(1.0, r.rareRecall()[r.system("popularity")][0], 1e-12);
    }

    @Test
    void rejectsASystemNamedLikeTheBaseline() {
        Splits.Split split = split();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RecommendationTask.run(split, CATALOG, Map.of("popularity", (u, s) -> false), 20));
        assertEquals("'popularity' is the built-in baseline; name the system otherwise", e.getMessage());
    }
}
