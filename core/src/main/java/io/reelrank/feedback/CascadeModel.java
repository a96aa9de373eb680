package io.reelrank.feedback;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cascade click model (Craswell, Zoeter, Taylor &amp; Ramsey, WSDM 2008; Chuklin, Markov &amp; de
 * Rijke, "Click Models for Web Search", 2015, §3.4 and §4.1): the user reads the list from the top,
 * clicks the first attractive result and stops; a result is examined iff every result above it was
 * not clicked, {@code P(E_r = 1) = Π_{i<r} (1 − α_{q,d_i})}. Its maximum-likelihood fit has a closed
 * form (ibid. §4.1): {@code α_{qd} = clicks / examinations}, counting in each session the positions
 * down to the first click (all of them when there is none); a later click, which the model cannot
 * produce, is ignored, as ibid. does. Deterministic.
 */
public final class CascadeModel implements Examination {

    private record Key(String context, int movie) {}

    private record Count(long clicks, long examined) {}

    private final Map<Key, Count> counts;

    private CascadeModel(Map<Key, Count> counts) {
        this.counts = counts;
    }

    /** Fits α for every (context, movie) the sessions examined. */
    public static CascadeModel fit(List<Session> sessions) {
        if (sessions.isEmpty()) throw new IllegalArgumentException("the click model needs sessions, got none");
        Map<Key, long[]> c = new HashMap<>();
        for (Session s : sessions) {
            int first = s.firstClick();
            int last = first == 0 ? s.size() : first;
            for (int r = 1; r <= last; r++) {
                long[] x = c.computeIfAbsent(new Key(s.context(), s.shown()[r - 1]), k -> new long[2]);
                x[1]++;
                if (r == first) x[0]++;
            }
        }
        Map<Key, Count> out = new HashMap<>();
        c.forEach((k, v) -> out.put(k, new Count(v[0], v[1])));
        return new CascadeModel(out);
    }

    /** α of {@code movie} in {@code context}: clicks / examinations; NaN when it was never examined. */
    public double attractiveness(String context, int movie) {
        Count n = counts.get(new Key(context, movie));
        return n == null ? Double.NaN : (double) n.clicks() / n.examined();
    }

    /** How often {@code movie} was examined in {@code context} (the denominator of its α). */
    public long examinations(String context, int movie) {
        Count n = counts.get(new Key(context, movie));
        return n == null ? 0 : n.examined();
    }

    /**
     * {@code Π_{i<r} (1 − α_{q,d_i})} over the movies above position r in this session (a movie never
     * examined counts as α = 0: nothing says it stops the user).
     */
    @Override
    public double propensity(Session session, int position) {
        if (position < 1 || position > session.size()) {
            throw new IllegalArgumentException("position must be in 1-" + session.size() + ", got " + position);
        }
        double p = 1;
        for (int i = 0; i < position - 1; i++) {
            double a = attractiveness(session.context(), session.shown()[i]);
            if (!Double.isNaN(a)) p *= 1 - a;
        }
        return p;
    }

    /** The mean of {@link #propensity(Session, int)} at each position over the sessions, top first. */
    public double[] meanPropensities(List<Session> sessions) {
        int depth = 0;
        for (Session s : sessions) depth = Math.max(depth, s.size());
        double[] sum = new double[depth];
        long[] n = new long[depth];
        for (Session s : sessions) {
            double p = 1;
            for (int r = 0; r < s.size(); r++) {
                sum[r] += p;
                n[r]++;
                double a = attractiveness(s.context(), s.shown()[r]);
                if (!Double.isNaN(a)) p *= 1 - a;
            }
        }
        for (int r = 0; r < depth; r++) sum[r] /= n[r];
        return sum;
    }
}
