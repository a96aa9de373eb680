package io.reelrank.index;

/**
 * A BM25 candidate for re-ranking: the movie, its BM25 score and its 1-based rank (score descending,
 * ties by movie_id ascending).
 */
public record Candidate(int movieId, float bm25, int rank) {}
