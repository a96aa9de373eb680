package io.reelrank.feedback;

import java.util.Arrays;

/**
 * One result list as a user saw it and what they clicked: the context the list answered (a query, or
 * a query and a user: whatever the caller wants a movie's attractiveness to be estimated per), the
 * movie ids shown from position 1 down, and for each position whether it was clicked. The click
 * models fit on lists of these; the arrays are copies.
 */
public record Session(String context, int[] shown, boolean[] clicked) {

    public Session {
        if (context == null) throw new IllegalArgumentException("a session needs a context (e.g. the query)");
        if (shown.length != clicked.length) {
            throw new IllegalArgumentException("shown and clicked must be as long, got " + shown.length + " and "
                    + clicked.length);
        }
        shown = shown.clone();
        clicked = clicked.clone();
    }

    /** A session from the clicked positions (1-based). */
    public static Session of(String context, int[] shown, int... clickedPositions) {
        boolean[] c = new boolean[shown.length];
        for (int p : clickedPositions) {
            if (p < 1 || p > shown.length) {
                throw new IllegalArgumentException("clicked position must be in 1-" + shown.length + ", got " + p);
            }
            c[p - 1] = true;
        }
        return new Session(context, shown, c);
    }

    public int size() {
        return shown.length;
    }

    /** The clicked positions, 1-based, top first. */
    public int[] clickedPositions() {
        int n = 0;
        for (boolean b : clicked) if (b) n++;
        int[] out = new int[n];
        int j = 0;
        for (int i = 0; i < clicked.length; i++) if (clicked[i]) out[j++] = i + 1;
        return out;
    }

    /** The first clicked position, 1-based; 0 when nothing was clicked. */
    public int firstClick() {
        for (int i = 0; i < clicked.length; i++) if (clicked[i]) return i + 1;
        return 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Session s && context.equals(s.context) && Arrays.equals(shown, s.shown)
                && Arrays.equals(clicked, s.clicked);
    }

    @Override
    public int hashCode() {
        return (31 * context.hashCode() + Arrays.hashCode(shown)) * 31 + Arrays.hashCode(clicked);
    }

    @Override
    public String toString() {
        return "Session[" + context + ", shown " + Arrays.toString(shown) + ", clicked "
                + Arrays.toString(clickedPositions()) + "]";
    }
}
