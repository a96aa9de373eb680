package io.reelrank.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.cli.CliException;
import io.reelrank.db.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** load-embeddings against the real database with the sample loaded: all or nothing, with file and line. */
@Tag("integration")
class EmbeddingLoaderTest {

    private static final Random RANDOM = new Random(7);

    @TempDir
    Path dir;

    private Database db;
    private float[] before1;

    @BeforeEach
    void knownState() throws Exception {
        db = TestDatabase.sample();
        clear();
        before1 = randomUnit(384);
        Path seed = dir.resolve("seed.csv");
        try (EmbeddingCsv.Writer w = EmbeddingCsv.append(seed)) {
            w.write(1, before1);
        }
        EmbeddingLoader.load(db, seed);
    }

    @AfterAll
    static void restoreEmbeddings() throws SQLException {
        TestDatabase.restoreEmbeddings();
    }

    private static void clear() throws SQLException {
        try (Connection c = TestDatabase.sample().connect(); Statement st = c.createStatement()) {
            st.execute("UPDATE movies SET embedding = NULL WHERE embedding IS NOT NULL");
        }
    }

    @Test
    void loadsEveryRowBitForBitAndCreatesTheHnswIndex() throws Exception {
        float[] v2 = randomUnit(384);
        float[] v3 = randomUnit(384);
        v3[0] = Float.MIN_VALUE;
        Path file = dir.resolve("good.csv");
        try (EmbeddingCsv.Writer w = EmbeddingCsv.append(file)) {
            w.write(2, v2);
            w.write(3, v3);
        }
        EmbeddingLoader.Result r = EmbeddingLoader.load(db, file);
        assertEquals(2, r.rows());
        try (Connection c = db.connect()) {
            Map<Integer, float[]> got = MovieVectors.read(c, List.of(1, 2, 3, 4));
            assertEquals(3, got.size());
            assertBitsEqual(before1, got.get(1));
            assertBitsEqual(v2, got.get(2));
            assertBitsEqual(v3, got.get(3));
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT indexdef FROM pg_indexes WHERE indexname = '"
                         + EmbeddingLoader.INDEX + "'")) {
                assertTrue(rs.next());
                assertTrue(rs.getString(1).contains("USING hnsw (embedding vector_cosine_ops)"), rs.getString(1));
            }
        }
    }

    /** Line 2 is a valid row for movie 1; line 3 carries the defect. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "wrong dimension      | 2 | DIM383   | movie 2 has 383 dimensions; movies.embedding takes exactly 384",
            "NaN                  | 2 | NAN      | movie 2: component 5 of 384 is NaN, not a finite number",
            "Infinity             | 2 | INF      | movie 2: component 5 of 384 is Infinity, not a finite number",
            "unknown movie_id     | 999999999 | OK | movie 999999999 is not in the movies table",
            "broken literal       | 2 | BROKEN   | movie 2: not a vector literal (expected [x,y,...]): [0.1,0.2",
            "repeated movie_id    | 1 | OK       | movie 1 appears again (first on line 2)",
            "movie_id not a number| x2 | OK      | movie_id is not an integer: 'x2'"})
    void rejectsABadRowWithItsLineAndChangesNothing(String name, String id, String kind, String message)
            throws Exception {
        String literal = switch (kind) {
            case "DIM383" -> VectorLiteral.format(randomUnit(383));
            case "NAN" -> withComponent(4, "NaN");
            case "INF" -> withComponent(4, "Infinity");
            case "BROKEN" -> "[0.1,0.2";
            default -> VectorLiteral.format(randomUnit(384));
        };
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, EmbeddingCsv.HEADER + "\n1,\"" + VectorLiteral.format(randomUnit(384)) + "\"\n"
                + id + ",\"" + literal + "\"\n");
        EmbeddingFileException e = assertThrows(EmbeddingFileException.class, () -> EmbeddingLoader.load(db, file));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().startsWith(file + ":3: " + message), e.getMessage());
        try (Connection c = db.connect()) {
            Map<Integer, float[]> got = MovieVectors.read(c, List.of(1, 2));
            assertBitsEqual(before1, got.get(1));
            assertNull(got.get(2));
        }
    }

    @Test
    void theCommandTurnsABadFileIntoExitCode2() throws Exception {
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, EmbeddingCsv.HEADER + "\n2,\"[1,2,3]\"\n");
        CliException e = assertThrows(CliException.class,
                () -> io.reelrank.cli.LoadEmbeddingsCommandAccess.load(db, file));
        assertEquals(2, e.exitCode());
        assertEquals(file + ":2: movie 2 has 3 dimensions; movies.embedding takes exactly 384 (nothing was loaded)",
                e.getMessage());
    }

    /** A valid 384-dimensional literal with component {@code index} (0-based) replaced by {@code text}. */
    private static String withComponent(int index, String text) {
        String[] parts = VectorLiteral.format(randomUnit(384)).replace("[", "").replace("]", "").split(",");
        parts[index] = text;
        return "[" + String.join(",", parts) + "]";
    }

    static float[] randomUnit(int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) v[i] = (float) RANDOM.nextGaussian();
        return Vectors.normalize(v);
    }

    private static void assertBitsEqual(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "component " + i);
        }
        assertArrayEquals(expected, actual);
    }
}
