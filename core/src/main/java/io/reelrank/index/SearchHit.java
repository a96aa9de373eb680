package io.reelrank.index;

import java.util.List;

/**
 * One result: its 1-based rank in the requested order, the movie's stored fields, and its BM25 score
 * for the query, as Lucene's {@code BM25Similarity} computes it (Robertson and Zaragoza, "The
 * Probabilistic Relevance Framework: BM25 and Beyond", 2009; Lucene drops the constant (k1+1)):
 * {@code bm25 = Σ_t boost · log(1 + (N − n + 0.5)/(n + 0.5)) · freq / (freq + k1·(1 − b + b·dl/avgdl))},
 * k1 = 1.2, b = 0.75, summed over the matching clauses; filters and numeric conditions add 0.
 */
public record SearchHit(int rank, int movieId, String title, Integer year, List<String> genres, float bm25,
        Double avgRating, int ratingCount, String imdbId, Integer tmdbId) {}
