package io.reelrank.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The typo task: does a search find a film when its title word is mistyped? For each held-out rating
 * of 4.0 or more (liked), the search task's title query ({@link QueryGenerator#titleQuery}: the
 * movie's title word matching the fewest catalog titles, among those matching 2-50) when that word
 * has {@value #MIN_WORD_LENGTH} letters or more, with one typing error ({@link Typos}: a deletion,
 * substitution or transposition inside the word, seeded by {@code (seed, user_id, movie_id)}). The
 * held-out movie is the one relevant item; each ranker is judged by NDCG@k, Recall@k and the
 * reciprocal rank of it ({@link JudgedQueries}). The caller passes the rankers (plain BM25, BM25 +
 * popularity and the shipped search, each a function of the query) built from training data only.
 */
public final class TypoTask {

    /** Words shorter than this are left out: a one-letter error in a 4-letter word is often another word. */
    public static final int MIN_WORD_LENGTH = 5;

    private TypoTask() {}

    /** The task's queries, in held-out order. */
    public static List<JudgedQueries.Query> queries(Ratings heldOut, QueryGenerator generator, long seed) {
        List<JudgedQueries.Query> out = new ArrayList<>();
        for (int i = 0; i < heldOut.size(); i++) {
            if (heldOut.rating(i) < RecommendationTask.LIKED) continue;
            int user = heldOut.userId(i);
            int movie = heldOut.movieId(i);
            Optional<String> word = generator.titleQuery(movie);
            if (word.isEmpty() || word.get().length() < MIN_WORD_LENGTH) continue;
            out.add(new JudgedQueries.Query(Typos.typo(word.get(), seed, user, movie), user, new int[] {movie}, true));
        }
        return out;
    }

    /** Runs {@link #queries} through the rankers. */
    public static JudgedQueries.Values run(Ratings heldOut, QueryGenerator generator, long seed,
                                           Map<String, SearchTask.Ranker> rankers, int k, int threads) {
        return JudgedQueries.run(queries(heldOut, generator, seed), rankers, k, threads);
    }
}
