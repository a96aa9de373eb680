package io.reelrank.rerank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import io.reelrank.index.QuerySyntaxException;
import io.reelrank.index.SearchFilters;
import io.reelrank.index.SearchHit;
import io.reelrank.index.SearchSort;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A search without a user, as a new visitor types it, through the real index of the sample, the real
 * movie vectors and the real sentence model: the shipped retrieval (typo tolerance, auto hybrid) and
 * the popularity prior find what a person meant.
 */
@Tag("integration")
class AnonymousSearchTest {

    private static final Set<Integer> HARRY_POTTER = Set.of(4896, 5816, 8368, 40815, 54001, 69844, 81834, 88125);
    private static final Set<Integer> LORD_OF_THE_RINGS = Set.of(2116, 4993, 5952, 7153);
    /** Star Wars Episodes IV, V and VI. */
    private static final Set<Integer> ORIGINAL_TRILOGY = Set.of(260, 1196, 1210);

    @TempDir
    static Path tmp;

    private static Database db;
    private static PersonalizedSearch search;

    @BeforeAll
    static void open() throws Exception {
        db = TestDatabase.personalized();
        search = TestDatabase.personalizedSearch(tmp.resolve("index"));
    }

    @AfterAll
    static void close() throws Exception {
        search.close();
    }

    private static PersonalizedSearch.Response anonymous(String q) throws Exception {
        return search.search(PersonalizedSearch.Request.of(q, null));
    }

    private static List<Integer> top(PersonalizedSearch.Response r, int n) {
        return r.results().stream().limit(n).map(PersonalizedSearch.Result::movieId).collect(Collectors.toList());
    }

    @Test
    void harryPoterFindsAHarryPotterFilmInTheTopThreeAndProposesTheSpelling() throws Exception {
        PersonalizedSearch.Response r = anonymous("harry poter");
        assertTrue(top(r, 3).stream().anyMatch(HARRY_POTTER::contains), r.results().toString());
        assertEquals("harry potter", r.didYouMean());
    }

    @Test
    void lordOfTheRngsFindsALordOfTheRingsFilmInTheTopThree() throws Exception {
        PersonalizedSearch.Response r = anonymous("lord of the rngs");
        assertTrue(top(r, 3).stream().anyMatch(LORD_OF_THE_RINGS::contains), r.results().toString());
        assertEquals("lord of the rings", r.didYouMean());
    }

    @Test
    void starWarsPutsEpisodesFourToSixOnTop() throws Exception {
        PersonalizedSearch.Response r = anonymous("star wars");
        assertEquals(ORIGINAL_TRILOGY, Set.copyOf(top(r, 3)), r.results().toString());
        assertNull(r.didYouMean());
        assertEquals(Retrieval.BM25, r.retrieval(), "a title: BM25 answers it");
    }

    @Test
    void theAnonymousRankingIsBm25AndThePriorAndExplainsIt() throws Exception {
        PersonalizedSearch.Response r = anonymous("star wars");
        assertEquals(PersonalizedSearch.ANONYMOUS_WEIGHTS, r.weights());
        PersonalizedSearch.Result first = r.results().get(0);
        assertTrue(first.explanation().startsWith("(1-π)·mm(bm25) + π·mm(log(1+n)) (no user: BM25 and the popularity prior) = "
                + "0.30·"), first.explanation());
        assertTrue(first.explanation().contains("n " + first.ratingCount()), first.explanation());
        // The scores are the formula's: non-increasing, ties by movie_id.
        for (int i = 1; i < r.results().size(); i++) {
            PersonalizedSearch.Result a = r.results().get(i - 1);
            PersonalizedSearch.Result b = r.results().get(i);
            assertTrue(a.score() > b.score() || a.score() == b.score() && a.movieId() < b.movieId(), a + " / " + b);
        }
    }

    @Test
    void fusionBm25KeepsThePlainBm25Order() throws Exception {
        PersonalizedSearch.Response r = search.search(new PersonalizedSearch.Request("star wars", null, 10, 100, null,
                Fusion.BM25, SearchFilters.NONE));
        List<SearchHit> plain = search.searcher().search("star wars", SearchFilters.NONE, SearchSort.SCORE, 10).hits();
        assertEquals(plain.stream().map(SearchHit::movieId).collect(Collectors.toList()), top(r, 10));
        assertNotEquals(top(r, 3), top(anonymous("star wars"), 3), "the prior changes the order");
    }

