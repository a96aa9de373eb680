package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.reelrank.index.Candidate;
import io.reelrank.model.FactorModel;
import io.reelrank.model.ImplicitAls;
import io.reelrank.model.ItemVectors;
import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.RatedMovies;
import io.reelrank.rerank.Reranker;
import io.reelrank.rerank.Weights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The sweep's rankers are the production re-ranker over values computed once, whatever the fusion and weights. */
@Tag("unit")
class SweepRankersTest {

    private static final int MOVIES = 60;
    private final ItemVectors items;
    private final FactorModel model;
    private final Map<Integer, float[]> cf = new HashMap<>();
    private final Ratings train;
    private final Map<String, List<Candidate>> lists = new HashMap<>();
    private final Map<String, Integer> fetches = new HashMap<>();

    SweepRankersTest() {
        SplittableRandom rng = new SplittableRandom(9);
        int[] ids = new int[MOVIES - 1]; // movie 60 has no vector in either tower
        float[][] vectors = new float[ids.length][6];
        float[] factors = new float[ids.length * 4];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i + 1;
            for (int d = 0; d < 6; d++) vectors[i][d] = (float) rng.nextGaussian();
            for (int d = 0; d < 4; d++) factors[i * 4 + d] = (float) rng.nextGaussian();
        }
        items = ItemVectors.of(ids, vectors, true);
        float[] learned = new float[ids.length];
        Arrays.fill(learned, 1);
        model = new FactorModel(0, new ImplicitAls.Params(4, 1, 0.1, 1, 3, 1), ids, factors, learned);
        Ratings.Builder b = Ratings.builder();
        for (int u = 1; u <= 2; u++) {
            for (int m = u; m <= MOVIES; m += 7) b.add(u, m, 0.5 + rng.nextInt(10) * 0.5, m);
            cf.put(u, new float[] {(float) rng.nextGaussian(), (float) rng.nextGaussian(), 1, -1});
        }
        train = b.build();
        for (String q : List.of("a", "b")) {
            List<Candidate> c = new ArrayList<>();
            for (int r = 1; r <= 30; r++) {
                int movie = q.equals("a") ? r * 2 : MOVIES + 1 - r;
                c.add(new Candidate(movie, (float) (40.0 - r + rng.nextDouble()), r));
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
    void thePersonalizedRankingIsTheProductionRerankersForEveryFusionAndWeights() {
        SweepRankers rankers = rankers();
        TrainingUsers users = TrainingUsers.compute(train, items::vector, 10);
        SweepRankers.Context ctx = SweepRankers.Context.of(train, users, model, cf::get);
        int[] popularity = SweepRankers.popularity(train);
        // Two users on the same queries: the value cache must keep them apart.
        for (int user : new int[] {1, 2}) {
            assertNotNull(users.vector(user));
            int from = user == 1 ? 0 : firstOf(2);
            int to = user == 1 ? firstOf(2) : train.size();
            RatedMovies rated = RatedMovies.of(train.movieIds(from, to), train.ratings(from, to));
            for (String q : List.of("a", "b")) {
                List<Candidate> counted = new ArrayList<>();
                for (Candidate c : lists.get(q)) {
                    counted.add(new Candidate(c.movieId(), c.bm25(), c.bm25Rank(),
                            c.movieId() < popularity.length ? popularity[c.movieId()] : 0));
                }
                for (Weights w : List.of(new Weights(0, 0.5, 0.5), new Weights(0.7, 0.7, 0.5), new Weights(1, 0, 1))) {
                    for (Fusion f : Fusion.values()) {
                        if (f == Fusion.LEARNED) continue; // scored by a trained ranker, not by the Reranker's formulas
                        assertArrayEquals(ids(Reranker.rerank(counted, users.vector(user), cf.get(user), rated, items,
                                model, f, w)), rankers.ranker(ctx, f, w, true).rank(q, user), q + " " + f + " " + w);
                    }
                }
            }
        }
    }

    @Test
    void theBaselineIgnoresTheUsersVectorsAndKeepsThePrior() {
        SweepRankers rankers = rankers();
        SweepRankers.Context ctx = SweepRankers.Context.of(train, TrainingUsers.compute(train, items::vector, 10),
                model, cf::get);
        Weights w = new Weights(0, 0.7, 0);
        int[] forOne = rankers.ranker(ctx, Fusion.WEIGHTED, w, false).rank("a", 1);
        int[] forTwo = rankers.ranker(ctx, Fusion.WEIGHTED, w, false).rank("a", 2);
        assertArrayEquals(forOne, forTwo, "a non-personalized ranking cannot depend on the user");
    }

    @Test
    void theBm25RankingIsTheCandidatesInTheirOrderFetchedOncePerQuery() {
        SweepRankers rankers = rankers();
        SweepRankers.Context ctx = SweepRankers.Context.of(train, TrainingUsers.compute(train, items::vector, 10),
                model, cf::get);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(lists.get("a").stream().mapToInt(Candidate::movieId).toArray(),
                    rankers.bm25().rank("a", 1));
            rankers.ranker(ctx, Fusion.WEIGHTED, new Weights(0.5, 0.5, 0.5), true).rank("a", 1);
            rankers.forget(ctx);
        }
        assertEquals(1, fetches.get("a"));
        assertEquals(1, rankers.queries());
    }

    private int firstOf(int user) {
        for (int i = 0; i < train.size(); i++) if (train.userId(i) == user) return i;
        return train.size();
    }
}
