package io.reelrank.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A throwaway database {@code <db>_<suffix>} beside the real one, on the same server, for benchmarks
 * and tests that load data of their own: created empty (any leftover from an interrupted run is
 * dropped first), migrated, and dropped on {@link #close()} unless the caller asked to keep it, so the
 * real data is never touched. The caller closes it; the suffix is lower-case letters, digits and
 * underscores.
 */
public final class ScratchDatabase implements AutoCloseable {

    private final Database main;
    private final String name;
    private final Database scratch;
    private final boolean keep;

    public ScratchDatabase(Database main, String suffix) throws SQLException {
        this(main, suffix, false);
    }

    /** {@code keep}: {@link #close()} leaves the database in place (for a look at what a benchmark loaded). */
    public ScratchDatabase(Database main, String suffix, boolean keep) throws SQLException {
        if (!suffix.matches("[a-z0-9_]{1,30}")) {
            throw new IllegalArgumentException("scratch database suffix must be 1-30 of a-z, 0-9 and _, got '"
                    + suffix + "'");
        }
        this.main = main;
        this.keep = keep;
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

    /** The scratch database's connection settings: the real one's server, user and password. */
    public DbSettings settings() {
        return scratch.settings();
    }

    @Override
    public void close() throws SQLException {
        scratch.close();
        if (keep) return;
        try (Connection c = main.connect(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
}
