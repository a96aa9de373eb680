package io.reelrank.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class TitlesTest {

    @Test
    void splitsTheYearOffTheTitle() {
        assertEquals(new Titles.Parsed("American President, The", 1995),
                Titles.parse("American President, The (1995)"));
    }

    @Test
    void ignoresTrailingBlanksFoundInTheRealFile() {
        assertEquals(new Titles.Parsed("Runaway Brain", 1995), Titles.parse("Runaway Brain (1995) "));
    }

    @Test
    void keepsAnAlternateTitleInParenthesesBeforeTheYear() {
        assertEquals(new Titles.Parsed("Assembly (Ji jie hao)", 2007), Titles.parse("Assembly (Ji jie hao) (2007) "));
    }

    @Test
    void takesTheFirstYearOfARange() {
        assertEquals(new Titles.Parsed("Death Note: Desu nôto", 2006),
                Titles.parse("Death Note: Desu nôto (2006–2007)"));
        assertEquals(new Titles.Parsed("Show", 2016), Titles.parse("Show (2016- )"));
    }

    @Test
    void leavesTheYearNullWhenTheTitleHasNone() {
        assertEquals(new Titles.Parsed("Babylon 5", null), Titles.parse("Babylon 5"));
        assertEquals(new Titles.Parsed("1984", null), Titles.parse("1984"));
    }

    @Test
    void doesNotMistakeANumberInTheTitleForAYear() {
        assertEquals(new Titles.Parsed("(1995)", null), Titles.parse("(1995)"));
        assertEquals(new Titles.Parsed("2001: A Space Odyssey", 1968), Titles.parse("2001: A Space Odyssey (1968)"));
    }
}
