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
    void printsATableOfRankIdTitleYearGenresAndBm25() {
        Run r = run("\"dark knight\"");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].matches("rank\\s+movie_id\\s+title\\s+year\\s+genres\\s+bm25"), lines[0]);
        assertTrue(lines[1].matches(
                "\\s+1\\s+58559\\s+Dark Knight, The\\s+2008\\s+Action\\|Crime\\|Drama\\|IMAX\\s+\\d+\\.\\d{3}"),
                lines[1]);
        assertEquals("4 of 4 matching movies", lines[lines.length - 1]);
        // Answered from the index: no private cluster was started in this home.
        assertFalse(Files.exists(home.resolve("var").resolve("pg")));
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
        // The one search shape (SearchJson), as `search --user` and /api/search write it; what a plain
        // BM25 search does not compute is null.
        assertEquals(List.of("rank", "movie_id", "title", "year", "genres", "bm25", "bm25_rank", "movement",
                "rating_count", "similarity", "collaborative", "score", "has_embedding", "explanation", "reasons"),
                fieldNames(first));
        assertEquals(List.of("query", "user", "personalized", "cold_user", "fusion", "alpha", "popularity_weight",
                "collaborative_weight", "model_version", "ranker_version", "note", "has_collaborative", "candidates",
                "total_matches", "results"),
                fieldNames(root));
        assertFalse(root.get("personalized").asBoolean());
        assertTrue(root.get("user").isNull() && first.get("similarity").isNull() && first.get("explanation").isNull());
        assertEquals(first.get("bm25").asDouble(), first.get("score").asDouble(), 0.0);
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
