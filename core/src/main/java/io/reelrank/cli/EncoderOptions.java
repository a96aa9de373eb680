package io.reelrank.cli;

import io.reelrank.embed.BundledModel;
import io.reelrank.embed.Encoder;
import io.reelrank.embed.OnnxEncoder;
import io.reelrank.embed.OpenAiEncoder;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The options that choose the item tower's model, shared by {@code embed} and {@code vector}: a
 * bundled model ({@link BundledModel}: all-MiniLM-L6-v2 quantized to int8 by default, or in fp32),
 * a sentence-transformers ONNX export in a directory, or an OpenAI-compatible API whose key comes
 * from the environment only. The caller
 * closes the encoder {@link #open} returns.
 */
public final class EncoderOptions {

    /** The dimension of movies.embedding and users.embedding in the schema. */
    public static final int SCHEMA_DIMENSION = 384;

    @Option(names = "--provider", paramLabel = "onnx|openai", defaultValue = "onnx",
            description = "onnx: a model run in-process (default); openai: an OpenAI-compatible /embeddings API")
    String provider;

    @Option(names = "--model-dir", paramLabel = "DIR",
            description = "A sentence-transformers ONNX export (model.onnx or onnx/model.onnx, tokenizer.json); "
                    + "default: the bundled all-MiniLM-L6-v2-int8")
    Path modelDir;

    @Option(names = "--threads", paramLabel = "N",
            description = "ONNX Runtime threads, 1-256 (default: the number of cores)")
    Integer threads;

    @Option(names = "--max-length", paramLabel = "PIECES",
            description = "Word pieces per text, special tokens included, 2-8192 (default: the model's max_seq_length, "
                    + "256 for all-MiniLM-L6-v2)")
    Integer maxLength;

    @Option(names = "--base-url", paramLabel = "URL",
            description = "API base URL, e.g. https://api.openai.com/v1, https://openrouter.ai/api/v1, "
                    + "http://localhost:11434/v1")
    URI baseUrl;

    @Option(names = "--model", paramLabel = "NAME",
            description = {"With --provider onnx: a bundled model, all-MiniLM-L6-v2-int8 (default: quantized to int8) "
                    + "or all-MiniLM-L6-v2 (fp32).",
                    "With --provider openai: the API's model name, e.g. text-embedding-3-small"})
    String model;

    @Option(names = "--dimensions", paramLabel = "N",
            description = "Ask the API for N-dimensional vectors (models that can shorten them, e.g. "
                    + "text-embedding-3-*)")
    Integer dimensions;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "API request timeout in seconds, 1-3600 (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(names = "--attempts", paramLabel = "N", defaultValue = "6",
            description = "API attempts per batch before giving up, 1-100 (default: ${DEFAULT-VALUE})")
    int attempts;

    /** Opens the chosen encoder; option errors become exit code 2. */
    public Encoder open(int batchSize) {
        try {
            return switch (provider) {
                case "onnx" -> {
                    if (baseUrl != null) throw new IllegalArgumentException("--base-url needs --provider openai");
                    if (model != null && modelDir != null) {
                        throw new IllegalArgumentException("--model names a bundled model and --model-dir a model "
                                + "directory: give one of them");
                    }
                    OnnxEncoder.Settings s = new OnnxEncoder.Settings(
                            threads != null ? threads : Runtime.getRuntime().availableProcessors(), batchSize,
                            maxLength);
                    if (modelDir != null) yield OnnxEncoder.fromDirectory(modelDir, s);
                    yield OnnxEncoder.bundled(model == null ? BundledModel.DEFAULT : BundledModel.named(model), s);
                }
                case "openai" -> {
                    if (modelDir != null) throw new IllegalArgumentException("--model-dir needs --provider onnx");
                    if (baseUrl == null) throw new IllegalArgumentException("--provider openai needs --base-url URL");
                    if (model == null) throw new IllegalArgumentException("--provider openai needs --model NAME");
                    if (timeoutSeconds < 1 || timeoutSeconds > 3600) {
                        throw new IllegalArgumentException("--timeout must be in 1-3600 seconds, got "
                                + timeoutSeconds);
                    }
                    OpenAiEncoder.Settings s = OpenAiEncoder.Settings.of(baseUrl, model,
                                    OpenAiEncoder.apiKeyFrom(System.getenv()), SCHEMA_DIMENSION)
                            .withBatchSize(batchSize)
                            .withRequestDimensions(dimensions)
                            .withTimeout(Duration.ofSeconds(timeoutSeconds))
                            .withRetries(attempts, Duration.ofSeconds(1), Duration.ofSeconds(60));
                    yield new OpenAiEncoder(s);
                }
                default -> throw new IllegalArgumentException("--provider must be onnx or openai, got '"
                        + provider + "'");
            };
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage());
        }
    }
}
