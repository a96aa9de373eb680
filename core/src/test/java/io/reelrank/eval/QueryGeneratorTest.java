package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class QueryGeneratorTest {

    private static final int[] IDS = {1, 2, 3, 4, 5, 6, 7, 8};
    private static final String[] TITLES = {
            "Lord of the Rings: The Fellowship of the Ring, The",
            "Lord of the Rings: The Two Towers, The",
            "Lord of War",
            "Rings",
            "Towering Inferno, The",
            "Ring, The",
            "Dark Knight, The",
            "Schindler's List (1993)"};
    private static final String[][] GENRES = {
            {"Adventure", "Fantasy"},
            {"Adventure", "Fantasy"},
            {"Action", "Crime", "Drama", "War"},
            {"Horror"},
            {"Action", "Drama"},
            {"Horror", "Mystery"},
            {"Action", "Crime", "Drama", "IMAX"},
            {}};

    private static QueryGenerator generator(int maxDf) {
        return new QueryGenerator(IDS, TITLES, GENRES, maxDf);
    }

    @Test
    void splitsTitlesIntoWordsAPersonWouldType() {
        assertEquals(List.of("lord", "rings", "two", "towers"), QueryGenerator.words(TITLES[1]));
        // The possessive is left out (analyzers disagree on it) and so is the year.
        assertEquals(List.of("list"), QueryGenerator.words(TITLES[7]));
        assertEquals(List.of("amélie"), QueryGenerator.words("Amélie (Fabuleux destin d'Amélie Poulain, Le)")
                .subList(0, 1));
    }

    @Test
    void picksTheRarestTitleWordThatMatchesAtLeastTwoMovies() {
        QueryGenerator g = generator(QueryGenerator.DEFAULT_MAX_TITLE_DF);
        // Fellowship: lord 3, rings 3, fellowship 1, ring 2 → "ring" (fellowship matches only itself).
        assertEquals(3, g.titleDf("lord"));
        assertEquals(2, g.titleDf("ring"));
        assertEquals(Optional.of("ring"), g.titleQuery(1));
        // Two Towers: lord 3, rings 3, two 1, towers 1 → lord and rings tie at 3 → alphabetical: "lord".
        assertEquals(Optional.of("lord"), g.titleQuery(2));
        // "Towering" is not "towers": no word of this title matches another movie.
        assertEquals(Optional.empty(), g.titleQuery(5));
    }

    @Test
    void aWordMatchingMoreMoviesThanTheCapIsNotAQuery() {
        // With at most 2: Two Towers has no word left (lord and rings match 3 each).
        assertEquals(Optional.empty(), generator(2).titleQuery(2));
        assertEquals(Optional.of("ring"), generator(2).titleQuery(1));
    }

    @Test
    void picksTheMoviesRarestGenreTiesByName() {
        QueryGenerator g = generator(QueryGenerator.DEFAULT_MAX_TITLE_DF);
        // Adventure 2 and Fantasy 2 tie → Adventure.
        assertEquals(Optional.of("genres:Adventure"), g.genreQuery(1));
        // Action 3, Crime 2, Drama 3, War 1 → War.
        assertEquals(Optional.of("genres:War"), g.genreQuery(3));
        // IMAX (1) is a format, not a genre: Action 3, Crime 2, Drama 3 → Crime.
        assertEquals(Optional.of("genres:Crime"), g.genreQuery(7));
        assertEquals(Optional.empty(), g.genreQuery(8));
    }

    @Test
    void rejectsAMovieOutsideTheCatalogAndAWrongCap() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> generator(50).titleQuery(42));
        assertEquals("movie 42 is not in the catalog the queries are formed from", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> generator(1));
        assertEquals("maximum title document frequency must be >= 2, got 1", e.getMessage());
    }
}
