package io.reelrank.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The int8-quantized all-MiniLM-L6-v2 against the fp32 model on the same texts. Over the sample's
 * 9,742 movie texts the two agree to a cosine of 0.991 on average, 0.9785 at worst (`reelrank bench
 * embed`); the threshold here, 0.97, sits below that worst case.
 */
@Tag("integration")
class BundledModelTest {

    private static final List<String> TEXTS = List.of("hello world", "i am mlflow",
            "Toy Story (1995). Genres: Adventure, Animation, Children, Comedy, Fantasy. Tags: pixar, fun.",
            "Lord of the Rings: The Fellowship of the Ring, The (2001). Genres: Adventure, Fantasy. "
                    + "Tags: tolkien, epic, based on a book, magic, fantasy world",
            "Heat (1995). Genres: Action, Crime, Thriller.");

    @Test
    void quantizedModelGivesUnitVectorsOf384DimensionsThatAgreeWithFp32() {
        OnnxEncoder.Settings s = new OnnxEncoder.Settings(1, 8, null);
        try (OnnxEncoder fp32 = OnnxEncoder.bundled(BundledModel.MINILM_L6, s);
             OnnxEncoder int8 = OnnxEncoder.bundled(BundledModel.MINILM_L6_INT8, s)) {
            assertEquals("onnx:all-MiniLM-L6-v2-int8", int8.describe());
            assertEquals(384, int8.dimension());
            assertEquals(256, int8.maxLength());
            float[][] a = fp32.encode(TEXTS);
            float[][] b = int8.encode(TEXTS);
            double lowest = 1;
            for (int i = 0; i < TEXTS.size(); i++) {
                assertEquals(384, b[i].length);
                assertEquals(1.0, Vectors.norm(b[i]), 1e-5, "norm of text " + i);
                double cos = Vectors.dot(a[i], b[i]);
                assertTrue(cos > 0.97, "cosine " + cos + " for '" + TEXTS.get(i) + "'");
                lowest = Math.min(lowest, cos);
            }
            // a different model indeed, not the fp32 file under another name
            assertTrue(lowest < 0.9999, "lowest cosine " + lowest);
        }
    }

    @Test
    void aModelIsChosenByNameIgnoringCaseAndTheInt8OneIsTheDefault() {
        assertEquals(BundledModel.MINILM_L6_INT8, BundledModel.named("ALL-MiniLM-L6-v2-INT8"));
        assertEquals(BundledModel.MINILM_L6, BundledModel.named("all-minilm-l6-v2"));
        assertEquals(BundledModel.MINILM_L6_INT8, BundledModel.DEFAULT);
    }

    @Test
    void anUnknownModelNameListsTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BundledModel.named("minilm-q"));
        assertEquals("unknown bundled model 'minilm-q'; the choices are all-MiniLM-L6-v2, all-MiniLM-L6-v2-int8 "
                + "(or a sentence-transformers ONNX export with --model-dir DIR)", e.getMessage());
    }
}
