package io.reelrank.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code GET /api/search}'s retrieval choices over real HTTP, against the shared test server (the real
 * index, movie vectors and sentence model): {@code retrieval}, {@code typos}, {@code fusion=bm25}, the
 * "did you mean" correction and each result's retriever in the JSON, and the 400s of bad values.
 */
@Tag("integration")
class ApiSearchRetrievalTest {

    static JsonNode search(String query, String more) throws Exception {
        return ApiServerTest.ok("/api/search?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + more);
    }

    static boolean harryPotterInTop3(JsonNode body) {
        for (int i = 0; i < Math.min(3, body.get("results").size()); i++) {
            if (body.get("results").get(i).get("title").asText().startsWith("Harry Potter")) return true;
        }
        return false;
    }

    @Test
    void aMisspelledWordIsForgivenAndTheCorrectionComesBackAsDidYouMean() throws Exception {
        JsonNode body = search("harry poter", "");
        assertEquals("harry potter", body.get("did_you_mean").asText());
        assertEquals("bm25", body.get("retrieval").asText(), "a title query stays on BM25 under auto");
        assertTrue(harryPotterInTop3(body), body.toString());
        for (JsonNode r : body.get("results")) assertEquals("bm25", r.get("retriever").asText());
    }

    @Test
    void typosOffSearchesTheWordsAsWrittenAndProposesNothing() throws Exception {
        // In the plain BM25 order, so that the popularity prior cannot lift the films "harry" alone finds.
        JsonNode body = search("harry poter", "&typos=off&fusion=bm25");
        assertTrue(body.get("did_you_mean").isNull());
        assertFalse(harryPotterInTop3(body), body.toString());
        assertTrue(harryPotterInTop3(search("harry poter", "&typos=on&fusion=bm25")), "tolerance finds them");
        assertTrue(search("harry potter", "").get("did_you_mean").isNull(), "a query the index knows needs no fix");
    }

    @Test
    void hybridRetrievalSaysWhichListFoundEachResult() throws Exception {
        JsonNode body = search("wizard school", "&retrieval=hybrid&limit=20");
        assertEquals("hybrid", body.get("retrieval").asText());
        Set<String> seen = new HashSet<>();
        for (JsonNode r : body.get("results")) {
            String by = r.get("retriever").asText();
            seen.add(by);
            assertEquals(!by.equals("bm25"), !r.get("semantic_rank").isNull(), r.toString());
            assertEquals(!by.equals("bm25"), !r.get("semantic_score").isNull(), r.toString());
            assertEquals(!by.equals("semantic"), !r.get("bm25_rank").isNull(), r.toString());
            assertTrue(r.get("retrieval_rank").asInt() >= 1, r.toString());
        }
        assertTrue(seen.contains("semantic") || seen.contains("both"), "the semantic list took part: " + seen);
    }

    @Test
    void semanticRetrievalAnswersFromTheMovieVectorsAlone() throws Exception {
        JsonNode body = search("space adventure robots", "&retrieval=semantic&user=10001");
        assertEquals("semantic", body.get("retrieval").asText());
        assertTrue(body.get("personalized").asBoolean());
        for (JsonNode r : body.get("results")) {
            assertEquals("semantic", r.get("retriever").asText());
            assertTrue(r.get("bm25_rank").isNull(), r.toString());
        }
    }

    @Test
    void semanticRetrievalOfAQueryWithSyntaxIsA400() throws Exception {
        HttpResponse<String> r = HttpFixture.get("/api/search?q=title:lord&retrieval=semantic");
        assertEquals(400, r.statusCode(), r.body());
        JsonNode body = ApiServerTest.json(r);
        assertEquals("query syntax error", body.get("error").asText());
        assertTrue(body.get("detail").asText().contains("semantic retrieval embeds plain words"), r.body());
    }

    @Test
    void fusionBm25KeepsTheRetrievalsOwnOrder() throws Exception {
        JsonNode body = search("star wars", "&fusion=bm25&limit=20");
        assertEquals("bm25", body.get("fusion").asText());
        for (int i = 0; i < body.get("results").size(); i++) {
            assertEquals(i + 1, body.get("results").get(i).get("bm25_rank").asInt());
        }
        JsonNode prior = search("star wars", "&limit=20");
        assertEquals("weighted", prior.get("fusion").asText());
        assertFalse(body.get("results").get(0).get("movie_id").equals(prior.get("results").get(0).get("movie_id"))
                && body.get("results").get(1).get("movie_id").equals(prior.get("results").get(1).get("movie_id"))
                && body.get("results").get(2).get("movie_id").equals(prior.get("results").get(2).get("movie_id")),
                "the popularity prior changes the top 3 of star wars");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/api/search?q=lord&retrieval=vector   | parameter 'retrieval' must be bm25, semantic, hybrid or auto, got 'vector'",
        "/api/search?q=lord&retrieval=         | parameter 'retrieval' must be bm25, semantic, hybrid or auto, got ''",
        "/api/search?q=lord&typos=maybe        | parameter 'typos' must be on or off, got 'maybe'",
        "/api/search?q=lord&typos=on&typos=off | parameter 'typos' must be given at most once, got 2 values",
        "/api/search?q=lord&fusion=max         | parameter 'fusion' must be weighted, linear, rrf, bm25 or learned, got 'max'",
    })
    void aBadRetrievalTyposOrFusionIsA400ThatSaysWhatIsAllowed(String path, String detail) throws Exception {
        HttpResponse<String> r = HttpFixture.get(path);
        assertEquals(400, r.statusCode(), r.body());
        JsonNode body = ApiServerTest.json(r);
        assertEquals("bad parameter", body.get("error").asText());
        assertEquals(detail, body.get("detail").asText());
    }
}
