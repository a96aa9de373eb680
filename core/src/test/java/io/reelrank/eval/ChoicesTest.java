package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.model.ImplicitAls;
import io.reelrank.model.ModelTrainer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Each rule of {@link Choices}, called with figures made up to sit on either side of its boundary. */
@Tag("unit")
class ChoicesTest {

    private static ModelSelection.Trial trial(double alpha, double recall) {
        ModelTrainer.Settings s = new ModelTrainer.Settings(new ImplicitAls.Params(8, alpha, 0.1, 3, 3, 42), 0, 10, 5);
        return new ModelSelection.Trial(s, recall, recall / 2, 0, 100, 1.0);
    }

    /** A weighted setting at α with its liked and disliked NDCG@10 (disliked NaN: no disliked figures). */
    private static SweepReport.Point point(double alpha, double liked, double disliked) {
        Map<String, Bootstrap.Interval> m = new LinkedHashMap<>();
        m.put("ndcg@10 liked personalized", new Bootstrap.Interval(liked, liked - 0.01, liked + 0.01, 500));
        if (!Double.isNaN(disliked)) {
            m.put("ndcg@10 disliked personalized",
                    new Bootstrap.Interval(disliked, disliked - 0.01, disliked + 0.01, 90));
        }
        return new SweepReport.Point(SweepReport.WEIGHTED, alpha, 0.5, 0.5, m);
    }

    @Test
    void theModelWithTheHighestRecallIsChosen() {
        assertEquals(1, Choices.model(List.of(trial(0.5, 0.18), trial(1, 0.19), trial(2, 0.185))));
    }

    @Test
    void aModelTieGoesToTheEarlierSettingAndNaNNeverWins() {
        assertEquals(0, Choices.model(List.of(trial(0.5, 0.19), trial(1, 0.19))));
        assertEquals(1, Choices.model(List.of(trial(0.5, Double.NaN), trial(1, 0.01), trial(2, Double.NaN))));
        assertEquals(0, Choices.model(List.of(trial(0.5, Double.NaN), trial(1, Double.NaN))));
        assertThrows(IllegalArgumentException.class, () -> Choices.model(List.of()));
    }

    @Test
    void easeTakesTheLambdaWithTheHighestRecallAndTheSmallerOnATie() {
        assertEquals(500, Choices.easeLambda(new double[] {100, 200, 500, 1000},
                new double[] {0.181, 0.180, 0.186, 0.180}));
        assertEquals(200, Choices.easeLambda(new double[] {100, 200, 500}, new double[] {0.17, 0.18, 0.18}));
        assertEquals(100, Choices.easeLambda(new double[] {100, 200}, new double[] {Double.NaN, Double.NaN}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Choices.easeLambda(new double[] {100, 200}, new double[] {0.1}));
        assertEquals("a choice needs one figure per candidate and at least one, got 2 candidates and 1 figures",
                e.getMessage());
    }

    @Test
    void theBaselineTakesThePiWithTheHighestLikedNdcgAndTheSmallerOnATie() {
        double[] pis = {0, 0.5, 0.7, 1};
        Choices.Pick p = Choices.baselinePi(pis, new double[] {0.325, 0.385, 0.403, 0.391});
        assertEquals(new Choices.Pick(2, 0.7, 0.403), p);
        assertEquals(0.5, Choices.baselinePi(pis, new double[] {0.325, 0.40, 0.40, 0.39}).value());
        Choices.Pick none = Choices.baselinePi(pis, new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN});
        assertEquals(0, none.value());
        assertTrue(Double.isNaN(none.figure()), "no liked figure: nothing to compare the fusion settings with");
    }

    @Test
    void theFusionSinksDislikedMoviesFurthestAmongTheSettingsThatKeepTheBaselinesLikedNdcg() {
        List<SweepReport.Point> points = List.of(point(0.5, 0.407, 0.309), point(0.6, 0.4032, 0.2946),
                point(0.7, 0.398, 0.285), point(0.8, 0.351, 0.264));
        // 0.7 and 0.8 sink disliked movies further but fall below the baseline's liked 0.4031.
        assertEquals(0.6, Choices.fusion(points, 0.4031, 10).alpha());
        // A baseline above every setting: the best liked NDCG@10 instead.
        assertEquals(0.5, Choices.fusion(points, 0.5, 10).alpha());
        // Without a baseline figure every setting qualifies.
        assertEquals(0.8, Choices.fusion(points, Double.NaN, 10).alpha());
    }

    @Test
    void aFusionTieGoesToTheEarlierSettingAndMissingDislikedFiguresCountZero() {
        List<SweepReport.Point> tie = List.of(point(0.5, 0.41, 0.30), point(0.6, 0.42, 0.30));
        assertEquals(0.5, Choices.fusion(tie, 0.40, 10).alpha());
        List<SweepReport.Point> noDisliked = List.of(point(0.5, 0.41, Double.NaN), point(0.6, 0.42, Double.NaN));
        assertEquals(0.5, Choices.fusion(noDisliked, 0.40, 10).alpha());
        SweepGrid.Setting s = Choices.fusion(List.of(point(0.6, 0.41, 0.3)), 0.4, 10);
        assertEquals(new SweepGrid.Setting(SweepReport.WEIGHTED, 0.6, 0.5, 0.5), s);
    }
}
