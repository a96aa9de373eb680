package io.reelrank.db;

/**
 * Another library's message as reelrank quotes it in its one-line errors (PostgreSQL's, with its
 * DETAIL and HINT lines; Lucene's parser's, with its list of expected tokens): the first line only,
 * without surrounding blanks. Callers add what the message lacks (where, which value).
 */
public final class Messages {

    private Messages() {
    }

    /** The first line of {@code message}, stripped; empty for null. */
    public static String firstLine(String message) {
        if (message == null) return "";
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }
}
