package io.reelrank.index;

import java.util.Locale;

/**
 * How a search forgives typing errors in its plain words. A bare word (no field, no quotes, no
 * {@code ~ * ? ^}, not negated) whose term the index does not know, in the title or in the tags
 * ({@code docFreq(title) + docFreq(tags) <= maxDocFreq}), also matches the index's terms within a few
 * edits of it (Lucene's {@code FuzzyQuery}: Damerau-Levenshtein automata, insertions, deletions,
 * substitutions and transpositions), at {@code weight} times the score of an exact match: a word the
 * index knows is searched exactly as written, so exact queries rank exactly as without tolerance.
 * The edits allowed grow with the word's length (Elasticsearch's {@code fuzziness: AUTO} under
 * {@link Edits#AUTO}: none below 3 letters, 1 up to 5, 2 from 6), the first {@code prefixLength}
 * letters must match as typed (typing errors are rarest there, and the prefix keeps the automaton
 * small), and each word expands to at most {@code maxExpansions} terms per field, the most similar
 * first (Lucene's blended-frequency top-terms rewrite). At most {@code maxWords} words of one query
 * are expanded, and only while the query stays within {@link MovieQueryParser#MAX_CLAUSES}, so
 * tolerance can never make a query expand without limit, nor make a valid query fail.
 *
 * <p>The shipped setting, {@link #DEFAULT}, was chosen on the evaluation's validation split
 * ({@code reelrank bench search-quality}, docs/search-quality.md); {@link #OFF} searches every word as
 * written.
 */
public record TypoTolerance(boolean enabled, int maxDocFreq, Edits edits, int prefixLength, int maxExpansions,
                            float weight, int maxWords) {

    /** How many edits a word may be away from a term of the index. */
    public enum Edits {
        /** One edit, whatever the length (from 3 letters). */
        ONE,
        /** None below 3 letters, one for 3-5 letters, two from 6 (Elasticsearch's AUTO:3,6). */
        AUTO,
        /** Two edits, from 3 letters. */
        TWO;

        /** The edits allowed for a word of {@code length} characters. */
        public int forLength(int length) {
            if (length < 3) return 0;
            return switch (this) {
                case ONE -> 1;
                case AUTO -> length < 6 ? 1 : 2;
                case TWO -> 2;
            };
        }

        public static Edits parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("edits must be one, auto or two, got '" + s + "'");
            }
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The most words of one query that get fuzzy variants. */
    public static final int MAX_WORDS = 4;

    /** Every word searched as written. */
    public static final TypoTolerance OFF = new TypoTolerance(false, 0, Edits.AUTO, 1, 1, 1f, 0);

    /**
     * The shipped setting, chosen on validation: only words the index does not know, one edit, the
     * first letter as typed, 20 variants per field, at the weight of an exact match.
     */
    public static final TypoTolerance DEFAULT = new TypoTolerance(true, 0, Edits.ONE, 1, 20, 1f, MAX_WORDS);

    public TypoTolerance {
        if (edits == null) throw new IllegalArgumentException("edits must be one, auto or two, got null");
        if (maxDocFreq < 0) throw new IllegalArgumentException("maxDocFreq must be >= 0, got " + maxDocFreq);
        if (prefixLength < 0 || prefixLength > 3) {
            throw new IllegalArgumentException("prefixLength must be in 0-3, got " + prefixLength);
        }
        if (maxExpansions < 1 || maxExpansions > MovieQueryParser.FUZZY_EXPANSIONS) {
            throw new IllegalArgumentException("maxExpansions must be in 1-" + MovieQueryParser.FUZZY_EXPANSIONS
                    + ", got " + maxExpansions);
        }
        if (!(weight > 0 && weight <= 1)) throw new IllegalArgumentException("weight must be in (0, 1], got " + weight);
        if (maxWords < 0 || maxWords > MAX_WORDS) {
            throw new IllegalArgumentException("maxWords must be in 0-" + MAX_WORDS + ", got " + maxWords);
        }
    }

    /** The same setting with other values, for the study that chose {@link #DEFAULT}. */
    public TypoTolerance with(int maxDocFreq, Edits edits, int prefixLength, int maxExpansions, float weight) {
        return new TypoTolerance(true, maxDocFreq, edits, prefixLength, maxExpansions, weight, maxWords == 0 ? MAX_WORDS
                : maxWords);
    }

    @Override
    public String toString() {
        if (!enabled) return "off";
        return String.format(Locale.ROOT, "df<=%d edits=%s prefix=%d expansions=%d weight=%.2f", maxDocFreq, edits,
                prefixLength, maxExpansions, weight);
    }
}
