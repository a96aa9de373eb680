package io.reelrank.eval;

import io.reelrank.index.MovieQueryParser;
import io.reelrank.index.MovieRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The descriptive task: does a search find films from words that describe them rather than name
 * them ({@code time travel}, {@code dark comedy}, {@code atmospheric})? The queries are user tags,
 * written by people the system never learned from: each tagger is held out with probability
 * {@code share}, drawn from {@code (seed, user_id)}; the held-out taggers' tags are the queries, and
 * the index and the movie vectors the systems search are built from the other taggers' tags only
 * ({@link #keptTags}, {@link #indexRecords}, {@link #topTags}), so a query never finds its own
 * words in the index or in a movie's embedded text. A query is one distinct tag text (trimmed,
 * lower case, Lucene syntax escaped); its relevant movies are those a held-out tagger tagged with
 * it, except a movie whose title shares a word with the tag (stop words aside,
 * {@link QueryGenerator#words}): that would be a title query again. Tags without a word of letters
 * are left out. The distinct tag texts are split into a validation half and a test half by
 * {@code (seed, text)}: choices are made on the first, the second is measured once.
 */
public final class DescriptiveTask {

    /** One tag row. */
    public record Tag(int userId, int movieId, String tag) {}

    /** The protocol's outcome: who was held out, the two query sets, and every tag row the systems may see. */
    public record Data(Set<Integer> heldOutTaggers, int taggers, List<JudgedQueries.Query> validation,
                       List<JudgedQueries.Query> test, List<Tag> kept, int heldOutRows, int pairsWithTitleWords) {}

    /** Share of taggers held out: their 2,000-odd tag rows on the sample give about 900 queries. */
    public static final double DEFAULT_SHARE = 0.3;

    private DescriptiveTask() {}

    /**
     * Splits the taggers and forms the queries.
     *
     * @param tags    every tag row
     * @param titles  movie_id → title, for the title-word rule
     */
    public static Data build(List<Tag> tags, Map<Integer, String> titles, double share, long seed) {
        if (!(share > 0 && share < 1)) throw new IllegalArgumentException("held-out share must be in (0,1), got "
                + share);
        Set<Integer> taggers = new TreeSet<>();
        for (Tag t : tags) taggers.add(t.userId());
        Set<Integer> held = new TreeSet<>();
        for (int u : taggers) {
            if (new SplittableRandom(seed ^ (u * 0x9E3779B97F4A7C15L)).nextDouble() < share) held.add(u);
        }
        Map<String, Set<Integer>> relevant = new TreeMap<>();
        List<Tag> kept = new ArrayList<>();
        int heldRows = 0;
        int titleWords = 0;
        for (Tag t : tags) {
            if (!held.contains(t.userId())) {
                kept.add(t);
                continue;
            }
            heldRows++;
            String text = normalize(t.tag());
            List<String> words = QueryGenerator.words(text);
            if (words.isEmpty()) continue;
            String title = titles.get(t.movieId());
            if (title == null) continue;
            if (!java.util.Collections.disjoint(words, QueryGenerator.words(title))) {
                titleWords++;
                continue;
            }
            relevant.computeIfAbsent(text, x -> new TreeSet<>()).add(t.movieId());
        }
        List<JudgedQueries.Query> validation = new ArrayList<>();
        List<JudgedQueries.Query> test = new ArrayList<>();
        for (Map.Entry<String, Set<Integer>> e : relevant.entrySet()) {
            int[] rel = e.getValue().stream().mapToInt(Integer::intValue).toArray();
            JudgedQueries.Query q = new JudgedQueries.Query(MovieQueryParser.escape(e.getKey()), 0, rel, true);
            long mix = (long) e.getKey().hashCode() * 0xC2B2AE3D27D4EB4FL;
            boolean toTest = new SplittableRandom(seed ^ mix).nextBoolean();
            (toTest ? test : validation).add(q);
        }
        return new Data(held, taggers.size(), validation, test, kept, heldRows, titleWords);
    }

    /** A tag as a query: trimmed, lower case, inner whitespace collapsed. */
    static String normalize(String tag) {
        return tag.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    }

    /** The kept tag texts of each movie, as typed, in row order (what the index's tags field holds). */
    public static Map<Integer, List<String>> keptTags(List<Tag> kept) {
        Map<Integer, List<String>> out = new HashMap<>();
        for (Tag t : kept) out.computeIfAbsent(t.movieId(), x -> new ArrayList<>()).add(t.tag());
        return out;
    }

    /** The index's movies with their tags replaced by the kept ones: the records of the task's own index. */
    public static List<MovieRecord> indexRecords(List<MovieRecord> movies, List<Tag> kept) {
        Map<Integer, List<String>> byMovie = keptTags(kept);
        List<MovieRecord> out = new ArrayList<>(movies.size());
        for (MovieRecord m : movies) {
            out.add(new MovieRecord(m.movieId(), m.title(), m.year(), m.imdbId(), m.tmdbId(), m.genres(),
                    byMovie.getOrDefault(m.movieId(), List.of()), m.avgRating(), m.ratingCount()));
        }
        return out;
    }

    /**
     * Each movie's most frequent kept tags, as the movie text takes them ({@code MovieText}): lower
     * case and trimmed, counted by distinct users, ties by the tag text, at most {@code n}.
     */
    public static Map<Integer, List<String>> topTags(List<Tag> kept, int n) {
        Map<Integer, Map<String, Set<Integer>>> users = new HashMap<>();
        for (Tag t : kept) {
            String text = t.tag().strip().toLowerCase(Locale.ROOT);
            if (text.isEmpty()) continue;
            users.computeIfAbsent(t.movieId(), x -> new HashMap<>()).computeIfAbsent(text,
                    x -> new HashSet<>()).add(t.userId());
        }
        Map<Integer, List<String>> out = new HashMap<>();
        for (Map.Entry<Integer, Map<String, Set<Integer>>> e : users.entrySet()) {
            List<Map.Entry<String, Set<Integer>>> l = new ArrayList<>(e.getValue().entrySet());
            l.sort((a, b) -> a.getValue().size() != b.getValue().size() ? Integer.compare(b.getValue().size(),
                    a.getValue().size()) : compareBytes(a.getKey(), b.getKey()));
            List<String> top = new ArrayList<>();
            for (int i = 0; i < Math.min(n, l.size()); i++) top.add(l.get(i).getKey());
            out.put(e.getKey(), top);
        }
        return out;
    }

    /** Byte order of the UTF-8 forms, as PostgreSQL's {@code COLLATE "C"} sorts the tags of a movie text. */
    private static int compareBytes(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Runs one set of the task's queries through the rankers. */
    public static JudgedQueries.Values run(List<JudgedQueries.Query> queries, Map<String, SearchTask.Ranker> rankers,
            int k, int threads) {
        return JudgedQueries.run(queries, rankers, k, threads);
    }
}
