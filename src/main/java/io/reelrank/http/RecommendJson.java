package io.reelrank.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reelrank.recommend.Recommender;

/**
 * The one JSON form of recommendations, shared by {@code reelrank recommend --json} and
 * {@code GET /api/users/{id}/recommendations}: {@code {"user", "source", "model_version", "exact",
 * "results": [{"rank", "movie_id", "title", "year", "genres", "rating_count", "score"}]}}; scores
 * rounded to 6 decimals; {@code source} is collaborative, content or popularity.
 */
public final class RecommendJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RecommendJson() {}

    public static ObjectNode toJson(Recommender.Response r) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("user", r.user());
        root.put("source", r.source());
        root.put("model_version", r.modelVersion());
        root.put("exact", r.exact());
        ArrayNode results = root.putArray("results");
        for (Recommender.Item i : r.items()) {
            ObjectNode n = results.addObject();
            n.put("rank", i.rank());
            n.put("movie_id", i.movieId());
            n.put("title", i.title());
            if (i.year() == null) n.putNull("year"); else n.put("year", i.year());
            ArrayNode g = n.putArray("genres");
            i.genres().forEach(g::add);
            n.put("rating_count", i.ratingCount());
            n.put("score", Math.round(i.score() * 1e6) / 1e6);
        }
        return root;
    }

    public static String write(Recommender.Response r, boolean pretty) {
        try {
            ObjectNode n = toJson(r);
            return pretty ? MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(n) : MAPPER.writeValueAsString(n);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
