package io.reelrank.index;

import io.reelrank.db.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.Bits;

/**
 * Builds the Lucene index of the movies and tells whether it still matches the database. A rebuild
 * replaces the whole index in one commit of one {@link IndexWriter} (delete all, add all, commit), so
 * a {@link MovieSearcher} open on the same directory, in this process or another, sees the old index
 * or the new one and never a mixture; the old files stay readable until its readers let go. Only one
 * writer may hold a directory: rebuilds in this process queue on a lock, a rebuild in another process
 * is waited for up to {@link #LOCK_WAIT_MS}. The methods are static and hold nothing open.
 */
public final class MovieIndex {

    /** How long a rebuild waits for another process's rebuild of the same directory to finish. */
    public static final long LOCK_WAIT_MS = 60_000;

    static final String META_MOVIES = "reelrank.movies";
    static final String META_ID_CHECKSUM = "reelrank.id_checksum";
    static final String META_TAGS = "reelrank.tags";
    static final String META_RATINGS = "reelrank.ratings";
    static final String META_BUILT_AT = "reelrank.built_at";

    private static final Map<Path, Object> LOCKS = new ConcurrentHashMap<>();

    private MovieIndex() {}

    /** What a rebuild wrote. {@code tags} counts tag rows, {@code ratings} sums the movies' rating_count. */
    public record Result(Path dir, int movies, long tags, long ratings, String idChecksum, long millis) {}

    /** The index directory of a reelrank home: {@code <home>/var/index}. */
    public static Path defaultDir(Path home) {
        return home.resolve("var").resolve("index");
    }

    /** True when {@code dir} holds a committed index. */
    public static boolean exists(Path dir) {
        if (!Files.isDirectory(dir)) return false;
        try (Directory d = FSDirectory.open(dir)) {
            return DirectoryReader.indexExists(d);
        } catch (IOException e) {
            return false;
        }
    }

    /** The number of movies in the committed index in {@code dir} (which must exist). */
    public static int size(Path dir) throws IOException {
        try (Directory d = FSDirectory.open(dir); DirectoryReader r = DirectoryReader.open(d)) {
            return r.numDocs();
        }
    }

    /** Rebuilds the index in {@code dir} from the {@code movies} and {@code tags} tables. */
    public static Result rebuild(Database db, Path dir) throws IOException, SQLException {
        return rebuild(db, dir, null);
    }

