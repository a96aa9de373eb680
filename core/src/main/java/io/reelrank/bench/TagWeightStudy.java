package io.reelrank.bench;

import io.reelrank.index.Analyzers;
import io.reelrank.index.Candidate;
import io.reelrank.index.Fields;
import io.reelrank.index.MovieQueryParser;
import io.reelrank.index.MovieRecord;
import io.reelrank.index.MovieSearcher;
import io.reelrank.index.QuerySyntaxException;
import io.reelrank.index.SearchFilters;
import io.reelrank.index.TitleText;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.search.Query;

/**
 * The experiment that chose {@link MovieQueryParser#TAG_WEIGHT} ({@code reelrank bench tag-weight}).
 * A bare word searches titles and tags; the tag weight trades two things, both measured on the index:
 * <b>title precision</b> — for queries made of title words, the share of the top 10 (out of the
 * movies whose title has a query word, when there are fewer than 10) that are such title matches,
 * i.e. how rarely a tag-only match pushes a title match out; and <b>tag recall</b> — for each tag
 * text used on at least two movies, searched as it is, the share of the top 10 (or of the tagged
 * movies, if fewer) that carry the tag. The caller owns the searcher.
 */
public final class TagWeightStudy {

    private TagWeightStudy() {}

    public record Row(float tagWeight, double titlePrecisionAt10, double tagRecallAt10, int titleQueries,
            int tagQueries) {}

    public static List<Row> run(MovieSearcher searcher, float[] weights, int titleQueries, long seed)
            throws IOException {
        List<MovieRecord> movies = searcher.allMovies();
        Analyzer text = new Analyzers.Text();
        // Title queries: single words and word pairs drawn as the search benchmark draws them.
        List<String> tq = new ArrayList<>();
        for (SearchBenchmark.BenchQuery q : SearchBenchmark.queries(movies, titleQueries * 5 / 2, seed)) {
            if (q.kind() == SearchBenchmark.Kind.SINGLE_WORD || q.kind() == SearchBenchmark.Kind.TWO_WORDS) {
                tq.add(q.text());
            }
        }
        List<Set<String>> titleTokens = new ArrayList<>(movies.size());
        for (MovieRecord m : movies) titleTokens.add(new HashSet<>(tokens(text, TitleText.searchable(m.title()))));
        // Tag queries: every tag text (case-insensitive) on two or more movies.
        Map<String, Set<Integer>> tagged = new HashMap<>();
        for (MovieRecord m : movies) {
            for (String t : m.tags()) {
                tagged.computeIfAbsent(t.toLowerCase(Locale.ROOT).trim(), k -> new HashSet<>()).add(m.movieId());
            }
        }
        tagged.values().removeIf(s -> s.size() < 2);
        List<String> tagQueries = new ArrayList<>(tagged.keySet());
        tagQueries.removeIf(t -> tokens(text, t).isEmpty());
        tagQueries.sort(null);

        List<Row> rows = new ArrayList<>();
        for (float w : weights) {
            MovieQueryParser parser = new MovieQueryParser(w);
            double precision = 0;
            int nTitle = 0;
            for (String q : tq) {
                Set<String> words = new HashSet<>(tokens(text, q));
                Set<Integer> titleMatches = new HashSet<>();
                for (int i = 0; i < movies.size(); i++) {
                    for (String word : words) {
                        if (titleTokens.get(i).contains(word)) {
                            titleMatches.add(movies.get(i).movieId());
                            break;
                        }
                    }
                }
                if (titleMatches.isEmpty()) continue;
                List<Candidate> top = searcher.candidates(parse(parser, q), SearchFilters.NONE, 10);
                long hits = top.stream().filter(c -> titleMatches.contains(c.movieId())).count();
                precision += (double) hits / Math.min(10, titleMatches.size());
                nTitle++;
            }
            double recall = 0;
            for (String t : tagQueries) {
                Set<Integer> relevant = tagged.get(t);
                List<Candidate> top = searcher.candidates(parse(parser, MovieQueryParser.escape(t)),
                        SearchFilters.NONE, 10);
                long hits = top.stream().filter(c -> relevant.contains(c.movieId())).count();
                recall += (double) hits / Math.min(10, relevant.size());
            }
            rows.add(new Row(w, precision / Math.max(1, nTitle), recall / Math.max(1, tagQueries.size()), nTitle,
                    tagQueries.size()));
        }
        return rows;
    }

    private static Query parse(MovieQueryParser parser, String q) {
        try {
            return parser.parseOrExplain(q);
        } catch (QuerySyntaxException e) {
            throw new IllegalStateException("generated query does not parse: " + e.render(), e);
        }
    }

    static List<String> tokens(Analyzer a, String s) {
        List<String> out = new ArrayList<>();
        try (TokenStream ts = a.tokenStream(Fields.TITLE, new StringReader(s))) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) out.add(term.toString());
            ts.end();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
