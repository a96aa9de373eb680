package io.reelrank.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.bench.SearchBenchmark;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Searches of the real sample index (built from the test database). Expected ids were read from
 * {@code sample_data/ml-latest-small/movies.csv}, not from this code's output.
 */
@Tag("integration")
class MovieSearcherTest {

    private static final Set<Integer> LORD_OF_THE_RINGS = Set.of(2116, 4993, 5952, 7153);

    private static SearchResult search(String q) throws Exception {
        return SampleIndex.searcher().search(q, SearchFilters.NONE, SearchSort.SCORE, MovieSearcher.MAX_LIMIT);
    }

    private static SearchResult search(String q, SearchFilters f) throws Exception {
        return SampleIndex.searcher().search(q, f, SearchSort.SCORE, MovieSearcher.MAX_LIMIT);
    }

    private static Set<Integer> ids(SearchResult r) {
        return r.hits().stream().map(SearchHit::movieId).collect(Collectors.toCollection(TreeSet::new));
    }

    private static List<Integer> ranked(SearchResult r) {
        return r.hits().stream().map(SearchHit::movieId).toList();
    }

    @Test
    void aPageOfRecordsHasEveryStoredFieldButTheTags() throws Exception {
        MovieSearcher searcher = SampleIndex.searcher();
        java.util.Map<Integer, MovieRecord> all = new java.util.HashMap<>();
        for (MovieRecord m : searcher.allMovies()) all.put(m.movieId(), m);
        int[] ids = {1, 296, 4993, 193609, 424242};
        java.util.Map<Integer, MovieRecord> page = searcher.movies(ids);
        assertEquals(Set.of(1, 296, 4993, 193609), page.keySet(), "a movie not in the index has no record");
        for (int id : page.keySet()) {
            MovieRecord full = all.get(id);
            assertEquals(new MovieRecord(full.movieId(), full.title(), full.year(), full.imdbId(), full.tmdbId(),
                    full.genres(), List.of(), full.avgRating(), full.ratingCount()), page.get(id));
        }
        assertTrue(!all.get(296).tags().isEmpty(), "Pulp Fiction has tags in the index, left out of the page");
    }

    @Test
    void titleLordReturnsExactlyTheThirteenTitlesWithTheWordLord() throws Exception {
        SearchResult r = search("title:lord");
        // grep -iw lord movies.csv: "Lords of Dogtown" and "Robot Overlords" are not among them,
        // "The Lord's Lantern in Budapest" is.
        assertEquals(Set.of(177, 961, 2116, 3461, 3838, 4951, 4993, 5952, 6095, 7153, 36529, 107999, 147936), ids(r));
        assertEquals(13, r.totalMatches());
        assertTrue(ids(r).containsAll(LORD_OF_THE_RINGS));
    }

    @Test
    void thePhraseDarkKnightRanksTheDarkKnightFirst() throws Exception {
        SearchResult r = search("\"dark knight\"");
        assertEquals(List.of(58559, 91529, 98124, 99813), ranked(r));
        assertEquals("Dark Knight, The", r.hits().get(0).title());
        assertEquals(2008, r.hits().get(0).year());
        // The article MovieLens moves to the end is in front again for phrases.
        assertEquals(58559, ranked(search("\"the dark knight\"")).get(0));
    }

    @Test
    void bareWordsRankTheMovieWithAllOfThemFirst() throws Exception {
        SearchResult r = search("dark knight");
        assertEquals(58559, r.hits().get(0).movieId());
        // OR semantics: "First Knight" (168) and "Dark City" (1748) match one word each.
        assertTrue(ids(r).containsAll(Set.of(168, 1748)));
    }

    @Test
    void aYearRangeOnTheTitleMatrixFindsTheTwoSequels() throws Exception {
        assertEquals(List.of(6365, 6934), ranked(search("title:matrix AND year:[2000 TO 2020]")));
    }

