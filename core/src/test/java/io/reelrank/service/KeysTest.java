package io.reelrank.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import io.reelrank.db.RatingSource;
import io.reelrank.model.ItemVectors;
import io.reelrank.user.UserTower;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * API keys against the real database: made, found, refused when malformed, wrong or revoked, one per
 * user, stored as hashes only; a revocation reaches two servers' caches through the notification (not
 * through their cache's expiry, which is set far beyond the test); users' kinds for the write rules.
 * Every key and user made here is deleted again, through the product's own paths.
 */
@Tag("integration")
class KeysTest {

    static final int USER = 39701;
    static Database db;
    static final List<String> made = new ArrayList<>();

    @BeforeAll
    static void setUp() {
        db = TestDatabase.personalized();
    }

    @AfterAll
    static void revokeWhatWasMade() throws Exception {
        try (Keys keys = new Keys(db, null)) {
            for (Keys.Listed k : keys.list()) {
                if (made.contains(k.keyId()) && k.revoked() == null) keys.revoke(k.keyId());
            }
        }
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DELETE FROM api_keys WHERE key_id = ANY ('{" + String.join(",", made) + "}')");
        }
    }

    static Keys.Created create(Keys keys, Access.Role role, Integer user) throws Exception {
        Keys.Created k = keys.create(role, user, "KeysTest");
        made.add(k.keyId());
        return k;
    }

    @Test
    void aKeyStandsForItsUserOrForAnAdminAndOnlyItsHashIsStored() throws Exception {
        try (Keys keys = new Keys(db, null)) {
            Keys.Created user = create(keys, Access.Role.USER, USER);
            Keys.Created admin = create(keys, Access.Role.ADMIN, null);
            assertTrue(user.key().matches("rk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}"), user.key());
            assertTrue(user.key().startsWith("rk_" + user.keyId() + "_"));
            assertEquals(Access.Principal.user(USER, user.keyId()), keys.authenticate(user.key()));
            assertEquals(Access.Principal.admin(admin.keyId()), keys.authenticate(admin.key()));
            assertEquals(Access.Principal.ANONYMOUS, keys.authenticate(null));

            String secret = user.key().substring(16);
            try (Connection c = db.connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE position('" + secret + "' IN a::text) > 0), "
                         + "count(*) FILTER (WHERE encode(secret_sha256, 'hex') = '"
                         + java.util.HexFormat.of().formatHex(Keys.sha256(secret)) + "') FROM api_keys a")) {
                rs.next();
                assertEquals(List.of(0, 1), List.of(rs.getInt(1), rs.getInt(2)), "the row holds the secret's SHA-256, never the secret");
            }
            Keys.Listed listed = keys.list().stream().filter(k -> k.keyId().equals(user.keyId())).findFirst().orElseThrow();
            assertEquals(Access.Role.USER, listed.role());
            assertEquals(USER, listed.userId());
            assertEquals("KeysTest", listed.label());
            assertNull(listed.revoked());

            Keys.KeyExistsException twice = assertThrows(Keys.KeyExistsException.class,
                    () -> keys.create(Access.Role.USER, USER, null));
            assertEquals("user " + USER + " has a key already (" + user.keyId() + "); revoke it first: reelrank keys revoke "
                    + user.keyId(), twice.getMessage());

            keys.revoke(user.key()); // the whole key names its id too
            Keys.InvalidKeyException gone = assertThrows(Keys.InvalidKeyException.class, () -> keys.authenticate(user.key()));
            assertEquals("unknown or revoked key " + user.keyId(), gone.getMessage());
            // Revoked, the user may have a new one.
            Keys.Created again = create(keys, Access.Role.USER, USER);
            assertEquals(Access.Principal.user(USER, again.keyId()), keys.authenticate(again.key()));
            keys.revoke(again.keyId());
            IllegalArgumentException twiceRevoked = assertThrows(IllegalArgumentException.class, () -> keys.revoke(again.keyId()));
            assertEquals("no live key " + again.keyId() + " (reelrank keys list shows them)", twiceRevoked.getMessage());
            keys.revoke(admin.keyId());
        }
    }

    @Test
    void malformedWrongAndUnknownKeysAreRefusedWithoutSayingWhichPartWasWrong() throws Exception {
        try (Keys keys = new Keys(db, "s3cret-token-of-the-deployment")) {
            Keys.Created k = create(keys, Access.Role.ADMIN, null);
            assertEquals("not a reelrank key: expected rk_<12 hex digits>_<43 characters of A-Z a-z 0-9 - _> or the server's "
                    + "REELRANK_API_TOKEN", assertThrows(Keys.InvalidKeyException.class, () -> keys.authenticate("hunter2")).getMessage());
            String wrongSecret = k.key().substring(0, k.key().length() - 1) + (k.key().endsWith("A") ? "B" : "A");
            assertEquals("unknown or revoked key " + k.keyId(),
                    assertThrows(Keys.InvalidKeyException.class, () -> keys.authenticate(wrongSecret)).getMessage());
            String unknown = "rk_000000000000_" + k.key().substring(16);
            assertEquals("unknown or revoked key 000000000000",
                    assertThrows(Keys.InvalidKeyException.class, () -> keys.authenticate(unknown)).getMessage());
            // The deployment's shared token keeps working, as an admin key.
            assertEquals(Access.Principal.admin(Keys.TOKEN_ID), keys.authenticate("s3cret-token-of-the-deployment"));
            assertThrows(Keys.InvalidKeyException.class, () -> keys.authenticate("s3cret-token-of-the-deploymenT"));
            keys.revoke(k.keyId());
        }
        assertEquals("an admin key names no user", assertThrows(IllegalArgumentException.class,
                () -> new Keys(db, null).create(Access.Role.ADMIN, 5, null)).getMessage());
        assertEquals("label must be 1-100 printable characters, got 'a\tb'", assertThrows(IllegalArgumentException.class,
                () -> new Keys(db, null).create(Access.Role.USER, 5, "a\tb")).getMessage());
        assertEquals("not a key id (12 hex digits, as reelrank keys list shows) nor a key: 'XYZ'",
                assertThrows(IllegalArgumentException.class, () -> Keys.idOf("XYZ")).getMessage());
    }

    @Test
    void aRevokedKeyFailsOnEveryServerAsSoonAsTheNotificationArrives() throws Exception {
        long tenMinutes = 600_000; // far beyond the test: only the notification can drop the cached key
        try (Keys first = new Keys(db, null, tenMinutes); Keys second = new Keys(db, null, tenMinutes);
             Keys cli = new Keys(db, null)) {
            first.listen();
            second.listen();
            while (first.catchUps() == 0 || second.catchUps() == 0) Thread.sleep(10);
            Keys.Created k = create(cli, Access.Role.USER, USER + 1);
            assertEquals(USER + 1, first.authenticate(k.key()).userId()); // now cached on both
            assertEquals(USER + 1, second.authenticate(k.key()).userId());

            cli.revoke(k.keyId());
            long revoked = System.nanoTime();
            for (Keys server : new Keys[] {first, second}) {
                long deadline = revoked + 10_000_000_000L;
                while (true) {
                    try {
                        server.authenticate(k.key());
                    } catch (Keys.InvalidKeyException e) {
                        break;
                    }
                    assertTrue(System.nanoTime() < deadline, "a revoked key still accepted after 10 s");
                    Thread.sleep(5);
                }
                System.out.printf(java.util.Locale.ROOT, "revoked key refused after %.1f ms%n", (System.nanoTime() - revoked) / 1e6);
            }
        }
    }

    @Test
    void usersAreTestMovieLensLiveOrNewAndAFirstRatingMakesANewUserLive() throws Exception {
        int fresh = USER + 2;
        ItemVectors items = ItemVectors.load(db, true);
        try (Keys keys = new Keys(db, null, 600_000)) {
            keys.listen();
            while (keys.catchUps() == 0) Thread.sleep(10);
            assertEquals(Access.UserKind.TEST, keys.kindOf(10001));
            assertEquals(Access.UserKind.MOVIELENS, keys.kindOf(414));
            assertEquals(Access.UserKind.NEW, keys.kindOf(fresh));
            RatingService s = new RatingService(db, () -> items, () -> null, UserTower.DEFAULT_SHRINKAGE, null);
            s.rate(fresh, 4993, 4.5, RatingSource.API);
            long waitUntil = System.nanoTime() + 10_000_000_000L;
            while (keys.kindOf(fresh) != Access.UserKind.LIVE) {
                assertTrue(System.nanoTime() < waitUntil, "the user's notification did not reach the cache");
                Thread.sleep(5);
            }
            s.forget(fresh);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (keys.kindOf(fresh) != Access.UserKind.NEW) {
                assertTrue(System.nanoTime() < deadline, "the deletion's notification did not reach the cache");
                Thread.sleep(5);
            }
            assertFalse(keys.kindOf(414) == Access.UserKind.LIVE);
        }
    }
}
