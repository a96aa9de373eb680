package io.reelrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("integration")
class VectorCommandTest {

    private static Run run(String... args) {
        return Run.of(List.of(), args);
    }

    @Test
    void printsTheEmbeddingAsAJsonArray() throws Exception {
        Run r = run("vector", "--model", "all-MiniLM-L6-v2", "hello", "world");
        assertEquals(0, r.code(), r.err());
        JsonNode a = new ObjectMapper().readTree(r.out());
        assertEquals(384, a.size());
        // sentence-transformers' value for "hello world" (see OnnxEncoderTest for the source).
        assertEquals(-3.44772562e-02, a.get(0).asDouble(), 1e-4);
        double norm = 0;
        for (JsonNode x : a) norm += x.asDouble() * x.asDouble();
        assertEquals(1.0, norm, 1e-5);
    }

    @Test
    void refusesTheApiProviderWithoutABaseUrl() {
        Run r = run("vector", "--provider", "openai", "--model", "m", "hi");
        assertEquals(2, r.code());
        assertEquals("reelrank: error: --provider openai needs --base-url URL", r.err().strip());
    }

    @Test
    void theInt8ModelIsTheDefaultAndAnUnknownModelListsTheChoices() throws Exception {
        Run r = run("vector", "--model", "all-MiniLM-L6-v2-int8", "hello", "world");
        assertEquals(0, r.code(), r.err());
        JsonNode a = new ObjectMapper().readTree(r.out());
        assertEquals(384, a.size());
        // within quantization error of sentence-transformers' fp32 value, not equal to it
        assertEquals(-3.44772562e-02, a.get(0).asDouble(), 5e-3);
        assertEquals(r.out(), run("vector", "hello", "world").out());
        assertTrue(!r.out().equals(run("vector", "--model", "all-MiniLM-L6-v2", "hello", "world").out()));
        r = run("vector", "--model", "minilm", "hi");
        assertEquals(2, r.code());
        assertEquals("reelrank: error: unknown bundled model 'minilm'; the choices are all-MiniLM-L6-v2, "
                + "all-MiniLM-L6-v2-int8 (or a sentence-transformers ONNX export with --model-dir DIR)",
                r.err().strip());
    }

    @Test
    void refusesAnUnknownProvider() {
        Run r = run("vector", "--provider", "tfidf", "hi");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--provider must be onnx or openai, got 'tfidf'"), r.err());
    }
}
