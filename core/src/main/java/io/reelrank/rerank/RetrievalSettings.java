package io.reelrank.rerank;

import io.reelrank.index.TypoTolerance;
import java.util.Locale;

/**
 * How {@link Retriever} gathers a search's candidates: the {@link Retrieval} kind, the typo
 * tolerance of the BM25 query ({@link TypoTolerance}), and the semantic branch's settings: how many
 * nearest movies it contributes ({@code semanticDepth}), its weight in the reciprocal rank fusion
 * ({@code semanticWeight}, BM25's being 1), the fusion's rank constant {@code rrfK}, whether the
 * query vector is centered on the catalog mean like the movie vectors ({@code centerQuery}), and the
 * text the model sees ({@code template}, {@code %s} standing for the query's words), and when auto
 * runs hybrid retrieval ({@code autoRule}). The defaults, {@link #DEFAULT}, were chosen on the
 * evaluation's validation split ({@code reelrank bench search-quality}, docs/search-quality.md):
 * auto with {@link AutoRule#NOT_A_TITLE} (hybrid for every plain query cost today's title queries
 * 0.066 liked NDCG@10; the tag-word rule 0.002 for 0.001 more on descriptions), 100 semantic
 * candidates at weight 1 and k = 60 (the other depths, weights and k = 10 within 0.003 of it, far
 * inside the 95% interval), the query centered like the movies and embedded as typed.
 */
public record RetrievalSettings(Retrieval retrieval, TypoTolerance typos, int semanticDepth, double semanticWeight,
                                int rrfK, boolean centerQuery, String template, AutoRule autoRule) {

    /** When {@link Retrieval#AUTO} runs hybrid retrieval for a plain query. */
    public enum AutoRule {
        /** No title holds every word of the query (it describes a film rather than names it). */
        NOT_A_TITLE,
        /**
         * As {@link #NOT_A_TITLE}, or its words are more often tags than title words (in more movies'
         * tags than titles, summed over the words): {@code funny}, {@code comedy} are in a few titles but
         * describe many films.
         */
        NOT_A_TITLE_OR_TAG_WORDS
    }

    /** The most candidates the semantic branch may contribute. */
    public static final int MAX_SEMANTIC_DEPTH = 1000;

    /** The shipped settings (see the class comment). */
    public static final RetrievalSettings DEFAULT = new RetrievalSettings(Retrieval.AUTO, TypoTolerance.DEFAULT, 100,
            1.0, Fusion.RRF_K, true, "%s", AutoRule.NOT_A_TITLE);

    /** Today's search before this class: BM25 alone, every word as written. */
    public static final RetrievalSettings PLAIN_BM25 =
            DEFAULT.withRetrieval(Retrieval.BM25).withTypos(TypoTolerance.OFF);

    public RetrievalSettings {
        if (retrieval == null) throw new IllegalArgumentException("retrieval must be bm25, semantic, hybrid or auto, "
                + "got null");
        if (typos == null) typos = TypoTolerance.OFF;
        if (autoRule == null) autoRule = AutoRule.NOT_A_TITLE;
        if (semanticDepth < 1 || semanticDepth > MAX_SEMANTIC_DEPTH) {
            throw new IllegalArgumentException("semantic depth must be in 1-" + MAX_SEMANTIC_DEPTH + ", got "
                    + semanticDepth);
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
        return new RetrievalSettings(r, typos, semanticDepth, semanticWeight, rrfK, centerQuery, template, autoRule);
    }

    public RetrievalSettings withTypos(TypoTolerance t) {
        return new RetrievalSettings(retrieval, t, semanticDepth, semanticWeight, rrfK, centerQuery, template,
                autoRule);
    }

    public RetrievalSettings withSemantic(int depth, double weight, int k, boolean center, String text) {
        return new RetrievalSettings(retrieval, typos, depth, weight, k, center, text, autoRule);
    }

    public RetrievalSettings withAutoRule(AutoRule rule) {
        return new RetrievalSettings(retrieval, typos, semanticDepth, semanticWeight, rrfK, centerQuery, template,
                rule);
    }

    /** The text the model embeds for these words. */
    String modelText(String words) {
        return template.replace("%s", words);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s%s, typos %s, semantic depth %d weight %.2f, rrf k %d%s%s", retrieval,
                retrieval == Retrieval.AUTO ? " (" + autoRule.name().toLowerCase(Locale.ROOT) + ")" : "", typos,
                semanticDepth, semanticWeight, rrfK, centerQuery ? ", query centered" : "",
                "%s".equals(template) ? "" : ", template '" + template + "'");
    }
}
