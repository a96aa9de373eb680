package io.reelrank.feedback;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Team-draft interleaving (Radlinski, Kurup &amp; Joachims, "How does clickthrough data reflect
 * retrieval quality?", CIKM 2008, Algorithm 2): merges the rankings of two arms A and B into one list
 * shown to a user, remembering which arm placed each movie, and credits a click to that arm. As two
 * team captains pick players, the arm with fewer movies in the list so far picks next (a coin flip
 * when both have as many), and it picks its highest-ranked movie not in the list yet; so a movie both
 * arms rank at the same height goes to whichever picks first, and each arm places half the list in
 * expectation. The merge stops at {@code k} movies or, as in the paper, as soon as either arm has no
 * movie left that is not already shown (the list is then shorter than {@code k}: filling it from
 * the other arm alone would give that arm clicks the first could not compete for). An impression is
 * won by the arm whose movies got more clicks, lost if fewer, tied if as many (no click is a tie).
 * The caller supplies the random source (seeded, so an experiment replays) and keeps the
 * {@link Interleaving} with the request, to credit the clicks that come back for it.
 */
public final class TeamDraft {

    /** The two rankers compared: A (e.g. the active one) and B (the candidate). */
    public enum Arm { A, B }

    /** Who won one impression. */
    public enum Outcome { A_WINS, B_WINS, TIE }

    private TeamDraft() {}

    /**
     * The merged list: {@code movies[i]} shown at position i + 1, placed by {@code arms[i]}. The
     * arrays are the caller's copies.
     */
    public record Interleaving(int[] movies, Arm[] arms) {

        public Interleaving {
            if (movies.length != arms.length) {
                throw new IllegalArgumentException("movies and arms must be as long, got " + movies.length + " and "
                        + arms.length);
            }
            movies = movies.clone();
            arms = arms.clone();
        }

        public int size() {
            return movies.length;
        }

        /** How many positions arm {@code arm} placed. */
        public int placedBy(Arm arm) {
            int n = 0;
            for (Arm a : arms) if (a == arm) n++;
            return n;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Interleaving i && Arrays.equals(movies, i.movies) && Arrays.equals(arms, i.arms);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(movies) + Arrays.hashCode(arms);
        }

        @Override
        public String toString() {
            return "Interleaving" + Arrays.toString(movies) + Arrays.toString(arms);
        }
    }

    /** Clicks per arm in one impression and the resulting outcome. */
    public record Credit(int clicksA, int clicksB, Outcome outcome) {}

    /**
     * Merges rankings {@code a} and {@code b} (movie ids, best first, no id twice within one list) into
     * at most {@code k} movies. The random source decides each tied pick, one {@code nextBoolean()}
     * per round in which both arms have placed as many.
     */
    public static Interleaving interleave(int[] a, int[] b, int k, RandomGenerator random) {
        if (k < 1) throw new IllegalArgumentException("k must be at least 1, got " + k);
        requireDistinct(a, "A");
        requireDistinct(b, "B");
        int[] movies = new int[k];
        Arm[] arms = new Arm[k];
        Set<Integer> shown = new HashSet<>();
        int n = 0;
        int teamA = 0;
        int teamB = 0;
        int nextA = 0;
        int nextB = 0;
        while (n < k) {
            // Each arm's highest-ranked movie not yet shown; the merge ends when either has none.
            while (nextA < a.length && shown.contains(a[nextA])) nextA++;
            while (nextB < b.length && shown.contains(b[nextB])) nextB++;
            if (nextA == a.length || nextB == b.length) break;
            boolean pickA = teamA < teamB || (teamA == teamB && random.nextBoolean());
            int movie = pickA ? a[nextA] : b[nextB];
            movies[n] = movie;
            arms[n] = pickA ? Arm.A : Arm.B;
            shown.add(movie);
            n++;
            if (pickA) teamA++;
            else teamB++;
        }
        return new Interleaving(Arrays.copyOf(movies, n), Arrays.copyOf(arms, n));
    }

    /**
     * Credits the clicked positions (1-based, each at most once) of one impression to the arms that
     * placed them: {@code A_WINS} when A's movies got more clicks, {@code B_WINS} when B's did,
     * {@code TIE} otherwise (as many, or none).
     */
    public static Credit credit(Interleaving shown, int[] clickedPositions) {
        boolean[] seen = new boolean[shown.size() + 1];
        int ca = 0;
        int cb = 0;
        for (int p : clickedPositions) {
            if (p < 1 || p > shown.size()) {
                throw new IllegalArgumentException("clicked position must be in 1-" + shown.size()
                        + " (the positions shown), got " + p);
            }
            if (seen[p]) throw new IllegalArgumentException("position " + p + " is clicked twice");
            seen[p] = true;
            if (shown.arms()[p - 1] == Arm.A) ca++;
            else cb++;
        }
        Outcome o = ca > cb ? Outcome.A_WINS : cb > ca ? Outcome.B_WINS : Outcome.TIE;
        return new Credit(ca, cb, o);
    }

    private static void requireDistinct(int[] list, String arm) {
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < list.length; i++) {
            if (!ids.add(list[i])) {
                throw new IllegalArgumentException("ranking " + arm + " lists movie " + list[i] + " twice (position "
                        + (i + 1) + ")");
            }
        }
    }
}
