package io.reelrank.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class DbSettingsTest {

    @Test
    void noFlagsAndNoVariablesMeansThePrivateCluster() {
        assertNull(DbSettings.resolveExternal(DbSettings.Flags.NONE, Map.of("PGPASSWORD", "x")));
    }

    @Test
    void standardVariablesNameAnExternalServer() {
        DbSettings s = DbSettings.resolveExternal(DbSettings.Flags.NONE,
                Map.of("PGHOST", "db.internal", "PGPORT", "6432", "PGUSER", "app", "PGDATABASE", "movies",
                        "PGPASSWORD", "secret"));
        assertEquals("jdbc:postgresql://db.internal:6432/movies", s.url());
        assertEquals("app", s.user());
        assertEquals("secret", s.password());
        assertFalse(s.privateCluster());
        assertFalse(s.describe().contains("secret"), "the password must never be printed");
    }

    @Test
    void flagsWinOverVariables() {
        DbSettings s = DbSettings.resolveExternal(new DbSettings.Flags(null, "h1", 5555, "u1", "d1"),
                Map.of("PGHOST", "h2", "PGUSER", "u2", "PGDATABASE", "d2"));
        assertEquals("jdbc:postgresql://h1:5555/d1", s.url());
        assertEquals("u1", s.user());
        assertEquals("h1", s.host());
        assertEquals(5555, s.port());
        assertEquals("d1", s.database());
    }

    @Test
    void urlIsTakenAsGivenWithPasswordFromTheEnvironment() {
        DbSettings s = DbSettings.resolveExternal(
                new DbSettings.Flags("jdbc:postgresql://pg:5433/reel?sslmode=require", null, null, "bob", null),
                Map.of("PGPASSWORD", "pw"));
        assertEquals("pg", s.host());
        assertEquals(5433, s.port());
        assertEquals("reel", s.database());
        assertEquals("pw", s.password());
        DbSettings inUrl = DbSettings.resolveExternal(
                new DbSettings.Flags("jdbc:postgresql://pg/reel?password=hunter2", null, null, null, null), Map.of());
        assertFalse(inUrl.describe().contains("hunter2"), inUrl.describe());
    }

    @Test
    void rejectsANonPostgresUrl() {
        var e = assertThrows(IllegalArgumentException.class, () -> DbSettings.resolveExternal(
                new DbSettings.Flags("jdbc:mysql://x/y", null, null, null, null), Map.of()));
        assertTrue(e.getMessage().contains("jdbc:mysql://x/y"), e.getMessage());
    }

    @Test
    void rejectsAPortOutOfRange() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> DbSettings.resolveExternal(DbSettings.Flags.NONE, Map.of("PGPORT", "70000")));
        assertEquals("database port must be in 1-65535, got 70000", e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class,
                () -> DbSettings.resolveExternal(DbSettings.Flags.NONE, Map.of("PGPORT", "abc")));
        assertTrue(e2.getMessage().contains("'abc'"), e2.getMessage());
    }
}
