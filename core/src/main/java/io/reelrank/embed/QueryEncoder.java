package io.reelrank.embed;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Embeds search queries with the item tower's sentence model, in-process, for semantic retrieval:
 * the model is opened on the first query (not before: a process that never needs it never loads
 * it), each query's vector is kept in a least-recently-used cache of {@link #CACHE_SIZE} entries (a
 * repeated query costs a map look-up instead of a model run of about a millisecond or two), and
 * the vectors are unit length, as the model's. Thread-safe; the model runs on the caller's thread.
 * The caller closes it, which closes the model.
 */
public final class QueryEncoder implements AutoCloseable {

    /** Distinct queries whose vectors are kept; 10,000 × 384 floats is 15 MB. */
    public static final int CACHE_SIZE = 10_000;

    private final Supplier<Encoder> factory;
    private final String model;
    private volatile Encoder encoder;
    private final Map<String, float[]> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
            return size() > CACHE_SIZE;
        }
    };
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong encodeNanos = new AtomicLong();

    /** @param model what {@link #model()} reports, e.g. {@code all-MiniLM-L6-v2-int8} */
    public QueryEncoder(String model, Supplier<Encoder> factory) {
        this.model = model;
        this.factory = factory;
    }

    /**
     * The bundled default model ({@link BundledModel#DEFAULT}, the one {@code embed} and {@code demo}
     * use for the movie vectors), one ONNX thread, queries one at a time.
     */
    public static QueryEncoder bundled() {
        return new QueryEncoder(BundledModel.DEFAULT.modelName(),
                () -> OnnxEncoder.bundled(BundledModel.DEFAULT, new OnnxEncoder.Settings(1, 1, null)));
    }

    public String model() {
        return model;
    }

    /** The unit vector of {@code text} (whitespace collapsed and trimmed first), from the cache when seen before. */
    public float[] encode(String text) {
        String key = text.strip().replaceAll("\\s+", " ");
        synchronized (cache) {
            float[] v = cache.get(key);
            if (v != null) {
                hits.incrementAndGet();
                return v;
            }
        }
        long t0 = System.nanoTime();
        float[] v = encoder().encode(key);
        encodeNanos.addAndGet(System.nanoTime() - t0);
        misses.incrementAndGet();
        synchronized (cache) {
            cache.put(key, v);
        }
        return v;
    }

    /** Whether {@code text}'s vector is in the cache (no model run needed). */
    public boolean cached(String text) {
        synchronized (cache) {
            return cache.containsKey(text.strip().replaceAll("\\s+", " "));
        }
    }

    private Encoder encoder() {
        Encoder e = encoder;
        if (e == null) {
            synchronized (this) {
                e = encoder;
                if (e == null) {
                    e = factory.get();
                    encoder = e;
                }
            }
        }
        return e;
    }

    /** Queries answered from the cache so far. */
    public long hits() {
        return hits.get();
    }

    /** Queries the model ran for so far. */
    public long misses() {
        return misses.get();
    }

    /** Mean milliseconds of one model run so far (NaN before the first). */
    public double meanEncodeMillis() {
        long m = misses.get();
        return m == 0 ? Double.NaN : encodeNanos.get() / 1e6 / m;
    }

    /** Forgets every cached vector (the bench measures model runs with it). */
    public void clearCache() {
        synchronized (cache) {
            cache.clear();
        }
    }

    @Override
    public String toString() {
        int cached;
        synchronized (cache) {
            cached = cache.size();
        }
        return String.format(Locale.ROOT, "%s (%d cached, %d hits, %d model runs)", model, cached, hits(), misses());
    }

    @Override
    public synchronized void close() {
        Encoder e = encoder;
        encoder = null;
        if (e != null) e.close();
    }
}
