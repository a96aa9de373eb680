package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.embed.Vectors;
import io.reelrank.user.UserVectors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The whole pure pipeline, split to summary table, on a generated world, run twice. */
@Tag("unit")
class EvalDeterminismTest {

    private static final String[] WORDS = {"night", "day", "king", "lord", "war", "love", "dark", "star"};
    private static final String[] GENRE_NAMES = {"Action", "Drama", "Fantasy", "Horror"};

    private static String run(long seed) {
        SplittableRandom rng = new SplittableRandom(3); // the world is fixed; only the evaluation seed varies
        int movies = 200;
        int[] ids = new int[movies];
        String[] titles = new String[movies];
        String[][] genres = new String[movies][];
        Map<Integer, float[]> items = new HashMap<>();
        for (int m = 0; m < movies; m++) {
            ids[m] = m + 1;
            titles[m] = WORDS[rng.nextInt(WORDS.length)] + " " + WORDS[rng.nextInt(WORDS.length)] + " " + (m + 1);
            genres[m] = new String[] {GENRE_NAMES[m % GENRE_NAMES.length]};
            float[] e = new float[8];
            for (int d = 0; d < e.length; d++) {
                e[d] = (float) rng.nextGaussian();
            }
            items.put(m + 1, e);
        }
        Ratings.Builder b = Ratings.builder();
        for (int u = 1; u <= 40; u++) {
            for (int j = 0; j < 25; j++) {
                b.add(u, 1 + (u * 7 + j * 13) % movies, 0.5 + rng.nextInt(10) * 0.5, rng.nextLong(1_000_000));
            }
        }
        Splits.Split split = Splits.random(b.build(), 0.2, seed);
        TrainingUsers users = TrainingUsers.compute(split.train(), items::get, UserVectors.DEFAULT_SHRINKAGE);
        QueryGenerator queries = new QueryGenerator(ids, titles, genres, QueryGenerator.DEFAULT_MAX_TITLE_DF);

        // A stand-in for BM25: the movies whose title has the word (or that have the genre), by id.
        java.util.function.Function<String, int[]> bm25 = q -> {
            List<Integer> hits = new ArrayList<>();
            for (int m = 0; m < movies; m++) {
                boolean hit = q.startsWith("genres:") ? genres[m][0].equals(q.substring(7))
                        : QueryGenerator.words(titles[m]).contains(q);
                if (hit) hits.add(ids[m]);
            }
            return hits.stream().mapToInt(Integer::intValue).toArray();
        };
        SearchTask.Ranker personalized = (q, user) -> {
            int[] c = bm25.apply(q);
            float[] u = users.vector(user);
            if (u == null) return c;
            double[] s = new double[c.length];
            for (int i = 0; i < c.length; i++) {
                s[i] = Vectors.cosine(u, items.get(c[i]));
            }
            return Ranking.order(c, s);
        };
        Bootstrap bootstrap = new Bootstrap(seed, Bootstrap.DEFAULT_RESAMPLES);
        java.util.Map<String, SearchTask.Ranker> rankers = new java.util.LinkedHashMap<>();
        rankers.put("bm25", (q, user) -> bm25.apply(q));
        rankers.put("personalized", personalized);
        SearchTask.Result search = SearchTask.run(split.test(), queries, rankers, 10);
        RecommendationTask.Result rec = RecommendationTask.run(split, ids,
                java.util.Map.of("similarity", Scorers.content(ids, items::get, users)), 20);
        return EvalSummary.table(EvalSummary.search(search, bootstrap,
                List.<String[]>of(new String[] {"personalized", "bm25"})))
                + EvalSummary.table(EvalSummary.recommendation(rec, bootstrap));
    }

    @Test
    void twoRunsWithTheSameSeedPrintTheSameNumbers() {
        String first = run(42);
        assertTrue(first.contains("ndcg@10 liked personalized-bm25") && first.contains("ndcg@20 similarity"), first);
        assertEquals(first, run(42));
        assertNotEquals(first, run(43), "the seed must matter, or the test above proves nothing");
    }
}
