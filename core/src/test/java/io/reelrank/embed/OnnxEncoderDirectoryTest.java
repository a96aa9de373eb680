package io.reelrank.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --model-dir: a sentence-transformers export laid out as on the Hugging Face hub. */
@Tag("integration")
class OnnxEncoderDirectoryTest {

    @TempDir
    Path dir;

    private void export(Path target, String onnxPath) throws Exception {
        Files.createDirectories(target.resolve(onnxPath).getParent());
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(OnnxEncoder.BUNDLED_MODEL)) {
            Files.copy(in, target.resolve(onnxPath));
        }
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(OnnxEncoder.BUNDLED_TOKENIZER)) {
            Files.copy(in, target.resolve("tokenizer.json"));
        }
    }

    @Test
    void readsTheModelAndItsMaxLengthFromTheDirectory() throws Exception {
        export(dir, "onnx/model.onnx");
        Files.writeString(dir.resolve("sentence_bert_config.json"),
                "{\"max_seq_length\": 128, \"do_lower_case\": false}");
        OnnxEncoder.Settings s = new OnnxEncoder.Settings(1, 8, null);
        try (OnnxEncoder fromDir = OnnxEncoder.fromDirectory(dir, s);
             OnnxEncoder bundled = OnnxEncoder.bundled(BundledModel.MINILM_L6, s)) {
            assertEquals(384, fromDir.dimension());
            assertEquals(128, fromDir.maxLength());
            assertEquals(128, fromDir.tokenCount("word ".repeat(300)));
            assertArrayEquals(bundled.encode("hello world"), fromDir.encode("hello world"), 0f);
        }
    }

    @Test
    void refusesAModelThatDoesNotMeanPool() throws Exception {
        export(dir, "model.onnx");
        Files.createDirectories(dir.resolve("1_Pooling"));
        Files.writeString(dir.resolve("1_Pooling/config.json"),
                "{\"pooling_mode_cls_token\": true, \"pooling_mode_mean_tokens\": false}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxEncoder.fromDirectory(dir, OnnxEncoder.Settings.defaults()));
        assertTrue(e.getMessage().endsWith("does not use mean pooling; only mean pooling is supported"),
                e.getMessage());
    }

    @Test
    void saysWhatIsMissing() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxEncoder.fromDirectory(dir, OnnxEncoder.Settings.defaults()));
        assertEquals("no model.onnx in " + dir + " (nor in " + dir.resolve("onnx") + ")", e.getMessage());
    }
}
