package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.db.DbSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A throwaway database {@code <db>_bench} beside the real one, on the same server, for benchmarks
 * that load data of their own: created empty (any leftover from an interrupted run is dropped first),
 * migrated, and dropped on {@link #close()}, so the real data is never touched.
 */
final class ScratchDatabase implements AutoCloseable {

    private final Database main;
    private final String name;
    private final Database scratch;

    ScratchDatabase(Database main) throws SQLException {
        this.main = main;
        DbSettings s = main.settings();
        this.name = s.database() + "_bench";
        try (Connection c = main.connect(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + name);
        }
        DbSettings bs = new DbSettings(s.url().replaceFirst("/" + s.database() + "(\\?|$)", "/" + name + "$1"),
                s.user(), s.password(), s.privateCluster());
        this.scratch = Database.open(bs, main.cluster());
    }

    Database database() {
        return scratch;
    }

    String name() {
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
