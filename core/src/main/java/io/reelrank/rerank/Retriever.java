package io.reelrank.rerank;

import io.reelrank.embed.QueryEncoder;
import io.reelrank.embed.Vectors;
import io.reelrank.index.Candidate;
import io.reelrank.index.MovieSearcher;
import io.reelrank.index.ParsedQuery;
import io.reelrank.index.QuerySyntaxException;
import io.reelrank.index.SearchFilters;
import io.reelrank.model.ItemVectors;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.lucene.search.IndexSearcher;

/**
 * Gathers a search's candidates, the first stage before any re-ranking ({@link Retrieval}): the BM25
 * top-K of the Lucene index (with typo tolerance, {@link io.reelrank.index.TypoTolerance}), the
 * semantic top-K (the query embedded by the item tower's model, {@link QueryEncoder}, against every
 * movie's content vector by cosine, an exact scan of the vectors held in memory), or both fused by
 * reciprocal rank fusion:
 * {@code rrf = 1/(k + rank_bm25) + w/(k + rank_semantic)}, a term left out for a list that did not
 * find the movie (Cormack, Clarke and Büttcher, SIGIR 2009; ParadeDB's hybrid search, with a weight
 * per branch). The filters apply to both branches: Lucene applies them to BM25, and the semantic
 * scan only considers the movies Lucene says pass them. Each candidate says which list found it.
 * Ties are broken by movie_id everywhere. Thread-safe; the caller owns the searcher and the encoder.
 */
public final class Retriever {

    /**
     * One candidate: its fused score and rank, and what each branch said of it (0 rank, NaN score: not found there).
     */
    public record Found(int movieId, double score, int rank, double bm25, int bm25Rank, double cosine, int semanticRank,
                        int ratingCount) {
        /** {@code bm25}, {@code semantic} or {@code both}: the lists that found this movie. */
        public String retriever() {
            return bm25Rank > 0 && semanticRank > 0 ? "both" : bm25Rank > 0 ? "bm25" : "semantic";
        }
    }

    /**
     * What a retrieval found: the parsed query (its corrections give the "did you mean"), the kind
     * that ran ({@code used}: auto resolved to bm25 or hybrid), the candidates best first, how many
     * movies matched in all (BM25's matches, plus the semantic-only candidates), and whether the
     * sentence model had to run for the query (false: no semantic branch, or its vector was cached).
     */
    public record Result(ParsedQuery parsed, Retrieval used, List<Found> found, long totalMatches, boolean modelRan) {

        /**
         * The candidates as the re-ranker takes them: the retrieval score (BM25, cosine, or the fused
         * rrf) in the score's place, its rank in the rank's place.
         */
        public List<Candidate> candidates() {
            List<Candidate> out = new ArrayList<>(found.size());
            for (Found f : found) out.add(new Candidate(f.movieId(), (float) f.score(), f.rank(), f.ratingCount()));
            return out;
        }

        public String didYouMean() {
            return parsed.didYouMean();
        }
    }

    private final MovieSearcher searcher;
    private final Supplier<ItemVectors> items;
    private final QueryEncoder encoder;
    private volatile Object idsOf; // the ItemVectors instance idsCache belongs to
    private volatile int[] idsCache;

    /** @param encoder the query model; null: no semantic retrieval (auto and hybrid fall back to BM25) */
    public Retriever(MovieSearcher searcher, Supplier<ItemVectors> items, QueryEncoder encoder) {
        this.searcher = searcher;
        this.items = items;
        this.encoder = encoder;
    }

    public MovieSearcher searcher() {
        return searcher;
    }

    /** The query model, or null. */
    public QueryEncoder encoder() {
        return encoder;
    }

    /**
     * The candidates of {@code query}: up to {@code depth} from BM25 and {@code semanticDepth} from
     * the vectors, as {@code settings} say; {@code exactCount} counts every BM25 match (what a page
     * shows as "of N"), otherwise a lower bound past 1,000.
     */
    public Result retrieve(String query, SearchFilters filters, int depth, RetrievalSettings settings,
            boolean exactCount)
            throws QuerySyntaxException, IOException {
        try {
            return retrieveParsed(query, filters, depth, settings, exactCount);
        } catch (IndexSearcher.TooManyClauses e) {
            // The parser keeps a query within its clause budget; the filters add a few clauses of their own.
            throw new QuerySyntaxException(query, 0, "the query and its filters expand to more than "
                    + IndexSearcher.getMaxClauseCount() + " clauses; use fewer terms or filters");
        }
    }

