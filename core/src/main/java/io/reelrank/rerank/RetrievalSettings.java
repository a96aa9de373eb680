package io.reelrank.rerank;

import io.reelrank.index.TypoTolerance;
import java.util.Locale;

/**
 * How {@link Retriever} gathers a search's candidates: the {@link Retrieval} kind, the typo
 * tolerance of the BM25 query ({@link TypoTolerance}), and the semantic branch's settings: how many
 * nearest movies it contributes ({@code semanticDepth}), its weight in the reciprocal rank fusion
 * ({@code semanticWeight}, BM25's being 1), the fusion's rank constant {@code rrfK}, whether the
 * query vector is centered on the catalog mean like the movie vectors ({@code centerQuery}), and the
 * text the model sees ({@code template}, {@code %s} standing for the query's words). The defaults,
 * {@link #DEFAULT}, were chosen on the evaluation's validation split (docs/search-quality.md).
 */
public record RetrievalSettings(Retrieval retrieval, TypoTolerance typos, int semanticDepth, double semanticWeight,
                                int rrfK, boolean centerQuery, String template) {

    /** The most candidates the semantic branch may contribute. */
    public static final int MAX_SEMANTIC_DEPTH = 1000;

    /** The shipped settings (see the class comment). */
    public static final RetrievalSettings DEFAULT = new RetrievalSettings(Retrieval.AUTO, TypoTolerance.DEFAULT, 100, 1.0,
            Fusion.RRF_K, true, "%s");

    /** Today's search before this class: BM25 alone, every word as written. */
    public static final RetrievalSettings PLAIN_BM25 = DEFAULT.withRetrieval(Retrieval.BM25).withTypos(TypoTolerance.OFF);

    public RetrievalSettings {
        if (retrieval == null) throw new IllegalArgumentException("retrieval must be bm25, semantic, hybrid or auto, got null");
        if (typos == null) typos = TypoTolerance.OFF;
        if (semanticDepth < 1 || semanticDepth > MAX_SEMANTIC_DEPTH) {
            throw new IllegalArgumentException("semantic depth must be in 1-" + MAX_SEMANTIC_DEPTH + ", got " + semanticDepth);
        }
        if (!(semanticWeight > 0) || semanticWeight > 10) {
            throw new IllegalArgumentException("semantic weight must be in (0, 10], got " + semanticWeight);
        }
        if (rrfK < 1 || rrfK > 1000) throw new IllegalArgumentException("rrf k must be in 1-1000, got " + rrfK);
        if (template == null || !template.contains("%s")) {
            throw new IllegalArgumentException("template must contain %s (the query's words), got '" + template + "'");
        }
    }

    public RetrievalSettings withRetrieval(Retrieval r) {
        return new RetrievalSettings(r, typos, semanticDepth, semanticWeight, rrfK, centerQuery, template);
    }

    public RetrievalSettings withTypos(TypoTolerance t) {
        return new RetrievalSettings(retrieval, t, semanticDepth, semanticWeight, rrfK, centerQuery, template);
    }

    public RetrievalSettings withSemantic(int depth, double weight, int k, boolean center, String text) {
        return new RetrievalSettings(retrieval, typos, depth, weight, k, center, text);
    }

    /** The text the model embeds for these words. */
    String modelText(String words) {
        return template.replace("%s", words);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s, typos %s, semantic depth %d weight %.2f, rrf k %d%s%s", retrieval, typos,
                semanticDepth, semanticWeight, rrfK, centerQuery ? ", query centered" : "",
                "%s".equals(template) ? "" : ", template '" + template + "'");
    }
}
