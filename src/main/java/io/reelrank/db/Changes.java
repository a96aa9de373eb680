package io.reelrank.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Tells every reelrank process that user or item vectors or the collaborative model changed, with
 * PostgreSQL's {@code NOTIFY}: a writer calls {@link #userChanged} (or {@link #itemsChanged},
 * {@link #modelChanged}) inside its transaction, and the notification is delivered only if that
 * transaction commits. A long-running
 * reader (the HTTP server) runs a {@link Listener} and drops the cached vectors it names, so its
 * caches need no expiry and a search never waits on the database for them. The caller closes the
 * listener.
 */
public final class Changes {

    public static final String USERS = "reelrank_users";
    public static final String ITEMS = "reelrank_items";
    /** A model version was activated; the payload is its version number. */
    public static final String MODEL = "reelrank_model";
    /** The payload of a users notification that means "every user". */
    public static final String ALL = "*";

    private Changes() {}

    public static void userChanged(Statement st, int userId) throws SQLException {
        st.execute("SELECT pg_notify('" + USERS + "', '" + userId + "')");
    }

    public static void allUsersChanged(Statement st) throws SQLException {
        st.execute("SELECT pg_notify('" + USERS + "', '" + ALL + "')");
    }

    public static void itemsChanged(Statement st) throws SQLException {
        st.execute("SELECT pg_notify('" + ITEMS + "', '')");
    }

    public static void modelChanged(Statement st, long version) throws SQLException {
        st.execute("SELECT pg_notify('" + MODEL + "', '" + version + "')");
    }

    /**
     * Listens on its own connection in a daemon thread and calls back with (channel, payload). When
     * the connection breaks it calls back with (null, null), meaning "anything may have changed",
     * and reconnects.
     */
    public static final class Listener implements AutoCloseable {
        private final Database db;
        private final java.util.function.BiConsumer<String, String> onChange;
        private final Thread thread;
        private volatile boolean running = true;
        private volatile boolean connected;

        public Listener(Database db, java.util.function.BiConsumer<String, String> onChange) {
            this.db = db;
            this.onChange = onChange;
            this.thread = new Thread(this::loop, "reelrank-changes");
            thread.setDaemon(true);
            thread.start();
        }

        /** Whether the listener is connected now; while it is not, caches cannot be trusted. */
        public boolean connected() {
            return connected;
        }

        private void loop() {
            while (running) {
                try (Connection c = db.connectDirect(); Statement st = c.createStatement()) {
                    st.execute("LISTEN " + USERS);
                    st.execute("LISTEN " + ITEMS);
                    st.execute("LISTEN " + MODEL);
                    connected = true;
                    onChange.accept(null, null); // changes made while we were not listening
                    PGConnection pg = c.unwrap(PGConnection.class);
                    while (running) {
                        PGNotification[] ns = pg.getNotifications(500);
                        if (ns == null) continue;
                        for (PGNotification n : ns) onChange.accept(n.getName(), n.getParameter());
                    }
                } catch (SQLException | RuntimeException e) {
                    if (connected) onChange.accept(null, null);
                    connected = false;
                    sleep(1_000);
                }
            }
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            running = false;
            thread.interrupt();
        }
    }

}
