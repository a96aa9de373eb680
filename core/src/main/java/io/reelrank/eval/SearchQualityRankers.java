package io.reelrank.eval;

import io.reelrank.index.Candidate;
import io.reelrank.index.QuerySyntaxException;
import io.reelrank.index.SearchFilters;
import io.reelrank.rerank.Fusion;
import io.reelrank.rerank.Reranker;
import io.reelrank.rerank.RetrievalSettings;
import io.reelrank.rerank.Retriever;
import io.reelrank.rerank.Weights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The anonymous rankers of the search-quality tasks, each the production code path: a
 * {@link Retriever} gathers a query's candidates as {@link RetrievalSettings} say (BM25, semantic,
 * hybrid or auto, with or without typo tolerance), and {@link #prior} re-ranks them by the
 * popularity prior exactly as an anonymous search does ({@link Reranker#fuse}, weighted fusion with
 * α = 0: {@code (1−π)·mm(score) + π·mm(log(1+n))}), with n the movie's number of training ratings
 * (never the index's count, which holds the held-out ratings too). Each query's retrieval is
 * computed once per setting and kept, so several rankers over one setting cost one retrieval. A
 * query that does not parse ranks nothing (every relevant movie scores 0), for every ranker alike,
 * and is counted ({@link #unparsable()}). Thread-safe.
 */
public final class SearchQualityRankers {

    private record Key(RetrievalSettings settings, String query) {}

    private final Retriever retriever;
    private final int depth;
    private final Map<Key, Retriever.Result> results = new ConcurrentHashMap<>();
    private final Map<String, Boolean> unparsable = new ConcurrentHashMap<>();

    /** @param depth BM25 candidates per query (the semantic branch's own depth is in the settings) */
    public SearchQualityRankers(Retriever retriever, int depth) {
        this.retriever = retriever;
        this.depth = depth;
    }

    /** The query's candidates under {@code s}, computed once. */
    public Retriever.Result retrieve(RetrievalSettings s, String query) {
        return results.computeIfAbsent(new Key(s, query), k -> {
            try {
                return retriever.retrieve(query, SearchFilters.NONE, depth, s, false);
            } catch (QuerySyntaxException e) {
                unparsable.put(query, Boolean.TRUE);
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The retrieval's own order (BM25 score, cosine, or the fused rrf), no re-ranking. */
    public SearchTask.Ranker retrieval(RetrievalSettings s) {
        return (query, user) -> {
            Retriever.Result r = retrieve(s, query);
            if (r == null) return new int[0];
            int[] ids = new int[r.found().size()];
            for (int i = 0; i < ids.length; i++) ids[i] = r.found().get(i).movieId();
            return ids;
        };
    }

    /**
     * The retrieval re-ranked by the popularity prior of weight {@code pi}, n from {@code popularity} (by movie_id).
     */
    public SearchTask.Ranker prior(RetrievalSettings s, double pi, int[] popularity) {
        Weights w = new Weights(0, pi, 0);
        return (query, user) -> {
            Retriever.Result r = retrieve(s, query);
            if (r == null) return new int[0];
            List<Candidate> c = new ArrayList<>(r.found().size());
            for (Candidate x : r.candidates()) {
                int n = x.movieId() < popularity.length ? popularity[x.movieId()] : 0;
                c.add(new Candidate(x.movieId(), x.bm25(), x.bm25Rank(), n));
            }
            List<Reranker.Ranked> ranked = Reranker.fuse(c, null, null, Fusion.WEIGHTED, w);
            int[] ids = new int[ranked.size()];
            for (int i = 0; i < ids.length; i++) ids[i] = ranked.get(i).candidate().movieId();
            return ids;
        };
    }

    /** Distinct queries that did not parse so far. */
    public int unparsable() {
        return unparsable.size();
    }

    /** Forgets the kept retrievals (a study over many settings frees them between settings). */
    public void forget() {
        results.clear();
    }
}
