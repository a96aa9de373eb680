package io.reelrank.index;

import io.reelrank.db.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;
import org.apache.lucene.document.IntPoint;
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
import org.apache.lucene.store.NRTCachingDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.NumericUtils;

/**
 * Builds the Lucene index of the movies and keeps it in step with the database. A rebuild replaces
 * the whole index in one commit of one {@link IndexWriter} (delete all, add all, commit); an update
 * replaces a few movies in one commit the same way. Either way a {@link MovieSearcher} open on the
 * directory, in this process or another, sees the index before the commit or after it, never a
 * mixture; old files stay readable until its readers let go. Only one writer may hold a directory:
 * writers in this process queue on a lock, one in another process is waited for up to
 * {@link #LOCK_WAIT_MS}. The methods are static and hold nothing open.
 */
public final class MovieIndex {

    /** How long a writer waits for another process's writer of the same directory to finish. */
    public static final long LOCK_WAIT_MS = 60_000;

    static final String META_BUILT_AT = "reelrank.built_at";
    static final String META_UPDATED_AT = "reelrank.updated_at";

    private static final Map<Path, Object> LOCKS = new ConcurrentHashMap<>();

    private MovieIndex() {}

    /** What a rebuild wrote. {@code tags} counts tag rows, {@code ratings} sums the movies' rating_count. */
    public record Result(Path dir, int movies, long tags, long ratings, String idChecksum, long millis) {}

    /** What an update did: movies re-read and replaced, movies no longer in the table and removed. */
    public record Update(int replaced, int removed, long millis) {}

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
            Result r = write(dir, snap.movies(), progress);
            return new Result(r.dir(), r.movies(), r.tags(), r.ratings(), r.idChecksum(),
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    /**
     * Replaces the index in {@code dir} with the given movies, atomically. For callers with their own
     * source of movies (and for tests); {@link #rebuild(Database, Path)} is the usual entry point.
     */
    public static Result write(Path dir, java.util.Iterator<MovieRecord> movies, IntConsumer progress)
            throws IOException {
        long start = System.nanoTime();
        Path abs = dir.toAbsolutePath().normalize();
        Files.createDirectories(abs);
        synchronized (lock(abs)) {
            closeLive(abs);
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
                String now = Instant.now().toString();
                w.setLiveCommitData(Map.of(META_BUILT_AT, now, META_UPDATED_AT, now).entrySet());
                // One segment: the index is small, rebuilt whole, and searched far more than written.
                w.forceMerge(1);
                w.commit();
                if (progress != null) progress.accept(n);
                return new Result(abs, n, tags, ratings, checksum, (System.nanoTime() - start) / 1_000_000);
            }
        }
    }

    /**
     * Re-reads {@code movieIds} from the tables and replaces them in the index in {@code dir}, in one
     * commit: a movie no longer in the table leaves the index, a new one enters it. For changes to a
     * few movies (a rating changes a movie's avg_rating and rating_count); after a load, rebuild.
     * Builds the whole index if {@code dir} has none.
     */
    public static Update update(Database db, Path dir, Collection<Integer> movieIds) throws IOException, SQLException {
        long start = System.nanoTime();
        Path abs = dir.toAbsolutePath().normalize();
        if (!exists(abs)) {
            Result r = rebuild(db, abs);
            return new Update(r.movies(), 0, (System.nanoTime() - start) / 1_000_000);
        }
        int[] ids = movieIds.stream().mapToInt(Integer::intValue).distinct().toArray();
        if (ids.length == 0) return new Update(0, 0, 0);
        List<MovieRecord> rows = MovieTable.read(db, ids);
        synchronized (lock(abs)) {
            closeLive(abs);
            try (Directory d = FSDirectory.open(abs); IndexWriter w = openWriter(d, abs)) {
                replace(w, ids, rows);
                commitUpdated(d, w);
            }
        }
        return new Update(rows.size(), ids.length - rows.size(), (System.nanoTime() - start) / 1_000_000);
    }

    private static final Map<Path, Live> LIVE = new ConcurrentHashMap<>();

    /** Commits and closes the live writer of {@code abs} in this process, if any (under its lock). */
    private static void closeLive(Path abs) throws IOException {
        Live l = LIVE.get(abs);
        if (l != null) l.close();
    }

