package io.reelrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelrank.TestDatabase;
import io.reelrank.index.MovieIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code reelrank search} end to end through the picocli root, on an index of the real sample built
 * in a throwaway home. No database options are given: the command must answer from the index alone.
 */
@Tag("integration")
class SearchCommandTest {

    private static Path home;
    private static String previousHome;


    @BeforeAll
    static void buildTheIndexInAThrowawayHome() throws Exception {
        home = Files.createTempDirectory("reelrank-search-cli");
        MovieIndex.rebuild(TestDatabase.sample(), MovieIndex.defaultDir(home));
        previousHome = System.getProperty("reelrank.home");
        System.setProperty("reelrank.home", home.toString());
    }

    @AfterAll
    static void restoreTheHome() {
        if (previousHome == null) System.clearProperty("reelrank.home");
        else System.setProperty("reelrank.home", previousHome);
    }

    private static Run run(String... args) {
        return Run.of(List.of("search"), args);
    }

    @Test
    void printsBm25AndThePopularityPriorWithoutADatabase() {
        Run r = run("\"dark knight\"");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals("query \"dark knight\" · no user · BM25 and the popularity prior, π=0.70 · bm25 retrieval", lines[0]);
        assertTrue(lines[1].matches("rank\\s+movie_id\\s+title\\s+year\\s+genres\\s+bm25\\s+ratings\\s+score"), lines[1]);
        assertTrue(lines[2].matches("\\s+1\\s+58559\\s+Dark Knight, The\\s+2008\\s+Action\\|Crime\\|Drama\\|IMAX\\s+\\d+\\.\\d{3}"
                + "\\s+\\d+\\s+\\d\\.\\d{4}"), lines[2]);
        assertEquals("4 of 4 matching movies", lines[lines.length - 1]);
        // Answered from the index: no private cluster was started in this home.
        assertFalse(Files.exists(home.resolve("var").resolve("pg")));
    }

