package io.reelrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code reelrank keys create | list | revoke} and {@code reelrank users delete} as a user types them,
 * against the test database: the key alone on standard output, what was done on standard error, bad
 * input refused with exit code 2. What is made here is revoked or deleted again by the same commands.
 */
@Tag("integration")
class KeysCommandTest {

    static String url;

    @BeforeAll
    static void prepare() {
        Database db = TestDatabase.sample();
        // The test cluster's password travels in the URL here; users set PGPASSWORD instead.
        url = db.settings().url() + "?user=" + db.settings().user() + "&password=" + db.settings().password();
    }

    /** {@code reelrank COMMAND SUBCOMMAND --db-url URL ARGS…}. */
    static Run run(String command, String subcommand, String... args) {
        return Run.of(List.of(command, subcommand, "--db-url", url), args);
    }

    @Test
    void aKeyIsPrintedOnceListedAndRevoked() {
        Run made = run("keys", "create", "--user", "39801", "--label", "phone");
        assertEquals(0, made.code(), made.err());
        String key = made.out().strip();
        assertTrue(key.matches("rk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}"), made.out());
        String id = key.substring(3, 15);
        assertEquals("keys: made a user key " + id + " for user 39801; shown this once (only its hash is stored): send it as "
                + "Authorization: Bearer <key>\n", made.err());

        Run list = run("keys", "list");
        assertEquals(0, list.code(), list.err());
        String line = list.out().lines().filter(l -> l.startsWith(id)).findFirst().orElseThrow();
        assertTrue(line.matches(id + " +user +39801 +\\S+ +- +phone"), line);
        assertTrue(!list.out().contains(key.substring(16)), "the list never shows a secret");

        assertEquals(new Run(2, "", "reelrank: error: user 39801 has a key already (" + id + "); revoke it first: "
                + "reelrank keys revoke " + id + "\n"), run("keys", "create", "--user", "39801"));
        assertEquals(new Run(0, "keys: revoked " + id + " (user 39801); running servers refuse it at once\n", ""),
                run("keys", "revoke", id));
        assertEquals(new Run(2, "", "reelrank: error: no live key " + id + " (reelrank keys list shows them)\n"),
                run("keys", "revoke", id));
        // The user's rows (here only the revoked key) go with the user.
        Run deleted = run("users", "delete", "39801");
        assertEquals(new Run(0, "users: deleted user 39801: 0 ratings, 0 tags, 0 collaborative vectors, 1 keys; 0 movies' "
                + "statistics and index entries updated\n", ""), deleted);
        assertEquals(new Run(2, "", "reelrank: error: unknown user 39801: no ratings, tags, vectors or keys of this user_id\n"),
                run("users", "delete", "39801"));
    }

    @Test
    void badInputIsRefusedNamingTheOption() {
        assertEquals(2, run("keys", "create").code());
        Run both = run("keys", "create", "--user", "5", "--admin");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("--user=ID, --admin are mutually exclusive"), both.err());
        assertEquals(new Run(2, "", "reelrank: error: --user must be a positive integer, got 0\n"), run("keys", "create", "--user", "0"));
        assertEquals(new Run(2, "", "reelrank: error: not a key id (12 hex digits, as reelrank keys list shows) nor a key: "
                + "'nope'\n"), run("keys", "revoke", "nope"));
        assertEquals(new Run(2, "", "reelrank: error: ID must be a positive integer, got -3\n"), run("users", "delete", "--", "-3"));
    }
}
