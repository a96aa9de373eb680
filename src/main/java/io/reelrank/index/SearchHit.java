package io.reelrank.index;

import java.util.List;

/**
 * One result: its 1-based rank in the requested order, the movie's stored fields, and its BM25 score
 * for the query (Lucene {@code BM25Similarity}, k1=1.2, b=0.75; filters add nothing to it).
 */
public record SearchHit(int rank, int movieId, String title, Integer year, List<String> genres, float bm25,
        Double avgRating, int ratingCount, String imdbId, Integer tmdbId) {}
