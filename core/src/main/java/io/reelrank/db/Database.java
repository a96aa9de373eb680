package io.reelrank.db;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;

/**
 * The handle every pipeline stage uses to reach PostgreSQL: resolves where the database is (an
 * external server, or the private cluster started on demand), applies the schema migrations once,
 * and hands out JDBC connections from a small pool (HikariCP), because opening a connection costs a
 * SCRAM handshake of several milliseconds, far more than a search. Callers close the connections
 * they get, which returns them to the pool; a process that is done with the database calls
 * {@link #close()} (a CLI process may simply exit).
 */
public final class Database implements AutoCloseable {

    /** Connections kept at most; the HTTP server's writes and lookups share them. */
    public static final int POOL_SIZE = 8;

    /** How long a command waits for a pooled connection before it reports the database unreachable. */
    public static final long DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;

    private volatile com.zaxxer.hikari.HikariDataSource pool;
    private volatile long connectionTimeoutMs = DEFAULT_CONNECTION_TIMEOUT_MS;
    private volatile long lockTimeoutMs;

    private final DbSettings settings;
    private final PrivateCluster cluster;

    private Database(DbSettings settings, PrivateCluster cluster) {
        this.settings = settings;
        this.cluster = cluster;
    }

    /**
     * Opens the database named by the flags and environment, or the private cluster of {@code home}
     * when they name none; migrates the schema.
     */
    public static Database open(DbSettings.Flags flags, Map<String, String> env, Path home) {
        DbSettings external = DbSettings.resolveExternal(flags, env);
        Database db;
        if (external != null) {
            db = new Database(external, null);
        } else {
            PrivateCluster cluster = PrivateCluster.inHome(home);
            db = new Database(cluster.ensureRunning(), cluster);
        }
        db.migrate();
        return db;
    }

    /** Opens a database at known settings (tests, or a cluster already started); migrates the schema. */
    public static Database open(DbSettings settings, PrivateCluster cluster) {
        Database db = new Database(settings, cluster);
        db.migrate();
        return db;
    }

    public DbSettings settings() {
        return settings;
    }

    /** The private cluster behind this database, or null for an external server. */
    public PrivateCluster cluster() {
        return cluster;
    }

    /**
     * A {@code SELECT 1} on a connection from {@link #connect()}, waiting at most {@code seconds};
     * throws what went wrong.
     */
    public void ping(int seconds) throws SQLException {
        try (Connection c = connect(); java.sql.Statement st = c.createStatement()) {
            st.setQueryTimeout(seconds);
            try (java.sql.ResultSet rs = st.executeQuery("SELECT 1")) {
                rs.next();
            }
        }
    }

    public Connection connect() throws SQLException {
        try {
            return pool().getConnection();
        } catch (SQLException e) {
            throw new SQLException("cannot connect to " + settings.describe() + ": " + e.getMessage(),
                    e.getSQLState(), e);
        }
    }

    private com.zaxxer.hikari.HikariDataSource pool() {
        com.zaxxer.hikari.HikariDataSource p = pool;
        if (p == null) {
            synchronized (this) {
                if (pool == null) {
                    com.zaxxer.hikari.HikariConfig cfg = new com.zaxxer.hikari.HikariConfig();
                    cfg.setJdbcUrl(settings.url());
                    if (settings.user() != null) cfg.setUsername(settings.user());
                    if (settings.password() != null) cfg.setPassword(settings.password());
                    cfg.addDataSourceProperty("ApplicationName", "reelrank");
                    cfg.setMaximumPoolSize(POOL_SIZE);
                    cfg.setMinimumIdle(0); // a CLI run opens only what it uses
                    // A down database is an error in seconds, not half a minute.
                    cfg.setConnectionTimeout(connectionTimeoutMs);
                    cfg.setInitializationFailTimeout(-1);
                    if (lockTimeoutMs > 0) cfg.setConnectionInitSql("SET lock_timeout = " + lockTimeoutMs);
                    cfg.setPoolName("reelrank");
                    pool = new com.zaxxer.hikari.HikariDataSource(cfg);
                }
                p = pool;
            }
        }
        return p;
    }

    /** Connections of the pool by state, and the threads waiting for one (for /metrics). */
    public record PoolStats(int active, int idle, int waiting, int max) {}

    /** The pool's current figures; all zero before the first connection opens it. */
    public PoolStats poolStats() {
        com.zaxxer.hikari.HikariDataSource p = pool;
        if (p == null || p.getHikariPoolMXBean() == null) return new PoolStats(0, 0, 0, POOL_SIZE);
        com.zaxxer.hikari.HikariPoolMXBean b = p.getHikariPoolMXBean();
        return new PoolStats(b.getActiveConnections(), b.getIdleConnections(), b.getThreadsAwaitingConnection(),
                POOL_SIZE);
    }

    /**
     * How long {@link #connect} waits for a connection, in ms (HikariCP's connectionTimeout, at least
     * 250). A server sets it short, so that while the database is down a request fails in that time
     * instead of holding a worker; it applies at once, also to a pool already open.
     */
    public void setConnectionTimeout(long ms) {
        if (ms < 250 || ms > 600_000) {
            throw new IllegalArgumentException("database connection timeout must be in 250-600000 ms, got " + ms);
        }
        connectionTimeoutMs = ms;
        com.zaxxer.hikari.HikariDataSource p = pool;
        if (p != null) p.getHikariConfigMXBean().setConnectionTimeout(ms);
    }

    /**
     * How long a statement on a pooled connection waits for a table lock, in ms, before it fails with
     * SQLState 55P03 ({@link Locks#timedOut}); 0 (the default) waits for good. A server sets it short,
     * so that a read behind a reload's table locks answers "busy" instead of holding a worker for the
     * whole reload. Transactions that set their own ({@code SET LOCAL lock_timeout}, {@link Locks})
     * keep theirs. Must be called before the first {@link #connect}.
     */
    public synchronized void setLockTimeout(long ms) {
        if (ms < 0 || ms > 600_000) {
            throw new IllegalArgumentException("database lock timeout must be in 0-600000 ms, got " + ms);
        }
        if (pool != null) throw new IllegalStateException("the lock timeout must be set before the first connection");
        lockTimeoutMs = ms;
    }

    public long connectionTimeoutMs() {
        return connectionTimeoutMs;
    }

    /**
     * True when {@code e} (or a cause) says the database cannot be reached: SQLState class 08
     * (connection exception), 57P01-57P03 (shut down, starting up), or a refused socket.
     */
    public static boolean unreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
                    return true;
                }
            }
            if (t instanceof java.net.ConnectException) return true;
            if (t.getCause() == t) break;
        }
        return false;
    }

    /** A connection outside the pool, for work that must not hold a pooled one (long COPYs, migrations). */
    public Connection connectDirect() throws SQLException {
        Properties p = new Properties();
        if (settings.user() != null) p.setProperty("user", settings.user());
        if (settings.password() != null) p.setProperty("password", settings.password());
        p.setProperty("ApplicationName", "reelrank");
        p.setProperty("reWriteBatchedInserts", "true");
        try {
            return DriverManager.getConnection(settings.url(), p);
        } catch (SQLException e) {
            throw new SQLException("cannot connect to " + settings.describe() + ": " + e.getMessage(),
                    e.getSQLState(), e);
        }
    }

    @Override
    public void close() {
        com.zaxxer.hikari.HikariDataSource p = pool;
        if (p != null) p.close();
    }

    private void migrate() {
        try (Connection c = connectDirect()) {
            Migrations.apply(settings, c);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "schema migration failed on " + settings.describe() + ": " + e.getMessage(), e);
        }
    }
}