    private Result retrieveParsed(String query, SearchFilters filters, int depth, RetrievalSettings settings,
                                  boolean exactCount) throws QuerySyntaxException, IOException {
        ParsedQuery parsed = searcher.parse(query, settings.typos());
        Retrieval used = resolve(parsed, settings);
        List<Found> found;
        long total;
        boolean ran = false;
        if (used == Retrieval.BM25) {
            MovieSearcher.Candidates c = searcher.candidates(parsed.query(), filters, depth, exactCount);
            found = new ArrayList<>(c.candidates().size());
            for (Candidate x : c.candidates()) {
                found.add(new Found(x.movieId(), x.bm25(), x.bm25Rank(), x.bm25(), x.bm25Rank(), Double.NaN, 0,
                        x.ratingCount()));
            }
            return new Result(parsed, used, found, c.totalMatches(), false);
        }
        String text = settings.modelText(parsed.correctedWords());
        ran = !encoder.cached(text);
        Semantic sem = semantic(text, filters, settings);
        if (used == Retrieval.SEMANTIC) {
            found = new ArrayList<>(sem.ids.length);
            int[] counts = searcher.ratingCounts(sem.ids);
            for (int i = 0; i < sem.ids.length; i++) {
                if (counts[i] < 0) continue; // a vector for a movie the index no longer has
                found.add(new Found(sem.ids[i], sem.cos[i], found.size() + 1, Double.NaN, 0, sem.cos[i], found.size()
                        + 1, counts[i]));
            }
            return new Result(parsed, used, found, found.size(), ran);
        }
        MovieSearcher.Candidates c = searcher.candidates(parsed.query(), filters, depth, exactCount);
        found = fuse(c.candidates(), sem, settings);
        total = c.totalMatches();
        for (Found f : found) if (f.bm25Rank() == 0) total++;
        return new Result(parsed, used, found, total, ran);
    }

    /** The kind that runs for this query: a query with syntax keeps BM25; auto decides between BM25 and hybrid. */
    private Retrieval resolve(ParsedQuery parsed, RetrievalSettings s) throws QuerySyntaxException, IOException {
        // The vectors are asked for last: a caller may load them lazily, only for a query that needs them.
        switch (s.retrieval()) {
            case BM25:
                return Retrieval.BM25;
            case SEMANTIC:
                if (!parsed.plain()) {
                    throw new QuerySyntaxException(parsed.text(), 0,
                            "semantic retrieval embeds plain words; this query has "
                            + "syntax (a field, phrase, operator, boost, fuzzy or prefix term): use bm25 or "
                            + "hybrid retrieval");
                }
                if (!vectors()) {
                    throw new IllegalStateException("semantic retrieval needs the movie vectors and the query model: "
                            + "run `reelrank embed --load` first");
                }
                return Retrieval.SEMANTIC;
            case HYBRID:
                return parsed.plain() && vectors() ? Retrieval.HYBRID : Retrieval.BM25;
            default:
                return parsed.plain() && describes(parsed, s.autoRule()) && vectors() ? Retrieval.HYBRID
                : Retrieval.BM25;
        }
    }

    /** Whether a plain query describes a film rather than names one, by {@code rule}. */
    public boolean describes(ParsedQuery parsed, RetrievalSettings.AutoRule rule) throws IOException {
        List<String> terms = MovieSearcher.titleTerms(parsed.correctedWords());
        if (!searcher.someTitleHoldsAll(terms)) return true;
        if (rule == RetrievalSettings.AutoRule.NOT_A_TITLE) return false;
        long inTags = 0;
        long inTitles = 0;
        for (String t : terms) {
            inTags += searcher.docFreq("tags", t);
            inTitles += searcher.docFreq("title", t);
        }
        return inTags > inTitles;
    }

