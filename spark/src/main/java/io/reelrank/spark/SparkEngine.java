package io.reelrank.spark;

import io.reelrank.model.FactorEngine;
import io.reelrank.model.ImplicitAls;
import io.reelrank.model.RatingMatrix;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code spark} {@link FactorEngine}: computes {@link ImplicitAls}'s factors with Spark MLlib's
 * {@code ALS(implicitPrefs = true, rank, alpha = α, regParam = λ, maxIter = iterations, seed)} fitted
 * on {@code r' = rating − midpoint}, which is the same normal equation per row
 * ({@code x_u = (YᵀY + Σ_i α·|r'_ui|·y_i y_iᵀ + λ·n⁺_u·I)⁻¹ Σ_{r' > 0} (1 + α·r'_ui)·y_i}; see
 * {@link ImplicitAls} for where Spark's {@code computeFactors} says so). The driver (this JVM) holds the
 * rating matrix the core loaded; it ships the ratings to the executors in chunks of primitive arrays
 * (executors need only Spark and this module's jar, which the driver sends them as {@code spark.jars}),
 * and collects the factors back, in the matrix's order, for the core to map cold movies, solve users
 * and store the version. Spark draws its own initial factors (per block, from the seed), so its model
 * is not bitwise the in-process one; it is a model of the same formula, and fold-in against its item
 * factors reproduces its user factors (Spark's last half-step is the user solve).
 *
 * <p>{@link #open} checks what would otherwise fail obscurely (a JVM newer than Spark supports, a
 * master that cannot be reached, a cluster that gives no executor) and fails saying what to do. One
 * engine holds one Spark session; the caller closes it.
 */
public final class SparkEngine implements FactorEngine {

    /** Spark 4.0.1 runs on Java 17 and 21. */
    static final int MAX_JAVA = 21;
    /** How long to wait for a standalone master to give the application an executor. */
    static final long EXECUTOR_WAIT_MS = 120_000;
    /** How long to try to reach a master before saying it cannot be reached. */
    static final int CONNECT_TIMEOUT_MS = 5_000;
    /** Ratings per chunk shipped to the executors (1.2 MB of primitive arrays). */
    static final int CHUNK = 100_000;

    private static final StructType RATINGS = new StructType()
            .add("user", DataTypes.IntegerType, false)
            .add("item", DataTypes.IntegerType, false)
            .add("rating", DataTypes.FloatType, false);

    private final SparkSession spark;
    private final String master;
    private final String description;

    private SparkEngine(SparkSession spark, String master, String description) {
        this.spark = spark;
        this.master = master;
        this.description = description;
    }

    /** Found by the core through {@link java.util.ServiceLoader} when this module is on the classpath. */
    public static final class Provider implements FactorEngine.Provider {
        @Override
        public String name() {
            return FactorEngine.SPARK;
        }

        @Override
        public FactorEngine open(String master, Map<String, String> conf, Consumer<String> progress) {
            return SparkEngine.open(master, conf, progress);
        }
    }

    /**
     * Starts a Spark session on {@code master} ({@code local[N]} or {@code spark://HOST:PORT}) with the
     * extra settings {@code conf}, and for a standalone master waits until it has an executor.
     */
    public static SparkEngine open(String master, Map<String, String> conf, Consumer<String> progress) {
        checkJava(Runtime.version().feature(), System.getProperty("java.home"));
        boolean local = master.startsWith("local");
        Path jar = ownJar();
        if (!local) {
            if (jar == null) {
                throw new IllegalStateException("the Spark engine's classes are not in a jar ("
                        + SparkEngine.class.getProtectionDomain().getCodeSource().getLocation()
                        + "), so executors cannot load them: build the module with `"
                        + FactorEngine.SPARK_BUILD + "`");
            }
            checkReachable(master);
        }
        SparkSession.Builder b = SparkSession.builder().appName("reelrank train").master(master)
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false");
        if (local || loopback(master)) {
            // Executors on this machine reach the driver on loopback; nothing listens on other interfaces.
            b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
        }
        if (jar != null) b.config("spark.jars", jar.toString());
        conf.forEach(b::config);
        long t = System.nanoTime();
        SparkSession s = b.getOrCreate();
        try {
            if (!s.sparkContext().master().equals(master)) {
                throw new IllegalStateException("a Spark session on " + s.sparkContext().master()
                        + " is already running in this process; close it before opening one on " + master);
            }
            int executors = local ? 0 : awaitExecutors(s, master);
            String where = local ? master : master + " (application " + s.sparkContext().applicationId() + ", "
                    + executors + (executors == 1 ? " executor, " : " executors, ")
                    + s.sparkContext().defaultParallelism() + " cores)";
            progress.accept(String.format(Locale.ROOT, "spark: session on %s in %.1f s", where,
                    (System.nanoTime() - t) / 1e9));
            return new SparkEngine(s, master, "spark " + master);
        } catch (RuntimeException e) {
            s.stop();
            throw e;
        }
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public ImplicitAls.Factors train(RatingMatrix m, ImplicitAls.Params p, ImplicitAls.Listener listener) {
        int k = p.rank();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Chunk> chunks = chunks(m, p.midpoint());
        JavaRDD<Row> rows = jsc.parallelize(chunks, Math.max(1, chunks.size())).flatMap(new ChunkRows());
        Dataset<Row> ratings = spark.createDataFrame(rows, RATINGS);
        ALS als = new ALS()
                .setImplicitPrefs(true)
                .setRank(k)
                .setAlpha(p.alpha())
                .setRegParam(p.lambda())
                .setMaxIter(p.iterations())
                .setSeed(p.seed())
                .setNonnegative(false)
                .setUserCol("user")
                .setItemCol("item")
                .setRatingCol("rating");
        HalfSteps steps = new HalfSteps(p.iterations(), listener);
        spark.sparkContext().addSparkListener(steps);
        float[] users = new float[m.users() * k];
        float[] items = new float[m.items() * k];
        try {
            ALSModel model = als.fit(ratings);
            collect(model.userFactors(), k, "user", m::userIndex, users);
            collect(model.itemFactors(), k, "item", m::itemIndex, items);
            steps.finish();
        } finally {
            spark.sparkContext().removeSparkListener(steps);
            jsc.getPersistentRDDs().values().forEach(r -> r.unpersist(false));
        }
        return new ImplicitAls.Factors(k, users, items);
    }

    @Override
    public void close() {
        spark.stop();
    }

    /** The master this engine trains on. */
    public String master() {
        return master;
    }

    /** Refuses a JVM newer than Spark 4.0.1 supports, naming the JVM and what to run instead. */
    static void checkJava(int feature, String javaHome) {
        if (feature > MAX_JAVA) {
            throw new IllegalStateException("Spark 4.0.1 runs on Java 17 or 21, and this is Java " + feature + " ("
                    + javaHome + "): from Java 23 on, Hadoop's login code in Spark fails (Subject.getSubject is no "
                    + "longer supported). Run with Java 17: JAVA_HOME=/path/to/jdk-17 ./reelrank … --engine spark");
        }
    }

    /** Fails unless some master of a {@code spark://H1:P1,H2:P2} URL accepts a connection. */
    static void checkReachable(String master) {
        List<String> failures = new ArrayList<>();
        for (String hp : master.substring("spark://".length()).split(",")) {
            int colon = hp.lastIndexOf(':');
            String host = hp.substring(0, colon).replace("[", "").replace("]", "");
            int port = Integer.parseInt(hp.substring(colon + 1));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
                return;
            } catch (IOException e) {
                failures.add(hp + ": " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
            }
        }
        throw new IllegalStateException("cannot reach the Spark master " + master + " (" + String.join("; ", failures)
                + "): is a master running there? Start one (Spark's sbin/start-master.sh) or train with "
                + "--spark-master local[*]");
    }

    private static boolean loopback(String master) {
        for (String hp : master.substring("spark://".length()).split(",")) {
            String host = hp.substring(0, hp.lastIndexOf(':')).replace("[", "").replace("]", "");
            try {
                if (!InetAddress.getByName(host).isLoopbackAddress()) return false;
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** Waits until the standalone master has given this application an executor; returns how many it has. */
    private static int awaitExecutors(SparkSession s, String master) {
        long deadline = System.nanoTime() + EXECUTOR_WAIT_MS * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (s.sparkContext().isStopped()) {
                throw new IllegalStateException("the Spark master " + master
                        + " stopped the application; see the master's log");
            }
            int n = s.sparkContext().statusTracker().getExecutorInfos().length - 1; // the driver is listed too
            if (n > 0) return n;
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a Spark executor", e);
            }
        }
        throw new IllegalStateException("the Spark master " + master + " gave no executor within "
                + EXECUTOR_WAIT_MS / 1000 + " s: it needs a worker with a free core and "
                + s.conf().get("spark.executor.memory", "1g")
                + " of free memory (spark.executor.memory); see its web UI, port 8080 by default");
    }

    /** This module's jar, for {@code spark.jars}; null when the classes come from a directory. */
    private static Path ownJar() {
        try {
            Path p = Path.of(SparkEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(p) ? p : null;
        } catch (URISyntaxException | SecurityException e) {
            return null;
        }
    }

    /** The ratings as r' = rating − midpoint, in chunks of primitive arrays. */
    static List<Chunk> chunks(RatingMatrix m, double midpoint) {
        List<Chunk> out = new ArrayList<>();
        int[][] u = {new int[Math.min(CHUNK, m.ratings())]};
        int[][] i = {new int[u[0].length]};
        float[][] r = {new float[u[0].length]};
        int[] n = {0};
        m.forEachRating((user, movie, stars) -> {
            if (n[0] == CHUNK) {
                out.add(new Chunk(u[0], i[0], r[0]));
                int size = Math.min(CHUNK, m.ratings() - out.size() * CHUNK);
                u[0] = new int[size];
                i[0] = new int[size];
                r[0] = new float[size];
                n[0] = 0;
            }
            u[0][n[0]] = user;
            i[0][n[0]] = movie;
            r[0][n[0]++] = (float) (stars - midpoint);
        });
        if (n[0] > 0) {
            out.add(new Chunk(Arrays.copyOf(u[0], n[0]), Arrays.copyOf(i[0], n[0]), Arrays.copyOf(r[0], n[0])));
        }
        return out;
    }

    /** Copies Spark's (id, features) rows into {@code out} at each id's dense index. */
    private static void collect(Dataset<Row> factors, int k, String side, java.util.function.IntUnaryOperator index,
                                float[] out) {
        int rows = out.length / k;
        boolean[] seen = new boolean[rows];
        int n = 0;
        for (Iterator<Row> it = factors.toLocalIterator(); it.hasNext(); ) {
            Row row = it.next();
            int id = row.getInt(0);
            int at = index.applyAsInt(id);
            if (at < 0) {
                throw new IllegalStateException("Spark returned factors for " + side + " " + id
                        + ", who has no rating");
            }
            List<Float> f = row.getList(1);
            if (f.size() != k) {
                throw new IllegalStateException("Spark returned " + f.size() + " factors for " + side + " " + id
                        + ", expected " + k);
            }
            for (int d = 0; d < k; d++) out[at * k + d] = f.get(d);
            if (!seen[at]) n++;
            seen[at] = true;
        }
        if (n != rows) {
            throw new IllegalStateException("Spark returned factors for " + n + " of " + rows + " " + side + "s");
        }
    }

    /** A slice of the ratings: ids and r', parallel arrays. Serializable: it travels to an executor. */
    record Chunk(int[] users, int[] items, float[] ratings) implements Serializable {}

    /** On an executor: a chunk's (user, item, r') rows. */
    static final class ChunkRows implements FlatMapFunction<Chunk, Row> {
        private static final long serialVersionUID = 1L;

        @Override
        public Iterator<Row> call(Chunk c) {
            return new Iterator<>() {
                private int j;

                @Override
                public boolean hasNext() {
                    return j < c.users().length;
                }

                @Override
                public Row next() {
                    if (j >= c.users().length) throw new NoSuchElementException();
                    Row r = RowFactory.create(c.users()[j], c.items()[j], c.ratings()[j]);
                    j++;
                    return r;
                }
            };
        }
    }

    /**
     * Turns Spark's jobs into the half-steps of ALS. In implicit mode every half-step starts with a
     * job that computes the Gram matrix of the fixed side ({@code computeYtY}, "aggregate at
     * ALS.scala"), which also materializes the half-step before it: the n-th such job's end is the
     * end of half-step n − 1 (items, then users, of each iteration). The last user step ends inside
     * the fit; {@link #finish} reports it.
     */
    static final class HalfSteps extends SparkListener {
        private final int iterations;
        private final ImplicitAls.Listener listener;
        private final Map<Integer, Boolean> gramJobs = new java.util.concurrent.ConcurrentHashMap<>();
        private int done; // Gram jobs finished
        private long last = System.nanoTime();

        HalfSteps(int iterations, ImplicitAls.Listener listener) {
            this.iterations = iterations;
            this.listener = listener;
        }

        @Override
        public void onJobStart(SparkListenerJobStart start) {
            StageInfo result = null;
            for (scala.collection.Iterator<StageInfo> it = start.stageInfos().iterator(); it.hasNext(); ) {
                StageInfo s = it.next();
                if (result == null || s.stageId() > result.stageId()) result = s;
            }
            gramJobs.put(start.jobId(), result != null && result.name().startsWith("aggregate at ALS.scala"));
        }

        @Override
        public synchronized void onJobEnd(SparkListenerJobEnd end) {
            if (!Boolean.TRUE.equals(gramJobs.remove(end.jobId()))) return;
            done++;
            if (done == 1) {
                last = System.nanoTime();
            } else if (done - 1 < 2 * iterations) {
                report(done - 1);
            }
            notifyAll();
        }

        /** After the fit: waits (briefly) for the bus to deliver the last Gram job, then reports the last step. */
        synchronized void finish() {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (done < 2 * iterations && System.nanoTime() < deadline) {
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            report(2 * iterations);
        }

        private void report(int halfStep) {
            long now = System.nanoTime();
            listener.halfStep((halfStep + 1) / 2, iterations, halfStep % 2 == 1 ? "items" : "users",
                    (now - last) / 1e9);
            last = now;
        }
    }
}
