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

    static String explain(Fusion fusion, Weights w, Reranker.Ranked x, double maxBm25, int candidates, boolean content,
                          boolean collaborative) {
        double[] t = x.terms();
        Candidate c = x.candidate();
        return switch (fusion) {
            case LEARNED -> throw new IllegalArgumentException("a learned score is explained by its reasons");
            case WEIGHTED -> weighted(w, x, t, content, collaborative);
            case LINEAR -> {
                String cos = x.hasVector() && !Double.isNaN(x.similarity())
                        ? String.format(Locale.ROOT, "%.4f", x.similarity()) : "0 (no vector)";
                yield String.format(Locale.ROOT,
                        "(1-%.2f)·bm25/max_bm25 + %.2f·(cos+1)/2 = %.2f·%.4f/%.4f + %.2f·(%s+1)/2 = %.4f", w.alpha(),
                        w.alpha(), 1 - w.alpha(), c.bm25(), maxBm25, w.alpha(), cos, x.score());
            }
            case RRF -> {
                StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "1/(60+%d)", c.bm25Rank()));
                sb.append(Double.isNaN(t[2]) ? " (no content rank)"
                        : String.format(Locale.ROOT, " + 1/(60+%d)", (int) t[2]));
                sb.append(Double.isNaN(t[3]) ? " (no collaborative rank)" : String.format(Locale.ROOT, " + 1/(60+%d)",
                        (int) t[3]));
                yield sb.append(String.format(Locale.ROOT, " = %.6f over %d candidates (ranks: bm25, cos, u·v)",
                        x.score(), candidates)).toString();
            }
        };
    }

    private static String weighted(Weights w, Reranker.Ranked x, double[] t, boolean content, boolean collaborative) {
        double a = w.alpha();
        double p = w.popularity();
        double g = w.collaborative();
        String base = "(1-π)·mm(bm25) + π·mm(log(1+n))";
        String baseN = String.format(Locale.ROOT, "%.2f·%.3f + %.2f·%.3f", 1 - p, t[0], p, t[1]);
        String formula;
        String numbers;
        if (!content && !collaborative) {
            formula = base + " (no vector for this user: BM25 and the popularity prior)";
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
        StringBuilder raw = new StringBuilder(String.format(Locale.ROOT, "bm25 %.3f, n %d", x.candidate().bm25(),
                x.candidate().ratingCount()));
        if (x.rated() && (content || collaborative)) {
            raw.append(String.format(Locale.ROOT,
                    ", you rated it: own rating (r-0.5)/4.5 = %.3f in place of mm(log(1+n))%s",
                    t[1], content ? " and mm(cos)" : ""));
        }
        if (content) raw.append(Double.isNaN(x.similarity()) ? ", cos none (neutral 0.5)"
                : String.format(Locale.ROOT, ", cos %.3f", x.similarity()));
        if (collaborative) raw.append(x.rated() ? ", u·v not used for a movie you rated (neutral 0.5)"
                : Double.isNaN(x.collaborative()) ? ", u·v none (neutral 0.5)"
                : String.format(Locale.ROOT, ", u·v %.3f", x.collaborative()));
        return String.format(Locale.ROOT, "%s = %s = %.4f; %s; α=%.2f π=%.2f γ=%.2f, mm = min-max over the candidates",
                formula, numbers, x.score(), raw, a, p, g);
    }
}
