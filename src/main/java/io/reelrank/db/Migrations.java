package io.reelrank.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Applies the numbered SQL files under {@code db/migration/} in order, each in its own transaction,
 * and records them in {@code schema_version}, so applying twice is a no-op. An advisory lock keeps
 * two processes from migrating at once. A new migration is a new file {@code V<n>__<name>.sql} plus
 * its line in {@code db/migration/migrations.txt}; an applied file is never edited.
 */
final class Migrations {

    private static final long LOCK_KEY = 0x7265656c72616e6bL; // "reelrank"

    private Migrations() {}

    static void apply(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + LOCK_KEY + ")");
            try {
                st.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                        + "version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
                for (String file : list()) {
                    int version = Integer.parseInt(file.substring(1, file.indexOf("__")));
                    try (var ps = c.prepareStatement("SELECT 1 FROM schema_version WHERE version = ?")) {
                        ps.setInt(1, version);
                        if (ps.executeQuery().next()) continue;
                    }
                    c.setAutoCommit(false);
                    try (Statement mig = c.createStatement()) {
                        mig.execute(read("db/migration/" + file));
                        try (var ps = c.prepareStatement("INSERT INTO schema_version (version, name) VALUES (?, ?)")) {
                            ps.setInt(1, version);
                            ps.setString(2, file);
                            ps.executeUpdate();
                        }
                        c.commit();
                    } catch (SQLException e) {
                        c.rollback();
                        throw new SQLException("migration " + file + ": " + e.getMessage(), e.getSQLState(), e);
                    } finally {
                        c.setAutoCommit(true);
                    }
                }
            } finally {
                st.execute("SELECT pg_advisory_unlock(" + LOCK_KEY + ")");
            }
        } finally {
            c.setAutoCommit(auto);
        }
    }

    static List<String> list() {
        return read("db/migration/migrations.txt").lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
    }

    private static String read(String resource) {
        try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing resource " + resource);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
