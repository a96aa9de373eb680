package io.reelrank.http;

import io.javalin.http.Context;
import io.reelrank.index.MovieQueryParser;
import io.reelrank.index.MovieSearcher;
import io.reelrank.index.QuerySyntaxException;
import io.reelrank.index.SearchFilters;
import io.reelrank.index.TypoTolerance;
import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.rerank.Retrieval;
import io.reelrank.rerank.RetrievalSettings;
import io.reelrank.service.ExperimentSearch;
import io.reelrank.service.Experiments;
import io.reelrank.service.RequestLog;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.util.automaton.ByteRunAutomaton;

/**
 * {@code GET /api/search}: decodes the query parameters (each checked against its range, named in
 * the 400 it fails with), runs {@link PersonalizedSearch#search} and answers {@link SearchJson},
 * the same JSON as {@code reelrank search --json} with a {@code request_id}, whose shown movies and
 * served features go to the {@link RequestLog}. {@code retrieval} and {@code typos} override the
 * server's retrieval settings for one request ({@link PersonalizedSearch#retrievalSettings}); without
 * either the request names none and the server's apply (docs/search-quality.md).
 */
final class SearchRoute {

    static final Set<String> PARAMS = Set.of("q", "user", "limit", "candidates", "alpha", "fusion", "explain",
            "retrieval", "typos", "min_avg_rating", "min_ratings", "year_from", "year_to", "genre");
    /** The parser's own limit, checked here first so the 400 names the parameter. */
    static final int MAX_QUERY_CHARS = MovieQueryParser.MAX_QUERY_CHARS;
    static final ParamRules.IntRange LIMIT = new ParamRules.IntRange(1, MovieSearcher.MAX_LIMIT);
    static final ParamRules.IntRange CANDIDATES = new ParamRules.IntRange(1, PersonalizedSearch.MAX_CANDIDATES);
    static final ParamRules.IntRange YEAR = new ParamRules.IntRange(SearchFilters.MIN_YEAR, SearchFilters.MAX_YEAR);
    static final ParamRules.NumberRange WEIGHT = new ParamRules.NumberRange(0, 1);
    static final ParamRules.NumberRange RATING = new ParamRules.NumberRange(0, 5);

    private final PersonalizedSearch search;
    private final RequestLog log;
    private final Experiments.Follower experiments;

    SearchRoute(PersonalizedSearch search, RequestLog log, Experiments.Follower experiments) {
        this.search = search;
        this.log = log;
        this.experiments = experiments;
    }

    /**
     * The answer carries a new {@code request_id}; the request log gets its row once the answer is encoded.
     * A search with a user that names no fusion joins the running experiment ({@link ExperimentSearch}).
     */
    void search(Context ctx) throws Exception {
        RequestParams p = RequestParams.of(ctx, PARAMS);
        PersonalizedSearch.Request r = request(p, search.retrievalSettings());
        long micros = RequestLog.nowMicros();
        String id = RequestLog.newRequestId(micros / 1000);
        ExperimentSearch.Answer answer = ExperimentSearch.search(search, experiments.running(), r,
                p.text("fusion") != null, id, micros);
        SearchJson.Body body = SearchJson.of(answer.response()).withRequestId(id);
        if (answer.experiment() != null) {
            body = body.withExperiment(answer.experiment(), answer.arms(),
                    answer.kind() == Experiments.Kind.INTERLEAVE);
        }
        ctx.json(body);
        // A HEAD's answer has no body, so no client can name its id.
        if (!ctx.method().equals(io.javalin.http.HandlerType.HEAD)) log.log(answer.entry());
    }

