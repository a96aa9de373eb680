package io.reelrank.rerank;

import io.reelrank.index.Candidate;
import java.util.Locale;

/**
 * The explanation string of one re-ranked result: the fusion's formula as it applied to this user
 * (a term the user has no vector for is left out), then the same formula with the numbers, then the
 * raw values the normalized terms came from, so a reader can redo the arithmetic.
 */
final class Explanations {

    private Explanations() {}

    /**
     * What the candidate's retrieval score is ({@code score}: bm25, rrf or cos_q, the name the formula
     * uses), its value with how it came about ({@code raw}), and whether the search has no user.
     */
    record Retrieved(String score, String raw, boolean anonymous) {

        /** For a candidate of this retrieval kind and settings. */
        static Retrieved of(Retrieval used, Retriever.Found f, RetrievalSettings s, boolean anonymous) {
            return switch (used) {
                case SEMANTIC -> new Retrieved("cos_q",
                        String.format(Locale.ROOT, "cos_q %.3f (the query's cosine, semantic #%d)",
                        f.cosine(), f.semanticRank()), anonymous);
                case HYBRID -> new Retrieved("rrf", rrf(f, s), anonymous);
                default -> new Retrieved("bm25", String.format(Locale.ROOT, "bm25 %.3f", f.bm25()), anonymous);
            };
        }

