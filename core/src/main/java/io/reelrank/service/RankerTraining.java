package io.reelrank.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reelrank.db.Database;
import io.reelrank.eval.EvalData;
import io.reelrank.eval.FeatureContext;
import io.reelrank.eval.LearnedSelection;
import io.reelrank.eval.ModelSelection;
import io.reelrank.eval.QueryGenerator;
import io.reelrank.eval.Ratings;
import io.reelrank.eval.RecommendRankerTraining;
import io.reelrank.eval.RecommendationTask;
import io.reelrank.eval.Scorers;
import io.reelrank.eval.SearchRankerTraining;
import io.reelrank.eval.Splits;
import io.reelrank.eval.SweepRankers;
import io.reelrank.eval.TrainingUsers;
import io.reelrank.index.Candidate;
import io.reelrank.index.MovieSearcher;
import io.reelrank.index.QuerySyntaxException;
import io.reelrank.index.SearchFilters;
import io.reelrank.model.FactorEngine;
import io.reelrank.model.ItemContent;
import io.reelrank.model.ItemVectors;
import io.reelrank.model.ModelTrainer;
import io.reelrank.rank.Judgments;
import io.reelrank.rank.OrderRule;
import io.reelrank.rank.RankerStore;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.rerank.Weights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The learned rankers' stage of {@code reelrank train}, for search judgments from the ratings by the
 * evaluation's protocol on a validation split (each user's latest 20% held out), features from the
 * rest with a collaborative model trained on the rest, the grid measured on held-out validation
 * users, the chosen setting fitted on every judgment ({@link SearchRankerTraining}), and the ranker
 * stored and activated in one transaction ({@link RankerStore#store}); then for recommendations
 * ({@link RecommendRankerTraining}), stored only when it beats the collaborative retrieval alone on
 * validation. The caller holds the
 * training lock and passes what it loaded (ratings without the test users, catalog, content
 * vectors), the index directory the candidates come from, and the factor version being served.
 */
public final class RankerTraining {

    /**
     * The grid (one setting: no choice, still measured), the judgment cap, seed, XGBoost threads,
     * the index directory of the BM25 candidates, whether to study the order rules, and judgments from
     * clicks added to the search ranker's fits (null: ratings only; {@link ClickTraining}).
     */
    public record Options(List<SearchRankerTraining.Setting> grid, List<RecommendRankerTraining.Setting> recommendGrid,
                          int cap, long seed, int threads, Path indexDir, boolean orderStudy, Judgments clicks) {
        public Options {
            if (grid.isEmpty()) throw new IllegalArgumentException("the ranker grid must hold at least one setting");
            if (cap < 1) throw new IllegalArgumentException("the judgment cap must be >= 1, got " + cap);
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }

        /** Without the order rules' study. */
        public Options(List<SearchRankerTraining.Setting> grid, List<RecommendRankerTraining.Setting> recommendGrid,
                       int cap, long seed, int threads, Path indexDir) {
            this(grid, recommendGrid, cap, seed, threads, indexDir, false, null);
        }

        /** With {@code orderStudy}: also measure every rule of {@link OrderRule#study} on validation. */
        public Options withOrderStudy(boolean study) {
            return new Options(grid, recommendGrid, cap, seed, threads, indexDir, study, clicks);
        }

        /**
         * With judgments from clicks added to every fit of the search ranker (null: none), and no
         * recommendation ranker (clicks are on search results).
         */
        public Options withClicks(Judgments judgments) {
            return new Options(grid, judgments == null ? recommendGrid : List.of(), cap, seed, threads, indexDir,
                    orderStudy, judgments);
        }

        /** The shipped settings of both rankers. */
        public static Options shipped(int cap, int threads, Path indexDir) {
            return new Options(List.of(SearchRankerTraining.DEFAULT), List.of(RecommendRankerTraining.DEFAULT), cap,
                    SearchRankerTraining.DEFAULT.params().seed(), threads, indexDir);
        }
    }

    /**
     * What the stage did: the stored search ranker version and the training's figures; the
     * recommendation ranker's version (0: not stored, it did not beat the retrieval alone on
     * validation, or its grid was empty) and figures (null when not trained).
     */
    public record Outcome(long version, SearchRankerTraining.Result result, long recommendVersion,
                          RecommendRankerTraining.Result recommend, double seconds) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private RankerTraining() {}

    /**
     * @param validationModel the collaborative model trained on the validation split's training part
     *                        with {@code settings}, or null to train it here
     * @param factorVersion   the collaborative model version served beside the ranker (stored with it)
     */
    static Outcome run(Database db, Ratings ratings, EvalData.Catalog catalog, ItemVectors items, ItemContent content,
                       ModelTrainer.Trained validationModel, ModelTrainer.Settings settings, FactorEngine engine,
                       double contentShrinkage, long factorVersion, Options o,
                       Training.Listener l) throws SQLException {
        long t0 = System.nanoTime();
        Splits.Split validation = ModelSelection.validation(ratings);
        ModelTrainer.Trained model = validationModel;
        if (model == null) {
            l.detail("collaborative model on the validation split's training part (" + settings + ")");
            model = ModelTrainer.train(ModelSelection.matrix(validation.train()), content, settings, engine,
                    o.threads(),
                    ModelTrainer.Listener.NONE);
        }
        TrainingUsers users = TrainingUsers.compute(validation.train(), items::vector, contentShrinkage);
        FeatureContext ctx = FeatureContext.of(validation.train(), FeatureContext.MICROS, catalog, items, users,
                model.model(), model::user);
        QueryGenerator queries = new QueryGenerator(catalog.movieIds(), catalog.titles(), catalog.genres(),
                QueryGenerator.DEFAULT_MAX_TITLE_DF);
        SearchRankerTraining.Result r;
        try (MovieSearcher searcher = MovieSearcher.open(o.indexDir())) {
            SweepRankers rankers = new SweepRankers(q -> candidates(searcher, q), items);
            SweepRankers.Context fusion = SweepRankers.Context.of(validation.train(), users, model.model(),
                    model::user);
            r = SearchRankerTraining.run(validation, ctx, queries, rankers, fusion,
                    LearnedSelection.BASELINE_POPULARITY,
                    Weights.DEFAULT, o.grid(), PersonalizedSearch.ORDER, o.orderStudy() ? OrderRule.study() : List.of(),
                    10, o.threads(), o.seed(), o.cap(), o.clicks(),
                    l::detail);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (var e : r.rules().entrySet()) {
            l.detail(String.format(Locale.ROOT, "order rule %-18s liked %.4f (%+.4f)  disliked %.4f (%+.4f)%s",
                    e.getKey(), e.getValue().liked(), e.getValue().figures().likedGain(), e.getValue().disliked(),
                    e.getValue().figures().dislikedGain(), e.getKey().equals(PersonalizedSearch.ORDER) ? "  (shipped)"
                    : ""));
        }
        l.detail(String.format(Locale.ROOT, "domain: users with a mean rating (b_u) of %.2f to %.2f; %,d of the %,d "
                + "choosing users were outside and measured with the weighted fusion", r.domain().minUserMean(),
                r.domain().maxUserMean(), r.outsideUsers(), r.chooseUsers()));
        long version;
        try (Connection c = db.connectDirect()) {
            c.setAutoCommit(false);
            try {
                ObjectNode params = params(r.chosen().setting());
                params.set("domain", r.domain().toJson());
                version = RankerStore.store(c, RankerStore.SEARCH, r.ranker(), params,
                        factorVersion,
                        r.judgments().judgments().groups(), seconds(t0), validationJson(r));
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        long recommendVersion = 0;
        RecommendRankerTraining.Result rec = null;
        if (!o.recommendGrid().isEmpty()) {
            long t1 = System.nanoTime();
            int[] ids = RecommendationTask.catalogOrder(catalog.movieIds());
            RecommendationTask.Scorer retrieval = Scorers.firstOf(
                    Scorers.collaborative(ids, model.model(), model::user),
                    Scorers.content(ids, items::vector, users));
            rec = RecommendRankerTraining.run(validation, catalog.movieIds(), retrieval, ctx, o.recommendGrid(),
                    RecommendRankerTraining.DEFAULT_CANDIDATES, o.threads(), o.seed(), l::detail);
            if (rec.chosen().recall() > rec.retrievalRecall()) {
                try (Connection c = db.connectDirect()) {
                    c.setAutoCommit(false);
                    try {
                        ObjectNode rp = recommendParams(rec.chosen().setting());
                        rp.set("domain", rec.domain().toJson());
                        recommendVersion = RankerStore.store(c, RankerStore.RECOMMEND, rec.ranker(), rp,
                                factorVersion, rec.groups(), seconds(t1),
                                recommendJson(rec));
                        c.commit();
                    } catch (SQLException | RuntimeException e) {
                        c.rollback();
                        throw e;
                    }
                }
            }
        }
        return new Outcome(version, r, recommendVersion, rec, seconds(t0));
    }

    static ObjectNode recommendParams(RecommendRankerTraining.Setting s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("objective", s.params().objective());
        n.put("trees", s.params().trees());
        n.put("depth", s.params().depth());
        n.put("eta", s.params().eta());
        n.put("min_child_weight", s.params().minChildWeight());
        n.put("seed", s.params().seed());
        n.put("grades", s.liked() + "/" + s.watched());
        n.put("candidates", RecommendRankerTraining.DEFAULT_CANDIDATES);
        return n;
    }

    static ObjectNode recommendJson(RecommendRankerTraining.Result r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("metric",
                "recommendation task Recall@20 and NDCG@20 on a validation split (each user's latest 20% of ratings "
                + "held out), cross-fitted over four quarters of the users");
        n.put("retrieval_recall", r.retrievalRecall());
        n.put("retrieval_ndcg", r.retrievalNdcg());
        n.put("users", r.chooseUsers());
        ArrayNode grid = n.putArray("grid");
        for (RecommendRankerTraining.Trial t : r.trials()) {
            ObjectNode g = recommendParams(t.setting());
            g.put("recall", t.recall());
            g.put("ndcg", t.ndcg());
            grid.add(g);
        }
        ObjectNode chosen = recommendParams(r.chosen().setting());
        chosen.put("recall", r.chosen().recall());
        chosen.put("ndcg", r.chosen().ndcg());
        n.set("chosen", chosen);
        return n;
    }

    private static List<Candidate> candidates(MovieSearcher searcher, String q) {
        try {
            List<Candidate> cs = searcher.candidates(q, SearchFilters.NONE, PersonalizedSearch.DEFAULT_CANDIDATES);
            List<Candidate> out = new ArrayList<>(cs.size());
            for (Candidate c
                    : cs) out.add(new Candidate(c.movieId(), c.bm25(), c.bm25Rank())); // counts: the context's own
            return out;
        } catch (QuerySyntaxException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The setting as stored in {@code ranker_versions.params}. */
    static ObjectNode params(SearchRankerTraining.Setting s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("objective", s.params().objective());
        n.put("trees", s.params().trees());
        n.put("depth", s.params().depth());
        n.put("eta", s.params().eta());
        n.put("min_child_weight", s.params().minChildWeight());
        n.put("seed", s.params().seed());
        n.put("grades", s.grades().toString());
        n.put("rated_policy", PersonalizedSearch.ORDER.rated().name().toLowerCase(Locale.ROOT));
        n.put("content_weight", PersonalizedSearch.ORDER.contentWeight());
        return n;
    }

    /** Every setting's figures on the held-out validation users, the weighted fusion's and the baseline's. */
    static ObjectNode validationJson(SearchRankerTraining.Result r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("metric",
                "search task NDCG@10 on held-out validation users (a quarter of the users of a validation split: "
                + "each user's latest 20% of ratings held out)");
        n.put("baseline_popularity", LearnedSelection.BASELINE_POPULARITY);
        n.put("baseline_liked", r.baselineLiked());
        n.put("baseline_disliked", r.baselineDisliked());
        n.put("weighted_liked", r.weighted().liked());
        n.put("weighted_disliked", r.weighted().disliked());
        n.put("judgments", r.judgments().judgments().groups());
        n.put("judgment_pairs", r.judgments().available());
        n.put("choosing_users", r.chooseUsers());
        ArrayNode grid = n.putArray("grid");
        for (SearchRankerTraining.Trial t : r.trials()) {
            ObjectNode g = params(t.setting());
            g.put("liked", t.liked());
            g.put("disliked", t.disliked());
            grid.add(g);
        }
        ObjectNode chosen = params(r.chosen().setting());
        chosen.put("liked", r.chosen().liked());
        chosen.put("disliked", r.chosen().disliked());
        n.set("chosen", chosen);
        n.put("learned_wins", LearnedSelection.learnedWins(r.chosen().figures(), r.weighted().figures()));
        ArrayNode rules = n.putArray("order_rules");
        for (var e : r.rules().entrySet()) {
            ObjectNode o = rules.addObject();
            o.put("rule", e.getKey().toString());
            o.put("liked", e.getValue().liked());
            o.put("disliked", e.getValue().disliked());
        }
        return n;
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
