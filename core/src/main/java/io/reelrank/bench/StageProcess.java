package io.reelrank.bench;

import io.reelrank.bench.ScaleStages.Figure;
import io.reelrank.bench.ScaleStages.Kind;
import io.reelrank.bench.ScaleStages.Stage;
import io.reelrank.cli.CliException;
import io.reelrank.cli.ProcessStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one {@link Stage} as a child {@code reelrank} process (the real command line, started with
 * {@code java … io.reelrank.Main}, as the launcher does) and reads its figures: the wall time from
 * its start to its end (for a server, until {@code /api/health} answered 200, then it is stopped with
 * SIGTERM), its own peak resident memory and CPU time (written by the child at exit, see
 * {@link ProcessStats}) and the numbers its figures' patterns find in its standard output. The child's
 * standard output and error go to {@code <log dir>/<stage>.log}; its standard error is also echoed,
 * indented, as progress. A child that fails, or outlives the timeout, ends the run with its exit code
 * and the end of its output. One instance serves a whole run; {@link #stopRunningChild} is for a
 * shutdown hook.
 */
final class StageProcess {

    /** Lines of a failed child's output quoted in the error. */
    static final int TAIL_LINES = 12;
    /** How often a starting server's health is asked. */
    static final long HEALTH_POLL_MS = 20;

    private static final Pattern SERVING = Pattern.compile("serving on (http://\\S+/)");

    private final List<String> prefix;
    private final Map<String, String> env;
    private final Duration timeout;
    private final PrintWriter progress;
    private final AtomicReference<Process> running = new AtomicReference<>();

    /**
     * @param prefix   the command up to the subcommand: java, its options, the class path and the main class
     * @param env      variables set for every child (REELRANK_HOME, PGPASSWORD, …)
     * @param timeout  the longest one stage may take
     * @param progress where the children's standard error is echoed
     */
    StageProcess(List<String> prefix, Map<String, String> env, Duration timeout, PrintWriter progress) {
        this.prefix = List.copyOf(prefix);
        this.env = Map.copyOf(env);
        this.timeout = timeout;
        this.progress = progress;
    }

    /** What one run gave: each figure's value, and what it printed. */
    record Result(Map<Figure, Double> figures, String stdout) {}

    /** Runs {@code args} (the stage's command and the database options) for {@code stage}. */
    Result run(Stage stage, List<String> args, Path logDir) throws IOException, InterruptedException {
        String slug = stage.name().replaceAll("[^A-Za-z0-9]+", "-").replaceAll("^-|-$", "");
        Path statsFile = logDir.resolve(slug + ".stats");
        Path log = logDir.resolve(slug + ".log");
        Files.deleteIfExists(statsFile);
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        pb.environment().put(ProcessStats.ENV, statsFile.toString());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        CompletableFuture<String> serving = new CompletableFuture<>();
        StringBuilder stdout = new StringBuilder();
        Deque<String> tail = new ArrayDeque<>();
        Writer logOut = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
        logOut.write("$ reelrank " + String.join(" ", printable(args)) + "\n");
        long t0 = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            logOut.close();
            throw e;
        }
        running.set(p);
        Thread out = pump(p.getInputStream(), line -> {
            synchronized (stdout) {
                stdout.append(line).append('\n');
            }
            Matcher m = SERVING.matcher(line);
            if (m.find()) serving.complete(m.group(1));
        }, logOut, tail, false);
        Thread err = pump(p.getErrorStream(), line -> {}, logOut, tail, true);
        try {
            double wall;
            double startup = Double.NaN;
            if (stage.kind() == Kind.SERVE) {
                startup = waitUntilHealthy(p, serving, t0, stage);
                wall = startup;
                p.destroy(); // SIGTERM: the server stops accepting, finishes, and writes its figures
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    throw failure(stage, "did not stop within 60 s of SIGTERM", tail, log);
                }
            } else {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw failure(stage, "took longer than " + timeout.toMinutes() + " min", tail, log);
                }
                wall = (System.nanoTime() - t0) / 1e9;
            }
            out.join();
            err.join();
            if (stage.kind() == Kind.RUN && p.exitValue() != 0) {
                throw failure(stage, "exit code " + p.exitValue(), tail, log);
            }
            ProcessStats stats = ProcessStats.read(statsFile);
            Map<Figure, Double> values = new LinkedHashMap<>();
            String text = stdout.toString();
            for (Figure f : stage.figures()) {
                double v = switch (f.source()) {
                    case WALL -> wall;
                    case CPU -> stats.cpuMillis() / 1000.0;
                    case PEAK -> stats.peakMb();
                    case STARTUP -> startup;
                    case OUTPUT -> {
                        try {
                            yield f.readFrom(text);
                        } catch (IllegalStateException e) {
                            throw failure(stage, e.getMessage(), tail, log);
                        }
                    }
                };
                values.put(f, v);
            }
            return new Result(values, text);
        } finally {
            if (p.isAlive()) p.destroyForcibly();
            running.set(null);
            out.join(10_000);
            err.join(10_000);
            synchronized (logOut) {
                logOut.close();
            }
        }
    }

    /** Seconds from the start until the server's health answered 200. */
    private double waitUntilHealthy(Process p, CompletableFuture<String> serving, long t0, Stage stage)
            throws InterruptedException {
        long deadline = t0 + timeout.toNanos();
        String base = null;
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new CliException(1, "stage " + stage.name() + ": the server exited (code " + p.exitValue()
                        + ") before /api/health answered 200");
            }
            if (base == null) base = serving.getNow(null);
            if (base != null) {
                try {
                    HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(base + "api/health"))
                            .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) return (System.nanoTime() - t0) / 1e9;
                } catch (IOException e) {
                    // not listening yet
                }
            }
            Thread.sleep(HEALTH_POLL_MS);
        }
        throw new CliException(1, "stage " + stage.name() + ": /api/health did not answer 200 within "
                + timeout.toMinutes() + " min");
    }

    /** Stops the child that is running now, if any (for a shutdown hook). */
    void stopRunningChild() {
        Process p = running.get();
        if (p != null) p.destroyForcibly();
    }

    /** The arguments with any password in a database URL's query cut off, for logs and progress. */
    static List<String> printable(List<String> args) {
        List<String> out = new ArrayList<>(args.size());
        for (String a : args) {
            out.add(a.startsWith("jdbc:") && a.contains("?") ? a.substring(0, a.indexOf('?')) + "?…" : a);
        }
        return out;
    }

    private CliException failure(Stage stage, String what, Deque<String> tail, Path log) {
        StringBuilder b = new StringBuilder("stage " + stage.name() + " failed: " + what + "; its output ended with:");
        synchronized (tail) {
            for (String l : tail) b.append("\n    ").append(l);
        }
        b.append("\n  (whole output: ").append(log).append(')');
        return new CliException(1, b.toString());
    }

    private Thread pump(InputStream in, java.util.function.Consumer<String> onLine, Writer log, Deque<String> tail,
                        boolean echo) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    onLine.accept(line);
                    synchronized (log) {
                        log.write(line);
                        log.write('\n');
                        log.flush();
                    }
                    synchronized (tail) {
                        tail.addLast(line);
                        if (tail.size() > TAIL_LINES) tail.removeFirst();
                    }
                    if (echo) {
                        synchronized (progress) {
                            progress.println("      " + line);
                            progress.flush();
                        }
                    }
                }
            } catch (IOException e) {
                // the child was stopped, or the log closed after a failure: the output ends here
            }
        }, "bench-scale-child-output");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
