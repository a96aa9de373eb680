package io.reelrank.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The bundled all-MiniLM-L6-v2 in fp32 against sentence-transformers' published outputs. */
@Tag("integration")
class OnnxEncoderTest {

    private static OnnxEncoder encoder;

    @BeforeAll
    static void load() {
        encoder = OnnxEncoder.bundled(BundledModel.MINILM_L6, OnnxEncoder.Settings.defaults().withBatchSize(16));
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    /**
     * Reference values printed by sentence-transformers' {@code SentenceTransformer("all-MiniLM-L6-v2")
     * .encode(["hello world", "i am mlflow"])} in MLflow's example
     * (github.com/mlflow/mlflow, examples/sentence_transformers/simple.py): the first and last four
     * of the 384 components.
     */
    @Test
    void matchesSentenceTransformersOutputPublishedByMlflow() {
        float[][] v = encoder.encode(List.of("hello world", "i am mlflow"));
        assertClose(new double[] {-3.44772562e-02, 3.10232025e-02, 6.73496164e-03, 2.61089969e-02}, v[0], 0);
        assertClose(new double[] {2.37922110e-02, -2.28897743e-02, 3.89375277e-02, 3.02067865e-02}, v[0], 380);
        assertClose(new double[] {4.81191138e-03, -9.33756605e-02, 6.95968643e-02, 8.09735525e-03}, v[1], 0);
        assertClose(new double[] {6.57437667e-02, -2.72239652e-02, 4.02687863e-02, -1.05599344e-01}, v[1], 380);
    }

    /**
     * fastembed's canonical values for sentence-transformers/all-MiniLM-L6-v2 on "hello world"
     * (github.com/qdrant/fastembed, tests/test_text_onnx_embeddings.py, CANONICAL_VECTOR_VALUES).
     */
    @Test
    void matchesFastembedCanonicalValues() {
        assertClose(new double[] {-0.034478, 0.03102, 0.00673, 0.02611, -0.039362}, encoder.encode("hello world"), 0);
    }

    @Test
    void returnsUnitLengthVectorsOfThe384Dimensions() {
        assertEquals(384, encoder.dimension());
        assertTrue(encoder.takesTokenTypeIds());
        float[][] v = encoder.encode(List.of("Toy Story (1995). Genres: Adventure, Animation.", "x", "!!!"));
        for (float[] row : v) {
            assertEquals(384, row.length);
            assertEquals(1.0, Vectors.norm(row), 1e-6);
        }
    }

    @Test
    void truncatesTextsLongerThan256WordPiecesAndCountsThem() {
        long before = encoder.truncations();
        String longText = "word ".repeat(600);
        // 254 words + [CLS] + [SEP] = 256 word pieces: exactly what the model sees of the long text.
        String prefix = "word ".repeat(254);
        assertEquals(256, encoder.tokenCount(longText));
        float[][] v = encoder.encode(List.of(longText, prefix));
        assertEquals(before + 1, encoder.truncations());
        assertArrayEquals(v[1], v[0], 1e-6f);
    }

    @Test
    void paddingInABatchDoesNotChangeAVector() {
        List<String> texts = new ArrayList<>(List.of("a short one",
                "Lord of the Rings: The Fellowship of the Ring (2001). Genres: Adventure, Fantasy. "
                        + "Tags: tolkien, epic, based on a book, magic, fantasy world",
                "Heat (1995)"));
        float[][] batched = encoder.encode(texts);
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(encoder.encode(texts.get(i)), batched[i], 1e-5f, "text " + i);
        }
    }

    @Test
    void rejectsABatchSizeOutsideItsRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new OnnxEncoder.Settings(2, 0, null));
        assertEquals("batch size must be in 1-4096, got 0", e.getMessage());
    }

    private static void assertClose(double[] expected, float[] actual, int offset) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[offset + i], 1e-4, "component " + (offset + i));
        }
    }
}
