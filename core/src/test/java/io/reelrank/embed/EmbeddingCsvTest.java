package io.reelrank.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class EmbeddingCsvTest {

    @TempDir
    Path dir;

    @Test
    void roundTripsEveryFloatBitForBit() {
        Random random = new Random(42);
        List<float[]> written = new ArrayList<>();
        written.add(new float[] {Float.MIN_VALUE, Float.MAX_VALUE, -0.0f, 0.0f, 1e-45f, -3.4028235e38f, 0.1f, 1f / 3});
        for (int i = 0; i < 200; i++) {
            float[] v = new float[8];
            // Random bit patterns cover subnormals and every exponent, not just "nice" decimals.
            for (int k = 0; k < v.length; k++) {
                float f;
                do {
                    f = Float.intBitsToFloat(random.nextInt());
                } while (!Float.isFinite(f));
                v[k] = f;
            }
            written.add(v);
        }
        Path file = dir.resolve("e.csv");
        try (EmbeddingCsv.Writer w = EmbeddingCsv.append(file)) {
            for (int i = 0; i < written.size(); i++) w.write(i + 1, written.get(i));
        }
        List<EmbeddingCsv.Row> read = new ArrayList<>();
        EmbeddingCsv.read(file, read::add);
        assertEquals(written.size(), read.size());
        for (int i = 0; i < written.size(); i++) {
            assertEquals(i + 1, read.get(i).movieId());
            assertEquals(i + 2, read.get(i).line());
            float[] a = written.get(i);
            float[] b = read.get(i).embedding();
            for (int k = 0; k < a.length; k++) {
                assertEquals(Float.floatToRawIntBits(a[k]), Float.floatToRawIntBits(b[k]), "row " + i + " component "
                        + k);
            }
        }
    }

    @Test
    void resumesAfterAHalfWrittenLastLine() throws Exception {
        Path file = dir.resolve("e.csv");
        Files.writeString(file, "movie_id,embedding\n1,\"[0.5,0.25]\"\n2,\"[0.5,0.2");
        assertEquals(Set.of(1), EmbeddingCsv.existingIds(file));
        try (EmbeddingCsv.Writer w = EmbeddingCsv.append(file)) {
            w.write(2, new float[] {0.125f, 1f});
        }
        assertEquals("movie_id,embedding\n1,\"[0.5,0.25]\"\n2,\"[0.125,1.0]\"\n", Files.readString(file));
    }

    @Test
    void namesTheLineOfABrokenLiteral() throws Exception {
        Path file = dir.resolve("e.csv");
        Files.writeString(file, "movie_id,embedding\n1,\"[0.5,0.25]\"\n2,\"[0.5,abc]\"\n");
        EmbeddingFileException e = assertThrows(EmbeddingFileException.class, () -> EmbeddingCsv.read(file, r -> {}));
        assertEquals(3, e.line());
        assertEquals(file + ":3: movie 2: component 2 of 2 is not a number: 'abc'", e.getMessage());
    }

    @Test
    void refusesNaNAndInfinity() {
        assertEquals("component 2 of 3 is NaN, not a finite number",
                assertThrows(IllegalArgumentException.class, () -> VectorLiteral.parse("[1,NaN,2]")).getMessage());
        assertEquals("component 1 of 1 is -Infinity, not a finite number",
                assertThrows(IllegalArgumentException.class, () -> VectorLiteral.parse("[-Infinity]")).getMessage());
        assertEquals("component 1 of 1 overflows a float: 1e39",
                assertThrows(IllegalArgumentException.class, () -> VectorLiteral.parse("[1e39]")).getMessage());
    }

    @Test
    void formatsAsPgvectorLiteral() {
        assertEquals("[0.1,-2.0,1.0E-5]", VectorLiteral.format(new float[] {0.1f, -2f, 1e-5f}));
        assertArrayEquals(new float[] {0.1f, -2f, 1e-5f}, VectorLiteral.parse(" [0.1, -2.0,1.0E-5] "));
    }
}
