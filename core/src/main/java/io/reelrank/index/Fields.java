package io.reelrank.index;

import java.util.List;
import java.util.Set;

/**
 * The names and kinds of the Lucene fields a movie document has, shared by the writer, the query
 * parser and the searcher so that a field is spelled, analysed and typed the same way in all three.
 */
public final class Fields {

    private Fields() {}

    static final String MOVIE_ID = "movie_id";
    public static final String TITLE = "title";
    static final String YEAR = "year";
    static final String GENRES = "genres";
    static final String IMDB_ID = "imdb_id";
    static final String TMDB_ID = "tmdb_id";
    static final String TAGS = "tags";
    static final String AVG_RATING = "avg_rating";
    static final String RATING_COUNT = "rating_count";
    /** Doc values only, not queryable: lets {@code index --check} count the tags the index holds. */
    static final String TAG_COUNT = "tag_count";

    /** Integer fields: indexed as points (ranges, exact match), kept as doc values (sorting). */
    static final Set<String> INT_FIELDS = Set.of(MOVIE_ID, YEAR, TMDB_ID, RATING_COUNT);
    /** Decimal fields, same treatment as the integer ones. */
    static final Set<String> DOUBLE_FIELDS = Set.of(AVG_RATING);

    /** Every field a query may name, in the order error messages list them. */
    static final List<String> QUERYABLE = List.of(TITLE, TAGS, GENRES, YEAR, AVG_RATING, RATING_COUNT,
            MOVIE_ID, IMDB_ID, TMDB_ID);

    static boolean isNumeric(String field) {
        return INT_FIELDS.contains(field) || DOUBLE_FIELDS.contains(field);
    }
}
