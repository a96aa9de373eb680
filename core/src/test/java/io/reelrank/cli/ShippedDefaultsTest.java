package io.reelrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.reelrank.embed.BundledModel;
import io.reelrank.embed.QueryEncoder;
import io.reelrank.eval.RecommendationTask;
import io.reelrank.index.MovieQueryParser;
import io.reelrank.index.TypoTolerance;
import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.rerank.Reranker;
import io.reelrank.rerank.Retrieval;
import io.reelrank.rerank.RetrievalSettings;
import io.reelrank.rerank.Weights;
import io.reelrank.user.UserVectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The shipped defaults, as literals in one place: changing one (a weight, the shrinkage k, the number
 * of candidates, the model) fails here, so it is a visible decision with its eval figures, not a side
 * effect. Where a command line repeats a default as text, the option's default is checked too.
 */
@Tag("unit")
class ShippedDefaultsTest {

    private static String defaultOf(Object command, String option) {
        return new CommandLine(command).getCommandSpec().findOption(option).defaultValue();
    }

    @Test
    void rankingDefaults() {
        assertEquals(new Weights(0.60, 0.50, 0.50), Weights.DEFAULT,
                "weighted fusion α, popularity π, collaborative γ");
        assertEquals("0.60", Weights.DEFAULT_ALPHA_TEXT);
        assertEquals(Fusion.LEARNED, PersonalizedSearch.DEFAULT_FUSION);
        assertEquals(Fusion.LEARNED, PersonalizedSearch.defaultFusion(414), "with a user");
        assertEquals(Fusion.WEIGHTED, PersonalizedSearch.defaultFusion(null), "without one");
        assertEquals(0.80, Reranker.DEFAULT_ALPHA, "α of the linear fusion");
        assertEquals(60, Fusion.RRF_K);
        assertEquals(100, PersonalizedSearch.DEFAULT_CANDIDATES);
        assertEquals(1000.0, UserVectors.DEFAULT_SHRINKAGE, "k of the content user tower's shrinkage");
        assertEquals(1.0f, MovieQueryParser.TITLE_WEIGHT);
        assertEquals(0.3f, MovieQueryParser.TAG_WEIGHT);
        assertEquals(BundledModel.MINILM_L6_INT8, BundledModel.DEFAULT);
        assertEquals(20, RecommendationTask.DEFAULT_K);
    }

    @Test
    void searchDefaults() {
        assertEquals(new Weights(0, 0.70, 0), PersonalizedSearch.ANONYMOUS_WEIGHTS, "the prior of a search without a user");
        assertEquals(String.format(java.util.Locale.ROOT, "%.2f", PersonalizedSearch.ANONYMOUS_WEIGHTS.popularity()),
                SearchCommand.ANONYMOUS_PI);
        assertEquals(new TypoTolerance(true, 0, TypoTolerance.Edits.ONE, 1, 20, 1f, 4), TypoTolerance.DEFAULT,
                "unknown words only, one edit, first letter as typed, 20 variants per field, full weight, 4 words");
        assertEquals(new RetrievalSettings(Retrieval.AUTO, TypoTolerance.DEFAULT, 100, 1.0, 60, true, "%s",
                RetrievalSettings.AutoRule.NOT_A_TITLE), RetrievalSettings.DEFAULT);
        try (QueryEncoder q = QueryEncoder.bundled()) {
            assertEquals(BundledModel.DEFAULT.modelName(), q.model(), "queries embedded like the movies");
        }
        assertEquals(10_000, QueryEncoder.CACHE_SIZE);
        assertEquals("auto", defaultOf(new SearchCommand(), "--retrieval"));
        assertEquals("on", defaultOf(new SearchCommand(), "--typos"));
    }

    @Test
    void theCommandLinesRepeatTheSameDefaults() {
        assertEquals("100", defaultOf(new SearchCommand(), "--candidates"));
        assertNull(defaultOf(new SearchCommand(), "--fusion"), "PersonalizedSearch.defaultFusion decides, by --user");
    }

    @Test
    void collaborativeModelDefaults() {
        assertEquals("64", ModelOptions.DEFAULT_RANK);
        assertEquals("0.5,1,2", ModelOptions.DEFAULT_ALPHA, "the α grid train chooses from on validation data");
        assertEquals("0.1", ModelOptions.DEFAULT_LAMBDA);
        assertEquals("10", ModelOptions.DEFAULT_ITERATIONS);
        assertEquals("3", ModelOptions.DEFAULT_MIDPOINT);
        assertEquals(42L, ModelOptions.DEFAULT_SEED);
        assertEquals(ModelOptions.DEFAULT_RANK, defaultOf(new TrainCommand(), "--rank"));
    }
}
