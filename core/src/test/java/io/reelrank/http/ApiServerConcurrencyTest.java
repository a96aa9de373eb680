package io.reelrank.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.index.MovieIndex;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Searches, rating posts and rebuilds of the index the server searches, all at once against one
 * server: every request must succeed, and searches must keep finding the movies while the index is
 * replaced under them.
 */
@Tag("integration")
class ApiServerConcurrencyTest {

    static final int RATER = 39101;
    static final List<String> QUERIES = List.of("lord", "king", "star wars", "\"dark knight\"", "love", "genres:Fantasy AND title:ring");
    static final int[] MOVIES = {1, 260, 296, 318, 356, 480, 593, 2571, 4993, 5952, 7153, 58559};

    @AfterAll
    static void removeTheRater() throws Exception {
        HttpFixture.deleteUsers(RATER);
    }

    /** The timeout only guards against a hang; the test counts work done, not time taken. */
    @Test
    @org.junit.jupiter.api.Timeout(600)
    void searchesRatingPostsAndIndexRebuildsTogetherSeeNoError() throws Exception {
        ApiServer s = HttpFixture.server();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger searches = new AtomicInteger();
        AtomicInteger ratings = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int t = 0; t < 3; t++) {
                int thread = t;
                pool.submit(() -> {
                    String[] users = {"", "&user=10001", "&user=10002", "&user=" + RATER};
                    for (int i = 0; !stop.get(); i++) {
                        String q = QUERIES.get((i + thread) % QUERIES.size());
                        String path = "/api/search?limit=20&q=" + java.net.URLEncoder.encode(q, java.nio.charset.StandardCharsets.UTF_8)
                                + users[(i + thread) % users.length];
                        try {
                            // Counted before the search is sent: a rating answered after it was sent may
                            // land after the server looked the user up.
                            int ratedBefore = ratings.get();
                            HttpResponse<String> r = HttpFixture.get(path);
                            // The rater does not exist until its first rating lands: 404 is the right answer then.
                            boolean fine = r.statusCode() == 200 || (r.statusCode() == 404 && path.contains("user=" + RATER)
                                    && ratedBefore == 0);
                            if (!fine) failures.add(path + " → " + r.statusCode() + " " + r.body());
                            else if (r.statusCode() == 200 && r.body().contains("\"results\":[]")) failures.add(path + " → no results");
                            searches.incrementAndGet();
                        } catch (Exception e) {
                            failures.add(path + " → " + e);
                        }
                    }
                    return null;
                });
            }
            pool.submit(() -> {
                for (int i = 0; !stop.get(); i++) {
                    int movie = MOVIES[i % MOVIES.length];
                    double rating = 0.5 + (i % 10) * 0.5;
                    try {
                        HttpResponse<String> r = HttpFixture.post(s, "/api/users/" + RATER + "/ratings",
                                "{\"movie_id\": " + movie + ", \"rating\": " + rating + "}", null);
                        if (r.statusCode() != 200) failures.add("rating " + movie + " → " + r.statusCode() + " " + r.body());
                        else ratings.incrementAndGet();
                    } catch (Exception e) {
                        failures.add("rating " + movie + " → " + e);
                    }
                }
                return null;
            });
            for (int i = 0; i < 3; i++) {
                MovieIndex.Result built = MovieIndex.rebuild(HttpFixture.db(), HttpFixture.INDEX);
                assertEquals(9742, built.movies());
            }
            // Keep going after the last rebuild until 30 more searches (on the newest index) and 3 ratings ran.
            int target = searches.get() + 30;
            while ((searches.get() < target || ratings.get() < 3) && failures.isEmpty()) Thread.sleep(10);
        } finally {
            stop.set(true);
            pool.shutdown();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        }
        assertTrue(failures.isEmpty(), failures.size() + " failures, first: " + failures.peek());
        assertTrue(searches.get() >= 30 && ratings.get() >= 3, searches.get() + " searches, " + ratings.get() + " ratings");
    }
}
