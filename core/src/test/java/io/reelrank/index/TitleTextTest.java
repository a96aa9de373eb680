package io.reelrank.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The searchable form of MovieLens titles (real titles of the sample). */
@Tag("unit")
class TitleTextTest {

    @Test
    void movesTheTrailingArticleToTheFront() {
        assertEquals("The Dark Knight", TitleText.searchable("Dark Knight, The"));
        assertEquals("The Lord of the Rings: The Fellowship of the Ring",
                TitleText.searchable("Lord of the Rings: The Fellowship of the Ring, The"));
        assertEquals("A Knight's Tale", TitleText.searchable("Knight's Tale, A"));
        assertEquals("Les Misérables", TitleText.searchable("Misérables, Les"));
        // Before an alternate title in parentheses too; the alternate title's own article stays.
        assertEquals("The City of Lost Children (Cité des enfants perdus, La)",
                TitleText.searchable("City of Lost Children, The (Cité des enfants perdus, La)"));
        assertEquals("The School of Flesh (École de la chair, L')",
                TitleText.searchable("School of Flesh, The (École de la chair, L')"));
    }

    @Test
    void dropsAYearSuffixLeftInTheTitle() {
        assertEquals("The Haunting", TitleText.searchable("Haunting, The (1999)"));
        assertEquals("Death Note: Desu nôto", TitleText.searchable("Death Note: Desu nôto (2006–2007)"));
    }

    @Test
    void leavesOtherTitlesAlone() {
        assertEquals("Babylon 5", TitleText.searchable("Babylon 5"));
        assertEquals("Crouching Tiger, Hidden Dragon", TitleText.searchable("Crouching Tiger, Hidden Dragon"));
    }
}
