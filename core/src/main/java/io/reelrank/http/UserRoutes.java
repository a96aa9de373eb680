package io.reelrank.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.javalin.http.Context;
import io.reelrank.db.Catalog;
import io.reelrank.db.Database;
import io.reelrank.db.RatingSource;
import io.reelrank.index.SearchFilters;
import io.reelrank.recommend.Recommender;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.service.RatingService;
import io.reelrank.service.RequestLog;
import java.math.BigDecimal;
import java.sql.Connection;
import java.util.List;
import java.util.Set;

/**
 * The user routes: {@code GET /api/users} (the test users and the most active real users, for the
 * page's picker), {@code GET /api/users/{id}} (rating count, whether the user has an embedding, top
 * genres), {@code GET /api/users/{id}/recommendations} ({@link Recommender}) and
 * {@code POST /api/users/{id}/ratings} (a strict JSON body, stored through {@link RatingService#rate}:
 * the rating, the movie's statistics, the user's content vector, the user folded into the active
 * collaborative model, the index entry and the notification; then the cached vectors are dropped so
 * the very next search uses the new ones) and {@code DELETE /api/users/{id}} ({@link RatingService#forget}:
 * the user with everything derived from them, in one transaction; every server follows).
 */
final class UserRoutes {

    static final int TOP_GENRES = 5;
    static final ParamRules.IntRange ID = ParamRules.IntRange.atLeast(1);
    static final ParamRules.IntRange USERS = new ParamRules.IntRange(1, 1000);
    static final ParamRules.IntRange RECOMMENDATIONS = new ParamRules.IntRange(1, Recommender.MAX_LIMIT);

    private final Database db;
    private final PersonalizedSearch search;
    private final RatingService ratings;
    private final RequestLog log;
    /** Where a rating's answer is written once its transaction completed (not on the rating writer's thread). */
    private final java.util.concurrent.Executor answers;

    UserRoutes(Database db, PersonalizedSearch search, RatingService ratings, RequestLog log,
               java.util.concurrent.Executor answers) {
        this.answers = answers;
        this.db = db;
        this.search = search;
        this.ratings = ratings;
        this.log = log;
    }

    /** {@code GET /api/users}: the test users, then the most active users. */
    record UsersBody(List<UserItem> testUsers, List<UserItem> users) {}

    record UserItem(int userId, String name, long ratingCount, boolean hasEmbedding) {}

    /** {@code GET /api/users/{id}}. */
    record UserBody(int userId, String name, boolean hasEmbedding, String updatedAt, long ratingCount,
                    BigDecimal meanRating, List<GenreItem> topGenres) {}

    record GenreItem(String genre, int ratings, BigDecimal meanRating) {}

    /** The body of {@code POST /api/users/{id}/ratings}; null components are missing fields. */
    record RatingRequest(Integer movieId, Double rating) {}

    /** Its answer. */
    record RatingBody(int userId, int movieId, String title, double rating, boolean replaced, boolean hasEmbedding,
                      boolean hasCollaborative) {}

    void list(Context ctx) throws Exception {
        int limit = RequestParams.of(ctx, Set.of("limit")).intIn("limit", 20, USERS);
        try (Connection conn = db.connect()) {
            ctx.json(new UsersBody(users(Catalog.testUsers(conn)), users(Catalog.mostActiveUsers(conn, limit))));
        }
    }

    private static List<UserItem> users(List<Catalog.UserSummary> users) {
        return users.stream().map(u -> new UserItem(u.userId(), u.name(), u.ratingCount(), u.hasEmbedding())).toList();
    }

    void user(Context ctx) throws Exception {
        int id = RequestParams.of(ctx, Set.of()).pathInt("id", ID);
        try (Connection conn = db.connect()) {
            Catalog.UserProfile u = Catalog.user(conn, id).orElseThrow(
                    () -> ApiError.notFound("no user with user_id " + id + " (posting a rating creates one)"));
            List<GenreItem> genres = Catalog.userGenres(conn, id, TOP_GENRES).stream()
                    .map(g -> new GenreItem(g.genre(), g.ratings(), g.meanRating())).toList();
            ctx.json(new UserBody(u.userId(), u.name(), u.hasEmbedding(), u.updatedAt().toString(), u.ratingCount(),
                    u.meanRating(), genres));
        }
    }