    /**
     * The units a search costs ({@link ClientLimits#BASE_COST} plus {@link ClientLimits#searchCost}): its
     * clauses as the parser expands them, each plain term per field one, each clause matching many terms (prefix,
     * wildcard, fuzzy, regular expression, range) per field {@link ClientLimits#MULTI_TERM_COST}, and the
     * candidates re-ranked for a user ({@link CostGate} charges it before the request waits for a worker).
     */
    static long cost(String q, int candidates, boolean personalized) throws QuerySyntaxException {
        long[] clauses = new long[2];
        MovieQueryParser.parseQuery(q).visit(new QueryVisitor() {
            @Override
            public void consumeTerms(Query query, Term... terms) {
                clauses[0] += terms.length;
            }

            @Override
            public void consumeTermsMatching(Query query, String field, Supplier<ByteRunAutomaton> automaton) {
                clauses[1]++;
            }

            @Override
            public QueryVisitor getSubVisitor(BooleanClause.Occur occur, Query parent) {
                return this;
            }
        });
        return ClientLimits.BASE_COST
                + ClientLimits.searchCost(clauses[0], clauses[1], candidates, personalized);
    }

    /** The request the parameters ask for; {@code retrieval} and {@code typos} adjust the server's retrieval. */
    static PersonalizedSearch.Request request(RequestParams p, RetrievalSettings server) {
        String q = p.text("q");
        if (q == null || q.isBlank()) {
            throw ApiError.badParameter("parameter 'q' is required: a query such as lord or "
                    + "title:matrix AND genres:Sci-Fi");
        }
        if (q.length() > MAX_QUERY_CHARS) {
            throw ApiError.badParameter("parameter 'q' must be at most " + MAX_QUERY_CHARS + " characters, got "
                    + q.length());
        }
        Integer user = p.optionalInt("user", ParamRules.IntRange.atLeast(1));
        int limit = p.intIn("limit", 10, LIMIT);
        int candidates = p.intIn("candidates", PersonalizedSearch.DEFAULT_CANDIDATES, CANDIDATES);
        Fusion fusion = p.converted("fusion", Fusion.class, PersonalizedSearch.defaultFusion(user),
                "weighted, linear, rrf, bm25 or learned");
        double alpha = p.numberIn("alpha", PersonalizedSearch.defaultWeights(fusion).alpha(), WEIGHT);
        Retrieval retrieval = p.converted("retrieval", Retrieval.class, null, "bm25, semantic, hybrid or auto");
        Boolean typos = onOff(p.text("typos"));
        Double minAvg = p.optionalNumber("min_avg_rating", RATING);
        // A learned score's reasons cost a native call per page, so they are computed only when asked for.
        String e = p.text("explain");
        if (e != null && !e.equals("true") && !e.equals("false")) {
            throw ApiError.badParameter("parameter 'explain' must be true or false, got '" + e + "'");
        }
        PersonalizedSearch.Request r = new PersonalizedSearch.Request(q, user, limit, candidates, alpha, fusion,
                filters(p, minAvg)).withExplain("true".equals(e));
        if (retrieval == null && typos == null) return r;
        RetrievalSettings s = server;
        if (retrieval != null) s = s.withRetrieval(retrieval);
        if (typos != null) s = s.withTypos(typos ? TypoTolerance.DEFAULT : TypoTolerance.OFF);
        return r.withRetrieval(s);
    }

    /** The {@code typos} parameter: {@code on} or {@code off} (any case, blanks around ignored), null when absent. */
    private static Boolean onOff(String raw) {
        if (raw == null) return null;
        return switch (raw.trim().toLowerCase(Locale.ROOT)) {
            case "on" -> true;
            case "off" -> false;
            default -> throw ApiError.badParameter("parameter 'typos' must be on or off, got '" + raw + "'");
        };
    }

    /** min_ratings, year_from, year_to and genre (repeatable), checked; {@code minAvg} as given. */
    static SearchFilters filters(RequestParams p, Double minAvg) {
        Integer minRatings = p.optionalInt("min_ratings", ParamRules.IntRange.atLeast(0));
        Integer yearFrom = p.optionalInt("year_from", YEAR);
        Integer yearTo = p.optionalInt("year_to", YEAR);
        if (yearFrom != null && yearTo != null && yearFrom > yearTo) {
            throw ApiError.badParameter("parameter 'year_from' must not be after 'year_to', got " + yearFrom + " > "
                    + yearTo);
        }
        List<String> genres = p.all("genre");
        for (String g : genres) {
            if (g.isBlank()) throw ApiError.badParameter("parameter 'genre' must not be empty (see GET /api/genres)");
        }
        return new SearchFilters(minAvg, minRatings, yearFrom, yearTo, genres);
    }
}
