package io.reelrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import io.reelrank.index.MovieIndex;
import io.reelrank.index.MovieSearcher;
import io.reelrank.model.FactorModel;
import io.reelrank.model.ItemVectors;
import io.reelrank.model.ModelStore;
import io.reelrank.rank.Feature;
import io.reelrank.rank.FeatureSet;
import io.reelrank.rank.Judgments;
import io.reelrank.rank.Ranker;
import io.reelrank.rank.RankerStore;
import io.reelrank.rank.RankerTrainer;
import io.reelrank.rerank.PersonalizedSearch;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reelrank model list|activate|rollback|deactivate|delete} against the real test database,
 * for both kinds: a running search (listening, as a server does) follows every switch without a
 * restart. Rankers stored here are small, trained in a second on synthetic judgments; the test
 * deletes them, and leaves the factor version it started with active.
 */
@Tag("integration")
class ModelCommandTest {

    @TempDir
    static Path tmp;

    private static Database db;
    private static String url;

    @BeforeAll
    static void open() {
        db = TestDatabase.personalized();
        url = db.settings().url() + "?user=" + db.settings().user() + "&password=" + db.settings().password();
    }

    private static Run model(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = args[0];
        all[1] = "--db-url=" + url;
        System.arraycopy(args, 1, all, 2, args.length - 1);
        return Run.of(List.of("model"), all);
    }

    private static Ranker tinyRanker(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Judgments.Builder b = new Judgments.Builder();
        for (int g = 0; g < 40; g++) {
            float[] x = new float[10 * FeatureSet.WIDTH];
            Arrays.fill(x, Float.NaN);
            float[] labels = new float[10];
            for (int r = 0; r < 10; r++) {
                float pop = (float) rng.nextDouble(8);
                x[r * FeatureSet.WIDTH + Feature.LOG_POP.ordinal()] = pop;
                labels[r] = pop > 4 ? 1 : 0;
            }
            b.group(g, x, labels);
        }
        return RankerTrainer.train(b.build(), List.of(Feature.LOG_POP), new RankerTrainer.Params("rank:ndcg", 5, 2, 0.3, 1, seed),
                1);
    }

    private static long store(Ranker r) throws Exception {
        try (Connection c = db.connectDirect()) {
            c.setAutoCommit(false);
            long v = RankerStore.store(c, RankerStore.SEARCH, r, new com.fasterxml.jackson.databind.ObjectMapper()
                    .createObjectNode().put("objective", "rank:ndcg"), null, 40, 0.1, null);
            c.commit();
            return v;
        }
    }

    private static void await(LongSupplier actual, long expected, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (actual.getAsLong() != expected && System.nanoTime() < deadline) Thread.sleep(50);
        assertEquals(expected, actual.getAsLong(), what);
    }

