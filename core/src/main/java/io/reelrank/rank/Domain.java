package io.reelrank.rank;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * The users a learned ranker can speak for: the range of the user's shrunk mean rating b_u
 * ({@code user_mean}) over the users of the judgments it was fitted on. A ranker of trees splits on
 * the values it saw and cannot extrapolate past them, and much of what it learned is in the user's
 * centred ratings (r − b_u), which are all zero for a user who gives every film the same stars. Such a
 * user lies outside the range (the Fantasy Lover, 50 films all 5.0, has b_u = 4.86; the Hater, all
 * 1.0, 1.23; MovieLens users span 1.72 to 4.70): the ranker would give them the scores of the nearest
 * users it knows, whose ratings carry contrast theirs do not. They are served by the weighted
 * fusion, whose content term follows their vector however far it points, and the response says why
 * ({@link #outside}). Stored with the ranker's parameters ({@code domain} in {@code rankers.params});
 * a ranker stored without one covers every user.
 */
public record Domain(double minUserMean, double maxUserMean) {

    /** Covers every user (a ranker stored without a domain). */
    public static final Domain ALL = new Domain(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);

    /** The range over every row of the judgments. */
    public static Domain of(Judgments j) {
        float[] x = j.x();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < j.rows(); r++) {
            float m = x[r * FeatureSet.WIDTH + Feature.USER_MEAN.ordinal()];
            if (!Float.isNaN(m)) {
                lo = Math.min(lo, m);
                hi = Math.max(hi, m);
            }
        }
        return lo > hi ? ALL : new Domain(lo, hi);
    }

    /**
     * Why the user of a (user, query)'s features is outside, or null when inside (or when there are no
     * rows). Reads the first row's {@code user_mean}, the value the ranker would see.
     */
    public String outside(float[] x) {
        if (x.length < FeatureSet.WIDTH) return null;
        return outside(x[Feature.USER_MEAN.ordinal()]);
    }

    /** The profile's {@link #outside(float[])} reason, or null: the value its features would hold. */
    public String outside(UserProfile p) {
        return outside((float) p.mean());
    }

    private String outside(float mean) {
        if (mean > maxUserMean) {
            return String.format(Locale.ROOT, "a mean rating of %.2f, above every user it learned from (%.2f)", mean,
                    maxUserMean);
        }
        if (mean < minUserMean) {
            return String.format(Locale.ROOT, "a mean rating of %.2f, below every user it learned from (%.2f)", mean,
                    minUserMean);
        }
        return null;
    }

    /** As stored in a ranker's parameters. */
    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.putArray("user_mean").add(minUserMean).add(maxUserMean);
        return n;
    }

    /** The domain in a ranker's parameters ({@code params.domain}); {@link #ALL} when there is none. */
    public static Domain fromParams(JsonNode params) {
        JsonNode d = params == null ? null : params.get("domain");
        if (d == null || !d.has("user_mean")) return ALL;
        return new Domain(d.get("user_mean").get(0).asDouble(), d.get("user_mean").get(1).asDouble());
    }
}
