package io.reelrank.embed;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The embeddings file between {@code reelrank embed} and {@code reelrank load-embeddings}: CSV with
 * the header {@code movie_id,embedding} and one row per movie, the embedding a quoted pgvector
 * literal ({@link VectorLiteral}), e.g. {@code 1,"[0.0123,-0.0456,...]"}, written by commons-csv
 * ({@link #FORMAT}). Floats read back bit for bit. A writer appends, so an interrupted run resumes:
 * {@link #existingIds} lists what is done and drops a half-written last line. The caller closes the
 * writer (every row is flushed on {@link Writer#flush}).
 */
public final class EmbeddingCsv {

    public static final String HEADER = "movie_id,embedding";

    /** RFC 4180 with {@code \n} line ends, fields quoted only when they must be (the literal's commas). */
    static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get();

    private EmbeddingCsv() {}

    /** One data row with its 1-based line number in the file (the header is line 1). */
    public record Row(long line, int movieId, float[] embedding) {}

    /**
     * The movie_ids already in {@code file} (empty if it does not exist). A last line without its
     * newline, left by an interrupted run, is cut off so appending continues on a clean line.
     */
    public static Set<Integer> existingIds(Path file) {
        Set<Integer> ids = new HashSet<>();
        if (!Files.exists(file)) return ids;
        dropPartialLastLine(file);
        read(file, row -> ids.add(row.movieId()), false);
        return ids;
    }

    /** Reads every row strictly; the first defect throws {@link EmbeddingFileException}. */
    public static void read(Path file, Consumer<Row> sink) {
        read(file, sink, true);
    }

    private static void read(Path file, Consumer<Row> sink, boolean parseVectors) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (header == null) return;
            if (header.startsWith("\uFEFF")) header = header.substring(1);
            if (!header.strip().equals(HEADER)) {
                throw new EmbeddingFileException(file, 1, "expected the header '" + HEADER + "', got '" + header + "'");
            }
            long line = 1;
            String s;
            while ((s = in.readLine()) != null) {
                line++;
                if (s.isBlank()) continue;
                int comma = s.indexOf(',');
                if (comma < 0) {
                    throw new EmbeddingFileException(file, line, "expected movie_id,embedding, got '" + cut(s) + "'");
                }
                int id;
                try {
                    id = Integer.parseInt(s.substring(0, comma).strip());
                } catch (NumberFormatException e) {
                    throw new EmbeddingFileException(file, line, "movie_id is not an integer: '"
                            + cut(s.substring(0, comma)) + "'");
                }
                float[] v = null;
                if (parseVectors) {
                    String lit = s.substring(comma + 1).strip();
                    if (lit.length() >= 2 && lit.startsWith("\"") && lit.endsWith("\"")) {
                        lit = lit.substring(1, lit.length() - 1);
                    }
                    try {
                        v = VectorLiteral.parse(lit);
                    } catch (IllegalArgumentException e) {
                        throw new EmbeddingFileException(file, line, "movie " + id + ": " + e.getMessage());
                    }
                }
                sink.accept(new Row(line, id, v));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Opens {@code file} for appending rows, writing the header first if the file is new or empty. */
    public static Writer append(Path file) {
        try {
            boolean fresh = !Files.exists(file) || Files.size(file) == 0;
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            CSVPrinter out = FORMAT.print(w);
            if (fresh) out.printRecord((Object[]) HEADER.split(","));
            return new Writer(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + " for writing", e);
        }
    }

    /** Appends rows; not thread-safe. */
    public static final class Writer implements AutoCloseable {
        private final CSVPrinter out;

        private Writer(CSVPrinter out) {
            this.out = out;
        }

        public void write(int movieId, float[] embedding) {
            try {
                out.printRecord(movieId, VectorLiteral.format(embedding));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write an embedding", e);
            }
        }

        public void flush() {
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot flush the embeddings file", e);
            }
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close the embeddings file", e);
            }
        }
    }

    private static void dropPartialLastLine(Path file) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long len = raf.length();
            if (len == 0) return;
            raf.seek(len - 1);
            if (raf.read() == '\n') return;
            long pos = len - 1;
            while (pos > 0) {
                raf.seek(pos - 1);
                if (raf.read() == '\n') break;
                pos--;
            }
            raf.setLength(pos);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot repair the end of " + file, e);
        }
    }

    private static String cut(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
