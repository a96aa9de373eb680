package io.reelrank.http;

import io.reelrank.db.Database;
import io.reelrank.embed.SimilarMovies;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
        try (Connection conn = db.connect();
             PreparedStatement ps = conn.prepareStatement("SELECT movie_id, title, year, genres, imdb_id, tmdb_id, "
                     + "avg_rating, rating_count, embedding IS NOT NULL FROM movies WHERE movie_id = ?")) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw ApiError.notFound("no movie with movie_id " + id);
                m.put("movie_id", rs.getInt(1));
                m.put("title", rs.getString(2));
                m.put("year", rs.getObject(3));
                m.put("genres", strings(rs.getArray(4)));
                m.put("imdb_id", rs.getString(5));
                m.put("tmdb_id", rs.getObject(6));
                m.put("avg_rating", rs.getBigDecimal(7));
                m.put("rating_count", rs.getInt(8));
                m.put("has_embedding", rs.getBoolean(9));
            }
            try (PreparedStatement t = conn.prepareStatement("SELECT tag, count(*) AS n FROM tags WHERE movie_id = ? "
                    + "GROUP BY tag ORDER BY n DESC, tag LIMIT " + TOP_TAGS)) {
                t.setInt(1, id);
                List<Map<String, Object>> tags = new ArrayList<>();
                try (ResultSet rs = t.executeQuery()) {
                    while (rs.next()) tags.add(Map.of("tag", rs.getString(1), "count", rs.getInt(2)));
                }
                m.put("top_tags", tags);
            }
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
        try (Connection conn = db.connect();
             PreparedStatement ps = conn.prepareStatement(
                     "SELECT g, count(*) FROM movies, unnest(genres) AS g GROUP BY g ORDER BY g");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(Map.of("genre", rs.getString(1), "movies", rs.getInt(2)));
        }
        return Json.reply(Map.of("genres", out));
    }

    static List<String> strings(Array a) throws java.sql.SQLException {
        if (a == null) return List.of();
        return List.of((String[]) a.getArray());
    }
}
