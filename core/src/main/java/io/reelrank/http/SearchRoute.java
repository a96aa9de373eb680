package io.reelrank.http;

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

    static final Set<String> PARAMS = Set.of("q", "user", "limit", "candidates", "alpha", "fusion", "min_avg_rating",
            "min_ratings", "year_from", "year_to", "genre");
    /** The parser's own limit, checked here first so the 400 names the parameter. */
    static final int MAX_QUERY_CHARS = MovieQueryParser.MAX_QUERY_CHARS;

    private final PersonalizedSearch search;

    SearchRoute(PersonalizedSearch search) {
        this.search = search;
    }

    Reply search(Call c) throws Exception {
        return Json.reply(SearchJson.of(search.search(request(c))));
    }

    static PersonalizedSearch.Request request(Call c) {
        Params.onlyKnown(c, PARAMS);
        String q = c.param("q");
        if (q == null || q.isBlank()) {
            throw ApiError.badParameter("parameter 'q' is required: a query such as lord or title:matrix AND genres:Sci-Fi");
        }
        if (q.length() > MAX_QUERY_CHARS) {
            throw ApiError.badParameter("parameter 'q' must be at most " + MAX_QUERY_CHARS + " characters, got " + q.length());
        }
        Integer user = Params.optionalIntIn("user", c.param("user"), 1, Integer.MAX_VALUE);
        int limit = Params.intIn("limit", c.param("limit"), 10, 1, MovieSearcher.MAX_LIMIT);
        int candidates = Params.intIn("candidates", c.param("candidates"), PersonalizedSearch.DEFAULT_CANDIDATES, 1,
                PersonalizedSearch.MAX_CANDIDATES);
        Fusion fusion = PersonalizedSearch.DEFAULT_FUSION;
        String f = c.param("fusion");
        if (f != null) {
            try {
                fusion = Fusion.parse(f);
            } catch (IllegalArgumentException e) {
                throw ApiError.badParameter("parameter 'fusion' must be weighted, linear or rrf, got '" + f + "'");
            }
        }
        double alpha = Params.doubleIn("alpha", c.param("alpha"), PersonalizedSearch.defaultWeights(fusion).alpha(), 0, 1);
        Double minAvg = Params.optionalDoubleIn("min_avg_rating", c.param("min_avg_rating"), 0, 5);
        return new PersonalizedSearch.Request(q, user, limit, candidates, alpha, fusion, filters(c, minAvg));
    }

    /** min_ratings, year_from, year_to and genre (repeatable), checked; {@code minAvg} as given. */
    static SearchFilters filters(Call c, Double minAvg) {
        Integer minRatings = Params.optionalIntIn("min_ratings", c.param("min_ratings"), 0, Integer.MAX_VALUE);
        Integer yearFrom = Params.optionalIntIn("year_from", c.param("year_from"), SearchFilters.MIN_YEAR, SearchFilters.MAX_YEAR);
        Integer yearTo = Params.optionalIntIn("year_to", c.param("year_to"), SearchFilters.MIN_YEAR, SearchFilters.MAX_YEAR);
        if (yearFrom != null && yearTo != null && yearFrom > yearTo) {
            throw ApiError.badParameter("parameter 'year_from' must not be after 'year_to', got " + yearFrom + " > " + yearTo);
        }
        List<String> genres = c.params("genre");
        for (String g : genres) {
            if (g.isBlank()) throw ApiError.badParameter("parameter 'genre' must not be empty (see GET /api/genres)");
        }
        return new SearchFilters(minAvg, minRatings, yearFrom, yearTo, genres);
    }
}