    @Test
    void fusionBm25PrintsThePlainBm25Table() {
        Run r = run("\"dark knight\"", "--fusion", "bm25");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].matches("rank\\s+movie_id\\s+title\\s+year\\s+genres\\s+bm25"), lines[0]);
        assertTrue(lines[1].matches(
                "\\s+1\\s+58559\\s+Dark Knight, The\\s+2008\\s+Action\\|Crime\\|Drama\\|IMAX\\s+\\d+\\.\\d{3}"),
                lines[1]);
        assertEquals("4 of 4 matching movies", lines[lines.length - 1]);
    }

    @Test
    void aMistypedWordIsFoundAndTheCorrectionProposed() throws Exception {
        Run r = run("harry poter", "--limit", "3");
        assertEquals(0, r.code(), r.err());
        assertEquals("did you mean: harry potter", r.out().split("\n")[0]);
        assertTrue(r.out().contains("Harry Potter and the"), r.out());
        JsonNode root = new ObjectMapper().readTree(run("harry poter", "--json").out());
        assertEquals("harry potter", root.get("did_you_mean").asText());
        assertEquals("bm25", root.get("retrieval").asText());
        Run off = run("harry poter", "--typos", "off", "--retrieval", "bm25", "--limit", "3");
        assertFalse(off.out().contains("did you mean"), off.out());
        assertTrue(matching(off.out()) < matching(r.out()), "only \"harry\" matches without tolerance: " + off.out());
        assertFalse(Files.exists(home.resolve("var").resolve("pg")), "a title after correction: the index alone answers");
    }

    @Test
    void printsJsonWithTheDocumentedFields() throws Exception {
        Run r = run("title:matrix AND year:[2000 TO 2020]", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertEquals("title:matrix AND year:[2000 TO 2020]", root.get("query").asText());
        JsonNode results = root.get("results");
        assertEquals(2, results.size());
        JsonNode first = results.get(0);
        // The one search shape (SearchJson), as `search --user` and /api/search write it; what a search
        // without a user does not compute is null.
        assertEquals(List.of("rank", "movie_id", "title", "year", "genres", "bm25", "bm25_rank", "movement", "rating_count",
                "similarity", "collaborative", "score", "has_embedding", "explanation", "retriever", "retrieval_rank",
                "semantic_rank", "semantic_score", "reasons"), fieldNames(first));
        assertEquals(List.of("query", "user", "personalized", "cold_user", "fusion", "alpha", "popularity_weight",
                "collaborative_weight", "model_version", "ranker_version", "note", "has_collaborative", "candidates",
                "total_matches", "retrieval", "did_you_mean", "results"), fieldNames(root));
        assertFalse(root.get("personalized").asBoolean());
        assertEquals("weighted", root.get("fusion").asText());
        assertEquals(0.70, root.get("popularity_weight").asDouble());
        assertTrue(root.get("user").isNull() && first.get("similarity").isNull() && first.get("has_embedding").isNull());
        assertTrue(first.get("explanation").asText().startsWith("(1-π)·mm(bm25) + π·mm(log(1+n)) (no user"),
                first.get("explanation").asText());
        assertEquals("bm25", first.get("retriever").asText());
        assertTrue(first.get("semantic_rank").isNull());
        assertEquals(1, first.get("bm25_rank").asInt());
        assertEquals(2, root.get("total_matches").asLong());
        assertEquals(1, first.get("rank").asInt());
        assertEquals(6365, first.get("movie_id").asInt());
        assertEquals("Matrix Reloaded, The", first.get("title").asText());
        assertEquals(2003, first.get("year").asInt());
        assertEquals("Sci-Fi", first.get("genres").get(2).asText());
        assertTrue(first.get("bm25").isNumber() && first.get("bm25").asDouble() > 0);
        assertEquals(6934, results.get(1).get("movie_id").asInt());
    }

    /** N of the last line "k of N matching movies". */
    private static int matching(String out) {
        String[] lines = out.split("\n");
        return Integer.parseInt(lines[lines.length - 1].replaceAll(".* of ([\\d,]+) matching movies", "$1").replace(",", ""));
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void filtersOptionsApplyTheOriginalDesignsConditions() throws Exception {
        Run r = run("title:matrix AND genres:Sci-Fi", "--min-avg-rating", "3.5", "--min-ratings", "50",
                "--year-from", "1990", "--year-to", "2024", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode results = new ObjectMapper().readTree(r.out()).get("results");
        assertEquals(1, results.size());
        assertEquals(2571, results.get(0).get("movie_id").asInt());
        Run fantasy = run("title:lord", "--genre", "Fantasy", "--genre", "adventure", "--year-from", "2000", "--sort",
                "movie_id", "--json");
        JsonNode ids = new ObjectMapper().readTree(fantasy.out()).get("results");
        assertEquals(List.of(4993, 5952, 7153), List.of(ids.get(0).get("movie_id").asInt(),
                ids.get(1).get("movie_id").asInt(), ids.get(2).get("movie_id").asInt()));
    }

    @Test
    void aSyntaxErrorPrintsTheQueryACaretAndTheReasonWithExitCodeTwo() {
        Run r = run("(title:lord OR title:king AND genres:Fantasy");
        assertEquals(2, r.code());
        assertEquals(
                "(title:lord OR title:king AND genres:Fantasy\n^\nunbalanced parenthesis: this ( has no closing )\n",
                r.err());
        assertEquals("", r.out());
        Run field = run("title:lord AND year:nineties");
        assertEquals(2, field.code());
        assertEquals(
                "title:lord AND year:nineties\n                    ^\nyear expects a whole number, got 'nineties'\n",
                field.err());
    }

    @Test
    void anEmptyResultSaysSo() {
        Run r = run("title:zzzzqx");
        assertEquals(0, r.code(), r.err());
        assertEquals("no movies match title:zzzzqx\n", r.out());
        Run json = run("title:zzzzqx", "--json");
        assertTrue(json.out().contains("\"results\" : [ ]"), json.out());
    }

    @Test
    void aQueryStartingWithAMinusIsTheQueryNotAnOption() {
        Run r = run("-genres:Horror", "--limit", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("of 8,764 matching movies"), r.out());
    }

    @Test
    void badOptionValuesNameTheOptionTheRangeAndTheValue() {
        assertEquals(new Run(2, "", "reelrank: error: --limit must be in 1-1000, got 0\n"),
                run("lord", "--limit", "0"));
        assertEquals(new Run(2, "", "reelrank: error: --min-avg-rating must be in 0-5, got 5.5\n"),
                run("lord", "--min-avg-rating", "5.5"));
        assertEquals(new Run(2, "", "reelrank: error: --year-from must be in 1800-2100, got 99\n"),
                run("lord", "--year-from", "99"));
        assertEquals(new Run(2, "",
                "reelrank: error: --sort must be one of score, avg_rating, year, movie_id, got 'rating'\n"),
                run("lord", "--sort", "rating"));
        Run genre = run("lord", "--genre", "Scifi");
        assertEquals(2, genre.code());
        assertTrue(genre.err().startsWith("reelrank: error: --genre must be one of action, adventure, animation"),
                genre.err());
    }
}
