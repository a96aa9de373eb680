package io.reelrank.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The embed → CSV → load-embeddings → similar pipeline with the real model and database, on the
 * sample's 779 Fantasy movies (embedding all 9,742 would make the suite slow): the Lord of the Rings
 * films must find each other among Harry Potter, the Hobbit and the rest of the genre.
 */
@Tag("integration")
class SimilarMoviesTest {

    private static Database db;

    @BeforeAll
    static void embedTheFantasyMovies() throws Exception {
        db = TestDatabase.sample();
        List<Integer> ids = new ArrayList<>();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("UPDATE movies SET embedding = NULL WHERE embedding IS NOT NULL");
            try (ResultSet rs = st.executeQuery("SELECT movie_id FROM movies WHERE 'Fantasy' = ANY(genres)")) {
                while (rs.next()) ids.add(rs.getInt(1));
            }
        }
        Path dir = Files.createTempDirectory("similar-test");
        Path csv = dir.resolve("fantasy.csv");
        try (Connection c = db.connect();
             OnnxEncoder enc = OnnxEncoder.bundled(OnnxEncoder.Settings.defaults())) {
            MovieEmbeddings.Result r = MovieEmbeddings.embed(MovieText.load(c, ids), enc, csv,
                    MovieEmbeddings.Listener.NONE);
            assertEquals(779, r.embedded());
        }
        assertEquals(779, EmbeddingLoader.load(db, csv).rows());
        Files.delete(csv);
        Files.delete(dir);
    }

    @AfterAll
    static void restoreEmbeddings() throws Exception {
        TestDatabase.restoreEmbeddings();
    }

    @Test
    void fellowshipOfTheRingsNearestAreTheOtherLordOfTheRingsFilms() throws Exception {
        try (Connection c = db.connect()) {
            List<Integer> top = SimilarMovies.find(c, 4993, 5).stream().map(SimilarMovies.Neighbor::movieId).toList();
            assertTrue(top.subList(0, 3).containsAll(List.of(5952, 7153)), "top 5: " + top);
            assertTrue(top.contains(2116), "top 5: " + top);
        }
    }

    @Test
    void reportsCosineSimilarityInDescendingOrder() throws Exception {
        try (Connection c = db.connect()) {
            List<SimilarMovies.Neighbor> ns = SimilarMovies.find(c, 4993, 10);
            assertEquals(10, ns.size());
            float[] q = MovieVectors.read(c, 4993);
            float[] first = MovieVectors.read(c, ns.get(0).movieId());
            assertEquals(Vectors.dot(q, first), ns.get(0).similarity(), 1e-5);
            for (int i = 1; i < ns.size(); i++) {
                assertTrue(ns.get(i - 1).similarity() >= ns.get(i).similarity(), "not descending at " + i);
            }
        }
    }

    @Test
    void rejectsAnUnknownMovieAndOneWithoutEmbedding() throws Exception {
        try (Connection c = db.connect()) {
            assertEquals("no movie with movie_id 999999999",
                    assertThrows(SimilarMovies.UnknownMovieException.class,
                            () -> SimilarMovies.find(c, 999_999_999, 10)).getMessage());
            // Heat (movie 6) is not a Fantasy movie, so it was not embedded.
            assertEquals("movie 6 has no embedding; run reelrank embed --load first",
                    assertThrows(SimilarMovies.NoEmbeddingException.class,
                            () -> SimilarMovies.find(c, 6, 10)).getMessage());
            assertEquals("limit must be in 1-1000, got 0",
                    assertThrows(IllegalArgumentException.class, () -> SimilarMovies.find(c, 4993, 0)).getMessage());
        }
    }
}
