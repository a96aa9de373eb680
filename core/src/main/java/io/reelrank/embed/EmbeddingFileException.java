package io.reelrank.embed;

import java.nio.file.Path;

/**
 * A defect in an embeddings CSV at a known line: a wrong dimension, NaN or Infinity, a broken
 * literal, an unknown or repeated movie_id. The message names the file and line; nothing was loaded.
 */
public final class EmbeddingFileException extends RuntimeException {

    private final Path file;
    private final long line;

    public EmbeddingFileException(Path file, long line, String problem) {
        super(file + ":" + line + ": " + problem);
        this.file = file;
        this.line = line;
    }

    public Path file() {
        return file;
    }

    public long line() {
        return line;
    }
}
