package io.reelrank.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.reelrank.db.Database;
import io.reelrank.db.RatingSource;
import io.reelrank.index.SearchFilters;
import io.reelrank.recommend.RecommendJson;
import io.reelrank.recommend.Recommender;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.service.RatingService;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The user routes: {@code GET /api/users} (the test users and the most active real users, for the
 * page's picker), {@code GET /api/users/{id}} (rating count, whether the user has an embedding, top
 * genres), {@code GET /api/users/{id}/recommendations} ({@link Recommender}) and
 * {@code POST /api/users/{id}/ratings} (a strict JSON body, stored through {@link RatingService#rate}:
 * the rating, the movie's statistics, the user's content vector, the user folded into the active
 * collaborative model, the index entry and the notification; then the cached vectors are dropped so
 * the very next search uses the new ones).
 */
final class UserRoutes {

    static final int TOP_GENRES = 5;

    private final Database db;
    private final PersonalizedSearch search;
    private final RatingService ratings;

    UserRoutes(Database db, PersonalizedSearch search, RatingService ratings) {
        this.db = db;
        this.search = search;
        this.ratings = ratings;
    }

    Reply list(Call c) throws Exception {
        Params.onlyKnown(c, Set.of("limit"));
        int limit = Params.intIn("limit", c.param("limit"), 20, 1, 1000);
        Map<String, Object> body = new LinkedHashMap<>();
        try (Connection conn = db.connect()) {
            body.put("test_users", users(conn, "t.user_id IS NOT NULL ORDER BY u.user_id", null));
            body.put("users", users(conn, "t.user_id IS NULL ORDER BY ratings DESC, u.user_id LIMIT ?", limit));
        }
        return Json.reply(body);
    }

    private static List<Map<String, Object>> users(Connection conn, String where, Integer limit) throws Exception {
        String sql = "SELECT u.user_id, t.name, (SELECT count(*) FROM ratings r WHERE r.user_id = u.user_id) AS ratings, "
                + "u.embedding IS NOT NULL FROM users u LEFT JOIN test_users t ON t.user_id = u.user_id WHERE " + where;
        List<Map<String, Object>> out = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            if (limit != null) ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("user_id", rs.getInt(1));
                    m.put("name", rs.getString(2));
                    m.put("rating_count", rs.getLong(3));
                    m.put("has_embedding", rs.getBoolean(4));
                    out.add(m);
                }
            }
        }
        return out;
    }

    Reply user(Call c) throws Exception {
        Params.onlyKnown(c, Set.of());
        int id = Params.parseInt("id", c.path("id"), 1, Integer.MAX_VALUE);
        Map<String, Object> m = new LinkedHashMap<>();
        try (Connection conn = db.connect()) {
            try (PreparedStatement ps = conn.prepareStatement("SELECT u.user_id, t.name, u.embedding IS NOT NULL, "
                    + "u.updated_at, (SELECT count(*) FROM ratings r WHERE r.user_id = u.user_id), "
                    + "(SELECT round(avg(rating), 2) FROM ratings r WHERE r.user_id = u.user_id) "
                    + "FROM users u LEFT JOIN test_users t ON t.user_id = u.user_id WHERE u.user_id = ?")) {
                ps.setInt(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw ApiError.notFound("no user with user_id " + id + " (posting a rating creates one)");
                    m.put("user_id", rs.getInt(1));
                    m.put("name", rs.getString(2));
                    m.put("has_embedding", rs.getBoolean(3));
                    m.put("updated_at", rs.getTimestamp(4).toInstant().toString());
                    m.put("rating_count", rs.getLong(5));
                    m.put("mean_rating", rs.getBigDecimal(6));
                }
            }
            // Genres by how many of the user's ratings they cover, with the mean rating given, so a
            // hater's top genre shows as such (Fantasy, 50 ratings, mean 1.0).
            try (PreparedStatement ps = conn.prepareStatement("SELECT g, count(*) AS n, round(avg(r.rating), 2) "
                    + "FROM ratings r JOIN movies mv ON mv.movie_id = r.movie_id, unnest(mv.genres) AS g "
                    + "WHERE r.user_id = ? GROUP BY g ORDER BY n DESC, g LIMIT " + TOP_GENRES)) {
                ps.setInt(1, id);
                List<Map<String, Object>> genres = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> g = new LinkedHashMap<>();
                        g.put("genre", rs.getString(1));
                        g.put("ratings", rs.getInt(2));
                        g.put("mean_rating", rs.getBigDecimal(3));
                        genres.add(g);
                    }
                }
                m.put("top_genres", genres);
            }
        }
        return Json.reply(m);
    }

    /** {@code GET /api/users/{id}/recommendations}: {@link Recommender} with the page's filters. */
    Reply recommendations(Call c) throws Exception {
        Params.onlyKnown(c, Set.of("limit", "genre", "year_from", "year_to", "min_ratings"));
        int id = Params.parseInt("id", c.path("id"), 1, Integer.MAX_VALUE);
        int limit = Params.intIn("limit", c.param("limit"), 20, 1, Recommender.MAX_LIMIT);
        SearchFilters filters = SearchRoute.filters(c, null);
        Recommender.Response r;
        try (Connection conn = db.connect()) {
            r = Recommender.recommend(conn, search.items(), new Recommender.Request(id, limit, filters, false));
        }
        return Reply.json(RecommendJson.write(r, false).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    Reply rate(Call c) throws Exception {
        Params.onlyKnown(c, Set.of());
        int user = Params.parseInt("id", c.path("id"), 1, Integer.MAX_VALUE);
        JsonNode body = c.json();
        if (body == null || !body.isObject()) {
            throw new ApiError(400, "bad body", "request body must be a JSON object {\"movie_id\": 4993, \"rating\": 4.5}");
        }
        JsonNode movie = body.get("movie_id");
        JsonNode rating = body.get("rating");
        if (movie == null || !movie.canConvertToInt() || !movie.isIntegralNumber() || movie.asInt() < 1) {
            throw ApiError.badParameter("field 'movie_id' must be a positive integer, got " + movie);
        }
        if (rating == null || !rating.isNumber()) {
            throw ApiError.badParameter("field 'rating' must be a number in 0.5-5.0 in steps of 0.5, got " + rating);
        }
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("movie_id") && !f.equals("rating")) {
                throw ApiError.badParameter("unknown field '" + f + "'; allowed: movie_id, rating");
            }
        }
        RatingService.Stored r = ratings.rate(user, movie.asInt(), rating.asDouble(), RatingSource.API);
        if (r.foldIn() != null) search.offerModel(r.foldIn().model());
        search.invalidateUser(user);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user_id", user);
        m.put("movie_id", movie.asInt());
        m.put("title", r.title());
        m.put("rating", rating.asDouble());
        m.put("replaced", r.replaced());
        m.put("has_embedding", r.vector() != null);
        m.put("has_collaborative", r.foldIn() != null && r.foldIn().vector() != null);
        return Json.reply(m);
    }
}
