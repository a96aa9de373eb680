package io.reelrank.index;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a MovieLens title into the text the title field indexes. MovieLens files articles at the end
 * ("Dark Knight, The (2008)"); a user types them in front, so the phrase {@code "the dark knight"}
 * would never match. The year suffix is dropped because the year has its own numeric field, and a
 * year among the title words would make {@code 2008} a title match of every 2008 film.
 */
public final class TitleText {

    private TitleText() {}

    private static final Pattern YEAR_SUFFIX = Pattern.compile("\\s*\\((\\d{4})(?:[-–]\\d{0,4})?\\)\\s*$");
    // Articles MovieLens moves to the end, in the languages the catalog has.
    private static final Set<String> ARTICLES = Set.of("the", "a", "an", "les", "la", "le", "l'", "il", "el",
            "los", "las", "das", "der", "die", "den", "det", "lo", "i", "gli", "une", "un", "o", "os", "as");
    // "City of Lost Children, The (Cité des enfants perdus, La)": the article may precede an alternate title.
    private static final Pattern TRAILING_ARTICLE = Pattern.compile("^(.*), ([\\p{L}']+)(\\s+\\(.*\\))?$");

    public static String searchable(String title) {
        String t = YEAR_SUFFIX.matcher(title).replaceFirst("");
        Matcher m = TRAILING_ARTICLE.matcher(t);
        if (m.matches() && ARTICLES.contains(m.group(2).toLowerCase(Locale.ROOT))) {
            String article = m.group(2);
            t = article + (article.endsWith("'") ? "" : " ") + m.group(1) + (m.group(3) == null ? "" : m.group(3));
        }
        return t;
    }

    /** The article MovieLens moved to the end of this title ("The" of "Dark Knight, The (2008)"), or null. */
    public static String movedArticle(String title) {
        Matcher m = TRAILING_ARTICLE.matcher(YEAR_SUFFIX.matcher(title).replaceFirst(""));
        return m.matches() && ARTICLES.contains(m.group(2).toLowerCase(Locale.ROOT)) ? m.group(2) : null;
    }
}
