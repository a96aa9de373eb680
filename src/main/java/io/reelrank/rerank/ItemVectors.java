package io.reelrank.rerank;

import io.reelrank.db.Database;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import org.postgresql.PGConnection;

/**
 * Every movie's item-tower vector in memory, indexed by movie_id, so the re-ranker scores 100
 * candidates without a database round trip. Loaded once with a binary {@code COPY} of
 * {@code movies.embedding}; the caller reloads it when embeddings change.
 *
 * <p>Centering: sentence vectors of short templated movie texts share a large common component (the
 * template itself), which compresses all cosines into a narrow band. With {@code center = true} each
 * vector becomes {@code normalize(e_i − ē)}, ē the catalog mean, before either tower uses it; the
 * user vectors in {@code users.embedding} are computed in that same space, so the two must agree.
 */
public final class ItemVectors {

    private final int dim;
    private final int[] index; // movie_id -> row, -1 when the movie has no vector
    private final float[] data; // rows of dim floats
    private final int size;
    private final boolean centered;
    private final float[][] rows; // row views for vector(); the same numbers as data

    private ItemVectors(int dim, int[] index, float[] data, int size, boolean centered) {
        this.dim = dim;
        this.index = index;
        this.data = data;
        this.size = size;
        this.centered = centered;
        this.rows = new float[size][];
        for (int i = 0; i < size; i++) rows[i] = Arrays.copyOfRange(data, i * dim, i * dim + dim);
    }

    /** Loads every non-null {@code movies.embedding}; empty (size 0) when none is loaded yet. */
    public static ItemVectors load(Database db, boolean center) throws SQLException {
        byte[] raw;
        try (Connection c = db.connect()) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(1 << 20);
            c.unwrap(PGConnection.class).getCopyAPI().copyOut(
                    "COPY (SELECT movie_id, embedding FROM movies WHERE embedding IS NOT NULL ORDER BY movie_id) "
                            + "TO STDOUT (FORMAT binary)", buf);
            raw = buf.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return fromCopy(new java.io.ByteArrayInputStream(raw), center);
    }

    /** Builds the table from (movie_id, vector) pairs; vectors need not be normalised. */
    public static ItemVectors of(int[] movieIds, float[][] vectors, boolean center) {
        int dim = vectors.length == 0 ? 0 : vectors[0].length;
        int maxId = Arrays.stream(movieIds).max().orElse(0);
        int[] index = new int[maxId + 1];
        Arrays.fill(index, -1);
        float[] data = new float[movieIds.length * dim];
        for (int i = 0; i < movieIds.length; i++) {
            if (vectors[i].length != dim) {
                throw new IllegalArgumentException("movie " + movieIds[i] + " has " + vectors[i].length
                        + " dimensions, expected " + dim);
            }
            index[movieIds[i]] = i;
            System.arraycopy(vectors[i], 0, data, i * dim, dim);
        }
        return finish(dim, index, data, movieIds.length, center);
    }

    // pgvector's binary form: int16 dim, int16 unused, dim × float4 (pgvector src/vector.c vector_send)
    private static ItemVectors fromCopy(InputStream in, boolean center) {
        try (DataInputStream d = new DataInputStream(in)) {
            d.skipNBytes(11 + 4 + 4); // signature, flags, header extension length
            int[] ids = new int[1024];
            float[] data = new float[0];
            int dim = -1;
            int n = 0;
            int maxId = 0;
            while (true) {
                short fields = d.readShort();
                if (fields == -1) break;
                d.readInt();
                int id = d.readInt();
                d.readInt();
                int vdim = d.readShort();
                d.readShort();
                if (dim < 0) {
                    dim = vdim;
                    data = new float[1024 * dim];
                } else if (vdim != dim) {
                    throw new IllegalStateException("movie " + id + " has a " + vdim + "-dim embedding, others " + dim);
                }
                if (n == ids.length) {
                    ids = Arrays.copyOf(ids, n * 2);
                    data = Arrays.copyOf(data, n * 2 * dim);
                }
                ids[n] = id;
                for (int j = 0; j < dim; j++) data[n * dim + j] = d.readFloat();
                maxId = Math.max(maxId, id);
                n++;
            }
            int[] index = new int[maxId + 1];
            Arrays.fill(index, -1);
            for (int i = 0; i < n; i++) index[ids[i]] = i;
            return finish(Math.max(dim, 0), index, data, n, center);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read movie embeddings", e);
        }
    }

    private static ItemVectors finish(int dim, int[] index, float[] data, int n, boolean center) {
        if (center && n > 0) {
            double[] mean = new double[dim];
            for (int i = 0; i < n; i++) for (int j = 0; j < dim; j++) mean[j] += data[i * dim + j];
            for (int j = 0; j < dim; j++) mean[j] /= n;
            for (int i = 0; i < n; i++) for (int j = 0; j < dim; j++) data[i * dim + j] -= (float) mean[j];
        }
        for (int i = 0; i < n; i++) normalize(data, i * dim, dim);
        return new ItemVectors(dim, index, data, n, center);
    }

    private static void normalize(float[] a, int off, int dim) {
        double s = 0;
        for (int j = 0; j < dim; j++) s += (double) a[off + j] * a[off + j];
        if (s == 0) return;
        float inv = (float) (1 / Math.sqrt(s));
        for (int j = 0; j < dim; j++) a[off + j] *= inv;
    }

    public int dimension() {
        return dim;
    }

    /** How many movies have a vector. */
    public int size() {
        return size;
    }

    public boolean centered() {
        return centered;
    }

    public boolean has(int movieId) {
        return movieId >= 0 && movieId < index.length && index[movieId] >= 0;
    }

    /** Cosine between a unit vector and the movie's (unit) vector; NaN when the movie has none. */
    public double cosine(int movieId, float[] unit) {
        if (!has(movieId)) return Double.NaN;
        int off = index[movieId] * dim;
        double s = 0;
        for (int j = 0; j < dim; j++) s += unit[j] * data[off + j];
        return s;
    }

    /** A copy of the movie's unit vector, or null. */
    public float[] get(int movieId) {
        float[] v = vector(movieId);
        return v == null ? null : v.clone();
    }

    /**
     * The movie's unit vector itself, or null: shared, not copied, so the user tower can sum
     * millions of ratings without allocating. The caller must not modify it.
     */
    public float[] vector(int movieId) {
        return has(movieId) ? rows[index[movieId]] : null;
    }

    /** The movie ids that have a vector, ascending. */
    public int[] movieIds() {
        int[] out = new int[size];
        int k = 0;
        for (int id = 0; id < index.length; id++) if (index[id] >= 0) out[k++] = id;
        return out;
    }
}
