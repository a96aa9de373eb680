package io.reelrank.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelrank.TestDatabase;
import io.reelrank.index.MovieIndex;
import io.reelrank.index.MovieSearcher;
import io.reelrank.model.ItemVectors;
import io.reelrank.rerank.PersonalizedSearch;
import java.net.http.HttpResponse;
import java.nio.file.Path;
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
 * A reload of the MovieLens files ({@code ingest --force}) under two running servers, each with its own
 * index directory, while ratings are posted: no request fails with a 500 (a rating either lands or is
 * told 503 "busy" with a reason), the API's and the test users' ratings survive, the servers drop the
 * cached user vectors the reload made stale, and both indexes end in step with the tables (what
 * {@code index --check} compares).
 */
@Tag("integration")
class ApiServerReloadTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final int RATER = 39501;
    static final Path SECOND_INDEX = Path.of("target", "test-index", "http-second").toAbsolutePath();
    static final int[] MOVIES = {1, 260, 296, 318, 356, 480, 593, 2571, 4993, 5952, 7153, 58559};

    @AfterAll
    static void putEverythingBack() throws Exception {
        HttpFixture.deleteUsers(RATER);
        TestDatabase.personalized(); // the reload cleared the real users' vectors: compute them again
    }

    @Test
    void aReloadUnderRunningServersKeepsLiveDataAndLeavesCachesAndIndexesCurrent() throws Exception {
        ApiServer s = HttpFixture.server();
        PersonalizedSearch first = HttpFixture.search();
        MovieIndex.rebuild(HttpFixture.db(), SECOND_INDEX);
        try (PersonalizedSearch second = new PersonalizedSearch(HttpFixture.db(), MovieSearcher.open(SECOND_INDEX),
                ItemVectors.load(HttpFixture.db(), true));
             ApiServer other = ApiServer.start(ApiServer.Options.loopback(), HttpFixture.db(), second)) {
            second.listen();
            assertEquals(200, HttpFixture.post(s, "/api/users/" + RATER + "/ratings", "{\"movie_id\": 4993, \"rating\": 5}",
                    null).statusCode());
            JsonNode cached = JSON.readTree(HttpFixture.get("/api/search?q=lord&user=414").body());
            assertTrue(cached.get("personalized").asBoolean(), "user 414 has a vector before the reload");

            Queue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger landed = new AtomicInteger();
            AtomicInteger busy = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                for (ApiServer target : new ApiServer[] {s, other}) {
                    pool.submit(() -> {
                        for (int i = 0; !stop.get(); i++) {
                            int movie = MOVIES[i % MOVIES.length];
                            try {
                                HttpResponse<String> r = HttpFixture.post(target, "/api/users/" + RATER + "/ratings",
                                        "{\"movie_id\": " + movie + ", \"rating\": " + (0.5 + (i % 10) * 0.5) + "}", null);
                                if (r.statusCode() == 200) {
                                    landed.incrementAndGet();
                                } else if (r.statusCode() == 503 && JSON.readTree(r.body()).get("detail").asText()
                                        .contains("retry") && r.headers().firstValue("Retry-After").isPresent()) {
                                    busy.incrementAndGet();
                                } else {
                                    failures.add(movie + " → " + r.statusCode() + " " + r.body());
                                }
                            } catch (Exception e) {
                                failures.add(movie + " → " + e);
                            }
                        }
                        return null;
                    });
                }
                while (landed.get() < 3 && failures.isEmpty()) Thread.sleep(10);
                TestDatabase.reloadSample(); // ingest --force of the same files
                int after = landed.get();
                while (landed.get() < after + 3 && failures.isEmpty()) Thread.sleep(10);
            } finally {
                stop.set(true);
                pool.shutdown();
                assertTrue(pool.awaitTermination(120, TimeUnit.SECONDS));
            }
            assertTrue(failures.isEmpty(), failures.size() + " failures (busy answers: " + busy.get() + "), first: "
                    + failures.peek());

            // Live data survived: the rater's ratings, the test users whole.
            assertTrue(Tables.count("SELECT count(*) FROM ratings WHERE user_id = " + RATER + " AND source = 'api'") >= 1);
            assertEquals(0, Tables.count("SELECT count(*) FROM test_users t WHERE NOT EXISTS "
                    + "(SELECT 1 FROM users u WHERE u.user_id = t.user_id AND u.embedding IS NOT NULL)"));
            assertEquals(50, Tables.count("SELECT count(*) FROM ratings WHERE user_id = 10001"));
            JsonNode lover = JSON.readTree(HttpFixture.get("/api/search?q=lord&user=10001").body());
            assertTrue(lover.get("personalized").asBoolean(), lover.toString());

            // The reload cleared 414's vector: the server must not keep serving the cached one.
            JsonNode after = JSON.readTree(HttpFixture.get("/api/search?q=lord&user=414").body());
            assertFalse(after.get("personalized").asBoolean(), "a stale cached vector was served: " + after);
            assertTrue(after.get("cold_user").asBoolean());

            // Both servers' indexes follow the tables (the reload, then every rating that landed).
            for (PersonalizedSearch p : new PersonalizedSearch[] {first, second}) {
                MovieIndex.Check c = null;
                for (int i = 0; i < 600; i++) {
                    c = MovieIndex.check(HttpFixture.db(), p.searcher().dir());
                    if (!c.stale() && !p.indexFollower().busy()) break;
                    Thread.sleep(100);
                }
                assertFalse(c.stale(), p.searcher().dir() + ":\n" + c.describe());
            }
        }
    }

    /** Counts straight from the tables. */
    static final class Tables {
        static int count(String sql) throws Exception {
            try (var c = HttpFixture.db().connect(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
