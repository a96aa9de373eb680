package io.reelrank.feedback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.feedback.TeamDraft.Arm;
import io.reelrank.feedback.TeamDraft.Interleaving;
import io.reelrank.feedback.TeamDraft.Outcome;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Team-draft interleaving against the properties Radlinski, Kurup &amp; Joachims (CIKM 2008) state:
 * each arm places half the list in expectation (binomial tolerances: a count of n fair coin flips
 * lies within 4·√(n/4) of n/2 except with probability 6e-5), the teams never differ by more than one,
 * a click credits the arm that placed the clicked movie, ties, and lists of different lengths.
 */
@Tag("unit")
class TeamDraftTest {

    private static final int[] A = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    private static final int[] B = {11, 12, 13, 14, 15, 16, 17, 18, 19, 20};

    /** 4 standard deviations of a Binomial(n, ½) count. */
    private static double tolerance(long n) {
        return 4 * Math.sqrt(n * 0.25);
    }

    @Test
    void eachArmPlacesEveryPositionHalfTheTimeOverManySeededDraws() {
        int draws = 20_000;
        int[] fromA = new int[10];
        SplittableRandom random = new SplittableRandom(1);
        for (int d = 0; d < draws; d++) {
            Interleaving i = TeamDraft.interleave(A, B, 10, random);
            for (int p = 0; p < 10; p++) if (i.arms()[p] == Arm.A) fromA[p]++;
        }
        for (int p = 0; p < 10; p++) {
            assertEquals(draws / 2.0, fromA[p], tolerance(draws), "position " + (p + 1) + " from A: " + fromA[p]);
        }
    }

