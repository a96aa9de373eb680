package io.reelrank.rerank;

import java.util.Locale;

/**
 * The weights of {@link Fusion#WEIGHTED} (and α of {@link Fusion#LINEAR}), each in [0, 1]:
 * α the personal part's share of the score, π the popularity prior's share of the non-personal
 * part, γ the collaborative score's share of the personal part. α = 0 is the non-personalized
 * baseline BM25 + popularity; π = 0 and γ = 0 give the content tower alone. The defaults are the
 * choice of {@code reelrank eval} on its validation split (docs/evaluation.md, "Choosing the fusion and its weights").
 */
public record Weights(double alpha, double popularity, double collaborative) {

    /**
     * Chosen on the validation split by {@code reelrank eval --fusion weighted,linear,rrf --alpha 0.4:0.9:0.1
     * --popularity 0.5,0.6,0.7,0.8 --collaborative 0.3,0.5,0.7}: of the settings whose liked NDCG@10 is no
     * lower than the tuned BM25 + popularity baseline's, the one that sinks disliked movies furthest
     * (docs/evaluation.md, "Choosing the fusion and its weights").
     */
    public static final Weights DEFAULT = new Weights(0.60, 0.50, 0.50);
    /** {@link #DEFAULT}'s α as text, for option descriptions (annotation values must be constants). */
    public static final String DEFAULT_ALPHA_TEXT = "0.60";

    public Weights {
        check("alpha", alpha);
        check("popularity", popularity);
        check("collaborative", collaborative);
    }

    public Weights withAlpha(double a) {
        return new Weights(a, popularity, collaborative);
    }

    private static void check(String name, double v) {
        if (!(v >= 0 && v <= 1)) throw new IllegalArgumentException(name + " must be in 0-1, got " + v);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "α=%.2f π=%.2f γ=%.2f", alpha, popularity, collaborative);
    }
}
