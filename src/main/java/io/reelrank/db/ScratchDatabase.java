package io.reelrank.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A throwaway database {@code <db>_<suffix>} beside the real one, on the same server, for benchmarks
 * and tests that load data of their own: created empty (any leftover from an interrupted run is
 * dropped first), migrated, and dropped on {@link #close()}, so the real data is never touched. The
 * caller closes it; the suffix is lower-case letters, digits and underscores.
 */
public final class ScratchDatabase implements AutoCloseable {

    private final Database main;
    private final String name;
    private final Database scratch;

    public ScratchDatabase(Database main, String suffix) throws SQLException {
        if (!suffix.matches("[a-z0-9_]{1,30}")) {
            throw new IllegalArgumentException("scratch database suffix must be 1-30 of a-z, 0-9 and _, got '" + suffix + "'");
        }
        this.main = main;
        DbSettings s = main.settings();
        this.name = s.database() + "_" + suffix;
        try (Connection c = main.connect(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + name);
        }
        DbSettings bs = new DbSettings(s.url().replaceFirst("/" + s.database() + "(\\?|$)", "/" + name + "$1"),
                s.user(), s.password(), s.privateCluster());
        this.scratch = Database.open(bs, main.cluster());
    }

    public Database database() {
        return scratch;
    }

    public String name() {
        return name;
    }

    @Override
    public void close() throws SQLException {
        scratch.close();
        try (Connection c = main.connect(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
}
