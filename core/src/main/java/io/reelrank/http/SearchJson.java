package io.reelrank.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.reelrank.index.SearchHit;
import io.reelrank.index.SearchResult;
import io.reelrank.rank.Reasons;
import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.PersonalizedSearch;
import java.util.ArrayList;
import java.util.List;

/**
 * The one JSON form of a search answer, shared by {@code reelrank search --json} (with or without
 * {@code --user}) and {@code GET /api/search}: {@code {"query", "user", "personalized", "cold_user",
 * "fusion", "alpha", "popularity_weight", "collaborative_weight", "model_version", "ranker_version",
 * "note", "has_collaborative", "candidates", "total_matches", "results": [{"rank", "movie_id",
 * "title", "year", "genres", "bm25", "bm25_rank", "movement", "rating_count", "similarity",
 * "collaborative", "score", "has_embedding", "explanation", "reasons": [{"kind", "text",
 * "contribution"}]}]}}. Scores are rounded to 6 decimals; {@code similarity} is null without a
 * content vector on either side, {@code collaborative} without a collaborative one. {@code fusion}
 * is the fusion that served: {@code weighted} when {@code learned} was asked for without a trained
 * ranker, and {@code note} then says so; {@code ranker_version} is the learned ranker's version
 * (null for the other fusions); {@code reasons}, the learned score's largest SHAP contributions
 * summed per reason, are given when explanations were asked for (null otherwise).
 * An HTTP answer starts with {@code "request_id"}, the id events name it by (docs/events.md); one served
 * under an experiment ends with {@code "experiment"} (its id) and each result has its {@code "arm"}.
 * A plain BM25 search ({@code reelrank search} without {@code --user}, in any {@code --sort} order)
 * has the same fields: what it does not compute (the fusion and its weights, the model, the towers'
 * scores, {@code has_embedding}) is null, and its score is the BM25 score.
 */
public final class SearchJson {

    /**
     * The answer. {@code retrieval}: the candidates' source that ran (bm25, semantic or hybrid; auto
     * resolved); {@code didYouMean}: the query with its unknown words corrected, or null.
     */
    public record Body(@JsonInclude(JsonInclude.Include.NON_NULL) String requestId, String query, Integer user,
                       boolean personalized, boolean coldUser, String fusion, Double alpha,
                       Double popularityWeight, Double collaborativeWeight, Long modelVersion, Long rankerVersion,
                       String note, boolean hasCollaborative, Integer candidates, long totalMatches, String retrieval,
                       String didYouMean, List<Item> results,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Integer experiment) {
        /** This answer with the server's {@code request_id} (only HTTP answers carry one). */
        public Body withRequestId(String id) {
            return new Body(id, query, user, personalized, coldUser, fusion, alpha, popularityWeight,
                    collaborativeWeight, modelVersion, rankerVersion, note, hasCollaborative, candidates, totalMatches,
                    retrieval, didYouMean, results, experiment);
        }

        /**
         * This answer served under experiment {@code id}: each result's {@code arm} ("A" or "B", in result
         * order); an interleaved answer's {@code fusion} is {@code interleaved} and its {@code ranker_version}
         * null, since each result was ranked by its arm (docs/experiments.md).
         */
        public Body withExperiment(int id, List<String> arms, boolean interleaved) {
            if (arms.size() != results.size()) {
                throw new IllegalArgumentException("one arm per result: " + arms.size() + " arms, " + results.size()
                        + " results");
            }
            List<Item> items = new ArrayList<>(results.size());
            for (int i = 0; i < results.size(); i++) items.add(results.get(i).withArm(arms.get(i)));
            return new Body(requestId, query, user, personalized, coldUser, interleaved ? "interleaved" : fusion, alpha,
                    popularityWeight, collaborativeWeight, modelVersion, interleaved ? null : rankerVersion, note,
                    hasCollaborative, candidates, totalMatches, retrieval, didYouMean, items, id);
        }
    }

