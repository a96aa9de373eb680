package io.reelrank.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every table of the schema (materialized views included) as a digest of its rows in a fixed order, by
 * name, so that two states of a database compare as maps: what tests that must put the shared sample
 * database back exactly (a user rated, then deleted) check with. Refresh {@code movie_stats} first
 * when the test compares it after writes that move it. A partitioned table counts as one table (its
 * day partitions come and go with the hour); {@code request_log} is left out: every server appends to it
 * in the background for every search anyone makes, so it grows between two states whatever the test
 * does (EventsApiTest checks that a deleted user leaves no row there).
 */
public final class TableSnapshot {

    private TableSnapshot() {}

    public static Map<String, String> of(Database d) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = d.connect(); Statement st = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                    + "AND relkind IN ('r', 'm', 'p') AND NOT relispartition AND relname <> 'request_log' "
                    + "ORDER BY relname")) {
                while (rs.next()) tables.add(rs.getString(1));
            }
            for (String t : tables) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, ',' "
                        + "ORDER BY x::text)), '') FROM " + t + " x")) {
                    rs.next();
                    out.put(t, rs.getString(1));
                }
            }
        }
        return out;
    }
}
