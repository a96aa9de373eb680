package io.reelrank;

import io.reelrank.db.Database;
import io.reelrank.db.PrivateCluster;
import io.reelrank.embed.BundledModel;
import io.reelrank.embed.MovieEmbeddings;
import io.reelrank.embed.OnnxEncoder;
import io.reelrank.ingest.MovieLensLoader;
import io.reelrank.model.ImplicitAls;
import io.reelrank.model.ItemVectors;
import io.reelrank.model.ModelTrainer;
import io.reelrank.service.RatingService;
import io.reelrank.service.Training;
import io.reelrank.user.UserTower;
import java.nio.file.Path;
import java.util.List;

/**
 * The tests' own throwaway PostgreSQL cluster, started once per test run with the same
 * {@link PrivateCluster} code the CLI uses, under {@code target/test-pg} (or the system property
 * {@code reelrank.test.pg}, for another module's tests), and destroyed when the JVM
 * exits. Tests share it: each one that changes data either works on its own tables or restores
 * what it changed.
 */
public final class TestDatabase {

    public static final Path SAMPLE = Path.of("..", "sample_data", "ml-latest-small").toAbsolutePath().normalize();

    private static Database db;
    private static boolean sampleLoaded;
    private static boolean personalized;
    static final Path EMBEDDINGS = Path.of("target", "test-embeddings.csv").toAbsolutePath();

    private TestDatabase() {}

    /** The test database with the bundled sample loaded (once per run). */
    public static synchronized Database sample() {
        Database d = get();
        if (!sampleLoaded) {
            try {
                MovieLensLoader.load(d, SAMPLE, MovieLensLoader.Options.defaults(), MovieLensLoader.Listener.NONE);
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("cannot load the sample: " + e.getMessage(), e);
            }
            sampleLoaded = true;
        }
        return d;
    }

    /** Puts the sample back after a test that loaded something else. */
    public static synchronized void reloadSample() throws java.sql.SQLException {
        MovieLensLoader.load(get(), SAMPLE, new MovieLensLoader.Options(10_000, false, true),
                MovieLensLoader.Listener.NONE);
        sampleLoaded = true;
        personalized = false; // a reload clears the vectors of the users whose ratings it replaced
    }

    /**
     * The collaborative model the tests train: the setting {@code reelrank train}'s default grid picks
     * on the sample (rank 64, α = 1, λ = 0.1, 10 iterations, midpoint 3), trained directly.
     */
    public static final ModelTrainer.Settings MODEL = new ModelTrainer.Settings(
            new ImplicitAls.Params(64, 1, 0.1, 10, 3, 42), 0, 10, 5);

    /**
     * The sample with every movie embedded by the real bundled fp32 model (pinned, so the cached
     * vectors and the figures tests expect stay the same whatever the default; embedded once per checkout into
     * {@code target/test-embeddings.csv}, then loaded whenever a test has cleared the vectors), every
     * user's vector computed, the four test users created and a collaborative model trained and
     * active (the test users folded in).
     */
    public static synchronized Database personalized() {
        Database d = sample();
        try {
            boolean reloaded = MovieEmbeddings.ensureLoaded(d, EMBEDDINGS,
                    () -> OnnxEncoder.bundled(BundledModel.MINILM_L6, OnnxEncoder.Settings.defaults()),
                    MovieEmbeddings.Listener.NONE);
            if (reloaded || !personalized) {
                ItemVectors items = ItemVectors.load(d, true);
                UserTower.computeAll(d, items, UserTower.DEFAULT_SHRINKAGE);
                new RatingService(d, () -> items, () -> null, UserTower.DEFAULT_SHRINKAGE, null).createTestUsers();
                Training.run(d, new Training.Options(List.of(MODEL), Runtime.getRuntime().availableProcessors(),
                        UserTower.DEFAULT_SHRINKAGE), Training.Listener.NONE);
                personalized = true;
            }
        } catch (java.sql.SQLException | java.io.IOException e) {
            throw new IllegalStateException("cannot prepare the personalized sample: " + e.getMessage(), e);
        }
        return d;
    }

    /**
     * Puts every movie's vector back after a test that cleared or replaced them: the HTTP fixture's
     * server, started by an earlier class, keeps answering from the database's vectors. Without the
     * embeddings file (no class needed them yet) the vectors are only cleared, and
     * {@link #personalized} embeds them when a class does.
     */
    public static synchronized void restoreEmbeddings() throws java.sql.SQLException {
        Database d = get();
        try (java.sql.Connection c = d.connect(); java.sql.Statement st = c.createStatement()) {
            st.execute("UPDATE movies SET embedding = NULL WHERE embedding IS NOT NULL");
        }
        if (java.nio.file.Files.exists(EMBEDDINGS)) io.reelrank.embed.EmbeddingLoader.load(d, EMBEDDINGS);
    }

    /**
     * A throwaway {@code REELRANK_HOME} under {@code parent} whose {@code var/pg} is the test cluster,
     * for commands run as a user runs them; world-readable, because as root pg_ctl runs as postgres
     * and must reach {@code var/pg} through it.
     */
    public static Path homeOn(Database db, Path parent, String prefix) throws java.io.IOException {
        Path home = java.nio.file.Files.createTempDirectory(parent.toAbsolutePath(), prefix);
        java.nio.file.Files.setPosixFilePermissions(home,
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        java.nio.file.Files.createDirectories(home.resolve("var"));
        java.nio.file.Files.createSymbolicLink(home.resolve("var").resolve("pg"), db.cluster().directory());
        return home;
    }

    public static synchronized Database get() {
        if (db == null) {
            // Another module's tests (the Spark module runs in this directory) keep their own cluster.
            PrivateCluster cluster = new PrivateCluster(Path.of(System.getProperty("reelrank.test.pg",
                    Path.of("target", "test-pg").toString())).toAbsolutePath());
            cluster.destroy();
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::destroy, "test-pg-cleanup"));
            db = Database.open(cluster.ensureRunning(), cluster);
        }
        return db;
    }
}
