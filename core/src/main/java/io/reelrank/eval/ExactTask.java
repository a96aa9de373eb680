package io.reelrank.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The exact task: the search task's own queries, typed correctly, to show what typo tolerance and
 * hybrid retrieval cost a query that needs neither. For each held-out rating of 4.0 or more (liked)
 * or 2.0 or less (disliked), the movie's title query and genre query ({@link QueryGenerator}), as
 * {@link SearchTask} forms them; the held-out movie is the one relevant item. Liked and disliked
 * queries are kept apart ({@link JudgedQueries.Query#liked}): for disliked ones a rise is no gain.
 */
public final class ExactTask {

    private ExactTask() {}

    /** The task's queries, in held-out order, the title query before the genre query. */
    public static List<JudgedQueries.Query> queries(Ratings heldOut, QueryGenerator generator) {
        List<JudgedQueries.Query> out = new ArrayList<>();
        for (int i = 0; i < heldOut.size(); i++) {
            double rating = heldOut.rating(i);
            boolean liked = rating >= RecommendationTask.LIKED;
            if (!liked && rating > SearchTask.DISLIKED) continue;
            int user = heldOut.userId(i);
            int movie = heldOut.movieId(i);
            int[] relevant = {movie};
            generator.titleQuery(movie).ifPresent(q -> out.add(new JudgedQueries.Query(q, user, relevant, liked)));
            generator.genreQuery(movie).ifPresent(q -> out.add(new JudgedQueries.Query(q, user, relevant, liked)));
        }
        return out;
    }

    /** Runs {@link #queries} through the rankers. */
    public static JudgedQueries.Values run(Ratings heldOut, QueryGenerator generator, Map<String,
            SearchTask.Ranker> rankers, int k, int threads) {
        return JudgedQueries.run(queries(heldOut, generator), rankers, k, threads);
    }
}
