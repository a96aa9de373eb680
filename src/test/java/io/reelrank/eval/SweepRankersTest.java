package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.ItemVectors;
import io.reelrank.rerank.Reranker;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SweepRankersTest {

    private static final int MOVIES = 60;
    private final ItemVectors items;
    private final Map<String, List<Reranker.Candidate>> lists = new HashMap<>();
    private final Map<String, Integer> fetches = new HashMap<>();

    SweepRankersTest() {
        SplittableRandom rng = new SplittableRandom(9);
        int[] ids = new int[MOVIES - 1]; // movie 60 has no vector
        float[][] vectors = new float[ids.length][6];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i + 1;
            for (int d = 0; d < 6; d++) vectors[i][d] = (float) rng.nextGaussian();
        }
        items = ItemVectors.of(ids, vectors, true);
        for (String q : List.of("a", "b")) {
            List<Reranker.Candidate> c = new java.util.ArrayList<>();
            for (int r = 1; r <= 30; r++) {
                int movie = q.equals("a") ? r * 2 : MOVIES + 1 - r;
                c.add(new Reranker.Candidate(movie, 40.0 - r + rng.nextDouble(), r));
            }
            lists.put(q, c);
        }
    }

    private SweepRankers rankers() {
        return new SweepRankers(q -> {
            fetches.merge(q, 1, Integer::sum);
            return lists.get(q);
        }, items);
    }

    private static int[] ids(List<Reranker.Ranked> r) {
        return r.stream().mapToInt(x -> x.candidate().movieId()).toArray();
    }

    @Test
    void thePersonalizedRankingIsTheProductionRerankersForEveryFusionAndAlpha() {
        SweepRankers rankers = rankers();
        // Two users on the same queries: the cosine cache must keep them apart.
        for (float[] user : List.of(items.get(7), items.get(31))) {
            for (String q : List.of("a", "b")) {
                for (double alpha : new double[] {0, 0.3, 0.8, 1}) {
                    assertArrayEquals(ids(Reranker.rerank(lists.get(q), user, items, Fusion.LINEAR, alpha)),
                            rankers.personalized(Fusion.LINEAR, alpha).apply(q, user), q + " α=" + alpha);
                }
                assertArrayEquals(ids(Reranker.rerank(lists.get(q), user, items, Fusion.RRF, 0)),
                        rankers.personalized(Fusion.RRF, 0).apply(q, user), q + " rrf");
            }
        }
    }

    @Test
    void theBm25RankingIsTheCandidatesInTheirOrderFetchedOncePerQuery() {
        SweepRankers rankers = rankers();
        float[] user = items.get(3);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(lists.get("a").stream().mapToInt(Reranker.Candidate::movieId).toArray(), rankers.bm25("a"));
            rankers.personalized(Fusion.LINEAR, 0.5).apply("a", user);
            rankers.newUsers();
        }
        assertEquals(1, fetches.get("a"));
        assertEquals(1, rankers.queries());
    }
}
