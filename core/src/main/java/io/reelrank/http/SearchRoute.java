package io.reelrank.http;

import io.javalin.http.Context;
import io.reelrank.index.MovieQueryParser;
import io.reelrank.index.MovieSearcher;
import io.reelrank.index.SearchFilters;
import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.PersonalizedSearch;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /api/search}: decodes the query parameters (each checked against its range, named in
 * the 400 it fails with), runs {@link PersonalizedSearch#search} and answers {@link SearchJson},
 * the same JSON as {@code reelrank search --json}.
 */
final class SearchRoute {

    static final Set<String> PARAMS = Set.of("q", "user", "limit", "candidates", "alpha", "fusion", "explain",
            "min_avg_rating", "min_ratings", "year_from", "year_to", "genre");
    /** The parser's own limit, checked here first so the 400 names the parameter. */
    static final int MAX_QUERY_CHARS = MovieQueryParser.MAX_QUERY_CHARS;
    static final ParamRules.IntRange LIMIT = new ParamRules.IntRange(1, MovieSearcher.MAX_LIMIT);
    static final ParamRules.IntRange CANDIDATES = new ParamRules.IntRange(1, PersonalizedSearch.MAX_CANDIDATES);
    static final ParamRules.IntRange YEAR = new ParamRules.IntRange(SearchFilters.MIN_YEAR, SearchFilters.MAX_YEAR);
    static final ParamRules.NumberRange WEIGHT = new ParamRules.NumberRange(0, 1);
    static final ParamRules.NumberRange RATING = new ParamRules.NumberRange(0, 5);

    private final PersonalizedSearch search;

    SearchRoute(PersonalizedSearch search) {
        this.search = search;
    }

    void search(Context ctx) throws Exception {
        ctx.json(SearchJson.of(search.search(request(RequestParams.of(ctx, PARAMS)))));
    }

    static PersonalizedSearch.Request request(RequestParams p) {
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
        Fusion fusion = p.converted("fusion", Fusion.class, PersonalizedSearch.DEFAULT_FUSION,
                "learned, weighted, linear or rrf");
        double alpha = p.numberIn("alpha", PersonalizedSearch.defaultWeights(fusion).alpha(), WEIGHT);
        Double minAvg = p.optionalNumber("min_avg_rating", RATING);
        // A learned score's reasons cost a native call per page, so they are computed only when asked for.
        String e = p.text("explain");
        if (e != null && !e.equals("true") && !e.equals("false")) {
            throw ApiError.badParameter("parameter 'explain' must be true or false, got '" + e + "'");
        }
        return new PersonalizedSearch.Request(q, user, limit, candidates, alpha, fusion, filters(p, minAvg))
                .withExplain("true".equals(e));
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
