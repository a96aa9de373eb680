package io.reelrank.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.reelrank.recommend.Recommender;
import java.util.List;

/**
 * The one JSON form of recommendations, shared by {@code reelrank recommend --json} and
 * {@code GET /api/users/{id}/recommendations}: {@code {"user", "source", "model_version", "exact",
 * "results": [{"rank", "movie_id", "title", "year", "genres", "rating_count", "score"}]}}; scores
 * rounded to 6 decimals; an HTTP answer starts with {@code "request_id"} (docs/events.md);
 * {@code source} is collaborative, content or popularity.
 */
public final class RecommendJson {

    /** The answer. */
    public record Body(@JsonInclude(JsonInclude.Include.NON_NULL) String requestId, int user, String source,
                       long modelVersion, boolean exact, List<Item> results) {
        /** This answer with the server's {@code request_id} (only HTTP answers carry one). */
        public Body withRequestId(String id) {
            return new Body(id, user, source, modelVersion, exact, results);
        }
    }

    /** One recommended movie, best first. */
    public record Item(int rank, int movieId, String title, Integer year, List<String> genres, int ratingCount,
                       double score) {}

    private RecommendJson() {}

    public static Body of(Recommender.Response r) {
        List<Item> items = r.items().stream()
                .map(i -> new Item(i.rank(), i.movieId(), i.title(), i.year(), i.genres(), i.ratingCount(),
                        Math.round(i.score() * 1e6) / 1e6))
                .toList();
        return new Body(null, r.user(), r.source(), r.modelVersion(), r.exact(), items);
    }

    public static String write(Recommender.Response r, boolean pretty) {
        return Json.write(of(r), pretty);
    }
}
