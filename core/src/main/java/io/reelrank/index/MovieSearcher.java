package io.reelrank.index;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.MultiBits;
import org.apache.lucene.index.MultiTerms;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ReferenceManager;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopFieldCollector;
import org.apache.lucene.search.TopFieldCollectorManager;
import org.apache.lucene.search.TopFieldDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * Searches the movie index in {@code dir}, from any number of threads. Each search takes the newest
 * committed index (checked at most every {@link #REFRESH_INTERVAL_MS}, or at once after
 * {@link #refresh()}), so a rebuild by {@link MovieIndex}, here or in another process, shows up without
 * reopening, and a search running during it finishes on the index it started with. While a writer of
 * this process is attached ({@link #follow}), searches see what that writer holds, committed or not
 * (Lucene's near-real-time readers): the {@link IndexFollower} applies changes that way without a
 * commit per change. Open one per process and share it; the caller must {@link #close()} it to release
 * the index files.
 */
public final class MovieSearcher implements AutoCloseable {

    /** How stale a search's view of the directory may be before it looks for a newer commit. */
    public static final long REFRESH_INTERVAL_MS = 100;
    /** The largest limit a search accepts. */
    public static final int MAX_LIMIT = 1000;

    private final Path dir;
    private final Directory directory;
    private final Searchers manager;
    private volatile long lastRefreshNanos = System.nanoTime();

    private MovieSearcher(Path dir, Directory directory, Searchers manager) {
        this.dir = dir;
        this.directory = directory;
        this.manager = manager;
    }

    /** Opens the index in {@code dir}; fails if there is none ({@link MovieIndex#exists}). */
    public static MovieSearcher open(Path dir) throws IOException {
        Directory d = FSDirectory.open(dir);
        try {
            return new MovieSearcher(dir, d, new Searchers(d));
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
    }

    public Path dir() {
        return dir;
    }

    /**
     * From now on searches see what {@code writer} (open on this searcher's directory) holds, committed or
     * not, as of each {@link #refresh()}; {@code null}: the newest commit again (once the writer has
     * committed, so that its last commit is what searches then see).
     */
    public void follow(IndexWriter writer) {
        manager.writer = writer;
    }

    /**
     * Makes the next search use the newest commit, or, while a writer is followed, everything that writer
     * holds (e.g. right after a rebuild or an update in this process).
     */
    public void refresh() throws IOException {
        manager.maybeRefreshBlocking();
        lastRefreshNanos = System.nanoTime();
    }

    private void refreshIfDue() throws IOException {
        long now = System.nanoTime();
        if (now - lastRefreshNanos > REFRESH_INTERVAL_MS * 1_000_000) {
            lastRefreshNanos = now;
            // Non-blocking: if another thread is already refreshing, search the current index.
            manager.maybeRefresh();
        }
    }

    /** Runs a search: query, filters, order and limit; hits carry the stored fields for display. */
    public SearchResult search(String query, SearchFilters filters, SearchSort sort, int limit)
            throws QuerySyntaxException, IOException {
        try {
            return searchParsed(query, filters, sort, limit);
        } catch (IndexSearcher.TooManyClauses e) {
            throw tooManyClauses(query);
        }
    }

    /**
     * {@link #search(String, SearchFilters, SearchSort, int)} for a query parsed by {@link #parse} (with its typo
     * tolerance).
     */
    public SearchResult search(ParsedQuery query, SearchFilters filters, SearchSort sort,
            int limit) throws IOException {
        try {
            return searchParsed(query.text(), query.query(), filters, sort, limit);
        } catch (IndexSearcher.TooManyClauses e) {
            throw new IllegalArgumentException("the query and its filters expand to more than "
                    + IndexSearcher.getMaxClauseCount() + " clauses; use fewer terms or filters");
        }
    }

    private SearchResult searchParsed(String query, SearchFilters filters, SearchSort sort, int limit)
            throws QuerySyntaxException, IOException {
        return searchParsed(query, MovieQueryParser.parseQuery(query), filters, sort, limit);
    }

    private SearchResult searchParsed(String query, Query parsed, SearchFilters filters, SearchSort sort, int limit)
            throws IOException {
        checkLimit(limit);
        refreshIfDue();
        IndexSearcher s = manager.acquire();
        try {
            Query q = withFilters(parsed, filters, s);
            // One pass collects the top hits and counts every match exactly (the index is small).
            TopFieldDocs top = s.search(q, new TopFieldCollectorManager(sort.luceneSort(), limit, Integer.MAX_VALUE));
            TopFieldCollector.populateScores(top.scoreDocs, s, q);
            StoredFields stored = s.storedFields();
            List<SearchHit> hits = new ArrayList<>(top.scoreDocs.length);
            int rank = 0;
            for (ScoreDoc sd : top.scoreDocs) {
                MovieRecord m = MovieDocuments.fromStored(stored, sd.doc);
                hits.add(new SearchHit(++rank, m.movieId(), m.title(), m.year(), m.genres(), sd.score, m.avgRating(),
                        m.ratingCount(), m.imdbId(), m.tmdbId()));
            }
            return new SearchResult(query, hits, top.totalHits.value);
        } finally {
            manager.release(s);
        }
    }

    /**
     * The top {@code k} BM25 candidates for re-ranking: movie ids, scores and ranks only, read from
     * doc values (no stored fields), score descending with ties by movie_id.
     */
    public List<Candidate> candidates(String query, SearchFilters filters, int k)
            throws QuerySyntaxException, IOException {
        Query parsed = MovieQueryParser.parseQuery(query);
        try {
            return candidates(parsed, filters, k);
        } catch (IndexSearcher.TooManyClauses e) {
            throw tooManyClauses(query);
        }
    }

    /**
     * The parser keeps a query within {@link MovieQueryParser#MAX_CLAUSES}; the filters add a few
     * clauses of their own, so a query at the limit with many filters can still pass Lucene's.
     */
    private static QuerySyntaxException tooManyClauses(String query) {
        return new QuerySyntaxException(query, 0, "the query and its filters expand to more than "
                + IndexSearcher.getMaxClauseCount() + " clauses; use fewer terms or filters");
    }

    /** {@link #candidates(String, SearchFilters, int)} for a query already parsed. */
    public List<Candidate> candidates(Query parsed, SearchFilters filters, int k) throws IOException {
        return candidates(parsed, filters, k, false).candidates();
    }

    /** A query's top candidates and how many movies it matched in all (exactly when counted so). */
    public record Candidates(List<Candidate> candidates, long totalMatches) {}

    /**
     * Parses {@code query} against the current index: with {@code tolerance} enabled, bare words the
     * index does not know get fuzzy variants and a correction ({@link MovieQueryParser}).
     */
    public ParsedQuery parse(String query, TypoTolerance tolerance) throws QuerySyntaxException, IOException {
        if (tolerance == null || !tolerance.enabled()) return new MovieQueryParser().parseFully(query);
        refreshIfDue();
        IndexSearcher s = manager.acquire();
        try {
            return new MovieQueryParser(s.getIndexReader(), tolerance).parseFully(query);
        } finally {
            manager.release(s);
        }
    }

    /**
     * The top {@code k} candidates of a parsed query with their total number of matches, counted
     * exactly when {@code exactCount} (every match visited; otherwise a lower bound once past 1,000).
     */
    public Candidates candidates(Query parsed, SearchFilters filters, int k, boolean exactCount) throws IOException {
        checkLimit(k);
        refreshIfDue();
        IndexSearcher s = manager.acquire();
        try {
            Query q = withFilters(parsed, filters, s);
            TopFieldDocs top = s.search(q, new TopFieldCollectorManager(SearchSort.SCORE.luceneSort(), k,
                    exactCount ? Integer.MAX_VALUE : Math.max(k, 1000)));
            TopFieldCollector.populateScores(top.scoreDocs, s, q);
            List<Candidate> out = new ArrayList<>(top.scoreDocs.length);
            List<LeafReaderContext> leaves = s.getIndexReader().leaves();
            int rank = 0;
            for (ScoreDoc sd : top.scoreDocs) {
                LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(sd.doc, leaves));
                NumericDocValues ids = leaf.reader().getNumericDocValues(Fields.MOVIE_ID);
                int local = sd.doc - leaf.docBase;
                if (ids == null || !ids.advanceExact(local)) {
                    throw new IllegalStateException("document " + sd.doc + " has no movie_id in " + dir);
                }
                NumericDocValues counts = leaf.reader().getNumericDocValues(Fields.RATING_COUNT);
                int count = counts != null && counts.advanceExact(local) ? (int) counts.longValue() : 0;
                out.add(new Candidate((int) ids.longValue(), sd.score, ++rank, count));
            }
            return new Candidates(out, top.totalHits.value);
        } finally {
            manager.release(s);
        }
    }

    /**
     * Whether one movie's title holds every one of {@code terms} (analysed title terms): the query is
     * then a title, which BM25 answers on its own. Terms the index does not know hold in no title.
     */
    public boolean someTitleHoldsAll(List<String> terms) throws IOException {
        if (terms.isEmpty()) return false;
        refreshIfDue();
        IndexSearcher s = manager.acquire();
        try {
            // One term: its document frequency says it (counting deleted documents too, which a rebuild merges away).
            if (terms.size() == 1) return s.getIndexReader().docFreq(new Term(Fields.TITLE, terms.get(0))) > 0;
            BooleanQuery.Builder b = new BooleanQuery.Builder();
            for (String t : terms) b.add(new TermQuery(new Term(Fields.TITLE, t)), BooleanClause.Occur.FILTER);
            return s.count(b.build()) > 0;
        } finally {
            manager.release(s);
        }
    }

    /**
     * The movie ids that pass {@code filters}, as a set indexed by movie_id, for a retriever that does
     * not go through Lucene (the semantic one) to apply the very same conditions; null for no filters.
     */
    public java.util.BitSet passing(SearchFilters filters) throws IOException {
        if (filters == null || filters.isEmpty()) return null;
        refreshIfDue();
        IndexSearcher s = manager.acquire();
        try {
            Query q = withFilters(new org.apache.lucene.search.MatchAllDocsQuery(), filters, s);
            java.util.BitSet out = new java.util.BitSet();
            s.search(q, new org.apache.lucene.search.SimpleCollector() {
                private NumericDocValues ids;

                @Override
                protected void doSetNextReader(LeafReaderContext context) throws IOException {
                    ids = context.reader().getNumericDocValues(Fields.MOVIE_ID);
                }

                @Override
                public void collect(int doc) throws IOException {
                    if (ids != null && ids.advanceExact(doc)) out.set((int) ids.longValue());
                }

                @Override
                public org.apache.lucene.search.ScoreMode scoreMode() {
                    return org.apache.lucene.search.ScoreMode.COMPLETE_NO_SCORES;
                }
            });
            return out;
        } finally {
            manager.release(s);
        }
    }

    /** In how many movies {@code term} (an analysed term) occurs in {@code field}: title or tags. */
    public int docFreq(String field, String term) throws IOException {
        if (!Fields.TITLE.equals(field) && !Fields.TAGS.equals(field)) {
            throw new IllegalArgumentException("field must be title or tags, got '" + field + "'");
        }
        refreshIfDue();
        IndexSearcher s = manager.acquire();
        try {
            return s.getIndexReader().docFreq(new Term(field, term));
        } finally {
            manager.release(s);
        }
    }

    /** The analysed title terms of {@code text}, in order (what {@link #someTitleHoldsAll} takes). */
    public static List<String> titleTerms(String text) {
        List<String> out = new ArrayList<>();
        try (org.apache.lucene.analysis.TokenStream ts = Analyzers.PER_FIELD.tokenStream(Fields.TITLE, text)) {
            org.apache.lucene.analysis.tokenattributes.CharTermAttribute a =
                    ts.addAttribute(org.apache.lucene.analysis.tokenattributes.CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) out.add(a.toString());
            ts.end();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    /**
     * Why {@code movieId} scores what it does for {@code query}: Lucene's explanation tree, whose BM25
     * leaves spell out {@code idf · freq / (freq + k1·(1 − b + b·dl/avgdl))} with their values. Null if
     * the movie is not in the index.
     */
    public String explain(String query, int movieId) throws QuerySyntaxException, IOException {
        return explain(MovieQueryParser.parseQuery(query), movieId);
    }

    /** {@link #explain(String, int)} for a query already parsed. */
    public String explain(Query parsed, int movieId) throws IOException {
        IndexSearcher s = manager.acquire();
        try {
            TopDocs byId = s.search(IntPoint.newExactQuery(Fields.MOVIE_ID, movieId), 1);
            if (byId.scoreDocs.length == 0) return null;
            return s.explain(parsed, byId.scoreDocs[0].doc).toString();
        } finally {
            manager.release(s);
        }
    }

    /**
     * The stored records of the given movies (those in the index), for showing a page of re-ranked
     * candidates, with their {@code tags} left empty: the page does not show them, and a popular
     * movie's tag texts are most of its stored bytes. The documents are found through a sorted
     * movie_id → document table per index segment (built once per segment from doc values, kept while
     * the segment lives; segments never change, only which of their documents are live) rather than a
     * point query per page: at 87,585 movies the point query and the tags were a third of a search
     * request's CPU time. An update to one movie adds one small segment, so a search after a rating
     * builds a table of that segment only.
     */
    public Map<Integer, MovieRecord> movies(int... movieIds) throws IOException {
        Map<Integer, MovieRecord> out = new java.util.HashMap<>();
        if (movieIds.length == 0) return out;
        refreshIfDue();
        IndexSearcher s = manager.acquire();
        try {
            List<LeafReaderContext> leaves = s.getIndexReader().leaves();
            SegmentTable[] tables = new SegmentTable[leaves.size()];
            for (int l = 0; l < tables.length; l++) tables[l] = segmentTable(leaves.get(l));
            StoredFields stored = s.storedFields();
            for (int id : movieIds) {
                int doc = liveDoc(leaves, tables, id);
                if (doc < 0) continue;
                MovieRecord m = MovieDocuments.displayFromStored(stored, doc);
                out.put(m.movieId(), m);
            }
            return out;
        } finally {
            manager.release(s);
        }
    }

    /**
     * The index's rating_count of each movie (doc values, through the same movie_id tables as
     * {@link #movies}), -1 for a movie not in the index: the popularity prior's n for candidates that
     * did not come from a Lucene query (the semantic ones).
     */
    public int[] ratingCounts(int... movieIds) throws IOException {
        int[] out = new int[movieIds.length];
        refreshIfDue();
        IndexSearcher s = manager.acquire();
        try {
            List<LeafReaderContext> leaves = s.getIndexReader().leaves();
            SegmentTable[] tables = new SegmentTable[leaves.size()];
            for (int l = 0; l < tables.length; l++) tables[l] = segmentTable(leaves.get(l));
            for (int i = 0; i < movieIds.length; i++) {
                int doc = liveDoc(leaves, tables, movieIds[i]);
                out[i] = -1;
                if (doc < 0) continue;
                LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
                NumericDocValues counts = leaf.reader().getNumericDocValues(Fields.RATING_COUNT);
                out[i] = counts != null && counts.advanceExact(doc - leaf.docBase) ? (int) counts.longValue() : 0;
            }
            return out;
        } finally {
            manager.release(s);
        }
    }

    /**
     * Every document of one segment by movie_id, deleted ones included: ids ascending, segment-local documents beside
     * them.
     */
    private record SegmentTable(int[] ids, int[] docs) {}

    private final Map<IndexReader.CacheKey, SegmentTable> segmentTables =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The live document (index-wide number) of a movie, or -1: a movie is live in at most one segment. */
    private static int liveDoc(List<LeafReaderContext> leaves, SegmentTable[] tables, int movieId) {
        for (int l = 0; l < tables.length; l++) {
            SegmentTable t = tables[l];
            int i = java.util.Arrays.binarySearch(t.ids(), movieId);
            if (i < 0) continue;
            // Equal ids sit together; a replaced movie's deleted document may stand beside its live one.
            while (i > 0 && t.ids()[i - 1] == movieId) i--;
            Bits live = leaves.get(l).reader().getLiveDocs();
            for (; i < t.ids().length && t.ids()[i] == movieId; i++) {
                if (live == null || live.get(t.docs()[i])) return leaves.get(l).docBase + t.docs()[i];
            }
        }
        return -1;
    }

    private SegmentTable segmentTable(LeafReaderContext leaf) throws IOException {
        IndexReader.CacheHelper helper = leaf.reader().getCoreCacheHelper();
        if (helper == null) return buildSegmentTable(leaf);
        SegmentTable t = segmentTables.get(helper.getKey());
        if (t != null) return t;
        t = buildSegmentTable(leaf); // a race builds the same table twice at worst
        if (segmentTables.putIfAbsent(helper.getKey(), t) == null) helper.addClosedListener(segmentTables::remove);
        return t;
    }

    private static SegmentTable buildSegmentTable(LeafReaderContext leaf) throws IOException {
        NumericDocValues ids = leaf.reader().getNumericDocValues(Fields.MOVIE_ID);
        long[] pairs = new long[leaf.reader().maxDoc()]; // movie_id << 32 | doc, sorted
        int n = 0;
        if (ids != null) {
            for (int d = ids.nextDoc(); d != NumericDocValues.NO_MORE_DOCS; d = ids.nextDoc()) {
                pairs[n++] = (ids.longValue() << 32) | d;
            }
        }
        java.util.Arrays.sort(pairs, 0, n);
        int[] idArr = new int[n];
        int[] docArr = new int[n];
        for (int i = 0; i < n; i++) {
            idArr[i] = (int) (pairs[i] >> 32);
            docArr[i] = (int) pairs[i];
        }
        return new SegmentTable(idArr, docArr);
    }

    /** {@link #candidates(String, SearchFilters, int)} without filters. */
    public List<Candidate> candidates(String query, int k) throws QuerySyntaxException, IOException {
        return candidates(query, SearchFilters.NONE, k);
    }

    /** Every genre in the index, lowercase, with its number of movies. */
    public Map<String, Integer> genres() throws IOException {
        IndexSearcher s = manager.acquire();
        try {
            return genres(s);
        } finally {
            manager.release(s);
        }
    }

    /** The version of the commit the next search will see; changes with every rebuild. */
    long version() throws IOException {
        IndexSearcher s = manager.acquire();
        try {
            return ((org.apache.lucene.index.DirectoryReader) s.getIndexReader()).getVersion();
        } finally {
            manager.release(s);
        }
    }

    /** The number of movies in the index the next search will see. */
    public int size() throws IOException {
        refreshIfDue();
        IndexSearcher s = manager.acquire();
        try {
            return s.getIndexReader().numDocs();
        } finally {
            manager.release(s);
        }
    }

    /**
     * All movies in the current index, stored fields only, in movie_id order (the bench draws its
     * queries from them).
     */
    public List<MovieRecord> allMovies() throws IOException {
        IndexSearcher s = manager.acquire();
        try {
            StoredFields stored = s.storedFields();
            IndexReader r = s.getIndexReader();
            Bits live = MultiBits.getLiveDocs(r);
            List<MovieRecord> out = new ArrayList<>(r.numDocs());
            for (int doc = 0; doc < r.maxDoc(); doc++) {
                if (live == null || live.get(doc)) out.add(MovieDocuments.fromStored(stored, doc));
            }
            out.sort((a, b) -> Integer.compare(a.movieId(), b.movieId()));
            return out;
        } finally {
            manager.release(s);
        }
    }

    private static Map<String, Integer> genres(IndexSearcher s) throws IOException {
        Map<String, Integer> out = new TreeMap<>();
        Terms terms = MultiTerms.getTerms(s.getIndexReader(), Fields.GENRES);
        if (terms == null) return out;
        TermsEnum te = terms.iterator();
        for (BytesRef t = te.next(); t != null; t = te.next()) {
            out.put(t.utf8ToString(), te.docFreq());
        }
        return out;
    }

    private static Query withFilters(Query query, SearchFilters f, IndexSearcher s) throws IOException {
        if (f == null || f.isEmpty()) return query;
        BooleanQuery.Builder b = new BooleanQuery.Builder().add(query, BooleanClause.Occur.MUST);
        if (f.minAvgRating() != null) {
            b.add(DoublePoint.newRangeQuery(Fields.AVG_RATING, f.minAvgRating(), Double.POSITIVE_INFINITY),
                    BooleanClause.Occur.FILTER);
        }
        if (f.minRatings() != null) {
            b.add(IntPoint.newRangeQuery(Fields.RATING_COUNT, f.minRatings(), Integer.MAX_VALUE),
                    BooleanClause.Occur.FILTER);
        }
        if (f.yearFrom() != null || f.yearTo() != null) {
            b.add(IntPoint.newRangeQuery(Fields.YEAR, f.yearFrom() == null ? Integer.MIN_VALUE : f.yearFrom(),
                    f.yearTo() == null ? Integer.MAX_VALUE : f.yearTo()), BooleanClause.Occur.FILTER);
        }
        if (!f.genres().isEmpty()) {
            Map<String, Integer> known = genres(s);
            for (String g : f.genres()) {
                String key = g.trim().toLowerCase(Locale.ROOT);
                if (!known.containsKey(key)) {
                    throw new IllegalArgumentException("genre must be one of " + String.join(", ", known.keySet())
                            + "; got '" + g + "'");
                }
                b.add(new TermQuery(new Term(Fields.GENRES, key)), BooleanClause.Occur.FILTER);
            }
        }
        return b.build();
    }

    private static void checkLimit(int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be in 1-" + MAX_LIMIT + ", got " + limit);
        }
    }

    @Override
    public void close() throws IOException {
        try (directory) {
            manager.close();
        }
    }

    private static IndexSearcher searcher(IndexReader reader) {
        IndexSearcher s = new IndexSearcher(reader);
        s.setSimilarity(new BM25Similarity());
        return s;
    }

    /**
     * The searchers: of the directory's newest commit, or, while a writer is {@link #follow followed}, of
     * that writer (near-real-time). Refreshes run one at a time ({@link ReferenceManager}), so
     * {@code from} needs no lock.
     */
    private static final class Searchers extends ReferenceManager<IndexSearcher> {
        private final Directory directory;
        volatile IndexWriter writer;
        /** The writer the current reader came from; null: a commit. */
        private IndexWriter from;

        Searchers(Directory directory) throws IOException {
            this.directory = directory;
            current = searcher(DirectoryReader.open(directory));
        }

        @Override
        protected IndexSearcher refreshIfNeeded(IndexSearcher old) throws IOException {
            DirectoryReader r = (DirectoryReader) old.getIndexReader();
            IndexWriter w = writer;
            DirectoryReader next;
            if (w != null) {
                try {
                    // Incremental when r came from w; otherwise a reader of everything w holds.
                    next = DirectoryReader.openIfChanged(r, w, true);
                } catch (AlreadyClosedException e) {
                    // Closed meanwhile, after its last commit (MovieIndex.Live#close): read that commit.
                    next = DirectoryReader.open(directory);
                    w = null;
                }
            } else if (from != null) {
                // r came from a writer that may be closed by now: its last commit, read from the directory.
                next = DirectoryReader.open(directory);
            } else {
                next = DirectoryReader.openIfChanged(r);
            }
            if (next == null) return null;
            from = w;
            return searcher(next);
        }

        @Override
        protected boolean tryIncRef(IndexSearcher s) {
            return s.getIndexReader().tryIncRef();
        }

        @Override
        protected void decRef(IndexSearcher s) throws IOException {
            s.getIndexReader().decRef();
        }

        @Override
        protected int getRefCount(IndexSearcher s) {
            return s.getIndexReader().getRefCount();
        }
    }
}
