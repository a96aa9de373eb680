package io.reelrank.index;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DocumentStoredFieldVisitor;
import org.apache.lucene.document.DoubleDocValuesField;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.StoredFields;

/**
 * Converts between {@link MovieRecord} and Lucene documents. Numeric fields get a point (ranges and
 * exact matches), doc values (sorting) and a stored copy (display); text fields are indexed from
 * their searchable form and stored as the table has them.
 */
final class MovieDocuments {

    private MovieDocuments() {}

    static Document toDocument(MovieRecord m) {
        Document d = new Document();
        addInt(d, Fields.MOVIE_ID, m.movieId());
        d.add(new TextField(Fields.TITLE, TitleText.searchable(m.title()), Field.Store.NO));
        d.add(new StoredField(Fields.TITLE, m.title()));
        if (m.year() != null) addInt(d, Fields.YEAR, m.year());
        for (String g : m.genres()) {
            d.add(new TextField(Fields.GENRES, g, Field.Store.YES));
        }
        if (m.imdbId() != null) d.add(new TextField(Fields.IMDB_ID, m.imdbId(), Field.Store.YES));
        if (m.tmdbId() != null) addInt(d, Fields.TMDB_ID, m.tmdbId());
        for (String t : m.tags()) {
            d.add(new TextField(Fields.TAGS, t, Field.Store.YES));
        }
        if (m.avgRating() != null) {
            d.add(new DoublePoint(Fields.AVG_RATING, m.avgRating()));
            d.add(new DoubleDocValuesField(Fields.AVG_RATING, m.avgRating()));
            d.add(new StoredField(Fields.AVG_RATING, m.avgRating()));
        }
        addInt(d, Fields.RATING_COUNT, m.ratingCount());
        d.add(new NumericDocValuesField(Fields.TAG_COUNT, m.tags().size()));
        return d;
    }

    private static void addInt(Document d, String field, int value) {
        d.add(new IntPoint(field, value));
        d.add(new NumericDocValuesField(field, value));
        d.add(new StoredField(field, value));
    }

    /** Every stored field but the tags: what a page of results shows. */
    private static final java.util.Set<String> DISPLAY = java.util.Set.of(Fields.MOVIE_ID, Fields.TITLE, Fields.YEAR,
            Fields.GENRES, Fields.IMDB_ID, Fields.TMDB_ID, Fields.AVG_RATING, Fields.RATING_COUNT);

    /** Reads back the stored fields of one document. */
    static MovieRecord fromStored(StoredFields stored, int doc) throws IOException {
        return fromDocument(stored.document(doc));
    }

    /** Reads back one document's stored fields except its tags ({@code tags} empty), which it skips unread. */
    static MovieRecord displayFromStored(StoredFields stored, int doc) throws IOException {
        DocumentStoredFieldVisitor v = new DocumentStoredFieldVisitor(DISPLAY);
        stored.document(doc, v);
        return fromDocument(v.getDocument());
    }

    private static MovieRecord fromDocument(Document d) {
        List<String> genres = new ArrayList<>();
        for (IndexableField f : d.getFields(Fields.GENRES)) genres.add(f.stringValue());
        List<String> tags = new ArrayList<>();
        for (IndexableField f : d.getFields(Fields.TAGS)) tags.add(f.stringValue());
        return new MovieRecord(intOf(d, Fields.MOVIE_ID), d.get(Fields.TITLE), intOrNull(d, Fields.YEAR),
                d.get(Fields.IMDB_ID), intOrNull(d, Fields.TMDB_ID), genres, tags,
                d.getField(Fields.AVG_RATING) == null ? null
                        : d.getField(Fields.AVG_RATING).numericValue().doubleValue(),
                intOf(d, Fields.RATING_COUNT));
    }

    private static int intOf(Document d, String field) {
        Integer v = intOrNull(d, field);
        return v == null ? 0 : v;
    }

    private static Integer intOrNull(Document d, String field) {
        IndexableField f = d.getField(field);
        return f == null || f.numericValue() == null ? null : f.numericValue().intValue();
    }
}
