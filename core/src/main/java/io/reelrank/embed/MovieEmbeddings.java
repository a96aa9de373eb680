package io.reelrank.embed;

import io.reelrank.db.Database;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The item tower's pipeline stage: every movie's {@link MovieText} through an {@link Encoder} into an
 * embeddings CSV, resumably (movie_ids already in the file are skipped), then optionally into
 * pgvector with {@link EmbeddingLoader}. The caller owns and closes the encoder.
 */
public final class MovieEmbeddings {

    /** Movies are written after each chunk of this many, so an interrupted run loses at most one chunk. */
    static final int CHUNK = 2048;

    private MovieEmbeddings() {}

    /** Receives progress after each written chunk; called on the embedding thread. */
    public interface Listener {
        Listener NONE = (done, total, skipped, perSecond, etaSeconds) -> { };

        /**
         * {@code done} of {@code total} movies still to embed are written; {@code skipped} were in the file
         * already; {@code perSecond} is the rate so far and {@code etaSeconds} the time left at that rate.
         */
        void progress(int done, int total, int skipped, double perSecond, double etaSeconds);
    }

    /** What an embedding run did. */
    public record Result(int embedded, int skipped, long millis) {
        public double perSecond() {
            return millis == 0 ? 0 : embedded * 1000.0 / millis;
        }
    }

    /** Embeds every movie in the database that is not yet in {@code out}, appending to it. */
    public static Result embedAll(Database db, Encoder encoder, Path out, Listener listener) throws SQLException {
        List<MovieText.Movie> movies;
        try (Connection c = db.connect()) {
            movies = MovieText.loadAll(c);
        }
        if (movies.isEmpty()) {
            throw new IllegalStateException("the movies table is empty; run reelrank ingest first");
        }
        return embed(movies, encoder, out, listener);
    }

    /** Embeds the given movies that are not yet in {@code out}, appending to it. */
    public static Result embed(List<MovieText.Movie> movies, Encoder encoder, Path out, Listener listener) {
        Set<Integer> done = EmbeddingCsv.existingIds(out);
        List<MovieText.Movie> todo = new ArrayList<>();
        for (MovieText.Movie m : movies) if (!done.contains(m.movieId())) todo.add(m);
        int skipped = movies.size() - todo.size();
        long start = System.nanoTime();
        int written = 0;
        try (EmbeddingCsv.Writer w = EmbeddingCsv.append(out)) {
            for (int from = 0; from < todo.size(); from += CHUNK) {
                List<MovieText.Movie> chunk = todo.subList(from, Math.min(todo.size(), from + CHUNK));
                float[][] v = encoder.encode(chunk.stream().map(MovieText.Movie::text).toList());
                for (int i = 0; i < v.length; i++) w.write(chunk.get(i).movieId(), v[i]);
                w.flush();
                written += chunk.size();
                double secs = (System.nanoTime() - start) / 1e9;
                double rate = secs > 0 ? written / secs : 0;
                listener.progress(written, todo.size(), skipped, rate, rate > 0 ? (todo.size() - written) / rate : 0);
            }
        }
        return new Result(written, skipped, (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * For {@code demo}: when some movie lacks an embedding, embeds the missing ones into {@code csv}
     * (resuming it) and loads the file; returns false without opening the encoder when every movie
     * already has one.
     */
    public static boolean ensureLoaded(Database db, Path csv, Supplier<Encoder> encoders, Listener listener)
            throws SQLException {
        try (Connection c = db.connect()) {
            if (MovieVectors.missing(c) == 0) return false;
        }
        try (Encoder enc = encoders.get()) {
            embedAll(db, enc, csv, listener);
        }
        EmbeddingLoader.load(db, csv);
        return true;
    }
}
