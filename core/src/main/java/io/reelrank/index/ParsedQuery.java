package io.reelrank.index;

import java.util.List;
import org.apache.lucene.search.Query;

/**
 * A query as {@link MovieQueryParser} read it against one index: the Lucene query to run; whether it
 * is {@code plain} (bare words only: no field, phrase, operator, boost, fuzzy, prefix, wildcard,
 * range or regular expression), which is what semantic retrieval may embed; its bare {@code words}
 * as typed (unescaped, in order); and the {@code corrections} the spell checker proposes for the
 * bare words the index does not know, from which {@link #didYouMean()} is built.
 */
public record ParsedQuery(String text, Query query, boolean plain, List<String> words, List<Correction> corrections) {

    /**
     * A bare word the index does not know, where it starts in the query, and the index term proposed for it (or null).
     */
    public record Correction(int position, String written, String suggestion) {}

    public ParsedQuery {
        words = List.copyOf(words);
        corrections = List.copyOf(corrections);
    }

    /**
     * The query with each correctable word replaced by its suggestion (lower case, as the index holds
     * terms), the rest as typed; null when no word has a suggestion.
     */
    public String didYouMean() {
        StringBuilder sb = new StringBuilder(text);
        boolean any = false;
        // From the end, so earlier positions stay valid.
        for (int i = corrections.size() - 1; i >= 0; i--) {
            Correction c = corrections.get(i);
            if (c.suggestion() == null) continue;
            int at = c.position();
            if (at < 0 || at + c.written().length() > sb.length()
                    || !sb.substring(at, at + c.written().length()).equals(c.written())) {
                continue; // written with escapes: left as typed
            }
            sb.replace(at, at + c.written().length(), c.suggestion());
            any = true;
        }
        return any ? sb.toString() : null;
    }

    /**
     * The bare words as typed, with the spell checker's suggestions in place of the words they
     * correct (each correction replaces the first whole-word occurrence of what was written, in order):
     * what a semantic retriever embeds, and what decides whether a title holds every word.
     */
    public String correctedWords() {
        List<String> out = new java.util.ArrayList<>(words);
        for (Correction c : corrections) {
            if (c.suggestion() == null) continue;
            java.util.regex.Pattern p = java.util.regex.Pattern.compile("(?<![\\p{L}\\p{N}])"
                    + java.util.regex.Pattern.quote(c.written()) + "(?![\\p{L}\\p{N}])");
            for (int i = 0; i < out.size(); i++) {
                java.util.regex.Matcher m = p.matcher(out.get(i));
                if (m.find()) {
                    out.set(i, out.get(i).substring(0, m.start()) + c.suggestion() + out.get(i).substring(m.end()));
                    break;
                }
            }
        }
        return String.join(" ", out);
    }
}
