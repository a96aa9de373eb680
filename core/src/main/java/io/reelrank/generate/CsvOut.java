package io.reelrank.generate;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A fast UTF-8 CSV writer for MovieLens files: numbers are written digit by digit into one reused
 * buffer (tens of millions of rows), and text fields are quoted as MovieLens quotes them: in double
 * quotes, inner quotes doubled, only when they hold a comma, a quote or a line break. The caller
 * closes it; {@link #bytes()} counts what was written.
 */
final class CsvOut implements AutoCloseable {

    private final OutputStream out;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private long bytes;
    private final byte[] digits = new byte[20];

    CsvOut(Path file) throws IOException {
        out = Files.newOutputStream(file);
    }

    CsvOut raw(String ascii) throws IOException {
        for (int i = 0; i < ascii.length(); i++) put((byte) ascii.charAt(i));
        return this;
    }

    CsvOut num(long v) throws IOException {
        if (v < 0) {
            put((byte) '-');
            v = -v;
        }
        int n = 0;
        do {
            digits[n++] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v > 0);
        while (n > 0) put(digits[--n]);
        return this;
    }

    /** A rating given in half stars (1-10) as MovieLens writes it: 0.5 … 5.0. */
    CsvOut halfStars(int h) throws IOException {
        put((byte) ('0' + h / 2));
        put((byte) '.');
        put((byte) (h % 2 == 1 ? '5' : '0'));
        return this;
    }

    CsvOut text(String s) throws IOException {
        boolean quote = s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
        if (quote) put((byte) '"');
        for (byte b : (quote ? s.replace("\"", "\"\"") : s).getBytes(StandardCharsets.UTF_8)) put(b);
        if (quote) put((byte) '"');
        return this;
    }

    CsvOut comma() throws IOException {
        put((byte) ',');
        return this;
    }

    CsvOut newline() throws IOException {
        put((byte) '\n');
        return this;
    }

    long bytes() {
        return bytes + pos;
    }

    private void put(byte b) throws IOException {
        if (pos == buf.length) {
            out.write(buf, 0, pos);
            bytes += pos;
            pos = 0;
        }
        buf[pos++] = b;
    }

    @Override
    public void close() throws IOException {
        out.write(buf, 0, pos);
        bytes += pos;
        pos = 0;
        out.close();
    }
}
