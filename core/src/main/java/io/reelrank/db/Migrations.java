package io.reelrank.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * Applies the numbered SQL files under {@code db/migration/} with Flyway: each once, in version order,
 * each in its own transaction, recorded in {@code flyway_schema_history}, under Flyway's own advisory
 * lock so two processes never migrate at once. A new migration is a new file {@code V<n>__<name>.sql};
 * an applied file is never edited (Flyway refuses to run when an applied file's checksum changed).
 *
 * <p>Databases made before Flyway recorded their migrations in a {@code schema_version} table of
 * reelrank's own. Such a database is baselined once at the highest version it records (Flyway's
 * {@code baselineOnMigrate}), later files are applied on top, and the old table is dropped in the same
 * run, so an existing installation upgrades in place without re-running anything.
 */
final class Migrations {

    static final String LOCATION = "classpath:db/migration";
    /** The table reelrank kept its applied migrations in before Flyway. */
    static final String LEGACY_TABLE = "schema_version";

    private Migrations() {}

    /** Brings the database's schema up to date; {@code c} only looks at the legacy table. */
    static void apply(DbSettings settings, Connection c) throws SQLException {
        Integer legacy = legacyVersion(c);
        var config = Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(settings.url(), settings.user(), settings.password())
                .locations(LOCATION)
                .connectRetries(0);
        if (legacy != null) config = config.baselineOnMigrate(true).baselineVersion(Integer.toString(legacy))
                .baselineDescription("migrations " + legacy + " and before, applied by reelrank before Flyway");
        try {
            config.load().migrate();
        } catch (FlywayException e) {
            String message = Messages.firstLine(e.getMessage());
            throw new SQLException(message.isEmpty() ? "migration failed" : message, "XX000", e);
        }
        if (legacy != null) {
            try (Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS " + LEGACY_TABLE);
            }
        }
    }

    /** The highest version the pre-Flyway table records, or null when there is none (or Flyway already took over). */
    private static Integer legacyVersion(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT to_regclass('" + LEGACY_TABLE + "') IS NOT NULL, "
                     + "to_regclass('flyway_schema_history') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1) || rs.getBoolean(2)) return null;
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT max(version) FROM " + LEGACY_TABLE)) {
            rs.next();
            int v = rs.getInt(1);
            return rs.wasNull() ? null : v;
        }
    }
}
