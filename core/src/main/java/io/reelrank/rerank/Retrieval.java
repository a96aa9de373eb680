package io.reelrank.rerank;

import java.util.Locale;

/**
 * Where a search's candidates come from, before any re-ranking.
 * <ul>
 *   <li>{@code BM25}: the Lucene index's BM25 top-K, the query as Lucene's syntax says.</li>
 *   <li>{@code SEMANTIC}: the K movies whose content vectors are nearest to the query's, embedded by
 *       the same sentence model (cosine); for plain words only.</li>
 *   <li>{@code HYBRID}: both lists, fused by reciprocal rank fusion
 *       ({@code Σ_branch weight/(k + rank)}, Cormack, Clarke and Büttcher, SIGIR 2009, as ParadeDB's
 *       hybrid search writes it); a query with syntax (a field, a phrase, an operator…) keeps BM25
 *       alone, so explicit syntax keeps its meaning.</li>
 *   <li>{@code AUTO} (default): hybrid for a plain query no title holds every word of (a description,
 *       not a title: {@code space adventure robots}), BM25 otherwise ({@code star wars},
 *       {@code genres:Animation}); chosen by measurement (docs/search-quality.md).</li>
 * </ul>
 */
public enum Retrieval {
    BM25, SEMANTIC, HYBRID, AUTO;

    public static Retrieval parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("retrieval must be bm25, semantic, hybrid or auto, got '" + s + "'");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