    /**
     * Opens a writer on the index in {@code dir} (which must exist) and keeps it open between updates:
     * {@link Live#update} replaces movies in it without a commit, a reader opened from
     * {@link Live#writer} (near-real-time) sees them at once, {@link Live#commit} makes them durable. One
     * per directory in a process: opening another, or {@link #update} or {@link #write} of this directory
     * in this process, first commits and closes it, running its {@code onClose} (on the thread that
     * closes it, after the commit and before the writer closes: readers following the writer go back to
     * the commits then). Another process's writer of the directory waits until it is closed, as for any
     * writer.
     */
    public static Live openLive(Path dir, Runnable onClose) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        synchronized (lock(abs)) {
            closeLive(abs);
            // Small segments flushed for the readers stay in memory until a commit or a merge writes them out.
            Directory d = new NRTCachingDirectory(FSDirectory.open(abs), 4, 32);
            try {
                Live l = new Live(abs, d, openWriter(d, abs, 0), onClose);
                LIVE.put(abs, l);
                return l;
            } catch (IOException | RuntimeException e) {
                d.close();
                throw e;
            }
        }
    }

    /** See {@link #openLive}. */
    public static final class Live implements AutoCloseable {
        private final Path dir;
        private final Directory directory;
        private final IndexWriter writer;
        private final Runnable onClose;
        private volatile boolean open = true;
        private boolean changed;

        private Live(Path dir, Directory directory, IndexWriter writer, Runnable onClose) {
            this.dir = dir;
            this.directory = directory;
            this.writer = writer;
            this.onClose = onClose;
        }

        /** The writer, for near-real-time readers; write through {@link #update} only. */
        public IndexWriter writer() {
            return writer;
        }

        /** False once closed (by its owner, or by another writer of the directory in this process). */
        public boolean isOpen() {
            return open;
        }

        /**
         * {@link MovieIndex#update} without the commit: the movies' entries replaced (a movie no longer in
         * the table leaves the index), visible to readers opened from {@link #writer} afterwards.
         */
        public Update update(Database db, Collection<Integer> movieIds) throws IOException, SQLException {
            long start = System.nanoTime();
            int[] ids = movieIds.stream().mapToInt(Integer::intValue).distinct().toArray();
            if (ids.length == 0) return new Update(0, 0, 0);
            List<MovieRecord> rows = MovieTable.read(db, ids);
            synchronized (lock(dir)) {
                if (!open) throw new IOException("the index writer of " + dir + " was closed by another writer");
                replace(writer, ids, rows);
                changed = true;
            }
            return new Update(rows.size(), ids.length - rows.size(), (System.nanoTime() - start) / 1_000_000);
        }

        /** Commits what was updated since the last commit (nothing to do when nothing was). */
        public void commit() throws IOException {
            synchronized (lock(dir)) {
                if (!open || !changed) return;
                commitUpdated(directory, writer);
                changed = false;
            }
        }

        /** Commits, closes the writer (releasing the directory) and runs {@code onClose}; idempotent. */
        @Override
        public void close() throws IOException {
            synchronized (lock(dir)) {
                if (!open) return;
                try {
                    commit();
                } finally {
                    open = false;
                    LIVE.remove(dir, this);
                    // Readers go back to the commits before the writer closes.
                    try {
                        onClose.run();
                    } finally {
                        try (directory) {
                            writer.close();
                        }
                    }
                }
            }
        }
    }

    /** The monitor under which this process writes the index in {@code abs} (one per directory). */
    private static Object lock(Path abs) {
        return LOCKS.computeIfAbsent(abs, k -> new Object());
    }

    /**
     * Replaces the entries of movies {@code ids} with {@code rows} (a movie not among them leaves the index)
     * in one atomic step: a reader opened meanwhile (a search's refresh) sees all of it or none.
     */
    private static void replace(IndexWriter w, int[] ids, List<MovieRecord> rows) throws IOException {
        List<org.apache.lucene.document.Document> docs = new java.util.ArrayList<>(rows.size());
        for (MovieRecord m : rows) docs.add(MovieDocuments.toDocument(m));
        w.updateDocuments(IntPoint.newSetQuery(Fields.MOVIE_ID, ids), docs);
    }

    /** Commits {@code w}, keeping the last commit's data (when it was built) and stamping when it was updated. */
    private static void commitUpdated(Directory d, IndexWriter w) throws IOException {
        Map<String, String> meta = new java.util.HashMap<>(SegmentInfos.readLatestCommit(d).getUserData());
        meta.put(META_UPDATED_AT, Instant.now().toString());
        w.setLiveCommitData(meta.entrySet());
        w.commit();
    }

    private static IndexWriter openWriter(Directory d, Path dir) throws IOException {
        return openWriter(d, dir, IndexWriterConfig.DEFAULT_MAX_FULL_FLUSH_MERGE_WAIT_MILLIS);
    }

    /**
     * {@code mergeWaitMs}: how long opening a near-real-time reader waits for merges of the new segments.
     * While another process holds the directory, this one says so in {@link #WRITER_WANTED} (touched at
     * every attempt, removed when done): a server's {@link IndexFollower} keeping its writer open gives
     * the directory up at its next pass or idle moment.
     */
    private static IndexWriter openWriter(Directory d, Path dir, long mergeWaitMs) throws IOException {
        long deadline = System.currentTimeMillis() + LOCK_WAIT_MS;
        Path wanted = dir.resolve(WRITER_WANTED);
        boolean waited = false;
        try {
            while (true) {
                IndexWriterConfig cfg = new IndexWriterConfig(Analyzers.PER_FIELD)
                        .setSimilarity(new BM25Similarity())
                        .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                        .setMaxFullFlushMergeWaitMillis(mergeWaitMs)
                        .setRAMBufferSizeMB(64);
                try {
                    return new IndexWriter(d, cfg);
                } catch (LockObtainFailedException e) {
                    if (System.currentTimeMillis() > deadline) {
                        throw new IOException("another process has been writing the index in " + dir + " for over "
                                + LOCK_WAIT_MS / 1000 + " s (lock " + dir.resolve(IndexWriter.WRITE_LOCK_NAME) + ")",
                                e);
                    }
                    waited = true;
                    touch(wanted);
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while waiting for the index lock in " + dir, ie);
                    }
                }
            }
        } finally {
            if (waited) Files.deleteIfExists(wanted);
        }
    }

    /**
     * The file by which a process waiting for the directory's write lock asks its holder to let go; not a
     * Lucene file (Lucene leaves it alone). Only a recent one counts ({@link #writerWanted}): a waiter
     * killed mid-wait leaves it behind.
     */
    static final String WRITER_WANTED = "reelrank-writer-wanted";

    /** A waiter touches {@link #WRITER_WANTED} every 200 ms; one older than this is left over. */
    static final long WRITER_WANTED_FRESH_MS = 2_000;

    /** Whether another process is waiting for the write lock of the index in {@code dir} right now. */
    public static boolean writerWanted(Path dir) {
        try {
            long age = System.currentTimeMillis() - Files.getLastModifiedTime(dir.resolve(WRITER_WANTED)).toMillis();
            return age < WRITER_WANTED_FRESH_MS;
        } catch (IOException e) {
            return false; // none (or unreadable: then nobody can have written it here either)
        }
    }

    /** Creates the file, or sets its time to now; best effort (a read-only directory only loses the hint). */
    private static void touch(Path f) {
        try {
            try {
                Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
            } catch (java.nio.file.NoSuchFileException e) {
                Files.createFile(f);
            }
        } catch (IOException e) {
            // the holder lets go on its own after 5 s without changes
        }
    }

    /**
     * What {@link #check} found: the figures of the index (read from its documents, not from what was
     * recorded when it was built) and of the tables, and which ones differ.
     */
    public record Check(boolean indexExists, int indexMovies, int tableMovies, String indexIdChecksum,
            String tableIdChecksum, long indexTags, long tableTags, long indexRatings, long tableRatings,
            long indexAverages, long tableAverages, String builtAt, String updatedAt) {

        public boolean stale() {
            return !indexExists || indexMovies != tableMovies || !indexIdChecksum.equals(tableIdChecksum)
                    || indexTags != tableTags || indexRatings != tableRatings || indexAverages != tableAverages;
        }

        /** One line per figure, each marked "ok" or "differs", and a verdict. */
        public String describe() {
            if (!indexExists) return "no index yet: stale (run `reelrank index`)";
            StringBuilder b = new StringBuilder();
            b.append(line("movies", indexMovies, tableMovies));
            b.append(line("movie id checksum", indexIdChecksum, tableIdChecksum));
            b.append(line("tags", indexTags, tableTags));
            b.append(line("ratings (sum of rating_count)", indexRatings, tableRatings));
            b.append(line("averages (Σ id·100·avg_rating)", indexAverages, tableAverages));
            b.append("built at ").append(builtAt).append(", last changed at ").append(updatedAt).append('\n');
            b.append(stale() ? "stale: run `reelrank index` to rebuild" : "up to date");
            return b.toString();
        }

        private static String line(String what, Object index, Object table) {
            return String.format(Locale.ROOT, "%-30s index %-34s table %-34s %s%n", what, index, table,
                    index.equals(table) ? "ok" : "differs");
        }
    }

    /**
     * Compares the committed index in {@code dir} with the tables: number of movies, checksum of their
     * ids, number of tag rows, sum of rating_count, and Σ movie_id · round(100 · avg_rating) over the
     * movies with an average. The last one sees a changed rating, which moves a movie's average but not
     * its count (a server down while users changed their minds would otherwise keep old averages).
     */
    public static Check check(Database db, Path dir) throws IOException, SQLException {
        MovieTable.Summary table = MovieTable.summary(db);
        if (!exists(dir)) {
            return new Check(false, 0, table.movies(), "", table.idChecksum(), 0, table.tagRows(), 0,
                    table.ratingSum(), 0, table.averages(), "", "");
        }
        try (Directory d = FSDirectory.open(dir); DirectoryReader r = DirectoryReader.open(d)) {
            Map<String, String> meta = SegmentInfos.readLatestCommit(d).getUserData();
            return new Check(true, r.numDocs(), table.movies(), idChecksum(r), table.idChecksum(),
                    sum(r, Fields.TAG_COUNT), table.tagRows(), sum(r, Fields.RATING_COUNT), table.ratingSum(),
                    averages(r), table.averages(), meta.getOrDefault(META_BUILT_AT, "unknown"),
                    meta.getOrDefault(META_UPDATED_AT, "unknown"));
        }
    }

    /** Σ movie_id · round(100 · avg_rating) over the live documents with an average, as {@link MovieTable} sums it. */
    static long averages(DirectoryReader r) throws IOException {
        long total = 0;
        for (LeafReaderContext leaf : r.leaves()) {
            NumericDocValues avg = leaf.reader().getNumericDocValues(Fields.AVG_RATING);
            NumericDocValues ids = leaf.reader().getNumericDocValues(Fields.MOVIE_ID);
            Bits live = leaf.reader().getLiveDocs();
            if (avg == null || ids == null) continue;
            for (int doc = avg.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = avg.nextDoc()) {
                if ((live != null && !live.get(doc)) || !ids.advanceExact(doc)) continue;
                total += ids.longValue() * Math.round(100 * NumericUtils.sortableLongToDouble(avg.longValue()));
            }
        }
        return total;
    }

    /** The checksum of the movie ids in the index. */
    static String idChecksum(DirectoryReader r) throws IOException {
        int[] ids = new int[r.numDocs()];
        int[] n = {0};
        forEachLive(r, Fields.MOVIE_ID, v -> ids[n[0]++] = (int) v);
        return IdChecksum.ofUnsorted(Arrays.copyOf(ids, n[0]));
    }

    private static long sum(DirectoryReader r, String field) throws IOException {
        long[] total = {0};
        forEachLive(r, field, v -> total[0] += v);
        return total[0];
    }

    private static void forEachLive(DirectoryReader r, String field, java.util.function.LongConsumer f)
            throws IOException {
        for (LeafReaderContext leaf : r.leaves()) {
            NumericDocValues dv = leaf.reader().getNumericDocValues(field);
            Bits live = leaf.reader().getLiveDocs();
            if (dv == null) continue;
            for (int doc = dv.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = dv.nextDoc()) {
                if (live == null || live.get(doc)) f.accept(dv.longValue());
            }
        }
    }
}
