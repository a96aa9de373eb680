package io.reelrank.rerank;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Re-ranks BM25 candidates for one user: each candidate's cosine between the user vector and its
 * item vector, fused with its BM25 score by {@link Fusion}. Pure and allocation-light, so it runs
 * in-process on every search; the caller supplies candidates in BM25 order and the user's unit
 * vector (null for a cold user, who gets the BM25 order back). A candidate without an item vector
 * keeps its BM25 contribution, gets a neutral similarity (cos = 0, i.e. 0.5 in the linear term, no
 * similarity rank in RRF) and is flagged. Ties are broken by movie_id, as everywhere in reelrank.
 */
public final class Reranker {

    /** Default weight of the similarity term in linear fusion: the best α of {@code reelrank eval}'s sweep (README "Evaluation"). */
    public static final double DEFAULT_ALPHA = 0.80;

    private Reranker() {}

    /** One BM25 candidate: its movie, score and 1-based BM25 rank. */
    public record Candidate(int movieId, double bm25, int bm25Rank) {}

    /**
     * A re-ranked result. {@code similarity} is NaN when the movie has no vector
     * ({@code hasVector = false}) or the user is cold.
     */
    public record Ranked(int rank, Candidate candidate, double similarity, boolean hasVector, double score) {
        public int movement() {
            return candidate.bm25Rank() - rank;
        }
    }

    public static List<Ranked> rerank(List<Candidate> candidates, float[] user, ItemVectors items, Fusion fusion,
                                      double alpha) {
        checkAlpha(alpha);
        int n = candidates.size();
        if (user == null) {
            double[] score = new double[n];
            boolean[] has = new boolean[n];
            double[] sim = new double[n];
            for (int i = 0; i < n; i++) {
                score[i] = candidates.get(i).bm25();
                has[i] = items.has(candidates.get(i).movieId());
                sim[i] = Double.NaN;
            }
            return order(candidates, sim, has, score);
        }
        double[] sim = new double[n];
        for (int i = 0; i < n; i++) {
            sim[i] = items.cosine(candidates.get(i).movieId(), user); // NaN when the movie has no vector
        }
        return fuse(candidates, sim, fusion, alpha);
    }

    /**
     * The fusion of {@link #rerank} for a user whose cosines are already known: {@code similarity[i]}
     * is {@code cos(user, candidate i)}, NaN for a candidate without a vector. {@code reelrank eval}
     * calls this with cosines computed once per (user, query), so that a sweep over α judges this very
     * code without recomputing them for every α.
     */
    public static List<Ranked> fuse(List<Candidate> candidates, double[] similarity, Fusion fusion, double alpha) {
        checkAlpha(alpha);
        int n = candidates.size();
        if (similarity.length != n) {
            throw new IllegalArgumentException("similarity must be parallel to the candidates, got " + similarity.length
                    + " values for " + n + " candidates");
        }
        double[] sim = similarity;
        boolean[] has = new boolean[n];
        double maxBm25 = 0;
        for (int i = 0; i < n; i++) {
            maxBm25 = Math.max(maxBm25, candidates.get(i).bm25());
            has[i] = !Double.isNaN(sim[i]);
        }
        double[] score = new double[n];
        if (fusion == Fusion.LINEAR) {
            for (int i = 0; i < n; i++) {
                double b = maxBm25 > 0 ? candidates.get(i).bm25() / maxBm25 : 0;
                double s = Double.isNaN(sim[i]) ? 0 : sim[i];
                score[i] = (1 - alpha) * b + alpha * (s + 1) / 2; // (1−α)·bm25/max_bm25 + α·(cos+1)/2
            }
        } else {
            Integer[] bySim = new Integer[n];
            for (int i = 0; i < n; i++) bySim[i] = i;
            Arrays.sort(bySim, Comparator.<Integer>comparingDouble(i -> Double.isNaN(sim[i]) ? Double.POSITIVE_INFINITY : -sim[i])
                    .thenComparingInt(i -> candidates.get(i).movieId()));
            for (int r = 0; r < n; r++) {
                int i = bySim[r];
                score[i] = 1.0 / (Fusion.RRF_K + candidates.get(i).bm25Rank()); // 1/(60 + rank_bm25)
                if (!Double.isNaN(sim[i])) score[i] += 1.0 / (Fusion.RRF_K + r + 1); // + 1/(60 + rank_cos)
            }
        }
        return order(candidates, sim, has, score);
    }

    private static void checkAlpha(double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("alpha must be in 0-1, got " + alpha);
    }

    private static List<Ranked> order(List<Candidate> candidates, double[] sim, boolean[] has, double[] score) {
        int n = candidates.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -score[i])
                .thenComparingInt(i -> candidates.get(i).movieId()));
        List<Ranked> out = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            int i = order[r];
            out.add(new Ranked(r + 1, candidates.get(i), sim[i], has[i], score[i]));
        }
        return out;
    }
}
