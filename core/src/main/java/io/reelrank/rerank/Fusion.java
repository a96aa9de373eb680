package io.reelrank.rerank;

import java.util.Locale;

/**
 * How the signals of a BM25 candidate combine into one score over the candidates.
 * <ul>
 *   <li>{@code WEIGHTED} (default): four terms, each min-max normalized within the candidates so no
 *       term's scale decides by accident ({@code mm(x) = (x − min)/(max − min)}):
 *       {@code score = (1−α)·((1−π)·mm(bm25) + π·mm(log(1+n))) + α·((1−γ)·mm(cos) + γ·mm(u·v))},
 *       n the movie's rating count (the popularity prior), cos the content towers' cosine, u·v the
 *       collaborative towers' inner product. A user without a collaborative vector uses the content
 *       term alone in the personal part, one without any vector gets BM25 plus the prior.
 *       See {@link Weights}.</li>
 *   <li>{@code LINEAR}: {@code score = (1−α)·bm25/max_bm25 + α·(cos+1)/2}, the content tower only.</li>
 *   <li>{@code RRF}: reciprocal rank fusion (Cormack, Clarke, Büttcher, SIGIR 2009),
 *       {@code score = 1/(60 + rank_bm25) + 1/(60 + rank_cos) [+ 1/(60 + rank_cf)]}, ranks 1-based
 *       within the candidates; parameter-free.</li>
 *   <li>{@code BM25}: no re-ranking: the plain BM25 order (auto retrieval means BM25 here), or the
 *       order of a named semantic or hybrid retrieval ({@link Retrieval}), ties by movie_id.</li>
 *   <li>{@code LEARNED}: the active learned ranker (LambdaMART over the features of
 *       {@code io.reelrank.rank.Feature}, trained by {@code reelrank train}); without one, weighted
 *       fusion, and the response says so.</li>
 * </ul>
 */
public enum Fusion {
    WEIGHTED, LINEAR, RRF, BM25, LEARNED;

    /** The RRF constant k = 60 of the original paper. */
    public static final int RRF_K = 60;

    public static Fusion parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "fusion must be weighted, linear, rrf, bm25 or learned, got '" + s + "'");
        }
    }

    public String formula() {
        return switch (this) {
            case WEIGHTED -> "(1-α)·((1-π)·mm(bm25) + π·mm(log(1+n))) + α·((1-γ)·mm(cos) + γ·mm(u·v))";
            case LINEAR -> "(1-α)·bm25/max_bm25 + α·(cos+1)/2";
            case RRF -> "1/(60+rank_bm25) + 1/(60+rank_cos) + 1/(60+rank_cf)";
            case BM25 -> "the retrieval's order";
            case LEARNED -> "LambdaMART trees over the ranking features (reelrank train)";
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
