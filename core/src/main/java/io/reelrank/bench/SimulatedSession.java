package io.reelrank.bench;

import io.reelrank.feedback.Session;
import java.util.Arrays;
import java.util.List;

/**
 * One session of the simulated audience: which user asked what, the request id the server gave the
 * answer (null until the server sends one), the movies shown (position 1 first), which positions were
 * clicked and which clicked movies were rated with how many stars, and the session's latent NDCG@10
 * against the two ideals {@link LatentTruth#ndcg} describes (the shown list's own best order, and the
 * best of the catalogue movies the query matches). {@link #toSession} gives the click models their
 * view of it.
 */
public record SimulatedSession(int index, int user, String query, String requestId, int[] shown, boolean[] clicked,
                               List<Rated> ratings, double ndcgShown, double ndcgCatalogue) {

    /** A rating the user posted after a click. */
    public record Rated(int movie, int position, double stars) {}

    public SimulatedSession {
        shown = shown.clone();
        clicked = clicked.clone();
        ratings = List.copyOf(ratings);
    }

    /** The click models' view: the context is the user and the query, since attractiveness is personal. */
    public Session toSession() {
        return new Session(context(user, query), shown, clicked);
    }

    /**
     * The view of a position-based fit: the context is the query alone, so a movie's attractiveness is
     * averaged over the users who asked it and the positions it was shown at to different users (which
     * personalised rankings vary) identify the examination propensities.
     */
    public Session toQuerySession() {
        return new Session(query, shown, clicked);
    }

    static String context(int user, String query) {
        return user + " " + query;
    }

    public int clicks() {
        int n = 0;
        for (boolean c : clicked) if (c) n++;
        return n;
    }

    /**
     * Equal when the same session was played the same way; the request id is left out, since a server
     * gives every answer a new one, so two plays of one seed are equal whatever ids they were given.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof SimulatedSession s && index == s.index && user == s.user && query.equals(s.query)
                && Arrays.equals(shown, s.shown)
                && Arrays.equals(clicked, s.clicked) && ratings.equals(s.ratings)
                && Double.compare(ndcgShown, s.ndcgShown) == 0 && Double.compare(ndcgCatalogue, s.ndcgCatalogue) == 0;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(index, user, query, Arrays.hashCode(shown), Arrays.hashCode(clicked));
    }

    @Override
    public String toString() {
        return "session " + index + " user " + user + " '" + query + "' shown " + Arrays.toString(shown) + " clicked "
                + Arrays.toString(toSession().clickedPositions()) + " rated " + ratings;
    }
}
