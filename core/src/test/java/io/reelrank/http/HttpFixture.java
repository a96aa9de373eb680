package io.reelrank.http;

import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import io.reelrank.index.MovieIndex;
import io.reelrank.index.MovieSearcher;
import io.reelrank.model.ItemVectors;
import io.reelrank.rerank.PersonalizedSearch;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

/**
 * What the HTTP tests run against, built once per test run with the real parts: the test database
 * with the sample, every movie embedded by the bundled MiniLM, every user's vector and the four test
 * users ({@link TestDatabase#personalized()}), a Lucene index of its own under
 * {@code target/test-index/http} (the concurrency test rebuilds it) and one {@link ApiServer} on a
 * free loopback port. Tests share the server and must
 * not close it; a test that writes ratings uses its own user ids and deletes them.
 */
public final class HttpFixture {

    static final Path INDEX = Path.of("target", "test-index", "http").toAbsolutePath();

    private static Database db;
    private static PersonalizedSearch search;
    private static ApiServer server;
    /** For tests that give each request its own (short) timeout. */
    static final HttpClient CLIENT_SHORT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(4)).build();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private HttpFixture() {}

    public static synchronized ApiServer server() {
        if (server == null) {
            try {
                db = TestDatabase.personalized();
                db.setConnectionTimeout(io.reelrank.cli.ServeCommand.DEFAULT_DB_TIMEOUT_MS); // as serve does
                ItemVectors items = ItemVectors.load(db, true);
                MovieIndex.rebuild(db, INDEX);
                search = new PersonalizedSearch(db, MovieSearcher.open(INDEX), items);
                search.listen(); // as serve does
                server = ApiServer.start(ApiServer.Options.loopback(), db, search);
            } catch (Exception e) {
                throw new IllegalStateException("cannot set up the HTTP test server: " + e.getMessage(), e);
            }
        }
        return server;
    }

    static synchronized Database db() {
        server();
        return db;
    }

    static synchronized PersonalizedSearch search() {
        server();
        return search;
    }

    static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return get(server(), pathAndQuery);
    }

    static HttpResponse<String> get(ApiServer s, String pathAndQuery) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(s.uri().resolve(pathAndQuery)).timeout(Duration.ofSeconds(30)).GET().build();
        return CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(ApiServer s, String path, String json, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.uri().resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (authorization != null) b.header("Authorization", authorization);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Any method, with an {@code Authorization} header when {@code authorization} is not null, no body. */
    static HttpResponse<String> send(ApiServer s, String method, String pathAndQuery, String authorization)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.uri().resolve(pathAndQuery)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) b.header("Authorization", authorization);
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static URI uri(String pathAndQuery) {
        return server().uri().resolve(pathAndQuery);
    }

    /** Deletes users (and their ratings) a test created; movie statistics are recomputed for the movies they rated. */
    static void deleteUsers(int... ids) throws Exception {
        try (Connection c = db().connect(); Statement st = c.createStatement()) {
            for (int id : ids) {
                st.execute("UPDATE movies m SET (avg_rating, rating_count) = (SELECT round(avg(r.rating), 2), count(*) "
                        + "FROM ratings r WHERE r.movie_id = m.movie_id AND r.user_id <> " + id + ") "
                        + "WHERE m.movie_id IN (SELECT movie_id FROM ratings WHERE user_id = " + id + ")");
                st.execute("DELETE FROM ratings WHERE user_id = " + id);
                st.execute("DELETE FROM users WHERE user_id = " + id);
                io.reelrank.db.MovieStats.refresh(st); // the ratings went without RatingService: put the movies' figures back
                search.invalidateUser(id);
            }
        }
    }
}
