package io.reelrank.cli;

import io.reelrank.index.SearchFilters;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The movie filters {@code search} and {@code recommend} share: rating count, year range and genres.
 * {@link #filters} builds them, with {@code SearchFilters}' checks (their messages name the option).
 */
final class FilterOptions {

    @Option(names = "--min-ratings", paramLabel = "N", description = "Only movies with rating_count >= N (0 or more)")
    Integer minRatings;

    @Option(names = "--year-from", paramLabel = "Y", description = "Only movies from year Y on ("
            + SearchFilters.MIN_YEAR + "-" + SearchFilters.MAX_YEAR + ")")
    Integer yearFrom;

    @Option(names = "--year-to", paramLabel = "Y", description = "Only movies up to year Y ("
            + SearchFilters.MIN_YEAR + "-" + SearchFilters.MAX_YEAR + ")")
    Integer yearTo;

    @Option(names = "--genre", paramLabel = "G", description = "Only movies with genre G (repeatable: all must match)")
    List<String> genres = new ArrayList<>();

    /** The filters with {@code minAvgRating} (null: none); IllegalArgumentException on a bad value. */
    SearchFilters filters(Double minAvgRating) {
        return new SearchFilters(minAvgRating, minRatings, yearFrom, yearTo, genres);
    }
}
