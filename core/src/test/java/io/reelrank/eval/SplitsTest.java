package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class SplitsTest {

    /** user 1: ten ratings at times 10..100, added newest first; user 2: one rating. */
    private static Ratings twoUsers() {
        Ratings.Builder b = Ratings.builder();
        for (int t = 10; t >= 1; t--) {
            b.add(1, 100 + t, 3.0, t * 10L);
        }
        b.add(2, 500, 4.0, 5);
        return b.build();
    }

    private static List<String> rows(Ratings r) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
            out.add(r.userId(i) + "/" + r.movieId(i) + "/" + r.rating(i) + "/" + r.ratedAt(i));
        }
        return out;
    }

    @Test
    void temporalSplitHoldsOutExactlyTheLatestRatingsOfEachUser() {
        Splits.Split s = Splits.temporal(twoUsers(), 0.2);
        // round(0.2 × 10) = 2: the ratings at times 90 and 100; user 2 keeps their only rating.
        assertEquals(List.of("1/109/3.0/90", "1/110/3.0/100"), rows(s.test()));
        assertEquals(9, s.train().size());
        for (int i = 0; i < s.train().size(); i++) {
            assertTrue(s.train().userId(i) == 2 || s.train().ratedAt(i) <= 80, rows(s.train()).get(i));
        }
    }

    @Test
    void temporalSplitOrdersRatingsOfTheSameMomentByMovieId() {
        Ratings r = Ratings.builder()
                .add(1, 50, 4.0, 7).add(1, 40, 4.0, 7).add(1, 60, 4.0, 1).add(1, 30, 4.0, 7)
                .build();
        // round(0.5 × 4) = 2 held out; of the three at time 7 the larger ids 50 and 40 count as later.
        Splits.Split s = Splits.temporal(r, 0.5);
        assertEquals(List.of("1/40/4.0/7", "1/50/4.0/7"), rows(s.test()));
        assertEquals(List.of("1/60/4.0/1", "1/30/4.0/7"), rows(s.train()));
    }

    @Test
    void everyUserKeepsAtLeastOneTrainingRating() {
        Ratings.Builder b = Ratings.builder();
        b.add(1, 1, 5.0, 1).add(1, 2, 5.0, 2).add(3, 1, 5.0, 1);
        Splits.Split s = Splits.temporal(b.build(), 0.9);
        // round(0.9 × 2) = 2 would leave user 1 nothing: capped at n − 1 = 1.
        assertEquals(List.of("1/2/5.0/2"), rows(s.test()));
        assertEquals(List.of("1/1/5.0/1", "3/1/5.0/1"), rows(s.train()));
    }

    @Test
    void randomSplitIsAPartitionWithTheRightCountPerUser() {
        Ratings all = manyUsers(50, 31);
        Splits.Split s = Splits.random(all, 0.25, 42);
        assertEquals(all.size(), s.train().size() + s.test().size());
        Set<String> union = new HashSet<>(rows(s.train()));
        union.addAll(rows(s.test()));
        assertEquals(new HashSet<>(rows(all)), union);
        int[] heldPerUser = new int[51];
        for (int i = 0; i < s.test().size(); i++) {
            heldPerUser[s.test().userId(i)]++;
        }
        for (int u = 1; u <= 50; u++) {
            assertEquals(Math.round(0.25 * 31), heldPerUser[u], "user " + u); // round(7.75) = 8
        }
    }

    @Test
    void randomSplitDependsOnTheSeedButNotOnTheInputOrder() {
        Ratings all = manyUsers(20, 15);
        Ratings reversed = reverse(all);
        Splits.Split a = Splits.random(all, 0.2, 42);
        assertEquals(rows(a.test()), rows(Splits.random(reversed, 0.2, 42).test()));
        assertEquals(rows(a.test()), rows(Splits.random(all, 0.2, 42).test()));
        assertNotEquals(rows(a.test()), rows(Splits.random(all, 0.2, 43).test()));
    }

    @Test
    void randomSplitIsNotTheTemporalOne() {
        Ratings all = manyUsers(20, 15);
        assertFalse(rows(Splits.temporal(all, 0.2).test()).equals(rows(Splits.random(all, 0.2, 42).test())));
    }

    @Test
    void rejectsATestFractionOutsideZeroToOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Splits.temporal(twoUsers(), 1.5));
        assertEquals("--test-fraction must be in (0,1), got 1.5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Splits.random(twoUsers(), 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Splits.random(twoUsers(), Double.NaN, 1));
    }

    @Test
    void splitsOneHundredThousandRatingsHoldingOutEachUsersLatestFifth() {
        Ratings all = manyUsers(1000, 100);
        Splits.Split s = Splits.temporal(all, 0.2);
        assertEquals(20_000, s.test().size());
        int[] users = new int[s.test().size()];
        for (int i = 0; i < users.length; i++) {
            users[i] = s.test().userId(i);
        }
        int[] sorted = users.clone();
        java.util.Arrays.sort(sorted);
        assertArrayEquals(sorted, users, "the test part comes out grouped by user");
    }

    private static Ratings manyUsers(int users, int perUser) {
        SplittableRandom rng = new SplittableRandom(9);
        Ratings.Builder b = Ratings.builder();
        for (int u = 1; u <= users; u++) {
            for (int j = 0; j < perUser; j++) {
                b.add(u, j * 7 + 1, 0.5 + rng.nextInt(10) * 0.5, rng.nextLong(1_000_000));
            }
        }
        return b.build();
    }

    private static Ratings reverse(Ratings r) {
        Ratings.Builder b = Ratings.builder();
        for (int i = r.size() - 1; i >= 0; i--) {
            b.add(r.userId(i), r.movieId(i), r.rating(i), r.ratedAt(i));
        }
        return b.build();
    }
}