    @Test
    void twoGenresMustBothMatch() throws Exception {
        SearchResult r = search("genres:Action AND genres:Thriller");
        assertEquals(655, r.totalMatches());
        for (SearchHit h : r.hits()) {
            assertTrue(h.genres().containsAll(List.of("Action", "Thriller")), h.toString());
        }
    }

    @Test
    void lordOrKingInFantasyFindsTheFourteenFantasyTitles() throws Exception {
        SearchResult r = search("(title:lord OR title:king) AND genres:Fantasy");
        assertEquals(Set.of(258, 1064, 2116, 2366, 2367, 3108, 4993, 5313, 5952, 7153, 41569, 53138, 57326, 123553),
                ids(r));
    }

    @Test
    void sciFiIsOneGenreAndTheFiltersOfTheOriginalDesignKeepOnlyTheMatrix() throws Exception {
        assertEquals(Set.of(2571, 6365, 6934), ids(search("title:matrix AND genres:Sci-Fi")));
        // avg_rating >= 3.5 AND rating_count >= 50 AND year BETWEEN 1990 AND 2024: the sequels rate 3.35 and 3.15.
        SearchFilters f = new SearchFilters(3.5, 50, 1990, 2024, List.of());
        assertEquals(List.of(2571), ranked(search("title:matrix AND genres:Sci-Fi", f)));
        assertEquals(980, search("genres:sci-fi").totalMatches());
        assertEquals(87, search("genres:Film-Noir").totalMatches());
    }

    @Test
    void negationExcludesHorrorFromLordAndAloneMeansEverythingButHorror() throws Exception {
        Set<Integer> expected = Set.of(961, 2116, 3461, 4951, 4993, 5952, 6095, 7153, 36529, 107999, 147936);
        assertEquals(expected, ids(search("title:lord -genres:Horror")));
        assertEquals(expected, ids(search("title:lord AND NOT genres:Horror")));
        assertEquals(9_742 - 978, search("-genres:Horror").totalMatches());
    }

    @Test
    void prefixFuzzyAndBoostWorkOnTitles() throws Exception {
        Set<Integer> prefix = ids(search("title:lor*"));
        assertTrue(prefix.containsAll(LORD_OF_THE_RINGS), prefix.toString());
        assertTrue(prefix.containsAll(Set.of(3590, 33672, 102802)), "Lords of …: " + prefix);
        assertEquals(Set.of(2571, 6365, 6934), ids(search("title:matirx~1")));
        SearchHit plain = search("title:king").hits().get(0);
        SearchHit boosted = search("title:king^2").hits().get(0);
        assertEquals(plain.movieId(), boosted.movieId());
        assertEquals(2 * plain.bm25(), boosted.bm25(), 1e-4);
    }

    @Test
    void queriesAtTheWorkLimitsRunAndTheLimitsAreSyntaxErrorsNotCrashes() throws Exception {
        // Ten bare fuzzy terms: 1,000 clauses, the parser's limit, which Lucene (1,024) accepts.
        String atLimit = "lord~1 ".repeat(9) + "rings~1";
        assertTrue(search(atLimit).totalMatches() > 0);
        QuerySyntaxException regex = assertThrows(QuerySyntaxException.class, () -> search("title:/[ac]*a[ac]{20}/"));
        assertEquals(6, regex.position());
        // Lucene's own limit counts the filters' clauses too; with it lowered below what this query and
        // its filter expand to, the search is refused as a query error, not a crash. (A static setting,
        // restored at once; the suite runs its classes one at a time.)
        String words = "lord king ring war star dark night love life man girl boy city house story";
        int lucene = org.apache.lucene.search.IndexSearcher.getMaxClauseCount();
        SearchFilters fantasy = new SearchFilters(null, null, null, null, List.of("Fantasy"));
        QuerySyntaxException both, candidates;
        org.apache.lucene.search.IndexSearcher.setMaxClauseCount(20);
        try {
            both = assertThrows(QuerySyntaxException.class, () -> search(words, fantasy));
            candidates = assertThrows(QuerySyntaxException.class,
                    () -> SampleIndex.searcher().candidates(words, fantasy, 100));
        } finally {
            org.apache.lucene.search.IndexSearcher.setMaxClauseCount(lucene);
        }
        assertEquals("the query and its filters expand to more than 20 clauses; use fewer terms or filters",
                both.reason());
        assertEquals(both.reason(), candidates.reason());
        assertTrue(search(words, fantasy).totalMatches() > 0);
    }

