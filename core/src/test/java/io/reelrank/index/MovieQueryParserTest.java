package io.reelrank.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.lucene.search.Query;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The query syntax alone: what each string parses to, and how failures are reported. No index, no database. */
@Tag("unit")
class MovieQueryParserTest {

    private static String parsed(String q) throws QuerySyntaxException {
        return MovieQueryParser.parseQuery(q).toString();
    }

    private static QuerySyntaxException error(String q) {
        return assertThrows(QuerySyntaxException.class, () -> MovieQueryParser.parseQuery(q), q);
    }

    @Test
    void bareTermsSearchTitleAndTagsWithTheLowerTagWeight() throws Exception {
        assertEquals("(title:lord)^1.0 (tags:lord)^0.3", parsed("lord"));
        assertEquals("((title:dark)^1.0 (tags:dark)^0.3) ((title:knight)^1.0 (tags:knight)^0.3)",
                parsed("dark knight"));
        assertEquals("(title:lor*)^1.0 (tags:lor*)^0.3", parsed("lor*"));
    }

    @Test
    void aQuotedPhraseIsAPhraseOverBothFields() throws Exception {
        assertEquals("(title:\"dark knight\")^1.0 (tags:\"dark knight\")^0.3", parsed("\"dark knight\""));
        assertEquals("title:\"dark knight\"", parsed("title:\"dark knight\""));
    }

    @Test
    void genresKeepSciFiAndFilmNoirWholeAndIgnoreCase() throws Exception {
        assertEquals("+title:matrix +genres:sci-fi", parsed("title:matrix AND genres:Sci-Fi"));
        assertEquals("genres:film-noir", parsed("genres:FILM-NOIR"));
        assertEquals("+genres:action +genres:thriller", parsed("genres:Action AND genres:Thriller"));
    }

    @Test
    void rangesOnNumericFieldsAreNumericAndAddNothingToTheScore() throws Exception {
        assertEquals("+title:matrix +(ConstantScore(year:[2000 TO 2020]))^0.0",
                parsed("title:matrix AND year:[2000 TO 2020]"));
        assertEquals("(ConstantScore(avg_rating:[4.0 TO Infinity]))^0.0", parsed("avg_rating:[4 TO *]"));
        // Exclusive integer bounds move to the neighbouring integers.
        assertEquals("(ConstantScore(year:[1991 TO 1998]))^0.0", parsed("year:{1990 TO 1999}"));
        assertEquals("(ConstantScore(rating_count:[50 TO 2147483647]))^0.0", parsed("rating_count:[50 TO *]"));
        assertEquals("(ConstantScore(tmdb_id:[862 TO 862]))^0.0", parsed("tmdb_id:862"));
    }

    @Test
    void acceptsEveryExampleOfTheOriginalDesign() throws Exception {
        assertEquals("+(title:lord title:king) +genres:fantasy",
                parsed("(title:lord OR title:king) AND genres:Fantasy"));
        assertEquals("(title:lor*)^1.0", parsed("title:lor*"));
        assertEquals("(title:matirx~1)^1.0", parsed("title:matirx~1"));
        assertEquals("(title:king)^2.0", parsed("title:king^2"));
    }

    @Test
    void aClauseOfOnlyNegationsMeansEverythingElse() throws Exception {
        assertEquals("-genres:horror #*:*", parsed("-genres:Horror"));
        assertEquals("-genres:horror #*:*", parsed("NOT genres:Horror"));
        assertEquals("+title:lord -genres:horror", parsed("title:lord AND NOT genres:Horror"));
    }

    @Test
    void titlesAreMatchedWithoutPossessivesAccentsOrCase() throws Exception {
        assertEquals("title:lord", parsed("title:Lord's"));
        assertEquals("title:amelie", parsed("title:Amélie"));
    }

    @Test
    void anUnterminatedPhrasePointsAtItsOpeningQuote() {
        QuerySyntaxException e = error("title:lord \"dark knight");
        assertEquals(11, e.position());
        assertEquals("unterminated phrase: this \" has no closing \"", e.reason());
        assertEquals("title:lord \"dark knight\n           ^\nunterminated phrase: this \" has no closing \"",
                e.render());
    }

    @Test
    void anUnclosedParenthesisPointsAtIt() {
        QuerySyntaxException e = error("(title:lord OR title:king AND genres:Fantasy");
        assertEquals(0, e.position());
        assertEquals("unbalanced parenthesis: this ( has no closing )", e.reason());
        QuerySyntaxException stray = error("lord)");
        assertEquals(4, stray.position());
        assertEquals("unbalanced parenthesis: this ) has no opening (", stray.reason());
    }

    @Test
    void escapedQuotesAndParenthesesAreTextWhereErrorsAreLocated() {
        QuerySyntaxException quote = error("\"dark \\\" knight");
        assertEquals(0, quote.position());
        assertEquals("unterminated phrase: this \" has no closing \"", quote.reason());
        QuerySyntaxException stray = error("lord \\( king)");
        assertEquals(12, stray.position());
        assertEquals("unbalanced parenthesis: this ) has no opening (", stray.reason());
        QuerySyntaxException open = error("(lord \\) \"king)\"");
        assertEquals(0, open.position());
        assertEquals("unbalanced parenthesis: this ( has no closing )", open.reason());
    }

