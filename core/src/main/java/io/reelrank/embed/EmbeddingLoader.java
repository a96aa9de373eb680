package io.reelrank.embed;

import io.reelrank.db.Database;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;

/**
 * Loads an embeddings CSV ({@link EmbeddingCsv}) into {@code movies.embedding}. The whole file is
 * checked first (literal syntax, NaN/Infinity, the column's dimension, repeated movie_ids), then
 * copied into a staging table and applied by one UPDATE in one transaction, after a check that
 * every movie_id exists; the first defect throws {@link EmbeddingFileException} naming file and line,
 * and nothing changes. Afterwards the HNSW index {@value #INDEX} ({@code vector_cosine_ops}) is
 * created if missing. Movies absent from the file keep their embedding.
 */
public final class EmbeddingLoader {

    public static final String INDEX = "movies_embedding_hnsw_idx";

    private EmbeddingLoader() {}

    /** What a load did. */
    public record Result(int rows, boolean indexCreated, long millis) {}

    public static Result load(Database db, Path csv) throws SQLException {
        if (!Files.isRegularFile(csv)) {
            throw new IllegalArgumentException("embeddings file " + csv + " does not exist");
        }
        long start = System.nanoTime();
        try (Connection c = db.connect()) {
            int dim = columnDimension(c, "movies", "embedding");
            List<EmbeddingCsv.Row> rows = new ArrayList<>();
            Map<Integer, Long> firstLine = new HashMap<>();
            EmbeddingCsv.read(csv, row -> {
                if (row.embedding().length != dim) {
                    throw new EmbeddingFileException(csv, row.line(), "movie " + row.movieId() + " has "
                            + row.embedding().length + " dimensions; movies.embedding takes exactly " + dim);
                }
                Long seen = firstLine.putIfAbsent(row.movieId(), row.line());
                if (seen != null) {
                    throw new EmbeddingFileException(csv, row.line(), "movie " + row.movieId()
                            + " appears again (first on line " + seen + ")");
                }
                rows.add(row);
            });
            if (rows.isEmpty()) throw new EmbeddingFileException(csv, 1, "no embeddings in the file");

            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    st.execute("CREATE TEMP TABLE embedding_stage (line bigint, movie_id int, embedding vector(" + dim
                            + ")) ON COMMIT DROP");
                }
                StringBuilder copy = new StringBuilder(rows.size() * (dim * 12 + 20));
                for (EmbeddingCsv.Row r : rows) {
                    copy.append(r.line()).append('\t').append(r.movieId()).append('\t')
                            .append(VectorLiteral.format(r.embedding())).append('\n');
                }
                c.unwrap(PGConnection.class).getCopyAPI()
                        .copyIn("COPY embedding_stage (line, movie_id, embedding) FROM STDIN",
                                new StringReader(copy.toString()));
                try (Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT s.line, s.movie_id FROM embedding_stage s "
                             + "WHERE NOT EXISTS (SELECT 1 FROM movies m WHERE m.movie_id = s.movie_id) "
                             + "ORDER BY s.line LIMIT 1")) {
                    if (rs.next()) {
                        throw new EmbeddingFileException(csv, rs.getLong(1), "movie " + rs.getInt(2)
                                + " is not in the movies table (run reelrank ingest first, "
                                + "or embed this database's movies)");
                    }
                }
                int updated;
                try (Statement st = c.createStatement()) {
                    updated = st.executeUpdate("UPDATE movies m SET embedding = s.embedding FROM embedding_stage s "
                            + "WHERE m.movie_id = s.movie_id");
                    io.reelrank.db.Changes.itemsChanged(st);
                }
                c.commit();
                boolean created = ensureIndex(c);
                try (Statement st = c.createStatement()) {
                    st.execute("ANALYZE movies");
                }
                c.commit();
                return new Result(updated, created, (System.nanoTime() - start) / 1_000_000);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + csv + " into the database", e);
        }
    }

    /** Creates the cosine HNSW index on movies.embedding if it is missing; returns whether it did. */
    public static boolean ensureIndex(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM pg_indexes WHERE tablename = 'movies' AND indexname = ?")) {
            ps.setString(1, INDEX);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) return false;
            }
        }
        try (Statement st = c.createStatement()) {
            st.execute("CREATE INDEX IF NOT EXISTS " + INDEX + " ON movies USING hnsw (embedding vector_cosine_ops)");
        }
        return true;
    }

    /** The declared dimension of a vector(n) column. */
    static int columnDimension(Connection c, String table, String column) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT a.atttypmod FROM pg_attribute a "
                + "WHERE a.attrelid = ?::regclass AND a.attname = ? AND NOT a.attisdropped")) {
            ps.setString(1, table);
            ps.setString(2, column);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getInt(1) < 1) {
                    throw new IllegalStateException(table + "." + column + " is not a vector(n) column");
                }
                return rs.getInt(1);
            }
        }
    }
}
