package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.http.SearchJson;
import io.reelrank.index.MovieSearcher;
import io.reelrank.index.QuerySyntaxException;
import io.reelrank.index.SearchFilters;
import io.reelrank.index.SearchHit;
import io.reelrank.index.SearchResult;
import io.reelrank.index.SearchSort;
import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.rerank.Reranker;
import io.reelrank.rerank.Weights;
import io.reelrank.service.IndexService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank search QUERY}: BM25 search of the Lucene index under {@code var/index}, printed as
 * a table or JSON. Reads only the index; the database is opened only to build the index when there is
 * none yet. A query that does not parse prints the query, a caret and the reason, exit code 2.
 */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = {"BM25 search of the movies (Lucene query syntax; docs/search.md).",
                "Examples: 'dark knight'  '\"dark knight\"'  'title:matrix AND year:[2000 TO 2020]'",
                "          '(title:lord OR title:king) AND genres:Fantasy'  '-genres:Horror'",
                "          'title:lor*'  'title:matirx~1'  'title:king^2'  'avg_rating:[4 TO *]'"})
public final class SearchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DbOptions dbOptions;

    @Parameters(index = "0", paramLabel = "QUERY", description = "The query, e.g. 'title:matrix AND genres:Sci-Fi'")
    String query;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "10",
            description = "Number of results, 1-" + MovieSearcher.MAX_LIMIT + " (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--json",
            description = "Print {\"query\": …, \"results\": [{rank, movie_id, title, year, genres, bm25}]}")
    boolean json;

    @Option(names = "--min-avg-rating", paramLabel = "X", description = "Only movies with avg_rating >= X (0-5)")
    Double minAvgRating;

    @Mixin
    FilterOptions filterOptions;

    @Option(names = "--explain", description = "After the table, each hit's explanation: Lucene's BM25 formula; "
            + "with --user the fusion's formula with its numbers, or the learned score's top reasons (SHAP "
            + "contributions)")
    boolean explain;

    @Option(names = "--sort", paramLabel = "ORDER", defaultValue = "score",
            description = "score (default), avg_rating, year (newest first) or movie_id; ties by score, then movie_id")
    String sort;

    @Option(names = "--user", paramLabel = "ID",
            description = "Re-rank the BM25 candidates for this user (the two-tower model)")
    Integer user;

    @Option(names = "--candidates", paramLabel = "K", defaultValue = "100",
            description = "With --user: BM25 candidates to re-rank, 1-" + PersonalizedSearch.MAX_CANDIDATES
                    + " (default: ${DEFAULT-VALUE})")
    int candidates;

    @Option(names = "--alpha", paramLabel = "A", description = "With --user: α, the personal terms' weight, 0-1 "
            + "(default: weighted " + Weights.DEFAULT_ALPHA_TEXT + ", linear " + Reranker.DEFAULT_ALPHA + ")")
    Double alpha;

    @Option(names = "--popularity", paramLabel = "P", description = "With --user and weighted fusion: π, the "
            + "popularity prior's share of the non-personal part, 0-1 (default: the shipped weight)")
    Double popularity;

    @Option(names = "--collaborative", paramLabel = "G", description = "With --user and weighted fusion: γ, the "
            + "collaborative score's share of the personal part, 0-1 (default: the shipped weight)")
    Double collaborative;

    @Option(names = "--fusion", paramLabel = "F", defaultValue = "weighted",
            description = "With --user: learned (the trained LambdaMART ranker; weighted without one), weighted "
                    + "((1-α)·((1-π)·mm(bm25) + π·mm(log(1+n))) + α·((1-γ)·mm(cos) + γ·mm(u·v))), "
                    + "linear ((1-α)·bm25/max_bm25 + α·(cos+1)/2) or rrf (Σ 1/(60+rank)) (default: ${DEFAULT-VALUE})")
    String fusion;

    @Option(names = "--compare",
            description = "With --user: print the BM25 list and the personalized list side by side")
    boolean compare;

    @Override
    public Integer call() throws Exception {
        if (user != null) {
            return personalized();
        }
        if (compare || alpha != null || popularity != null || collaborative != null) {
            throw CliException.badInput((compare ? "--compare" : alpha != null ? "--alpha" : popularity != null
                    ? "--popularity" : "--collaborative") + " needs --user");
        }
        SearchFilters filters;
        SearchSort order;
        try {
            filters = filterOptions.filters(minAvgRating);
            order = SearchSort.fromOption(sort);
            if (limit < 1 || limit > MovieSearcher.MAX_LIMIT) {
                throw new IllegalArgumentException("limit must be in 1-" + MovieSearcher.MAX_LIMIT + ", got " + limit);
            }
        } catch (IllegalArgumentException e) {
            throw CliException.badInput("--" + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path dir = IndexService.ensure(Home.indexDir(), dbOptions::open, err);
        SearchResult result;
        List<String> explanations = new ArrayList<>();
        try (MovieSearcher searcher = MovieSearcher.open(dir)) {
            result = searcher.search(query, filters, order, limit);
            if (explain) {
                for (SearchHit h : result.hits()) explanations.add(searcher.explain(query, h.movieId()));
            }
        } catch (QuerySyntaxException e) {
            err.println(e.render());
            err.flush();
            return 2;
        } catch (IllegalArgumentException e) {
            throw CliException.badInput("--" + e.getMessage());
        }
        if (json) {
            out.println(SearchJson.write(SearchJson.of(result, order == SearchSort.SCORE,
                    explain ? explanations : null), true));
        } else {
            printTable(out, result);
            for (int i = 0; i < explanations.size(); i++) {
                SearchHit h = result.hits().get(i);
                out.printf(Locale.ROOT, "%n#%d %d %s%n%s", h.rank(), h.movieId(), h.title(), explanations.get(i));
            }
        }
        out.flush();
        return 0;
    }

    private Integer personalized() throws Exception {
        PersonalizedSearch.Request request;
        try {
            if (!"score".equalsIgnoreCase(sort)) {
                throw new IllegalArgumentException("sort must be score with --user (the re-ranked order), got '"
                        + sort + "'");
            }
            Fusion f = Fusion.parse(fusion);
            if (f != Fusion.WEIGHTED && f != Fusion.LEARNED && (popularity != null || collaborative != null)) {
                throw new IllegalArgumentException(
                        "popularity and --collaborative apply to weighted fusion only, got --fusion " + f);
            }
            Weights d = PersonalizedSearch.defaultWeights(f);
            Weights w = new Weights(alpha != null ? alpha : d.alpha(), popularity != null ? popularity : d.popularity(),
                    collaborative != null ? collaborative : d.collaborative());
            request = new PersonalizedSearch.Request(query, user, limit, candidates, w, f,
                    filterOptions.filters(minAvgRating), explain);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput("--" + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path dir = IndexService.ensure(Home.indexDir(), dbOptions::open, err);
        Database db = dbOptions.open();
        PersonalizedSearch.Response personal;
        PersonalizedSearch.Response plain = null;
        try (PersonalizedSearch ps = new PersonalizedSearch(db, MovieSearcher.open(dir), Models.items(db))) {
            personal = ps.search(request);
            if (compare) {
                plain = ps.search(new PersonalizedSearch.Request(query, null, limit, candidates, request.weights(),
                        request.fusion(), request.filters()));
            }
        } catch (QuerySyntaxException e) {
            err.println(e.render());
            err.flush();
            return 2;
        } catch (PersonalizedSearch.UnknownUserException e) {
            throw CliException.badInput(e.getMessage());
        }
        if (json) {
            out.println(SearchJson.write(personal, true));
        } else if (compare) {
            RerankTable.printCompare(out, plain, personal);
        } else {
            RerankTable.print(out, personal, explain);
        }
        out.flush();
        return 0;
    }

    static void printTable(PrintWriter out, SearchResult r) {
        if (r.hits().isEmpty()) {
            out.println("no movies match " + r.query());
            return;
        }
        int titleWidth = 12;
        for (SearchHit h : r.hits()) titleWidth = Math.max(titleWidth, Math.min(60, h.title().length()));
        String fmt = "%4s  %8s  %-" + titleWidth + "s  %4s  %-40s  %7s%n";
        out.printf(Locale.ROOT, fmt, "rank", "movie_id", "title", "year", "genres", "bm25");
        for (SearchHit h : r.hits()) {
            String title = h.title().length() > titleWidth ? h.title().substring(0, titleWidth - 1) + "…" : h.title();
            String genres = String.join("|", h.genres());
            if (genres.length() > 40) genres = genres.substring(0, 39) + "…";
            out.printf(Locale.ROOT, fmt, h.rank(), h.movieId(), title, h.year() == null ? "" : h.year(), genres,
                    String.format(Locale.ROOT, "%.3f", h.bm25()));
        }
        out.printf(Locale.ROOT, "%d of %,d matching movies%n", r.hits().size(), r.totalMatches());
    }
}
