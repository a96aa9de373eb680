package io.reelrank.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("integration")
class PrivateClusterTest {

    @Test
    void clusterListensOnLoopbackWithPgvectorAndTheSchema() throws Exception {
        Database db = TestDatabase.get();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SHOW listen_addresses");
            rs.next();
            assertEquals("127.0.0.1", rs.getString(1));
            rs = st.executeQuery("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
            assertTrue(rs.next(), "pgvector must be installed");
            rs = st.executeQuery("SELECT '[1,0,0]'::vector <=> '[0,1,0]'::vector");
            rs.next();
            assertEquals(1.0, rs.getDouble(1), 1e-9);
            List<String> tables = new ArrayList<>();
            rs = st.executeQuery("SELECT relname FROM pg_class WHERE relname IN "
                    + "('movies','ratings','tags','users','movie_stats') ORDER BY relname");
            while (rs.next()) tables.add(rs.getString(1));
            assertEquals(List.of("movie_stats", "movies", "ratings", "tags", "users"), tables);
        }
    }

    /** The migration files in the source tree, each applied once. */
    static final int MIGRATION_FILES = migrationFiles().size();

    static java.util.List<String> migrationFiles() {
        java.nio.file.Path dir = java.nio.file.Path.of("src", "main", "resources", "db", "migration");
        try (var files = java.nio.file.Files.list(dir)) {
            // in version order (V2 before V10), as Flyway applies them
            return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V\\d+__.+\\.sql"))
                    .sorted(java.util.Comparator.comparingInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))))
                    .toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void migrationsApplyTwiceWithoutChange() throws Exception {
        Database db = TestDatabase.get();
        Database again = Database.open(db.settings(), db.cluster());
        try (Connection c = again.connect(); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE type = 'SQL' AND success");
            rs.next();
            assertEquals(MIGRATION_FILES, rs.getInt(1));
        }
    }

    /**
     * A database laid out before Flyway (migrations 1-2 applied by hand, recorded in {@code schema_version})
     * is baselined at 2: its rows stay, only the later files run, and the old table goes.
     */
    @Test
    void aDatabaseMigratedBeforeFlywayIsBaselinedAndUpgradedInPlace() throws Exception {
        Database db = TestDatabase.get();
        String name = db.settings().database() + "_legacy";
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + name);
        }
        DbSettings s = db.settings();
        DbSettings legacy = new DbSettings(s.url().replaceFirst("/" + s.database() + "(\\?|$)", "/" + name + "$1"),
                s.user(), s.password(), s.privateCluster());
        try {
            List<String> files = migrationFiles();
            try (Connection c = java.sql.DriverManager.getConnection(legacy.url(), legacy.user(), legacy.password());
                 Statement st = c.createStatement()) {
                st.execute("CREATE TABLE schema_version (version int PRIMARY KEY, name text NOT NULL, "
                        + "applied_at timestamptz NOT NULL DEFAULT now())");
                for (int v = 1; v <= 2; v++) {
                    String file = "/db/migration/" + files.get(v - 1);
                    byte[] sql = Migrations.class.getResourceAsStream(file).readAllBytes();
                    st.execute(new String(sql, java.nio.charset.StandardCharsets.UTF_8));
                    st.execute("INSERT INTO schema_version (version, name) VALUES (" + v + ", '"
                            + files.get(v - 1) + "')");
                }
                st.execute(
                        "INSERT INTO movies (movie_id, title, genres, year) VALUES (1, 'Kept', ARRAY['Drama'], 1999)");
            }
            try (Database upgraded = Database.open(legacy, db.cluster());
                 Connection c = upgraded.connect(); Statement st = c.createStatement()) {
                ResultSet rs = st.executeQuery("SELECT to_regclass('schema_version') IS NULL");
                rs.next();
                assertTrue(rs.getBoolean(1), "the pre-Flyway table is dropped");
                rs = st.executeQuery("SELECT type, version FROM flyway_schema_history ORDER BY installed_rank");
                List<String> history = new ArrayList<>();
                while (rs.next()) history.add(rs.getString(1) + " " + rs.getString(2));
                List<String> expected = new ArrayList<>(List.of("BASELINE 2"));
                // Every file after the two applied by hand, by its version (numbers may skip).
                for (String f : files) {
                    int v = Integer.parseInt(f.substring(1, f.indexOf("__")));
                    if (v > 2) expected.add("SQL " + v);
                }
                assertEquals(expected, history);
                rs = st.executeQuery("SELECT title FROM movies");
                assertTrue(rs.next());
                assertEquals("Kept", rs.getString(1));
            }
        } finally {
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }

    @Test
    void ensureRunningReusesTheRunningServer() {
        Database db = TestDatabase.get();
        int port = db.cluster().runningPort();
        assertTrue(port > 0);
        assertEquals(port, db.cluster().ensureRunning().port());
    }
}
