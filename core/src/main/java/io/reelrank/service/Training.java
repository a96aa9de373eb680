package io.reelrank.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reelrank.db.Database;
import io.reelrank.eval.EvalData;
import io.reelrank.eval.ModelSelection;
import io.reelrank.eval.Ratings;
import io.reelrank.model.Elapsed;
import io.reelrank.model.FactorEngine;
import io.reelrank.model.FactorModel;
import io.reelrank.model.ItemContent;
import io.reelrank.model.ItemVectors;
import io.reelrank.model.ModelStore;
import io.reelrank.model.ModelTrainer;
import io.reelrank.model.RatingMatrix;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code reelrank train} as a library call: trains the collaborative model on the whole ratings
 * table and swaps it in, stage by stage, each announced to a {@link Listener}:
 * <ol>
 *   <li>{@code lock}: the training lock, then deleting what a killed or failed run left;</li>
 *   <li>{@code load}: every rating except the synthetic test users' (they are folded in at
 *       activation, like any user who appears after training), the catalog and the content vectors;</li>
 *   <li>{@code validate}: with more than one setting, {@link ModelSelection} on a validation split
 *       carved from these ratings (each user's latest 20%) picks the setting;</li>
 *   <li>{@code train}: {@link ModelTrainer} on all the ratings with it, the ALS factors computed by the
 *       options' {@link FactorEngine} (in-process, or a Spark cluster), the rest here;</li>
 *   <li>{@code write}: the version row, factors and HNSW index, in one transaction beside the
 *       active version;</li>
 *   <li>{@code activate}: {@link ModelStore#activate}, one transaction; servers switch on its NOTIFY.</li>
 * </ol>
 * Until the activation commits, the model in service is untouched: a failure or a kill anywhere
 * before leaves it active (and at most a {@code training} row that the next run deletes).
 */
public final class Training {

    /**
     * The model grid (one setting: no validation search), worker threads, the content tower's
     * shrinkage, and where the ALS factors are computed (the caller opens and closes the engine).
     */
    public record Options(List<ModelTrainer.Settings> grid, int threads, double contentShrinkage, FactorEngine engine,
                          RankerTraining.Options ranker) {
        public Options {
            if (grid.isEmpty()) throw new IllegalArgumentException("the model grid must hold at least one setting");
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            if (engine == null) throw new IllegalArgumentException("engine must be given");
        }

        /** Without the learned ranker's stage. */
        public Options(List<ModelTrainer.Settings> grid, int threads, double contentShrinkage, FactorEngine engine) {
            this(grid, threads, contentShrinkage, engine, null);
        }

        /** In-process: the factors on {@code threads} threads here; no learned ranker. */
        public Options(List<ModelTrainer.Settings> grid, int threads, double contentShrinkage) {
            this(grid, threads, contentShrinkage, FactorEngine.inProcess(threads));
        }

        /** The same with the learned ranker's stage ({@code null}: without). */
        public Options withRanker(RankerTraining.Options r) {
            return new Options(grid, threads, contentShrinkage, engine, r);
        }
    }

    /** Told as each stage starts and ends; {@link #stageDone} may throw to stop the training there. */
    public interface Listener extends StageListener, ModelTrainer.Listener {
        Listener NONE = new Listener() {};

        @Override
        default void halfStep(int iteration, int iterations, String side, double seconds) {
            detail(String.format(Locale.ROOT, "iteration %d/%d: %s in %.2f s", iteration, iterations, side, seconds));
        }

        @Override
        default void stage(String name, double seconds) {
            detail(String.format(Locale.ROOT, "%s in %.2f s", name, seconds));
        }
    }

    /** What a training did; {@code ranker} is null when the ranker's stage did not run. */
    public record Outcome(long version, ModelTrainer.Settings settings, ModelSelection.Choice choice, long ratings,
                          int users, int items, int leftoversDeleted, ModelStore.Activation activation,
                          RankerTraining.Outcome ranker, double seconds) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private Training() {}

    public static Outcome run(Database db, Options o, Listener l) throws SQLException {
        long t0 = System.nanoTime();
        try (ModelStore.TrainingLock lock = ModelStore.TrainingLock.acquire(db)) {
            long t = start(l, "lock", "training lock; deleting what earlier runs left");
            int leftovers;
            try (Connection c = db.connect()) {
                leftovers = ModelStore.cleanup(c);
            }
            l.stageDone("lock", leftovers + " unfinished or retired versions deleted", Elapsed.seconds(t));

            t = start(l, "load", "ratings (test users left out), catalog and content vectors");
            Ratings ratings;
            EvalData.Catalog catalog;
            Instant snapshot;
            Set<Integer> testUsers = new HashSet<>();
            try (Connection c = db.connect()) {
                snapshot = now(c);
                try (Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT user_id FROM test_users")) {
                    while (rs.next()) testUsers.add(rs.getInt(1));
                }
                ratings = withoutUsers(EvalData.loadRatings(c), testUsers);
                catalog = EvalData.loadCatalog(c);
            }
            if (ratings.size() == 0) {
                throw new IllegalStateException("no ratings to train on: run `reelrank ingest` first");
            }
            ItemVectors items = ItemVectors.load(db, true);
            ItemContent content = new ItemContent(catalog.movieIds(), items::vector, catalog.genres(), catalog.years());
            RatingMatrix matrix = ModelSelection.matrix(ratings);
            String fingerprint = fingerprint(ratings);
            l.stageDone("load", String.format(Locale.ROOT, "%,d ratings of %,d users on %,d movies; %,d of %,d catalog "
                            + "movies have content vectors; fingerprint %s", ratings.size(), matrix.users(),
                    matrix.items(), items.size(), catalog.size(), fingerprint), Elapsed.seconds(t));

            ModelTrainer.Settings chosen = o.grid().get(0);
            ModelSelection.Choice choice = null;
            if (o.grid().size() > 1) {
                t = start(l, "validate", o.grid().size() + " settings on a validation split (each user's latest "
                        + Math.round(100 * ModelSelection.VALIDATION_FRACTION) + "% held out), by two-tower Recall@20");
                choice = ModelSelection.choose(ModelSelection.validation(ratings), content, catalog.movieIds(),
                        items::vector, o.contentShrinkage(), o.grid(), o.engine(), o.threads(), l::detail);
                chosen = choice.best().settings();
                l.stageDone("validate", String.format(Locale.ROOT, "chose %s (validation Recall@20 %.4f)", chosen,
                        choice.best().recall()), Elapsed.seconds(t));
            }

            t = start(l, "train", chosen + " on all " + String.format(Locale.ROOT, "%,d", ratings.size()) + " ratings ("
                    + o.engine().describe() + ")");
            ModelTrainer.Trained trained = ModelTrainer.train(matrix, content, chosen, o.engine(), o.threads(), l);
            double trainSeconds = Elapsed.seconds(t);
            l.stageDone("train", String.format(Locale.ROOT, "%,d movies learned, %,d content-mapped "
                    + "(mapping fit on %,d)", trained.learnedItems(), trained.mappedItems(), trained.fittedItems()),
                    trainSeconds);

            t = start(l, "write", "version row, item and user factors, HNSW index (one transaction)");
            long version;
            try (Connection c = db.connectDirect()) {
                c.setAutoCommit(false);
                try {
                    version = ModelStore.begin(c, chosen, o.engine().describe(), fingerprint, ratings.size(),
                            matrix.users(), trained.model().size(), snapshot);
                    ModelStore.writeItems(c, version, trained.model());
                    ModelStore.writeUsers(c, version, trained.userIds(), trained.users());
                    ModelStore.createIndex(c, version, chosen.als().rank());
                    ModelStore.finish(c, version, Elapsed.seconds(t0), validationJson(choice, chosen));
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            }
            l.stageDone("write", "version " + version, Elapsed.seconds(t));

            t = start(l, "activate", "version " + version
                    + " (one transaction), folding in users rated since the snapshot");
            ModelStore.Activation a;
            FactorModel served = trained.model().withVersion(version);
            try (Connection c = db.connectDirect()) {
                c.setAutoCommit(false);
                try {
                    a = ModelStore.activate(c, version, served);
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            }
            l.stageDone("activate", "version " + version + " active" + (a.replaced() > 0 ? ", version " + a.replaced()
                    + " kept as previous" : "") + "; " + a.foldedIn() + " users folded in", Elapsed.seconds(t));
            RankerTraining.Outcome ranker = null;
            if (o.ranker() != null) {
                ranker = ranker(db, o, l, ratings, catalog, items, content, choice == null ? null : choice.bestModel(),
                        chosen, version);
            }
            return new Outcome(version, chosen, choice, ratings.size(), matrix.users(), trained.model().size(),
                    leftovers, a, ranker, Elapsed.seconds(t0));
        }
    }

    /**
     * {@code reelrank train --ranker-only}: the learned ranker's stage alone, against the active
     * collaborative model version (its settings train the validation split's model the judgments'
     * features come from). Fails when no model version is active.
     */
    public static RankerTraining.Outcome rankerOnly(Database db, Options o, Listener l) throws SQLException {
        if (o.ranker() == null) throw new IllegalArgumentException("ranker options must be given");
        try (ModelStore.TrainingLock lock = ModelStore.TrainingLock.acquire(db)) {
            long t = start(l, "load",
                    "ratings (test users left out), catalog, content vectors and the active model version");
            Ratings ratings;
            EvalData.Catalog catalog;
            ModelStore.Version active;
            try (Connection c = db.connect()) {
                active = ModelStore.active(c);
                if (active == null) {
                    throw new IllegalStateException("no collaborative model is active: run `reelrank train` first");
                }
                Set<Integer> testUsers = new HashSet<>();
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT user_id FROM test_users")) {
                    while (rs.next()) testUsers.add(rs.getInt(1));
                }
                ratings = withoutUsers(EvalData.loadRatings(c), testUsers);
                catalog = EvalData.loadCatalog(c);
            }
            ItemVectors items = ItemVectors.load(db, true);
            ItemContent content = new ItemContent(catalog.movieIds(), items::vector, catalog.genres(), catalog.years());
            l.stageDone("load",
                    String.format(Locale.ROOT, "%,d ratings; model version %d", ratings.size(), active.version()),
                    Elapsed.seconds(t));
            return ranker(db, o, l, ratings, catalog, items, content, null, ModelStore.settings(active.params()),
                    active.version());
        }
    }

    private static RankerTraining.Outcome ranker(Database db, Options o, Listener l, Ratings ratings,
                                                 EvalData.Catalog catalog, ItemVectors items, ItemContent content,
                                                 ModelTrainer.Trained validationModel, ModelTrainer.Settings settings,
                                                 long version) throws SQLException {
        long t = start(l, "ranker",
                "learned rankers (search, recommendations): judgments from a validation split (each user's latest "
                + Math.round(100 * ModelSelection.VALIDATION_FRACTION) + "% held out), " + o.ranker().grid().size()
                + " setting(s), stored and activated in one transaction");
        RankerTraining.Outcome r = RankerTraining.run(db, ratings, catalog, items, content, validationModel, settings,
                o.engine(), o.contentShrinkage(), version, o.ranker(), l);
        var chosen = r.result().chosen();
        String rec = "";
        if (r.recommend() != null) {
            rec = String.format(Locale.ROOT,
                    "; recommendation ranker %s: validation Recall@20 %.4f against %.4f for the "
                    + "retrieval alone", r.recommendVersion() > 0 ? "version " + r.recommendVersion() + " active"
                            : "not stored (no gain)", r.recommend().chosen().recall(), r.recommend().retrievalRecall());
        }
        l.stageDone("ranker", String.format(Locale.ROOT, "search ranker version %d active: %s; on held-out "
                + "validation users NDCG@10 liked %.4f (%+.4f), disliked %.4f (%+.4f) against BM25 + popularity; "
                + "weighted fusion %+.4f / %+.4f%s", r.version(), chosen.setting(), chosen.liked(),
                chosen.figures().likedGain(), chosen.disliked(), chosen.figures().dislikedGain(),
                r.result().weighted().figures().likedGain(), r.result().weighted().figures().dislikedGain(), rec),
                Elapsed.seconds(t));
        return r;
    }

    private static long start(Listener l, String stage, String what) {
        l.stageStarted(stage, what);
        return System.nanoTime();
    }

    /** The grid's validation figures and the choice, as stored in {@code model_versions.validation}. */
    static ObjectNode validationJson(ModelSelection.Choice choice, ModelTrainer.Settings chosen) {
        ObjectNode n = JSON.createObjectNode();
        n.put("metric", "two-tower Recall@20 on a validation split: each user's latest "
                + Math.round(100 * ModelSelection.VALIDATION_FRACTION) + "% of ratings held out");
        if (choice == null) {
            n.put("searched", false);
            n.set("chosen", ModelStore.paramsJson(chosen));
            return n;
        }
        n.put("searched", true);
        ArrayNode grid = n.putArray("grid");
        for (ModelSelection.Trial tr : choice.trials()) {
            ObjectNode g = ModelStore.paramsJson(tr.settings());
            g.remove("formula");
            g.put("recall@20", tr.recall());
            g.put("ndcg@20", tr.ndcg());
            g.put("rare_recall@20", tr.rareRecall());
            grid.add(g);
        }
        ObjectNode best = ModelStore.paramsJson(chosen);
        best.remove("formula");
        best.put("recall@20", choice.best().recall());
        n.set("chosen", best);
        return n;
    }

    /** SHA-256 over (user, movie, rating) in (user, time, movie) order; the first 16 hex digits. */
    static String fingerprint(Ratings r) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer b = ByteBuffer.allocate(12);
            for (int i = 0; i < r.size(); i++) {
                b.clear();
                b.putInt(r.userId(i)).putInt(r.movieId(i)).putFloat(r.rating(i));
                md.update(b.array());
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Ratings withoutUsers(Ratings all, Set<Integer> excluded) {
        if (excluded.isEmpty()) return all;
        Ratings.Builder b = Ratings.builder();
        for (int i = 0; i < all.size(); i++) {
            if (!excluded.contains(all.userId(i))) b.add(all.userId(i), all.movieId(i), all.rating(i), all.ratedAt(i));
        }
        return b.build();
    }

    private static Instant now(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT now()")) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }
}
