package io.reelrank.feedback;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The position-based click model (PBM; Chuklin, Markov &amp; de Rijke, "Click Models for Web Search",
 * 2015, §3.3 and §4.2): a result at position r is clicked when it is examined and attractive, two
 * independent events, {@code P(C = 1) = γ_r · α_{qd}}, γ_r the examination probability of position r
 * and α_{qd} the attractiveness of movie d in context q. Fitted by expectation-maximisation on the
 * logged sessions (ibid. §4.2), each round
 * {@code α_{qd} ← mean over d's impressions in q of [c + (1 − c)·α(1 − γ_r)/(1 − γ_r·α)]} and
 * {@code γ_r ← mean over impressions at r of [c + (1 − c)·γ_r(1 − α)/(1 − γ_r·α)]}, from γ = α = ½,
 * until no parameter moves more than {@link #TOLERANCE} or after the given rounds. Only the products
 * γ_r·α are identified by clicks, so the fit is reported with the top position's examination set to 1:
 * {@link #propensity} is γ_r / γ_1 (the propensities of Joachims, Swaminathan &amp; Schnabel, WSDM
 * 2017) and {@link #attractiveness} α·γ_1. The estimates are identified only when movies are seen at
 * several positions (rankings that vary between users or over time, or randomised). Deterministic: no
 * random draws, sessions read in the order given.
 */
public final class PositionBasedModel implements Examination {

    /** The fit stops when no γ or α moves more than this in a round. */
    public static final double TOLERANCE = 1e-7;
    /** Rounds of EM at most, by default. */
    public static final int DEFAULT_ROUNDS = 500;

    private final double[] gamma; // relative to the top: gamma[0] = 1
    private final Map<Key, Double> alpha;
    private final long[] impressions;
    private final int rounds;

    private record Key(String context, int movie) {}

    private PositionBasedModel(double[] gamma, Map<Key, Double> alpha, long[] impressions, int rounds) {
        this.gamma = gamma;
        this.alpha = alpha;
        this.impressions = impressions;
        this.rounds = rounds;
    }

    /** Fits the model on {@code sessions} with at most {@link #DEFAULT_ROUNDS} rounds. */
    public static PositionBasedModel fit(List<Session> sessions) {
        return fit(sessions, DEFAULT_ROUNDS);
    }

    /** Fits the model on {@code sessions} with at most {@code maxRounds} rounds of EM. */
    public static PositionBasedModel fit(List<Session> sessions, int maxRounds) {
        if (sessions.isEmpty()) throw new IllegalArgumentException("the click model needs sessions, got none");
        if (maxRounds < 1) throw new IllegalArgumentException("rounds must be at least 1, got " + maxRounds);
        int depth = 0;
        for (Session s : sessions) depth = Math.max(depth, s.size());
        if (depth == 0) throw new IllegalArgumentException("every session is empty: nothing was shown");
        // Each impression as (position, parameter index, click), flattened once.
        Map<Key, Integer> index = new HashMap<>();
        List<Key> keys = new ArrayList<>();
        int total = 0;
        for (Session s : sessions) total += s.size();
        int[] pos = new int[total];
        int[] doc = new int[total];
        boolean[] click = new boolean[total];
        long[] atPosition = new long[depth];
        int k = 0;
        for (Session s : sessions) {
            for (int r = 0; r < s.size(); r++) {
                Key key = new Key(s.context(), s.shown()[r]);
                Integer i = index.get(key);
                if (i == null) {
                    i = keys.size();
                    index.put(key, i);
                    keys.add(key);
                }
                pos[k] = r;
                doc[k] = i;
                click[k] = s.clicked()[r];
                atPosition[r]++;
                k++;
            }
        }
        double[] g = new double[depth];
        double[] a = new double[keys.size()];
        java.util.Arrays.fill(g, 0.5);
        java.util.Arrays.fill(a, 0.5);
        long[] perDoc = new long[a.length];
        for (int i = 0; i < total; i++) perDoc[doc[i]]++;
        int round = 0;
        double moved = Double.POSITIVE_INFINITY;
        while (round < maxRounds && moved > TOLERANCE) {
            double[] gs = new double[depth];
            double[] as = new double[a.length];
            for (int i = 0; i < total; i++) {
                double gr = g[pos[i]];
                double ad = a[doc[i]];
                if (click[i]) {
                    gs[pos[i]] += 1;
                    as[doc[i]] += 1;
                } else {
                    double none = 1 - gr * ad; // P(no click)
                    if (none > 0) {
                        gs[pos[i]] += gr * (1 - ad) / none;
                        as[doc[i]] += ad * (1 - gr) / none;
                    }
                }
            }
            moved = 0;
            for (int r = 0; r < depth; r++) {
                double v = atPosition[r] == 0 ? g[r] : gs[r] / atPosition[r];
                moved = Math.max(moved, Math.abs(v - g[r]));
                g[r] = v;
            }
            for (int d = 0; d < a.length; d++) {
                double v = as[d] / perDoc[d];
                moved = Math.max(moved, Math.abs(v - a[d]));
                a[d] = v;
            }
            round++;
        }
        double top = g[0];
        double[] relative = new double[depth];
        for (int r = 0; r < depth; r++) relative[r] = top > 0 ? g[r] / top : Double.NaN;
        Map<Key, Double> alpha = new HashMap<>();
        for (int d = 0; d < a.length; d++) alpha.put(keys.get(d), Math.min(1.0, a[d] * top));
        return new PositionBasedModel(relative, alpha, atPosition, round);
    }

    /** The deepest position seen in the sessions. */
    public int depth() {
        return gamma.length;
    }

    /** γ_r / γ_1: how likely position r (1-based) is examined, relative to the top. */
    public double propensity(int position) {
        if (position < 1 || position > gamma.length) {
            throw new IllegalArgumentException("position must be in 1-" + gamma.length + ", got " + position);
        }
        return gamma[position - 1];
    }

    /** Every position's {@link #propensity(int)}, top first. */
    public double[] propensities() {
        return gamma.clone();
    }

    @Override
    public double propensity(Session session, int position) {
        return propensity(position);
    }

    /** α·γ_1 of {@code movie} in {@code context}: its click probability when shown on top; NaN when never shown. */
    public double attractiveness(String context, int movie) {
        Double a = alpha.get(new Key(context, movie));
        return a == null ? Double.NaN : a;
    }

    /** How many impressions each position had, top first. */
    public long[] impressions() {
        return impressions.clone();
    }

    /** The rounds of EM the fit took. */
    public int rounds() {
        return rounds;
    }
}
