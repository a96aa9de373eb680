package io.reelrank.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.reelrank.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("integration")
class EvalDataTest {

    // Ids far above MovieLens' so that the rows are this test's own in the shared test database.
    private static final int M = 990_000;
    private static final int U = 990_000;

    @Test
    void loadsRatingsOrderedByUserThenTimeAndTheCatalogWithItsGenres() throws Exception {
        try (Connection c = TestDatabase.get().connect(); Statement st = c.createStatement()) {
            try {
                st.executeUpdate("INSERT INTO movies (movie_id, title, genres) VALUES "
                        + "(" + (M + 1) + ", 'Rings', '{Horror}'), (" + (M + 2) + ", 'Unique', '{}'), "
                        + "(" + (M + 3) + ", 'Lord of War', '{Action,War}')");
                st.executeUpdate("INSERT INTO ratings (user_id, movie_id, rating, rated_at) VALUES "
                        + "(" + (U + 2) + ", " + (M + 1) + ", 4.5, '2020-01-01 00:00:02+00'), "
                        + "(" + (U + 1) + ", " + (M + 3) + ", 1.0, '2020-01-01 00:00:01.5+00'), "
                        + "(" + (U + 1) + ", " + (M + 1) + ", 3.5, '2020-01-01 00:00:01.5+00'), "
                        + "(" + (U + 1) + ", " + (M + 2) + ", 5.0, '2019-12-31 23:59:59+00')");

                Ratings r = EvalData.loadRatings(c);
                List<String> mine = new ArrayList<>();
                for (int i = 0; i < r.size(); i++) {
                    if (r.userId(i) > U) {
                        mine.add((r.userId(i) - U) + "/" + (r.movieId(i) - M) + "/" + r.rating(i) + "/" + r.ratedAt(i));
                    }
                }
                // 2020-01-01T00:00:00Z is 1577836800 s; microseconds keep the half second.
                assertEquals(List.of(
                        "1/2/5.0/1577836799000000", "1/1/3.5/1577836801500000", "1/3/1.0/1577836801500000",
                        "2/1/4.5/1577836802000000"), mine);
                assertEquals(true, r.isSortedByUser());

                EvalData.Catalog cat = EvalData.loadCatalog(c);
                int at = java.util.Arrays.binarySearch(cat.movieIds(), M + 1);
                assertEquals("Rings", cat.titles()[at]);
                assertArrayEquals(new String[] {"Horror"}, cat.genres()[at]);
                assertArrayEquals(new String[0], cat.genres()[at + 1]);
                assertArrayEquals(new String[] {"Action", "War"}, cat.genres()[at + 2]);
            } finally {
                st.executeUpdate("DELETE FROM movies WHERE movie_id > " + M); // ratings go with them (cascade)
            }
        }
    }
}
