package io.reelrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import io.reelrank.service.Access;
import io.reelrank.service.Keys;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Keys across servers, as an operator runs them: two {@code serve --access keys} processes over one
 * database (as {@link ServeCommandScaleOutTest}'s pair), a user key accepted by both, then revoked
 * through {@link Keys#revoke} (what {@code reelrank keys revoke} runs): both servers refuse it once
 * the revocation's notification reaches them, which the test waits for (no time window); the time
 * each took is printed. The key is removed again at the end.
 */
@Tag("integration")
class ServeCommandKeysTest {

    static final Path INDEX_A = Path.of("target", "test-index", "keys-a").toAbsolutePath();
    static final Path INDEX_B = Path.of("target", "test-index", "keys-b").toAbsolutePath();
    static final int USER = 39851;

    static Database db;
    static ServeProcess a;
    static ServeProcess b;
    static String keyId;

    @BeforeAll
    static void startTwoServers() throws Exception {
        db = TestDatabase.personalized();
        Path home = ServeProcess.home(db, "keys");
        for (Path dir : List.of(INDEX_A, INDEX_B)) ServeCommandScaleOutTest.deleteTree(dir);
        CompletableFuture<ServeProcess> first = CompletableFuture.supplyAsync(() -> start(home, "a", INDEX_A));
        CompletableFuture<ServeProcess> second = CompletableFuture.supplyAsync(() -> start(home, "b", INDEX_B));
        a = first.join();
        b = second.join();
    }

    private static ServeProcess start(Path home, String name, Path index) {
        try {
            return ServeProcess.start(name, home, index, ServeCommandScaleOutTest.START, "--access", "keys");
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @AfterAll
    static void stopServersAndRemoveTheKey() throws Exception {
        for (ServeProcess s : new ServeProcess[] {a, b}) {
            if (s != null) s.close();
        }
        if (keyId != null) {
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute("DELETE FROM api_keys WHERE key_id = '" + keyId + "'");
            }
        }
    }

    static HttpResponse<String> get(ServeProcess s, String path, String key) throws Exception {
        return ServeProcess.HTTP.send(HttpRequest.newBuilder(s.uri.resolve(path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRevokedKeyFailsOnBothServersOnceTheRevocationIsHeard() throws Exception {
        String key;
        try (Keys keys = new Keys(db, null)) {
            Keys.Created k = keys.create(Access.Role.USER, USER, "ServeCommandKeysTest");
            key = k.key();
            keyId = k.keyId();
        }
        for (ServeProcess s : List.of(a, b)) {
            HttpResponse<String> me = get(s, "/api/me", key);
            assertEquals(200, me.statusCode(), s.name + ": " + me.body());
            assertTrue(me.body().contains("\"user_id\":" + USER), me.body());
            assertEquals(403, get(s, "/api/users/10001", key).statusCode(), s.name + " applies the rules");
            assertEquals(401, ServeProcess.HTTP.send(HttpRequest.newBuilder(s.uri.resolve("/api/users/10001"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode(), s.name + ": no key");
        }
        long revoked;
        try (Keys keys = new Keys(db, null)) {
            keys.revoke(keyId);
            revoked = System.nanoTime();
        }
        long[] refusedAfterNanos = new long[2];
        List<ServeProcess> servers = List.of(a, b);
        long deadline = revoked + 60_000_000_000L;
        for (int i = 0; i < 2; i++) {
            ServeProcess s = servers.get(i);
            while (get(s, "/api/me", key).statusCode() != 401) {
                assertTrue(System.nanoTime() < deadline, s.name + " still accepts the revoked key\n" + s.log());
                Thread.sleep(5);
            }
            refusedAfterNanos[i] = System.nanoTime() - revoked;
        }
        HttpResponse<String> refused = get(b, "/api/users/" + USER, key);
        assertEquals(401, refused.statusCode());
        assertTrue(refused.body().contains("unknown or revoked key " + keyId), refused.body());
        System.out.printf(Locale.ROOT, "ServeCommandKeysTest: the revoked key was refused by a after %.1f ms, "
                + "by b after %.1f ms%n", refusedAfterNanos[0] / 1e6, refusedAfterNanos[1] / 1e6);
    }
}
