package io.reelrank.model;

import io.reelrank.db.Database;
import io.reelrank.embed.Vectors;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyInputStream;

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
    private final float[][] rows; // one unit vector per movie that has one, shared by vector()
    private final boolean centered;
    private final float[] mean; // the catalog mean ē that was subtracted (zeros when not centered)

    private ItemVectors(int dim, int[] index, float[][] rows, boolean centered, float[] mean) {
        this.dim = dim;
        this.index = index;
        this.rows = rows;
        this.centered = centered;
        this.mean = mean;
    }

    /**
     * Loads every non-null {@code movies.embedding}; empty (size 0) when none is loaded yet. The
     * binary {@code COPY} is read as it streams in, so memory holds the vectors once (87,585 movies:
     * 135 MB), not the raw bytes besides.
     */
    public static ItemVectors load(Database db, boolean center) throws SQLException {
        try (Connection c = db.connect();
             InputStream in = new BufferedInputStream(new PGCopyInputStream(c.unwrap(PGConnection.class),
                     "COPY (SELECT movie_id, embedding FROM movies WHERE embedding IS NOT NULL ORDER BY movie_id) "
                             + "TO STDOUT (FORMAT binary)"), 1 << 16)) {
            return fromCopy(in, center);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read movie embeddings", e);
        }
    }

    /** Builds the table from (movie_id, vector) pairs; vectors need not be normalised. */
    public static ItemVectors of(int[] movieIds, float[][] vectors, boolean center) {
        int dim = vectors.length == 0 ? 0 : vectors[0].length;
        float[][] rows = new float[movieIds.length][];
        for (int i = 0; i < movieIds.length; i++) {
            if (vectors[i].length != dim) {
                throw new IllegalArgumentException("movie " + movieIds[i] + " has " + vectors[i].length
                        + " dimensions, expected " + dim);
            }
            rows[i] = vectors[i].clone();
        }
        return finish(dim, movieIds, rows, movieIds.length, center);
    }

    // pgvector's binary form: int16 dim, int16 unused, dim × float4 (pgvector src/vector.c vector_send)
    private static ItemVectors fromCopy(InputStream in, boolean center) throws IOException {
        DataInputStream d = new DataInputStream(in);
        d.skipNBytes(11 + 4 + 4); // signature, flags, header extension length
        int[] ids = new int[1024];
        float[][] rows = new float[1024][];
        int dim = -1;
        int n = 0;
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
            } else if (vdim != dim) {
                throw new IllegalStateException("movie " + id + " has a " + vdim + "-dim embedding, others " + dim);
            }
            if (n == ids.length) {
                ids = Arrays.copyOf(ids, n * 2);
                rows = Arrays.copyOf(rows, n * 2);
            }
            float[] v = new float[dim];
            for (int j = 0; j < dim; j++) v[j] = d.readFloat();
            ids[n] = id;
            rows[n] = v;
            n++;
        }
        return finish(Math.max(dim, 0), ids, rows, n, center);
    }

    private static ItemVectors finish(int dim, int[] ids, float[][] rows, int n, boolean center) {
        int maxId = 0;
        for (int i = 0; i < n; i++) maxId = Math.max(maxId, ids[i]);
        int[] index = new int[maxId + 1];
        Arrays.fill(index, -1);
        for (int i = 0; i < n; i++) index[ids[i]] = i;
        float[][] kept = rows.length == n ? rows : Arrays.copyOf(rows, n);
        float[] subtracted = new float[dim];
        if (center && n > 0) {
            double[] mean = new double[dim];
            for (float[] r : kept) for (int j = 0; j < dim; j++) mean[j] += r[j];
            for (int j = 0; j < dim; j++) mean[j] /= n;
            for (int j = 0; j < dim; j++) subtracted[j] = (float) mean[j];
            for (float[] r : kept) for (int j = 0; j < dim; j++) r[j] -= (float) mean[j];
        }
        for (float[] r : kept) Vectors.normalize(r);
        return new ItemVectors(dim, index, kept, center, subtracted);
    }

    public int dimension() {
        return dim;
    }

    /** How many movies have a vector. */
    public int size() {
        return rows.length;
    }

    public boolean centered() {
        return centered;
    }

    /**
     * The catalog mean ē these vectors were centered on (zeros when not centered), a copy: a text
     * embedded by the same model is put into the same space as {@code normalize(v − ē)}.
     */
    public float[] mean() {
        return mean.clone();
    }

    public boolean has(int movieId) {
        return movieId >= 0 && movieId < index.length && index[movieId] >= 0;
    }

    /** Cosine between a unit vector and the movie's (unit) vector; NaN when the movie has none. */
    public double cosine(int movieId, float[] unit) {
        if (!has(movieId)) return Double.NaN;
        return Vectors.dot(unit, rows[index[movieId]]);
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
        int[] out = new int[rows.length];
        int k = 0;
        for (int id = 0; id < index.length; id++) if (index[id] >= 0) out[k++] = id;
        return out;
    }
}