    /** {@code GET /api/users/{id}/recommendations}: {@link Recommender} with the page's filters. */
    void recommendations(Context ctx) throws Exception {
        RequestParams p = RequestParams.of(ctx, Set.of("limit", "genre", "year_from", "year_to", "min_ratings"));
        int id = p.pathInt("id", ID);
        int limit = p.intIn("limit", 20, RECOMMENDATIONS);
        SearchFilters filters = SearchRoute.filters(p, null);
        Recommender.Response r;
        try (Connection conn = db.connect()) {
            r = Recommender.recommend(conn, search.items(), new Recommender.Request(id, limit, filters, false));
        }
        long micros = RequestLog.nowMicros();
        String requestId = RequestLog.newRequestId(micros / 1000);
        ctx.json(RecommendJson.of(r).withRequestId(requestId));
        if (!ctx.method().equals(io.javalin.http.HandlerType.HEAD)) {
            log.log(RequestLog.recommendation(requestId, micros, r)); // a HEAD's id reaches no client
        }
    }

    /** The answer of {@code DELETE /api/users/{id}}: what was removed. */
    record DeletedBody(int userId, int ratings, int tags, int collaborativeVectors, int keys, boolean contentVector,
                       boolean testUser, boolean fromMovieLens, int moviesUpdated) {}

    void delete(Context ctx) throws Exception {
        int user = RequestParams.of(ctx, Set.of()).pathInt("id", ID);
        RatingService.Forgotten f;
        try {
            f = ratings.forget(user);
        } catch (RatingService.UnknownUserException e) {
            throw ApiError.notFound(e.getMessage());
        }
        search.invalidateUser(user);
        ctx.json(new DeletedBody(f.userId(), f.ratings(), f.tags(), f.factors(), f.keys(), f.hadVector(), f.testUser(),
                f.fromFiles(), f.movies().size()));
    }

    /**
     * Queues the rating and returns the worker at once: the answer is written when its transaction has
     * committed (group commit, {@link RatingService#rateAsync}), on a worker of {@link #answers}; a failure
     * reaches the exception mappers as the service's own exception.
     */
    void rate(Context ctx) throws Exception {
        int user = RequestParams.of(ctx, Set.of()).pathInt("id", ID);
        RatingRequest body = ratingRequest(Json.requestBody(ctx));
        java.util.concurrent.CompletableFuture<RatingService.Stored> stored = ratings.rateAsync(user, body.movieId(),
                body.rating(), RatingSource.API);
        ctx.future(() -> stored.thenApplyAsync(r -> {
            if (r.foldIn() != null) search.offerModel(r.foldIn().model());
            search.invalidateUser(user);
            ctx.json(new RatingBody(user, body.movieId(), r.title(), body.rating(), r.replaced(), r.vector() != null,
                    r.foldIn() != null && r.foldIn().vector() != null));
            return r;
        }, answers));
    }

    /**
     * The rating request bound to its record by the strict mapper (no unknown field, no string or
     * fraction taken for a number); a refusal names the field and the value sent.
     */
    static RatingRequest ratingRequest(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new ApiError(400, "bad body", "request body must be a JSON object "
                    + "{\"movie_id\": 4993, \"rating\": 4.5}");
        }
        RatingRequest r;
        try {
            r = Json.MAPPER.treeToValue(body, RatingRequest.class);
        } catch (UnrecognizedPropertyException e) {
            throw ApiError.badParameter("unknown field '" + e.getPropertyName() + "'; allowed: movie_id, rating");
        } catch (JsonProcessingException e) {
            // A value of the wrong type: the field is the first whose value does not bind.
            boolean movieOk = body.get("movie_id") != null && body.get("movie_id").isIntegralNumber()
                    && body.get("movie_id").canConvertToInt();
            r = new RatingRequest(movieOk ? body.get("movie_id").asInt() : null, null);
        }
        if (r.movieId() == null || r.movieId() < 1) {
            throw ApiError.badParameter("field 'movie_id' must be a positive integer, got " + body.get("movie_id"));
        }
        if (r.rating() == null) {
            throw ApiError.badParameter("field 'rating' must be a number in 0.5-5.0 in steps of 0.5, got "
                    + body.get("rating"));
        }
        return r;
    }
}
