package io.reelrank.rerank;

import io.reelrank.index.Candidate;
import io.reelrank.model.FactorModel;
import io.reelrank.model.ItemVectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Re-ranks BM25 candidates for one user by {@link Fusion}: BM25, the popularity prior, the content
 * towers' cosine and the collaborative towers' inner product. Pure and allocation-light, so it runs
 * in-process on every search; the caller supplies the candidates in BM25 order (with their rating
 * counts), the user's content unit vector and collaborative vector (either may be null: the user
 * has none), the movies the user has rated, and the item sides of both towers. A candidate without
 * a content (or collaborative) vector gets the neutral middle of that term (0.5 after min-max;
 * cos = 0 in linear fusion; no rank in RRF) and is flagged.
 *
 * <p>Movies the user has rated ({@link RatedMovies}). The popularity prior and the content cosine
 * estimate how much the user would care for a movie; for a movie they rated, weighted fusion puts
 * their own rating in both places instead, {@code own = (r − 0.5)/4.5} on the terms' [0, 1] scale,
 * so a movie rated 5.0 tops both terms and one rated 1.0 sinks in both, however popular. The
 * collaborative term is a prediction for movies the user has not rated: for a rated one, u·v is
 * the training fit of that very rating, not a prediction, so it gets the neutral value; for a user
 * whose ratings decide ({@link RatedMovies#decisive()}: one outside the learned ranker's domain, whose
 * ratings carry no contrast) the own rating takes that place too. The choices were measured on
 * validation data (docs/evaluation.md). Ties are broken by movie_id, as everywhere in reelrank.
 */
public final class Reranker {

    /** Default weight of the similarity in linear fusion, chosen by {@code reelrank eval} (docs/evaluation.md). */
    public static final double DEFAULT_ALPHA = 0.80;

    private Reranker() {}

    /**
     * A re-ranked result. {@code similarity} (cos) is NaN when the movie has no content vector
     * ({@code hasVector = false}) or the user has none; {@code collaborative} (u·v) NaN when either
     * side has no collaborative vector. {@code terms} are the normalized values that entered the
     * score, {bm25, popularity, content, collaborative}, NaN for a term not used.
     */
    public record Ranked(int rank, Candidate candidate, double similarity, boolean hasVector, double collaborative,
                         boolean rated, double score, double[] terms) {
        public int movement() {
            return candidate.bm25Rank() - rank;
        }
    }

    /** Linear or RRF fusion with the content tower only (the fusions before the collaborative tower). */
    public static List<Ranked> rerank(List<Candidate> candidates, float[] user, ItemVectors items, Fusion fusion,
                                      double alpha) {
        return rerank(candidates, user, null, RatedMovies.NONE, items, null, fusion, new Weights(alpha, 0, 0));
    }

    /**
     * The fusion for a user with content vector {@code user} and collaborative vector {@code cf}
     * (each null when the user has none) who has rated the movies {@code rated}, against
     * {@code items} and {@code model} (null: no trained model).
     */
    public static List<Ranked> rerank(List<Candidate> candidates, float[] user, float[] cf, RatedMovies rated,
                                      ItemVectors items, FactorModel model, Fusion fusion, Weights w) {
        int n = candidates.size();
        double[] cos = null;
        if (user != null) {
            cos = new double[n];
            for (int i = 0; i < n; i++) cos[i] = items.cosine(candidates.get(i).movieId(), user); // NaN: no vector
        }
        double[] uv = null;
        if (cf != null && model != null) {
            uv = collaborative(candidates, cf, model, rated);
        }
        if (cos == null && uv == null && fusion != Fusion.WEIGHTED) {
            // Linear and RRF have no prior: a cold user gets the BM25 order.
            double[] none = new double[n];
            Arrays.fill(none, Double.NaN);
            boolean[] has = new boolean[n];
            double[] score = new double[n];
            for (int i = 0; i < n; i++) {
                score[i] = candidates.get(i).bm25();
                has[i] = items.has(candidates.get(i).movieId());
            }
            return order(candidates, none, has, none, new boolean[n], score, new double[n][]);
        }
        return fuse(candidates, cos, uv, fusion, w, items, rated);
    }

    /**
     * {@code u·v_i} for each candidate: NaN for a movie without a vector and for one the user rated
     * (see the class comment).
     */
    public static double[] collaborative(List<Candidate> candidates, float[] cf, FactorModel model, RatedMovies rated) {
        double[] uv = new double[candidates.size()];
        for (int i = 0; i < uv.length; i++) {
            int m = candidates.get(i).movieId();
            uv[i] = rated.has(m) ? Double.NaN : model.score(cf, m); // NaN: rated, or no vector
        }
        return uv;
    }

    /**
     * The fusion of {@link #rerank} for a user whose cosines are already known (linear and RRF):
     * {@code similarity[i]} is {@code cos(user, candidate i)}, NaN for a candidate without a vector.
     */
    public static List<Ranked> fuse(List<Candidate> candidates, double[] similarity, Fusion fusion, double alpha) {
        return fuse(candidates, similarity, null, fusion, new Weights(alpha, 0, 0), null, RatedMovies.NONE);
    }

    /**
     * The fusion of {@link #rerank} with the towers' values already known: {@code cos[i]} and
     * {@code uv[i]} for candidate i (NaN: that movie has no vector; the array null: the user has no
     * vector of that tower). {@code reelrank eval} calls this with values computed once per (user,
     * query), so that a sweep over the weights judges this very code.
     */
    public static List<Ranked> fuse(List<Candidate> candidates, double[] cos, double[] uv, Fusion fusion, Weights w) {
        return fuse(candidates, cos, uv, fusion, w, null, RatedMovies.NONE);
    }

    /** {@link #fuse(List, double[], double[], Fusion, Weights)} for a user who rated {@code rated}. */
    public static List<Ranked> fuse(List<Candidate> candidates, double[] cos, double[] uv, Fusion fusion, Weights w,
                                    RatedMovies rated) {
        return fuse(candidates, cos, uv, fusion, w, null, rated);
    }

    private static List<Ranked> fuse(List<Candidate> candidates, double[] cos, double[] uv, Fusion fusion, Weights w,
                                     ItemVectors items, RatedMovies rated) {
        int n = candidates.size();
        if (cos != null && cos.length != n || uv != null && uv.length != n) {
            throw new IllegalArgumentException("tower values must be parallel to the " + n + " candidates, got "
                    + (cos == null ? "-" : cos.length) + " and " + (uv == null ? "-" : uv.length));
        }
        double[] sim = cos != null ? cos : nan(n);
        double[] cf = uv != null ? uv : nan(n);
        boolean[] has = new boolean[n];
        for (int i = 0; i < n; i++) {
            has[i] = cos != null ? !Double.isNaN(cos[i]) : items != null && items.has(candidates.get(i).movieId());
        }
        double[] score = new double[n];
        double[][] terms = new double[n][];
        switch (fusion) {
            case LEARNED -> throw new IllegalArgumentException("learned fusion is scored by io.reelrank.rank.Ranker, "
                    + "not by a formula");
            case WEIGHTED -> weighted(candidates, cos, uv, w, rated, score, terms);
            case LINEAR -> {
                double maxBm25 = 0;
                for (Candidate c : candidates) maxBm25 = Math.max(maxBm25, c.bm25());
                for (int i = 0; i < n; i++) {
                    double b = maxBm25 > 0 ? candidates.get(i).bm25() / maxBm25 : 0;
                    double s = Double.isNaN(sim[i]) ? 0 : sim[i];
                    score[i] = (1 - w.alpha()) * b + w.alpha() * (s + 1) / 2; // (1−α)·bm25/max_bm25 + α·(cos+1)/2
                    terms[i] = new double[] {b, Double.NaN, (s + 1) / 2, Double.NaN};
                }
            }
            case BM25 -> {
                for (int i = 0; i < n; i++) {
                    score[i] = candidates.get(i).bm25(); // the retrieval's own score: its order, ties by movie_id
                    terms[i] = new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
                }
            }
            case RRF -> {
                int[] simRank = ranks(candidates, cos);
                int[] cfRank = ranks(candidates, uv);
                for (int i = 0; i < n; i++) {
                    score[i] = 1.0 / (Fusion.RRF_K + candidates.get(i).bm25Rank()); // 1/(60 + rank_bm25)
                    if (simRank[i] > 0) score[i] += 1.0 / (Fusion.RRF_K + simRank[i]); // + 1/(60 + rank_cos)
                    if (cfRank[i] > 0) score[i] += 1.0 / (Fusion.RRF_K + cfRank[i]); // + 1/(60 + rank_cf)
                    terms[i] = new double[] {candidates.get(i).bm25Rank(), Double.NaN,
                            simRank[i] > 0 ? simRank[i] : Double.NaN, cfRank[i] > 0 ? cfRank[i] : Double.NaN};
                }
            }
        }
        boolean[] isRated = new boolean[n];
        for (int i = 0; i < n; i++) isRated[i] = rated.has(candidates.get(i).movieId());
        return order(candidates, sim, has, cf, isRated, score, terms);
    }

    /**
     * {@code (1−α)·((1−π)·mm(bm25) + π·mm(log(1+n))) + α·((1−γ)·mm(cos) + γ·mm(u·v))}, with the own
     * rating {@code (r − 0.5)/4.5} in place of mm(log(1+n)) and mm(cos) for a rated movie (and of
     * mm(u·v) when the ratings are {@linkplain RatedMovies#decisive() decisive}).
     */
    private static void weighted(List<Candidate> candidates, double[] cos, double[] uv, Weights w, RatedMovies rated,
                                 double[] score, double[][] terms) {
        int n = candidates.size();
        double[] bm25 = new double[n];
        double[] pop = new double[n];
        for (int i = 0; i < n; i++) {
            bm25[i] = candidates.get(i).bm25();
            pop[i] = Math.log1p(candidates.get(i).ratingCount());
        }
        double[] b = minMax(bm25);
        double[] p = minMax(pop);
        double[] c = cos == null ? null : minMax(cos);
        double[] f = uv == null ? null : minMax(uv);
        double alpha = c == null && f == null ? 0 : w.alpha();
        double gamma = f == null ? 0 : c == null ? 1 : w.collaborative();
        if (alpha > 0) {
            for (int i = 0; i < n; i++) {
                double own = rated.own(candidates.get(i).movieId());
                if (Double.isNaN(own)) continue;
                p[i] = own;
                if (c != null) c[i] = own;
                if (f != null && rated.isDecisive()) f[i] = own;
            }
        }
        for (int i = 0; i < n; i++) {
            double base = (1 - w.popularity()) * b[i] + w.popularity() * p[i];
            double personal = (c == null ? 0 : (1 - gamma) * c[i]) + (f == null ? 0 : gamma * f[i]);
            score[i] = (1 - alpha) * base + alpha * personal;
            terms[i] = new double[] {b[i], p[i], c == null ? Double.NaN : c[i], f == null ? Double.NaN : f[i]};
        }
    }

    /**
     * {@code (x − min)/(max − min)} over the finite values; a NaN (no vector) becomes the neutral
     * 0.5, and every value 0 when all finite values are equal (the term then cannot reorder anything).
     */
    static double[] minMax(double[] x) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            if (Double.isNaN(v)) continue;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double[] out = new double[x.length];
        double range = max - min;
        for (int i = 0; i < x.length; i++) {
            out[i] = Double.isNaN(x[i]) ? 0.5 : range > 0 ? (x[i] - min) / range : 0;
        }
        return out;
    }

    /** 1-based ranks by value descending (ties by movie_id), 0 for NaN or a null array. */
    private static int[] ranks(List<Candidate> candidates, double[] v) {
        int n = candidates.size();
        int[] rank = new int[n];
        if (v == null) return rank;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, Comparator
                .<Integer>comparingDouble(i -> Double.isNaN(v[i]) ? Double.POSITIVE_INFINITY : -v[i])
                .thenComparingInt(i -> candidates.get(i).movieId()));
        for (int r = 0; r < n; r++) {
            if (!Double.isNaN(v[order[r]])) rank[order[r]] = r + 1;
        }
        return rank;
    }

    private static double[] nan(int n) {
        double[] a = new double[n];
        Arrays.fill(a, Double.NaN);
        return a;
    }

    private static List<Ranked> order(List<Candidate> candidates, double[] sim, boolean[] has, double[] cf,
                                      boolean[] rated, double[] score, double[][] terms) {
        int n = candidates.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -score[i])
                .thenComparingInt(i -> candidates.get(i).movieId()));
        List<Ranked> out = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            int i = order[r];
            out.add(new Ranked(r + 1, candidates.get(i), sim[i], has[i], cf[i], rated[i], score[i], terms[i]));
        }
        return out;
    }
}
