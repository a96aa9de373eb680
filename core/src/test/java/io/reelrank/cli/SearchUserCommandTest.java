package io.reelrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import io.reelrank.index.MovieIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code reelrank search --user …} through the picocli root against the real test database. */
@Tag("integration")
class SearchUserCommandTest {

    private static Path home;
    private static String previousHome;
    private static String url;


    @BeforeAll
    static void prepare() throws Exception {
        Database db = TestDatabase.personalized();
        home = Files.createTempDirectory("reelrank-rerank-cli");
        MovieIndex.rebuild(db, MovieIndex.defaultDir(home));
        previousHome = System.getProperty("reelrank.home");
        System.setProperty("reelrank.home", home.toString());
        // The test cluster's password travels in the URL here; users set PGPASSWORD instead.
        url = db.settings().url() + "?user=" + db.settings().user() + "&password=" + db.settings().password();
    }

    @AfterAll
    static void restoreTheHome() {
        if (previousHome == null) System.clearProperty("reelrank.home");
        else System.setProperty("reelrank.home", previousHome);
    }

    private static Run run(String... args) {
        return Run.of(List.of("search", "--db-url", url), args);
    }

    @Test
    void jsonForTheLoverPutsTheRingsFirst() throws Exception {
        Run r = run("lord", "--user", "10001", "--limit", "20", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertTrue(root.get("personalized").asBoolean());
        assertEquals(10001, root.get("user").asInt());
        Set<Integer> top4 = Set.of(root.get("results").get(0).get("movie_id").asInt(),
                root.get("results").get(1).get("movie_id").asInt(), root.get("results").get(2).get("movie_id").asInt(),
                root.get("results").get(3).get("movie_id").asInt());
        assertEquals(Set.of(2116, 4993, 5952, 7153), top4);
        JsonNode first = root.get("results").get(0);
        for (String f : List.of("rank", "movie_id", "title", "year", "genres", "bm25", "bm25_rank", "similarity",
                "score")) {
            assertTrue(first.has(f), "missing " + f);
        }
    }

    @Test
    void aDescriptionWithoutAUserGoesHybridAndEachResultSaysWhichListFoundIt() throws Exception {
        Run r = run("space adventure robots", "--limit", "50", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertEquals("hybrid", root.get("retrieval").asText());
        Set<String> labels = new java.util.HashSet<>();
        for (JsonNode x : root.get("results")) {
            labels.add(x.get("retriever").asText());
            assertEquals(x.get("semantic_rank").isNull(), "bm25".equals(x.get("retriever").asText()), x.toString());
            assertTrue(x.get("has_embedding").isBoolean(), "the vectors were loaded: " + x);
        }
        assertTrue(labels.contains("semantic") && labels.contains("both"), labels.toString());
        Run table = run("space adventure robots", "--limit", "5");
        assertTrue(table.out().contains("found by") && table.out().contains("hybrid retrieval"), table.out());
    }

    @Test
    void semanticRetrievalTakesTheFiltersAndRefusesSyntax() throws Exception {
        Run r = run("space adventure robots", "--retrieval", "semantic", "--genre", "Animation", "--year-from", "1990", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode results = new ObjectMapper().readTree(r.out()).get("results");
        assertEquals(10, results.size());
        for (JsonNode x : results) {
            assertEquals("semantic", x.get("retriever").asText());
            assertTrue(x.get("year").asInt() >= 1990, x.toString());
            assertTrue(x.get("genres").toString().contains("Animation"), x.toString());
        }
        Run syntax = run("title:robots", "--retrieval", "semantic");
        assertEquals(2, syntax.code());
        assertTrue(syntax.err().contains("semantic retrieval embeds plain words"), syntax.err());
        Run bad = run("robots", "--retrieval", "vector");
        assertEquals(new Run(2, "", "reelrank: error: --retrieval must be bm25, semantic, hybrid or auto, got 'vector'\n"), bad);
    }

    @Test
    void explainShowsTheMovementAndTheFormula() {
        Run r = run("lord", "--user", "10001", "--explain");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("(1-α)·((1-π)·mm(bm25) + π·mm(log(1+n))) + α·((1-γ)·mm(cos) + γ·mm(u·v)) = "),
                r.out());
        Run linear = run("lord", "--user", "10001", "--explain", "--fusion", "linear", "--alpha", "0.8");
        assertTrue(linear.out().contains("(1-0.80)·bm25/max_bm25 + 0.80·(cos+1)/2 = "), linear.out());
        assertTrue(r.out().matches("(?s).*\\s↑\\d+\\s.*"), "an upward move is shown: " + r.out());
    }

    @Test
    void compareShowsBothListsSideBySide() {
        Run r = run("lord", "--user", "10002", "--compare");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("personalized for user 10002"), r.out());
        assertTrue(r.out().lines().filter(l -> l.contains("│")).count() >= 11, r.out());
    }

    @Test
    void anUnknownUserIsOneLineAndExitCodeTwo() {
        Run r = run("lord", "--user", "999999");
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("reelrank: error: unknown user 999999"), r.err());
    }

    @Test
    void rejectsBadRerankOptionsWithTheValueAndRange() {
        Run a = run("lord", "--user", "10001", "--alpha", "1.5");
        assertEquals(2, a.code());
        assertTrue(a.err().contains("--alpha must be in 0-1, got 1.5"), a.err());
        Run b = run("lord", "--alpha", "0.5");
        assertEquals(2, b.code());
        assertTrue(b.err().contains("--alpha needs --user"), b.err());
        Run c = run("lord", "--user", "10001", "--fusion", "max");
        assertEquals(2, c.code());
        assertTrue(c.err().contains("fusion must be weighted, linear, rrf, bm25 or learned, got 'max'"), c.err());
        Run e = run("lord", "--user", "10001", "--popularity", "2");
        assertEquals(2, e.code());
        assertTrue(e.err().contains("--popularity must be in 0-1, got 2.0"), e.err());
        Run f = run("lord", "--user", "10001", "--fusion", "linear", "--collaborative", "0.5");
        assertEquals(2, f.code());
        assertTrue(f.err().contains(
                "--popularity and --collaborative apply to weighted fusion only, got --fusion linear"),
                f.err());
        Run d = run("lord", "--user", "10001", "--candidates", "0");
        assertEquals(2, d.code());
        assertTrue(d.err().contains("--candidates must be in 1-1000, got 0"), d.err());
    }

    @Test
    void aQuerySyntaxErrorShowsTheCaretWithAUser() {
        Run r = run("title:(lord", "--user", "10001");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("title:(lord\n"), r.err());
        assertTrue(r.err().contains("^"), r.err());
    }
}
