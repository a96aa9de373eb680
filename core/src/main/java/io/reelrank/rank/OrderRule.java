package io.reelrank.rank;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a learned ranking turns the ranker's scores into an order: the {@link RatedPolicy} for movies
 * the user rated, and a content weight β added to every score as β · cos(u, e_i), the content
 * towers' cosine ({@link Feature#COS}; 0 where the user or the movie has no content vector).
 *
 * <p>Why the linear term: the ranker's trees learn from the users the judgments hold and cannot
 * extrapolate past them. A user whose ratings state one taste far more strongly than any of those
 * users (50 Fantasy films all 5.0, or all 1.0) gets a cosine far outside the values the trees split
 * on, and the trees treat it as an ordinary one; a linear term keeps growing with it, so a strongly
 * stated taste moves the ranking in proportion. β is the smallest value that keeps the acceptance
 * story (the Fantasy Lover's and Hater's {@code lord} and {@code king}, and the same users built for
 * other genres), and its cost on validation is measured beside it by {@code reelrank bench ltr} and
 * {@code reelrank train} (docs/learned-ranker.md).
 */
public record OrderRule(RatedPolicy rated, double contentWeight, double lovedWeight) {

    public OrderRule {
        if (rated == null) throw new IllegalArgumentException("a rated-movie policy is required");
        check("content", contentWeight);
        check("loved", lovedWeight);
    }

    private static void check(String name, double w) {
        if (!(w >= 0) || Double.isInfinite(w)) {
            throw new IllegalArgumentException("the " + name + " weight must be a finite number ≥ 0, got " + w);
        }
    }

    /** A rule without the linear terms. */
    public static OrderRule of(RatedPolicy rated) {
        return new OrderRule(rated, 0, 0);
    }

    /**
     * The score the order sorts by (within a tier): the ranker's plus β · cos plus, for a movie the user
     * rated {@link RatedPolicy#HIGH_STARS} or more, γ · (stars − 3)/2 (γ/2 at 4.0, γ at 5.0).
     */
    public double score(float[] x, int i, double rankerScore) {
        double s = rankerScore;
        if (contentWeight != 0) {
            float cos = x[i * FeatureSet.WIDTH + Feature.COS.ordinal()];
            if (!Float.isNaN(cos)) s += contentWeight * cos;
        }
        if (lovedWeight != 0) {
            float stars = x[i * FeatureSet.WIDTH + Feature.STARS.ordinal()];
            if (stars >= RatedPolicy.HIGH_STARS) s += lovedWeight * (stars - 3) / 2;
        }
        return s;
    }

    /** The tier of candidate i (1 above the unrated, 0 with them, −1 below). */
    public int tier(float[] x, int i) {
        return rated.tier(x[i * FeatureSet.WIDTH + Feature.STARS.ordinal()],
                x[i * FeatureSet.WIDTH + Feature.QUERY_GENRE.ordinal()] == 1f);
    }

    /**
     * The rules {@code bench ltr} and {@code train} measure on validation beside the shipped one: every
     * rated-movie policy alone, and {@code LOW} and {@code TITLE} with content weights 0.5 to 6.
     */
    public static List<OrderRule> study() {
        List<OrderRule> out = new ArrayList<>();
        for (RatedPolicy p : RatedPolicy.values()) out.add(of(p));
        for (double b : new double[] {0, 1, 2, 3}) {
            for (double g : new double[] {0, 0.5, 1, 2, 3}) {
                if (b > 0 || g > 0) out.add(new OrderRule(RatedPolicy.LOW, b, g));
            }
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(rated.name().toLowerCase(Locale.ROOT));
        if (contentWeight != 0) b.append(" + ").append(io.reelrank.model.Numbers.plain(contentWeight)).append("·cos");
        if (lovedWeight != 0) b.append(" + ").append(io.reelrank.model.Numbers.plain(lovedWeight)).append("·loved");
        return b.toString();
    }
}
