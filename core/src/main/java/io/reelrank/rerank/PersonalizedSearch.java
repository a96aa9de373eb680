package io.reelrank.rerank;

import io.reelrank.db.Changes;
import io.reelrank.db.Database;
import io.reelrank.embed.QueryEncoder;
import io.reelrank.index.Candidate;
import io.reelrank.index.IndexFollower;
import io.reelrank.index.MovieRecord;
import io.reelrank.index.MovieSearcher;
import io.reelrank.index.QuerySyntaxException;
import io.reelrank.index.SearchFilters;
import io.reelrank.model.FactorModel;
import io.reelrank.model.ItemVectors;
import io.reelrank.model.ModelStore;
import io.reelrank.model.RatingHistory;
import io.reelrank.rank.Domain;
import io.reelrank.rank.FeatureSet;
import io.reelrank.rank.LearnedRanking;
import io.reelrank.rank.MovieStats;
import io.reelrank.rank.OrderRule;
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
     * The fusion a search uses unless told otherwise: learned, the LambdaMART ranker ordered by
     * {@link #ORDER}, which beats the weighted fusion on validation and on the evaluation's test
     * split (docs/learned-ranker.md). Without an active ranker (before {@code reelrank train}, or
     * after {@code model deactivate}), for a cold user, and for a user outside the ranker's
     * {@link Domain} (the acceptance story's users, who rate 50 films all 5.0 or all 1.0), a search
     * is served by the weighted fusion and says so in its note.
     */
    public static final Fusion DEFAULT_FUSION = Fusion.LEARNED;

    /**
     * The fusion of a search that names none: {@link #DEFAULT_FUSION} with a user, weighted without one
     * (the learned ranker ranks for a user; a search without one ranks by BM25 and the popularity prior).
     */
    public static Fusion defaultFusion(Integer user) {
        return user == null ? Fusion.WEIGHTED : DEFAULT_FUSION;
    }
    /**
     * The weights of a search without a user: BM25 (or the retrieval's score) and the popularity
     * prior, {@code (1−π)·mm(score) + π·mm(log(1+n))}, π = 0.70 the BM25 + popularity baseline's, chosen by
     * {@code reelrank eval} on its validation split (liked NDCG@10 over π = 0, 0.1, …, 1).
     */
    public static final Weights ANONYMOUS_WEIGHTS = new Weights(0, 0.70, 0);

    /**
     * What to search: query, optional user, page size, candidate pool, fusion with its weights, filters,
     * how the candidates are retrieved ({@link RetrievalSettings}: bm25, semantic, hybrid or auto, and
     * the typo tolerance; null: the search's own, {@link #retrievalSettings()}), and whether to explain a
     * learned score by its reasons (SHAP contributions cost a native call, so they are computed only
     * when asked for). The weights apply to a search with a user; one without is ranked by
     * {@link #ANONYMOUS_WEIGHTS}.
     */
    public record Request(String query, Integer user, int limit, int candidates, Weights weights, Fusion fusion,
                          SearchFilters filters, RetrievalSettings retrieval, boolean explain) {
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

        /** With the shipped retrieval, without reasons for learned scores. */
        public Request(String query, Integer user, int limit, int candidates, Weights weights, Fusion fusion,
                       SearchFilters filters) {
            this(query, user, limit, candidates, weights, fusion, filters, null, false);
        }

        /** Without reasons for learned scores. */
        public Request(String query, Integer user, int limit, int candidates, Weights weights, Fusion fusion,
                       SearchFilters filters, RetrievalSettings retrieval) {
            this(query, user, limit, candidates, weights, fusion, filters, retrieval, false);
        }

        /** With the shipped retrieval. */
        public Request(String query, Integer user, int limit, int candidates, Weights weights, Fusion fusion,
                       SearchFilters filters, boolean explain) {
            this(query, user, limit, candidates, weights, fusion, filters, null, explain);
        }

        /** With α alone: the fusion's default weights otherwise. */
        public Request(String query, Integer user, int limit, int candidates, double alpha, Fusion fusion,
                       SearchFilters filters) {
            this(query, user, limit, candidates, defaultWeights(fusion == null ? DEFAULT_FUSION : fusion)
                    .withAlpha(checkAlpha(alpha)), fusion, filters, null);
        }

        public double alpha() {
            return weights.alpha();
        }

        public Request withLimit(int n) {
            return new Request(query, user, n, candidates, weights, fusion, filters, retrieval, explain);
        }

        public Request withRetrieval(RetrievalSettings r) {
            return new Request(query, user, limit, candidates, weights, fusion, filters, r, explain);
        }

        public Request withFusion(Fusion f) {
            return new Request(query, user, limit, candidates, weights, f, filters, retrieval, explain);
        }

        public Request withExplain(boolean e) {
            return new Request(query, user, limit, candidates, weights, fusion, filters, retrieval, e);
        }

        public static Request of(String query, Integer user) {
            return new Request(query, user, 10, DEFAULT_CANDIDATES, (Weights) null, DEFAULT_FUSION, SearchFilters.NONE,
                    null);
        }

        private static double checkAlpha(double a) {
            if (!(a >= 0 && a <= 1)) throw new IllegalArgumentException("alpha must be in 0-1, got " + a);
            return a;
        }
    }

    /**
     * The shipped weights of a fusion: {@link Weights#DEFAULT} for weighted (and learned, whose
     * fallback is weighted), α = {@link Reranker#DEFAULT_ALPHA} for linear and rrf, none for bm25 (the
     * retrieval's order).
     */
    public static Weights defaultWeights(Fusion f) {
        return switch (f) {
            case WEIGHTED, LEARNED -> Weights.DEFAULT;
            case BM25 -> new Weights(0, 0, 0);
            default -> new Weights(Reranker.DEFAULT_ALPHA, 0, 0);
        };
    }

    /**
     * How a learned ranking orders its candidates: a movie the user rated 2.0 or less below every
     * unrated one, the others by the ranker's score. The rules of {@link OrderRule#study} that lift
     * rated movies or add the content towers' cosine trade liked NDCG@10 for it on validation
     * (docs/learned-ranker.md).
     */
    public static final OrderRule ORDER = new OrderRule(RatedPolicy.LOW, 0, 0);
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
                         boolean hasEmbedding, String explanation, String retriever, int retrievalRank,
                         Integer semanticRank, Double semanticScore, List<Reasons.Reason> reasons) {
        /**
         * {@code retriever}: which list found the movie, {@code bm25}, {@code semantic} or {@code both};
         * {@code retrievalRank} its rank in the retrieval's order (the BM25 rank under BM25 retrieval);
         * {@code bm25} and {@code bm25Rank} 0 for a movie BM25 did not find; {@code semanticRank} and
         * {@code semanticScore} (the query's cosine with the movie) null for one the semantic branch did not;
         * {@code reasons}: a learned score's top contributions (empty for a fusion with a formula).
         */
        public Result {
            if (retriever == null) retriever = "bm25";
            if (retrievalRank == 0) retrievalRank = bm25Rank;
            reasons = reasons == null ? List.of() : List.copyOf(reasons);
        }

        /** A result of a fusion with a formula (no learned reasons). */
        public Result(int rank, int movieId, String title, Integer year, List<String> genres, double bm25, int bm25Rank,
                      Double similarity, Double collaborative, int ratingCount, double score, boolean hasEmbedding,
                      String explanation, String retriever, int retrievalRank, Integer semanticRank,
                      Double semanticScore) {
            this(rank, movieId, title, year, genres, bm25, bm25Rank, similarity, collaborative, ratingCount, score,
                    hasEmbedding, explanation, retriever, retrievalRank, semanticRank, semanticScore, List.of());
        }

        /** A BM25-retrieved result of a fusion with a formula. */
        public Result(int rank, int movieId, String title, Integer year, List<String> genres, double bm25, int bm25Rank,
                      Double similarity, Double collaborative, int ratingCount, double score, boolean hasEmbedding,
                      String explanation) {
            this(rank, movieId, title, year, genres, bm25, bm25Rank, similarity, collaborative, ratingCount, score,
                    hasEmbedding, explanation, "bm25", bm25Rank, null, null, List.of());
        }

        /** Positive when the movie moved up against its retrieval rank (its BM25 rank under BM25 retrieval). */
        public int movement() {
            return retrievalRank - rank;
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
                           boolean hasCollaborative, List<Result> results, Retrieval retrieval, String didYouMean,
                           long rankerVersion, String note, float[] servedFeatures) {
        /**
         * {@code retrieval}: the kind that ran (auto resolved to bm25 or hybrid); {@code didYouMean}: the
         * query with its unknown words corrected from the index's title and tag terms, or null;
         * {@code rankerVersion}: the learned ranker's version that ordered the results (0: a fusion with a
         * formula); {@code note}: why the fusion served is not the one asked for, or null;
         * {@code servedFeatures}: for a learned ranking, the {@link FeatureSet} values the ranker scored each
         * shown result with, row-major in result order ({@link FeatureSet#WIDTH} per result), the very array
         * rows it read (the request log stores them); null for a fusion with a formula.
         */
        public Response {
            if (retrieval == null) retrieval = Retrieval.BM25;
        }

        /** An answer without captured features. */
        public Response(String query, Integer user, boolean personalized, boolean coldUser, Fusion fusion,
                        Weights weights, int candidates, long totalMatches, long modelVersion, boolean hasCollaborative,
                        List<Result> results, Retrieval retrieval, String didYouMean, long rankerVersion, String note) {
            this(query, user, personalized, coldUser, fusion, weights, candidates, totalMatches, modelVersion,
                    hasCollaborative, results, retrieval, didYouMean, rankerVersion, note, null);
        }

        /** An answer of a fusion with a formula: no ranker version, no note. */
        public Response(String query, Integer user, boolean personalized, boolean coldUser, Fusion fusion,
                        Weights weights, int candidates, long totalMatches, long modelVersion, boolean hasCollaborative,
                        List<Result> results, Retrieval retrieval, String didYouMean) {
            this(query, user, personalized, coldUser, fusion, weights, candidates, totalMatches, modelVersion,
                    hasCollaborative, results, retrieval, didYouMean, 0, null);
        }

        /** A BM25-retrieved answer of a fusion with a formula, without a correction. */
        public Response(String query, Integer user, boolean personalized, boolean coldUser, Fusion fusion,
                        Weights weights, int candidates, long totalMatches, long modelVersion, boolean hasCollaborative,
                        List<Result> results) {
            this(query, user, personalized, coldUser, fusion, weights, candidates, totalMatches, modelVersion,
                    hasCollaborative, results, Retrieval.BM25, null, 0, null);
        }

        public double alpha() {
            return weights.alpha();
        }

        Response withNote(String n) {
            return new Response(query, user, personalized, coldUser, fusion, weights, candidates, totalMatches,
                    modelVersion, hasCollaborative, results, retrieval, didYouMean, rankerVersion, n, servedFeatures);
        }
    }

    /**
     * What learned ranking needs beside the towers, loaded together: the movie statistics of the
     * features, the active search ranker (null: none trained) and the users it can speak for.
     */
    private record Learned(MovieStats stats, RankerStore.Active search, Domain domain) {
        Learned(MovieStats stats, RankerStore.Active search) {
            this(stats, search, search == null ? Domain.ALL : Domain.fromParams(search.version().params()));
        }
    }

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
    private final QueryEncoder encoder;
    private final Retriever retriever;
    private volatile ItemVectors items;
    private volatile RetrievalSettings retrieval = RetrievalSettings.DEFAULT;
    private volatile FactorModel model;
    private volatile Learned learned; // null until first needed
    private final Map<Long, Learned> pinned = new ConcurrentHashMap<>(); // rankers by version, with learned's stats
    private final Map<Integer, CachedUser> users = new ConcurrentHashMap<>();
    private volatile Changes.Listener listener;
    private volatile IndexFollower follower;

    /**
     * Loads the active collaborative model, when one has been trained; queries are embedded by the
     * bundled default model ({@link QueryEncoder#bundled}), opened on the first semantic retrieval.
     */
    public PersonalizedSearch(Database db, MovieSearcher searcher, ItemVectors items) throws SQLException {
        this(db, searcher, items, QueryEncoder.bundled());
    }

    /** As above with this query model, which the search then owns and closes. */
    public PersonalizedSearch(Database db, MovieSearcher searcher, ItemVectors items, QueryEncoder encoder)
            throws SQLException {
        this.db = db;
        this.searcher = searcher;
        this.items = items;
        this.encoder = encoder;
        this.retriever = new Retriever(searcher, () -> this.items, encoder);
        this.model = ModelStore.loadActive(db);
    }

    public MovieSearcher searcher() {
        return searcher;
    }

    /** The first stage of every search here: BM25, semantic or hybrid retrieval with typo tolerance. */
    public Retriever retriever() {
        return retriever;
    }

    /** The retrieval of a request that names none: {@link RetrievalSettings#DEFAULT} unless set. */
    public RetrievalSettings retrievalSettings() {
        return retrieval;
    }

    /** Makes {@code s} the retrieval of requests that name none (a server's setting; the benchmarks compare two). */
    public void useRetrieval(RetrievalSettings s) {
        retrieval = s == null ? RetrievalSettings.DEFAULT : s;
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
        pinned.clear();
        users.clear();
    }

    /** The learned state with search ranker {@code version} in place of the active one; null when not stored. */
    private Learned pinned(long version) throws SQLException {
        Learned base = learned();
        Learned l = pinned.get(version);
        if (l != null && l.stats() == base.stats()) return l;
        if (base.search() != null && base.search().version().version() == version) return base;
        RankerStore.Active a;
        try (Connection c = db.connect()) {
            a = RankerStore.load(c, version);
        }
        if (a == null || !RankerStore.SEARCH.equals(a.version().task())) return null;
        l = new Learned(base.stats(), a);
        pinned.put(version, l);
        return l;
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

    /**
     * Waits until every change notification committed before the call has been applied here: cached
     * users dropped, vectors reloaded ({@link Changes.Listener#awaitSeen}) and the movies named brought
     * into this process's index (the follower idle). Needs {@link #listen}; fails after {@code timeoutMs}.
     */
    public void awaitChangesSeen(long timeoutMs) throws SQLException, InterruptedException {
        Changes.Listener l = listener;
        IndexFollower f = follower;
        if (l == null || f == null) throw new IllegalStateException("awaitChangesSeen needs listen() first");
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        l.awaitSeen(timeoutMs);
        while (f.busy()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the index follower still busy after " + timeoutMs + " ms");
            }
            Thread.sleep(5);
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

    public Response search(Request asked) throws QuerySyntaxException, IOException, SQLException, UnknownUserException {
        return search(asked, 0);
    }

    /**
     * {@link #search(Request)}, a learned ranking by the stored search ranker {@code rankerVersion}
     * (0: the active one) whether it is active or not: an experiment's candidate arm. The version is
     * loaded once and kept until the learned state is reloaded; a version that is no longer stored (or
     * ranks another task) is served by the weighted fusion, and the note says so.
     */
    public Response search(Request asked, long rankerVersion)
            throws QuerySyntaxException, IOException, SQLException, UnknownUserException {
        Request r = plainOrder(asked.retrieval() == null ? asked.withRetrieval(retrieval) : asked);
        FactorModel m = model;
        long version = m == null ? 0 : m.version();
        if (r.user() == null) {
            ItemVectors v = items;
            return anonymous(retriever, v::has, r, version);
        }
        CachedUser user = user(r.user(), m);
        float[] u = user.vector();
        float[] cf = m == null ? null : user.cf();
        boolean cold = u == null && cf == null;
        RatedMovies rated = user.rated();
        String outside = null;
        if (r.fusion() == Fusion.LEARNED) {
            Learned l = rankerVersion > 0 ? pinned(rankerVersion) : learned();
            if (l == null) {
                return search(r.withFusion(Fusion.WEIGHTED)).withNote("no search ranker version " + rankerVersion
                        + " stored (reelrank model list): weighted fusion");
            }
            if (l.search() == null) {
                return search(r.withFusion(Fusion.WEIGHTED)).withNote("no learned ranker trained (reelrank train): "
                        + "weighted fusion");
            }
            if (cold) {
                return search(r.withFusion(Fusion.WEIGHTED)).withNote(
                        "cold user: weighted fusion (BM25 and the popularity "
                        + "prior), the learned ranker needs the user's ratings");
            }
            outside = l.domain().outside(profile(r.user(), user, l, m));
            if (outside == null) return learned(r, user, m, l);
            // Ratings without contrast: weighted fusion, with the own ratings deciding for the movies they cover.
            r = r.withFusion(Fusion.WEIGHTED);
            rated = rated.decisive();
        }
        if (r.fusion() == Fusion.BM25 || cold && r.fusion() != Fusion.WEIGHTED) {
            Retriever.Result got = retriever.retrieve(r.query(), r.filters(), Math.max(r.limit(), r.candidates()),
                    r.retrieval(), true);
            ItemVectors v = items;
            return ordered(retriever, v::has, r, got, cold, version);
        }
        Retriever.Result got = retriever.retrieve(r.query(), r.filters(), r.candidates(), r.retrieval(), false);
        List<Candidate> cands = got.candidates();
        List<Reranker.Ranked> ranked = Reranker.rerank(cands, u, cf, rated, items, m, r.fusion(), r.weights());
        Response out = page(searcher, r, got, ranked, r.weights(), new Explaining(r.fusion(), r.weights(), cands,
                u != null, cf != null, false, rated.isDecisive()), !cold, cold, version, cf != null, cands.size(),
                null);
        return outside == null ? out : out.withNote("weighted fusion: the learned ranker knows no user like this one ("
                + outside + "); your own ratings decide where the films you rated stand");
    }

    /**
     * A search without a user, with nothing but an index (the CLI answers one without opening the
     * database unless the query needs the movie vectors): under weighted fusion the candidates are
     * ranked by their retrieval score and the popularity prior, {@code (1−π)·mm(score) + π·mm(log(1+n))}
     * with {@link #ANONYMOUS_WEIGHTS}, n the movie's rating count in the index; under {@code bm25} (and
     * linear and rrf, which need a user) in the retrieval's own order. {@code hasVector} says which movies
     * have a content vector (for {@code has_embedding}).
     */
    public static Response anonymous(Retriever retriever, java.util.function.IntPredicate hasVector, Request asked,
                                     long modelVersion) throws QuerySyntaxException, IOException {
        if (asked.fusion() == Fusion.LEARNED) {
            return anonymous(retriever, hasVector, asked.withFusion(Fusion.WEIGHTED), modelVersion).withNote(
                    "no user: weighted fusion (BM25 and the popularity prior), the learned ranker needs a user");
        }
        Request r = plainOrder(asked.retrieval() == null ? asked.withRetrieval(RetrievalSettings.DEFAULT) : asked);
        int depth = Math.max(r.limit(), r.candidates());
        Retriever.Result got = retriever.retrieve(r.query(), r.filters(), depth, r.retrieval(), true);
        if (r.fusion() != Fusion.WEIGHTED) return ordered(retriever, hasVector, r, got, false, modelVersion);
        List<Candidate> cands = got.candidates();
        List<Reranker.Ranked> ranked = Reranker.fuse(cands, null, null, Fusion.WEIGHTED, ANONYMOUS_WEIGHTS);
        return page(retriever.searcher(), r, got, ranked, ANONYMOUS_WEIGHTS, new Explaining(Fusion.WEIGHTED,
                ANONYMOUS_WEIGHTS, cands, false, false, true, false), false, false, modelVersion, false,
                got.totalMatches(), hasVector);
    }

    /**
     * Fusion bm25 is the plain BM25 order: auto retrieval means BM25 there (a named semantic or hybrid
     * retrieval keeps its own order).
     */
    private static Request plainOrder(Request r) {
        return r.fusion() == Fusion.BM25 && r.retrieval().retrieval() == Retrieval.AUTO
                ? r.withRetrieval(r.retrieval().withRetrieval(Retrieval.BM25)) : r;
    }

    /** How {@link #page} explains each result. */
    private record Explaining(Fusion fusion, Weights weights, List<Candidate> candidates, boolean content,
                              boolean collaborative, boolean anonymous, boolean decisive) {}

    /**
     * The page of {@code limit} re-ranked results, each with its retrieval details and explanation;
     * {@code hasVector} (null: the re-ranker's own flag) says which movies have a content vector.
     */
    private static Response page(MovieSearcher searcher, Request r, Retriever.Result got, List<Reranker.Ranked> ranked,
                                 Weights w, Explaining e, boolean personalized, boolean cold, long version,
                                 boolean hasCollaborative, long total, java.util.function.IntPredicate hasVector)
            throws IOException {
        int n = Math.min(r.limit(), ranked.size());
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = ranked.get(i).candidate().movieId();
        Map<Integer, MovieRecord> movies = searcher.movies(ids);
        Map<Integer, Retriever.Found> found = new java.util.HashMap<>();
        for (Retriever.Found f : got.found()) found.put(f.movieId(), f);
        double maxScore = e.candidates().isEmpty() ? 0 : e.candidates().get(0).bm25(); // candidates come best first
        List<Result> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Reranker.Ranked x = ranked.get(i);
            MovieRecord mr = movies.get(x.candidate().movieId());
            if (mr == null) continue; // removed by an index rebuild between the two reads
            Retriever.Found f = found.get(mr.movieId());
            Double sim = Double.isNaN(x.similarity()) ? null : x.similarity();
            Double uv = Double.isNaN(x.collaborative()) ? null : x.collaborative();
            String explanation = Explanations.explain(e.fusion(), w, x, maxScore, e.candidates().size(), e.content(),
                    e.collaborative(), Explanations.Retrieved.of(got.used(), f, r.retrieval(), e.anonymous()),
                    e.decisive());
            boolean has = hasVector == null ? x.hasVector() : hasVector.test(mr.movieId());
            out.add(new Result(x.rank(), mr.movieId(), mr.title(), mr.year(), mr.genres(), bm25(f), f.bm25Rank(), sim,
                    uv, x.candidate().ratingCount(), x.score(), has, explanation, f.retriever(), f.rank(),
                    semanticRank(f), semanticScore(f)));
        }
        return new Response(r.query(), r.user(), personalized, cold, e.fusion(), w, r.candidates(), total, version,
                hasCollaborative, out, got.used(), got.didYouMean());
    }

    /**
     * The learned ranking of the retrieval's candidates: every candidate's {@link FeatureSet} features
     * (its BM25 score and rank as BM25 found it, missing for a movie only the semantic branch found),
     * the ranker's score, the order of {@link LearnedRanking} with {@link #ORDER}; with
     * {@link Request#explain}, each result's top reasons from its SHAP contributions.
     */
    private Response learned(Request r, CachedUser user, FactorModel m, Learned l)
            throws QuerySyntaxException, IOException, SQLException {
        Retriever.Result got = retriever.retrieve(r.query(), r.filters(), r.candidates(), r.retrieval(), false);
        List<Retriever.Found> found = got.found();
        List<Candidate> cands = new ArrayList<>(found.size());
        for (Retriever.Found f : found) {
            cands.add(new Candidate(f.movieId(), (float) bm25(f), f.bm25Rank(), f.ratingCount()));
        }
        UserProfile p = profile(r.user(), user, l, m);
        float[] cf = m == null ? null : user.cf();
        ItemVectors v = items;
        float[] x = FeatureSet.compute(
                new FeatureSet.Inputs(cands, FeatureSet.genreQuery(r.query()), p, user.vector(), cf,
                l.stats(), v, m));
        Ranker ranker = l.search().ranker();
        double[] s = ranker.score(x, cands.size());
        int[] order = LearnedRanking.order(cands, x, s, ORDER);
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
        float[] served = new float[n * FeatureSet.WIDTH];
        for (int i = 0; i < n; i++) {
            int c = order[i];
            Retriever.Found f = found.get(c);
            MovieRecord mr = movies.get(f.movieId());
            if (mr == null) continue; // removed by an index rebuild between the two reads
            double cos = x[c * FeatureSet.WIDTH + io.reelrank.rank.Feature.COS.ordinal()];
            double uv = x[c * FeatureSet.WIDTH + io.reelrank.rank.Feature.UV.ordinal()];
            int tier = ORDER.tier(x, c);
            double score = ORDER.score(x, c, s[c]);
            List<Reasons.Reason> reasons = contrib == null ? List.of()
                    : Reasons.of(x, c, ranker.features(), contrib[i], mr.genres(), REASONS);
            StringBuilder e = new StringBuilder(
                    String.format(Locale.ROOT, "learned ranker version %d: score %.4f", rv, score));
            if (score != s[c]) {
                e.append(String.format(Locale.ROOT, " = ranker %.4f %+.4f (%s)", s[c], score - s[c], ORDER));
            }
            if (tier < 0) e.append(
                    String.format(Locale.ROOT, "; you rated it %.1f: below every movie you have not rated",
                    x[c * FeatureSet.WIDTH + io.reelrank.rank.Feature.STARS.ordinal()]));
            if (tier > 0) e.append(
                    String.format(Locale.ROOT, "; you rated it %.1f: above every movie you have not rated",
                    x[c * FeatureSet.WIDTH + io.reelrank.rank.Feature.STARS.ordinal()]));
            for (Reasons.Reason reason : reasons) e.append("; ").append(reason);
            if (got.used() != Retrieval.BM25) {
                e.append("; ").append(Explanations.Retrieved.of(got.used(), f, r.retrieval(), false).raw());
            }
            System.arraycopy(x, c * FeatureSet.WIDTH, served, out.size() * FeatureSet.WIDTH, FeatureSet.WIDTH);
            out.add(new Result(i + 1, mr.movieId(), mr.title(), mr.year(), mr.genres(), bm25(f), f.bm25Rank(),
                    Double.isNaN(cos) ? null : cos, Double.isNaN(uv) ? null : uv, f.ratingCount(), score,
                    v.has(f.movieId()), e.toString(), f.retriever(), f.rank(), semanticRank(f), semanticScore(f),
                    reasons));
        }
        return new Response(r.query(), r.user(), true, false, Fusion.LEARNED, r.weights(), r.candidates(),
                got.totalMatches(), m == null ? 0 : m.version(), cf != null, out, got.used(), got.didYouMean(), rv,
                null, java.util.Arrays.copyOf(served, out.size() * FeatureSet.WIDTH));
    }

    /** The user's feature profile for the learned state {@code l}, computed once and kept with the cached user. */
    private UserProfile profile(int userId, CachedUser user, Learned l, FactorModel m) throws SQLException {
        Profile p = user.profile().get();
        // the profile depends on the movie statistics only, so every ranker of one learned state shares it
        if (p == null || p.learned().stats() != l.stats()) {
            try (Connection c = db.connect()) {
                p = new Profile(l, UserProfile.read(c, userId, l.stats(), items::vector, m));
            }
            user.profile().set(p);
        }
        return p.profile();
    }

    /** The retrieval's own order, its score as the score: fusion bm25, or a user linear and rrf cannot rank. */
    private static Response ordered(Retriever retriever, java.util.function.IntPredicate hasVector, Request r,
                                    Retriever.Result got, boolean cold, long version) throws IOException {
        int n = Math.min(r.limit(), got.found().size());
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = got.found().get(i).movieId();
        Map<Integer, MovieRecord> movies = retriever.searcher().movies(ids);
        List<Result> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Retriever.Found f = got.found().get(i);
            MovieRecord mr = movies.get(f.movieId());
            if (mr == null) continue;
            String why = Explanations.Retrieved.of(got.used(), f, r.retrieval(), r.user() == null).raw() + " ("
                    + (got.used() == Retrieval.BM25
                    ? "BM25" : got.used() + " retrieval") + " order" + (cold ? "; cold user: no vector yet" : "") + ")";
            out.add(new Result(f.rank(), mr.movieId(), mr.title(), mr.year(), mr.genres(), bm25(f), f.bm25Rank(), null,
                    null,
                    f.ratingCount(), f.score(), hasVector.test(f.movieId()), why, f.retriever(), f.rank(),
                    semanticRank(f), semanticScore(f)));
        }
        return new Response(r.query(), r.user(), false, cold, r.fusion(), r.weights(), r.candidates(),
                got.totalMatches(), version, false, out, got.used(), got.didYouMean());
    }

    private static double bm25(Retriever.Found f) {
        return f.bm25Rank() > 0 ? f.bm25() : 0;
    }

    private static Integer semanticRank(Retriever.Found f) {
        return f.semanticRank() > 0 ? f.semanticRank() : null;
    }

    private static Double semanticScore(Retriever.Found f) {
        return f.semanticRank() > 0 ? f.cosine() : null;
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
        try {
            searcher.close();
        } finally {
            if (encoder != null) encoder.close();
        }
    }
}
