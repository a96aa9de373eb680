package io.reelrank.embed;

import java.util.List;

/**
 * Turns texts into unit-length sentence vectors: the item tower's model, whether it runs in-process
 * ({@link OnnxEncoder}) or behind an OpenAI-compatible API ({@link OpenAiEncoder}). Every vector has
 * {@link #dimension()} components and L2 norm 1, so a dot product is a cosine similarity. Encoders
 * hold native sessions or HTTP clients: the caller closes them (try-with-resources).
 */
public interface Encoder extends AutoCloseable {

    /** The length of every vector this encoder returns. */
    int dimension();

    /** A short description for logs and CSV provenance, e.g. {@code onnx:all-MiniLM-L6-v2}. */
    String describe();

    /**
     * Encodes the texts; row {@code i} of the result belongs to {@code texts.get(i)}. The encoder
     * batches internally, so callers may pass any number of texts.
     */
    float[][] encode(List<String> texts);

    /** Encodes one text. */
    default float[] encode(String text) {
        return encode(List.of(text))[0];
    }

    @Override
    void close();
}