        /** {@code rrf 0.0312 = 1/(60+3) + 1.00/(60+12) (bm25 #3 2.101, semantic #12 cos_q 0.412)}. */
        private static String rrf(Retriever.Found f, RetrievalSettings s) {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "rrf %.4f = ", f.score()));
            if (f.bm25Rank() > 0) sb.append(String.format(Locale.ROOT, "1/(%d+%d)", s.rrfK(), f.bm25Rank()));
            if (f.semanticRank() > 0) {
                if (f.bm25Rank() > 0) sb.append(" + ");
                sb.append(String.format(Locale.ROOT, "%.2f/(%d+%d)", s.semanticWeight(), s.rrfK(), f.semanticRank()));
            }
            sb.append(" (");
            sb.append(f.bm25Rank() > 0 ? String.format(Locale.ROOT, "bm25 #%d %.3f", f.bm25Rank(), f.bm25())
                    : "not found by BM25");
            sb.append(f.semanticRank() > 0 ? String.format(Locale.ROOT, ", semantic #%d cos_q %.3f", f.semanticRank(),
                    f.cosine()) : ", not among the semantic top " + s.semanticDepth());
            return sb.append(')').toString();
        }
    }

    static String explain(Fusion fusion, Weights w, Reranker.Ranked x, double maxBm25, int candidates, boolean content,
                          boolean collaborative) {
        Candidate c = x.candidate();
        return explain(fusion, w, x, maxBm25, candidates, content, collaborative,
                new Retrieved("bm25", String.format(Locale.ROOT, "bm25 %.3f", c.bm25()), false), false);
    }

    /** {@code decisive}: the own rating also replaced u·v ({@link RatedMovies#decisive()}). */
    static String explain(Fusion fusion, Weights w, Reranker.Ranked x, double maxBm25, int candidates, boolean content,
                          boolean collaborative, Retrieved r, boolean decisive) {
        double[] t = x.terms();
        Candidate c = x.candidate();
        String score = r.score();
        return switch (fusion) {
            case LEARNED -> throw new IllegalArgumentException("a learned score is explained by its reasons");
            case WEIGHTED -> weighted(w, x, t, content, collaborative && !(decisive && x.rated()), collaborative, r);
            case LINEAR -> {
                String cos = x.hasVector() && !Double.isNaN(x.similarity())
                        ? String.format(Locale.ROOT, "%.4f", x.similarity()) : "0 (no vector)";
                yield String.format(Locale.ROOT,
                        "(1-%.2f)·%s/max_%s + %.2f·(cos+1)/2 = %.2f·%.4f/%.4f + %.2f·(%s+1)/2 = %.4f", w.alpha(), score,
                        score, w.alpha(), 1 - w.alpha(), c.bm25(), maxBm25, w.alpha(), cos, x.score());
            }
            case RRF -> {
                StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "1/(60+%d)", c.bm25Rank()));
                sb.append(Double.isNaN(t[2]) ? " (no content rank)"
                        : String.format(Locale.ROOT, " + 1/(60+%d)", (int) t[2]));
                sb.append(Double.isNaN(t[3]) ? " (no collaborative rank)" : String.format(Locale.ROOT, " + 1/(60+%d)",
                        (int) t[3]));
                yield sb.append(String.format(Locale.ROOT, " = %.6f over %d candidates (ranks: %s, cos, u·v)",
                        x.score(), candidates, "bm25".equals(score) ? "bm25" : "retrieval")).toString();
            }
            case BM25 -> r.raw() + " (the retrieval's order)";
        };
    }

    /** {@code cfPredicts}: u·v entered as a prediction (false for a rated movie whose rating decides). */
    private static String weighted(Weights w, Reranker.Ranked x, double[] t, boolean content, boolean cfPredicts,
                                   boolean collaborative, Retrieved r) {
        double a = w.alpha();
        double p = w.popularity();
        double g = w.collaborative();
        String base = "(1-π)·mm(" + r.score() + ") + π·mm(log(1+n))";
        String baseN = String.format(Locale.ROOT, "%.2f·%.3f + %.2f·%.3f", 1 - p, t[0], p, t[1]);
        String formula;
        String numbers;
        String first = "bm25".equals(r.score()) ? "BM25" : "the retrieval score";
        if (r.anonymous()) {
            formula = base + " (no user: " + first + " and the popularity prior)";
            numbers = baseN;
        } else if (!content && !collaborative) {
            formula = base + " (no vector for this user: " + first + " and the popularity prior)";
            numbers = baseN;
        } else if (content && collaborative) {
            formula = "(1-α)·(" + base + ") + α·((1-γ)·mm(cos) + γ·mm(u·v))";
            numbers = String.format(Locale.ROOT, "%.2f·(%s) + %.2f·(%.2f·%.3f + %.2f·%.3f)", 1 - a, baseN, a, 1 - g,
                    t[2], g, t[3]);
        } else {
            String term = content ? "cos" : "u·v";
            formula = "(1-α)·(" + base + ") + α·mm(" + term + ")"
                    + (content ? " (no collaborative vector for this user)" : " (no content vector for this user)");
            numbers = String.format(Locale.ROOT, "%.2f·(%s) + %.2f·%.3f", 1 - a, baseN, a, content ? t[2] : t[3]);
        }
        StringBuilder raw = new StringBuilder(String.format(Locale.ROOT, "%s, n %d", r.raw(),
                x.candidate().ratingCount()));
        if (x.rated() && (content || collaborative)) {
            boolean cf = collaborative && !cfPredicts;
            String replaced = content && cf ? ", mm(cos) and mm(u·v)"
                    : content ? " and mm(cos)" : cf ? " and mm(u·v)" : "";
            raw.append(String.format(Locale.ROOT,
                    ", you rated it: own rating (r-0.5)/4.5 = %.3f in place of mm(log(1+n))%s", t[1], replaced));
        }
        if (content) raw.append(Double.isNaN(x.similarity()) ? ", cos none (neutral 0.5)"
                : String.format(Locale.ROOT, ", cos %.3f", x.similarity()));
        if (collaborative) raw.append(x.rated()
                ? ", u·v not used for a movie you rated" + (cfPredicts ? " (neutral 0.5)" : "")
                : Double.isNaN(x.collaborative()) ? ", u·v none (neutral 0.5)"
                : String.format(Locale.ROOT, ", u·v %.3f", x.collaborative()));
        if (r.anonymous()) {
            return String.format(Locale.ROOT, "%s = %s = %.4f; %s; π=%.2f, mm = min-max over the candidates", formula,
                    numbers, x.score(), raw, p);
        }
        return String.format(Locale.ROOT, "%s = %s = %.4f; %s; α=%.2f π=%.2f γ=%.2f, mm = min-max over the candidates",
                formula, numbers, x.score(), raw, a, p, g);
    }
}
