package io.reelrank.index;

import java.util.Locale;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;

/**
 * The orders a result list can take. Every order ends with BM25 score (descending) and then
 * movie_id (ascending), so equal keys never leave the order to Lucene's document numbering, which
 * changes with every rebuild (Anserini breaks score ties by document id for the same reason).
 */
public enum SearchSort {
    /** BM25 score, highest first. */
    SCORE,
    /** Average rating, highest first; unrated movies last. */
    AVG_RATING,
    /** Year, newest first; movies without a year last. */
    YEAR,
    /** movie_id ascending. */
    MOVIE_ID;

    public String optionName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Accepts the option spelling ({@code avg_rating}); says what is allowed otherwise. */
    public static SearchSort fromOption(String s) {
        for (SearchSort v : values()) {
            if (v.optionName().equalsIgnoreCase(s)) return v;
        }
        throw new IllegalArgumentException("sort must be one of score, avg_rating, year, movie_id, got '" + s + "'");
    }

    Sort luceneSort() {
        SortField byId = new SortField(Fields.MOVIE_ID, SortField.Type.INT);
        return switch (this) {
            case SCORE -> new Sort(SortField.FIELD_SCORE, byId);
            case AVG_RATING -> {
                SortField f = new SortField(Fields.AVG_RATING, SortField.Type.DOUBLE, true);
                f.setMissingValue(Double.NEGATIVE_INFINITY);
                yield new Sort(f, SortField.FIELD_SCORE, byId);
            }
            case YEAR -> {
                SortField f = new SortField(Fields.YEAR, SortField.Type.INT, true);
                f.setMissingValue(Integer.MIN_VALUE);
                yield new Sort(f, SortField.FIELD_SCORE, byId);
            }
            case MOVIE_ID -> new Sort(byId);
        };
    }
}
