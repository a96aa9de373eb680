package io.reelrank.cli;

import io.reelrank.db.Database;
import io.reelrank.embed.QueryEncoder;
import io.reelrank.http.SearchJson;
import io.reelrank.index.MovieSearcher;
import io.reelrank.index.ParsedQuery;
import io.reelrank.index.QuerySyntaxException;
import io.reelrank.index.SearchFilters;
import io.reelrank.index.SearchHit;
import io.reelrank.index.SearchResult;
import io.reelrank.index.SearchSort;
import io.reelrank.index.TypoTolerance;
import io.reelrank.model.ItemVectors;
import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.rerank.Reranker;
import io.reelrank.rerank.Retrieval;
import io.reelrank.rerank.RetrievalSettings;
import io.reelrank.rerank.Retriever;
import io.reelrank.rerank.Weights;
import io.reelrank.service.IndexService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank search QUERY}: search of the movies, printed as a table or JSON. Without a user the
 * candidates (BM25 from the Lucene index under {@code var/index}, with typo tolerance; semantic or
 * hybrid when asked, or when auto sees a description) are ranked with the popularity prior; with
 * {@code --user} they are re-ranked for that user. Without a user the database is opened only when
 * the index is missing or the query needs the movie vectors. A query that does not parse prints the
 * query, a caret and the reason, exit code 2.
 */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = {"Search the movies (Lucene query syntax; docs/search.md): BM25 and the popularity prior, "
                + "re-ranked for --user.",
                "Examples: 'dark knight'  '\"dark knight\"'  'title:matrix AND year:[2000 TO 2020]'",
                "          '(title:lord OR title:king) AND genres:Fantasy'  '-genres:Horror'",
                "          'title:lor*'  'title:matirx~1'  'title:king^2'  'avg_rating:[4 TO *]'",
                "          'space adventure robots'"})
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

    @Option(names = "--json", description = "Print the search JSON ({\"query\", …, \"did_you_mean\", \"retrieval\", "
            + "\"results\": [{rank, movie_id, title, …, retriever}]})")
    boolean json;

    @Option(names = "--min-avg-rating", paramLabel = "X", description = "Only movies with avg_rating >= X (0-5)")
    Double minAvgRating;

    @Mixin
    FilterOptions filterOptions;

    @Option(names = "--explain", description = "Each result's score with its formula and numbers, or with --fusion "
            + "learned the learned score's top reasons (SHAP contributions) (Lucene's BM25 explanation with --fusion "
            + "bm25 or --sort)")
    boolean explain;

    @Option(names = "--sort", paramLabel = "ORDER", defaultValue = "score",
            description = "score (default), avg_rating, year (newest first) or movie_id; ties by score, then movie_id")
    String sort;

    @Option(names = "--user", paramLabel = "ID",
            description = "Re-rank the BM25 candidates for this user (the two-tower model)")
    Integer user;

    @Option(names = "--candidates", paramLabel = "K", defaultValue = "100",
            description = "BM25 candidates to rank (semantic and hybrid retrieval add the 100 nearest movies), 1-"
                    + PersonalizedSearch.MAX_CANDIDATES
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

    @Option(names = "--fusion", paramLabel = "F",
            description = "weighted ((1-α)·((1-π)·mm(bm25) + π·mm(log(1+n))) + α·((1-γ)·mm(cos) + γ·mm(u·v)); without "
                    + "--user (1-π)·mm(bm25) + π·mm(log(1+n)), π " + ANONYMOUS_PI
                    + "), linear ((1-α)·bm25/max_bm25 + α·(cos+1)/2), "
                    + "rrf (Σ 1/(60+rank)), bm25 (the plain BM25 order; with --retrieval semantic or hybrid, that "
                    + "retrieval's order) or, with --user, learned (the trained LambdaMART ranker; weighted without "
                    + "one, for a cold user and for a user unlike those it learned from) (default: learned with "
                            + "--user, "
                    + "weighted without)")
    String fusion;

    @Option(names = "--retrieval", paramLabel = "R", defaultValue = "auto",
            description = "Where candidates come from: bm25; semantic (the query embedded, nearest movie vectors by "
                    + "cosine); hybrid (both, reciprocal rank fusion); auto (hybrid for plain words that no title "
                    + "holds, bm25 otherwise) (default: ${DEFAULT-VALUE})")
    String retrieval;

    @Option(names = "--typos", paramLabel = "on|off", defaultValue = "on",
            description = "on: a bare word the index does not know also matches its near spellings, and \"did you "
                    + "mean\" proposes a correction; off: every word as written (default: ${DEFAULT-VALUE})")
    String typos;

    @Option(names = "--compare", description = "With --user: print the retrieval's list and the personalized list "
            + "side by side")
    boolean compare;

    /** π of a search without a user, as text for the option description. */
    static final String ANONYMOUS_PI = "0.70";

    @Override
    public Integer call() throws Exception {
        RetrievalSettings settings = retrievalSettings();
        if (user != null) {
            return personalized(settings);
        }
        if (compare || alpha != null || popularity != null || collaborative != null) {
            throw CliException.badInput((compare ? "--compare" : alpha != null ? "--alpha" : popularity != null
                    ? "--popularity" : "--collaborative") + " needs --user");
        }
        SearchFilters filters;
        SearchSort order;
        Fusion f;
        try {
            filters = filterOptions.filters(minAvgRating);
            order = SearchSort.fromOption(sort);
            f = fusion == null ? PersonalizedSearch.defaultFusion(user) : Fusion.parse(fusion);
            if (limit < 1 || limit > MovieSearcher.MAX_LIMIT) {
                throw new IllegalArgumentException("limit must be in 1-" + MovieSearcher.MAX_LIMIT + ", got " + limit);
            }
            if (candidates < 1 || candidates > PersonalizedSearch.MAX_CANDIDATES) {
                throw new IllegalArgumentException("candidates must be in 1-" + PersonalizedSearch.MAX_CANDIDATES
                        + ", got " + candidates);
            }
            if (order != SearchSort.SCORE && settings.retrieval() != Retrieval.BM25
                    && settings.retrieval() != Retrieval.AUTO) {
                throw new IllegalArgumentException("sort " + order.optionName() + " orders BM25's matches; it takes "
                        + "--retrieval bm25 or auto, got " + settings.retrieval());
            }
        } catch (IllegalArgumentException e) {
            throw CliException.badInput("--" + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path dir = IndexService.ensure(Home.indexDir(), dbOptions::open, err);
        // The plain BM25 order (fusion bm25, auto meaning bm25 there) or another order: Lucene's own search.
        if (order != SearchSort.SCORE || f == Fusion.BM25 && (settings.retrieval() == Retrieval.BM25
                || settings.retrieval() == Retrieval.AUTO)) {
            return plain(out, err, dir, settings.typos(), filters, order);
        }
        // The movie vectors come from the database, opened only when a query needs the semantic branch.
        ItemVectors[] loaded = {null};
        Supplier<ItemVectors> items = () -> {
            if (loaded[0] == null) {
                try {
                    loaded[0] = Models.items(dbOptions.open());
                } catch (java.sql.SQLException e) {
                    throw new CliException(1, "cannot read the movie vectors: " + e.getMessage());
                }
            }
            return loaded[0];
        };
        PersonalizedSearch.Response response;
        try (MovieSearcher searcher = MovieSearcher.open(dir); QueryEncoder encoder = QueryEncoder.bundled()) {
            Retriever retriever = new Retriever(searcher, items, encoder);
            PersonalizedSearch.Request request = new PersonalizedSearch.Request(query, null, limit, candidates, null, f,
                    filters, settings);
            response = PersonalizedSearch.anonymous(retriever, id -> loaded[0] != null && loaded[0].has(id), request,
                    0);
        } catch (QuerySyntaxException e) {
            err.println(e.render());
            err.flush();
            return 2;
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw CliException.badInput("--" + e.getMessage());
        }
        if (json) {
            out.println(SearchJson.write(SearchJson.of(response, loaded[0] != null), true));
        } else {
            RerankTable.printAnonymous(out, response, explain);
        }
        out.flush();
        return 0;
    }

    /** The BM25 matches in Lucene's order (--sort, or --fusion bm25 with BM25 retrieval): the index alone answers. */
    private Integer plain(PrintWriter out, PrintWriter err, Path dir, TypoTolerance tolerance, SearchFilters filters,
                          SearchSort order) throws Exception {
        SearchResult result;
        String didYouMean;
        List<String> explanations = new ArrayList<>();
        try (MovieSearcher searcher = MovieSearcher.open(dir)) {
            ParsedQuery parsed = searcher.parse(query, tolerance);
            didYouMean = parsed.didYouMean();
            result = searcher.search(parsed, filters, order, limit);
            if (explain) {
                for (SearchHit h : result.hits()) explanations.add(searcher.explain(parsed.query(), h.movieId()));
            }
        } catch (QuerySyntaxException e) {
            err.println(e.render());
            err.flush();
            return 2;
        } catch (IllegalArgumentException e) {
            throw CliException.badInput("--" + e.getMessage());
        }
        if (json) {
            out.println(SearchJson.write(SearchJson.of(result, order == SearchSort.SCORE, explain ? explanations : null,
                    didYouMean), true));
        } else {
            if (didYouMean != null) out.println("did you mean: " + didYouMean);
            printTable(out, result);
            for (int i = 0; i < explanations.size(); i++) {
                SearchHit h = result.hits().get(i);
                out.printf(Locale.ROOT, "%n#%d %d %s%n%s", h.rank(), h.movieId(), h.title(), explanations.get(i));
            }
        }
        out.flush();
        return 0;
    }

    /** --retrieval and --typos, checked. */
    private RetrievalSettings retrievalSettings() {
        try {
            TypoTolerance t = switch (typos.trim().toLowerCase(Locale.ROOT)) {
                case "on" -> TypoTolerance.DEFAULT;
                case "off" -> TypoTolerance.OFF;
                default -> throw new IllegalArgumentException("typos must be on or off, got '" + typos + "'");
            };
            return RetrievalSettings.DEFAULT.withRetrieval(Retrieval.parse(retrieval)).withTypos(t);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput("--" + e.getMessage());
        }
    }

    private Integer personalized(RetrievalSettings settings) throws Exception {
        PersonalizedSearch.Request request;
        try {
            if (!"score".equalsIgnoreCase(sort)) {
                throw new IllegalArgumentException("sort must be score with --user (the re-ranked order), got '"
                        + sort + "'");
            }
            Fusion f = fusion == null ? PersonalizedSearch.defaultFusion(user) : Fusion.parse(fusion);
            if (f != Fusion.WEIGHTED && f != Fusion.LEARNED && (popularity != null || collaborative != null)) {
                throw new IllegalArgumentException(
                        "popularity and --collaborative apply to weighted fusion only, got --fusion " + f);
            }
            Weights d = PersonalizedSearch.defaultWeights(f);
            Weights w = new Weights(alpha != null ? alpha : d.alpha(), popularity != null ? popularity : d.popularity(),
                    collaborative != null ? collaborative : d.collaborative());
            request = new PersonalizedSearch.Request(query, user, limit, candidates, w, f,
                    filterOptions.filters(minAvgRating), settings, explain);
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
                plain = ps.search(new PersonalizedSearch.Request(query, user, limit, candidates, request.weights(),
                        Fusion.BM25, request.filters(), settings));
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
