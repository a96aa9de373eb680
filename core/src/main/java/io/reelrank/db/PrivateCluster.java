package io.reelrank.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * reelrank's own PostgreSQL cluster, made with {@code initdb} and run with {@code pg_ctl} from the
 * system's PostgreSQL binaries, under one directory ({@code $REELRANK_HOME/var/pg} by default).
 * It listens on 127.0.0.1 only, on a port that was free when it started, with a generated password
 * kept in {@code password} (mode 600) beside the data directory. {@link #ensureRunning()} starts it
 * on demand and reuses a running one; a process-wide file lock keeps two reelrank processes from
 * initialising or starting it at once. PostgreSQL refuses to run as root, so when reelrank runs as
 * root the server runs as the {@code postgres} OS user, which then owns the data directory.
 * A restart reuses the port of the previous start when it is still free (recorded in {@code port}),
 * so a process holding the cluster's {@link DbSettings}, such as {@code reelrank serve}, reconnects
 * once the cluster is back. The caller stops it with {@link #stop()} if it wants it gone; otherwise
 * it outlives the process.
 */
public final class PrivateCluster {

    public static final String SUPERUSER = "reelrank";
    public static final String DATABASE = "reelrank";
    private static final String POSTGRES_OS_USER = "postgres";

    private final Path dir;
    // Where the server's files live: under dir, or, when reelrank runs as root and the postgres OS
    // user cannot reach dir (a checkout under /root, say), under /var/tmp, named in dir/server-dir.
    private Path data;
    private Path logDir;
    private final Path passwordFile;
    private final Path portFile;
    private final Path binDir;
    private final boolean asRoot;

    public PrivateCluster(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
        Path serverDir = this.dir;
        try {
            Path pointer = this.dir.resolve("server-dir");
            if (Files.isRegularFile(pointer)) serverDir = Path.of(Files.readString(pointer).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + this.dir.resolve("server-dir"), e);
        }
        this.data = serverDir.resolve("data");
        this.logDir = serverDir.resolve("log");
        this.passwordFile = this.dir.resolve("password");
        this.portFile = this.dir.resolve("port");
        this.binDir = findBinDir();
        this.asRoot = isRoot();
    }

    /** The cluster of a reelrank home: {@code home/var/pg}. */
    public static PrivateCluster inHome(Path home) {
        return new PrivateCluster(home.resolve("var").resolve("pg"));
    }

    public Path directory() {
        return dir;
    }

    /** The server's data directory (under {@link #directory()}, or relocated: see the fields). */
    public Path dataDirectory() {
        return data;
    }

    public Path logFile() {
        return logDir.resolve("postgresql.log");
    }

    public boolean isInitialized() {
        return Files.exists(data.resolve("PG_VERSION")) && Files.exists(passwordFile);
    }

    /** The port of the running server, or -1 when it is not running. */
    public int runningPort() {
        if (!isInitialized()) return -1;
        Result r = run(List.of(bin("pg_ctl"), "-D", data.toString(), "status"), true);
        if (r.exit != 0) return -1;
        try {
            // postmaster.pid: pid, data dir, start time, port, ...
            List<String> lines = Files.readAllLines(data.resolve("postmaster.pid"));
            return Integer.parseInt(lines.get(3).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Initialises and starts the cluster if needed; returns settings to connect to it. */
    public DbSettings ensureRunning() {
        try (FileChannel ch = lockChannel(); FileLock ignored = ch.lock()) {
            if (!isInitialized()) {
                initdb();
            }
            int port = runningPort();
            if (port < 0) {
                port = start();
            }
            DbSettings settings = DbSettings.forPrivateCluster(port, SUPERUSER, password(), DATABASE);
            createDatabaseIfMissing(port);
            return settings;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + dir.resolve(".lock"), e);
        }
    }

    /** Stops the server if it runs; returns whether it was running. */
    public boolean stop() {
        if (runningPort() < 0) return false;
        Result r = run(List.of(bin("pg_ctl"), "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop"), true);
        if (r.exit != 0) {
            throw new IllegalStateException("pg_ctl stop failed (exit " + r.exit + "): " + r.output.strip());
        }
        return true;
    }

    /** Stops the server and deletes the whole cluster directory; for throwaway test clusters. */
    public void destroy() {
        try {
            stop();
        } catch (RuntimeException ignored) {
            // deleting the files is what matters
        }
        if (!data.startsWith(dir)) deleteTree(data.getParent());
        deleteTree(dir);
    }

    public String password() {
        try {
            return Files.readString(passwordFile).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the private cluster's password file " + passwordFile, e);
        }
    }

    private void initdb() throws IOException {
        requireBinaries();
        Files.createDirectories(dir);
        deleteTree(data);
        Files.createDirectories(data);
        Files.createDirectories(logDir);
        byte[] raw = new byte[24];
        new SecureRandom().nextBytes(raw);
        String pw = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        if (asRoot && !reachableByPostgres(dir)) relocateServerFiles();
        // initdb (run as postgres when we are root) must read it: beside the data directory
        Path pwTmp = data.getParent().resolve("initdb-pw.tmp");
        Files.writeString(pwTmp, pw + "\n");
        Files.setPosixFilePermissions(pwTmp, PosixFilePermissions.fromString("rw-------"));
        try {
            if (asRoot) {
                chown(data);
                chown(logDir);
                chown(pwTmp);
            }
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
            Result r = run(List.of(bin("initdb"), "-D", data.toString(), "-U", SUPERUSER,
                    "--auth=scram-sha-256", "--pwfile=" + pwTmp, "-E", "UTF8", "--no-locale"), true);
            if (r.exit != 0) {
                throw new IllegalStateException("initdb failed (exit " + r.exit + "): " + r.output.strip());
            }
        } finally {
            Files.deleteIfExists(pwTmp);
        }
        // Tuned for one user's bulk loads on a small machine: minimal WAL lets COPY into a table
        // truncated in the same transaction skip WAL; large maintenance memory speeds index builds.
        Files.writeString(data.resolve("postgresql.conf"), String.join("\n",
                "",
                "# reelrank private cluster",
                "listen_addresses = '127.0.0.1'",
                "unix_socket_directories = ''",
                "wal_level = minimal",
                "max_wal_senders = 0",
                "max_wal_size = '4GB'",
                "shared_buffers = '256MB'",
                "maintenance_work_mem = '512MB'",
                "work_mem = '32MB'",
                "synchronous_commit = off",
                "logging_collector = off",
                ""), StandardOpenOption.APPEND);
        Files.writeString(passwordFile, pw + "\n");
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
    }

    private int start() {
        IllegalStateException last = null;
        int previous = previousPort();
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = attempt == 0 && previous > 0 && isFree(previous) ? previous : freePort();
            Result r = run(List.of(bin("pg_ctl"), "-D", data.toString(), "-l", logFile().toString(), "-w", "-t", "60",
                    "-o", "-p " + port, "start"), true);
            if (r.exit == 0) {
                rememberPort(port);
                return port;
            }
            last = new IllegalStateException("pg_ctl start failed (exit " + r.exit + ") on port " + port + ": "
                    + r.output.strip() + "; see " + logFile());
        }
        throw last;
    }

    private void createDatabaseIfMissing(int port) {
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        try (Connection c = DriverManager.getConnection(url, SUPERUSER, password());
             var st = c.createStatement()) {
            var rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'");
            if (!rs.next()) {
                st.execute("CREATE DATABASE " + DATABASE);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + DATABASE + " on the private cluster at port "
                    + port + ": " + e.getMessage(), e);
        }
    }

    private FileChannel lockChannel() throws IOException {
        Files.createDirectories(dir);
        return FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }

    private void requireBinaries() {
        if (binDir == null) {
            throw new IllegalStateException("PostgreSQL server binaries not found (looked in $REELRANK_PG_BIN and "
                    + "/usr/lib/postgresql/*/bin for 15 or newer); run scripts/install-deps");
        }
    }

    private boolean reachableByPostgres(Path p) {
        return run(List.of("runuser", "-u", POSTGRES_OS_USER, "--", "test", "-x", p.toString()), false).exit == 0;
    }

    /** Moves data and log to /var/tmp/reelrank-pg-<hash of dir>, reachable by postgres, and records it. */
    private void relocateServerFiles() throws IOException {
        String hash = Integer.toHexString(dir.toString().hashCode());
        Path base = Path.of("/var/tmp", "reelrank-pg-" + hash);
        deleteTree(base);
        Files.createDirectories(base);
        deleteTree(data);
        deleteTree(logDir);
        data = base.resolve("data");
        logDir = base.resolve("log");
        Files.createDirectories(data);
        Files.createDirectories(logDir);
        if (!reachableByPostgres(base)) {
            throw new IllegalStateException("running as root, the private cluster runs as the OS user 'postgres', "
                    + "which can reach neither " + dir + " nor " + base
                    + "; set REELRANK_HOME to a directory it can traverse");
        }
        Files.writeString(dir.resolve("server-dir"), base + "\n");
    }

    private void chown(Path p) {
        Result r = run(List.of("chown", "-R", POSTGRES_OS_USER + ":", p.toString()), false);
        if (r.exit != 0) {
            throw new IllegalStateException("chown " + p + " to postgres failed: " + r.output.strip());
        }
    }

    private String bin(String name) {
        requireBinaries();
        return binDir.resolve(name).toString();
    }

    private record Result(int exit, String output) {}

    /** Runs a command, as the postgres OS user when {@code asPostgres} and we are root. */
    private Result run(List<String> command, boolean asPostgres) {
        List<String> cmd = new ArrayList<>();
        if (asPostgres && asRoot) {
            cmd.addAll(List.of("runuser", "-u", POSTGRES_OS_USER, "--"));
        }
        cmd.addAll(command);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            // pg_ctl start leaves the postmaster holding no pipe of ours (-l redirects it), so this ends.
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", cmd));
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", cmd), e);
        }
    }

    private int previousPort() {
        try {
            return Integer.parseInt(Files.readString(portFile).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private void rememberPort(int port) {
        try {
            Files.writeString(portFile, port + "\n");
        } catch (IOException e) {
            // Only costs the port reuse on the next restart.
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    private static Path findBinDir() {
        String env = System.getenv("REELRANK_PG_BIN");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) return null;
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .filter(p -> Integer.parseInt(p.getFileName().toString()) >= 15)
                    .filter(p -> Files.isExecutable(p.resolve("bin/initdb")))
                    .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString())))
                    .map(p -> p.resolve("bin"))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean isRoot() {
        // /proc/self belongs to the process's own user id (Linux, where PostgreSQL refuses uid 0).
        try {
            return Integer.valueOf(0).equals(java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"),
                    "unix:uid"));
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + p, e);
        }
    }
}
