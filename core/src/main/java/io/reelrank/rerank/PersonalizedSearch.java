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
import io.reelrank.model.FactorModel;
import io.reelrank.model.ItemVectors;
import io.reelrank.model.ModelStore;
import io.reelrank.model.RatingHistory;
import io.reelrank.rank.FeatureSet;
import io.reelrank.rank.LearnedRanking;
import io.reelrank.rank.MovieStats;
import io.reelrank.rank.Ranker;
import io.reelrank.rank.RankerStore;
import io.reelrank.rank.RatedPolicy;
import io.reelrank.rank.Reasons;
import io.reelrank.rank.UserProfile;
import io.reelrank.user.UserTower;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Personalized search, the product in one call: BM25 candidates from the Lucene index, re-ranked for
 * a user by {@link Reranker} with both towers' item sides held in memory (the content vectors and the
 * active collaborative model, {@link FactorModel}) and the user's two vectors cached, then the page
 * of results with each score explained. Thread-safe; one instance serves a whole process (the CLI,
 * the HTTP server, the benchmarks). The caller closes it (it closes the index searcher and the
 * change listener). A long-running process calls {@link #listen()}: user vectors are then cached
 * until a {@code NOTIFY} from any process that wrote ratings, embeddings or a model version
 * ({@link Changes}) drops them, and a newly activated model version is loaded without a restart, so
 * a search never waits on the database in steady state; each (re)connection of the listener reads
 * the item vectors and the model again and checks the index ({@link #awaitCurrent} waits for the
 * first). Without a listener (or while it is disconnected) cached user vectors expire after
 * {@link #USER_TTL_MS}; while the database cannot be reached a cached vector keeps being served
 * (plain BM25 never needs the database). The listener also keeps this process's index directory in
 * step with every writer's changes ({@link IndexFollower}).
 */
public final class PersonalizedSearch implements AutoCloseable {

    public static final int DEFAULT_CANDIDATES = 100;
    public static final int MAX_CANDIDATES = MovieSearcher.MAX_LIMIT;
    public static final long USER_TTL_MS = 5_000;
    /**
     * The fusion a search uses unless told otherwise: weighted. The learned ranker beats it on the
     * evaluation (docs/learned-ranker.md) but not on the acceptance story: for the Fantasy Lover a
     * popular non-Fantasy film outranks the Lord of the Rings, so it is served when asked for
     * ({@code fusion=learned}), falling back to weighted, and saying so, without a trained ranker.
     */
    public static final Fusion DEFAULT_FUSION = Fusion.WEIGHTED;

    /**
     * What to search: query, optional user, page size, candidate pool, fusion with its weights,
     * filters, and whether to explain a learned score by its reasons (SHAP contributions cost a
     * native call, so they are computed only when asked for).
     */
    public record Request(String query, Integer user, int limit, int candidates, Weights weights, Fusion fusion,
                          SearchFilters filters, boolean explain) {
        public Request {
            if (query == null || query.isBlank()) throw new IllegalArgumentException("query must not be empty");
            if (limit < 1 || limit > MovieSearcher.MAX_LIMIT) {
                throw new IllegalArgumentException("limit must be in 1-" + MovieSearcher.MAX_LIMIT + ", got " + limit);
            }
            if (candidates < 1 || candidates > MAX_CANDIDATES) {
                throw new IllegalArgumentException("candidates must be in 1-" + MAX_CANDIDATES + ", got " + candidates);
            }
            if (fusion == null) fusion = DEFAULT_FUSION;
            if (weights == null) weights = defaultWeights(fusion);
            if (filters == null) filters = SearchFilters.NONE;
        }

        /** Without reasons for learned scores. */
        public Request(String query, Integer user, int limit, int candidates, Weights weights, Fusion fusion,
                       SearchFilters filters) {
            this(query, user, limit, candidates, weights, fusion, filters, false);
        }

        /** With α alone: the fusion's default weights otherwise. */
        public Request(String query, Integer user, int limit, int candidates, double alpha, Fusion fusion,
                       SearchFilters filters) {
            this(query, user, limit, candidates, defaultWeights(fusion == null ? DEFAULT_FUSION : fusion)
                    .withAlpha(checkAlpha(alpha)), fusion, filters);
        }

        public double alpha() {
            return weights.alpha();
        }

        public Request withLimit(int n) {
            return new Request(query, user, n, candidates, weights, fusion, filters, explain);
        }

        public Request withFusion(Fusion f) {
            return new Request(query, user, limit, candidates, weights, f, filters, explain);
        }

        public Request withExplain(boolean e) {
            return new Request(query, user, limit, candidates, weights, fusion, filters, e);
        }

        public static Request of(String query, Integer user) {
            return new Request(query, user, 10, DEFAULT_CANDIDATES, (Weights) null, DEFAULT_FUSION, SearchFilters.NONE);
        }

        private static double checkAlpha(double a) {
            if (!(a >= 0 && a <= 1)) throw new IllegalArgumentException("alpha must be in 0-1, got " + a);
            return a;
        }
    }

    /**
     * The shipped weights of a fusion: {@link Weights#DEFAULT} for weighted (and learned, whose
     * fallback is weighted), α = {@link Reranker#DEFAULT_ALPHA} otherwise.
     */
    public static Weights defaultWeights(Fusion f) {
        return f == Fusion.WEIGHTED || f == Fusion.LEARNED ? Weights.DEFAULT
                : new Weights(Reranker.DEFAULT_ALPHA, 0, 0);
    }

    /** Where a learned ranking puts movies the user rated (measured on validation, docs/learned-ranker.md). */
    public static final RatedPolicy RATED_POLICY = RatedPolicy.LOW;
    /** Reasons shown per result of a learned ranking with {@link Request#explain}. */
    public static final int REASONS = 3;

    /**
     * One result. For a personalized search {@code similarity} is the cosine between the user's and
     * the movie's content vectors (null when either has none), {@code collaborative} the inner
     * product of their collaborative vectors (null likewise), {@code ratingCount} the popularity
     * prior's n and {@code score} the fused score; for a plain search the score is BM25's. The
     * explanation repeats the fusion's formula with the values.
     */
    public record Result(int rank, int movieId, String title, Integer year, List<String> genres, double bm25,
                         int bm25Rank, Double similarity, Double collaborative, int ratingCount, double score,
                         boolean hasEmbedding, String explanation, List<Reasons.Reason> reasons) {
        /** A result of a fusion with a formula (no learned reasons). */
        public Result(int rank, int movieId, String title, Integer year, List<String> genres, double bm25, int bm25Rank,
                      Double similarity, Double collaborative, int ratingCount, double score, boolean hasEmbedding,
                      String explanation) {
            this(rank, movieId, title, year, genres, bm25, bm25Rank, similarity, collaborative, ratingCount, score,
                    hasEmbedding, explanation, List.of());
        }

        /** Positive when the movie moved up against its BM25 rank. */
        public int movement() {
            return bm25Rank - rank;
        }
    }

    /**
     * The answer. {@code personalized} is false for no user, and for a cold user ({@code coldUser}:
     * neither tower has a vector for them), who gets BM25 plus the popularity prior under weighted
     * fusion and the BM25 order otherwise. {@code modelVersion} is the collaborative model used (0:
     * none trained), {@code hasCollaborative} whether the user has a vector in it.
     */
    public record Response(String query, Integer user, boolean personalized, boolean coldUser, Fusion fusion,
                           Weights weights, int candidates, long totalMatches, long modelVersion,
                           boolean hasCollaborative, List<Result> results, long rankerVersion, String note) {
        /** A response of a fusion with a formula: no ranker version, no note. */
        public Response(String query, Integer user, boolean personalized, boolean coldUser, Fusion fusion,
                        Weights weights, int candidates, long totalMatches, long modelVersion,
                        boolean hasCollaborative, List<Result> results) {
            this(query, user, personalized, coldUser, fusion, weights, candidates, totalMatches, modelVersion,
                    hasCollaborative, results, 0, null);
        }

        public double alpha() {
            return weights.alpha();
        }

        Response withNote(String n) {
            return new Response(query, user, personalized, coldUser, fusion, weights, candidates, totalMatches,
                    modelVersion,
                    hasCollaborative, results, rankerVersion, n);
        }
    }

    /**
     * What learned ranking needs beside the towers, loaded together: the movie statistics of the
     * features and the active search ranker (null: none trained).
     */
    private record Learned(MovieStats stats, RankerStore.Active search) {}

    /** The user id is not in {@code users}. */
    public static final class UnknownUserException extends Exception {
        public UnknownUserException(int user) {
            super("unknown user " + user + ": no such user in the users table (ratings create users)");
        }
    }

    private record CachedUser(boolean exists, float[] vector, float[] cf, RatedMovies rated, long modelVersion,
                              long loadedAt, AtomicReference<Profile> profile) {}

    /** A user's feature profile, valid for the learned state it was computed with. */
    private record Profile(Learned learned, UserProfile profile) {}

    private final Database db;
    private final MovieSearcher searcher;
    private volatile ItemVectors items;
    private volatile FactorModel model;
    private volatile Learned learned; // null until first needed
    private final Map<Integer, CachedUser> users = new ConcurrentHashMap<>();
    private volatile Changes.Listener listener;
    private volatile IndexFollower follower;

    /** Loads the active collaborative model, when one has been trained. */
    public PersonalizedSearch(Database db, MovieSearcher searcher, ItemVectors items) throws SQLException {
        this.db = db;
        this.searcher = searcher;
        this.items = items;
        this.model = ModelStore.loadActive(db);
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

    /** The active collaborative model's item side, or null when none is trained. */
    public FactorModel model() {
        return model;
    }

    public void reloadItems() throws SQLException {
        items = ItemVectors.load(db, true);
        users.clear();
    }

    /** Loads the active model version again (a new one was activated) and forgets cached users. */
    public void reloadModel() throws SQLException {
        model = ModelStore.loadActive(db);
        users.clear();
    }

    /**
     * Loads the movie statistics and the active search ranker again (a model or ranker version was
     * activated); the next learned search uses them.
     */
    public void reloadLearned() throws SQLException {
        try (Connection c = db.connect()) {
            learned = new Learned(MovieStats.load(c), RankerStore.active(c, RankerStore.SEARCH));
        }
        users.clear();
    }

    /** The active search ranker's version, 0 when none is trained (loads it on first use). */
    public long rankerVersion() throws SQLException {
        RankerStore.Active a = learned().search();
        return a == null ? 0 : a.version().version();
    }

    private Learned learned() throws SQLException {
        Learned l = learned;
        if (l == null) {
            synchronized (this) {
                if (learned == null) reloadLearned();
                l = learned;
            }
        }
        return l;
    }

    /** Takes a model that a fold-in loaded from the database when it is newer than the one held. */
    public void offerModel(FactorModel m) {
        if (m != null && (model == null || m.version() > model.version())) {
            model = m;
            users.clear();
        }
    }

    public void invalidateUser(int userId) {
        users.remove(userId);
    }

    /** Follows writes from every process (see the class comment); idempotent. */
    public synchronized void listen() {
        if (listener != null) return;
        IndexFollower f = new IndexFollower(db, searcher);
        follower = f;
        // A reload that fails is thrown to the listener, which drops its connection and, on the next one,
        // catches up on everything (below): a change is never half followed.
        listener = new Changes.Listener(db, (channel, payload) -> {
            if (Changes.ITEMS.equals(channel)) {
                try {
                    reloadItems();
                } catch (SQLException e) {
                    users.clear();
                    throw new IllegalStateException("cannot reload the item vectors: " + e.getMessage(), e);
                }
            } else if (Changes.MOVIES.equals(channel)) {
                f.onMoviesChanged(payload);
            } else if (Changes.MODEL.equals(channel)) {
                try {
                    FactorModel m = model;
                    if (m == null || !String.valueOf(m.version()).equals(payload)) reloadModel();
                    if (learned != null) reloadLearned();
                } catch (SQLException e) {
                    users.clear();
                    throw new IllegalStateException("cannot load model version " + payload + ": " + e.getMessage(), e);
                }
            } else if (Changes.RANKER.equals(channel)) {
                try {
                    reloadLearned();
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot load the " + payload + " ranker: " + e.getMessage(), e);
                }
            } else if (channel == null) {
                // (Re)connected, the first time included: anything may have changed while nobody listened
                // (embeddings, a model version, ratings, movies), so everything followed is read again.
                users.clear();
                f.onReconnect();
                try {
                    reloadItems();
                    reloadModel();
                    reloadLearned();
                } catch (SQLException e) {
                    users.clear();
                    throw new IllegalStateException("cannot catch up on changes: " + e.getMessage(), e);
                }
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

    /**
     * Waits until the listener has connected and caught up (item vectors and model read again, cached
     * users dropped) and the index follower has compared this process's index with the tables, and
     * rebuilt it if it was behind: from then on this process answers as the tables are. A server calls
     * it after {@link #listen} and before it opens its port. Fails after {@code timeoutMs}, naming what
     * it was still waiting for.
     */
    public void awaitCurrent(long timeoutMs) throws InterruptedException {
        Changes.Listener l = listener;
        IndexFollower f = follower;
        if (l == null || f == null) throw new IllegalStateException("awaitCurrent needs listen() first");
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (l.catchUps() == 0 || f.checksDone() == 0 || f.busy()) {
            if (System.nanoTime() > deadline) {
                String waiting = l.catchUps() == 0
                        ? "no connection to the database for change notifications"
                        : "the index in " + searcher.dir() + " is not yet in step with the tables"
                                + (f.lastError() == null ? "" : " (" + f.lastError() + ")");
                throw new IllegalStateException("not current after " + timeoutMs + " ms: " + waiting);
            }
            Thread.sleep(10);
        }
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
        FactorModel m = model;
        long version = m == null ? 0 : m.version();
        if (r.user() == null) {
            return plain(r, false, version);
        }
        CachedUser user = user(r.user(), m);
        float[] u = user.vector();
        float[] cf = m == null ? null : user.cf();
        boolean cold = u == null && cf == null;
        if (r.fusion() == Fusion.LEARNED) {
            Learned l = learned();
            if (l.search() == null) {
                return search(r.withFusion(Fusion.WEIGHTED)).withNote("no learned ranker trained (reelrank train): "
                        + "weighted fusion");
            }
            if (cold) {
                return search(r.withFusion(Fusion.WEIGHTED)).withNote(
                        "cold user: weighted fusion (BM25 and the popularity "
                        + "prior), the learned ranker needs the user's ratings");
            }
            return learned(r, user, m, l);
        }
        if (cold && r.fusion() != Fusion.WEIGHTED) {
            return plain(r, true, version);
        }
        List<Candidate> cands = searcher.candidates(r.query(), r.filters(), r.candidates());
        List<Reranker.Ranked> ranked = Reranker.rerank(cands, u, cf, user.rated(), items, m, r.fusion(), r.weights());
        int n = Math.min(r.limit(), ranked.size());
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = ranked.get(i).candidate().movieId();
        Map<Integer, MovieRecord> movies = searcher.movies(ids);
        double maxBm25 = cands.isEmpty() ? 0 : cands.get(0).bm25(); // candidates come best first
        List<Result> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Reranker.Ranked x = ranked.get(i);
            MovieRecord mr = movies.get(x.candidate().movieId());
            if (mr == null) continue; // removed by an index rebuild between the two reads
            Double sim = Double.isNaN(x.similarity()) ? null : x.similarity();
            Double uv = Double.isNaN(x.collaborative()) ? null : x.collaborative();
            out.add(new Result(x.rank(), mr.movieId(), mr.title(), mr.year(), mr.genres(), x.candidate().bm25(),
                    x.candidate().bm25Rank(), sim, uv, x.candidate().ratingCount(), x.score(), x.hasVector(),
                    Explanations.explain(r.fusion(), r.weights(), x, maxBm25, cands.size(), u != null, cf != null)));
        }
        return new Response(r.query(), r.user(), !cold, cold, r.fusion(), r.weights(), r.candidates(), cands.size(),
                version, cf != null, out);
    }

    /**
     * The learned ranking: every candidate's {@link FeatureSet} features, the ranker's score, the
     * order of {@link LearnedRanking} with {@link #RATED_POLICY}; with {@link Request#explain}, each
     * result's top reasons from its SHAP contributions.
     */
    private Response learned(Request r, CachedUser user, FactorModel m, Learned l)
            throws QuerySyntaxException, IOException, SQLException {
        List<Candidate> cands = searcher.candidates(r.query(), r.filters(), r.candidates());
        UserProfile p = profile(r.user(), user, l, m);
        float[] cf = m == null ? null : user.cf();
        float[] x = FeatureSet.compute(
                new FeatureSet.Inputs(cands, FeatureSet.genreQuery(r.query()), p, user.vector(), cf,
                l.stats(), items, m));
        Ranker ranker = l.search().ranker();
        double[] s = ranker.score(x, cands.size());
        int[] order = LearnedRanking.order(cands, x, s, RATED_POLICY);
        int n = Math.min(r.limit(), order.length);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = cands.get(order[i]).movieId();
        Map<Integer, MovieRecord> movies = searcher.movies(ids);
        float[][] contrib = null;
        if (r.explain() && n > 0) {
            float[] rows = new float[n * FeatureSet.WIDTH];
            for (int i = 0; i < n; i++) System.arraycopy(x, order[i] * FeatureSet.WIDTH, rows, i * FeatureSet.WIDTH,
                    FeatureSet.WIDTH);
            contrib = ranker.contributions(rows, n);
        }
        long rv = l.search().version().version();
        List<Result> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int c = order[i];
            Candidate cand = cands.get(c);
            MovieRecord mr = movies.get(cand.movieId());
            if (mr == null) continue; // removed by an index rebuild between the two reads
            double cos = x[c * FeatureSet.WIDTH + io.reelrank.rank.Feature.COS.ordinal()];
            double uv = x[c * FeatureSet.WIDTH + io.reelrank.rank.Feature.UV.ordinal()];
            int tier = LearnedRanking.tier(x, c, RATED_POLICY);
            List<Reasons.Reason> reasons = contrib == null ? List.of()
                    : Reasons.of(x, c, ranker.features(), contrib[i], mr.genres(), REASONS);
            StringBuilder e = new StringBuilder(
                    String.format(Locale.ROOT, "learned ranker version %d: score %.4f", rv, s[c]));
            if (tier < 0) e.append(
                    String.format(Locale.ROOT, "; you rated it %.1f: below every movie you have not rated",
                    x[c * FeatureSet.WIDTH + io.reelrank.rank.Feature.STARS.ordinal()]));
            if (tier > 0) e.append(
                    String.format(Locale.ROOT, "; you rated it %.1f: above every movie you have not rated",
                    x[c * FeatureSet.WIDTH + io.reelrank.rank.Feature.STARS.ordinal()]));
            for (Reasons.Reason reason : reasons) e.append("; ").append(reason);
            out.add(new Result(i + 1, mr.movieId(), mr.title(), mr.year(), mr.genres(), cand.bm25(), cand.bm25Rank(),
                    Double.isNaN(cos) ? null : cos, Double.isNaN(uv) ? null : uv, cand.ratingCount(), s[c],
                    items.has(cand.movieId()), e.toString(), reasons));
        }
        return new Response(r.query(), r.user(), true, false, Fusion.LEARNED, r.weights(), r.candidates(), cands.size(),
                m == null ? 0 : m.version(), cf != null, out, rv, null);
    }

    /** The user's feature profile for the learned state {@code l}, computed once and kept with the cached user. */
    private UserProfile profile(int userId, CachedUser user, Learned l, FactorModel m) throws SQLException {
        Profile p = user.profile().get();
        if (p == null || p.learned() != l) {
            try (Connection c = db.connect()) {
                p = new Profile(l, UserProfile.read(c, userId, l.stats(), items::vector, m));
            }
            user.profile().set(p);
        }
        return p.profile();
    }

    private Response plain(Request r, boolean cold, long version) throws QuerySyntaxException, IOException {
        SearchResult res = searcher.search(r.query(), r.filters(), SearchSort.SCORE, r.limit());
        List<Result> out = new ArrayList<>(res.hits().size());
        for (SearchHit h : res.hits()) {
            out.add(new Result(h.rank(), h.movieId(), h.title(), h.year(), h.genres(), h.bm25(), h.rank(), null, null,
                    h.ratingCount(), h.bm25(), items.has(h.movieId()), String.format(Locale.ROOT,
                            "bm25 %.4f (BM25 order%s)", h.bm25(), cold ? "; cold user: no vector yet" : "")));
        }
        return new Response(r.query(), r.user(), false, cold, r.fusion(), r.weights(), r.candidates(),
                res.totalMatches(), version, false, out);
    }

    /** The user's content vector, null for a cold user; cached for {@link #USER_TTL_MS}. */
    public float[] userVector(int userId) throws SQLException, UnknownUserException {
        return user(userId, model).vector();
    }

    /** The user's collaborative vector in the active model, null when there is none (no model, no positive rating). */
    public float[] collaborativeVector(int userId) throws SQLException, UnknownUserException {
        FactorModel m = model;
        return m == null ? null : user(userId, m).cf();
    }

    private CachedUser user(int userId, FactorModel m) throws SQLException, UnknownUserException {
        long now = System.currentTimeMillis();
        long version = m == null ? 0 : m.version();
        CachedUser c = users.get(userId);
        if (c == null || c.modelVersion() != version || (!listening() && now - c.loadedAt() > USER_TTL_MS)) {
            try (Connection conn = db.connect()) {
                UserTower.Stored s = UserTower.load(conn, userId);
                float[] cf = m == null ? null : ModelStore.user(conn, version, userId).vector();
                c = new CachedUser(s.exists(), s.vector(), cf, s.exists() ? rated(conn, userId) : RatedMovies.NONE,
                        version, now, new AtomicReference<>());
            } catch (SQLException e) {
                // Database away: the vectors we have are better than none; try again after the TTL.
                if (c == null || c.modelVersion() != version || !Database.unreachable(e)) throw e;
                c = new CachedUser(c.exists(), c.vector(), c.cf(), c.rated(), c.modelVersion(), now, c.profile());
            }
            users.put(userId, c);
        }
        if (!c.exists()) throw new UnknownUserException(userId);
        return c;
    }

    /** The user's ratings: for these movies the re-ranker uses what the user said ({@link Reranker}). */
    private static RatedMovies rated(Connection c, int userId) throws SQLException {
        RatingHistory h = RatingHistory.read(c, userId);
        return RatedMovies.of(h.movies(), h.ratings());
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
