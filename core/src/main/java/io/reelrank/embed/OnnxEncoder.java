package io.reelrank.embed;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A sentence-transformers model run in-process with ONNX Runtime: all-MiniLM-L6-v2 (fp32, or
 * quantized to int8) from the classpath ({@link #bundled}, see {@link BundledModel}), or any
 * sentence-transformers ONNX export in a directory ({@link #fromDirectory}). It reproduces
 * sentence-transformers' {@code encode}: the model's own WordPiece tokenizer
 * ({@code tokenizer.json}) with its special tokens, truncation to the model's {@code max_seq_length}
 * (256 word pieces for all-MiniLM-L6-v2; truncations are counted, see {@link #truncations()}), mean
 * pooling of the last hidden state over the attention mask, then L2 normalisation. For speed it
 * tokenizes a whole call at once, sorts the texts by token count, pads each batch only to its
 * longest member, and runs the batches on {@code threads} worker threads against one reused
 * session whose operators are single-threaded: on short texts, whole batches in parallel keep the
 * cores busier than splitting each small matrix product across them (see
 * {@code reelrank bench embed}). Nothing is downloaded. {@link #encode} may be called from several threads. The caller
 * must {@link #close()} it to free the native session, the tokenizer and the worker threads.
 */
public final class OnnxEncoder implements Encoder {

    /** The default bundled model's resources in the langchain4j artifact that ships them. */
    static final String BUNDLED_MODEL = BundledModel.MINILM_L6.modelResource;
    static final String BUNDLED_TOKENIZER = BundledModel.MINILM_L6.tokenizerResource;
    /** all-MiniLM-L6-v2's {@code max_seq_length} in its sentence_bert_config.json (both bundled variants). */
    public static final int BUNDLED_MAX_LENGTH = 256;
    /** Used for a model directory without sentence_bert_config.json. */
    public static final int DEFAULT_MAX_LENGTH = 256;
    public static final int DEFAULT_BATCH_SIZE = 64;

    /**
     * How the encoder runs. {@code maxLength} null means "the model's own max_seq_length".
     * {@code threads} is how many batches run at once, each on one core.
     */
    public record Settings(int threads, int batchSize, Integer maxLength) {
        public Settings {
            if (threads < 1 || threads > 256) {
                throw new IllegalArgumentException("threads must be in 1-256, got " + threads);
            }
            if (batchSize < 1 || batchSize > 4096) {
                throw new IllegalArgumentException("batch size must be in 1-4096, got " + batchSize);
            }
            if (maxLength != null && (maxLength < 2 || maxLength > 8192)) {
                throw new IllegalArgumentException("max length must be in 2-8192 word pieces, got " + maxLength);
            }
        }

        /** All cores, batches of 64, the model's own max length. */
        public static Settings defaults() {
            return new Settings(Runtime.getRuntime().availableProcessors(), DEFAULT_BATCH_SIZE, null);
        }

        public Settings withBatchSize(int b) {
            return new Settings(threads, b, maxLength);
        }

        public Settings withThreads(int t) {
            return new Settings(t, batchSize, maxLength);
        }
    }

    private final String name;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final int batchSize;
    private final int maxLength;
    private final boolean takesTokenTypes;
    private final String outputName;
    private final int dimension;
    private final AtomicLong truncations = new AtomicLong();
    private final AtomicLong encoded = new AtomicLong();
    private final int threads;
    private final ExecutorService workers;

    private OnnxEncoder(String name, byte[] model, Path modelFile, InputStream tokenizerJson, int maxLength,
                        Settings settings) {
        this.name = name;
        this.batchSize = settings.batchSize();
        this.maxLength = maxLength;
        this.threads = settings.threads();
        this.env = OrtEnvironment.getEnvironment();
        OrtSession s = null;
        HuggingFaceTokenizer t = null;
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            opts.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            // One thread per run: parallelism comes from running batches concurrently (OrtSession.run is thread-safe).
            opts.setIntraOpNumThreads(1);
            opts.setInterOpNumThreads(1);
            s = model != null ? env.createSession(model, opts) : env.createSession(modelFile.toString(), opts);
            // Truncation as sentence-transformers does it (right side, special tokens kept); no
            // padding here because we pad per batch, to the batch's longest text only.
            t = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of(
                    "maxLength", String.valueOf(maxLength),
                    "truncation", "true",
                    "padding", "false",
                    "addSpecialTokens", "true"));
            Map<String, NodeInfo> inputs = s.getInputInfo();
            for (String required : List.of("input_ids", "attention_mask")) {
                if (!inputs.containsKey(required)) {
                    throw new IllegalArgumentException(name + ": the ONNX model has no input '" + required
                            + "'; its inputs are " + inputs.keySet());
                }
            }
            // BERT exports take token_type_ids; DistilBERT/MPNet exports do not.
            this.takesTokenTypes = inputs.containsKey("token_type_ids");
            this.outputName = pickOutput(name, s.getOutputInfo());
            this.session = s;
            this.tokenizer = t;
            long[] shape = ((TensorInfo) s.getOutputInfo().get(outputName).getInfo()).getShape();
            long d = shape[shape.length - 1];
            this.dimension = d > 0 ? (int) d : encodeBatchProbe();
            this.workers = threads == 1 ? null : Executors.newFixedThreadPool(threads, r -> {
                Thread th = new Thread(r, "onnx-encoder");
                th.setDaemon(true);
                return th;
            });
        } catch (OrtException | IOException e) {
            closeQuietly(s, t);
            throw new IllegalStateException(name + ": cannot load the ONNX model: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(s, t);
            throw e;
        }
    }

    /** The default bundled model ({@link BundledModel#DEFAULT}) from the classpath. */
    public static OnnxEncoder bundled(Settings settings) {
        return bundled(BundledModel.DEFAULT, settings);
    }

    /** A bundled model from the classpath (384 dimensions, 256 word pieces). */
    public static OnnxEncoder bundled(BundledModel which, Settings settings) {
        byte[] model;
        try (InputStream in = resource(which.modelResource, which.artifact)) {
            model = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled model " + which.modelResource, e);
        }
        int max = settings.maxLength() != null ? settings.maxLength() : BUNDLED_MAX_LENGTH;
        try (InputStream tok = resource(which.tokenizerResource, which.artifact)) {
            return new OnnxEncoder("onnx:" + which.modelName(), model, null, tok, max, settings);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled tokenizer " + which.tokenizerResource, e);
        }
    }

    /**
     * A sentence-transformers model exported to ONNX: {@code dir/model.onnx} (or
     * {@code dir/onnx/model.onnx}, the Hugging Face layout) and {@code dir/tokenizer.json}; the max
     * length comes from {@code dir/sentence_bert_config.json} when present. The model must use mean
     * pooling ({@code 1_Pooling/config.json}, when present, is checked).
     */
    public static OnnxEncoder fromDirectory(Path dir, Settings settings) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("model directory " + dir + " does not exist");
        }
        Path model = dir.resolve("model.onnx");
        if (!Files.isRegularFile(model)) model = dir.resolve("onnx").resolve("model.onnx");
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("no model.onnx in " + dir + " (nor in " + dir.resolve("onnx") + ")");
        }
        Path tokenizer = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizer)) {
            throw new IllegalArgumentException("no tokenizer.json in " + dir);
        }
        ObjectMapper json = new ObjectMapper();
        int max = DEFAULT_MAX_LENGTH;
        try {
            Path stConfig = dir.resolve("sentence_bert_config.json");
            if (Files.isRegularFile(stConfig)) {
                JsonNode n = json.readTree(stConfig.toFile()).path("max_seq_length");
                if (n.canConvertToInt() && n.asInt() > 1) max = n.asInt();
            }
            Path pooling = dir.resolve("1_Pooling").resolve("config.json");
            if (Files.isRegularFile(pooling)
                    && !json.readTree(pooling.toFile()).path("pooling_mode_mean_tokens").asBoolean(true)) {
                throw new IllegalArgumentException(
                        pooling + " does not use mean pooling; only mean pooling is supported");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model configuration in " + dir, e);
        }
        if (settings.maxLength() != null) max = settings.maxLength();
        try (InputStream tok = Files.newInputStream(tokenizer)) {
            return new OnnxEncoder("onnx:" + dir.toAbsolutePath().normalize().getFileName(), null, model, tok, max,
                    settings);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tokenizer, e);
        }
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public String describe() {
        return name;
    }

    /** The longest token sequence the model sees, special tokens included; longer texts are cut. */
    public int maxLength() {
        return maxLength;
    }

    /** Whether the model takes {@code token_type_ids} (BERT exports do). */
    public boolean takesTokenTypeIds() {
        return takesTokenTypes;
    }

    /** How many texts encoded so far were longer than {@link #maxLength()} and were truncated. */
    public long truncations() {
        return truncations.get();
    }

    /** How many texts were encoded so far. */
    public long encodedTexts() {
        return encoded.get();
    }

    /** The number of word pieces the model sees for a text, special tokens included, after truncation. */
    public int tokenCount(String text) {
        return tokenizer.encode(text).getIds().length;
    }

    @Override
    public float[][] encode(List<String> texts) {
        int n = texts.size();
        float[][] out = new float[n][];
        if (n == 0) return out;
        for (int i = 0; i < n; i++) {
            if (texts.get(i) == null) throw new IllegalArgumentException("text " + i + " is null");
        }
        Encoding[] enc = tokenizer.batchEncode(texts);
        long cut = 0;
        for (Encoding e : enc) if (e.exceedMaxLength()) cut++;
        truncations.addAndGet(cut);
        // Sorting by length keeps the padding per batch small: movie texts range from 5 to 60+ pieces.
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Integer.compare(enc[a].getIds().length, enc[b].getIds().length));
        if (workers == null || n <= batchSize) {
            for (int from = 0; from < n; from += batchSize) {
                runBatch(enc, order, from, Math.min(n, from + batchSize), out);
            }
        } else {
            List<Future<?>> running = new ArrayList<>();
            for (int from = 0; from < n; from += batchSize) {
                int f = from;
                running.add(workers.submit(() -> runBatch(enc, order, f, Math.min(n, f + batchSize), out)));
            }
            try {
                for (Future<?> fut : running) fut.get();
            } catch (InterruptedException e) {
                running.forEach(fut -> fut.cancel(true));
                Thread.currentThread().interrupt();
                throw new IllegalStateException(name + ": interrupted while encoding", e);
            } catch (ExecutionException e) {
                running.forEach(fut -> fut.cancel(true));
                if (e.getCause() instanceof RuntimeException re) throw re;
                throw new IllegalStateException(name + ": encoding failed: " + e.getCause(), e.getCause());
            }
        }
        encoded.addAndGet(n);
        return out;
    }

    private void runBatch(Encoding[] enc, Integer[] order, int from, int to, float[][] out) {
        int b = to - from;
        int len = 0;
        for (int i = from; i < to; i++) len = Math.max(len, enc[order[i]].getIds().length);
        long[] ids = new long[b * len];
        long[] mask = new long[b * len];
        long[] types = new long[b * len];
        for (int r = 0; r < b; r++) {
            Encoding e = enc[order[from + r]];
            long[] eIds = e.getIds();
            long[] eMask = e.getAttentionMask();
            long[] eTypes = e.getTypeIds();
            System.arraycopy(eIds, 0, ids, r * len, eIds.length);
            System.arraycopy(eMask, 0, mask, r * len, eMask.length);
            System.arraycopy(eTypes, 0, types, r * len, eTypes.length);
        }
        long[] shape = {b, len};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            if (takesTokenTypes) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
            }
            try (OrtSession.Result result = session.run(inputs)) {
                OnnxValue v = result.get(outputName)
                        .orElseThrow(() -> new IllegalStateException(name + ": no output " + outputName));
                OnnxTensor t = (OnnxTensor) v;
                long[] outShape = t.getInfo().getShape();
                int d = (int) outShape[2];
                FloatBuffer hidden = t.getFloatBuffer();
                for (int r = 0; r < b; r++) {
                    out[order[from + r]] = Pooling.meanNormalized(hidden, r, len, d, mask);
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException(name + ": inference failed on a batch of " + b + " texts of up to "
                    + len + " word pieces: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private int encodeBatchProbe() {
        float[][] probe = new float[1][];
        Encoding[] enc = tokenizer.batchEncode(List.of("probe"));
        runBatch(enc, new Integer[] {0}, 0, 1, probe);
        return probe[0].length;
    }

    private static String pickOutput(String name, Map<String, NodeInfo> outputs) {
        for (String preferred : List.of("last_hidden_state", "token_embeddings")) {
            if (outputs.containsKey(preferred)) return preferred;
        }
        for (Map.Entry<String, NodeInfo> e : outputs.entrySet()) {
            if (e.getValue().getInfo() instanceof TensorInfo ti && ti.getShape().length == 3) return e.getKey();
        }
        throw new IllegalArgumentException(name + ": the ONNX model has no per-token output of shape "
                + "[batch, tokens, dim] to mean-pool; its outputs are " + outputs.keySet());
    }

    private static InputStream resource(String name, String artifact) {
        InputStream in = OnnxEncoder.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("resource " + name + " is missing from the classpath (it ships in "
                    + artifact + ")");
        }
        return in;
    }

    private static void closeQuietly(OrtSession s, HuggingFaceTokenizer t) {
        try {
            if (s != null) s.close();
        } catch (OrtException ignored) {
            // already failing; the original error matters
        }
        if (t != null) t.close();
    }

    /** How many batches run at once. */
    public int threads() {
        return threads;
    }

    @Override
    public void close() {
        if (workers != null) workers.shutdownNow();
        closeQuietly(session, tokenizer);
    }
}
