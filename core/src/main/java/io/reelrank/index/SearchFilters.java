package io.reelrank.index;

import java.util.List;

/**
 * Conditions a movie must meet besides matching the query, the equivalent of the original design's
 * SQL over {@code movie_stats}: {@code avg_rating >= minAvgRating AND rating_count >= minRatings AND
 * year BETWEEN yearFrom AND yearTo}, and every genre in {@code genres}. Null means no condition. They
 * filter without scoring: a hit's BM25 is the same with or without them. The constructor rejects
 * out-of-range values with a message naming the CLI option, its allowed range and the value.
 */
public record SearchFilters(Double minAvgRating, Integer minRatings, Integer yearFrom, Integer yearTo,
        List<String> genres) {

    public static final SearchFilters NONE = new SearchFilters(null, null, null, null, List.of());

    public static final int MIN_YEAR = 1800;
    public static final int MAX_YEAR = 2100;

    public SearchFilters {
        genres = genres == null ? List.of() : List.copyOf(genres);
        if (minAvgRating != null && !(minAvgRating >= 0 && minAvgRating <= 5)) {
            throw new IllegalArgumentException("min-avg-rating must be in 0-5, got " + minAvgRating);
        }
        if (minRatings != null && minRatings < 0) {
            throw new IllegalArgumentException("min-ratings must be 0 or more, got " + minRatings);
        }
        checkYear("year-from", yearFrom);
        checkYear("year-to", yearTo);
        if (yearFrom != null && yearTo != null && yearFrom > yearTo) {
            throw new IllegalArgumentException("year-from must not be after year-to, got " + yearFrom + " > " + yearTo);
        }
        for (String g : genres) {
            if (g == null || g.isBlank()) throw new IllegalArgumentException("genre must not be empty");
        }
    }

    private static void checkYear(String name, Integer y) {
        if (y != null && (y < MIN_YEAR || y > MAX_YEAR)) {
            throw new IllegalArgumentException(name + " must be in " + MIN_YEAR + "-" + MAX_YEAR + ", got " + y);
        }
    }

    public boolean isEmpty() {
        return minAvgRating == null && minRatings == null && yearFrom == null && yearTo == null && genres.isEmpty();
    }
}
