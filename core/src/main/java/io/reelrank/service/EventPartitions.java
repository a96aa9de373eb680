package io.reelrank.service;

import io.reelrank.db.Database;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The day partitions of {@code events} and {@code request_log} (V10__events.sql): one per UTC day,
 * named {@code <table>_pYYYYMMDD}. {@link #maintain} makes the partitions from yesterday to
 * {@link #AHEAD} days ahead (so a write at midnight never finds its day missing) and drops every
 * partition whose day ended more than {@code retentionDays} days ago: retention is a {@code DROP
 * TABLE} of whole days, no row-by-row delete and no vacuum behind it. Servers call it when they start
 * and every hour; the writers call {@link #ensure} when a write lands on a day they have not seen. Both
 * run under one advisory lock so that two servers never create the same partition at once.
 */
public final class EventPartitions {

    /** The partitioned tables and their time columns. */
    static final List<String> TABLES = List.of("events", "request_log");
    /** Days made beyond today. */
    static final int AHEAD = 3;
    /** Default of {@code serve --event-retention-days}. */
    public static final int DEFAULT_RETENTION_DAYS = 90;
    public static final int MAX_RETENTION_DAYS = 36_500;
    /** Advisory lock key serializing partition changes ("reelpart"). */
    private static final long LOCK_KEY = 0x7265656c70617274L;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT);
    private static final Pattern NAME = Pattern.compile("^(events|request_log)_p(\\d{8})$");

    private EventPartitions() {}

    /** What {@link #maintain} did: the partitions made and dropped, by name. */
    public record Maintained(List<String> created, List<String> dropped) {}

    /** Makes yesterday's to {@link #AHEAD} days ahead's partitions and drops those older than the retention. */
    public static Maintained maintain(Database db, int retentionDays, LocalDate today) throws SQLException {
        checkRetention(retentionDays);
        List<String> created = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
                for (String table : TABLES) {
                    for (int d = -1; d <= AHEAD; d++) {
                        if (create(st, table, today.plusDays(d))) created.add(name(table, today.plusDays(d)));
                    }
                }
                // A partition of day D holds D's rows; it goes once D is more than retentionDays days before today.
                LocalDate oldest = today.minusDays(retentionDays);
                for (String p : partitions(st)) {
                    Matcher m = NAME.matcher(p);
                    if (m.matches() && LocalDate.parse(m.group(2), DAY).isBefore(oldest)) {
                        st.execute("DROP TABLE " + p);
                        dropped.add(p);
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return new Maintained(created, dropped);
    }

    /** Makes the partitions of {@code day} (and the day after, for writes near midnight) when missing. */
    static void ensure(Database db, LocalDate day) throws SQLException {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
                for (String table : TABLES) {
                    create(st, table, day);
                    create(st, table, day.plusDays(1));
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    public static void checkRetention(int days) {
        if (days < 1 || days > MAX_RETENTION_DAYS) {
            throw new IllegalArgumentException("event retention must be in 1-" + MAX_RETENTION_DAYS + " days, got "
                    + days);
        }
    }

    /** The day partitions that exist now, of both tables, by name. */
    public static List<String> partitions(Database db) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            return partitions(st);
        }
    }

    private static List<String> partitions(Statement st) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                + "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname IN ('events', 'request_log') "
                + "ORDER BY c.relname")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    private static boolean create(Statement st, String table, LocalDate day) throws SQLException {
        String name = name(table, day);
        try (ResultSet rs = st.executeQuery("SELECT to_regclass('" + name + "') IS NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) return false;
        }
        st.execute("CREATE TABLE " + name + " PARTITION OF " + table + " FOR VALUES FROM ('" + day
                + " 00:00:00+00') TO ('" + day.plusDays(1) + " 00:00:00+00')");
        return true;
    }

    static String name(String table, LocalDate day) {
        return table + "_p" + day.format(DAY);
    }

    static LocalDate utcDay(long epochMillis) {
        return java.time.Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC).toLocalDate();
    }
}
