package io.reelrank.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Typo tolerance and "did you mean" against a real Lucene index of a few movies written to a
 * temporary directory: which words get variants, which never do, and how far a query may expand.
 */
@Tag("unit")
class TypoToleranceTest {

    @TempDir
    static Path dir;

    private static MovieSearcher searcher;

    private static MovieRecord movie(int id, String title, String... tags) {
        return new MovieRecord(id, title, 2000, null, null, List.of("Fantasy"), List.of(tags), 4.0, 10);
    }

    @BeforeAll
    static void index() throws Exception {
        MovieIndex.write(dir, List.of(
                movie(1, "Harry Potter and the Sorcerer's Stone", "wizards", "magic"),
                movie(2, "Harry Potter and the Chamber of Secrets", "wizards"),
                movie(3, "Dirty Harry"),
                movie(4, "Lord of the Rings: The Two Towers, The", "tolkien"),
                movie(5, "Lord of the Flies"),
                movie(6, "Star Wars: Episode IV - A New Hope", "space"),
                movie(7, "Lord of War")).iterator(), null);
        searcher = MovieSearcher.open(dir);
    }

    @AfterAll
    static void close() throws Exception {
        searcher.close();
    }

    private static ParsedQuery tolerant(String q) throws Exception {
        return searcher.parse(q, TypoTolerance.DEFAULT);
    }

    private static ParsedQuery exact(String q) throws Exception {
        return searcher.parse(q, TypoTolerance.OFF);
    }

    private static List<Integer> ids(ParsedQuery q) throws Exception {
        List<Integer> out = new ArrayList<>();
        for (Candidate c : searcher.candidates(q.query(), SearchFilters.NONE, 10)) out.add(c.movieId());
        return out;
    }

    @Test
    void anUnknownWordMatchesItsNearSpellingsAndGetsADidYouMean() throws Exception {
        ParsedQuery q = tolerant("harry poter");
        assertEquals("harry potter", q.didYouMean());
        assertEquals(List.of(1, 2, 3), ids(q).subList(0, 3), "both words match the Potter films first");
        assertEquals(3, ids(exact("harry poter")).get(0), "without tolerance only \"harry\" matches: Dirty Harry first");
        ParsedQuery rings = tolerant("Lord of the Rngs");
        assertEquals("Lord of the rings", rings.didYouMean());
        assertEquals(4, ids(rings).get(0));
    }

    @Test
    void aWordTheIndexKnowsIsSearchedExactlyAsWritten() throws Exception {
        for (String q : List.of("star wars", "lord of the flies", "harry", "wizards")) {
            assertEquals(exact(q).query(), tolerant(q).query(), q);
            assertNull(tolerant(q).didYouMean(), q);
        }
    }

    @Test
    void explicitSyntaxKeepsItsMeaning() throws Exception {
        for (String q : List.of("title:poter", "\"harry poter\"", "poter~1", "pott*", "p?tter", "-poter harry", "NOT poter",
                "title:lord AND genres:fantasy", "poter^2", "/pot+er/", "tags:wizrds")) {
            assertEquals(exact(q).query(), tolerant(q).query(), q);
            assertNull(tolerant(q).didYouMean(), q);
        }
        // A negated unknown word keeps excluding exactly what it says, while the other words still get variants.
        ParsedQuery q = tolerant("-poter hary");
        assertEquals("-poter harry", q.didYouMean());
        assertTrue(q.query().toString().startsWith("-((title:poter)^1.0 (tags:poter)^0.3)"), q.query().toString());
    }

    @Test
    void onlyBareWordsMakeAPlainQuery() throws Exception {
        assertTrue(tolerant("space adventure robots").plain());
        assertEquals(List.of("space adventure robots"), tolerant("space adventure robots").words());
        for (String q : List.of("title:space", "\"space adventure\"", "space AND robots", "+space", "space^2", "spa*",
                "space~1", "year:[2000 TO 2010]")) {
            assertFalse(tolerant(q).plain(), q);
        }
    }

    @Test
    void shortWordsAndAFewWordsAtMostGetVariants() throws Exception {
        assertEquals(exact("xq").query(), tolerant("xq").query(), "two letters: no edit allowed");
        // Ten unknown words: only the first TypoTolerance.MAX_WORDS get variants, and the query still parses.
        String many = "qwert asdfg zxcvb poiuy lkjhg mnbvc wertz sdfgh xcvbn oiuyt";
        ParsedQuery q = tolerant(many);
        assertEquals(TypoTolerance.MAX_WORDS, q.corrections().size());
        assertEquals(2 * TypoTolerance.MAX_WORDS, q.query().toString().split("~").length - 1, "title and tags each");
    }

    @Test
    void toleranceNeverPushesAQueryOverTheClauseLimit() throws Exception {
        // 490 known words use 980 of the 1,000 clauses (each word counts, also when Lucene hands several over as one
        // text): the unknown word's 40 variants do not fit, so it is searched as written.
        String q = "a ".repeat(490) + "poter";
        ParsedQuery p = tolerant(q);
        assertTrue(p.corrections().isEmpty());
        assertFalse(p.query().toString().contains("~"));
        assertEquals(exact(q).query(), p.query());
        // With room for them, the same word gets its variants.
        assertTrue(tolerant("a ".repeat(400) + "poter").query().toString().contains("poter~1"));
    }

    @Test
    void outOfRangeSettingsAreRefusedWithTheValueAndTheRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TypoTolerance.DEFAULT.with(0, TypoTolerance.Edits.ONE, 1, 51, 1f));
        assertEquals("maxExpansions must be in 1-50, got 51", e.getMessage());
        assertEquals("weight must be in (0, 1], got 0.0",
                assertThrows(IllegalArgumentException.class, () -> TypoTolerance.DEFAULT.with(0, TypoTolerance.Edits.ONE, 1,
                        10, 0f)).getMessage());
        assertEquals(1, TypoTolerance.Edits.AUTO.forLength(5));
        assertEquals(2, TypoTolerance.Edits.AUTO.forLength(6));
        assertEquals(0, TypoTolerance.Edits.TWO.forLength(2));
    }
}
