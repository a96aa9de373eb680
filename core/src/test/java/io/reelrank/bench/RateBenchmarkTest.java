package io.reelrank.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.http.HttpFixture;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load generator behind {@code bench rate}: every call is counted on its side, as a success or
 * an error, with the users, movies and ratings it was asked to use. The counts are compared with
 * what the actions saw, whatever number of calls fitted in the period (the benchmark's to say).
 */
@Tag("integration")
class RateBenchmarkTest {

    @Test
    @Timeout(120)
    void everyCallIsCountedAsWhatItAnsweredWithTheUsersMoviesAndRatingsAskedFor() throws Exception {
        AtomicLong answered200 = new AtomicLong();
        AtomicLong answered503 = new AtomicLong();
        Set<Integer> users = ConcurrentHashMap.newKeySet();
        Set<Integer> movies = ConcurrentHashMap.newKeySet();
        Set<Double> ratings = ConcurrentHashMap.newKeySet();
        RateBenchmark.Actions actions = thread -> (user, movie, rating) -> {
            users.add(user);
            movies.add(movie);
            ratings.add(rating);
            if (rating >= 3.0) {
                answered200.incrementAndGet();
                return 200;
            }
            answered503.incrementAndGet();
            return 503;
        };
        RateBenchmark.Result r = RateBenchmark.run(actions, actions, 2, 0, 5_000, 10, new int[] {1, 2, 3}, 0.2, 7);
        assertEquals(answered200.get(), r.writes().ok());
        assertEquals(answered503.get(), r.writes().errors());
        assertEquals(0, r.reads().ok() + r.reads().errors(), "no search client asked for");
        if (r.writes().errors() > 0) assertEquals("HTTP 503", r.writes().firstError());
        for (int u : users) assertTrue(u >= 5_000 && u < 5_010, "user " + u);
        assertTrue(Set.of(1, 2, 3).containsAll(movies), movies.toString());
        for (double x : ratings) assertTrue(x >= 0.5 && x <= 5.0 && x * 2 == Math.rint(x * 2), "rating " + x);
    }

    @Test
    @Timeout(120)
    void searchesOverHttpAnswerWithoutErrors() throws Exception {
        RateBenchmark.Actions search = RateBenchmark.http(HttpFixture.server().uri(), false,
                List.of("/api/search?q=king", "/api/search?q=lord"), null);
        RateBenchmark.Result r = RateBenchmark.run(search, search, 0, 1, 5_000, 10, new int[] {1}, 0.2, 7);
        assertNull(r.reads().firstError(), "searches answered 200");
        assertEquals(0, r.reads().errors());
        assertEquals(0, r.writes().ok() + r.writes().errors());
    }
}
