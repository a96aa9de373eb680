package io.reelrank.rerank;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON form of a {@link PersonalizedSearch.Response}, written in one place so that
 * {@code reelrank search --json} and {@code GET /api/search} answer byte for byte alike:
 * {@code {"query", "user", "personalized", "cold_user", "fusion", "alpha", "candidates",
 * "total_matches", "results": [{"rank", "movie_id", "title", "year", "genres", "bm25", "bm25_rank",
 * "movement", "similarity", "score", "has_embedding", "explanation"}]}}. {@code user}, {@code year}
 * and {@code similarity} are null when absent; {@code movement} is {@code bm25_rank − rank}
 * (positive = moved up). Streams with Jackson's generator, no tree, since it is on every search.
 */
public final class SearchJson {

    private static final JsonFactory FACTORY = new JsonFactory();

    private SearchJson() {}

    public static byte[] bytes(PersonalizedSearch.Response r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + 320 * r.results().size());
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            write(r, g);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write search JSON", e);
        }
        return out.toByteArray();
    }

    public static String string(PersonalizedSearch.Response r) {
        return new String(bytes(r), java.nio.charset.StandardCharsets.UTF_8);
    }

    public static void write(PersonalizedSearch.Response r, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("query", r.query());
        if (r.user() == null) g.writeNullField("user"); else g.writeNumberField("user", r.user());
        g.writeBooleanField("personalized", r.personalized());
        g.writeBooleanField("cold_user", r.coldUser());
        g.writeStringField("fusion", r.fusion().toString());
        g.writeNumberField("alpha", r.alpha());
        g.writeNumberField("candidates", r.candidates());
        g.writeNumberField("total_matches", r.totalMatches());
        g.writeArrayFieldStart("results");
        for (PersonalizedSearch.Result x : r.results()) {
            g.writeStartObject();
            g.writeNumberField("rank", x.rank());
            g.writeNumberField("movie_id", x.movieId());
            g.writeStringField("title", x.title());
            if (x.year() == null) g.writeNullField("year"); else g.writeNumberField("year", x.year());
            g.writeArrayFieldStart("genres");
            for (String genre : x.genres()) g.writeString(genre);
            g.writeEndArray();
            g.writeNumberField("bm25", x.bm25());
            g.writeNumberField("bm25_rank", x.bm25Rank());
            g.writeNumberField("movement", x.movement());
            if (x.similarity() == null) g.writeNullField("similarity"); else g.writeNumberField("similarity", x.similarity());
            g.writeNumberField("score", x.score());
            g.writeBooleanField("has_embedding", x.hasEmbedding());
            g.writeStringField("explanation", x.explanation());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }
}
