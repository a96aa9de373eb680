package io.reelrank.rerank;

import java.util.Locale;

/**
 * How BM25 and the two-tower similarity combine into one score over the BM25 candidates.
 * <ul>
 *   <li>{@code LINEAR}: {@code score = (1−α)·bm25/max_bm25 + α·(cos+1)/2}, both terms in [0,1].</li>
 *   <li>{@code RRF}: reciprocal rank fusion (Cormack, Clarke, Büttcher, SIGIR 2009),
 *       {@code score = 1/(60 + rank_bm25) + 1/(60 + rank_cos)}, ranks 1-based within the candidates.</li>
 * </ul>
 */
public enum Fusion {
    LINEAR, RRF;

    /** The RRF constant k = 60 of the original paper. */
    public static final int RRF_K = 60;

    public static Fusion parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fusion must be linear or rrf, got '" + s + "'");
        }
    }

    public String formula() {
        return this == LINEAR ? "(1-α)·bm25/max_bm25 + α·(cos+1)/2" : "1/(60+rank_bm25) + 1/(60+rank_cos)";
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
