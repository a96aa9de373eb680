package io.reelrank.http;

import io.javalin.http.Context;
import io.reelrank.db.Catalog;
import io.reelrank.db.Database;
import io.reelrank.embed.SimilarMovies;
import java.math.BigDecimal;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The catalog routes, read straight from PostgreSQL: {@code GET /api/movies/{id}} (the row, its
 * statistics and most frequent tags), {@code GET /api/movies/{id}/similar} (nearest movies by
 * embedding, {@link SimilarMovies}; its unknown movie is a 404, a movie without an embedding a 409,
 * both through {@link ExceptionMappers}) and {@code GET /api/genres} (every genre with its movie count).
 */
final class CatalogRoutes {

    static final ParamRules.IntRange ID = ParamRules.IntRange.atLeast(1);
    static final ParamRules.IntRange SIMILAR = new ParamRules.IntRange(1, SimilarMovies.MAX_LIMIT);
    static final int TOP_TAGS = 10;

    private final Database db;

    CatalogRoutes(Database db) {
        this.db = db;
    }

    /** {@code GET /api/movies/{id}}. */
    record MovieBody(int movieId, String title, Integer year, List<String> genres, String imdbId, Integer tmdbId,
                     BigDecimal avgRating, int ratingCount, boolean hasEmbedding, List<TagBody> topTags) {}

    record TagBody(String tag, int count) {}

    /** {@code GET /api/movies/{id}/similar}. */
    record SimilarBody(int movieId, List<Neighbour> results) {}

    record Neighbour(int rank, int movieId, String title, Integer year, double similarity) {}

    /** {@code GET /api/genres}. */
    record GenresBody(List<GenreBody> genres) {}

    record GenreBody(String genre, int movies) {}

    void movie(Context ctx) throws Exception {
        int id = RequestParams.of(ctx, Set.of()).pathInt("id", ID);
        try (Connection conn = db.connect()) {
            Catalog.Movie mv = Catalog.movie(conn, id)
                    .orElseThrow(() -> ApiError.notFound("no movie with movie_id " + id));
            List<TagBody> tags = Catalog.topTags(conn, id, TOP_TAGS).stream()
                    .map(t -> new TagBody(t.tag(), t.count())).toList();
            ctx.json(new MovieBody(mv.movieId(), mv.title(), mv.year(), mv.genres(), mv.imdbId(), mv.tmdbId(),
                    mv.avgRating(), mv.ratingCount(), mv.hasEmbedding(), tags));
        }
    }

    void similar(Context ctx) throws Exception {
        RequestParams p = RequestParams.of(ctx, Set.of("limit"));
        int id = p.pathInt("id", ID);
        int limit = p.intIn("limit", 10, SIMILAR);
        List<SimilarMovies.Neighbor> found;
        try (Connection conn = db.connect()) {
            found = SimilarMovies.find(conn, id, limit);
        }
        List<Neighbour> out = new ArrayList<>(found.size());
        for (SimilarMovies.Neighbor n : found) {
            out.add(new Neighbour(out.size() + 1, n.movieId(), n.title(), n.year(), n.similarity()));
        }
        ctx.json(new SimilarBody(id, out));
    }

    void genres(Context ctx) throws Exception {
        RequestParams.of(ctx, Set.of());
        try (Connection conn = db.connect()) {
            ctx.json(new GenresBody(Catalog.genres(conn).stream()
                    .map(g -> new GenreBody(g.genre(), g.movies())).toList()));
        }
    }
}
