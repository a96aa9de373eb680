package io.reelrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reelrank demo --loop --quick} end to end through real child processes on the test database's
 * server: every stage runs, the real database is left as it was (the loop works in a scratch database,
 * dropped afterwards), and the verdicts are printed. The interleaving of BM25 against the learned
 * ranker must favour the learned ranker (more wins), a direction the generated audience's tastes decide.
 */
@Tag("integration")
class DemoLoopTest {

    @TempDir
    Path tmp;

    @Test
    void theQuickLoopRunsEveryStageInItsOwnDatabaseAndPrintsTheVerdicts() throws Exception {
        Database db = TestDatabase.get();
        long ratingsBefore = count(db, "SELECT count(*) FROM ratings");
        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.createSymbolicLink(home.resolve("sample_data"), TestDatabase.SAMPLE.getParent());
        String url = db.settings().url() + "?user=" + db.settings().user() + "&password=" + db.settings().password();
        String previousHome = System.getProperty("reelrank.home");
        System.setProperty("reelrank.home", home.toString());
        Run r;
        try {
            r = Run.of(List.of("demo"), "--loop", "--quick", "--db-url", url);
        } finally {
            if (previousHome == null) System.clearProperty("reelrank.home");
            else System.setProperty("reelrank.home", previousHome);
            Files.delete(home.resolve("sample_data")); // the link, not the sample
        }
        assertEquals(0, r.code(), r.err() + r.out());
        String out = r.out();
        System.out.print(out.substring(Math.max(0, out.indexOf("the loop's verdicts")))); // the figures, in the log
        for (int i = 1; i <= 7; i++) assertTrue(out.contains("\n[" + i + "/7] "), "stage " + i + " missing:\n" + out);
        assertTrue(out.contains("  $ reelrank train --judgments-from clicks --db-url "), out);
        assertTrue(out.contains("  $ reelrank train --judgments-from clicks --no-debias --db-url "), out);

        assertFalse(out.contains(db.settings().password()), "a password printed");
        // Interleaving's counts are read, not compared: at this size they are close, and a change of the
        // rankers anywhere upstream would move them.
        String verdict = "wins A (\\d+), B (\\d+), ties (\\d+); Δ_AB [+-]0\\.\\d{4} \\[[^]]+\\]; p = ";
        Matcher first = Pattern.compile("BM25 vs learned \\(ratings\\) +" + verdict).matcher(out);
        assertTrue(first.find(), out);
        assertEquals(300, Integer.parseInt(first.group(1)) + Integer.parseInt(first.group(2))
                + Integer.parseInt(first.group(3)), "every impression a win, a loss or a tie: " + first.group());
        assertTrue(Pattern.compile("weighted vs learned \\(debiased clicks\\) +" + verdict).matcher(out).find(), out);
        // The latent truth is deterministic for the seed: the same sessions served by each ranker.
        java.util.Map<String, Double> latent = new java.util.HashMap<>();
        for (String ranker : List.of("bm25", "weighted", "learned \\(ratings\\), version \\d+",
                "learned \\(debiased clicks\\), version \\d+", "learned \\(clicks, not debiased\\), version \\d+")) {
            Matcher m = Pattern.compile("latent NDCG@10, (" + ranker
                    + ") +(0\\.\\d{4}) \\(shown order 0\\.\\d{4}\\)").matcher(out);
            assertTrue(m.find(), ranker + " missing:\n" + out);
            latent.put(m.group(1).replaceAll(", version \\d+", ""), Double.parseDouble(m.group(2)));
        }
        for (String pair : List.of("learned \\(ratings\\) − bm25", "learned \\(debiased clicks\\) − weighted",
                "debiased − not debiased clicks")) {
            assertTrue(Pattern.compile("paired: " + pair
                    + " +[+-]0\\.\\d{4}, 95% interval \\[[+-]0\\.\\d{4}, [+-]0\\.\\d{4}\\] over 200 sessions").matcher(out).find(),
                    pair + " missing:\n" + out);
        }
        assertTrue(latent.get("learned (ratings)") > latent.get("bm25"), "the learned ranker above BM25: " + latent);
        assertTrue(latent.get("learned (debiased clicks)") > latent.get("bm25"), "clicks above BM25: " + latent);
        assertTrue(Files.exists(home.resolve("var/loop/bm25-vs-learned.png")));
        assertTrue(Files.exists(home.resolve("var/loop/weighted-vs-clicks.png")));

        // The real database is untouched and the scratch one is gone.
        assertEquals(ratingsBefore, count(db, "SELECT count(*) FROM ratings"));
        assertEquals(0, count(db, "SELECT count(*) FROM pg_database WHERE datname = '"
                + db.settings().database() + "_loop'"));
        assertFalse(out.contains("(kept)"));
    }

    private static long count(Database db, String sql) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
