package io.reelrank.db;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Collection;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Tells every reelrank process that user vectors, item vectors, movies, the collaborative model, a
 * learned ranker or API keys changed, with PostgreSQL's {@code NOTIFY}: a writer calls {@link #userChanged},
 * {@link #itemsChanged}, {@link #moviesChanged}, {@link #modelChanged}, {@link #rankerChanged},
 * {@link #keyChanged} or {@link #reloaded} inside its transaction, and the
 * notification is delivered only if that transaction commits. A long-running reader (the HTTP server)
 * runs a {@link Listener}: it drops the cached vectors named, reloads the item vectors or the model,
 * and brings its own Lucene index in step with the movies named ({@link MovieChange}), so its caches
 * need no expiry and a search never waits on the database for them. The caller closes the listener.
 */
public final class Changes {

    public static final String USERS = "reelrank_users";
    public static final String ITEMS = "reelrank_items";
    /** Movies whose index entry changed (statistics, tags, title); payload: {@link MovieChange}. */
    public static final String MOVIES = "reelrank_movies";
    /** More movie ids than this in one change are sent as "every movie" (NOTIFY payloads stay small). */
    static final int MAX_IDS = 500;
    /** A model version was activated; the payload is its version number. */
    public static final String MODEL = "reelrank_model";
    /** A learned ranker version was activated or rolled back; the payload is its task (search, recommend). */
    public static final String RANKER = "reelrank_ranker";
    /** An experiment was started or stopped; the payload is its id (docs/experiments.md). */
    public static final String EXPERIMENTS = "reelrank_experiments";
    /** The payload of a users notification that means "every user". */
    public static final String ALL = "*";
    /** An API key was created, revoked or deleted; the payload is its key id ({@link #ALL}: every key). */
    public static final String KEYS = "reelrank_keys";
    /**
     * A listener's own channel: {@link Listener#awaitSeen} sends a token on it and waits for it to come
     * back, which tells that every notification committed before it has been applied.
     */
    static final String SYNC = "reelrank_sync";
    /** The channels a {@link Listener} follows unless told otherwise. */
    static final java.util.List<String> DEFAULT_CHANNELS = java.util.List.of(USERS, ITEMS, MOVIES, MODEL, RANKER);

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

    /** Notifications as two parallel arrays, channel and payload, for a statement that sends them all. */
    public record Notices(String[] channels, String[] payloads) {}

    /**
     * {@link #userChanged} for each of {@code userIds} and one {@link #moviesChanged} for {@code movieIds}
     * (none when empty): what a batch of ratings announces, for the writer to send from its own
     * statement ({@code SELECT pg_notify(ch, p) FROM unnest(channels, payloads)}) or {@link #send}.
     */
    public static Notices ratingsChanged(int[] userIds, Collection<Integer> movieIds, Path updatedIndex) {
        java.util.List<String> channels = new java.util.ArrayList<>();
        java.util.List<String> payloads = new java.util.ArrayList<>();
        for (int u : userIds) {
            channels.add(USERS);
            payloads.add(Integer.toString(u));
        }
        if (!movieIds.isEmpty()) {
            String updated = updatedIndex == null ? null : indexIdentity(updatedIndex);
            channels.add(MOVIES);
            payloads.add((movieIds.size() > MAX_IDS ? new MovieChange(true, new int[0], updated)
                    : new MovieChange(false,
                            movieIds.stream().mapToInt(Integer::intValue).sorted().distinct().toArray(),
                            updated)).payload());
        }
        return new Notices(channels.toArray(String[]::new), payloads.toArray(String[]::new));
    }

    /** Sends {@code n} in one statement on {@code c}, inside its transaction. */
    public static void send(Connection c, Notices n) throws SQLException {
        if (n.channels().length == 0) return;
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(ch, p) FROM unnest(?::text[], ?::text[]) AS "
                + "n(ch, p)")) {
            ps.setArray(1, c.createArrayOf("text", n.channels()));
            ps.setArray(2, c.createArrayOf("text", n.payloads()));
            ps.execute();
        }
    }

    /** Key {@code keyId} was created, revoked or deleted: every server drops what it cached of it. */
    public static void keyChanged(Statement st, String keyId) throws SQLException {
        try (PreparedStatement ps = st.getConnection().prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, KEYS);
            ps.setString(2, keyId);
            ps.execute();
        }
    }

    public static void modelChanged(Statement st, long version) throws SQLException {
        st.execute("SELECT pg_notify('" + MODEL + "', '" + version + "')");
    }

    public static void rankerChanged(Statement st, String task) throws SQLException {
        try (PreparedStatement ps = st.getConnection().prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, RANKER);
            ps.setString(2, task);
            ps.execute();
        }
    }

    /** Experiment {@code id} was started or stopped: every server reads the running experiment again. */
    public static void experimentChanged(Statement st, long id) throws SQLException {
        st.execute("SELECT pg_notify('" + EXPERIMENTS + "', '" + id + "')");
    }

    /**
     * The index entries of {@code movieIds} (null: of every movie) changed; {@code updatedIndex} names
     * an index directory the writer brings in step itself (null: none). Followers apply the change to
     * that directory too (a rebuild running beside the writer may have replaced its update); the name
     * tells an operator reading the payload where the writer ran.
     */
    public static void moviesChanged(Statement st, Collection<Integer> movieIds, Path updatedIndex)
            throws SQLException {
        String updated = updatedIndex == null ? null : indexIdentity(updatedIndex);
        MovieChange ch = movieIds == null || movieIds.size() > MAX_IDS
                ? new MovieChange(true, new int[0], updated)
                : new MovieChange(false, movieIds.stream().mapToInt(Integer::intValue).sorted().distinct().toArray(),
                        updated);
        try (PreparedStatement ps = st.getConnection().prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, MOVIES);
            ps.setString(2, ch.payload());
            ps.execute();
        }
    }

    /**
     * An index directory as other processes can tell it apart: this machine's host name and the
     * directory's absolute path. Servers on two machines may use the same path; the host tells them apart.
     */
    public static String indexIdentity(Path dir) {
        return HOST + ":" + dir.toAbsolutePath().normalize();
    }

    private static final String HOST = hostName(() -> java.net.InetAddress.getLocalHost().getHostName(),
            System.getenv());

    /** This machine's name as {@link #indexIdentity} writes it. */
    static String host() {
        return HOST;
    }

    /** Looks up this machine's name; may fail (a host name that does not resolve, common in containers). */
    @FunctionalInterface
    interface HostLookup {
        String name() throws java.io.IOException;
    }

    /**
     * The machine's name from {@code lookup}; when that fails, {@code HOSTNAME} from {@code env}; else
     * {@code unknown-host}. A host name that does not resolve must not stop a server from starting.
     */
    static String hostName(HostLookup lookup, java.util.Map<String, String> env) {
        try {
            return lookup.name();
        } catch (java.io.IOException e) {
            String name = env.get("HOSTNAME");
            return name != null && !name.isBlank() ? name : "unknown-host";
        }
    }

    /** A reload replaced the data: every user, the item vectors and every movie's index entry. */
    public static void reloaded(Statement st) throws SQLException {
        allUsersChanged(st);
        itemsChanged(st);
        moviesChanged(st, null, null);
    }

    /**
     * What a {@link #MOVIES} notification says: every movie ({@code all}) or these ids, and the index
     * directory the writer updates itself ({@link #indexIdentity}: host and absolute path), or null.
     * Payload: {@code *|<host>:<dir>} or {@code 1,2,3|<host>:<dir>} (the directory may be empty).
     */
    public record MovieChange(boolean all, int[] ids, String updatedIndex) {

        String payload() {
            StringBuilder b = new StringBuilder();
            if (all) {
                b.append(ALL);
            } else {
                for (int i = 0; i < ids.length; i++) b.append(i > 0 ? "," : "").append(ids[i]);
            }
            return b.append('|').append(updatedIndex == null ? "" : updatedIndex).toString();
        }

        /** Parses a payload; anything unreadable means "every movie". */
        public static MovieChange parse(String payload) {
            int bar = payload == null ? -1 : payload.indexOf('|');
            if (bar < 0) return new MovieChange(true, new int[0], null);
            String ids = payload.substring(0, bar);
            String dir = payload.substring(bar + 1);
            String updated = dir.isEmpty() ? null : dir;
            if (ids.equals(ALL) || ids.isEmpty()) return new MovieChange(true, new int[0], updated);
            try {
                return new MovieChange(false, Arrays.stream(ids.split(",")).mapToInt(Integer::parseInt).toArray(),
                        updated);
            } catch (NumberFormatException e) {
                return new MovieChange(true, new int[0], updated);
            }
        }
    }

    /**
     * Listens on its own connection in a daemon thread and calls back with (channel, payload). Each
     * time it (re)connects it calls back with (null, null), meaning "anything may have changed while
     * nobody listened" (the first connection included: the caller loads what it follows there, so
     * nothing committed before the {@code LISTEN} is missed); {@link #catchUps} counts those calls that
     * returned. While it is disconnected ({@link #connected} false) it retries every second.
     */
    public static final class Listener implements AutoCloseable {
        /**
         * The listening connection's {@code application_name}, so an operator can find it in
         * {@code pg_stat_activity}.
         */
        public static final String APPLICATION_NAME = "reelrank-listener";
        private final Database db;
        private final java.util.List<String> channels;
        private final java.util.function.BiConsumer<String, String> onChange;
        private final Thread thread;
        private volatile boolean running = true;
        private volatile boolean connected;
        private volatile int catchUps;
        private volatile String lastToken;

        /** Follows the users, item vectors, movies and model channels. */
        public Listener(Database db, java.util.function.BiConsumer<String, String> onChange) {
            this(db, DEFAULT_CHANNELS, onChange);
        }

        /** Follows {@code channels} (of this class's constants) only. */
        public Listener(Database db, java.util.List<String> channels,
                        java.util.function.BiConsumer<String, String> onChange) {
            this.db = db;
            this.channels = java.util.List.copyOf(channels);
            this.onChange = onChange;
            this.thread = new Thread(this::loop, "reelrank-changes");
            thread.setDaemon(true);
            thread.start();
        }

        /** Whether the listener is connected now; while it is not, caches cannot be trusted. */
        public boolean connected() {
            return connected;
        }

        /** How many (re)connections have been caught up on: their (null, null) call-back returned. */
        public int catchUps() {
            return catchUps;
        }

        /**
         * Waits until this listener has applied every notification committed before the call: it sends a
         * token of its own and waits for it to arrive (PostgreSQL delivers notifications in commit order
         * and this listener applies them one at a time). For a caller that must not race a change another
         * process (or an earlier test) made a moment ago. Fails after {@code timeoutMs}.
         */
        public void awaitSeen(long timeoutMs) throws SQLException, InterruptedException {
            String token = java.util.UUID.randomUUID().toString();
            long deadline = System.nanoTime() + timeoutMs * 1_000_000;
            while (catchUps == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no connection for notifications after " + timeoutMs + " ms");
                }
                Thread.sleep(10);
            }
            try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
                ps.setString(1, SYNC);
                ps.setString(2, token);
                ps.execute();
                if (!c.getAutoCommit()) c.commit();
            }
            while (!token.equals(lastToken)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("change notifications not applied after " + timeoutMs + " ms");
                }
                Thread.sleep(5);
            }
        }

        private void loop() {
            while (running) {
                try (Connection c = db.connectDirect(); Statement st = c.createStatement()) {
                    for (String channel : channels) st.execute("LISTEN " + channel);
                    st.execute("LISTEN " + SYNC);
                    st.execute("SET application_name = '" + APPLICATION_NAME + "'");
                    connected = true;
                    onChange.accept(null, null); // changes made while we were not listening
                    catchUps++;
                    PGConnection pg = c.unwrap(PGConnection.class);
                    while (running) {
                        PGNotification[] ns = pg.getNotifications(500);
                        if (ns == null) continue;
                        for (PGNotification n : ns) {
                            if (SYNC.equals(n.getName())) lastToken = n.getParameter();
                            else onChange.accept(n.getName(), n.getParameter());
                        }
                    }
                } catch (SQLException | RuntimeException e) {
                    // Cached state stays usable while the database is away; the reconnect refreshes it.
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
