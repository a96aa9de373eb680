package io.reelrank.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.reelrank.db.Catalog;
import io.reelrank.db.Database;
import io.reelrank.db.RatingSource;
import io.reelrank.index.SearchFilters;
import io.reelrank.recommend.Recommender;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.service.RatingService;
import java.sql.Connection;
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
            body.put("test_users", users(Catalog.testUsers(conn)));
            body.put("users", users(Catalog.mostActiveUsers(conn, limit)));
        }
        return Json.reply(body);
    }

    private static List<Map<String, Object>> users(List<Catalog.UserSummary> users) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Catalog.UserSummary u : users) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("user_id", u.userId());
            m.put("name", u.name());
            m.put("rating_count", u.ratingCount());
            m.put("has_embedding", u.hasEmbedding());
            out.add(m);
        }
        return out;
    }

    Reply user(Call c) throws Exception {
        Params.onlyKnown(c, Set.of());
        int id = Params.parseInt("id", c.path("id"), 1, Integer.MAX_VALUE);
        Map<String, Object> m = new LinkedHashMap<>();
        try (Connection conn = db.connect()) {
            Catalog.UserProfile u = Catalog.user(conn, id)
                    .orElseThrow(() -> ApiError.notFound("no user with user_id " + id + " (posting a rating creates one)"));
            m.put("user_id", u.userId());
            m.put("name", u.name());
            m.put("has_embedding", u.hasEmbedding());
            m.put("updated_at", u.updatedAt().toString());
            m.put("rating_count", u.ratingCount());
            m.put("mean_rating", u.meanRating());
            List<Map<String, Object>> genres = new ArrayList<>();
            for (Catalog.UserGenre g : Catalog.userGenres(conn, id, TOP_GENRES)) {
                Map<String, Object> gm = new LinkedHashMap<>();
                gm.put("genre", g.genre());
                gm.put("ratings", g.ratings());
                gm.put("mean_rating", g.meanRating());
                genres.add(gm);
            }
            m.put("top_genres", genres);
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
