package io.reelrank.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reelrank.db.Database;
import io.reelrank.eval.SearchRankerTraining;
import io.reelrank.feedback.ClickJudgments;
import io.reelrank.feedback.PositionBasedModel;
import io.reelrank.feedback.Session;
import io.reelrank.index.Candidate;
import io.reelrank.model.ModelStore;
import io.reelrank.rank.Domain;
import io.reelrank.rank.Feature;
import io.reelrank.rank.FeatureSet;
import io.reelrank.rank.Judgments;
import io.reelrank.rank.LearnedRanking;
import io.reelrank.rank.Ranker;
import io.reelrank.rank.RankerStore;
import io.reelrank.rank.RankerTrainer;
import io.reelrank.rerank.PersonalizedSearch;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Judgments from clicks for the search ranker (docs/feedback.md, "Training from clicks"): the logged
 * search sessions ({@code request_log} rows joined with their impression and click {@code events} by
 * request id), the position-based click model fitted on them per query ({@link PositionBasedModel}),
 * and per (user, query) one group of judgments: every movie the user was shown for the query, with the
 * {@link FeatureSet} row the ranker was served (its latest showing; never recomputed) and its
 * inverse-propensity-weighted click rate ({@link ClickJudgments}; the raw click rate with
 * {@code debias} off): the label itself with a linear NDCG gain when clicks alone train
 * ({@link #train}), as levels 0-{@link #LEVELS} beside the ratings' graded labels ({@link #both}).
 * Only sessions whose answer logged the ranking features can teach the ranker (a learned ranking's
 * answers; a formula fusion logs only its own inputs), and only sessions whose
 * impression was posted count as seen. A seeded quarter of the users is held out: the judgments of the
 * other three quarters train, the held-out ones measure every ranker by NDCG@10 with the debiased click
 * rate as the gain ({@link #compare}). The caller trains and stores the ranker.
 */
public final class ClickTraining {

    /** Label levels of a judgment: {@code round(LEVELS · min(1, grade))}, 0 to 4. */
    public static final int LEVELS = 4;
    /** Fewer clicks than this in the sessions that can teach the ranker: nothing worth training on. */
    public static final int MIN_CLICKS = 30;
    /** The cut-off of the held-out measure. */
    public static final int K = 10;

    /**
     * {@code debias}: IPW grades (else raw click rates); {@code minPropensity} τ in (0, 1];
     * {@code since}: only sessions served at or after it (null: all); {@code seed}: which users are held out.
     */
    public record Options(boolean debias, double minPropensity, Instant since, long seed) {
        public Options {
            if (!(minPropensity > 0 && minPropensity <= 1)) {
                throw new IllegalArgumentException("the propensity floor must be in (0, 1], got " + minPropensity);
            }
        }
    }

    /**
     * One logged session that can teach the ranker: the answer's user and query, the movies seen
     * (positions 1..n), which were clicked, and the served rows ({@link FeatureSet} layout, a feature the
     * answer did not log is NaN).
     */
    public record Logged(String requestId, int user, String query, int[] shown, boolean[] clicked, float[] rows) {}

    /**
     * The log as read: the usable sessions, every logged search with a user, those without a posted
     * impression, those whose answer logged no ranking features (a formula fusion's), and the clicks.
     */
    public record Log(List<Logged> sessions, long searches, long withoutImpression, long withoutFeatures,
                      long clicks) {}

    /** One held-out group: its rows in the order they were served (mean position), their movies and gains. */
    public record Held(int user, int[] movies, float[] rows, float[] gains) {}

    /**
     * What {@link #prepare} built: the log, the click model, the training judgments (the three fitting
     * quarters of the users; labelled by levels), the same rows' click rates (IPW or raw, one per row,
     * the labels of {@link #train}), the held-out groups and the number of (user, query, movie)
     * judgments.
     */
    public record Prepared(Log log, PositionBasedModel model, Judgments fit, float[] rates, List<Held> held,
                           int judgments, long fitClicks) {}

    /** A ranker's NDCG@10 on the held-out groups. */
    public record Figure(String name, double ndcg) {}

    private ClickTraining() {}

    /**
     * Reads the logged search sessions served at or after {@code since} (null: all), oldest first.
     */
    public static Log load(Connection c, Instant since) throws SQLException {
        String sql = "SELECT r.request_id::text, r.user_id, r.query, r.movie_ids, r.feature_names, r.features, "
                + "(SELECT max(cardinality(e.movie_ids)) FROM events e WHERE e.request_id = r.request_id "
                + "AND e.type = 'impression'), "
                + "ARRAY(SELECT DISTINCT e.position FROM events e WHERE e.request_id = r.request_id "
                + "AND e.type = 'click' AND e.position IS NOT NULL) "
                + "FROM request_log r WHERE r.kind = 'search' AND r.user_id IS NOT NULL AND r.query IS NOT NULL"
                + (since == null ? "" : " AND r.served_at >= ?") + " ORDER BY r.served_at, r.request_id";
        List<Logged> out = new ArrayList<>();
        long searches = 0, noImpression = 0, noFeatures = 0, clicks = 0;
        Map<String, int[]> layouts = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (since != null) ps.setTimestamp(1, Timestamp.from(since));
            ps.setFetchSize(2_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    searches++;
                    int seen = rs.getInt(7);
                    if (rs.wasNull()) {
                        noImpression++;
                        continue;
                    }
                    Array names = rs.getArray(5);
                    int[] layout = names == null ? null : layouts.computeIfAbsent(
                            String.join(",", (String[]) names.getArray()), k -> layout(k.split(",")));
                    if (layout == null) {
                        noFeatures++;
                        continue;
                    }
                    Integer[] ids = (Integer[]) rs.getArray(4).getArray();
                    Float[] values = (Float[]) rs.getArray(6).getArray();
                    int n = Math.min(seen, ids.length);
                    int[] shown = new int[n];
                    float[] rows = new float[n * FeatureSet.WIDTH];
                    Arrays.fill(rows, Float.NaN);
                    for (int i = 0; i < n; i++) {
                        shown[i] = ids[i];
                        for (int f = 0; f < layout.length; f++) {
                            if (layout[f] >= 0) rows[i * FeatureSet.WIDTH + layout[f]] = values[i * layout.length + f];
                        }
                    }
                    boolean[] clicked = new boolean[n];
                    for (Object p : (Object[]) rs.getArray(8).getArray()) {
                        int pos = ((Number) p).intValue();
                        if (pos >= 1 && pos <= n) {
                            clicked[pos - 1] = true;
                            clicks++;
                        }
                    }
                    out.add(new Logged(rs.getString(1), rs.getInt(2), rs.getString(3), shown, clicked, rows));
                }
            }
        }
        return new Log(out, searches, noImpression, noFeatures, clicks);
    }

    /**
     * Each logged name's {@link FeatureSet} column (-1: not a ranking feature); null when the answer
     * logged none of the ranking features beyond BM25's (a formula fusion's inputs).
     */
    static int[] layout(String[] names) {
        int[] out = new int[names.length];
        int known = 0;
        for (int i = 0; i < names.length; i++) {
            try {
                out[i] = Feature.of(names[i]).ordinal();
                if (out[i] != Feature.BM25.ordinal() && out[i] != Feature.BM25_RANK.ordinal()) known++;
            } catch (IllegalArgumentException e) {
                out[i] = -1;
            }
        }
        return known == 0 ? null : out;
    }

    /**
     * Loads the sessions, fits the click model (its propensities go to {@code detail}) and builds the
     * judgments. Throws {@link IllegalStateException} saying what is missing and how to get it when
     * there are no usable sessions or too few clicks.
     */
    public static Prepared prepare(Database db, Options o, Consumer<String> detail) throws SQLException {
        Log log;
        try (Connection c = db.connect()) {
            log = load(c, o.since());
        }
        String window = o.since() == null ? "" : " since " + o.since();
        detail.accept(String.format(Locale.ROOT, "logged searches with a user%s: %,d; %,d without a posted impression, "
                + "%,d served by a formula fusion (no ranking features logged); %,d sessions with %,d clicks",
                window, log.searches(), log.withoutImpression(), log.withoutFeatures(), log.sessions().size(),
                log.clicks()));
        if (log.sessions().isEmpty()) {
            throw new IllegalStateException("no logged search sessions to learn from" + window + " (" + log.searches()
                    + " searches with a user logged, " + log.withoutImpression() + " without a posted impression, "
                    + log.withoutFeatures() + " served without the ranking features): serve the learned ranker "
                    + "(reelrank train, then reelrank serve) and let users search, see and click through "
                    + "POST /api/events, or play an audience with reelrank simulate --url ... --data-dir ...");
        }
        if (log.clicks() < MIN_CLICKS) {
            throw new IllegalStateException("too few clicks to learn from" + window + ": " + log.clicks() + " in "
                    + log.sessions().size() + " sessions, at least " + MIN_CLICKS + " needed: collect more sessions "
                    + "(reelrank simulate --sessions N, or real use) and train again");
        }
        List<Session> byQuery = new ArrayList<>(log.sessions().size());
        for (Logged s : log.sessions()) byQuery.add(new Session(s.query(), s.shown(), s.clicked()));
        PositionBasedModel pbm = PositionBasedModel.fit(byQuery);
        double[] p = pbm.propensities();
        long[] imp = pbm.impressions();
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "position-based click model fitted per query on %,d sessions (%d rounds of EM), propensity "
                + "γ_r/γ_1 (impressions):", byQuery.size(), pbm.rounds()));
        for (int r = 0; r < p.length; r++) {
            b.append(String.format(Locale.ROOT, " %d: %.3f (%,d)", r + 1, p[r], imp[r]));
        }
        detail.accept(b.toString());
        detail.accept(String.format(Locale.ROOT, "  identified by the %.1f%% of impressions whose (query, movie) was "
                + "shown at more than one position", 100 * identifying(byQuery)));
        // judgments per (user, query): the user's own clicks, weighted by the propensities fitted per query
        List<Session> byContext = new ArrayList<>(log.sessions().size());
        for (Logged s : log.sessions()) byContext.add(new Session(context(s), s.shown(), s.clicked()));
        List<ClickJudgments.Judgment> js = ClickJudgments.of(byContext, pbm, o.minPropensity());
        Map<String, Group> groups = groups(log.sessions(), js);
        Judgments.Builder fit = new Judgments.Builder();
        float[] rates = new float[1 << 12];
        int rated = 0;
        List<Held> held = new ArrayList<>();
        long fitClicks = 0;
        for (Group g : groups.values()) {
            int n = g.movies.size();
            float[] rows = new float[n * FeatureSet.WIDTH];
            float[] labels = new float[n];
            float[] gains = new float[n];
            int[] movies = new int[n];
            int i = 0;
            boolean clicked = false;
            for (Row r : g.sorted()) {
                System.arraycopy(r.features, 0, rows, i * FeatureSet.WIDTH, FeatureSet.WIDTH);
                gains[i] = (float) Math.min(1, r.judgment.grade());
                labels[i] = label(o.debias() ? r.judgment.grade() : r.judgment.clickRate());
                movies[i] = r.movie;
                clicked |= r.judgment.clicks() > 0;
                i++;
            }
            if (heldOut(o.seed(), g.user)) {
                held.add(new Held(g.user, movies, rows, gains));
            } else if (clicked && n > 1) { // a group without a click (or of one movie) teaches no order
                fit.group(g.user, rows, labels);
                while (rates.length < rated + n) rates = Arrays.copyOf(rates, rates.length * 2);
                for (Row r : g.sorted()) {
                    rates[rated++] = (float) (o.debias() ? r.judgment.grade() : r.judgment.clickRate());
                }
                for (Row r : g.rows.values()) fitClicks += r.judgment.clicks();
            }
        }
        Judgments j = fit.build();
        detail.accept(String.format(Locale.ROOT, "judgments (%s, τ = %s): %,d (user, query, movie) from %,d (user, "
                + "query) groups; training on %,d groups with a click (%,d rows, %,d clicks), %,d groups of a held-out "
                + "quarter of the users to measure", o.debias() ? "inverse-propensity-weighted click rates"
                : "raw click rates, not debiased", num(o.minPropensity()), js.size(), groups.size(), j.groups(),
                j.rows(), fitClicks, held.size()));
        if (j.groups() == 0) {
            throw new IllegalStateException("no (user, query) with a click and two movies shown among the training "
                    + "users: collect more sessions (reelrank simulate --sessions N, or real use) and train again");
        }
        return new Prepared(log, pbm, j, Arrays.copyOf(rates, rated), held, js.size(), fitClicks);
    }

    /** What {@link #train} or {@link #both} stored: the version and every ranker's held-out figure. */
    public record Outcome(long version, List<Figure> figures, int measured, double seconds) {}

    /**
     * Trains the search ranker on the click judgments alone ({@link SearchRankerTraining#FEATURES},
     * {@code params}) with the click rates as labels and a linear gain (an IPW-weighted click's weight
     * is its gain: the IPW estimate of a linear DCG is unbiased, Agarwal et al. 2019; levels capped at
     * 1 would give a click at position 10 the label of a click on top), measures it on the held-out
     * groups beside the served order and the active search ranker, and stores it as the active search
     * ranker version in one transaction.
     */
    public static Outcome train(Database db, Options o, Prepared p, RankerTrainer.Params params, int threads,
                                Consumer<String> detail) throws SQLException {
        long t0 = System.nanoTime();
        Ranker ranker = RankerTrainer.train(p.fit().withLabels(p.rates()), SearchRankerTraining.FEATURES, params,
                threads, false);
        detail.accept(String.format(Locale.ROOT, "fitted %s on %,d groups (%.1f s)", params, p.fit().groups(),
                seconds(t0)));
        long version;
        List<Figure> figures;
        try (Connection c = db.connectDirect()) {
            c.setAutoCommit(false);
            try {
                RankerStore.Active before = RankerStore.active(c, RankerStore.SEARCH);
                Map<String, Ranker> rankers = new LinkedHashMap<>();
                if (before != null) rankers.put("active ranker version " + before.version().version(), before.ranker());
                rankers.put("trained on clicks", ranker);
                figures = compare(p.held(), rankers);
                ModelStore.Version model = ModelStore.active(c);
                ObjectNode ps = params(o, params);
                ps.set("domain", Domain.of(p.fit()).toJson());
                version = RankerStore.store(c, RankerStore.SEARCH, ranker, ps, model == null ? null : model.version(),
                        p.fit().groups(), seconds(t0), validation(o, p, figures));
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return new Outcome(version, figures, measured(p.held()), seconds(t0));
    }

    /**
     * Trains the search ranker on the rating judgments and the click judgments together: the ratings'
     * training stage ({@link Training#rankerOnly}, its grid chosen on the ratings' validation) with the
     * click groups added to every fit; then measures the new version and the one active before on the
     * held-out click groups. Only the search ranker is trained.
     */
    public static Outcome both(Database db, Options o, Prepared p, Training.Options t, Training.Listener l)
            throws SQLException {
        long t0 = System.nanoTime();
        RankerStore.Active before;
        try (Connection c = db.connect()) {
            before = RankerStore.active(c, RankerStore.SEARCH);
        }
        RankerTraining.Outcome r = Training.rankerOnly(db, t.withRanker(t.ranker().withClicks(p.fit())), l);
        List<Figure> figures;
        try (Connection c = db.connectDirect()) {
            RankerStore.Active now = RankerStore.load(c, r.version());
            Map<String, Ranker> rankers = new LinkedHashMap<>();
            if (before != null) rankers.put("active ranker version " + before.version().version(), before.ranker());
            rankers.put("trained on ratings and clicks", now.ranker());
            figures = compare(p.held(), rankers);
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("UPDATE ranker_versions SET validation = "
                    + "validation || ?::jsonb, params = params || ?::jsonb WHERE version = ?")) {
                ObjectNode v = JSON.createObjectNode();
                v.set("clicks", validation(o, p, figures));
                ObjectNode clicks = JSON.createObjectNode();
                clicks.set("clicks", params(o, null));
                ps.setString(1, v.toString());
                ps.setString(2, clicks.toString());
                ps.setLong(3, r.version());
                ps.executeUpdate();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return new Outcome(r.version(), figures, measured(p.held()), seconds(t0));
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The click judgments' settings as stored in {@code ranker_versions.params} (with the trees' when given). */
    static ObjectNode params(Options o, RankerTrainer.Params p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("judgments", "clicks");
        n.put("labels", p != null ? "click rate, linear gain" : "levels round(" + LEVELS + "·min(1, rate))");
        n.put("click_model", "position-based, fitted per query");
        n.put("debiased", o.debias());
        n.put("min_propensity", o.minPropensity());
        n.put("clicks_since", o.since() == null ? null : o.since().toString());
        if (p != null) {
            n.put("objective", p.objective());
            n.put("trees", p.trees());
            n.put("depth", p.depth());
            n.put("eta", p.eta());
            n.put("min_child_weight", p.minChildWeight());
            n.put("seed", p.seed());
            n.put("rated_policy", PersonalizedSearch.ORDER.rated().name().toLowerCase(Locale.ROOT));
            n.put("content_weight", PersonalizedSearch.ORDER.contentWeight());
        }
        return n;
    }

    static ObjectNode validation(Options o, Prepared p, List<Figure> figures) {
        ObjectNode n = JSON.createObjectNode();
        n.put("metric", "NDCG@" + K + " on the held-out quarter of the users' (user, query) click groups, gain: the "
                + "movie's inverse-propensity-weighted click rate (at most 1)");
        n.put("sessions", p.log().sessions().size());
        n.put("clicks", p.log().clicks());
        n.put("measured_groups", measured(p.held()));
        ArrayNode prop = n.putArray("propensities");
        for (double x : p.model().propensities()) prop.add(x);
        ObjectNode f = n.putObject("ndcg");
        for (Figure x : figures) f.put(x.name(), x.ndcg());
        return n;
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The share of impressions whose (context, movie) was shown at more than one position. */
    static double identifying(List<Session> sessions) {
        Map<String, Integer> first = new HashMap<>();
        Map<String, Boolean> several = new HashMap<>();
        long total = 0;
        for (Session s : sessions) {
            for (int r = 0; r < s.size(); r++) {
                String k = s.context() + '\u0000' + s.shown()[r];
                Integer f = first.putIfAbsent(k, r);
                if (f != null && f != r) several.put(k, true);
                total++;
            }
        }
        long yes = 0;
        for (Session s : sessions) {
            for (int r = 0; r < s.size(); r++) if (several.containsKey(s.context() + '\u0000' + s.shown()[r])) yes++;
        }
        return total == 0 ? 0 : (double) yes / total;
    }

    /** A grade (an estimate of the click probability on top) as a label level, 0 to {@link #LEVELS}. */
    static float label(double grade) {
        return Math.round(LEVELS * Math.min(1, Math.max(0, grade)));
    }

    /** Whether a user is in the held-out quarter (a seeded hash of the user id). */
    static boolean heldOut(long seed, int user) {
        long h = (seed ^ 0x2545F4914F6CDD1DL) + user * 0x9E3779B97F4A7C15L;
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 29;
        return Math.floorMod(h, 4) == 0;
    }

    private static String context(Logged s) {
        return s.user() + "\t" + s.query();
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static final class Row {
        final int movie;
        float[] features;
        double positions;
        int shown;
        ClickJudgments.Judgment judgment;

        Row(int movie) {
            this.movie = movie;
        }
    }

    private static final class Group {
        final int user;
        final Map<Integer, Row> rows = new LinkedHashMap<>();
        final List<Integer> movies = new ArrayList<>();

        Group(int user) {
            this.user = user;
        }

        /** The rows by mean served position, then movie id. */
        List<Row> sorted() {
            List<Row> out = new ArrayList<>(rows.values());
            out.sort((a, b) -> {
                int c = Double.compare(a.positions / a.shown, b.positions / b.shown);
                return c != 0 ? c : Integer.compare(a.movie, b.movie);
            });
            return out;
        }
    }

    /** Per (user, query): each movie shown, its latest served row, its mean position and its judgment. */
    private static Map<String, Group> groups(List<Logged> sessions, List<ClickJudgments.Judgment> js) {
        Map<String, Group> out = new LinkedHashMap<>();
        for (Logged s : sessions) { // oldest first: a later showing's row replaces an earlier one
            Group g = out.computeIfAbsent(context(s), k -> new Group(s.user()));
            for (int i = 0; i < s.shown().length; i++) {
                Row r = g.rows.get(s.shown()[i]);
                if (r == null) {
                    r = new Row(s.shown()[i]);
                    g.rows.put(r.movie, r);
                    g.movies.add(r.movie);
                }
                r.features = Arrays.copyOfRange(s.rows(), i * FeatureSet.WIDTH, (i + 1) * FeatureSet.WIDTH);
                r.positions += i + 1;
                r.shown++;
            }
        }
        for (ClickJudgments.Judgment j : js) out.get(j.context()).rows.get(j.movie()).judgment = j;
        return out;
    }

    /**
     * Each ranker's NDCG@{@link #K} on the held-out groups, the gain of a movie its debiased click rate
     * (at most 1), the ideal the best order of the group's movies: first the order they were served in
     * ("served"), then each ranker in the map's order, its scores ordered as a search orders them
     * ({@link PersonalizedSearch#ORDER}). Groups without a click are left out (every order scores 0).
     */
    public static List<Figure> compare(List<Held> held, Map<String, Ranker> rankers) {
        List<Figure> out = new ArrayList<>();
        double served = 0;
        double[] sums = new double[rankers.size()];
        int n = 0;
        for (Held h : held) {
            double ideal = ideal(h.gains());
            if (ideal == 0) continue;
            n++;
            int[] identity = new int[h.movies().length];
            for (int i = 0; i < identity.length; i++) identity[i] = i;
            served += dcg(identity, h.gains()) / ideal;
            List<Candidate> cands = new ArrayList<>(h.movies().length);
            for (int m : h.movies()) cands.add(new Candidate(m, 0, 0));
            int k = 0;
            for (Ranker r : rankers.values()) {
                double[] s = r.score(h.rows(), h.movies().length);
                int[] order = LearnedRanking.order(cands, h.rows(), s, PersonalizedSearch.ORDER);
                sums[k++] += dcg(order, h.gains()) / ideal;
            }
        }
        out.add(new Figure("served", n == 0 ? Double.NaN : served / n));
        int k = 0;
        for (String name : rankers.keySet()) out.add(new Figure(name, n == 0 ? Double.NaN : sums[k++] / n));
        return out;
    }

    /** How many held-out groups {@link #compare} measures (those with a click). */
    public static int measured(List<Held> held) {
        int n = 0;
        for (Held h : held) if (ideal(h.gains()) > 0) n++;
        return n;
    }

    private static double dcg(int[] order, float[] gains) {
        double d = 0;
        for (int i = 0; i < Math.min(K, order.length); i++) d += gains[order[i]] / (Math.log(i + 2) / Math.log(2));
        return d;
    }

    private static double ideal(float[] gains) {
        float[] g = gains.clone();
        Arrays.sort(g);
        double d = 0;
        for (int i = 0; i < Math.min(K, g.length); i++) d += g[g.length - 1 - i] / (Math.log(i + 2) / Math.log(2));
        return d;
    }
}
