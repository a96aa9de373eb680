package io.reelrank.db;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Read-only queries over the catalogue and its users for the pages and the API: one movie with its
 * statistics and most frequent tags, the genres, the users a picker offers and one user's profile.
 * Each method runs on the caller's connection and returns plain records; presentation is the caller's.
 */
public final class Catalog {

    private Catalog() {}

    /** One row of {@code movies} with whether it has an embedding. */
    public record Movie(int movieId, String title, Integer year, List<String> genres, String imdbId, Integer tmdbId,
                        BigDecimal avgRating, int ratingCount, boolean hasEmbedding) {}

    public record TagCount(String tag, int count) {}

    public record GenreCount(String genre, int movies) {}

    /** A user as the picker lists them. */
    public record UserSummary(int userId, String name, long ratingCount, boolean hasEmbedding) {}

    /** A user's profile: {@code name} is the test user's name or null, {@code meanRating} null without ratings. */
    public record UserProfile(int userId, String name, boolean hasEmbedding, Instant updatedAt, long ratingCount,
                              BigDecimal meanRating) {}

    /** A genre by how many of a user's ratings it covers, with the mean rating given. */
    public record UserGenre(String genre, int ratings, BigDecimal meanRating) {}

    public static Optional<Movie> movie(Connection c, int movieId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT movie_id, title, year, genres, imdb_id, tmdb_id, "
                + "avg_rating, rating_count, embedding IS NOT NULL FROM movies WHERE movie_id = ?")) {
            ps.setInt(1, movieId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(new Movie(rs.getInt(1), rs.getString(2), (Integer) rs.getObject(3),
                        strings(rs.getArray(4)), rs.getString(5), (Integer) rs.getObject(6), rs.getBigDecimal(7),
                        rs.getInt(8), rs.getBoolean(9)));
            }
        }
    }

    /** The movie's {@code limit} most frequent tags, ties by tag text. */
    public static List<TagCount> topTags(Connection c, int movieId, int limit) throws SQLException {
        List<TagCount> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT tag, count(*) AS n FROM tags WHERE movie_id = ? "
                + "GROUP BY tag ORDER BY n DESC, tag LIMIT ?")) {
            ps.setInt(1, movieId);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new TagCount(rs.getString(1), rs.getInt(2)));
            }
        }
        return out;
    }

    /** Every genre with its number of movies, by name. */
    public static List<GenreCount> genres(Connection c) throws SQLException {
        List<GenreCount> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT g, count(*) FROM movies, unnest(genres) AS g GROUP BY g ORDER BY g");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(new GenreCount(rs.getString(1), rs.getInt(2)));
        }
        return out;
    }

    /** The test users, by id. */
    public static List<UserSummary> testUsers(Connection c) throws SQLException {
        return users(c, "t.user_id IS NOT NULL ORDER BY u.user_id", null);
    }

    /** The {@code limit} real users with the most ratings, ties by id. */
    public static List<UserSummary> mostActiveUsers(Connection c, int limit) throws SQLException {
        return users(c, "t.user_id IS NULL ORDER BY ratings DESC, u.user_id LIMIT ?", limit);
    }

    private static List<UserSummary> users(Connection c, String where, Integer limit) throws SQLException {
        String sql = "SELECT u.user_id, t.name, "
                + "(SELECT count(*) FROM ratings r WHERE r.user_id = u.user_id) AS ratings, "
                + "u.embedding IS NOT NULL FROM users u LEFT JOIN test_users t ON t.user_id = u.user_id WHERE " + where;
        List<UserSummary> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (limit != null) ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new UserSummary(rs.getInt(1), rs.getString(2), rs.getLong(3), rs.getBoolean(4)));
                }
            }
        }
        return out;
    }

    public static Optional<UserProfile> user(Connection c, int userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT u.user_id, t.name, u.embedding IS NOT NULL, "
                + "u.updated_at, (SELECT count(*) FROM ratings r WHERE r.user_id = u.user_id), "
                + "(SELECT round(avg(rating), 2) FROM ratings r WHERE r.user_id = u.user_id) "
                + "FROM users u LEFT JOIN test_users t ON t.user_id = u.user_id WHERE u.user_id = ?")) {
            ps.setInt(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(new UserProfile(rs.getInt(1), rs.getString(2), rs.getBoolean(3),
                        rs.getTimestamp(4).toInstant(), rs.getLong(5), rs.getBigDecimal(6)));
            }
        }
    }

    /**
     * The user's {@code limit} genres by how many of their ratings they cover (ties by name), with the
     * mean rating given, so a hater's top genre shows as such (Fantasy, 50 ratings, mean 1.0).
     */
    public static List<UserGenre> userGenres(Connection c, int userId, int limit) throws SQLException {
        List<UserGenre> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT g, count(*) AS n, round(avg(r.rating), 2) "
                + "FROM ratings r JOIN movies mv ON mv.movie_id = r.movie_id, unnest(mv.genres) AS g "
                + "WHERE r.user_id = ? GROUP BY g ORDER BY n DESC, g LIMIT ?")) {
            ps.setInt(1, userId);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new UserGenre(rs.getString(1), rs.getInt(2), rs.getBigDecimal(3)));
            }
        }
        return out;
    }

    private static List<String> strings(Array a) throws SQLException {
        if (a == null) return List.of();
        return List.of((String[]) a.getArray());
    }
}
