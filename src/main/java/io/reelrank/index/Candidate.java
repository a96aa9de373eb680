package io.reelrank.index;

/**
 * A BM25 candidate for re-ranking: the movie, its BM25 score, its 1-based rank (score descending,
 * ties by movie_id ascending) and its {@code rating_count} as the index holds it (the re-ranker's
 * popularity prior; the index follows the table on every rebuild or {@code MovieIndex.update}).
 */
public record Candidate(int movieId, float bm25, int rank, int ratingCount) {}
