package io.reelrank.http;

import io.reelrank.db.Catalog;
import io.reelrank.db.Database;
import io.reelrank.embed.SimilarMovies;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The catalog routes, read straight from PostgreSQL: {@code GET /api/movies/{id}} (the row, its
 * statistics and most frequent tags), {@code GET /api/movies/{id}/similar} (nearest movies by
 * embedding, {@link SimilarMovies}) and {@code GET /api/genres} (every genre with its movie count).
 */
final class CatalogRoutes {

    static final int MAX_ID = Integer.MAX_VALUE;
    static final int TOP_TAGS = 10;

    private final Database db;

    CatalogRoutes(Database db) {
        this.db = db;
    }

    /** {@code GET /api/movies/{id}}. */
    record MovieBody(int movieId, String title, Integer year, List<String> genres, String imdbId, Integer tmdbId,
                     java.math.BigDecimal avgRating, int ratingCount, boolean hasEmbedding, List<TagBody> topTags) {}

    record TagBody(String tag, int count) {}

    /** {@code GET /api/movies/{id}/similar}. */
    record SimilarBody(int movieId, List<Neighbour> results) {}

    record Neighbour(int rank, int movieId, String title, Integer year, double similarity) {}

    /** {@code GET /api/genres}. */
    record GenresBody(List<GenreBody> genres) {}

    record GenreBody(String genre, int movies) {}

    Reply movie(Call c) throws Exception {
        Params.onlyKnown(c, Set.of());
        int id = Params.parseInt("id", c.path("id"), 1, MAX_ID);
        try (Connection conn = db.connect()) {
            Catalog.Movie mv = Catalog.movie(conn, id).orElseThrow(() -> ApiError.notFound("no movie with movie_id " + id));
            List<TagBody> tags = Catalog.topTags(conn, id, TOP_TAGS).stream().map(t -> new TagBody(t.tag(), t.count())).toList();
            return Json.reply(new MovieBody(mv.movieId(), mv.title(), mv.year(), mv.genres(), mv.imdbId(), mv.tmdbId(),
                    mv.avgRating(), mv.ratingCount(), mv.hasEmbedding(), tags));
        }
    }

    Reply similar(Call c) throws Exception {
        Params.onlyKnown(c, Set.of("limit"));
        int id = Params.parseInt("id", c.path("id"), 1, MAX_ID);
        int limit = Params.intIn("limit", c.param("limit"), 10, 1, SimilarMovies.MAX_LIMIT);
        List<SimilarMovies.Neighbor> found;
        try (Connection conn = db.connect()) {
            found = SimilarMovies.find(conn, id, limit);
        } catch (SimilarMovies.UnknownMovieException e) {
            throw ApiError.notFound(e.getMessage());
        } catch (SimilarMovies.NoEmbeddingException e) {
            throw new ApiError(409, "no embedding", e.getMessage());
        }
        List<Neighbour> out = new ArrayList<>(found.size());
        for (SimilarMovies.Neighbor n : found) {
            out.add(new Neighbour(out.size() + 1, n.movieId(), n.title(), n.year(), n.similarity()));
        }
        return Json.reply(new SimilarBody(id, out));
    }

    Reply genres(Call c) throws Exception {
        Params.onlyKnown(c, Set.of());
        try (Connection conn = db.connect()) {
            return Json.reply(new GenresBody(Catalog.genres(conn).stream().map(g -> new GenreBody(g.genre(), g.movies())).toList()));
        }
    }
}
