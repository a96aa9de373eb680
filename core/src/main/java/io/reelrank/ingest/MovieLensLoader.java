package io.reelrank.ingest;

import io.reelrank.db.BinaryCopy;
import io.reelrank.db.Changes;
import io.reelrank.db.Database;
import io.reelrank.db.Locks;
import io.reelrank.db.MovieStats;
import io.reelrank.db.RatingSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Loads a MovieLens directory ({@code movies.csv}, {@code links.csv}, {@code ratings.csv},
 * {@code tags.csv}; ml-latest-small, ml-25m and ml-32m share the layout) into PostgreSQL in ONE
 * transaction: movies and links through staging tables merged into {@code movies} (so embeddings of
 * movies that stay survive a reload), the MovieLens ratings and the tags replaced and streamed in with
 * binary COPY, their indexes and foreign keys rebuilt after the rows are in, then {@code users},
 * {@code movie_stats} and the movies' rating columns brought in line. A reload keeps live data: the
 * ratings that did not come from MovieLens ({@code ratings.source}: API, rate, test users) are carried
 * over, and the load is refused ({@link ReloadRefusedException}) rather than lose them (their movie
 * left the catalog), merge a real user into a test user, or empty the catalog or the ratings from a
 * file without rows. It takes its table locks up front in {@link Locks}' order and tells running
 * servers through {@link Changes#reloaded}. Any bad row or failure rolls
 * the whole load back, so the database keeps its previous content. Every row is validated here
 * first, so an error names file, line and column rather than a server-side constraint.
 * A load of files identical (name, size, modification time) to the last one is skipped unless forced.
 */
public final class MovieLensLoader {

    /**
     * How a load runs: rows per COPY write, whether bad rows are skipped, whether identical files are
     * loaded again, whether a movies.csv or ratings.csv without rows may replace the data
     * ({@code allowEmpty}), whether live ratings of movies the new files drop are deleted
     * ({@code dropOrphanedRatings}) instead of refusing the load, and how long the load waits for
     * the tables (ms; a rating being written, another batch job).
     */
    public record Options(int batchSize, boolean skipBadRows, boolean force, boolean allowEmpty,
                          boolean dropOrphanedRatings, long lockTimeoutMs) {
        public static final int DEFAULT_BATCH_SIZE = 10_000;
        public static final long DEFAULT_LOCK_TIMEOUT_MS = 60_000;

        public Options {
            if (batchSize < 1 || batchSize > 1_000_000) {
                throw new IllegalArgumentException("--batch-size must be in 1-1000000, got " + batchSize);
            }
            if (lockTimeoutMs < 1 || lockTimeoutMs > 3_600_000) {
                throw new IllegalArgumentException("lock timeout must be in 1-3600000 ms, got " + lockTimeoutMs);
            }
        }

        public Options(int batchSize, boolean skipBadRows, boolean force) {
            this(batchSize, skipBadRows, force, false, false, DEFAULT_LOCK_TIMEOUT_MS);
        }

        public static Options defaults() {
            return new Options(DEFAULT_BATCH_SIZE, false, false);
        }
    }

    /**
     * What a load did. {@code skipped} is true when the same files were already loaded;
     * {@code keptRatings} counts the live ratings (API, rate, test users) carried over,
     * {@code droppedRatings} those deleted because their movie left ({@code dropOrphanedRatings}),
     * {@code replacedByLive} the MovieLens ratings that gave way to a live rating of the same user and
     * movie, {@code staleUsers} the users whose vector the load cleared (recompute with {@code users}).
     */
    public record Report(boolean skipped, int movies, int links, long ratings, long tags, int users,
                         long badRows, List<String> firstBadRows, double seconds, double ratingsSeconds,
                         long keptRatings, long droppedRatings, long replacedByLive, int staleUsers) {}

    /** A reload that would lose or corrupt live data, refused; the database is unchanged. */
    public static final class ReloadRefusedException extends IllegalArgumentException {
        ReloadRefusedException(String message) {
            super(message);
        }
    }

    /** Progress callbacks; called from the loading thread. */
    public interface Listener {
        Listener NONE = new Listener() {};

        default void rows(String file, long rows) {}

        default void fileDone(String file, long rows, double seconds) {}

        default void step(String what) {}
    }

    static final String[] MOVIES_HEADER = {"movieId", "title", "genres"};
    static final String[] LINKS_HEADER = {"movieId", "imdbId", "tmdbId"};
    static final String[] RATINGS_HEADER = {"userId", "movieId", "rating", "timestamp"};
    static final String[] TAGS_HEADER = {"userId", "movieId", "tag", "timestamp"};
    private static final String NO_GENRES = "(no genres listed)";

    private final Database db;
    private final Options options;
    private final Listener listener;
    private final List<String> firstBad = new ArrayList<>();
    private long badRows;

    private MovieLensLoader(Database db, Options options, Listener listener) {
        this.db = db;
        this.options = options;
        this.listener = listener;
    }

    /**
     * Loads {@code dir}. Throws {@link BadInputException} for a bad row (unless skipping them), and
     * {@link IllegalArgumentException} for a missing file; the database is then unchanged.
     */
    public static Report load(Database db, Path dir, Options options, Listener listener) throws SQLException {
        return new MovieLensLoader(db, options, listener).run(dir);
    }

    private Report run(Path dir) throws SQLException {
        Path movies = require(dir, "movies.csv");
        Path links = require(dir, "links.csv");
        Path ratings = require(dir, "ratings.csv");
        Path tags = require(dir, "tags.csv");
        String fingerprint = fingerprint(movies, links, ratings, tags);
        long t0 = System.nanoTime();
        try (Connection c = db.connect()) {
            if (!options.force()) {
                Report previous = previousLoad(c, dir, fingerprint);
                if (previous != null) return previous;
            }
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
                st.execute("SET LOCAL maintenance_work_mem = '512MB'");
                st.execute("CREATE TEMP TABLE stage_movies (movie_id int, title text, year int, "
                        + "genres text) ON COMMIT DROP");
                st.execute("CREATE TEMP TABLE stage_links (movie_id int, imdb_id text, tmdb_id int) ON COMMIT DROP");
                BitSet movieIds = new BitSet();
                int movieCount = (int) loadMovies(copy, movies, movieIds);
                if (movieCount == 0 && !options.allowEmpty()) {
                    throw new ReloadRefusedException(movies.getFileName() + " has no movies (" + (badRows > 0
                            ? badRows + " bad rows skipped" : "only its header") + "); refusing to empty the catalog "
                            + "(--allow-empty loads it anyway)");
                }
                int linkCount = (int) loadLinks(copy, links, movieIds);

                // Every lock the reload needs, up front and in the one order all writers use, so a rating
                // written meanwhile waits for the reload (or times out with "busy"), never deadlocks with it.
                listener.step("waiting for the tables (rating writes finish first)");
                Locks.forReload(st, options.lockTimeoutMs());
                keepLiveRatings(st);

                listener.step("replacing movies, ratings and tags");
                // Ratings and tags go first so the movie merge does not cascade over them row by row.
                st.execute("TRUNCATE ratings, tags");
                st.execute("INSERT INTO movies AS m (movie_id, title, year, imdb_id, tmdb_id, genres) "
                        + "SELECT s.movie_id, s.title, s.year, l.imdb_id, l.tmdb_id, "
                        + "       CASE WHEN s.genres = '' THEN '{}'::text[] ELSE string_to_array(s.genres, '|') END "
                        + "FROM stage_movies s LEFT JOIN stage_links l ON l.movie_id = s.movie_id "
                        + "ON CONFLICT (movie_id) DO UPDATE SET title = EXCLUDED.title, year = EXCLUDED.year, "
                        + "  imdb_id = EXCLUDED.imdb_id, tmdb_id = EXCLUDED.tmdb_id, genres = EXCLUDED.genres "
                        + "WHERE (m.title, m.year, m.imdb_id, m.tmdb_id, m.genres) IS DISTINCT FROM "
                        + "      (EXCLUDED.title, EXCLUDED.year, EXCLUDED.imdb_id, EXCLUDED.tmdb_id, EXCLUDED.genres)");
                st.execute("DELETE FROM movies m "
                        + "WHERE NOT EXISTS (SELECT 1 FROM stage_movies s WHERE s.movie_id = m.movie_id)");

                // Bulk load without indexes or foreign keys, then build them once: far cheaper than
                // maintaining them row by row. All of it is inside the transaction.
                st.execute("ALTER TABLE ratings DROP CONSTRAINT IF EXISTS ratings_pkey, "
                        + "DROP CONSTRAINT IF EXISTS ratings_movie_id_fkey");
                st.execute("DROP INDEX IF EXISTS ratings_movie_idx");
                st.execute("ALTER TABLE tags DROP CONSTRAINT IF EXISTS tags_movie_id_fkey");
                st.execute("DROP INDEX IF EXISTS tags_movie_idx, tags_user_idx");
                long tr = System.nanoTime();
                long ratingCount = loadRatings(copy, ratings, movieIds);
                double ratingsSeconds = (System.nanoTime() - tr) / 1e9;
                if (ratingCount == 0 && !options.allowEmpty()) {
                    throw new ReloadRefusedException(ratings.getFileName() + " has no ratings (" + (badRows > 0
                            ? badRows + " bad rows skipped" : "only its header") + "); refusing to replace the "
                            + "MovieLens ratings with none (--allow-empty loads it anyway)");
                }
                refuseTestUserIds(st);
                long replacedByLive = restoreLiveRatings(st);
                long tagCount = loadTags(copy, tags, movieIds);
                // Every row has been read: a bad row is reported before this refusal.
                long[] kept = refuseOrDropOrphans(st);

                listener.step("building indexes and foreign keys");
                st.execute("ALTER TABLE ratings ADD CONSTRAINT ratings_pkey PRIMARY KEY (user_id, movie_id)");
                st.execute("CREATE INDEX ratings_movie_idx ON ratings (movie_id)");
                st.execute("ALTER TABLE ratings ADD CONSTRAINT ratings_movie_id_fkey FOREIGN KEY (movie_id) "
                        + "REFERENCES movies (movie_id) ON DELETE CASCADE");
                st.execute("CREATE INDEX tags_movie_idx ON tags (movie_id)");
                st.execute("CREATE INDEX tags_user_idx ON tags (user_id)");
                st.execute("ALTER TABLE tags ADD CONSTRAINT tags_movie_id_fkey FOREIGN KEY (movie_id) "
                        + "REFERENCES movies (movie_id) ON DELETE CASCADE");

                // Fresh statistics, or the planner treats the just-truncated tables as empty and the
                // joins below run as nested loops over millions of rows.
                st.execute("ANALYZE ratings");
                st.execute("ANALYZE tags");
                listener.step("updating users and movie_stats");
                st.execute(
                        "DELETE FROM users u WHERE NOT EXISTS (SELECT 1 FROM ratings r WHERE r.user_id = u.user_id)");
                st.execute("INSERT INTO users (user_id) SELECT DISTINCT user_id FROM ratings ON CONFLICT DO NOTHING");
                // A vector computed from the replaced ratings no longer matches them: cleared, so such a
                // user is cold (plain BM25) until `reelrank users` (ingest runs it next). Users whose
                // ratings are all live (test users, API-only users) keep theirs.
                int staleUsers = st.executeUpdate("UPDATE users u SET embedding = NULL, updated_at = now() "
                        + "WHERE u.embedding IS NOT NULL AND (EXISTS (SELECT 1 FROM ratings r "
                        + "WHERE r.user_id = u.user_id AND r.source = 'movielens') "
                        + "OR NOT EXISTS (SELECT 1 FROM keep_ratings k WHERE k.user_id = u.user_id))");
                // The same users' collaborative vectors (in every model version): fold-in recomputes them
                // against the active model (ingest runs it next); the model's movie vectors stay until
                // the next training.
                st.executeUpdate("DELETE FROM user_factors f WHERE EXISTS (SELECT 1 FROM ratings r "
                        + "WHERE r.user_id = f.user_id AND r.source = 'movielens') "
                        + "OR NOT EXISTS (SELECT 1 FROM keep_ratings k WHERE k.user_id = f.user_id)");
                MovieStats.refresh(st);
                int users = count(st, "SELECT count(*) FROM users");
                try (var ps = c.prepareStatement("INSERT INTO ingest_runs (data_dir, fingerprint, movies, ratings, "
                        + "tags, links, skipped) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, dir.toAbsolutePath().normalize().toString());
                    ps.setString(2, fingerprint);
                    ps.setInt(3, movieCount);
                    ps.setLong(4, ratingCount);
                    ps.setLong(5, tagCount);
                    ps.setInt(6, linkCount);
                    ps.setLong(7, badRows);
                    ps.executeUpdate();
                }
                Changes.reloaded(st);
                c.commit();
                return new Report(false, movieCount, linkCount, ratingCount, tagCount, users, badRows,
                        List.copyOf(firstBad), (System.nanoTime() - t0) / 1e9, ratingsSeconds, kept[0], kept[1],
                        replacedByLive, staleUsers);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Sets aside the ratings that did not come from MovieLens (API, rate, test users) in {@code keep_ratings}. */
    private static void keepLiveRatings(Statement st) throws SQLException {
        st.execute("CREATE TEMP TABLE keep_ratings ON COMMIT DROP "
                + "AS SELECT user_id, movie_id, rating, rated_at, source "
                + "FROM ratings WHERE source <> '" + RatingSource.MOVIELENS.value() + "'");
    }

    /**
     * Live ratings of movies the new movies.csv drops make the load refuse, naming them, unless
     * {@code dropOrphanedRatings}, which deletes them (they were never put back). Returns {kept, dropped}.
     */
    private long[] refuseOrDropOrphans(Statement st) throws SQLException {
        List<String> orphans = new ArrayList<>();
        long orphanCount = 0;
        try (ResultSet rs = st.executeQuery(
                "SELECT k.user_id, k.movie_id, k.source, count(*) OVER () FROM keep_ratings k "
                + "WHERE NOT EXISTS (SELECT 1 FROM stage_movies s WHERE s.movie_id = k.movie_id) "
                + "ORDER BY k.user_id, k.movie_id LIMIT 5")) {
            while (rs.next()) {
                orphans.add("user " + rs.getInt(1) + " movie " + rs.getInt(2) + " (" + rs.getString(3) + ")");
                orphanCount = rs.getLong(4);
            }
        }
        if (orphanCount > 0 && !options.dropOrphanedRatings()) {
            throw new ReloadRefusedException("the new movies.csv drops movies that " + orphanCount
                    + " ratings not from MovieLens refer to: " + String.join(", ", orphans)
                    + (orphanCount > orphans.size() ? ", …" : "")
                    + "; keep those movies, or pass --drop-orphaned-ratings to delete these ratings");
        }
        return new long[] {count(st, "SELECT count(*) FROM keep_ratings") - orphanCount, orphanCount};
    }

    /** MovieLens ratings by a test user's id would merge a real person into a synthetic one: refused. */
    private static void refuseTestUserIds(Statement st) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT DISTINCT r.user_id FROM ratings r JOIN test_users t "
                + "ON t.user_id = r.user_id ORDER BY 1 LIMIT 5")) {
            while (rs.next()) ids.add(rs.getInt(1));
        }
        if (!ids.isEmpty()) {
            throw new ReloadRefusedException("ratings.csv has ratings by user(s) " + ids + ", which are test users "
                    + "(test_users); run `reelrank test-users --remove` first, or load files without these ids");
        }
    }

    /**
     * Puts the live ratings back beside the new MovieLens ones; where both rate the same (user,
     * movie), the live rating wins. Returns how many MovieLens rows gave way.
     */
    private static long restoreLiveRatings(Statement st) throws SQLException {
        long replaced = st.executeUpdate("DELETE FROM ratings r USING keep_ratings k "
                + "WHERE r.user_id = k.user_id AND r.movie_id = k.movie_id");
        st.execute("INSERT INTO ratings (user_id, movie_id, rating, rated_at, source) "
                + "SELECT k.user_id, k.movie_id, k.rating, k.rated_at, k.source FROM keep_ratings k "
                + "WHERE EXISTS (SELECT 1 FROM stage_movies s WHERE s.movie_id = k.movie_id)");
        return replaced;
    }

    private Report previousLoad(Connection c, Path dir, String fingerprint) throws SQLException {
        try (var ps = c.prepareStatement("SELECT movies, links, ratings, tags, skipped FROM ingest_runs "
                + "WHERE run_id = (SELECT max(run_id) FROM ingest_runs) AND fingerprint = ? "
                + "AND movies = (SELECT count(*) FROM movies)")) {
            ps.setString(1, fingerprint);
            ResultSet rs = ps.executeQuery();
            if (!rs.next()) return null;
            int users;
            try (Statement st = c.createStatement()) {
                users = count(st, "SELECT count(*) FROM users");
            }
            return new Report(true, rs.getInt(1), rs.getInt(2), rs.getLong(3), rs.getLong(4), users, rs.getLong(5),
                    List.of(), 0, 0, 0, 0, 0, 0);
        }
    }

    // ---- movies.csv / links.csv / tags.csv: quoted CSV (titles and tags hold commas and quotes)

    private long loadMovies(CopyManager copy, Path file, BitSet movieIds) throws SQLException {
        BinaryCopy out = new BinaryCopy(copy, "COPY stage_movies FROM STDIN (FORMAT binary)", options.batchSize());
        return readCsv(file, MOVIES_HEADER, out, (rec, line) -> {
            int id = positiveInt(file, line, rec, 0);
            if (movieIds.get(id)) throw bad(file, line, 1, "duplicate movieId " + id);
            String rawTitle = rec.get(1);
            if (rawTitle.isBlank()) throw bad(file, line, 2, "empty title");
            Titles.Parsed t = Titles.parse(rawTitle);
            String genres = rec.get(2).strip();
            if (genres.equals(NO_GENRES)) genres = "";
            out.startRow(4);
            out.int4(id);
            out.text(t.title());
            out.int4OrNull(t.year());
            out.text(genres);
            movieIds.set(id);
        });
    }

    private long loadLinks(CopyManager copy, Path file, BitSet movieIds) throws SQLException {
        BinaryCopy out = new BinaryCopy(copy, "COPY stage_links FROM STDIN (FORMAT binary)", options.batchSize());
        BitSet seen = new BitSet();
        return readCsv(file, LINKS_HEADER, out, (rec, line) -> {
            int id = positiveInt(file, line, rec, 0);
            if (!movieIds.get(id)) throw bad(file, line, 1, "movieId " + id + " is not in movies.csv");
            if (seen.get(id)) throw bad(file, line, 1, "duplicate movieId " + id);
            String imdb = rec.get(1).strip();
            if (!imdb.isEmpty() && !imdb.chars().allMatch(Character::isDigit)) {
                throw bad(file, line, 2, "imdbId must be digits, got '" + imdb + "'");
            }
            String tmdb = rec.get(2).strip();
            Integer tmdbId = tmdb.isEmpty() ? null : positiveInt(file, line, rec, 2);
            out.startRow(3);
            out.int4(id);
            // Kept as text: IMDb ids are zero-padded ("0114709") and the padding is part of the id.
            out.text(imdb.isEmpty() ? null : imdb);
            out.int4OrNull(tmdbId);
            seen.set(id);
        });
    }

    private long loadTags(CopyManager copy, Path file, BitSet movieIds) throws SQLException {
        BinaryCopy out = new BinaryCopy(copy,
                "COPY tags (user_id, movie_id, tag, tagged_at) FROM STDIN (FORMAT binary)",
                options.batchSize());
        return readCsv(file, TAGS_HEADER, out, (rec, line) -> {
            int user = positiveInt(file, line, rec, 0);
            int movie = positiveInt(file, line, rec, 1);
            if (!movieIds.get(movie)) throw bad(file, line, 2, "movieId " + movie + " is not in movies.csv");
            String tag = rec.get(2).strip();
            if (tag.isEmpty()) throw bad(file, line, 3, "empty tag");
            long ts = epochSeconds(file, line, rec.get(3), 4);
            out.startRow(4);
            out.int4(user);
            out.int4(movie);
            out.text(tag);
            out.timestampFromEpochSeconds(ts);
        });
    }

    @FunctionalInterface
    private interface RowHandler {
        void row(CSVRecord rec, long line) throws SQLException;
    }

    private long readCsv(Path file, String[] header, BinaryCopy out, RowHandler handler) throws SQLException {
        String name = file.getFileName().toString();
        return copyFile(file, header, out, () -> {
            try (Reader r = strictUtf8(file); CSVParser p = CSVFormat.DEFAULT.parse(r)) {
                Iterator<CSVRecord> it = p.iterator();
                long line = 1;
                boolean first = true;
                while (true) {
                    CSVRecord rec;
                    try {
                        if (!it.hasNext()) break;
                        rec = it.next();
                    } catch (UncheckedIOException e) {
                        throw unreadable(file, p.getCurrentLineNumber() + 1, e.getCause());
                    } catch (IllegalStateException e) {
                        throw bad(file, p.getCurrentLineNumber() + 1, 0, "malformed CSV: " + e.getMessage());
                    }
                    if (first) {
                        checkHeader(file, header, rec);
                        first = false;
                    } else {
                        try {
                            if (rec.size() != header.length) {
                                throw bad(file, line, 0, "expected " + header.length + " columns ("
                                        + String.join(",", header) + "), got " + rec.size());
                            }
                            handler.row(rec, line);
                            out.endRow();
                            if (out.rows() % 100_000 == 0) listener.rows(name, out.rows());
                        } catch (BadInputException e) {
                            skipOrThrow(e);
                        }
                    }
                    line = p.getCurrentLineNumber() + 1;
                }
                return !first;
            }
        });
    }

    /** Reads one file into its COPY; false when the file had not even a header line. */
    private interface CopyBody {
        boolean read() throws IOException, SQLException;
    }

    /**
     * Runs {@code body}, then ends the file's COPY and reports its rows; an empty file is an error
     * naming the expected header, and any failure cancels the COPY before it propagates.
     */
    private long copyFile(Path file, String[] header, BinaryCopy out, CopyBody body) throws SQLException {
        long t0 = System.nanoTime();
        try {
            if (!body.read()) throw bad(file, 1, 0, "empty file; expected the header " + String.join(",", header));
            long n = out.finish();
            listener.fileDone(file.getFileName().toString(), n, (System.nanoTime() - t0) / 1e9);
            return n;
        } catch (IOException e) {
            out.cancel();
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (RuntimeException | SQLException e) {
            out.cancel();
            throw e;
        }
    }

    // ---- ratings.csv: plain digits and commas, millions of lines, parsed without a CSV library

    private long loadRatings(CopyManager copy, Path file, BitSet movieIds) throws SQLException {
        String name = file.getFileName().toString();
        BinaryCopy out = new BinaryCopy(copy,
                "COPY ratings (user_id, movie_id, rating, rated_at) FROM STDIN (FORMAT binary)",
                options.batchSize());
        byte[][] numerics = BinaryCopy.halfStarNumerics();
        LongHashSet pairs = new LongHashSet(1 << 17);
        return copyFile(file, RATINGS_HEADER, out, () -> {
            long line = 0;
            try (BufferedReader r = strictUtf8(file)) {
                String s;
                int[] comma = new int[3];
                while (true) {
                    try {
                        s = r.readLine();
                    } catch (CharacterCodingException e) {
                        throw unreadable(file, line + 1, e);
                    }
                    if (s == null) break;
                    line++;
                    if (line == 1) {
                        checkHeader(file, RATINGS_HEADER, List.of(s.split(",", -1)));
                        continue;
                    }
                    try {
                        int n = 0;
                        for (int i = 0; i < s.length(); i++) {
                            if (s.charAt(i) == ',') {
                                if (n == 3) { n++; break; }
                                comma[n++] = i;
                            }
                        }
                        if (n != 3) {
                            throw bad(file, line, 0, "expected 4 columns (userId,movieId,rating,timestamp), got "
                                    + (s.isEmpty() ? 0 : s.split(",", -1).length));
                        }
                        int user = parsePositiveInt(file, line, 1, "userId", s, 0, comma[0]);
                        int movie = parsePositiveInt(file, line, 2, "movieId", s, comma[0] + 1, comma[1]);
                        if (!movieIds.get(movie)) {
                            throw bad(file, line, 2, "movieId " + movie + " is not in movies.csv");
                        }
                        int halves = halfStars(file, line, s.substring(comma[1] + 1, comma[2]));
                        long ts = epochSeconds(file, line, s.substring(comma[2] + 1), 4);
                        if (!pairs.add(((long) user << 32) | movie)) {
                            throw bad(file, line, 0, "duplicate rating of movie " + movie + " by user " + user);
                        }
                        out.startRow(4);
                        out.int4(user);
                        out.int4(movie);
                        out.raw(numerics[halves]);
                        out.timestampFromEpochSeconds(ts);
                        out.endRow();
                        if (out.rows() % 100_000 == 0) listener.rows(name, out.rows());
                    } catch (BadInputException e) {
                        skipOrThrow(e);
                    }
                }
                return line > 0;
            }
        });
    }

    // ---- validation helpers

    private void skipOrThrow(BadInputException e) {
        if (!options.skipBadRows()) throw e;
        badRows++;
        if (firstBad.size() < 5) firstBad.add(e.getMessage());
    }

    private static void checkHeader(Path file, String[] expected, Iterable<String> actual) {
        List<String> got = new ArrayList<>();
        actual.forEach(h -> got.add(h.strip().replace("\uFEFF", "")));
        if (!got.equals(List.of(expected))) {
            throw bad(file, 1, 0, "expected the header " + String.join(",", expected) + ", got "
                    + String.join(",", got));
        }
    }

    private static int positiveInt(Path file, long line, CSVRecord rec, int index) {
        String v = rec.get(index).strip();
        return parsePositiveInt(file, line, index + 1, headerName(file, index), v, 0, v.length());
    }

    private static String headerName(Path file, int index) {
        String f = file.getFileName().toString();
        String[] h = f.startsWith("movies") ? MOVIES_HEADER : f.startsWith("links") ? LINKS_HEADER
                : f.startsWith("tags") ? TAGS_HEADER : RATINGS_HEADER;
        return index < h.length ? h[index] : null;
    }

    private static int parsePositiveInt(Path file, long line, int column, String columnName, String s,
            int from, int to) {
        if (from >= to) {
            throw new BadInputException(file, line, column, columnName, "empty value, expected a positive integer");
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9' || v > Integer.MAX_VALUE) {
                throw new BadInputException(file, line, column, columnName,
                        "expected a positive integer, got '" + s.substring(from, to) + "'");
            }
            v = v * 10 + (ch - '0');
        }
        if (v < 1 || v > Integer.MAX_VALUE) {
            throw new BadInputException(file, line, column, columnName,
                    "expected a positive integer, got '" + s.substring(from, to) + "'");
        }
        return (int) v;
    }

    /** The rating as a count of half stars, 1 (0.5) to 10 (5.0). */
    private static int halfStars(Path file, long line, String v) {
        double r;
        try {
            r = Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new BadInputException(file, line, 3, "rating", "expected a number, got '" + v + "'");
        }
        double h = r * 2;
        if (!(r >= 0.5 && r <= 5.0) || h != Math.rint(h)) {
            throw new BadInputException(file, line, 3, "rating", "rating must be 0.5-5.0 in steps of 0.5, got " + v);
        }
        return (int) h;
    }

    private static long epochSeconds(Path file, long line, String v, int column) {
        try {
            long ts = Long.parseLong(v.strip());
            if (ts < 0 || ts > 32_503_680_000L) throw new NumberFormatException();
            return ts;
        } catch (NumberFormatException e) {
            throw new BadInputException(file, line, column, "timestamp",
                    "expected Unix seconds (0 to 32503680000), got '" + v + "'");
        }
    }

    private static BadInputException bad(Path file, long line, int column, String reason) {
        return new BadInputException(file, line, column, column > 0 ? headerName(file, column - 1) : null, reason);
    }

    private static BadInputException unreadable(Path file, long line, Throwable cause) {
        if (cause instanceof CharacterCodingException) {
            // The decoder reads ahead in blocks, so find the exact place on this error path only.
            long[] at = firstInvalidUtf8(file);
            return new BadInputException(file, at[0], 0, null, "invalid UTF-8 at byte " + at[1] + " of the line");
        }
        return new BadInputException(file, line, 0, null, "unreadable: " + (cause != null ? cause.getMessage() : "?"));
    }

    /** Line (1-based) and byte offset in that line (1-based) of the first malformed UTF-8 sequence. */
    static long[] firstInvalidUtf8(Path file) {
        var decoder = StandardCharsets.UTF_8.newDecoder();
        try (var in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            var line = new java.io.ByteArrayOutputStream();
            java.nio.CharBuffer chars = java.nio.CharBuffer.allocate(1 << 16);
            long number = 1;
            for (int b = in.read(); ; b = in.read()) {
                if (b != '\n' && b != -1) {
                    line.write(b);
                    continue;
                }
                byte[] bytes = line.toByteArray();
                if (chars.capacity() < bytes.length) chars = java.nio.CharBuffer.allocate(bytes.length);
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
                decoder.reset();
                chars.clear();
                var result = decoder.decode(buf, chars, true);
                if (result.isError()) return new long[] {number, buf.position() + 1};
                if (b == -1) return new long[] {number, 0};
                number++;
                line.reset();
            }
        } catch (IOException e) {
            return new long[] {0, 0};
        }
    }

    private static BufferedReader strictUtf8(Path file) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        return new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder), 1 << 16);
    }

    private static Path require(Path dir, String name) {
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("missing file: " + p + (Files.isDirectory(dir) ? ""
                    : " (directory " + dir + " does not exist)"));
        }
        return p;
    }

    private static String fingerprint(Path... files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path f : files) {
                md.update((f.toAbsolutePath().normalize() + "|" + Files.size(f) + "|"
                        + Files.getLastModifiedTime(f).toMillis() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("missing file: " + e.getFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int count(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
