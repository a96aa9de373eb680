package io.reelrank.http;

import io.reelrank.db.Catalog;
import io.reelrank.db.Database;
import io.reelrank.embed.SimilarMovies;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The catalog routes, read straight from PostgreSQL: {@code GET /api/movies/{id}} (the row, its
 * statistics and most frequent tags), {@code GET /api/movies/{id}/similar} (nearest movies by
 * embedding, {@link SimilarMovies}) and {@code GET /api/genres} (every genre with its movie count).
 */
final class CatalogRoutes {

    static final int MAX_ID = Integer.MAX_VALUE;
    static final int TOP_TAGS = 10;

    private final Database db;

    CatalogRoutes(Database db) {
        this.db = db;
    }

    Reply movie(Call c) throws Exception {
        Params.onlyKnown(c, Set.of());
        int id = Params.parseInt("id", c.path("id"), 1, MAX_ID);
        Map<String, Object> m = new LinkedHashMap<>();
        try (Connection conn = db.connect()) {
            Catalog.Movie mv = Catalog.movie(conn, id).orElseThrow(() -> ApiError.notFound("no movie with movie_id " + id));
            m.put("movie_id", mv.movieId());
            m.put("title", mv.title());
            m.put("year", mv.year());
            m.put("genres", mv.genres());
            m.put("imdb_id", mv.imdbId());
            m.put("tmdb_id", mv.tmdbId());
            m.put("avg_rating", mv.avgRating());
            m.put("rating_count", mv.ratingCount());
            m.put("has_embedding", mv.hasEmbedding());
            List<Map<String, Object>> tags = new ArrayList<>();
            for (Catalog.TagCount t : Catalog.topTags(conn, id, TOP_TAGS)) tags.add(Map.of("tag", t.tag(), "count", t.count()));
            m.put("top_tags", tags);
        }
        return Json.reply(m);
    }

    Reply similar(Call c) throws Exception {
        Params.onlyKnown(c, Set.of("limit"));
        int id = Params.parseInt("id", c.path("id"), 1, MAX_ID);
        int limit = Params.intIn("limit", c.param("limit"), 10, 1, SimilarMovies.MAX_LIMIT);
        List<SimilarMovies.Neighbor> found;
        try (Connection conn = db.connect()) {
            found = SimilarMovies.find(conn, id, limit);
        } catch (IllegalArgumentException e) {
            throw ApiError.notFound(e.getMessage());
        } catch (IllegalStateException e) {
            throw new ApiError(409, "no embedding", e.getMessage());
        }
        List<Map<String, Object>> out = new ArrayList<>(found.size());
        int rank = 0;
        for (SimilarMovies.Neighbor n : found) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rank", ++rank);
            m.put("movie_id", n.movieId());
            m.put("title", n.title());
            m.put("year", n.year());
            m.put("similarity", n.similarity());
            out.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("movie_id", id);
        body.put("results", out);
        return Json.reply(body);
    }

    Reply genres(Call c) throws Exception {
        Params.onlyKnown(c, Set.of());
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection conn = db.connect()) {
            for (Catalog.GenreCount g : Catalog.genres(conn)) out.add(Map.of("genre", g.genre(), "movies", g.movies()));
        }
        return Json.reply(Map.of("genres", out));
    }
}
