package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class TyposTest {

    /** The optimal-string-alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static Typos.Kind kind(String word, String typo) {
        if (typo.length() < word.length()) return Typos.Kind.DELETION;
        int diff = 0;
        for (int i = 0; i < word.length(); i++) if (word.charAt(i) != typo.charAt(i)) diff++;
        return diff == 1 ? Typos.Kind.SUBSTITUTION : Typos.Kind.TRANSPOSITION;
    }

    @Test
    void everyTypoIsOneEditInsideTheWordAndAllThreeKindsOccur() {
        Map<Typos.Kind, Integer> kinds = new EnumMap<>(Typos.Kind.class);
        for (String word : new String[] {"godfather", "matrix", "amelie", "lords", "zootopia"}) {
            for (int user = 1; user <= 200; user++) {
                String t = Typos.typo(word, 42, user, 7);
                assertEquals(1, distance(word, t), word + " -> " + t);
                assertEquals(word.charAt(0), t.charAt(0), word + " -> " + t);
                assertEquals(word.charAt(word.length() - 1), t.charAt(t.length() - 1), word + " -> " + t);
                kinds.merge(kind(word, t), 1, Integer::sum);
            }
        }
        assertEquals(3, kinds.size(), kinds.toString());
        for (int n : kinds.values()) assertTrue(n > 250, kinds.toString()); // about a third each of 1,000
    }

    @Test
    void theSameSeedUserAndMovieGiveTheSameTypoAndAnotherSeedUsuallyAnother() {
        assertEquals(Typos.typo("godfather", 42, 414, 858), Typos.typo("godfather", 42, 414, 858));
        int differ = 0;
        for (int user = 1; user <= 50; user++) {
            if (!Typos.typo("godfather", 42, user, 858).equals(Typos.typo("godfather", 43, user, 858))) differ++;
        }
        assertTrue(differ > 25, differ + " of 50");
    }

    @Test
    void aTranspositionOfTwoEqualLettersIsDrawnAgain() {
        // "allee": inside it only "lle"; swapping the two l's would change nothing.
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < 500; i++) assertNotEquals("allee", Typos.oneEdit("allee", rng));
    }

    @Test
    void aWordTooShortToHaveAnInsideIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Typos.typo("abc", 42, 1, 1));
        assertEquals("a typo needs a word of at least 4 letters, got 'abc'", e.getMessage());
    }
}
