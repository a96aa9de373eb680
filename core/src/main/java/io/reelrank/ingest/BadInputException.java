package io.reelrank.ingest;

import java.nio.file.Path;

/**
 * A row of an input file that cannot be loaded, with where it is: file, line (1-based) and, when
 * one field is to blame, its column (1-based) and name. The message reads
 * {@code ratings.csv line 17, column 3 (rating): rating must be 0.5-5.0 in steps of 0.5, got 7}.
 */
public final class BadInputException extends RuntimeException {

    private final Path file;
    private final long line;
    private final int column;

    public BadInputException(Path file, long line, int column, String columnName, String reason) {
        super(file.getFileName() + " line " + line
                + (column > 0 ? ", column " + column + (columnName != null ? " (" + columnName + ")" : "") : "")
                + ": " + reason);
        this.file = file;
        this.line = line;
        this.column = column;
    }

    public Path file() {
        return file;
    }

    public long line() {
        return line;
    }

    /** 1-based column, or 0 when the whole row is at fault. */
    public int column() {
        return column;
    }
}