    @Test
    void aYearRangeExcludesEveryMovieOutsideIt() throws Exception {
        SearchResult r = search("year:[1990 TO 1999]");
        assertTrue(r.totalMatches() > 1000, "1990s movies: " + r.totalMatches());
        for (SearchHit h : search("title:lord AND year:[1990 TO 1999]").hits()) {
            assertTrue(h.year() >= 1990 && h.year() <= 1999, h.toString());
        }
        assertEquals(Set.of(177, 3838, 4951, 107999, 147936), ids(search("title:lord AND year:[1990 TO 1999]")));
        // Exclusive bounds: 4951 (1990) and 147936 (1999) drop out.
        assertEquals(Set.of(177, 3838, 107999), ids(search("title:lord AND year:{1990 TO 1999}")));
    }

    @Test
    void filtersCombineWithTheQueryAndDoNotChangeTheScore() throws Exception {
        SearchFilters fantasyFrom2000 = new SearchFilters(null, null, 2000, null, List.of("fantasy"));
        SearchResult r = search("title:lord", fantasyFrom2000);
        assertEquals(Set.of(4993, 5952, 7153), ids(r));
        SearchResult unfiltered = search("title:lord");
        for (SearchHit h : r.hits()) {
            SearchHit same = unfiltered.hits().stream().filter(u -> u.movieId() == h.movieId()).findFirst()
                    .orElseThrow();
            assertEquals(same.bm25(), h.bm25(), 0f);
        }
        SearchFilters popular = new SearchFilters(4.0, 100, null, 2002, List.of("Adventure", "Fantasy"));
        for (SearchHit h : search("title:lord", popular).hits()) {
            assertTrue(h.avgRating() >= 4.0 && h.ratingCount() >= 100 && h.year() <= 2002, h.toString());
        }
        assertEquals(Set.of(4993, 5952), ids(search("title:lord", popular)));
    }

