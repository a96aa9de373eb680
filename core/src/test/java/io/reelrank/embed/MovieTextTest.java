package io.reelrank.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.reelrank.TestDatabase;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("integration")
class MovieTextTest {

    @Test
    void fillsTheTemplateWithTheArticleMovedToTheFront() {
        assertEquals("The Matrix (1999). Genres: Action, Sci-Fi, Thriller. Tags: cyberpunk.",
                MovieText.of("Matrix, The", 1999, List.of("Action", "Sci-Fi", "Thriller"), List.of("cyberpunk")));
    }

    @Test
    void leavesOutWhatIsMissing() {
        assertEquals("Babylon 5.", MovieText.of("Babylon 5", null, List.of(), List.of()));
        assertEquals("Heat (1995). Genres: Crime.", MovieText.of("Heat", 1995, List.of("Crime"), null));
    }

    @Test
    void keepsOnlyTheFirstFiveTags() {
        assertEquals("X. Tags: a, b, c, d, e.", MovieText.of("X", null, null, List.of("a", "b", "c", "d", "e", "f")));
    }

    @Test
    void movesArticlesBeforeAnAlternateTitle() {
        assertEquals("The City of Lost Children (Cité des enfants perdus, La)",
                MovieText.displayTitle("City of Lost Children, The (Cité des enfants perdus, La)"));
        assertEquals("L'Argent", MovieText.displayTitle("Argent, L'"));
        assertEquals("Crouching Tiger, Hidden Dragon", MovieText.displayTitle("Crouching Tiger, Hidden Dragon"));
    }

    @Test
    void takesTheMostFrequentTagsTiesByTextFromTheDatabase() throws Exception {
        try (Connection c = TestDatabase.sample().connect()) {
            List<MovieText.Movie> m = MovieText.load(c, List.of(1, 4993, 999_999_999));
            assertEquals(2, m.size());
            // Toy Story: "pixar" by 2 users, "fun" by 1.
            assertEquals("Toy Story (1995). Genres: Adventure, Animation, Children, Comedy, Fantasy. Tags: pixar, fun.",
                    m.get(0).text());
            // Seven tags each by one user: the first five in byte order.
            assertEquals("The Lord of the Rings: The Fellowship of the Ring (2001). Genres: Adventure, Fantasy. "
                    + "Tags: fantasy, high fantasy, magic, mythology, tolkein.", m.get(1).text());
            assertEquals(9_742, MovieText.loadAll(c).size());
        }
    }
}
