package io.reelrank.rerank;

import java.util.Arrays;

/**
 * The movies one user has rated and their stars, for the re-ranker: for such a movie the user's own
 * rating replaces the estimates of their interest (see {@link Reranker}). Ids ascending, parallel
 * stars; build with {@link #of}, which sorts. Immutable.
 *
 * <p>{@link #decisive()}: the same ratings for a user whose ratings carry no contrast (outside the
 * learned ranker's domain), for whom the own rating also takes the collaborative term's place.
 */
public final class RatedMovies {

    public static final RatedMovies NONE = new RatedMovies(new int[0], new float[0], false);

    private final int[] ids;
    private final float[] stars;
    private final boolean decisive;

    private RatedMovies(int[] ids, float[] stars, boolean decisive) {
        this.ids = ids;
        this.stars = stars;
        this.decisive = decisive;
    }

    /**
     * The same ratings, deciding every personal term of weighted fusion for the movies they cover: the
     * own rating in place of u·v too, not only of the prior and the cosine ({@link Reranker}).
     */
    public RatedMovies decisive() {
        return decisive ? this : new RatedMovies(ids, stars, true);
    }

    /** Whether the own rating also replaces u·v ({@link #decisive()}). */
    public boolean isDecisive() {
        return decisive;
    }

    /** From parallel arrays in any order; a movie must appear once. */
    public static RatedMovies of(int[] movieIds, float[] stars) {
        if (movieIds.length != stars.length) {
            throw new IllegalArgumentException("stars must be parallel to movie ids, got " + stars.length + " for "
                    + movieIds.length);
        }
        Integer[] order = new Integer[movieIds.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Integer.compare(movieIds[a], movieIds[b]));
        int[] ids = new int[order.length];
        float[] s = new float[order.length];
        for (int i = 0; i < order.length; i++) {
            ids[i] = movieIds[order[i]];
            s[i] = stars[order[i]];
            if (i > 0 && ids[i] == ids[i - 1]) throw new IllegalArgumentException("movie " + ids[i] + " rated twice");
        }
        return new RatedMovies(ids, s, false);
    }

    public int size() {
        return ids.length;
    }

    public boolean has(int movieId) {
        return Arrays.binarySearch(ids, movieId) >= 0;
    }

    /** The user's stars for the movie, NaN when they have not rated it. */
    public double stars(int movieId) {
        int i = Arrays.binarySearch(ids, movieId);
        return i < 0 ? Double.NaN : stars[i];
    }

    /** The own rating on the terms' [0, 1] scale, {@code (r − 0.5)/4.5}; NaN when not rated. */
    public double own(int movieId) {
        double r = stars(movieId);
        return Double.isNaN(r) ? Double.NaN : (r - 0.5) / 4.5;
    }
}
