package io.reelrank.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

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

    @Test
    void migrationsApplyTwiceWithoutChange() throws Exception {
        Database db = TestDatabase.get();
        Database again = Database.open(db.settings(), db.cluster());
        try (Connection c = again.connect(); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT count(*) FROM schema_version");
            rs.next();
            assertEquals(Migrations.list().size(), rs.getInt(1));
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
