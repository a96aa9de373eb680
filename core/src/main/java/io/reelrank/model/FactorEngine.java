package io.reelrank.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/**
 * Where the first stage of a training runs: the factors of {@link ImplicitAls}'s formula for a rating
 * matrix. {@link #inProcess} solves it in this JVM on a thread pool; a cluster engine (the Spark
 * module's {@code spark}, found through {@link Provider} and {@link ServiceLoader} only when that
 * module is on the classpath) solves the same formula elsewhere and returns the factors to this
 * process, where the rest of a training (cold movies, users, storage, activation) runs unchanged.
 * The core never names a cluster class: {@code serve} and {@code search} cannot load one. The caller
 * closes the engine it opened (a cluster engine stops its session then).
 */
public interface FactorEngine extends AutoCloseable {

    /** The in-process engine's name, for {@code --engine}. */
    String IN_PROCESS = "in-process";
    /** The Spark module's engine's name. */
    String SPARK = "spark";
    /** What to build when the Spark engine is missing from the classpath. */
    String SPARK_BUILD = "./reelrank build-spark";

    /** One line saying where the factors are computed, e.g. {@code in-process, 2 threads}. */
    String describe();

    /**
     * The ALS factors of {@code m} with {@code p}, users and items in the matrix's dense index order;
     * {@code listener} hears each half-step the engine can observe.
     */
    ImplicitAls.Factors train(RatingMatrix m, ImplicitAls.Params p, ImplicitAls.Listener listener);

    @Override
    default void close() {}

    /** {@link ImplicitAls#train} here, on {@code threads} worker threads (≥ 1). */
    static FactorEngine inProcess(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        return new FactorEngine() {
            @Override
            public String describe() {
                return IN_PROCESS + ", " + threads + (threads == 1 ? " thread" : " threads");
            }

            @Override
            public ImplicitAls.Factors train(RatingMatrix m, ImplicitAls.Params p, ImplicitAls.Listener listener) {
                return ImplicitAls.train(m, p, threads, listener);
            }
        };
    }

    /**
     * A cluster engine, registered in {@code META-INF/services/io.reelrank.model.FactorEngine$Provider}
     * of the module that brings it.
     */
    interface Provider {
        /** The name {@code --engine} selects it by. */
        String name();

        /**
         * Connects to {@code master} with the extra settings {@code conf}; {@code progress} hears what
         * it connects to. Fails with a message naming the cause and the fix (unreachable master, no
         * worker, unsupported JVM).
         */
        FactorEngine open(String master, Map<String, String> conf, Consumer<String> progress);
    }

    /**
     * The cluster engine provider called {@code name}; fails saying how to build and run it when no
     * module on the classpath provides it. Loads no cluster class beyond the provider itself.
     */
    static Provider provider(String name) {
        List<String> found = new ArrayList<>();
        for (Provider p : ServiceLoader.load(Provider.class)) {
            if (p.name().equals(name)) return p;
            found.add(p.name());
        }
        if (name.equals(SPARK)) {
            throw new IllegalStateException("the Spark engine is not on this process's classpath: build it with `"
                    + SPARK_BUILD + "` (Maven: mvn -B -pl spark -am -DskipTests package), then run the command "
                    + "through ./reelrank, which puts the Spark module's jars on the classpath for --engine spark");
        }
        throw new IllegalArgumentException("no factor engine named '" + name + "' on the classpath; have "
                + IN_PROCESS + (found.isEmpty() ? "" : ", " + String.join(", ", found)));
    }
}
