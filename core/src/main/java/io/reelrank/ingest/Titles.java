package io.reelrank.ingest;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a MovieLens title such as {@code "American President, The (1995)"} into its title and
 * year. The real files also hold trailing blanks ({@code "Runaway Brain (1995) "}), series year
 * ranges ({@code "Death Note: Desu nôto (2006–2007)"}, year = first year), parenthesised alternate
 * titles before the year ({@code "Assembly (Ji jie hao) (2007)"}, kept in the title) and titles with
 * no year at all ({@code "Babylon 5"}, year = null).
 */
public final class Titles {

    private static final Pattern YEAR_SUFFIX =
            Pattern.compile("^(.*?)\\s*\\((\\d{4})(?:\\s*[-\u2013]\\s*(?:\\d{4})?\\s*)?\\)\\s*$");

    private Titles() {}

    public record Parsed(String title, Integer year) {}

    public static Parsed parse(String raw) {
        String s = raw.strip();
        Matcher m = YEAR_SUFFIX.matcher(s);
        if (m.matches() && !m.group(1).isEmpty()) {
            return new Parsed(m.group(1), Integer.valueOf(m.group(2)));
        }
        return new Parsed(s, null);
    }
}
