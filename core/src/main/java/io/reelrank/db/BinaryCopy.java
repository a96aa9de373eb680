package io.reelrank.db;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * Streams rows into PostgreSQL with {@code COPY … FROM STDIN (FORMAT binary)}: no text formatting of
 * numbers and timestamps on our side, no parsing on the server's. Rows are buffered and handed to
 * the server every {@code batchRows} rows. Used by every bulk write: ingest, the user tower, the
 * benchmarks. The caller must call {@link #finish()} (or {@link #cancel()} on failure) before using
 * the connection again.
 * Format: PostgreSQL docs, "COPY — Binary Format".
 */
public final class BinaryCopy {

    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    /** Microseconds between 1970-01-01 and PostgreSQL's epoch 2000-01-01 (UTC). */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;

    private final CopyIn copy;
    private final int batchRows;
    private ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    private long rows;

    public BinaryCopy(CopyManager manager, String sql, int batchRows) throws SQLException {
        this.copy = manager.copyIn(sql);
        this.batchRows = batchRows;
        buf.put(SIGNATURE).putInt(0).putInt(0);
    }

    public void startRow(int fields) {
        ensure(2);
        buf.putShort((short) fields);
    }

    public void int4(int v) {
        ensure(8);
        buf.putInt(4).putInt(v);
    }

    public void int4OrNull(Integer v) {
        if (v == null) nul();
        else int4(v);
    }

    public void nul() {
        ensure(4);
        buf.putInt(-1);
    }

    public void text(String s) {
        if (s == null) {
            nul();
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        ensure(4 + b.length);
        buf.putInt(b.length).put(b);
    }

    /** A field already in binary wire form, length included. */
    public void raw(byte[] field) {
        ensure(field.length);
        buf.put(field);
    }

    /**
     * A pgvector {@code vector}, or NULL for null. pgvector's binary form: int16 dim, int16 unused,
     * dim × float4 (pgvector src/vector.c, vector_recv).
     */
    public void vector(float[] v) {
        if (v == null) {
            nul();
            return;
        }
        ensure(8 + 4 * v.length);
        buf.putInt(4 + 4 * v.length).putShort((short) v.length).putShort((short) 0);
        for (float f : v) buf.putFloat(f);
    }

    /** A {@code real} (float4). */
    public void float4(float v) {
        ensure(8);
        buf.putInt(4).putFloat(v);
    }

    /** A timestamptz from Unix epoch seconds. */
    public void timestampFromEpochSeconds(long epochSeconds) {
        ensure(12);
        buf.putInt(8).putLong((epochSeconds - PG_EPOCH_SECONDS) * 1_000_000L);
    }

    /** A {@code uuid} from its 16 bytes as two longs, most significant first. */
    public void uuid(long hi, long lo) {
        ensure(20);
        buf.putInt(16).putLong(hi).putLong(lo);
    }

    /** A timestamptz from Unix epoch microseconds. */
    public void timestampFromEpochMicros(long epochMicros) {
        ensure(12);
        buf.putInt(8).putLong(epochMicros - PG_EPOCH_SECONDS * 1_000_000L);
    }

    /** A {@code real}, or NULL for null. */
    public void float4OrNull(Float v) {
        if (v == null) nul();
        else float4(v);
    }

    /**
     * A one-dimensional {@code int[]} (NULL for null). Format: PostgreSQL src/backend/utils/adt/arrayfuncs.c,
     * array_send: ndim, has-nulls flag, element type OID, then per dimension its size and lower bound.
     */
    public void int4Array(int[] v) {
        if (v == null) {
            nul();
            return;
        }
        arrayHeader(v.length, 4, 23);
        for (int x : v) buf.putInt(4).putInt(x);
    }

    /** A one-dimensional {@code smallint[]} (NULL for null). */
    public void int2Array(short[] v) {
        if (v == null) {
            nul();
            return;
        }
        arrayHeader(v.length, 2, 21);
        for (short x : v) buf.putInt(2).putShort(x);
    }

    /** A one-dimensional {@code real[]} (NULL for null); NaN stays NaN. */
    public void float4Array(float[] v) {
        if (v == null) {
            nul();
            return;
        }
        arrayHeader(v.length, 4, 700);
        for (float x : v) buf.putInt(4).putFloat(x);
    }

    /** A one-dimensional {@code text[]} (NULL for null; no null elements). */
    public void textArray(String[] v) {
        if (v == null) {
            nul();
            return;
        }
        byte[][] b = new byte[v.length][];
        int size = 0;
        for (int i = 0; i < v.length; i++) {
            b[i] = v[i].getBytes(StandardCharsets.UTF_8);
            size += 4 + b[i].length;
        }
        int header = v.length == 0 ? 12 : 20;
        ensure(4 + header + size);
        buf.putInt(header + size).putInt(v.length == 0 ? 0 : 1).putInt(0).putInt(25);
        if (v.length > 0) buf.putInt(v.length).putInt(1);
        for (byte[] x : b) buf.putInt(x.length).put(x);
    }

    /** Field length, then ndim (0 for an empty array), no nulls, element OID, and the one dimension. */
    private void arrayHeader(int n, int elementBytes, int oid) {
        int header = n == 0 ? 12 : 20;
        int size = header + n * (4 + elementBytes);
        ensure(4 + size);
        buf.putInt(size).putInt(n == 0 ? 0 : 1).putInt(0).putInt(oid);
        if (n > 0) buf.putInt(n).putInt(1);
    }

    public void endRow() throws SQLException {
        if (++rows % batchRows == 0 || buf.position() > (1 << 20)) {
            flush();
        }
    }

    public long rows() {
        return rows;
    }

    public long finish() throws SQLException {
        ensure(2);
        buf.putShort((short) -1);
        flush();
        return copy.endCopy();
    }

    public void cancel() {
        try {
            if (copy.isActive()) copy.cancelCopy();
        } catch (SQLException ignored) {
            // the transaction is rolled back anyway
        }
    }

    private void flush() throws SQLException {
        if (buf.position() > 0) {
            copy.writeToCopy(buf.array(), 0, buf.position());
            buf.clear();
        }
    }

    private void ensure(int n) {
        if (buf.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }

    /**
     * numeric(2,1) values 0.5, 1.0, …, 5.0 in binary wire form (length, ndigits, weight, sign, dscale,
     * base-10000 digits), indexed by half-stars (1 = 0.5 … 10 = 5.0).
     */
    public static byte[][] halfStarNumerics() {
        byte[][] out = new byte[11][];
        for (int h = 1; h <= 10; h++) {
            int whole = h / 2;
            boolean half = h % 2 == 1;
            short[] digits;
            short weight;
            if (whole == 0) {
                digits = new short[] {5000};
                weight = -1;
            } else if (half) {
                digits = new short[] {(short) whole, 5000};
                weight = 0;
            } else {
                digits = new short[] {(short) whole};
                weight = 0;
            }
            ByteBuffer b = ByteBuffer.allocate(4 + 8 + 2 * digits.length);
            b.putInt(8 + 2 * digits.length).putShort((short) digits.length).putShort(weight)
                    .putShort((short) 0).putShort((short) 1);
            for (short d : digits) b.putShort(d);
            out[h] = b.array();
        }
        return out;
    }
}
