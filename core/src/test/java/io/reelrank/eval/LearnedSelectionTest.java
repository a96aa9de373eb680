package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The rules that choose the learned ranker's setting and decide whether it is served, called directly. */
@Tag("unit")
class LearnedSelectionTest {

    private static LearnedSelection.Figures f(double liked, double disliked) {
        return new LearnedSelection.Figures(liked, disliked);
    }

    @Test
    void theBestSettingLiftsLikedAndSinksDislikedMostTogether() {
        // value = liked gain − disliked gain: 0.040, 0.085, 0.070
        assertEquals(1, LearnedSelection.best(List.of(f(0.035, -0.005), f(0.028, -0.057), f(0.040, -0.030))));
    }

    @Test
    void aSettingThatLowersLikedMoviesIsNotChosenHoweverFarItSinksDislikedOnes() {
        assertEquals(1, LearnedSelection.best(List.of(f(-0.001, -0.200), f(0.010, -0.020))));
    }

    @Test
    void whenEverySettingLowersLikedMoviesTheLeastHarmfulIsChosen() {
        assertEquals(2, LearnedSelection.best(List.of(f(-0.03, -0.2), f(-0.02, -0.1), f(-0.01, 0.0))));
    }

    @Test
    void tiesGoToTheEarlierSetting() {
        assertEquals(0, LearnedSelection.best(List.of(f(0.02, -0.02), f(0.03, -0.01))));
        assertThrows(IllegalArgumentException.class, () -> LearnedSelection.best(List.of()));
    }

    @Test
    void theLearnedRankerIsServedOnlyWhenItBeatsTheWeightedFusionWithoutLoweringLikedMovies() {
        assertTrue(LearnedSelection.learnedWins(f(0.035, -0.050), f(0.0025, -0.045)));
        assertFalse(LearnedSelection.learnedWins(f(0.001, -0.030), f(0.0025, -0.045)), "worse on the rule");
        assertFalse(LearnedSelection.learnedWins(f(-0.001, -0.300), f(0.0025, -0.045)), "lowers liked movies");
    }

    @Test
    void recommendationsGoTwoStageOnlyWhenTheRankerRaisesRecall() {
        assertTrue(LearnedSelection.twoStageWins(0.1652, 0.1592));
        assertFalse(LearnedSelection.twoStageWins(0.1592, 0.1592), "a tie keeps the retrieval alone");
        assertFalse(LearnedSelection.twoStageWins(0.15, 0.1592));
    }
}
