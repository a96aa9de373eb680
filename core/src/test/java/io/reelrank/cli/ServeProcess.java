package io.reelrank.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelrank.Main;
import io.reelrank.db.Database;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code reelrank serve} (or any other command) in a child JVM started from the test classpath,
 * as an operator would run it: its own process, its own {@code --index-dir}, {@code --port 0}, over
 * the test database. The child finds the test cluster through a reelrank home whose {@code var/pg}
 * links to it ({@link #home}). {@link #start} returns once the server printed the address it serves
 * on; {@link #kill} sends SIGKILL, {@link #close} SIGTERM (the graceful stop) and waits. Everything
 * the child prints is kept for failure messages. The caller closes every process it started.
 */
final class ServeProcess implements AutoCloseable {

    private static final Pattern SERVING = Pattern.compile("serving on (http://\\S+/)");
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    /** Heap of each child: the sample's vectors and index need far less; a bound keeps four JVMs small. */
    static final String CHILD_HEAP = "-Xmx512m";

    final String name;
    final Process process;
    final Path indexDir;
    final URI uri;
    private final StringBuffer log;

    private ServeProcess(String name, Process process, Path indexDir, URI uri, StringBuffer log) {
        this.name = name;
        this.process = process;
        this.indexDir = indexDir;
        this.uri = uri;
        this.log = log;
    }

    /**
     * A reelrank home under {@code target/} whose {@code var/pg} is a link to the test cluster, so a
     * child process opens the same database with the same code path as {@code ./reelrank}.
     */
    static Path home(Database db, String name) throws IOException {
        Path home = Path.of("target", "test-homes", name).toAbsolutePath();
        Files.createDirectories(home.resolve("var"));
        Path link = home.resolve("var").resolve("pg");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, db.cluster().directory());
        return home;
    }

    /** Starts {@code serve --port 0 --index-dir indexDir} and waits (at most {@code timeout}) for its address. */
    static ServeProcess start(String name, Path home, Path indexDir, Duration timeout, String... extra)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("serve", "--port", "0", "--index-dir", indexDir.toString()));
        args.addAll(List.of(extra));
        Process p = child(home, args).start();
        StringBuffer log = new StringBuffer();
        CompletableFuture<URI> address = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    log.append(line).append('\n');
                    Matcher m = SERVING.matcher(line);
                    if (m.find()) address.complete(URI.create(m.group(1)));
                }
            } catch (IOException e) {
                // the process is gone
            }
            address.completeExceptionally(new IllegalStateException(name + " exited before serving:\n" + log));
        }, "serve-" + name + "-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new ServeProcess(name, p, indexDir, address.get(timeout.toMillis(), TimeUnit.MILLISECONDS), log);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException(name + " did not serve within " + timeout + ":\n" + log, e);
        }
    }

    /** A command run to its end in a child JVM (the "third process": ingest, train, index): exit code and output. */
    record Done(int code, String output, double seconds) {}

    static Done run(Path home, Duration timeout, String... args) throws Exception {
        long start = System.nanoTime();
        Path out = Files.createTempFile(Path.of("target").toAbsolutePath(), "child-", ".log");
        Process p = child(home, List.of(args)).redirectOutput(out.toFile()).start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", args) + " did not finish within " + timeout + ":\n"
                        + Files.readString(out));
            }
            return new Done(p.exitValue(), Files.readString(out), (System.nanoTime() - start) / 1e9);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static ProcessBuilder child(Path home, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                CHILD_HEAP, "-Dreelrank.home=" + home, "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(args);
        ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = b.environment();
        // The child must find the test cluster through its home, never an outside server or a token.
        for (String v : List.of("PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD", "REELRANK_HOME",
                "REELRANK_API_TOKEN")) {
            env.remove(v);
        }
        return b;
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed, open connections just drop. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) throw new IllegalStateException(name + " survived SIGKILL");
    }

    /** Resident memory of the process now and at its peak, in kB ({@code VmRSS}, {@code VmHWM}). */
    long[] residentKb() throws IOException {
        long rss = 0, hwm = 0;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith("VmRSS:")) rss = Long.parseLong(line.replaceAll("\\D", ""));
            if (line.startsWith("VmHWM:")) hwm = Long.parseLong(line.replaceAll("\\D", ""));
        }
        return new long[] {rss, hwm};
    }

    String log() {
        return log.toString();
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return get(pathAndQuery, Duration.ofSeconds(10));
    }

    /**
     * GET that may take up to {@code timeout}: for a new process's first requests, which load the model
     * and compile the code on a machine that may be busy, where waiting for the answer is the point.
     */
    HttpResponse<String> get(String pathAndQuery, Duration timeout) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri.resolve(pathAndQuery)).timeout(timeout).GET().build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** GET that must answer 200; its JSON body. */
    JsonNode getJson(String pathAndQuery) throws IOException, InterruptedException {
        return getJson(pathAndQuery, Duration.ofSeconds(10));
    }

    /** {@link #getJson(String)} that may take up to {@code timeout} (see {@link #get(String, Duration)}). */
    JsonNode getJson(String pathAndQuery, Duration timeout) throws IOException, InterruptedException {
        HttpResponse<String> r = get(pathAndQuery, timeout);
        if (r.statusCode() != 200) {
            throw new AssertionError(name + " GET " + pathAndQuery + " → " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri.resolve(path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs one rating; it must answer 200. */
    void rate(int user, int movie, double rating) throws IOException, InterruptedException {
        HttpResponse<String> r = post("/api/users/" + user + "/ratings",
                "{\"movie_id\": " + movie + ", \"rating\": " + rating + "}");
        if (r.statusCode() != 200) {
            throw new AssertionError(name + " rating " + user + "/" + movie + "=" + rating + " → " + r.statusCode()
                    + " " + r.body());
        }
    }

    /** SIGTERM, the graceful stop; waits for the exit. */
    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
}
