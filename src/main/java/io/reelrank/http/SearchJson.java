package io.reelrank.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reelrank.rerank.PersonalizedSearch;

/**
 * The one JSON form of a search answer, shared by {@code reelrank search --json} and
 * {@code GET /api/search}: {@code {"query", "user", "personalized", "cold_user", "fusion", "alpha",
 * "popularity_weight", "collaborative_weight", "model_version", "has_collaborative", "candidates",
 * "total_matches", "results": [{"rank", "movie_id", "title", "year", "genres", "bm25", "bm25_rank",
 * "movement", "rating_count", "similarity", "collaborative", "score", "has_embedding",
 * "explanation"}]}}. Scores are rounded to 6 decimals; {@code similarity} is null without a content
 * vector on either side, {@code collaborative} without a collaborative one.
 */
public final class SearchJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SearchJson() {}

    public static ObjectNode toJson(PersonalizedSearch.Response r) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("query", r.query());
        if (r.user() == null) root.putNull("user"); else root.put("user", r.user());
        root.put("personalized", r.personalized());
        root.put("cold_user", r.coldUser());
        root.put("fusion", r.fusion().toString());
        root.put("alpha", r.alpha());
        root.put("popularity_weight", r.weights().popularity());
        root.put("collaborative_weight", r.weights().collaborative());
        root.put("model_version", r.modelVersion());
        root.put("has_collaborative", r.hasCollaborative());
        root.put("candidates", r.candidates());
        root.put("total_matches", r.totalMatches());
        ArrayNode results = root.putArray("results");
        for (PersonalizedSearch.Result h : r.results()) {
            ObjectNode n = results.addObject();
            n.put("rank", h.rank());
            n.put("movie_id", h.movieId());
            n.put("title", h.title());
            if (h.year() == null) n.putNull("year"); else n.put("year", h.year());
            ArrayNode g = n.putArray("genres");
            h.genres().forEach(g::add);
            n.put("bm25", round(h.bm25()));
            n.put("bm25_rank", h.bm25Rank());
            n.put("movement", h.movement());
            n.put("rating_count", h.ratingCount());
            if (h.similarity() == null) n.putNull("similarity"); else n.put("similarity", round(h.similarity()));
            if (h.collaborative() == null) n.putNull("collaborative"); else n.put("collaborative", round(h.collaborative()));
            n.put("score", round(h.score()));
            n.put("has_embedding", h.hasEmbedding());
            n.put("explanation", h.explanation());
        }
        return root;
    }

    public static String write(PersonalizedSearch.Response r, boolean pretty) {
        try {
            ObjectNode n = toJson(r);
            return pretty ? MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(n) : MAPPER.writeValueAsString(n);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
