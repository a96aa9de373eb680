package io.reelrank.index;

/**
 * A BM25 candidate for re-ranking: the movie, its BM25 score, its 1-based BM25 rank (score descending,
 * ties by movie_id ascending) and its {@code rating_count} as the index holds it (the re-ranker's
 * popularity prior's n; the index follows the table on every rebuild or {@code MovieIndex.update}).
 */
public record Candidate(int movieId, float bm25, int bm25Rank, int ratingCount) {

    /** A candidate without a rating count (no popularity prior). */
    public Candidate(int movieId, float bm25, int bm25Rank) {
        this(movieId, bm25, bm25Rank, 0);
    }
}