    @Test
    void aDanglingOperatorSaysWhatWasExpected() {
        QuerySyntaxException e = error("title:lord AND");
        assertEquals(14, e.position());
        assertEquals("the query ends after 'AND'; expected '(', a term, a \"phrase\" or a range [a TO b]", e.reason());
        QuerySyntaxException leading = error("AND lord");
        assertEquals(0, leading.position());
        assertEquals("unexpected 'AND'; expected '(', a term, a \"phrase\" or a range [a TO b]", leading.reason());
    }

    @Test
    void anUnknownFieldIsAnErrorNotAnEmptyResult() {
        QuerySyntaxException e = error("title:lord AND director:jackson");
        assertEquals(15, e.position());
        assertEquals("unknown field 'director'; fields are title, tags, genres, year, avg_rating, rating_count, "
                + "movie_id, imdb_id, tmdb_id", e.reason());
    }

    @Test
    void aNumericFieldRejectsWordsPrefixesAndFuzzyTerms() {
        QuerySyntaxException word = error("year:nineties");
        assertEquals(5, word.position());
        assertEquals("year expects a whole number, got 'nineties'", word.reason());
        QuerySyntaxException prefix = error("title:lord AND year:19*");
        assertEquals(20, prefix.position());
        assertEquals("year is numeric and cannot take a prefix ('19*'); use a range such as year:[1990 TO *]",
                prefix.reason());
        QuerySyntaxException range = error("avg_rating:[high TO 5]");
        assertEquals(12, range.position());
        assertEquals("avg_rating expects a number, got 'high'", range.reason());
    }

    @Test
    void anEmptyQueryIsRejected() {
        assertEquals("empty query: type words to search titles and tags", error("   ").reason());
    }

    @Test
    void aRegularExpressionTooComplexToDeterminizeIsASyntaxErrorAtItsPosition() {
        QuerySyntaxException e = error("lord AND title:/[ac]*a[ac]{20}/");
        assertEquals(15, e.position());
        assertEquals("'/[ac]*a[ac]{20}/' is too complex to match: it needs more than 10000 units of automaton work; "
                + "simplify it", e.reason());
        QuerySyntaxException bare = error("/[ac]*a[ac]{20}/");
        assertEquals(0, bare.position());
    }

    @Test
    void aMalformedRegularExpressionSaysWhatIsWrongWithIt() {
        QuerySyntaxException e = error("title:lord OR title:/[ab/");
        assertEquals(20, e.position());
        assertTrue(e.reason().startsWith("cannot read '/[ab/': "), e.reason());
    }

    @Test
    void tooManyFuzzyTermsAreRefusedWhereTheyExceedTheClauseLimit() throws Exception {
        // A bare fuzzy term searches two fields with up to 50 terms each: 100 clauses; ten fit in 1000.
        String ten = "lord~1 ".repeat(10).trim();
        MovieQueryParser.parseQuery(ten);
        String eleven = ten + " king~1";
        QuerySyntaxException e = error(eleven);
        assertEquals(ten.length() + 1, e.position());
        assertEquals("the query expands to more than 1000 clauses here (a word counts once per field it searches, "
                + "a fuzzy term 50 times); use fewer terms", e.reason());
    }

    @Test
    void aThousandFuzzyTermsAreRefusedBeforeAnySearch() {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i < 1000 && q.length() < 990; i++) q.append("a").append(i).append("~ ");
        QuerySyntaxException e = error(q.toString().trim());
        assertTrue(e.reason().startsWith("the query expands to more than 1000 clauses"), e.reason());
    }

    @Test
    void aQueryLongerThanTheLimitIsRefusedAtTheLimit() {
        String q = "lord ".repeat(201);
        QuerySyntaxException e = error(q);
        assertEquals(1000, e.position());
        assertEquals("the query is 1005 characters long; at most 1000 are allowed", e.reason());
    }

    @Test
    void parenthesesNestedTooDeepAreRefusedAtTheFirstOneTooMany() throws Exception {
        String ok = "(".repeat(20) + "lord" + ")".repeat(20);
        assertEquals("(title:lord)^1.0 (tags:lord)^0.3", parsed(ok));
        QuerySyntaxException e = error("title:king OR " + "(".repeat(21) + "lord" + ")".repeat(21));
        assertEquals(14 + 20, e.position());
        assertEquals("parentheses nest deeper than 20 levels here; at most 20 are allowed", e.reason());
        // Parentheses inside a phrase are text, not nesting.
        parsed("\"" + "(".repeat(30) + "lord\"");
    }

    @Test
    void aParserInstanceCanBeReusedAfterAnError() throws Exception {
        MovieQueryParser p = new MovieQueryParser();
        assertThrows(QuerySyntaxException.class, () -> p.parseOrExplain("title:(lord"));
        Query q = p.parseOrExplain("title:lord");
        assertEquals("title:lord", q.toString());
    }
}
