package io.reelrank.recommend;

import io.reelrank.embed.VectorLiteral;
import io.reelrank.index.Candidate;
import io.reelrank.index.SearchFilters;
import io.reelrank.model.FactorModel;
import io.reelrank.model.ItemVectors;
import io.reelrank.model.ModelStore;
import io.reelrank.rank.Domain;
import io.reelrank.rank.FeatureSet;
import io.reelrank.rank.MovieStats;
import io.reelrank.rank.Ranker;
import io.reelrank.rank.RankerStore;
import io.reelrank.rank.UserProfile;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.user.UserTower;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Recommendations without a query, what the two towers are for: the movies with the highest
 * collaborative score {@code u·v_i} for the user, retrieved through the active model version's
 * pgvector HNSW index ({@code ORDER BY factors::vector(k) <#> u}, pgvector 0.8's iterative index scan
 * so that filters and the exclusion of what the user rated do not starve the result), then
 * re-sorted by the exact score with ties by movie_id. A user without a collaborative vector (no
 * rating above the midpoint, or no model trained) gets the content tower's nearest movies
 * ({@code cos(u, e_i)} over the in-memory item vectors), and one without either the most-rated
 * movies; {@link Response#source} says which. The same order as the evaluation's two-tower
 * recommender. {@link Request#exact} scans every item vector instead of the index (the baseline
 * {@code bench recommend} measures recall against). With a {@link Learned} second stage, the
 * retrieval gives a few hundred movies and the learned recommendation ranker orders them
 * (docs/learned-ranker.md). Uses the caller's connection, in its own transaction for the scan
 * settings.
 */
public final class Recommender {

    public static final int MAX_LIMIT = 1000;
    public static final String COLLABORATIVE = "collaborative";
    public static final String CONTENT = "content";
    public static final String POPULARITY = "popularity";
    /** The collaborative retrieval's candidates reordered by the learned recommendation ranker. */
    public static final String LEARNED = "learned";

    /** What to recommend: user, page size, filters (as search's) and whether to scan exactly. */
    public record Request(int user, int limit, SearchFilters filters, boolean exact) {
        public Request {
            if (user < 1) throw new IllegalArgumentException("user must be a positive integer, got " + user);
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new IllegalArgumentException("limit must be in 1-" + MAX_LIMIT + ", got " + limit);
            }
            if (filters == null) filters = SearchFilters.NONE;
        }
    }

    /** One recommendation; {@code score} is u·v (collaborative), the cosine (content) or the rating count. */
    public record Item(int rank, int movieId, String title, Integer year, List<String> genres, int ratingCount,
                       double score) {}

    /**
     * The answer: which tower ranked ({@link #LEARNED}: the collaborative retrieval reordered by the
     * learned ranker), the model version (0: none), the items, best first, and the ranker version
     * (0: none used).
     */
    public record Response(int user, String source, long modelVersion, boolean exact, List<Item> items,
            long rankerVersion) {
        public Response(int user, String source, long modelVersion, boolean exact, List<Item> items) {
            this(user, source, modelVersion, exact, items, 0);
        }
    }

    /**
     * The second stage: the active recommendation ranker and what its features need (the movie
     * statistics, the collaborative model's item side), and how many movies the retrieval gives it.
     */
    public record Learned(Ranker ranker, long version, MovieStats stats, FactorModel model, int candidates,
                          Domain domain) {
        public Learned {
            if (candidates < 1 || candidates > MAX_LIMIT) {
                throw new IllegalArgumentException("candidates must be in 1-" + MAX_LIMIT + ", got " + candidates);
            }
        }

        /** A ranker that covers every user. */
        public Learned(Ranker ranker, long version, MovieStats stats, FactorModel model, int candidates) {
            this(ranker, version, stats, model, candidates, Domain.ALL);
        }

        /**
         * The active recommendation ranker with the movie statistics and the active model's item side
         * ({@code model}, or read here when null), or null when no ranker or no model is active.
         */
        public static Learned load(Connection c, FactorModel model, int candidates) throws SQLException {
            RankerStore.Active a = RankerStore.active(c, RankerStore.RECOMMEND);
            if (a == null) return null;
            FactorModel m = model;
            if (m == null) {
                ModelStore.Version v = ModelStore.active(c);
                if (v == null) return null;
                m = ModelStore.load(c, v);
            }
            return new Learned(a.ranker(), a.version().version(), MovieStats.load(c), m, candidates,
                    Domain.fromParams(a.version().params()));
        }

        /** {@link #load(Connection, FactorModel, int)} reading the active model. */
        public static Learned load(Connection c, int candidates) throws SQLException {
            return load(c, null, candidates);
        }
    }

    private Recommender() {}

    public static Response recommend(Connection c, ItemVectors items, Request r)
            throws SQLException, PersonalizedSearch.UnknownUserException {
        return recommend(c, items, r, null);
    }

    /**
     * With {@code learned} (not null), a user with a collaborative vector gets two stages: the
     * retrieval's {@link Learned#candidates} best movies (the HNSW index, filters and exclusions as
     * above), reordered by the learned ranker over their {@link FeatureSet} features (ties by
     * movie_id); the page is the first {@code limit}. A user outside the ranker's {@link Domain} (ratings
     * without contrast, docs/learned-ranker.md) gets the content tower. Others are served as without it.
     */
    public static Response recommend(Connection c, ItemVectors items, Request r, Learned learned)
            throws SQLException, PersonalizedSearch.UnknownUserException {
        UserTower.Stored stored = UserTower.load(c, r.user());
        if (!stored.exists()) throw new PersonalizedSearch.UnknownUserException(r.user());
        ModelStore.Version version = ModelStore.active(c);
        float[] cf = version == null ? null : ModelStore.user(c, version.version(), r.user()).vector();
        long v = version == null ? 0 : version.version();
        UserProfile profile = null;
        if (cf != null && learned != null && learned.model().version() == v) {
            profile = UserProfile.read(c, r.user(), learned.stats(), items::vector, learned.model());
            if (learned.domain().outside(profile) != null && stored.vector() != null) {
                // Ratings without contrast (all 5.0, say): the ranker and the collaborative factors point at
                // what is co-watched with popular films; the content tower follows what the user rated.
                return new Response(r.user(), CONTENT, v, r.exact(), content(c, items, stored.vector(), r));
            }
        }
        if (profile != null) {
            Request wide = new Request(r.user(), Math.max(r.limit(), learned.candidates()), r.filters(), r.exact());
            List<Item> retrieved = collaborative(c, version, cf, wide);
            return new Response(r.user(), LEARNED, v, r.exact(), secondStage(c, items, stored.vector(), cf, retrieved,
                    learned, r, profile), learned.version());
        }
        if (cf != null) {
            return new Response(r.user(), COLLABORATIVE, v, r.exact(), collaborative(c, version, cf, r));
        }
        if (stored.vector() != null) {
            return new Response(r.user(), CONTENT, v, r.exact(), content(c, items, stored.vector(), r));
        }
        return new Response(r.user(), POPULARITY, v, r.exact(), popular(c, r));
    }

    private static List<Item> collaborative(Connection c, ModelStore.Version version, float[] u, Request r)
            throws SQLException {
        int k = version.rank();
        String q = "?::vector(" + k + ")";
        // The version and rank are numbers from our own table, inlined so the planner can match the
        // partial index's predicate (version = N) and expression (factors::vector(k)).
        String order = r.exact() ? "f.factors <#> " + q : "f.factors::vector(" + k + ") <#> " + q;
        String sql = "SELECT x.movie_id, x.score FROM (SELECT f.movie_id, -(" + order + ") AS score "
                + "FROM item_factors f WHERE f.version = " + version.version()
                + " AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.user_id = ? "
                + "AND r.movie_id = f.movie_id)" + inCatalog(r.filters(), "f.movie_id") + " ORDER BY " + order
                + " LIMIT ?) x ORDER BY x.score DESC, x.movie_id";
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (Statement st = c.createStatement()) {
                if (r.exact()) {
                    st.execute("SET LOCAL enable_indexscan = off");
                } else {
                    // pgvector 0.8: keep scanning the graph until LIMIT rows pass the filters.
                    st.execute("SET LOCAL hnsw.iterative_scan = relaxed_order");
                    st.execute("SET LOCAL hnsw.ef_search = " + Math.min(1000, Math.max(40, 2 * r.limit())));
                }
            }
            String literal = VectorLiteral.format(u);
            List<int[]> ids = new ArrayList<>();
            List<Double> scores = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int p = 1;
                ps.setString(p++, literal);
                ps.setInt(p++, r.user());
                p = bindFilters(ps, p, r.filters());
                ps.setString(p++, literal);
                ps.setInt(p, r.limit());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(new int[] {rs.getInt(1)});
                        scores.add(rs.getDouble(2));
                    }
                }
            }
            c.commit();
            int[] movieIds = ids.stream().mapToInt(a -> a[0]).toArray();
            double[] s = scores.stream().mapToDouble(Double::doubleValue).toArray();
            return describe(c, movieIds, s);
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** The learned ranker's order of the retrieved movies, the first {@code r.limit()}; scores are the ranker's. */
    private static List<Item> secondStage(Connection c, ItemVectors items, float[] content, float[] cf,
            List<Item> retrieved,
                                          Learned l, Request r, UserProfile p) throws SQLException {
        List<Candidate> cs = new ArrayList<>(retrieved.size());
        for (Item i : retrieved) cs.add(new Candidate(i.movieId(), Float.NaN, i.rank(), i.ratingCount()));
        float[] x = FeatureSet.compute(
                new FeatureSet.Inputs(cs, false, false, p, content, cf, l.stats(), items, l.model()));
        double[] s = l.ranker().score(x, cs.size());
        Integer[] order = new Integer[cs.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, java.util.Comparator.<Integer>comparingDouble(i -> -s[i])
                .thenComparingInt(i -> cs.get(i).movieId()));
        int n = Math.min(r.limit(), order.length);
        List<Item> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            Item i = retrieved.get(order[k]);
            out.add(new Item(k + 1, i.movieId(), i.title(), i.year(), i.genres(), i.ratingCount(), s[order[k]]));
        }
        return out;
    }

    /** The content tower: cos(u, e_i) over every allowed movie with a vector, in memory. */
    private static List<Item> content(Connection c, ItemVectors items, float[] u, Request r) throws SQLException {
        List<Integer> allowed = new ArrayList<>();
        String sql = "SELECT m.movie_id FROM movies m WHERE NOT EXISTS (SELECT 1 FROM ratings r WHERE r.user_id = ? "
                + "AND r.movie_id = m.movie_id)" + filterSql(r.filters(), "m.movie_id");
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, r.user());
            bindFilters(ps, 2, r.filters());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) if (items.has(rs.getInt(1))) allowed.add(rs.getInt(1));
            }
        }
        int[] ids = allowed.stream().mapToInt(Integer::intValue).toArray();
        double[] s = new double[ids.length];
        for (int i = 0; i < ids.length; i++) s[i] = items.cosine(ids[i], u);
        Integer[] order = new Integer[ids.length];
        for (int i = 0; i < ids.length; i++) order[i] = i;
        java.util.Arrays.sort(order, java.util.Comparator.<Integer>comparingDouble(i -> -s[i])
                .thenComparingInt(i -> ids[i]));
        int n = Math.min(r.limit(), ids.length);
        int[] top = new int[n];
        double[] topScores = new double[n];
        for (int i = 0; i < n; i++) {
            top[i] = ids[order[i]];
            topScores[i] = s[order[i]];
        }
        return describe(c, top, topScores);
    }

    private static List<Item> popular(Connection c, Request r) throws SQLException {
        String sql = "SELECT m.movie_id, m.rating_count FROM movies m WHERE NOT EXISTS (SELECT 1 FROM ratings r "
                + "WHERE r.user_id = ? AND r.movie_id = m.movie_id)" + filterSql(r.filters(), "m.movie_id")
                + " ORDER BY m.rating_count DESC, m.movie_id LIMIT ?";
        List<Integer> ids = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, r.user());
            int p = bindFilters(ps, 2, r.filters());
            ps.setInt(p, r.limit());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getInt(1));
                    scores.add((double) rs.getInt(2));
                }
            }
        }
        return describe(c, ids.stream().mapToInt(Integer::intValue).toArray(),
                scores.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /**
     * The filters as SQL, and the movie still in the catalog: a model keeps the vectors of movies a
     * reload has since removed until it is trained again.
     */
    static String inCatalog(SearchFilters f, String idColumn) {
        return f.isEmpty() ? " AND EXISTS (SELECT 1 FROM movies fm WHERE fm.movie_id = " + idColumn + ")"
                : filterSql(f, idColumn);
    }

    /** The filters as SQL over the movie with id {@code idColumn}; placeholders bound by {@link #bindFilters}. */
    static String filterSql(SearchFilters f, String idColumn) {
        if (f.isEmpty()) return "";
        StringBuilder sb = new StringBuilder(" AND EXISTS (SELECT 1 FROM movies fm WHERE fm.movie_id = " + idColumn);
        if (f.minAvgRating() != null) sb.append(" AND fm.avg_rating >= ?");
        if (f.minRatings() != null) sb.append(" AND fm.rating_count >= ?");
        if (f.yearFrom() != null) sb.append(" AND fm.year >= ?");
        if (f.yearTo() != null) sb.append(" AND fm.year <= ?");
        for (int i = 0; i < f.genres().size(); i++) {
            sb.append(" AND EXISTS (SELECT 1 FROM unnest(fm.genres) g WHERE lower(g) = lower(?))");
        }
        return sb.append(')').toString();
    }

    static int bindFilters(PreparedStatement ps, int p, SearchFilters f) throws SQLException {
        if (f.minAvgRating() != null) ps.setDouble(p++, f.minAvgRating());
        if (f.minRatings() != null) ps.setInt(p++, f.minRatings());
        if (f.yearFrom() != null) ps.setInt(p++, f.yearFrom());
        if (f.yearTo() != null) ps.setInt(p++, f.yearTo());
        for (String g : f.genres()) ps.setString(p++, g);
        return p;
    }

    private static List<Item> describe(Connection c, int[] ids, double[] scores) throws SQLException {
        Map<Integer, Object[]> rows = new HashMap<>();
        if (ids.length > 0) {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT movie_id, title, year, genres, rating_count FROM movies WHERE movie_id = ANY (?)")) {
                Integer[] boxed = new Integer[ids.length];
                for (int i = 0; i < ids.length; i++) boxed[i] = ids[i];
                ps.setArray(1, c.createArrayOf("int4", boxed));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Array g = rs.getArray(4);
                        int y = rs.getInt(3);
                        rows.put(rs.getInt(1), new Object[] {rs.getString(2), rs.wasNull() ? null : y,
                                g == null ? List.of() : List.of((String[]) g.getArray()), rs.getInt(5)});
                    }
                }
            }
        }
        List<Item> out = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) {
            Object[] m = rows.get(ids[i]);
            if (m == null) continue; // deleted by a reload meanwhile
            @SuppressWarnings("unchecked")
            List<String> genres = (List<String>) m[2];
            out.add(new Item(out.size() + 1, ids[i], (String) m[0], (Integer) m[1], genres, (Integer) m[3], scores[i]));
        }
        return out;
    }

    /** {@code |a ∩ b| / |b|}: how many of the exact scan's movies the index found (recall@k against the exact scan). */
    public static double overlap(List<Item> found, List<Item> exact) {
        if (exact.isEmpty()) return 1;
        java.util.Set<Integer> e = new java.util.HashSet<>();
        for (Item i : exact) e.add(i.movieId());
        int hit = 0;
        for (Item i : found) if (e.contains(i.movieId())) hit++;
        return (double) hit / exact.size();
    }
}
