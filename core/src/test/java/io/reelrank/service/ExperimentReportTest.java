package io.reelrank.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.feedback.Preference;
import io.reelrank.feedback.TeamDraft;
import io.reelrank.rerank.Fusion;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The pure parts of experiments: the report's credit from the logged arms (interleaving) and its
 * buckets with Newcombe's interval (A/B), the arms' names, the A/B bucket of a user and the
 * interleaving's random source per request id.
 */
@Tag("unit")
class ExperimentReportTest {

    private static final short A = ExperimentSearch.ARM_A;
    private static final short B = ExperimentSearch.ARM_B;

    private static ExperimentReport.Impression shown(short[] arms, int... clicked) {
        return new ExperimentReport.Impression(arms, clicked);
    }

    @Test
    void clicksCreditTheArmTheLogSaysPlacedThePositionAndTheCountsGiveTheSignTest() {
        short[] arms = {A, B, B, A};
        List<ExperimentReport.Impression> s = List.of(
                shown(arms, 1, 4, 2), // A 2, B 1: A wins
                shown(arms, 2), // B wins
                shown(arms), // no click: a tie
                shown(arms, 1, 2)); // one each: a tie
        ExperimentReport.Interleaved v = ExperimentReport.interleaved(s);
        assertEquals(4, v.impressions());
        assertEquals(3, v.clicksA());
        assertEquals(3, v.clicksB());
        assertEquals(new Preference.Tally(1, 1, 2), v.tally());
        assertEquals(List.of(TeamDraft.Outcome.A_WINS, TeamDraft.Outcome.B_WINS, TeamDraft.Outcome.TIE,
                TeamDraft.Outcome.TIE), v.outcomes());
        assertEquals(1.0, v.pValue(), 1e-12);
        assertEquals(0, v.delta(), 1e-12);
        assertEquals(-1, v.impressionsToP01());
    }

    @Test
    void tenStraightWinsOfBAreSignificantAndNamedByTheirImpression() {
        List<ExperimentReport.Impression> s = new ArrayList<>();
        for (int i = 0; i < 10; i++) s.add(shown(new short[] {A, B}, 2));
        ExperimentReport.Interleaved v = ExperimentReport.interleaved(s);
        // p = 2·(1/2)^n first falls below 0.01 at n = 8 (2/256 = 0.0078; n = 7 gives 0.0156)
        assertEquals(8, v.impressionsToP01());
        assertEquals(2.0 / 1024, v.pValue(), 1e-12);
        assertEquals(-0.5, v.delta(), 1e-12);
    }

    @Test
    void aClickOutsideTheLoggedPositionsIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> ExperimentReport.interleaved(List.of(shown(new short[] {A, B}, 3))));
    }

    @Test
    void bucketsCountAnswersWithAClickAndNewcombesIntervalComesFromTheTwoWilsonIntervals() {
        List<ExperimentReport.Impression> s = new ArrayList<>();
        for (int i = 0; i < 40; i++) s.add(shown(new short[] {A, A, A}, i < 30 ? new int[] {1, 2} : new int[0]));
        for (int i = 0; i < 50; i++) s.add(shown(new short[] {B, B}, i < 10 ? new int[] {1} : new int[0]));
        s.add(shown(new short[0])); // an empty answer counts for neither
        ExperimentReport.Buckets v = ExperimentReport.buckets(s);
        assertEquals(40, v.a().answers());
        assertEquals(30, v.a().clickedAnswers());
        assertEquals(60, v.a().clicks());
        assertEquals(0.75, v.a().ctr(), 1e-12);
        assertEquals(0.2, v.b().ctr(), 1e-12);
        assertArrayEquals(Preference.wilson(30, 40, Preference.Z95), v.a().ctrInterval(), 1e-12);
        assertEquals(0.55, v.difference(), 1e-12);
        double[] la = Preference.wilson(30, 40, Preference.Z95);
        double[] lb = Preference.wilson(10, 50, Preference.Z95);
        assertEquals(0.55 - Math.sqrt(Math.pow(0.75 - la[0], 2) + Math.pow(lb[1] - 0.2, 2)),
                v.differenceInterval()[0], 1e-12);
        assertEquals(0.55 + Math.sqrt(Math.pow(la[1] - 0.75, 2) + Math.pow(0.2 - lb[0], 2)),
                v.differenceInterval()[1], 1e-12);
        assertTrue(v.differenceInterval()[0] > 0.3 && v.differenceInterval()[1] < 0.75);
    }

    @Test
    void armsParseTheirNamesAndRefuseOthersWithTheAllowedOnes() {
        assertEquals(Fusion.BM25, Experiments.Arm.of("BM25").fusion());
        Experiments.Arm pop = Experiments.Arm.of("popularity");
        assertEquals(Fusion.WEIGHTED, pop.fusion());
        assertEquals(Experiments.POPULARITY, pop.weights());
        Experiments.Arm v = Experiments.Arm.of("learned:12");
        assertEquals(Fusion.LEARNED, v.fusion());
        assertEquals(12, v.rankerVersion());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Experiments.Arm.of("fancy"));
        assertEquals("arm must be weighted, linear, rrf, bm25, popularity, random, learned (the active search ranker) "
                + "or learned:VERSION, got 'fancy'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Experiments.Arm.of("learned:x"));
        assertTrue(e.getMessage().startsWith("arm 'learned:x': learned:VERSION needs a ranker version number"));
        assertEquals(Experiments.Kind.AB, Experiments.Kind.parse("AB"));
        assertThrows(IllegalArgumentException.class, () -> Experiments.Kind.parse("split"));
    }

    @Test
    void abBucketsSplitUsersAboutEvenlyAndAnotherExperimentSplitsThemAfresh() {
        int inB = 0, moved = 0;
        for (int u = 1; u <= 10_000; u++) {
            if (ExperimentSearch.bucket(1, u) == B) inB++;
            if (ExperimentSearch.bucket(1, u) != ExperimentSearch.bucket(2, u)) moved++;
            assertEquals(ExperimentSearch.bucket(1, u), ExperimentSearch.bucket(1, u));
        }
        // Binomial(10,000, ½) has sd 50: 4,800-5,200 is four sd either side
        assertTrue(inB > 4_800 && inB < 5_200, "users in B: " + inB);
        assertTrue(moved > 4_800 && moved < 5_200, "users whose bucket changed: " + moved);
    }

    @Test
    void theSameRequestIdInterleavesTheSameWayAndAnotherMayNot() {
        int[] a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        int[] b = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
        String rid = "65f0a1b2" + "0123456789abcdef01234567";
        TeamDraft.Interleaving first = TeamDraft.interleave(a, b, 8, ExperimentSearch.random(rid));
        assertEquals(first, TeamDraft.interleave(a, b, 8, ExperimentSearch.random(rid)));
        boolean differs = false;
        for (int i = 0; i < 20 && !differs; i++) {
            String other = "65f0a1b2" + String.format(java.util.Locale.ROOT, "%024x", i + 1);
            differs = !first.equals(TeamDraft.interleave(a, b, 8, ExperimentSearch.random(other)));
        }
        assertTrue(differs, "twenty other request ids all interleaved as the first");
    }
}
