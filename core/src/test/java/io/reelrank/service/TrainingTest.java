package io.reelrank.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import io.reelrank.index.MovieIndex;
import io.reelrank.index.MovieSearcher;
import io.reelrank.model.FactorModel;
import io.reelrank.model.ItemVectors;
import io.reelrank.model.ModelStore;
import io.reelrank.model.ModelTrainer;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.user.UserTower;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model versions against the real database: a training that fails or is killed before activation
 * leaves the active model in service, its leftovers are deleted by the next one, an activation
 * swaps versions in one transaction, and a running search follows it without a restart.
 */
@Tag("integration")
class TrainingTest {

    @TempDir
    static Path tmp;

    private static Database db;

    @BeforeAll
    static void open() {
        db = TestDatabase.personalized();
    }

    private static long count(String sql) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static ModelStore.Version active() throws Exception {
        try (Connection c = db.connect()) {
            return ModelStore.active(c);
        }
    }

    /** A listener that fails the run once the new version is written and before it is activated. */
    private static final class FailBeforeActivation implements Training.Listener {
        final List<String> stages = new ArrayList<>();

        @Override
        public void stageStarted(String stage, String what) {
            stages.add(stage);
        }

        @Override
        public void stageDone(String stage, String result, double seconds) {
            if (stage.equals("write")) throw new IllegalStateException("injected failure after writing " + result);
        }

        @Override
        public void detail(String line) {}
    }

    @Test
    void aFailureBetweenWritingAndActivatingLeavesTheActiveModelInServiceAndItsRowsAreCleanedUp() throws Exception {
        ModelStore.Version before = active();
        assertNotNull(before, "the fixture trains a model");
        ModelTrainer.Settings small = new ModelTrainer.Settings(
                new io.reelrank.model.ImplicitAls.Params(8, 1, 0.1, 2, 3, 42), 0, 10, 5);
        FailBeforeActivation listener = new FailBeforeActivation();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Training.run(db, new Training.Options(List.of(small), 2, UserTower.DEFAULT_SHRINKAGE), listener));
        assertTrue(e.getMessage().startsWith("injected failure after writing version "), e.getMessage());
        assertEquals(List.of("lock", "load", "train", "write"), listener.stages, "one setting: no validation search");

        ModelStore.Version after = active();
        assertEquals(before.version(), after.version(), "the model in service is untouched");
        long leftover = count("SELECT max(version) FROM model_versions WHERE status = 'training'");
        assertTrue(leftover > before.version());
        assertTrue(count("SELECT count(*) FROM item_factors WHERE version = " + leftover) > 0, "written, never served");
        assertEquals(1, count("SELECT count(*) FROM pg_indexes WHERE indexname = 'item_factors_hnsw_v"
                + leftover + "'"));

        // The next training, holding the lock, deletes what the failed one left (here: its cleanup step alone).
        try (ModelStore.TrainingLock lock = ModelStore.TrainingLock.acquire(db); Connection c = db.connect()) {
            assertTrue(ModelStore.cleanup(c) >= 1);
        }
        assertEquals(0, count("SELECT count(*) FROM model_versions WHERE version = " + leftover));
        assertEquals(0, count("SELECT count(*) FROM item_factors WHERE version = " + leftover));
        assertEquals(0, count("SELECT count(*) FROM pg_indexes WHERE indexname = 'item_factors_hnsw_v"
                + leftover + "'"));
        assertEquals(before.version(), active().version());
    }

    @Test
    void aTrainingKilledMidRunLeavesTheActiveModelInServiceAndReleasesTheLock() throws Exception {
        ModelStore.Version before = active();
        Path home = TestDatabase.homeOn(db, Path.of("target"), "train-kill-");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // Many iterations, so the run is still training when it is killed.
        Process p = new ProcessBuilder(java.toString(), "-Dreelrank.home=" + home, "-cp",
                System.getProperty("java.class.path"), "io.reelrank.Main", "train", "--rank", "16",
                "--als-alpha", "1", "--iterations", "1000", "--threads", "1").redirectErrorStream(true).start();
        StringBuilder seen = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                seen.append(line).append('\n');
                if (line.contains("iteration 2/1000")) break;
            }
            assertTrue(seen.toString().contains("[4/7] train"), seen.toString()); // the rankers' stage is the 7th
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no rollback from the client
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(home.resolve("var").resolve("pg")); // the link only, never the test cluster
        }
        assertEquals(before.version(), active().version(), "the model in service is untouched");
        assertEquals(0, count("SELECT count(*) FROM model_versions WHERE version > " + before.version()
                + " AND status = 'active'"));
        // The server notices the dead connection and drops its advisory lock; a new training may start.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (ModelStore.TrainingLock lock = ModelStore.TrainingLock.acquire(db)) {
                break;
            } catch (IllegalStateException e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(200);
            }
        }
    }

    @Test
    void anotherTrainingWhileOneRunsIsRefusedWithAClearMessage() throws Exception {
        try (ModelStore.TrainingLock held = ModelStore.TrainingLock.acquire(db)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Training.run(db,
                    new Training.Options(List.of(TestDatabase.MODEL), 1, UserTower.DEFAULT_SHRINKAGE),
                    Training.Listener.NONE));
            assertTrue(e.getMessage().startsWith("another training is running on this database"), e.getMessage());
        }
    }

    @Test
    void activatingAVersionSwapsItInAndARunningSearchFollowsWithoutARestart() throws Exception {
        Path index = tmp.resolve("index");
        MovieIndex.rebuild(db, index);
        try (PersonalizedSearch search = new PersonalizedSearch(db, MovieSearcher.open(index),
                ItemVectors.load(db, true))) {
            search.listen();
            // Functional timeouts, not speed: a loaded machine may take seconds to connect and to reload.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!search.listening() && System.nanoTime() < deadline) Thread.sleep(50);
            assertTrue(search.listening(), "the search listens for new versions");
            ModelStore.Version before = active();
            assertEquals(before.version(), search.model().version());
            float[] user414 = search.collaborativeVector(414);

            // The same factors as a new version: written beside the active one, then swapped in.
            FactorModel current = search.model();
            long v;
            try (Connection c = db.connectDirect()) {
                c.setAutoCommit(false);
                v = ModelStore.begin(c, TestDatabase.MODEL, "copy", 0, 0, current.size(), java.time.Instant.now());
                ModelStore.writeItems(c, v, current);
                ModelStore.writeUsers(c, v, new int[0], new float[0][]);
                ModelStore.createIndex(c, v, current.rank());
                c.commit();
                ModelStore.Activation a = ModelStore.activate(c, v, current);
                c.commit();
                assertEquals(before.version(), a.replaced());
                assertTrue(a.foldedIn() >= 610, "every user without a row in the new version is folded in: "
                        + a.foldedIn());
            }
            assertEquals(v, active().version());
            assertEquals(1, count("SELECT count(*) FROM model_versions WHERE status = 'previous' AND version = "
                    + before.version()));
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (search.model().version() != v && System.nanoTime() < deadline) Thread.sleep(50);
            assertEquals(v, search.model().version(), "the NOTIFY makes the server load the new version");
            assertArrayEquals(user414, search.collaborativeVector(414), 1e-6f, "same factors, same fold-in");
            assertTrue(search.search(PersonalizedSearch.Request.of("lord", 414)).hasCollaborative());
        }
    }
}