    @Test
    void theTeamsNeverDifferByMoreThanOneAndEachTakesItsBestMovieNotYetShown() {
        int[] a = {5, 1, 2, 9, 3, 7};
        int[] b = {1, 5, 4, 2, 8, 3};
        SplittableRandom random = new SplittableRandom(3);
        for (int d = 0; d < 500; d++) {
            Interleaving i = TeamDraft.interleave(a, b, 6, random);
            int ta = 0, tb = 0;
            Set<Integer> shown = new HashSet<>();
            for (int p = 0; p < i.size(); p++) {
                int[] own = i.arms()[p] == Arm.A ? a : b;
                int best = 0;
                while (shown.contains(own[best])) best++;
                assertEquals(own[best], i.movies()[p], "position " + (p + 1) + " of " + i);
                assertTrue(shown.add(i.movies()[p]), "shown twice: " + i);
                if (i.arms()[p] == Arm.A) ta++;
                else tb++;
                assertTrue(Math.abs(ta - tb) <= 1, "teams " + ta + " and " + tb + " after " + (p + 1) + " in " + i);
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameListAndAnotherSeedOthers() {
        Interleaving x = TeamDraft.interleave(A, B, 10, new SplittableRandom(42));
        assertEquals(x, TeamDraft.interleave(A, B, 10, new SplittableRandom(42)));
        Set<Interleaving> seen = new HashSet<>();
        for (long s = 0; s < 20; s++) seen.add(TeamDraft.interleave(A, B, 10, new SplittableRandom(s)));
        assertTrue(seen.size() > 1, "20 seeds gave one list: " + seen);
    }

    @Test
    void aClickCreditsTheArmThatPlacedTheClickedMovie() {
        Interleaving i = TeamDraft.interleave(A, B, 10, new SplittableRandom(7));
        for (int p = 1; p <= i.size(); p++) {
            TeamDraft.Credit c = TeamDraft.credit(i, new int[] {p});
            Arm placed = i.arms()[p - 1];
            assertEquals(placed == Arm.A ? Outcome.A_WINS : Outcome.B_WINS, c.outcome(), "click at " + p + " of " + i);
            // the movie clicked came from that arm's own list
            int movie = i.movies()[p - 1];
            assertEquals(placed == Arm.A, movie <= 10, "movie " + movie + " placed by " + placed);
        }
    }

    @Test
    void aMovieBothArmsRankGoesToTheArmThatPickedItAndItsClickCountsForThatArmOnly() {
        int[] a = {1, 2, 3};
        int[] b = {1, 4, 5};
        for (long s = 0; s < 50; s++) {
            Interleaving i = TeamDraft.interleave(a, b, 3, new SplittableRandom(s));
            assertEquals(1, i.movies()[0]);
            TeamDraft.Credit c = TeamDraft.credit(i, new int[] {1});
            assertEquals(i.arms()[0] == Arm.A ? 1 : 0, c.clicksA());
            assertEquals(i.arms()[0] == Arm.B ? 1 : 0, c.clicksB());
        }
    }

    @Test
    void equalClicksNoClicksAndIdenticalListsAreTies() {
        Interleaving i = TeamDraft.interleave(A, B, 10, new SplittableRandom(9));
        int posA = -1, posB = -1;
        for (int p = 0; p < i.size(); p++) {
            if (i.arms()[p] == Arm.A && posA < 0) posA = p + 1;
            if (i.arms()[p] == Arm.B && posB < 0) posB = p + 1;
        }
        assertEquals(Outcome.TIE, TeamDraft.credit(i, new int[] {posA, posB}).outcome());
        assertEquals(Outcome.TIE, TeamDraft.credit(i, new int[0]).outcome());
        // identical rankings: the merged list is that ranking whoever picks, and under clicks that do
        // not look at the arm the outcomes split evenly
        SplittableRandom random = new SplittableRandom(11);
        long wins = 0, losses = 0;
        for (int d = 0; d < 10_000; d++) {
            Interleaving same = TeamDraft.interleave(A, A, 10, random);
            assertArrayEquals(A, same.movies());
            Outcome o = TeamDraft.credit(same, new int[] {1 + random.nextInt(3)}).outcome();
            if (o == Outcome.A_WINS) wins++;
            else if (o == Outcome.B_WINS) losses++;
        }
        assertEquals((wins + losses) / 2.0, wins, tolerance(wins + losses), wins + " wins, " + losses + " losses");
    }

    @Test
    void clicksThatIgnoreTheArmsGiveEachArmHalfTheWinsEvenWhenTheListsOverlap() {
        // overlapping, differently ordered lists; the user clicks positions 1-3 at fixed rates
        int[] a = {1, 2, 3, 4, 5, 6, 7, 8};
        int[] b = {3, 1, 9, 2, 10, 4, 11, 5};
        SplittableRandom random = new SplittableRandom(5);
        List<Outcome> outcomes = new ArrayList<>();
        for (int d = 0; d < 20_000; d++) {
            Interleaving i = TeamDraft.interleave(a, b, 8, random);
            List<Integer> clicks = new ArrayList<>();
            double[] rate = {0.5, 0.3, 0.2};
            for (int p = 0; p < 3; p++) if (random.nextDouble() < rate[p]) clicks.add(p + 1);
            outcomes.add(TeamDraft.credit(i, clicks.stream().mapToInt(Integer::intValue).toArray()).outcome());
        }
        Preference.Tally t = Preference.Tally.of(outcomes);
        assertEquals(t.decided() / 2.0, t.wins(), tolerance(t.decided()), t.toString());
    }

    @Test
    void theMergeStopsWhenEitherListRunsOutOfNewMovies() {
        int[] shortA = {1, 2};
        Interleaving i = TeamDraft.interleave(shortA, B, 10, new SplittableRandom(1));
        // A places its two movies, B one or two before A's second pick; then A has nothing new and the merge ends
        assertTrue(i.size() == 3 || i.size() == 4, i.toString());
        assertEquals(2, i.placedBy(Arm.A), i.toString());
        int[] sub = {11, 12}; // B's top two, so B's picks exhaust A's list
        Interleaving j = TeamDraft.interleave(sub, B, 10, new SplittableRandom(2));
        assertEquals(2, j.size(), j.toString());
        assertEquals(0, TeamDraft.interleave(new int[0], B, 10, new SplittableRandom(1)).size());
        assertEquals(3, TeamDraft.interleave(A, B, 3, new SplittableRandom(1)).size());
    }

    @Test
    void badInputIsRefusedWithTheValue() {
        assertEquals("k must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> TeamDraft.interleave(A, B, 0,
                        new SplittableRandom(1))).getMessage());
        assertEquals("ranking B lists movie 3 twice (position 2)",
                assertThrows(IllegalArgumentException.class, () -> TeamDraft.interleave(A, new int[] {3, 3}, 2,
                        new SplittableRandom(1))).getMessage());
        Interleaving i = TeamDraft.interleave(A, B, 4, new SplittableRandom(1));
        assertEquals("clicked position must be in 1-4 (the positions shown), got 5",
                assertThrows(IllegalArgumentException.class, () -> TeamDraft.credit(i, new int[] {5})).getMessage());
        assertEquals("position 2 is clicked twice",
                assertThrows(IllegalArgumentException.class, () -> TeamDraft.credit(i, new int[] {2, 2})).getMessage());
    }
}
