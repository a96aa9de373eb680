package io.reelrank.rerank;

import io.reelrank.db.Changes;
import io.reelrank.db.Database;
import io.reelrank.index.Candidate;
import io.reelrank.index.IndexFollower;
import io.reelrank.index.MovieRecord;
import io.reelrank.index.MovieSearcher;
import io.reelrank.index.QuerySyntaxException;
import io.reelrank.index.SearchFilters;
import io.reelrank.index.SearchHit;
import io.reelrank.index.SearchResult;
import io.reelrank.index.SearchSort;
import io.reelrank.user.UserTower;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Personalized search, the product in one call: BM25 candidates from the Lucene index, re-ranked for
 * a user by {@link Reranker} with the item vectors held in memory and the user's vector cached, then
 * the page of results with each score explained. Thread-safe; one instance serves a whole process
 * (the CLI, the HTTP server, the benchmarks). The caller closes it (it closes the index searcher and
 * the change listener). A long-running process calls {@link #listen()}: user vectors are then cached
 * until a {@code NOTIFY} from any process that wrote ratings or embeddings ({@link Changes}) drops
 * them, so a search never waits on the database in steady state. Without a listener (or while it is
 * disconnected) cached user vectors expire after {@link #USER_TTL_MS}; while the database cannot be
 * reached a cached vector keeps being served (plain BM25 never needs the database). The listener also
 * keeps this process's index directory in step with every writer's changes ({@link IndexFollower}).
 */
public final class PersonalizedSearch implements AutoCloseable {

    public static final int DEFAULT_CANDIDATES = 100;
    public static final int MAX_CANDIDATES = MovieSearcher.MAX_LIMIT;
    public static final long USER_TTL_MS = 5_000;

    /** What to search: query, optional user, page size, candidate pool, fusion and filters. */
    public record Request(String query, Integer user, int limit, int candidates, double alpha, Fusion fusion,
                          SearchFilters filters) {
        public Request {
            if (query == null || query.isBlank()) throw new IllegalArgumentException("query must not be empty");
            if (limit < 1 || limit > MovieSearcher.MAX_LIMIT) {
                throw new IllegalArgumentException("limit must be in 1-" + MovieSearcher.MAX_LIMIT + ", got " + limit);
            }
            if (candidates < 1 || candidates > MAX_CANDIDATES) {
                throw new IllegalArgumentException("candidates must be in 1-" + MAX_CANDIDATES + ", got " + candidates);
            }
            if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("alpha must be in 0-1, got " + alpha);
            if (fusion == null) fusion = Fusion.LINEAR;
            if (filters == null) filters = SearchFilters.NONE;
        }

        public Request withLimit(int n) {
            return new Request(query, user, n, candidates, alpha, fusion, filters);
        }

        public static Request of(String query, Integer user) {
            return new Request(query, user, 10, DEFAULT_CANDIDATES, Reranker.DEFAULT_ALPHA, Fusion.LINEAR,
                    SearchFilters.NONE);
        }
    }

    /**
     * One result. For a personalized search {@code similarity} is the cosine between the user's and
     * the movie's vectors (null when the movie has no vector) and {@code score} the fused score; for
     * a plain search both follow BM25 ({@code similarity} null, {@code score} = bm25).
     */
    public record Result(int rank, int movieId, String title, Integer year, List<String> genres, double bm25,
                         int bm25Rank, Double similarity, double score, boolean hasEmbedding, String explanation) {
        /** Positive when the movie moved up against its BM25 rank. */
        public int movement() {
            return bm25Rank - rank;
        }
    }

    /** The answer; {@code personalized} is false for no user or a cold user ({@code coldUser}). */
    public record Response(String query, Integer user, boolean personalized, boolean coldUser, Fusion fusion,
                           double alpha, int candidates, long totalMatches, List<Result> results) {}

    /** The user id is not in {@code users}. */
    public static final class UnknownUserException extends Exception {
        public UnknownUserException(int user) {
            super("unknown user " + user + ": no such user in the users table (ratings create users)");
        }
    }

    private record CachedUser(boolean exists, float[] vector, long loadedAt) {}

    private final Database db;
    private final MovieSearcher searcher;
    private volatile ItemVectors items;
    private final Map<Integer, CachedUser> users = new ConcurrentHashMap<>();
    private volatile Changes.Listener listener;
    private volatile IndexFollower follower;

    public PersonalizedSearch(Database db, MovieSearcher searcher, ItemVectors items) {
        this.db = db;
        this.searcher = searcher;
        this.items = items;
    }

    public MovieSearcher searcher() {
        return searcher;
    }

    public ItemVectors items() {
        return items;
    }

    public Database database() {
        return db;
    }

    public void reloadItems() throws SQLException {
        items = ItemVectors.load(db, true);
        users.clear();
    }

    public void invalidateUser(int userId) {
        users.remove(userId);
    }

    /** Follows writes from every process (see the class comment); idempotent. */
    public synchronized void listen() {
        if (listener != null) return;
        IndexFollower f = new IndexFollower(db, searcher);
        follower = f;
        listener = new Changes.Listener(db, (channel, payload) -> {
            if (Changes.ITEMS.equals(channel)) {
                try {
                    reloadItems();
                } catch (SQLException e) {
                    users.clear();
                }
            } else if (Changes.MOVIES.equals(channel)) {
                f.onMoviesChanged(payload);
            } else if (channel == null) {
                users.clear();
                f.onReconnect();
            } else if (Changes.ALL.equals(payload)) {
                users.clear();
            } else {
                try {
                    users.remove(Integer.parseInt(payload));
                } catch (NumberFormatException e) {
                    users.clear();
                }
            }
        });
    }

    /** The follower of this process's index (null until {@link #listen}). */
    public IndexFollower indexFollower() {
        return follower;
    }

    /** Whether cached vectors are kept current by notifications right now. */
    public boolean listening() {
        Changes.Listener l = listener;
        return l != null && l.connected();
    }

    public Response search(Request r) throws QuerySyntaxException, IOException, SQLException, UnknownUserException {
        if (r.user() == null) {
            return plain(r, false);
        }
        float[] u = userVector(r.user());
        if (u == null) {
            return plain(r, true);
        }
        List<Candidate> cands = searcher.candidates(r.query(), r.filters(), r.candidates());
        List<Reranker.Candidate> in = new ArrayList<>(cands.size());
        for (Candidate c : cands) in.add(new Reranker.Candidate(c.movieId(), c.bm25(), c.rank()));
        ItemVectors iv = items;
        List<Reranker.Ranked> ranked = Reranker.rerank(in, u, iv, r.fusion(), r.alpha());
        int n = Math.min(r.limit(), ranked.size());
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = ranked.get(i).candidate().movieId();
        Map<Integer, MovieRecord> movies = searcher.movies(ids);
        double maxBm25 = cands.isEmpty() ? 0 : cands.get(0).bm25(); // candidates come best first
        List<Result> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Reranker.Ranked x = ranked.get(i);
            MovieRecord m = movies.get(x.candidate().movieId());
            if (m == null) continue; // removed by an index rebuild between the two reads
            Double sim = Double.isNaN(x.similarity()) ? null : x.similarity();
            out.add(new Result(x.rank(), m.movieId(), m.title(), m.year(), m.genres(), x.candidate().bm25(),
                    x.candidate().bm25Rank(), sim, x.score(), x.hasVector(),
                    explain(r, x, maxBm25, cands.size())));
        }
        return new Response(r.query(), r.user(), true, false, r.fusion(), r.alpha(), r.candidates(), cands.size(), out);
    }

    private Response plain(Request r, boolean cold) throws QuerySyntaxException, IOException {
        SearchResult res = searcher.search(r.query(), r.filters(), SearchSort.SCORE, r.limit());
        List<Result> out = new ArrayList<>(res.hits().size());
        for (SearchHit h : res.hits()) {
            out.add(new Result(h.rank(), h.movieId(), h.title(), h.year(), h.genres(), h.bm25(), h.rank(), null,
                    h.bm25(), items.has(h.movieId()), String.format(Locale.ROOT, "bm25 %.4f (BM25 order%s)", h.bm25(),
                    cold ? "; cold user: no vector yet" : "")));
        }
        return new Response(r.query(), r.user(), false, cold, r.fusion(), r.alpha(), r.candidates(), res.totalMatches(), out);
    }

    private static String explain(Request r, Reranker.Ranked x, double maxBm25, int k) {
        double bm25 = x.candidate().bm25();
        if (r.fusion() == Fusion.LINEAR) {
            String cos = x.hasVector() ? String.format(Locale.ROOT, "%.4f", x.similarity()) : "0 (no vector)";
            return String.format(Locale.ROOT, "(1-%.2f)·bm25/max_bm25 + %.2f·(cos+1)/2 = %.2f·%.4f/%.4f + %.2f·(%s+1)/2 = %.4f",
                    r.alpha(), r.alpha(), 1 - r.alpha(), bm25, maxBm25, r.alpha(), cos, x.score());
        }
        String simPart = x.hasVector() ? String.format(Locale.ROOT, " + 1/(60+rank_cos)") : " (no vector: no similarity term)";
        return String.format(Locale.ROOT, "1/(60+%d)%s = %.6f over %d candidates", x.candidate().bm25Rank(), simPart,
                x.score(), k);
    }

    /** The user's vector, null for a cold user; cached for {@link #USER_TTL_MS}. */
    public float[] userVector(int userId) throws SQLException, UnknownUserException {
        long now = System.currentTimeMillis();
        CachedUser c = users.get(userId);
        if (c == null || (!listening() && now - c.loadedAt() > USER_TTL_MS)) {
            try (Connection conn = db.connect()) {
                UserTower.Stored s = UserTower.load(conn, userId);
                c = new CachedUser(s.exists(), s.vector(), now);
            } catch (SQLException e) {
                // Database away: the vector we have is better than none; try again after the TTL.
                if (c == null || !Database.unreachable(e)) throw e;
                c = new CachedUser(c.exists(), c.vector(), now);
            }
            users.put(userId, c);
        }
        if (!c.exists()) throw new UnknownUserException(userId);
        return c.vector();
    }

    @Override
    public void close() throws IOException {
        Changes.Listener l = listener;
        if (l != null) l.close();
        IndexFollower f = follower;
        if (f != null) f.close();
        searcher.close();
    }
}
