package io.reelrank.feedback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The click models recover the parameters sessions were simulated from. The logs: 5 contexts of 40
 * movies each, attractiveness α ~ U(0.1, 0.9), each session showing 10 of a context's movies in a
 * random order (so every movie is seen at every position, which identifies γ). The tolerances are 4
 * standard deviations of the simplest estimator of each quantity from the same counts (EM's maximum
 * likelihood estimate does at least as well): for γ_r/γ_1 the ratio of the click rates at r and at 1,
 * {@code sd ≈ R·√((1 − p_r)/(n·p_r) + (1 − p_1)/(n·p_1))}, p_r = γ_r·ᾱ, n sessions; for a cascade α
 * the binomial {@code √(α(1 − α)/examinations)}; for an IPS grade {@code √(αγ(1 − αγ)/n)/γ}.
 */
@Tag("unit")
class ClickModelsTest {

    private static final int CONTEXTS = 5;
    private static final int MOVIES = 40;
    private static final int SHOWN = 10;

    /** α of movie m (1..40) in context c, drawn once from the seed. */
    private static double[][] attractiveness(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] a = new double[CONTEXTS][MOVIES + 1];
        for (int c = 0; c < CONTEXTS; c++) for (int m = 1; m <= MOVIES; m++) a[c][m] = 0.1 + 0.8 * r.nextDouble();
        return a;
    }

    private static int[] randomList(SplittableRandom r) {
        int[] all = new int[MOVIES];
        for (int i = 0; i < MOVIES; i++) all[i] = i + 1;
        for (int i = 0; i < SHOWN; i++) {
            int j = i + r.nextInt(MOVIES - i);
            int x = all[i];
            all[i] = all[j];
            all[j] = x;
        }
        return java.util.Arrays.copyOf(all, SHOWN);
    }

    /** Sessions from the position-based model: click iff examined (γ_r) and attracted (α). */
    private static List<Session> pbmSessions(int n, double[] gamma, double[][] alpha, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Session> out = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            int c = r.nextInt(CONTEXTS);
            int[] shown = randomList(r);
            boolean[] clicked = new boolean[SHOWN];
            for (int p = 0; p < SHOWN; p++) {
                clicked[p] = r.nextDouble() < gamma[p] && r.nextDouble() < alpha[c][shown[p]];
            }
            out.add(new Session("q" + c, shown, clicked));
        }
        return out;
    }

    private static double[] harmonic() {
        double[] g = new double[SHOWN];
        for (int p = 0; p < SHOWN; p++) g[p] = 1.0 / (p + 1); // Joachims et al. 2017's propensities, η = 1
        return g;
    }

    @Test
    void thePositionBasedModelRecoversTheExaminationPropensitiesItWasSimulatedFrom() {
        int n = 20_000;
        double[] gamma = harmonic();
        double[][] alpha = attractiveness(1);
        PositionBasedModel m = PositionBasedModel.fit(pbmSessions(n, gamma, alpha, 2));
        double meanAlpha = 0;
        for (int c = 0; c < CONTEXTS; c++) for (int d = 1; d <= MOVIES; d++) meanAlpha += alpha[c][d];
        meanAlpha /= CONTEXTS * MOVIES;
        double p1 = gamma[0] * meanAlpha;
        assertEquals(1.0, m.propensity(1), 1e-12);
        for (int r = 2; r <= SHOWN; r++) {
            double pr = gamma[r - 1] * meanAlpha;
            double ratio = gamma[r - 1] / gamma[0];
            double sd = ratio * Math.sqrt((1 - pr) / (n * pr) + (1 - p1) / (n * p1));
            assertEquals(ratio, m.propensity(r), 4 * sd, "γ_" + r + "/γ_1 (4 sd = " + 4 * sd + ")");
        }
        assertTrue(m.rounds() < PositionBasedModel.DEFAULT_ROUNDS, "EM did not converge in " + m.rounds());
        // attractiveness: each (context, movie) has about n·10/200 = 1,000 impressions
        for (int c = 0; c < CONTEXTS; c++) {
            for (int d = 1; d <= MOVIES; d += 7) {
                double a = alpha[c][d];
                double sd = Math.sqrt(a * (1 - a) / (n * SHOWN / (CONTEXTS * MOVIES) * 0.29)); // 0.29 = mean γ
                assertEquals(a, m.attractiveness("q" + c, d), 4 * sd, "α of movie " + d + " in q" + c);
            }
        }
        assertTrue(Double.isNaN(m.attractiveness("q0", 99)));
    }

    @Test
    void fittingTheSameSessionsTwiceGivesTheSameModelAndTheSameSeedTheSameSessions() {
        List<Session> s = pbmSessions(2_000, harmonic(), attractiveness(3), 4);
        assertEquals(s, pbmSessions(2_000, harmonic(), attractiveness(3), 4));
        PositionBasedModel a = PositionBasedModel.fit(s);
        PositionBasedModel b = PositionBasedModel.fit(s);
        assertArrayEquals(a.propensities(), b.propensities());
        assertEquals(a.attractiveness("q1", 5), b.attractiveness("q1", 5));
        assertEquals(a.rounds(), b.rounds());
    }

    @Test
    void theCascadeModelRecoversAttractivenessFromFirstClicks() {
        double[][] alpha = attractiveness(5);
        SplittableRandom r = new SplittableRandom(6);
        List<Session> sessions = new ArrayList<>();
        for (int s = 0; s < 20_000; s++) {
            int c = r.nextInt(CONTEXTS);
            int[] shown = randomList(r);
            int click = 0;
            for (int p = 0; p < SHOWN && click == 0; p++) if (r.nextDouble() < alpha[c][shown[p]]) click = p + 1;
            sessions.add(click == 0 ? Session.of("q" + c, shown) : Session.of("q" + c, shown, click));
        }
        CascadeModel m = CascadeModel.fit(sessions);
        int checked = 0;
        for (int c = 0; c < CONTEXTS; c++) {
            for (int d = 1; d <= MOVIES; d++) {
                long e = m.examinations("q" + c, d);
                double a = alpha[c][d];
                assertEquals(a, m.attractiveness("q" + c, d), 4 * Math.sqrt(a * (1 - a) / e),
                        "α of movie " + d + " in q" + c + " from " + e + " examinations");
                checked++;
            }
        }
        assertEquals(CONTEXTS * MOVIES, checked);
        // examination under the cascade: the product of (1 − α) above the position
        Session s = sessions.get(0);
        double expected = 1;
        for (int p = 1; p < 4; p++) expected *= 1 - m.attractiveness(s.context(), s.shown()[p - 1]);
        assertEquals(expected, m.propensity(s, 4), 1e-15);
        double[] mean = m.meanPropensities(sessions);
        assertEquals(1.0, mean[0]);
        for (int p = 1; p < SHOWN; p++) assertTrue(mean[p] < mean[p - 1], "examination falls down the list");
    }

    @Test
    void theCascadeModelIgnoresClicksAfterTheFirstAndCountsOnlyWhatWasExamined() {
        CascadeModel m = CascadeModel.fit(List.of(Session.of("q", new int[] {1, 2, 3, 4}, 2, 4),
                Session.of("q", new int[] {2, 1, 3, 4})));
        assertEquals(0.0, m.attractiveness("q", 1)); // examined twice, never the first click
        assertEquals(2, m.examinations("q", 1));
        assertEquals(0.5, m.attractiveness("q", 2));
        assertEquals(1, m.examinations("q", 4)); // below the click in the first session: not examined there
        assertEquals(0.0, m.attractiveness("q", 4));
    }

    @Test
    void inversePropensityWeightsJudgeAMovieShownLowAsHighlyAsAnEquallyAttractiveOneShownOnTop() {
        // movie 1 only ever on top, movie 2 only ever fifth (each in half the sessions), both α = 0.4;
        // random fillers (α = 0.3) everywhere else, so the fitted model can tell γ_1 and γ_5 from α
        double[] gamma = harmonic();
        SplittableRandom r = new SplittableRandom(8);
        int n = 40_000;
        List<Session> sessions = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            int[] shown = new int[SHOWN];
            double[] a = new double[SHOWN];
            int filler = 0;
            int[] pool = randomList(r);
            boolean first = r.nextBoolean();
            boolean fifth = r.nextBoolean();
            for (int p = 0; p < SHOWN; p++) {
                if ((p == 0 && first) || (p == 4 && fifth)) {
                    shown[p] = p == 0 ? 1 : 2;
                    a[p] = 0.4;
                } else {
                    shown[p] = 100 + pool[filler++];
                    a[p] = 0.3;
                }
            }
            boolean[] clicked = new boolean[SHOWN];
            for (int p = 0; p < SHOWN; p++) clicked[p] = r.nextDouble() < gamma[p] && r.nextDouble() < a[p];
            sessions.add(new Session("q", shown, clicked));
        }
        List<ClickJudgments.Judgment> j = ClickJudgments.of(sessions, (s, p) -> gamma[p - 1], 0.01);
        ClickJudgments.Judgment top = j.stream().filter(x -> x.movie() == 1).findFirst().orElseThrow();
        ClickJudgments.Judgment low = j.stream().filter(x -> x.movie() == 2).findFirst().orElseThrow();
        double sdTop = Math.sqrt(0.4 * (1 - 0.4) / top.impressions());
        double sdLow = Math.sqrt(0.08 * (1 - 0.08) / low.impressions()) / 0.2;
        assertEquals(0.4, top.grade(), 4 * sdTop);
        assertEquals(0.4, low.grade(), 4 * sdLow);
        // the raw click rates differ by γ_1/γ_5 = 5: position bias, which the weights undo
        double relativeSd = Math.hypot(sdTop / 0.4, sdLow * 0.2 / 0.08);
        assertEquals(5.0, top.clickRate() / low.clickRate(), 4 * 5 * relativeSd);
        // the fitted model's propensities give the same judgment, within the judgment's tolerance and
        // the fitted γ_5's (as in the test above: the ratio of click rates at 5 and 1 over all movies)
        PositionBasedModel m = PositionBasedModel.fit(sessions);
        double p1 = 0.35, p5 = 0.2 * 0.35;
        double sdGamma = 0.2 * Math.sqrt((1 - p5) / (n * p5) + (1 - p1) / (n * p1));
        assertEquals(0.2, m.propensity(5), 4 * sdGamma);
        double fitted = ClickJudgments.of(sessions, m, 0.01).stream().filter(x -> x.movie() == 2).findFirst()
                .orElseThrow().grade();
        assertEquals(0.4, fitted, 4 * sdLow + 0.4 * 4 * sdGamma / 0.2);
    }

    @Test
    void aFloorBoundsTheWeightOfAClickAtAnUnlikelyPosition() {
        List<Session> one = List.of(Session.of("q", new int[] {1, 2}, 2));
        assertEquals(20.0, ClickJudgments.of(one, (s, p) -> p == 1 ? 1.0 : 0.001, 0.05).stream()
                .filter(x -> x.movie() == 2).findFirst().orElseThrow().weightedClicks(), 1e-12);
        assertEquals("the propensity floor must be in (0, 1], got 0.0", assertThrows(IllegalArgumentException.class,
                () -> ClickJudgments.of(one, (s, p) -> 1.0, 0)).getMessage());
        assertEquals("clicked position must be in 1-2, got 3", assertThrows(IllegalArgumentException.class,
                () -> Session.of("q", new int[] {1, 2}, 3)).getMessage());
    }
}