    private boolean vectors() {
        return encoder != null && items.get().size() > 0;
    }

    private record Semantic(int[] ids, double[] cos) {}

    /**
     * The {@code semanticDepth} movies nearest the query by cosine among those passing the filters,
     * best first, ties by movie_id: an exact scan (9,742 × 384 multiply-adds on the sample).
     */
    private Semantic semantic(String text, SearchFilters filters, RetrievalSettings s) throws IOException {
        ItemVectors v = items.get();
        float[] q = encoder.encode(text);
        if (s.centerQuery() && v.centered()) {
            float[] mean = v.mean();
            float[] c = new float[q.length];
            for (int j = 0; j < q.length; j++) c[j] = q[j] - mean[j];
            q = Vectors.normalize(c);
        }
        BitSet pass = searcher.passing(filters);
        int k = s.semanticDepth();
        int[] bestId = new int[k];
        double[] best = new double[k];
        int n = 0;
        for (int id : movieIds(v)) {
            if (pass != null && !pass.get(id)) continue;
            double c = Vectors.dot(q, v.vector(id));
            if (n == k && !(c > best[k - 1] || c == best[k - 1] && id < bestId[k - 1])) continue;
            int at = n < k ? n++ : k - 1;
            // Insertion keeps the list sorted by cosine descending, smaller movie_id first among equals.
            while (at > 0 && (best[at - 1] < c || best[at - 1] == c && bestId[at - 1] > id)) {
                best[at] = best[at - 1];
                bestId[at] = bestId[at - 1];
                at--;
            }
            best[at] = c;
            bestId[at] = id;
        }
        return new Semantic(Arrays.copyOf(bestId, n), Arrays.copyOf(best, n));
    }

    private int[] movieIds(ItemVectors v) {
        int[] ids = idsCache;
        if (idsOf != v || ids == null) {
            ids = v.movieIds();
            idsCache = ids;
            idsOf = v;
        }
        return ids;
    }

    /** {@code 1/(k + rank_bm25) + w/(k + rank_semantic)} over the union of both lists, best first, ties by movie_id. */
    private List<Found> fuse(List<Candidate> bm25, Semantic sem, RetrievalSettings s) throws IOException {
        Map<Integer, double[]> byId = new HashMap<>(); // {bm25, bm25Rank, cos, semRank, ratingCount}
        for (Candidate c : bm25) {
            byId.put(c.movieId(), new double[] {c.bm25(), c.bm25Rank(), Double.NaN, 0, c.ratingCount()});
        }
        List<Integer> semanticOnly = new ArrayList<>();
        for (int i = 0; i < sem.ids.length; i++) {
            double[] e = byId.get(sem.ids[i]);
            if (e == null) {
                e = new double[] {Double.NaN, 0, Double.NaN, 0, -1};
                byId.put(sem.ids[i], e);
                semanticOnly.add(sem.ids[i]);
            }
            e[2] = sem.cos[i];
            e[3] = i + 1;
        }
        int[] only = semanticOnly.stream().mapToInt(Integer::intValue).toArray();
        int[] counts = searcher.ratingCounts(only);
        for (int i = 0; i < only.length; i++) {
            if (counts[i] < 0) byId.remove(only[i]); else byId.get(only[i])[4] = counts[i];
        }
        int n = byId.size();
        int[] ids = new int[n];
        double[] score = new double[n];
        int j = 0;
        for (Map.Entry<Integer, double[]> e : byId.entrySet()) {
            double[] x = e.getValue();
            ids[j] = e.getKey();
            score[j] = (x[1] > 0 ? 1.0 / (s.rrfK() + x[1]) : 0)
                    + (x[3] > 0 ? s.semanticWeight() / (s.rrfK() + x[3]) : 0);
            j++;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> score[a] != score[b] ? Double.compare(score[b], score[a])
                : Integer.compare(ids[a], ids[b]));
        List<Found> out = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            int i = order[r];
            double[] x = byId.get(ids[i]);
            out.add(new Found(ids[i], score[i], r + 1, x[0], (int) x[1], x[2], (int) x[3], (int) x[4]));
        }
        return out;
    }
}