    private static long rankerVersion(PersonalizedSearch s) {
        try {
            return s.rankerVersion();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void rankersAreActivatedRolledBackDeactivatedAndDeletedAndASearchFollows() throws Exception {
        Path index = tmp.resolve("index");
        MovieIndex.rebuild(db, index);
        try (PersonalizedSearch search = new PersonalizedSearch(db, MovieSearcher.open(index), ItemVectors.load(db, true))) {
            search.listen();
            search.awaitCurrent(30_000);
            long before = search.rankerVersion();
            long a = store(tinyRanker(1));
            await(() -> rankerVersion(search), a, "a stored ranker is active and the search loads it");
            long b = store(tinyRanker(2));
            await(() -> rankerVersion(search), b, "the newer one replaces it");

            Run list = model("list");
            assertEquals(0, list.code(), list.err());
            assertTrue(list.out().lines().anyMatch(l -> l.matches("\\s*" + b + "\\s+search\\s+active\\s.*")), list.out());
            assertTrue(list.out().lines().anyMatch(l -> l.matches("\\s*" + a + "\\s+search\\s+previous\\s.*")), list.out());
            assertTrue(list.out().lines().anyMatch(l -> l.matches("\\s*\\d+\\s+factors\\s+active\\s.*")), list.out());

            Run rollback = model("rollback", "search");
            assertEquals(new Run(0, "rolled back search: version " + a + " active\n", ""), rollback);
            await(() -> rankerVersion(search), a, "the rollback is followed");

            Run activate = model("activate", Long.toString(b));
            assertEquals(new Run(0, "version " + b + " active: search ranker\n", ""), activate);
            await(() -> rankerVersion(search), b, "the activation is followed");

            Run off = model("deactivate", "search");
            assertEquals(0, off.code(), off.err());
            await(() -> rankerVersion(search), 0, "no ranker: searches fall back to the weighted fusion");
            PersonalizedSearch.Response r = search.search(PersonalizedSearch.Request.of("lord", 10001)
                    .withFusion(io.reelrank.rerank.Fusion.LEARNED));
            assertEquals(io.reelrank.rerank.Fusion.WEIGHTED, r.fusion());
            assertEquals("no learned ranker trained (reelrank train): weighted fusion", r.note());

            Run refused = model("delete", "999999999");
            assertEquals(new Run(2, "", "reelrank: error: no ranker version 999999999\n"), refused);
            assertEquals(0, model("delete", Long.toString(a)).code());
            assertEquals(0, model("delete", Long.toString(b)).code());
            try (Connection c = db.connect()) {
                assertNull(RankerStore.version(c, a));
                assertNull(RankerStore.version(c, b));
            }
            assertEquals(0, before, "the test database serves no ranker outside the classes that train one");
        }
    }

    @Test
    void aFactorVersionIsRolledBackAndActivatedAgainAndASearchFollows() throws Exception {
        Path index = tmp.resolve("index2");
        MovieIndex.rebuild(db, index);
        try (PersonalizedSearch search = new PersonalizedSearch(db, MovieSearcher.open(index), ItemVectors.load(db, true))) {
            search.listen();
            search.awaitCurrent(30_000);
            long original = search.model().version();
            // The same factors as a new version, written and activated as a training does.
            FactorModel current = search.model();
            long copy;
            try (Connection c = db.connectDirect()) {
                c.setAutoCommit(false);
                copy = ModelStore.begin(c, TestDatabase.MODEL, "copy", 0, 0, current.size(), java.time.Instant.now());
                ModelStore.writeItems(c, copy, current);
                ModelStore.writeUsers(c, copy, new int[0], new float[0][]);
                ModelStore.createIndex(c, copy, current.rank());
                c.commit();
                ModelStore.activate(c, copy, current);
                c.commit();
            }
            await(() -> search.model().version(), copy, "the new version is followed");

            Run rollback = model("rollback", "factors");
            assertEquals(new Run(0, "rolled back factors: version " + original + " active\n", ""), rollback);
            await(() -> search.model().version(), original, "the rollback is followed");
            try (Connection c = db.connect()) {
                assertEquals(copy, ModelStore.previous(c).version());
            }

            Run activate = model("activate", Long.toString(copy));
            assertEquals(0, activate.code(), activate.err());
            assertTrue(activate.out().startsWith("version " + copy + " active: collaborative model ("), activate.out());
            await(() -> search.model().version(), copy, "the activation is followed");
            Run back = model("activate", Long.toString(original));
            assertEquals(0, back.code(), back.err());
            await(() -> search.model().version(), original, "the version the test started with is active again");

            Run again = model("activate", Long.toString(original));
            assertEquals(new Run(2, "", "reelrank: error: model version " + original + " is already active\n"), again);
            Run nothing = model("rollback", "recommend");
            assertEquals(new Run(1, "", "reelrank: error: no previous recommend ranker to roll back to\n"), nothing);
            Run bad = model("rollback", "everything");
            assertEquals(new Run(2, "", "reelrank: error: KIND must be factors, search or recommend, got 'everything'\n"), bad);
        }
    }
}