    /**
     * Rebuilds the index in {@code dir} from the {@code movies} and {@code tags} tables, read in one
     * snapshot; {@code progress}, if not null, receives the number of movies written so far every
     * 1,000 movies and at the end.
     */
    public static Result rebuild(Database db, Path dir, IntConsumer progress) throws IOException, SQLException {
        long start = System.nanoTime();
        try (MovieTable.Snapshot snap = MovieTable.open(db)) {
            Map<String, String> meta = new HashMap<>();
            meta.put(META_TAGS, Long.toString(snap.tagRows()));
            meta.put(META_RATINGS, Long.toString(snap.ratingSum()));
            Result r = write(dir, snap.movies(), meta, progress);
            return new Result(r.dir(), r.movies(), snap.tagRows(), snap.ratingSum(), r.idChecksum(),
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    /**
     * Replaces the index in {@code dir} with the given movies, atomically. For callers with their own
     * source of movies (and for tests); {@link #rebuild(Database, Path)} is the usual entry point.
     */
    public static Result write(Path dir, Iterator<MovieRecord> movies, IntConsumer progress) throws IOException {
        return write(dir, movies, Map.of(), progress);
    }

    static Result write(Path dir, Iterator<MovieRecord> movies, Map<String, String> extraMeta, IntConsumer progress)
            throws IOException {
        long start = System.nanoTime();
        Path abs = dir.toAbsolutePath().normalize();
        Files.createDirectories(abs);
        synchronized (LOCKS.computeIfAbsent(abs, k -> new Object())) {
            try (Directory d = FSDirectory.open(abs); IndexWriter w = openWriter(d, abs)) {
                w.deleteAll();
                int[] ids = new int[1024];
                int n = 0;
                long tags = 0, ratings = 0;
                while (movies.hasNext()) {
                    MovieRecord m = movies.next();
                    w.addDocument(MovieDocuments.toDocument(m));
                    if (n == ids.length) ids = Arrays.copyOf(ids, n * 2);
                    ids[n] = m.movieId();
                    tags += m.tags().size();
                    ratings += m.ratingCount();
                    if (++n % 1000 == 0 && progress != null) progress.accept(n);
                }
                String checksum = IdChecksum.ofUnsorted(Arrays.copyOf(ids, n));
                Map<String, String> meta = new HashMap<>();
                meta.put(META_TAGS, Long.toString(tags));
                meta.put(META_RATINGS, Long.toString(ratings));
                meta.putAll(extraMeta);
                meta.put(META_MOVIES, Integer.toString(n));
                meta.put(META_ID_CHECKSUM, checksum);
                meta.put(META_BUILT_AT, Instant.now().toString());
                w.setLiveCommitData(meta.entrySet());
                // One segment: the index is small, rebuilt whole, and searched far more than written.
                w.forceMerge(1);
                w.commit();
                if (progress != null) progress.accept(n);
                return new Result(abs, n, Long.parseLong(meta.get(META_TAGS)), Long.parseLong(meta.get(META_RATINGS)),
                        checksum, (System.nanoTime() - start) / 1_000_000);
            }
        }
    }

    private static IndexWriter openWriter(Directory d, Path dir) throws IOException {
        long deadline = System.currentTimeMillis() + LOCK_WAIT_MS;
        while (true) {
            IndexWriterConfig cfg = new IndexWriterConfig(Analyzers.PER_FIELD)
                    .setSimilarity(new BM25Similarity())
                    .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                    .setRAMBufferSizeMB(64);
            try {
                return new IndexWriter(d, cfg);
            } catch (LockObtainFailedException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException("another process has been rebuilding the index in " + dir + " for over "
                            + LOCK_WAIT_MS / 1000 + " s (lock " + dir.resolve(IndexWriter.WRITE_LOCK_NAME) + ")", e);
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for the index lock in " + dir, ie);
                }
            }
        }
    }

    /** What {@link #check} found: the index's and the table's figures, and which ones differ. */
    public record Check(boolean indexExists, int indexMovies, int tableMovies, String indexIdChecksum,
            String tableIdChecksum, long indexTags, long tableTags, long indexRatings, long tableRatings,
            String builtAt) {

        public boolean stale() {
            return !indexExists || indexMovies != tableMovies || !indexIdChecksum.equals(tableIdChecksum)
                    || indexTags != tableTags || indexRatings != tableRatings;
        }

        /** One line per figure, each marked "ok" or "differs", and a verdict. */
        public String describe() {
            if (!indexExists) return "no index yet: stale (run `reelrank index`)";
            StringBuilder b = new StringBuilder();
            b.append(line("movies", indexMovies, tableMovies));
            b.append(line("movie id checksum", indexIdChecksum, tableIdChecksum));
            b.append(line("tags", indexTags, tableTags));
            b.append(line("ratings (sum of rating_count)", indexRatings, tableRatings));
            b.append("built at ").append(builtAt).append('\n');
            b.append(stale() ? "stale: run `reelrank index` to rebuild" : "up to date");
            return b.toString();
        }

        private static String line(String what, Object index, Object table) {
            return String.format("%-30s index %-34s table %-34s %s%n", what, index, table,
                    index.equals(table) ? "ok" : "differs");
        }
    }

    /** Compares the committed index in {@code dir} with the tables (count and checksum of movie ids, tags, ratings). */
    public static Check check(Database db, Path dir) throws IOException, SQLException {
        MovieTable.Summary table = MovieTable.summary(db);
        if (!exists(dir)) {
            return new Check(false, 0, table.movies(), "", table.idChecksum(), 0, table.tagRows(), 0,
                    table.ratingSum(), "");
        }
        try (Directory d = FSDirectory.open(dir); DirectoryReader r = DirectoryReader.open(d)) {
            Map<String, String> meta = SegmentInfos.readLatestCommit(d).getUserData();
            return new Check(true, r.numDocs(), table.movies(), idChecksum(r), table.idChecksum(),
                    parseLong(meta.get(META_TAGS)), table.tagRows(), parseLong(meta.get(META_RATINGS)),
                    table.ratingSum(), meta.getOrDefault(META_BUILT_AT, "unknown"));
        }
    }

    private static long parseLong(String s) {
        return s == null ? -1 : Long.parseLong(s);
    }

    /** The checksum of the movie ids actually in the index (not the one recorded at build time). */
    static String idChecksum(DirectoryReader r) throws IOException {
        int[] ids = new int[r.numDocs()];
        int n = 0;
        for (LeafReaderContext leaf : r.leaves()) {
            NumericDocValues dv = leaf.reader().getNumericDocValues(Fields.MOVIE_ID);
            Bits live = leaf.reader().getLiveDocs();
            if (dv == null) continue;
            for (int doc = dv.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = dv.nextDoc()) {
                if (live == null || live.get(doc)) ids[n++] = (int) dv.longValue();
            }
        }
        return IdChecksum.ofUnsorted(Arrays.copyOf(ids, n));
    }
}
