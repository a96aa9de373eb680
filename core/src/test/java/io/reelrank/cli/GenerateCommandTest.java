package io.reelrank.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("unit")
class GenerateCommandTest {

    @TempDir
    Path tmp;

    private static Run generate(String... args) {
        return Run.of(List.of("generate"), args);
    }

    @Test
    void writesASetAndComparesItsShapeWithTheSample() throws Exception {
        Path out = tmp.resolve("g");
        Run r = generate("--ratings", "10000", "--out", out.toString(), "--seed", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("generate: 10,000 ratings, "), r.out());
        assertTrue(r.out().contains("share of ratings on top 1% movies"), r.out());
        assertTrue(r.out().contains("ml-latest-small"), r.out());
        assertTrue(r.err().contains("ratings 10,000/10,000 (100%)"), r.err());
        for (String f : List.of("movies.csv", "links.csv", "ratings.csv", "tags.csv", "README.txt",
                "users_latent.csv", "movies_latent.csv")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertFalse(Files.exists(out.resolve(".generating")));
        assertEquals(10_001, Files.readAllLines(out.resolve("ratings.csv")).size());
    }

    @Test
    void refusesRatingsOutsideTheRange() {
        Run r = generate("--ratings", "10", "--out", tmp.toString());
        assertEquals(2, r.code());
        assertEquals("reelrank: error: --ratings must be in 10,000-100,000,000, got 10", r.err().strip());
    }

    @Test
    void refusesMoreUsersThanTheRatingsAllow() {
        Run r = generate("--ratings", "10000", "--users", "501", "--out", tmp.toString());
        assertEquals(2, r.code());
        assertEquals("reelrank: error: --users must be in 1-500 for 10,000 ratings (every user rates at least "
                + "20 movies), got 501", r.err().strip());
    }

    @Test
    void refusesAVocabularyThatIsNoMovieLensDirectory() {
        Run r = generate("--ratings", "10000", "--out", tmp.resolve("x").toString(), "--vocabulary", tmp.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains(
                "has no movies.csv (it must be a MovieLens directory such as sample_data/ml-latest-small)"),
                r.err());
    }

    @Test
    void refusesToOverwriteWithoutForce() {
        Path out = tmp.resolve("twice");
        assertEquals(0, generate("--ratings", "10000", "--out", out.toString()).code());
        Run r = generate("--ratings", "10000", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("already exists; choose an empty directory or give --force to overwrite"), r.err());
        assertEquals(0, generate("--ratings", "10000", "--out", out.toString(), "--force").code());
    }
}