    /**
     * One movie of the answer, in rank order. {@code retriever}: which list found it (bm25, semantic or
     * both); {@code retrievalRank}: its rank there before re-ranking (the BM25 rank under BM25 retrieval);
     * {@code semanticRank} and {@code semanticScore} (the query's cosine) null when the semantic list did
     * not find it; {@code bm25} 0 and {@code bm25Rank} null when BM25 did not.
     */
    public record Item(int rank, int movieId, String title, Integer year, List<String> genres, double bm25,
                       Integer bm25Rank, Integer movement, int ratingCount, Double similarity, Double collaborative,
                       double score, Boolean hasEmbedding, String explanation, String retriever, Integer retrievalRank,
                       Integer semanticRank, Double semanticScore, List<Reason> reasons,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String arm) {
        Item withArm(String a) {
            return new Item(rank, movieId, title, year, genres, bm25, bm25Rank, movement, ratingCount, similarity,
                    collaborative, score, hasEmbedding, explanation, retriever, retrievalRank, semanticRank,
                    semanticScore, reasons, a);
        }
    }

    /** One reason of a learned score: its kind, its words with the values, its contribution to the score. */
    public record Reason(String kind, String text, double contribution) {}

    private SearchJson() {}

    public static Body of(PersonalizedSearch.Response r) {
        return of(r, true);
    }

    /**
     * {@link #of(PersonalizedSearch.Response)}; {@code vectorsKnown} false (a CLI search without a user
     * that never loaded the movie vectors) leaves {@code has_embedding} null rather than guessing.
     */
    public static Body of(PersonalizedSearch.Response r, boolean vectorsKnown) {
        List<Item> items = new ArrayList<>(r.results().size());
        for (PersonalizedSearch.Result h : r.results()) {
            items.add(new Item(h.rank(), h.movieId(), h.title(), h.year(), h.genres(), round(h.bm25()),
                    h.bm25Rank() > 0 ? h.bm25Rank() : null, h.movement(), h.ratingCount(), round(h.similarity()),
                    round(h.collaborative()), round(h.score()), vectorsKnown ? h.hasEmbedding() : null, h.explanation(),
                    h.retriever(), h.retrievalRank(), h.semanticRank(), round(h.semanticScore()), reasons(h),
                    null));
        }
        Long ranker = r.fusion() == Fusion.LEARNED && r.rankerVersion() > 0 ? r.rankerVersion() : null;
        return new Body(null, r.query(), r.user(), r.personalized(), r.coldUser(), r.fusion().toString(), r.alpha(),
                r.weights().popularity(), r.weights().collaborative(), r.modelVersion(), ranker, r.note(),
                r.hasCollaborative(), r.candidates(), r.totalMatches(), r.retrieval().toString(), r.didYouMean(),
                items, null);
    }

    private static List<Reason> reasons(PersonalizedSearch.Result h) {
        if (h.reasons() == null || h.reasons().isEmpty()) return null;
        List<Reason> out = new ArrayList<>(h.reasons().size());
        for (Reasons.Reason x : h.reasons()) out.add(new Reason(x.kind(), x.text(), round(x.contribution())));
        return out;
    }

    /**
     * A plain BM25 search. {@code bm25_rank} and {@code movement} are given when the order is the BM25
     * score's ({@code byScore}); {@code explanations}, when not null, are Lucene's, one per hit.
     */
    public static Body of(SearchResult r, boolean byScore, List<String> explanations) {
        return of(r, byScore, explanations, null);
    }

    /** {@link #of(SearchResult, boolean, List)} with the query's "did you mean" (null: none). */
    public static Body of(SearchResult r, boolean byScore, List<String> explanations, String didYouMean) {
        List<Item> items = new ArrayList<>(r.hits().size());
        for (int i = 0; i < r.hits().size(); i++) {
            SearchHit h = r.hits().get(i);
            double bm25 = round(h.bm25());
            items.add(new Item(h.rank(), h.movieId(), h.title(), h.year(), h.genres(), bm25, byScore ? h.rank() : null,
                    byScore ? 0 : null, h.ratingCount(), null, null, bm25, null,
                    explanations == null ? null : explanations.get(i), "bm25", byScore ? h.rank() : null, null, null,
                    null, null));
        }
        return new Body(null, r.query(), null, false, false, null, null, null, null, null, null, null, false, null,
                r.totalMatches(), "bm25", didYouMean, items, null);
    }

    /** The tree of {@link #of(PersonalizedSearch.Response)}, for callers that read fields back. */
    public static JsonNode toJson(PersonalizedSearch.Response r) {
        return Json.MAPPER.valueToTree(of(r));
    }

    public static String write(PersonalizedSearch.Response r, boolean pretty) {
        return Json.write(of(r), pretty);
    }

    public static String write(Body b, boolean pretty) {
        return Json.write(b, pretty);
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    private static Double round(Double v) {
        return v == null ? null : round(v.doubleValue());
    }
}
