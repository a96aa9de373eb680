package io.reelrank.feedback;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Graded judgments from clicks, corrected for position bias by inverse propensity weighting (Joachims,
 * Swaminathan &amp; Schnabel, "Unbiased Learning-to-Rank with Biased Feedback", WSDM 2017, §4): a click
 * at position r counts {@code 1 / max(p_r, τ)}, p_r the examination propensity a click model gives
 * that position ({@link Examination}), τ a floor that bounds the weight (clipping, which trades a
 * little bias for less variance; ibid. §4 and Strehl et al., NIPS 2010). Per (context, movie):
 * impressions n, clicks c, the weighted clicks {@code w = Σ_clicks 1/max(p_r, τ)} and the grade
 * {@code w / n}, which under the position-based model estimates the movie's attractiveness α as if
 * every impression had been on top ({@code E[c/p_r] = α}), so movies shown low are no longer judged
 * worse for it. The caller gives the training the grade as the label and, for pairwise or listwise
 * losses on clicks, w as the weight.
 */
public final class ClickJudgments {

    /** τ by default: no click weighs more than 20 clicks on top. */
    public static final double DEFAULT_MIN_PROPENSITY = 0.05;

    private ClickJudgments() {}

    /** One (context, movie)'s judgment. */
    public record Judgment(String context, int movie, long impressions, long clicks, double weightedClicks) {

        /** {@code weightedClicks / impressions}: the debiased click rate. */
        public double grade() {
            return impressions == 0 ? 0 : weightedClicks / impressions;
        }

        /** {@code clicks / impressions}: the raw click rate, position bias and all. */
        public double clickRate() {
            return impressions == 0 ? 0 : (double) clicks / impressions;
        }
    }

    /**
     * The judgments of every (context, movie) shown in {@code sessions}, ordered by context, then grade
     * (highest first), then movie id.
     */
    public static List<Judgment> of(List<Session> sessions, Examination examination, double minPropensity) {
        if (!(minPropensity > 0 && minPropensity <= 1)) {
            throw new IllegalArgumentException("the propensity floor must be in (0, 1], got " + minPropensity);
        }
        record Key(String context, int movie) {}
        Map<Key, double[]> acc = new LinkedHashMap<>();
        for (Session s : sessions) {
            for (int r = 1; r <= s.size(); r++) {
                double[] x = acc.computeIfAbsent(new Key(s.context(), s.shown()[r - 1]), k -> new double[3]);
                x[0]++;
                if (s.clicked()[r - 1]) {
                    double p = examination.propensity(s, r);
                    if (!(p >= 0)) throw new IllegalArgumentException("propensity at position " + r + " is " + p);
                    x[1]++;
                    x[2] += 1 / Math.max(p, minPropensity);
                }
            }
        }
        List<Judgment> out = new ArrayList<>();
        acc.forEach((k, v) -> out.add(new Judgment(k.context(), k.movie(), (long) v[0], (long) v[1], v[2])));
        out.sort(Comparator.comparing(Judgment::context).thenComparing(Comparator.comparingDouble(Judgment::grade)
                .reversed()).thenComparingInt(Judgment::movie));
        return out;
    }
}
