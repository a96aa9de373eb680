package io.reelrank.index;

import java.util.List;
import java.util.Objects;

/**
 * One movie as the index sees it: a row of {@code movies} plus the text of its user tags. Nullable
 * fields are the ones the table allows to be null; {@code genres} and {@code tags} are never null.
 */
public record MovieRecord(int movieId, String title, Integer year, String imdbId, Integer tmdbId,
        List<String> genres, List<String> tags, Double avgRating, int ratingCount) {

    public MovieRecord {
        Objects.requireNonNull(title, "title");
        genres = genres == null ? List.of() : List.copyOf(genres);
        tags = tags == null ? List.of() : List.copyOf(tags);
    }
}
