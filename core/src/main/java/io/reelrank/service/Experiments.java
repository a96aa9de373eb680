package io.reelrank.service;

import io.reelrank.db.Changes;
import io.reelrank.db.Database;
import io.reelrank.rank.RankerStore;
import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.rerank.Weights;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online experiments between two rankers, the rows of {@code experiments} (docs/experiments.md): at most
 * one runs at a time; {@link #start} and {@link #stop} change it in one transaction that notifies every
 * server ({@link Changes#EXPERIMENTS}), and a server's {@link Follower} holds the running one, read again
 * on each notification and each reconnection, so a search never reads the table. An arm is a ranking a
 * search can be served by ({@link Arm}): a fusion, the popularity prior alone, or a stored search ranker
 * version; {@code learned} is pinned to the active version when the experiment starts, so a ranker
 * activated later does not change what the experiment compares. Stopping keeps the row and everything
 * logged under it. Refusals ({@link IllegalArgumentException}) name the value and what is allowed.
 */
public final class Experiments {

    private static final Logger LOG = LoggerFactory.getLogger(Experiments.class);

    /** How the two arms share the traffic. */
    public enum Kind {
        /** Team-draft interleaving: every answer merges both arms' rankings. */
        INTERLEAVE,
        /** Buckets: each user sees one arm's ranking, chosen by a hash of the user id. */
        AB;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind parse(String s) {
            return switch (s == null ? "" : s.trim().toLowerCase(Locale.ROOT)) {
                case "interleave" -> INTERLEAVE;
                case "ab" -> AB;
                default -> throw new IllegalArgumentException("experiment kind must be interleave or ab, got '" + s
                        + "'");
            };
        }
    }

    /** The weights of the {@code popularity} arm: the popularity prior alone, {@code mm(log(1+n))}. */
    public static final Weights POPULARITY = new Weights(0, 1, 0);

    /**
     * One arm: how its searches are asked for. {@code spec} is its stored name: {@code weighted},
     * {@code linear}, {@code rrf}, {@code bm25} (those fusions with their shipped weights),
     * {@code popularity} (weighted fusion with α = 0, π = 1: the candidates by rating count),
     * {@code random} (the retrieval's candidates shuffled, seeded by the request id: a control that any
     * ranker worth keeping beats, so an experiment that cannot tell it from one is not measuring), or
     * {@code learned:V} (search ranker version V, active or not).
     */
    public record Arm(String spec, Fusion fusion, Weights weights, long rankerVersion) {

        /** Whether this arm is the shuffled control. */
        public boolean random() {
            return spec.equals("random");
        }

        /** A stored spec, as {@link #start} wrote it. */
        public static Arm of(String spec) {
            String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
            if (s.equals("popularity")) return new Arm(s, Fusion.WEIGHTED, POPULARITY, 0);
            if (s.equals("random")) return new Arm(s, Fusion.BM25, PersonalizedSearch.defaultWeights(Fusion.BM25), 0);
            if (s.startsWith("learned:")) {
                long v;
                try {
                    v = Long.parseLong(s.substring(8));
                } catch (NumberFormatException e) {
                    v = -1;
                }
                if (v < 1) {
                    throw new IllegalArgumentException("arm '" + spec + "': learned:VERSION needs a ranker version "
                            + "number >= 1 (reelrank model list)");
                }
                return new Arm("learned:" + v, Fusion.LEARNED, PersonalizedSearch.defaultWeights(Fusion.LEARNED), v);
            }
            Fusion f = switch (s) {
                case "weighted" -> Fusion.WEIGHTED;
                case "linear" -> Fusion.LINEAR;
                case "rrf" -> Fusion.RRF;
                case "bm25" -> Fusion.BM25;
                default -> throw new IllegalArgumentException("arm must be weighted, linear, rrf, bm25, popularity, "
                        + "random, learned (the active search ranker) or learned:VERSION, got '" + spec + "'");
            };
            return new Arm(s, f, PersonalizedSearch.defaultWeights(f), 0);
        }

        /**
         * An arm as a user names it, checked against the database: {@code learned} becomes
         * {@code learned:V} of the active search ranker; {@code learned:V} must be a stored search ranker.
         */
        public static Arm resolve(Connection c, String spec) throws SQLException {
            String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
            if (s.equals("learned")) {
                RankerStore.Active a = RankerStore.active(c, RankerStore.SEARCH);
                if (a == null) {
                    throw new IllegalArgumentException("arm 'learned': no search ranker is active (reelrank train, "
                            + "or reelrank model activate VERSION)");
                }
                return of("learned:" + a.version().version());
            }
            Arm arm = of(s);
            if (arm.rankerVersion() > 0) {
                RankerStore.Version v = RankerStore.version(c, arm.rankerVersion());
                if (v == null) {
                    throw new IllegalArgumentException("arm '" + spec + "': no ranker version " + arm.rankerVersion()
                            + " is stored (reelrank model list)");
                }
                if (!RankerStore.SEARCH.equals(v.task())) {
                    throw new IllegalArgumentException("arm '" + spec + "': ranker version " + arm.rankerVersion()
                            + " ranks " + v.task() + ", not search");
                }
            }
            return arm;
        }

        /** The request {@code r} as this arm asks it: its fusion and weights, everything else kept. */
        public PersonalizedSearch.Request request(PersonalizedSearch.Request r) {
            return new PersonalizedSearch.Request(r.query(), r.user(), r.limit(), r.candidates(), weights, fusion,
                    r.filters(), r.retrieval(), r.explain());
        }

        @Override
        public String toString() {
            return spec;
        }
    }

    /** One row of {@code experiments}; {@code stoppedAt} null while it runs. */
    public record Experiment(int id, String name, Kind kind, Arm a, Arm b, Instant startedAt, Instant stoppedAt) {
        public boolean running() {
            return stoppedAt == null;
        }
    }

    private Experiments() {}

    /**
     * Starts an experiment between arms {@code a} and {@code b} ({@link Arm#resolve}); {@code name} null
     * or blank names it "A vs B". Refused while another runs (stop it first).
     */
    public static Experiment start(Database db, String a, String b, Kind kind, String name) throws SQLException {
        if (kind == null) throw new IllegalArgumentException("experiment kind must be interleave or ab, got none");
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try {
                Arm armA = Arm.resolve(c, a);
                Arm armB = Arm.resolve(c, b);
                if (armA.spec().equals(armB.spec())) {
                    throw new IllegalArgumentException("arms A and B must differ, both are '" + armA.spec() + "'");
                }
                String n = name == null || name.isBlank() ? armA.spec() + " vs " + armB.spec() : name.trim();
                if (n.length() > 200) {
                    throw new IllegalArgumentException("experiment name must be at most 200 characters, got "
                            + n.length());
                }
                try (Statement st = c.createStatement()) {
                    // one starter at a time, so the check below and the insert see the same table
                    st.execute("LOCK TABLE experiments IN SHARE ROW EXCLUSIVE MODE");
                }
                Experiment running = running(c);
                if (running != null) {
                    throw new IllegalArgumentException("experiment " + running.id() + " ('" + running.name()
                            + "') is running: stop it first (reelrank experiment stop " + running.id() + ")");
                }
                int id;
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO experiments (name, kind, arm_a, arm_b) "
                        + "VALUES (?, ?, ?, ?) RETURNING experiment_id")) {
                    ps.setString(1, n);
                    ps.setString(2, kind.key());
                    ps.setString(3, armA.spec());
                    ps.setString(4, armB.spec());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        id = rs.getInt(1);
                    }
                }
                try (Statement st = c.createStatement()) {
                    Changes.experimentChanged(st, id);
                }
                c.commit();
                return get(c, id);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Stops experiment {@code id} (null: the running one); its row and everything logged under it stay.
     * Refused for an unknown id, one already stopped, or (id null) when none runs.
     */
    public static Experiment stop(Database db, Integer id) throws SQLException {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try {
                Experiment x = id == null ? running(c) : get(c, id);
                if (x == null) {
                    throw new IllegalArgumentException(id == null ? "no experiment is running (reelrank experiment "
                            + "list)" : unknown(id));
                }
                if (!x.running()) {
                    throw new IllegalArgumentException("experiment " + x.id() + " was stopped already, at "
                            + x.stoppedAt());
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE experiments SET status = 'stopped', "
                        + "stopped_at = now() WHERE experiment_id = ? AND status = 'running'");
                     Statement st = c.createStatement()) {
                    ps.setInt(1, x.id());
                    ps.executeUpdate();
                    Changes.experimentChanged(st, x.id());
                }
                c.commit();
                return get(c, x.id());
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    static String unknown(int id) {
        return "no experiment " + id + " (reelrank experiment list)";
    }

    /** Every experiment, newest first. */
    public static List<Experiment> list(Connection c) throws SQLException {
        return read(c, "ORDER BY experiment_id DESC", null);
    }

    /** Experiment {@code id}, or null. */
    public static Experiment get(Connection c, int id) throws SQLException {
        List<Experiment> x = read(c, "WHERE experiment_id = ?", id);
        return x.isEmpty() ? null : x.get(0);
    }

    /** The running experiment, or null. */
    public static Experiment running(Connection c) throws SQLException {
        List<Experiment> x = read(c, "WHERE status = 'running'", null);
        return x.isEmpty() ? null : x.get(0);
    }

    /** The running one when {@code id} is null, else that one; refused when there is none. */
    public static Experiment find(Connection c, Integer id) throws SQLException {
        if (id != null) {
            Experiment x = get(c, id);
            if (x == null) throw new IllegalArgumentException(unknown(id));
            return x;
        }
        Experiment x = running(c);
        if (x != null) return x;
        List<Experiment> all = list(c);
        if (all.isEmpty()) throw new IllegalArgumentException("no experiment yet (reelrank experiment start)");
        return all.get(0); // the newest, stopped
    }

    private static List<Experiment> read(Connection c, String where, Integer id) throws SQLException {
        List<Experiment> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT experiment_id, name, kind, arm_a, arm_b, started_at, "
                + "stopped_at FROM experiments " + where)) {
            if (id != null) ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp stopped = rs.getTimestamp(7);
                    out.add(new Experiment(rs.getInt(1), rs.getString(2), Kind.parse(rs.getString(3)),
                            Arm.of(rs.getString(4)), Arm.of(rs.getString(5)), rs.getTimestamp(6).toInstant(),
                            stopped == null ? null : stopped.toInstant()));
                }
            }
        }
        return out;
    }

    /**
     * A server's view of the running experiment, kept current by {@link Changes#EXPERIMENTS}: read when
     * made, on every notification and on every (re)connection of its listener (a start or stop missed
     * while disconnected is caught up). The caller closes it.
     */
    public static final class Follower implements AutoCloseable {

        private final Database db;
        private volatile Experiment running;
        private final Changes.Listener listener;

        public Follower(Database db) {
            this.db = db;
            try {
                reload();
            } catch (SQLException e) {
                LOG.warn("cannot read the running experiment yet ({}); read again when the listener connects",
                        e.getMessage());
            }
            this.listener = new Changes.Listener(db, List.of(Changes.EXPERIMENTS), (channel, payload) -> {
                try {
                    reload();
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot read the running experiment: " + e.getMessage(), e);
                }
            });
        }

        private void reload() throws SQLException {
            try (Connection c = db.connect()) {
                running = Experiments.running(c);
            }
        }

        /** The running experiment, or null. */
        public Experiment running() {
            return running;
        }

        /** Waits until every start and stop committed before the call is followed here. */
        public void awaitSeen(long timeoutMs) throws SQLException, InterruptedException {
            listener.awaitSeen(timeoutMs);
        }

        @Override
        public void close() {
            listener.close();
        }
    }
}
