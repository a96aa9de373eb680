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
 * and hands out JDBC connections. Callers close the connections they get; the Database itself holds
 * no open connection.
 */
public final class Database {

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

    public Connection connect() throws SQLException {
        Properties p = new Properties();
        if (settings.user() != null) p.setProperty("user", settings.user());
        if (settings.password() != null) p.setProperty("password", settings.password());
        p.setProperty("ApplicationName", "reelrank");
        p.setProperty("reWriteBatchedInserts", "true");
        try {
            return DriverManager.getConnection(settings.url(), p);
        } catch (SQLException e) {
            throw new SQLException("cannot connect to " + settings.describe() + ": " + e.getMessage(), e.getSQLState(), e);
        }
    }

    private void migrate() {
        try (Connection c = connect()) {
            Migrations.apply(c);
        } catch (SQLException e) {
            throw new IllegalStateException("schema migration failed on " + settings.describe() + ": " + e.getMessage(), e);
        }
    }
}