    @Test
    void anUnknownGenreFilterListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> search("lord", new SearchFilters(null, null, null, null, List.of("Scifi"))));
        assertTrue(e.getMessage().startsWith("genre must be one of action, adventure, animation, children, comedy"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("; got 'Scifi'"), e.getMessage());
    }

    @Test
    void filterValuesOutsideTheirRangeAreRejectedWithValueAndRange() {
        assertEquals("min-avg-rating must be in 0-5, got 7.0", assertThrows(IllegalArgumentException.class,
                () -> new SearchFilters(7.0, null, null, null, null)).getMessage());
        assertEquals("min-ratings must be 0 or more, got -1", assertThrows(IllegalArgumentException.class,
                () -> new SearchFilters(null, -1, null, null, null)).getMessage());
        assertEquals("year-from must be in 1800-2100, got 20", assertThrows(IllegalArgumentException.class,
                () -> new SearchFilters(null, null, 20, null, null)).getMessage());
        assertEquals("year-from must not be after year-to, got 2000 > 1990",
                assertThrows(IllegalArgumentException.class, () -> new SearchFilters(null, null, 2000, 1990, null))
                .getMessage());
        assertEquals("limit must be in 1-1000, got 0", assertThrows(IllegalArgumentException.class,
                () -> SampleIndex.searcher().search("lord", SearchFilters.NONE, SearchSort.SCORE, 0)).getMessage());
    }

    @Test
    void scoreTiesAreBrokenByMovieIdAndOtherOrdersToo() throws Exception {
        // Five "King …" titles of two words tie on BM25; they come in movie_id order.
        List<SearchHit> king = search("title:king").hits();
        for (int i = 1; i < king.size(); i++) {
            SearchHit a = king.get(i - 1), b = king.get(i);
            assertTrue(a.bm25() > b.bm25() || (a.bm25() == b.bm25() && a.movieId() < b.movieId()), a + " then " + b);
        }
        List<SearchHit> byRating = SampleIndex.searcher().search("title:lord", SearchFilters.NONE,
                SearchSort.AVG_RATING, 20).hits();
        for (int i = 1; i < byRating.size(); i++) {
            assertTrue(byRating.get(i - 1).avgRating() >= byRating.get(i).avgRating());
        }
        List<Integer> byYear = SampleIndex.searcher().search("title:lord", SearchFilters.NONE, SearchSort.YEAR, 20)
                .hits().stream().map(SearchHit::year).toList();
        assertEquals(2005, byYear.get(0));
        assertEquals(1936, byYear.get(byYear.size() - 1));
        assertEquals(List.of(177, 961, 2116), SampleIndex.searcher()
                .search("title:lord", SearchFilters.NONE, SearchSort.MOVIE_ID, 3).hits().stream()
                .map(SearchHit::movieId).toList());
    }

    @Test
    void candidatesAreTheTopKIdsWithScoresAndRanksOfTheSearch() throws Exception {
        List<Candidate> c = SampleIndex.searcher().candidates("lord", 100);
        List<SearchHit> hits = search("lord").hits();
        assertEquals(hits.size(), c.size());
        for (int i = 0; i < c.size(); i++) {
            assertEquals(hits.get(i).movieId(), c.get(i).movieId());
            assertEquals(hits.get(i).bm25(), c.get(i).bm25(), 0f);
            assertEquals(i + 1, c.get(i).bm25Rank());
        }
        assertTrue(c.stream().map(Candidate::movieId).collect(Collectors.toSet()).containsAll(LORD_OF_THE_RINGS));
    }

    @Test
    void anExplanationSpellsOutTheBm25FormulaAndAddsUpToTheScore() throws Exception {
        SearchHit top = search("\"dark knight\"").hits().get(0);
        String e = SampleIndex.searcher().explain("\"dark knight\"", top.movieId());
        assertTrue(e.startsWith(top.bm25() + " = sum of:"), e);
        assertTrue(e.contains("tf, computed as freq / (freq + k1 * (1 - b + b * dl / avgdl))"), e);
        assertTrue(e.contains("1.2 = k1") && e.contains("0.75 = b"), e);
        assertEquals(null, SampleIndex.searcher().explain("lord", -1));
    }

    @Test
    void aQueryThatMatchesNothingGivesAnEmptyResult() throws Exception {
        SearchResult r = search("title:zzzzqx");
        assertTrue(r.hits().isEmpty());
        assertEquals(0, r.totalMatches());
    }

    @Test
    void everyGeneratedBenchmarkQueryParsesAndFindsTheMovieItCameFrom() throws Exception {
        List<SearchBenchmark.BenchQuery> qs = SearchBenchmark.queries(SampleIndex.searcher().allMovies(), 1000, 42);
        assertEquals(1000, qs.size());
        for (SearchBenchmark.Kind k : SearchBenchmark.Kind.values()) {
            assertEquals(200, qs.stream().filter(q -> q.kind() == k).count(), k.name());
        }
        for (SearchBenchmark.BenchQuery q : qs) {
            SearchResult r = search(q.text());
            assertTrue(ids(r).contains(q.sourceMovieId()) || r.totalMatches() > MovieSearcher.MAX_LIMIT,
                    q + " misses its movie");
        }
    }
}
