package io.reelrank.index;

/**
 * A query string that does not parse, with where and why: {@link #position()} is the 0-based
 * character offset of the offending token in {@link #query()}, {@link #reason()} one line a user can
 * act on. {@link #render()} gives the three lines the CLI prints (query, caret, reason).
 */
public final class QuerySyntaxException extends Exception {

    private final String query;
    private final int position;
    private final String reason;

    public QuerySyntaxException(String query, int position, String reason) {
        super("at position " + position + ": " + reason);
        this.query = query;
        this.position = Math.max(0, Math.min(position, query.length()));
        this.reason = reason;
    }

    public String query() {
        return query;
    }

    public int position() {
        return position;
    }

    public String reason() {
        return reason;
    }

    /** The query, a caret under the offending position, and the reason, separated by newlines. */
    public String render() {
        return query + "\n" + " ".repeat(position) + "^\n" + reason;
    }
}