    @Test
    void aDescriptionGoesToHybridRetrievalAndEachResultSaysWhoFoundIt() throws Exception {
        PersonalizedSearch.Response r = search.search(PersonalizedSearch.Request.of("space adventure robots", null)
                .withLimit(100));
        assertEquals(Retrieval.HYBRID, r.retrieval());
        Set<String> labels = r.results().stream().map(PersonalizedSearch.Result::retriever).collect(Collectors.toSet());
        assertEquals(Set.of("bm25", "semantic", "both"), labels);
        for (PersonalizedSearch.Result x : r.results()) {
            assertEquals(x.bm25Rank() > 0 && x.semanticRank() != null ? "both" : x.bm25Rank() > 0 ? "bm25" : "semantic",
                    x.retriever(), x.toString());
            if (x.semanticRank() != null) assertTrue(x.semanticScore() > -1 && x.semanticScore() <= 1, x.toString());
            if (x.bm25Rank() == 0) assertEquals(0.0, x.bm25());
        }
    }

    @Test
    void theFiltersApplyToTheSemanticBranchToo() throws Exception {
        SearchFilters filters = new SearchFilters(3.0, 5, 1990, 2005, List.of("Animation"));
        RetrievalSettings semantic = RetrievalSettings.DEFAULT.withRetrieval(Retrieval.SEMANTIC);
        Retriever.Result all = search.retriever().retrieve("space adventure robots", SearchFilters.NONE, 100, semantic, false);
        Retriever.Result some = search.retriever().retrieve("space adventure robots", filters, 100, semantic, false);
        assertTrue(some.found().size() > 5 && some.found().size() < all.found().size(), some.found().size() + " of "
                + all.found().size());
        var movies = search.searcher().movies(some.found().stream().mapToInt(Retriever.Found::movieId).toArray());
        for (Retriever.Found f : some.found()) {
            var m = movies.get(f.movieId());
            assertTrue(m.genres().contains("Animation") && m.year() >= 1990 && m.year() <= 2005 && m.avgRating() >= 3.0
                    && m.ratingCount() >= 5, m.toString());
            assertEquals("semantic", new PersonalizedSearch.Result(1, m.movieId(), m.title(), m.year(), m.genres(), 0, 0,
                    null, null, 0, 0, true, "", "semantic", f.rank(), f.semanticRank(), f.cosine()).retriever());
        }
        // The same movies in the same order as the unfiltered list, keeping those that pass.
        List<Integer> passing = all.found().stream().map(Retriever.Found::movieId).filter(movies::containsKey).toList();
        assertEquals(passing, some.found().stream().map(Retriever.Found::movieId).toList().subList(0, passing.size()));
    }

    @Test
    void retrievalIsDeterministicWithTiesByMovieId() throws Exception {
        for (Retrieval kind : List.of(Retrieval.SEMANTIC, Retrieval.HYBRID)) {
            RetrievalSettings s = RetrievalSettings.DEFAULT.withRetrieval(kind);
            Retriever.Result a = search.retriever().retrieve("dark comedy about a heist", SearchFilters.NONE, 100, s, false);
            Retriever.Result b = search.retriever().retrieve("dark comedy about a heist", SearchFilters.NONE, 100, s, false);
            assertEquals(a.found(), b.found());
            for (int i = 1; i < a.found().size(); i++) {
                Retriever.Found x = a.found().get(i - 1);
                Retriever.Found y = a.found().get(i);
                assertTrue(x.score() > y.score() || x.score() == y.score() && x.movieId() < y.movieId(), x + " / " + y);
                assertEquals(i, x.rank());
            }
        }
    }

    @Test
    void semanticRetrievalOfAQueryWithSyntaxIsAnErrorAndHybridKeepsBm25() throws Exception {
        PersonalizedSearch.Request semantic = new PersonalizedSearch.Request("title:robots", null, 10, 100, null, null, null,
                RetrievalSettings.DEFAULT.withRetrieval(Retrieval.SEMANTIC));
        QuerySyntaxException e = assertThrows(QuerySyntaxException.class, () -> search.search(semantic));
        assertTrue(e.getMessage().contains("semantic retrieval embeds plain words"), e.getMessage());
        PersonalizedSearch.Response hybrid = search.search(semantic.withRetrieval(
                RetrievalSettings.DEFAULT.withRetrieval(Retrieval.HYBRID)));
        assertEquals(Retrieval.BM25, hybrid.retrieval());
    }
}
