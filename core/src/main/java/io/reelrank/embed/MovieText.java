package io.reelrank.embed;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one text per movie that the item tower embeds. The template is
 * <pre>
 * {Title} ({year}). Genres: {genre}, {genre}. Tags: {tag}, {tag}, {tag}, {tag}, {tag}.
 * </pre>
 * where the title has MovieLens' trailing article moved back to the front ("Matrix, The" becomes
 * "The Matrix"), the genres are the movie's MovieLens genres in their stored order, and the tags are
 * the movie's {@value #TOP_TAGS} most frequent user tags, lower-cased and trimmed, counted by
 * distinct users, ties broken by tag text (byte order), so the text is deterministic. A part that
 * is missing (no year, no genres, no tags) is left out with its label. Example (movie 1):
 * {@code Toy Story (1995). Genres: Adventure, Animation, Children, Comedy, Fantasy. Tags: pixar, fun.}
 * Stateless; {@link #loadAll} reads from the caller's connection and does not close it.
 */
public final class MovieText {

    /** How many of a movie's tags go into its text. */
    public static final int TOP_TAGS = 5;

    private static final Pattern TRAILING_ARTICLE = Pattern.compile(
            "^(.+), (The|A|An|Les|La|Le|L'|Il|El|Los|Las|Der|Die|Das|Den|Det|De|Het)( \\(.*\\))?$");

    private static final String QUERY = """
            WITH counted AS (
                SELECT movie_id, lower(btrim(tag)) AS tag, count(DISTINCT user_id) AS users
                FROM tags
                WHERE btrim(tag) <> ''
                GROUP BY movie_id, lower(btrim(tag))
            ), ranked AS (
                SELECT movie_id, tag,
                       row_number() OVER (PARTITION BY movie_id ORDER BY users DESC, tag COLLATE "C") AS rank
                FROM counted
            )
            SELECT m.movie_id, m.title, m.year, m.genres,
                   array_remove(array_agg(r.tag ORDER BY r.rank), NULL) AS top_tags
            FROM movies m
            LEFT JOIN ranked r ON r.movie_id = m.movie_id AND r.rank <= %d
            %s
            GROUP BY m.movie_id
            ORDER BY m.movie_id
            """;

    private MovieText() {}

    /** A movie and its text. */
    public record Movie(int movieId, String text) {}

    /** Fills the template; {@code year}, {@code genres} and {@code tags} may be null or empty. */
    public static String of(String title, Integer year, List<String> genres, List<String> tags) {
        StringBuilder sb = new StringBuilder(displayTitle(title));
        if (year != null) sb.append(" (").append(year).append(')');
        sb.append('.');
        if (genres != null && !genres.isEmpty()) sb.append(" Genres: ").append(String.join(", ", genres)).append('.');
        if (tags != null && !tags.isEmpty()) {
            sb.append(" Tags: ").append(String.join(", ", tags.subList(0, Math.min(TOP_TAGS, tags.size()))))
                    .append('.');
        }
        return sb.toString();
    }

    /** "Lord of the Rings: The Two Towers, The" becomes "The Lord of the Rings: The Two Towers". */
    public static String displayTitle(String title) {
        String t = title.strip();
        Matcher m = TRAILING_ARTICLE.matcher(t);
        if (!m.matches()) return t;
        String article = m.group(2);
        String rest = m.group(3) == null ? "" : m.group(3);
        return article + (article.endsWith("'") ? "" : " ") + m.group(1) + rest;
    }

    /** Every movie's text, ordered by movie_id. */
    public static List<Movie> loadAll(Connection c) throws SQLException {
        return query(c, null);
    }

    /** The texts of the given movies (unknown ids are skipped), ordered by movie_id. */
    public static List<Movie> load(Connection c, Collection<Integer> movieIds) throws SQLException {
        return query(c, movieIds);
    }

    private static List<Movie> query(Connection c, Collection<Integer> ids) throws SQLException {
        String sql = String.format(Locale.ROOT, QUERY, TOP_TAGS, ids == null ? "" : "WHERE m.movie_id = ANY(?)");
        List<Movie> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (ids != null) ps.setArray(1, c.createArrayOf("int4", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int year = rs.getInt(3);
                    Integer y = rs.wasNull() ? null : year;
                    out.add(new Movie(rs.getInt(1), of(rs.getString(2), y, strings(rs.getArray(4)),
                            strings(rs.getArray(5)))));
                }
            }
        }
        return out;
    }

    private static List<String> strings(Array a) throws SQLException {
        if (a == null) return List.of();
        return Arrays.asList((String[]) a.getArray());
    }
}
