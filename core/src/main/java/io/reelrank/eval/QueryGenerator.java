package io.reelrank.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Forms, for a held-out movie, the queries a person could have typed to find it, for the search
 * task: one word of its title ({@link #titleQuery}) and one of its genres ({@link #genreQuery}). A
 * useful query matches several movies, so that the order of its results, which personalization
 * changes, decides where the movie lands. Built once from the whole catalog (every movie's title and
 * genres), because how many movies a word matches is a property of the catalog; pure, no index.
 * Every choice is deterministic, so the same catalog always gives the same queries.
 */
public final class QueryGenerator {

    /**
     * A title word matching more movies than this is too vague to be what a person types to find one
     * film ("man", "love"); 50 also keeps all of a word's title matches within the re-ranker's 100
     * BM25 candidates, so a movie is judged on the order, not on whether it was fetched at all.
     */
    public static final int DEFAULT_MAX_TITLE_DF = 50;

    /**
     * Lucene's English stop words (EnglishAnalyzer.ENGLISH_STOP_WORDS_SET) plus the articles and
     * prepositions of the other languages frequent in MovieLens titles: nobody searches for "les".
     */
    static final Set<String> STOP_WORDS = Set.of(
            "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
            "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they",
            "this", "to", "was", "will", "with",
            "la", "le", "les", "l", "el", "los", "las", "lo", "il", "un", "une", "et", "de", "del", "des", "du",
            "der", "die", "das", "den", "und", "ein", "eine");

    /** A format MovieLens lists among the genres; nobody looks for a film as "IMAX". */
    static final Set<String> NOT_GENRES = Set.of("IMAX", "(no genres listed)");

    private static final Pattern SEPARATORS = Pattern.compile("[^\\p{L}\\p{N}']+");
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]*\\p{L}[\\p{L}\\p{N}]*");

    private final Map<Integer, String> titles = new HashMap<>();
    private final Map<Integer, String[]> genres = new HashMap<>();
    private final Map<String, Integer> titleDf = new HashMap<>();
    private final Map<String, Integer> genreDf = new HashMap<>();
    private final int maxTitleDf;

    /**
     * @param movieIds   the whole catalog
     * @param titles     each movie's title, parallel to {@code movieIds}
     * @param genres     each movie's genres (possibly none), parallel to {@code movieIds}
     * @param maxTitleDf the most movies a title word may match, ≥ 2
     */
    public QueryGenerator(int[] movieIds, String[] titles, String[][] genres, int maxTitleDf) {
        if (titles.length != movieIds.length || genres.length != movieIds.length) {
            throw new IllegalArgumentException("titles and genres must be parallel to movie ids, got " + movieIds.length
                    + " ids, " + titles.length + " titles, " + genres.length + " genre lists");
        }
        if (maxTitleDf < 2) {
            throw new IllegalArgumentException("maximum title document frequency must be >= 2, got " + maxTitleDf);
        }
        this.maxTitleDf = maxTitleDf;
        for (int i = 0; i < movieIds.length; i++) {
            if (this.titles.put(movieIds[i], titles[i]) != null) {
                throw new IllegalArgumentException("catalog lists movie " + movieIds[i] + " twice");
            }
            this.genres.put(movieIds[i], genres[i]);
            for (String w : words(titles[i])) {
                titleDf.merge(w, 1, Integer::sum);
            }
            for (String g : new LinkedHashSet<>(List.of(genres[i]))) {
                genreDf.merge(g, 1, Integer::sum);
            }
        }
    }

    /**
     * The title word matching the fewest catalog titles among those matching at least 2 and at most
     * the maximum; ties by alphabetical order. Empty when no word of the title qualifies (a unique
     * title, or one of stop words only), and the caller counts that movie as without a title query.
     */
    public Optional<String> titleQuery(int movieId) {
        String best = null;
        int bestDf = Integer.MAX_VALUE;
        for (String w : words(title(movieId))) {
            int df = titleDf.get(w);
            if (df >= 2 && df <= maxTitleDf && (df < bestDf || (df == bestDf && w.compareTo(best) < 0))) {
                best = w;
                bestDf = df;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * {@code genres:X} with X the movie's genre shared by the fewest catalog movies (the most specific
     * description: an Animation|Children|Comedy film is found as Animation, not among all comedies),
     * ties by name; empty for a movie without a genre.
     */
    public Optional<String> genreQuery(int movieId) {
        title(movieId);
        String best = null;
        int bestDf = Integer.MAX_VALUE;
        for (String g : genres.get(movieId)) {
            if (NOT_GENRES.contains(g)) {
                continue;
            }
            int df = genreDf.get(g);
            if (df < bestDf || (df == bestDf && g.compareTo(best) < 0)) {
                best = g;
                bestDf = df;
            }
        }
        return Optional.ofNullable(best).map(g -> "genres:" + g);
    }

    /** How many catalog titles contain the word (as {@link #words} splits them). */
    public int titleDf(String word) {
        return titleDf.getOrDefault(word, 0);
    }

    /**
     * The distinct candidate words of a title, lower-cased: split at anything but letters, digits and
     * apostrophes; kept when at least two characters with a letter, no apostrophe (analyzers disagree
     * on "schindler's") and not a stop word. Years and numbers alone are left out: "1995" says nothing
     * about a film.
     */
    static List<String> words(String title) {
        Set<String> out = new LinkedHashSet<>();
        for (String t : SEPARATORS.split(title.toLowerCase(Locale.ROOT))) {
            if (t.length() >= 2 && WORD.matcher(t).matches() && !STOP_WORDS.contains(t)) {
                out.add(t);
            }
        }
        return new ArrayList<>(out);
    }

    private String title(int movieId) {
        String t = titles.get(movieId);
        if (t == null) {
            throw new IllegalArgumentException("movie " + movieId
                    + " is not in the catalog the queries are formed from");
        }
        return t;
    }
}
