package io.reelrank.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.launcher.JavaModuleOptions;

/**
 * A Spark standalone cluster on this machine: one master and one worker, each a separate JVM started
 * from Spark's own classes ({@code org.apache.spark.deploy.master.Master},
 * {@code org.apache.spark.deploy.worker.Worker}) as {@code spark-class} starts them, listening on
 * loopback only; the worker starts its executors as further JVMs. {@code sparkHome} must hold
 * Spark's jars in {@code jars/} (the layout of a Spark distribution; this module's build writes one
 * to {@code target/spark-home}). For tests and for trying {@code train --engine spark} without a
 * cluster ({@code ./reelrank spark-cluster} runs {@link #main}); the caller closes it, which stops
 * both daemons and their executors.
 */
public final class StandaloneCluster implements AutoCloseable {

    /** How long a daemon may take to come up before {@link #start} gives up, naming its log. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Process master;
    private final Process worker;
    private final String masterUrl;
    private final Path workDir;

    private StandaloneCluster(Process master, Process worker, String masterUrl, Path workDir) {
        this.master = master;
        this.worker = worker;
        this.masterUrl = masterUrl;
        this.workDir = workDir;
    }

    /**
     * Starts a master and a worker with {@code cores} cores and {@code memory} (e.g. "2g") for its
     * executors, logs and scratch files under {@code workDir}; returns once the worker has registered.
     */
    public static StandaloneCluster start(Path sparkHome, Path workDir, int cores, String memory) throws IOException {
        if (!Files.isDirectory(sparkHome.resolve("jars"))) {
            throw new IllegalArgumentException("not a Spark home: " + sparkHome.resolve("jars")
                    + " does not exist (build this module: ./reelrank build-spark)");
        }
        if (cores < 1) throw new IllegalArgumentException("cores must be >= 1, got " + cores);
        Files.createDirectories(workDir);
        int port = freePort();
        int masterUi = freePort();
        Process master = daemon(sparkHome, workDir.resolve("master.log"), 512,
                "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--webui-port", Integer.toString(masterUi));
        Process worker = null;
        try {
            awaitPort(master, port, workDir.resolve("master.log"));
            String url = "spark://127.0.0.1:" + port;
            worker = daemon(sparkHome, workDir.resolve("worker.log"), 512,
                    "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                    "--webui-port", Integer.toString(freePort()), "--cores", Integer.toString(cores),
                    "--memory", memory, "--work-dir", workDir.resolve("work").toString(), url);
            awaitWorker(worker, masterUi, workDir.resolve("worker.log"));
            return new StandaloneCluster(master, worker, url, workDir);
        } catch (IOException | RuntimeException e) {
            if (worker != null) stop(worker);
            stop(master);
            throw e;
        }
    }

    /**
     * {@code ./reelrank spark-cluster [--cores N] [--memory SIZE] [--work-dir DIR]}: starts a master and
     * a worker on loopback, prints the master URL and keeps them running until this JVM is stopped
     * (Ctrl-C). The Spark home is {@code SPARK_HOME}.
     */
    public static void main(String[] args) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        String memory = "2g";
        Path work = Path.of("var", "spark-cluster");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--cores" -> {
                    cores = parseCores(v);
                    i++;
                }
                case "--memory" -> {
                    if (v == null || !v.matches("[1-9][0-9]*[mg]")) {
                        usage("--memory must be a size such as 512m or 2g, got "
                                + (v == null ? "nothing" : "'" + v + "'"));
                    }
                    memory = v;
                    i++;
                }
                case "--work-dir" -> {
                    if (v == null) usage("--work-dir needs a directory");
                    work = Path.of(v);
                    i++;
                }
                default -> usage("unknown option '" + a + "'");
            }
        }
        String home = System.getenv("SPARK_HOME");
        if (home == null || home.isBlank()) usage("SPARK_HOME must name a Spark home (./reelrank sets it)");
        StandaloneCluster c = start(Path.of(home), work.toAbsolutePath(), cores, memory);
        Runtime.getRuntime().addShutdownHook(new Thread(c::close, "spark-cluster-stop"));
        System.out.println("spark-cluster: master " + c.masterUrl() + ", one worker with " + cores + " cores and "
                + memory + " for executors; logs in " + c.workDir() + "; Ctrl-C stops both");
        System.out.flush();
        c.master.waitFor();
    }

    private static int parseCores(String v) {
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= 1024) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        usage("--cores must be in 1-1024, got " + (v == null ? "nothing" : "'" + v + "'"));
        return -1;
    }

    private static void usage(String problem) {
        System.err.println("reelrank: error: " + problem);
        System.err.println("usage: ./reelrank spark-cluster [--cores N] [--memory SIZE] [--work-dir DIR]");
        System.exit(2);
    }

    /** {@code spark://127.0.0.1:PORT}, for {@code --spark-master}. */
    public String masterUrl() {
        return masterUrl;
    }

    public Path workDir() {
        return workDir;
    }

    private static Process daemon(Path sparkHome, Path log, int heapMb, String mainClass, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + heapMb + "m");
        cmd.addAll(List.of(JavaModuleOptions.defaultModuleOptionArray()));
        cmd.add("-cp");
        cmd.add(sparkHome.resolve("jars").toAbsolutePath() + "/*");
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toAbsolutePath().toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        // Spark's launcher otherwise looks for a source build (launcher/target/scala-2.13) to learn it.
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOG_DIR", log.getParent().toAbsolutePath().toString());
        return pb.start();
    }

    private static void awaitPort(Process p, int port, Path log) throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw failed("the Spark master exited with " + p.exitValue(), log);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(200);
            }
        }
        throw failed("the Spark master did not listen on port " + port + " within " + START_TIMEOUT.toSeconds() + " s",
                log);
    }

    private static final Pattern ALIVE_WORKERS = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");

    /** Polls the master's JSON status page until the worker is alive. */
    private static void awaitWorker(Process worker, int masterUi, Path log) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest status = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + masterUi + "/json/"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!worker.isAlive()) throw failed("the Spark worker exited with " + worker.exitValue(), log);
            try {
                Matcher m = ALIVE_WORKERS.matcher(http.send(status, HttpResponse.BodyHandlers.ofString()).body());
                if (m.find() && Integer.parseInt(m.group(1)) > 0) return;
            } catch (IOException notYet) {
                // the master's web UI comes up after its RPC port
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the Spark worker", e);
            }
            sleep(300);
        }
        throw failed("the Spark worker did not register within " + START_TIMEOUT.toSeconds() + " s", log);
    }

    private static IOException failed(String what, Path log) {
        String tail;
        try {
            List<String> lines = Files.readAllLines(log);
            tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            tail = "(no log: " + e.getMessage() + ")";
        }
        return new IOException(what + "; end of " + log + ":\n" + tail);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void stop(Process p) {
        // The daemons' children (executors) go with them: the worker kills its executors on shutdown.
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(15, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(worker);
        stop(master);
    }
}
