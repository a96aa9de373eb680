package io.reelrank.generate;

import io.reelrank.index.TitleText;
import io.reelrank.ingest.Titles;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * What the generator learns from a real MovieLens directory (the bundled ml-latest-small): the
 * title vocabulary (first words, other words, title lengths in words, the articles MovieLens moves
 * to the end), each movie's genre set with its year (so genres co-occur and date as in the real
 * catalogue), the tag vocabulary per genre, when users arrive (their first ratings' times), and the
 * figures the generated set is compared with. Read once; immutable afterwards.
 */
final class SampleVocabulary {

    static final String NO_GENRES = "(no genres listed)";

    /** One real movie's genres (bit g set for genres[g]) and year (null when the title has none). */
    record Template(int genreMask, String genresText, Integer year) {}

    /** A real catalogue movie used as is (with {@code --movies-from}). */
    record CatalogueMovie(int movieId, String rawTitle, String genresText, int genreMask, Integer year,
                          String imdbId, String tmdbId) {}

    /** The directory's name, e.g. ml-latest-small. */
    final String source;
    final String[] genres;
    final List<Template> templates = new ArrayList<>();
    final String[] firstWords;
    final AliasTable firstWordTable;
    final String[] words;
    final AliasTable wordTable;
    final int[] titleLengths;
    final AliasTable titleLengthTable;
    final Set<String> movedArticles = new HashSet<>();
    final String[] tags;
    final AliasTable allTags;
    final AliasTable[] tagsByGenre;
    final long[] firstRatingTimes;
    final long logStart;
    final long logEnd;
    final double blankTmdbShare;
    final List<CatalogueMovie> movies = new ArrayList<>();
    /** The real set's figures, for the comparison generate prints. */
    final int[] ratingsPerUser;
    final int[] ratingsPerMovie;
    final long[] starCounts = new long[11];

    private SampleVocabulary(Path dir) throws IOException {
        source = dir.toAbsolutePath().normalize().getFileName().toString();
        Map<String, Integer> firstCounts = new TreeMap<>();
        Map<String, Integer> wordCounts = new TreeMap<>();
        Map<Integer, Integer> lengthCounts = new TreeMap<>();
        TreeSet<String> genreNames = new TreeSet<>();
        List<String[]> rows = new ArrayList<>();
        for (CSVRecord r : csv(dir.resolve("movies.csv"))) {
            rows.add(new String[] {r.get(0), r.get(1), r.get(2)});
            for (String g : r.get(2).split("\\|")) if (!g.isBlank() && !g.equals(NO_GENRES)) genreNames.add(g.strip());
        }
        genres = genreNames.toArray(String[]::new);
        Map<String, Integer> genreIndex = new HashMap<>();
        for (int i = 0; i < genres.length; i++) genreIndex.put(genres[i], i);
        Map<Integer, String[]> links = new HashMap<>();
        int blank = 0;
        for (CSVRecord r : csv(dir.resolve("links.csv"))) {
            links.put(Integer.parseInt(r.get(0).strip()), new String[] {r.get(1).strip(), r.get(2).strip()});
            if (r.get(2).isBlank()) blank++;
        }
        blankTmdbShare = links.isEmpty() ? 0 : (double) blank / links.size();
        Map<Integer, Integer> movieIndex = new HashMap<>();
        for (String[] row : rows) {
            int id = Integer.parseInt(row[0].strip());
            int mask = 0;
            for (String g : row[2].split("\\|")) {
                Integer gi = genreIndex.get(g.strip());
                if (gi != null) mask |= 1 << gi;
            }
            Titles.Parsed t = Titles.parse(row[1]);
            templates.add(new Template(mask, row[2].strip(), t.year()));
            String[] link = links.getOrDefault(id, new String[] {"", ""});
            movieIndex.put(id, movies.size());
            movies.add(new CatalogueMovie(id, row[1], row[2].strip(), mask, t.year(), link[0], link[1]));

            String searchable = TitleText.searchable(t.title());
            List<String> tokens = tokens(searchable);
            if (tokens.isEmpty()) continue;
            String article = TitleText.movedArticle(t.title());
            if (article != null) {
                // "Atalante, L'" is searched as "L'Atalante": keep the article a word of its own
                String first = tokens.get(0);
                if (article.endsWith("'") && first.startsWith(article) && first.length() > article.length()) {
                    tokens.set(0, first.substring(article.length()));
                    tokens.add(0, article);
                }
                movedArticles.add(article);
            }
            firstCounts.merge(tokens.get(0), 1, Integer::sum);
            for (int i = 1; i < tokens.size(); i++) wordCounts.merge(tokens.get(i), 1, Integer::sum);
            lengthCounts.merge(tokens.size(), 1, Integer::sum);
        }
        if (templates.isEmpty()) throw new IllegalArgumentException(dir.resolve("movies.csv") + " has no movies");
        firstWords = firstCounts.keySet().toArray(String[]::new);
        firstWordTable = table(firstCounts.values());
        words = wordCounts.keySet().toArray(String[]::new);
        wordTable = table(wordCounts.values());
        titleLengths = lengthCounts.keySet().stream().mapToInt(Integer::intValue).toArray();
        titleLengthTable = table(lengthCounts.values());

        // Tags: their frequency overall and on the movies of each genre.
        List<int[]> applications = new ArrayList<>(); // {movie index, tag index}
        Map<String, Integer> tagIndex = new TreeMap<>();
        List<CSVRecord> tagRows = csv(dir.resolve("tags.csv"));
        for (CSVRecord r : tagRows) {
            String tag = r.get(2).strip();
            if (!tag.isEmpty() && movieIndex.containsKey(Integer.parseInt(r.get(1).strip()))) tagIndex.put(tag, 0);
        }
        tags = tagIndex.keySet().toArray(String[]::new);
        for (int i = 0; i < tags.length; i++) tagIndex.put(tags[i], i);
        for (CSVRecord r : tagRows) {
            String tag = r.get(2).strip();
            Integer m = movieIndex.get(Integer.parseInt(r.get(1).strip()));
            if (!tag.isEmpty() && m != null) applications.add(new int[] {m, tagIndex.get(tag)});
        }
        double[] all = new double[Math.max(1, tags.length)];
        double[][] byGenre = new double[genres.length][Math.max(1, tags.length)];
        for (int[] a : applications) {
            all[a[1]]++;
            int mask = movies.get(a[0]).genreMask();
            for (int g = 0; g < genres.length; g++) if ((mask & (1 << g)) != 0) byGenre[g][a[1]]++;
        }
        allTags = applications.isEmpty() ? null : new AliasTable(all);
        tagsByGenre = new AliasTable[genres.length];
        for (int g = 0; g < genres.length; g++) {
            double s = 0;
            for (double x : byGenre[g]) s += x;
            tagsByGenre[g] = s > 0 ? new AliasTable(byGenre[g]) : allTags;
        }

        // Ratings: when each user first rated (arrivals), and the figures to compare with.
        Map<Integer, long[]> users = new TreeMap<>();
        int[] perMovie = new int[movies.size()];
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        try (var lines = Files.newBufferedReader(dir.resolve("ratings.csv"), StandardCharsets.UTF_8)) {
            String line = lines.readLine();
            while ((line = lines.readLine()) != null) {
                String[] f = line.split(",");
                int user = Integer.parseInt(f[0]);
                Integer m = movieIndex.get(Integer.parseInt(f[1]));
                long ts = Long.parseLong(f[3].strip());
                long[] u = users.computeIfAbsent(user, x -> new long[] {Long.MAX_VALUE, 0});
                u[0] = Math.min(u[0], ts);
                u[1]++;
                if (m != null) perMovie[m]++;
                starCounts[(int) Math.round(Double.parseDouble(f[2]) * 2)]++;
                min = Math.min(min, ts);
                max = Math.max(max, ts);
            }
        }
        if (users.isEmpty()) throw new IllegalArgumentException(dir.resolve("ratings.csv") + " has no ratings");
        firstRatingTimes = users.values().stream().mapToLong(u -> u[0]).sorted().toArray();
        ratingsPerUser = users.values().stream().mapToInt(u -> (int) u[1]).toArray();
        ratingsPerMovie = perMovie;
        logStart = min;
        logEnd = max;
    }

    /** Reads the MovieLens directory {@code dir} (movies.csv, links.csv, tags.csv, ratings.csv). */
    static SampleVocabulary read(Path dir) {
        for (String f : List.of("movies.csv", "links.csv", "tags.csv", "ratings.csv")) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new IllegalArgumentException("the vocabulary source " + dir + " has no " + f
                        + " (it must be a MovieLens directory such as sample_data/ml-latest-small)");
            }
        }
        try {
            return new SampleVocabulary(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the MovieLens directory " + dir, e);
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) throw e;
            throw new IllegalArgumentException("cannot learn from " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Genre index of "(no genres listed)"-free genre names; -1 when unknown. */
    int genreIndex(String name) {
        for (int i = 0; i < genres.length; i++) if (genres[i].equals(name)) return i;
        return -1;
    }

    private static List<String> tokens(String title) {
        List<String> out = new ArrayList<>();
        for (String w : title.split("\\s+")) {
            // parentheses go; a comma only at the end of a word ("Good, the Bad"), not in "5,000"
            String t = w.replace("(", "").replace(")", "").replaceAll(",+$", "");
            if (!t.isEmpty()) out.add(t);
        }
        return out;
    }

    private static AliasTable table(Iterable<Integer> counts) {
        List<Double> w = new ArrayList<>();
        counts.forEach(c -> w.add((double) c));
        return new AliasTable(w.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static List<CSVRecord> csv(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
            return p.getRecords();
        }
    }
}
